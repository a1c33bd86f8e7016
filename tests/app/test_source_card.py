"""The Data card's upload: the file is saved and read off the event loop, the page says
which split it used, bad files reach the error line, links cannot name server files."""
from __future__ import annotations

import numpy as np
import pytest

from app import data_files
from app.cards.settings import Settings, show_source_fields
from app.cards.source import SourceView
from app.tab.controller import Controller
from app.server_runs import RunRegistry
from tsvae_core.config import SOURCE_FIELDS


@pytest.fixture
def tab(tiny_configs, tmp_path, monkeypatch):
    monkeypatch.setattr(data_files, "UPLOAD_ROOT", tmp_path / "uploads")
    ctrl = Controller(*tiny_configs(), tab="source", registry=RunRegistry(max_runs=1))
    yield ctrl, SourceView(ctrl)
    ctrl.shutdown()


def upload(view: SourceView, name: str, content: bytes) -> None:
    view.upload.param.update(value=content, filename=name)


def csv_bytes(rows: int = 300) -> bytes:
    t = np.arange(rows)
    lines = ["a,b,label"] + [f"{np.sin(i / 4):.4f},{np.cos(i / 7):.4f},{(i // 30) % 2}"
                             for i in t]
    return ("\n".join(lines) + "\n").encode()


def test_upload_reads_the_file_and_says_the_split(tab, wait):
    ctrl, view = tab
    upload(view, "mine.csv", csv_bytes())
    assert ctrl.data.source == "file" and ctrl.data.data_path.endswith("mine.csv")
    assert "Reading mine.csv" in view.message
    wait(ctrl, lambda: "time split" in ctrl.state.data_note, 60, "the data line")
    assert "file: " in ctrl.state.data_note and "a gap of 16 rows" in ctrl.state.data_note
    assert ctrl.state.n_val > 0 and ctrl.state.error == ""


def test_a_bad_upload_reaches_the_error_line(tab, wait):
    ctrl, view = tab
    upload(view, "words.csv", b"a,b\nx,y\n")
    wait(ctrl, lambda: ctrl.state.error_kind == "data", 60, "the data error")
    assert "no numeric column" in ctrl.state.error


def test_an_unknown_format_or_empty_upload_is_refused_in_the_card(tab):
    ctrl, view = tab
    upload(view, "sheet.xlsx", b"PK..")
    assert "unknown format" in view.message and ctrl.data.source == "synthetic"
    upload(view, "empty.csv", b"")
    assert "empty" in view.message


def test_a_link_cannot_point_at_a_server_file(tab):
    ctrl, _ = tab
    ctrl.data.param.update(source="file", data_path="/etc/passwd")
    assert ctrl.state.error_kind == "settings" and "reads only files uploaded" in ctrl.state.error


def test_a_source_shows_only_its_own_fields(tab):
    ctrl, _ = tab
    Settings(ctrl)
    data = ctrl.data
    data.source = "file"
    show_source_fields(data)
    assert data.param["data_path"].precedence != -1
    assert data.param["n_patterns"].precedence == -1 and data.param["rul_cap"].precedence == -1
    data.source = "synthetic"
    assert all(data.param[n].precedence != -1 for n in SOURCE_FIELDS["synthetic"])
    assert data.param["collection"].precedence == -1


def test_an_upload_over_the_limit_is_refused_and_the_server_limit_carries_the_largest(
        tab, monkeypatch):
    from app.cli import WEBSOCKET_MAX_BYTES, parse_args, serve_argv
    from tsvae_core.sources.files import MAX_FILE_BYTES
    ctrl, view = tab
    monkeypatch.setattr(data_files, "MAX_FILE_BYTES", 100)    # the real limit: 200 MB
    upload(view, "big.csv", csv_bytes())
    assert "allowed: at most 0 MB" in view.message and ctrl.data.source == "synthetic"
    argv = serve_argv(*parse_args([]))
    size = int(argv[argv.index("--websocket-max-message-size") + 1])
    assert size == WEBSOCKET_MAX_BYTES >= MAX_FILE_BYTES * 4 / 3   # base64 of the largest file
