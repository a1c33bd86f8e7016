"""The Data card's upload: the file is saved and read off the event loop, the page says
which split it used, bad files reach the error line, links cannot name server files."""
from __future__ import annotations

import numpy as np
import pytest

from app.server import data_files
from app.cards.settings import Settings, show_source_fields
from app.cards.source import SourceView
from app.tab.controller import Controller
from app.server.runs import RunRegistry
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
    assert "Uploaded mine.csv" in view.message
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
    from app.server.cli import WEBSOCKET_MAX_BYTES, parse_args, serve_argv
    from tsvae_core.sources.files import MAX_FILE_BYTES
    ctrl, view = tab
    monkeypatch.setattr(data_files, "MAX_FILE_BYTES", 100)    # the real limit: 200 MB
    upload(view, "big.csv", csv_bytes())
    assert "allowed: at most 0 MB" in view.message and ctrl.data.source == "synthetic"
    argv = serve_argv(*parse_args([]))
    size = int(argv[argv.index("--websocket-max-message-size") + 1])
    assert size == WEBSOCKET_MAX_BYTES >= MAX_FILE_BYTES * 4 / 3   # base64 of the largest file


def bad_files() -> dict[str, bytes]:
    """Issue 22 item 4's uploads: text in a numeric column, a run of NaN and of inf, one
    row, an array of the wrong rank."""
    import io
    rows = [f"{np.sin(i / 4):.4f},{np.cos(i / 7):.4f}" for i in range(300)]
    text = rows.copy()
    text[120] = "0.5,oops"
    nan = rows.copy()
    nan[100:130] = ["nan,1"] * 30
    inf = rows.copy()
    inf[200:240] = ["inf,1"] * 40
    cube = io.BytesIO()
    np.save(cube, np.zeros((40, 3, 2)))
    csv = lambda lines: ("a,b\n" + "\n".join(lines) + "\n").encode()  # noqa: E731
    return {"text.csv": csv(text), "nan.csv": csv(nan), "inf.csv": csv(inf),
            "one.csv": b"a,b\n1,2\n", "cube.npy": cube.getvalue()}


def test_a_bad_upload_is_named_in_one_log_line_and_the_data_line_and_start_waits(
        tab, wait, caplog):
    """Issue 22 item 4: each bad file was logged with a full traceback, the data line kept
    describing the synthetic data and Start stayed enabled as if the file were in use."""
    ctrl, view = tab
    st = ctrl.state
    wait(ctrl, lambda: st.data_note.startswith("synthetic"), 60, "the synthetic data line")
    for name, content in bad_files().items():
        caplog.clear()
        with caplog.at_level("INFO"):
            upload(view, name, content)
            wait(ctrl, lambda: "was not loaded" in st.data_note, 60, f"the data line of {name}")
        assert st.data_note.startswith(f"{name} was not loaded: ") and st.error_kind == "data"
        assert "Start is off until another file is uploaded" in st.data_note
        assert not st.can_start and not st.can_step and st.can_reset
        ctrl.param.trigger("start")  # a click that reached the server anyway: nothing runs
        assert ctrl.session is None
        logged = [r for r in caplog.records if r.name.startswith(("app", "tsvae_core"))
                  and r.levelname in ("WARNING", "ERROR")]
        assert len(logged) == 1 and logged[0].levelname == "WARNING", logged
        assert name in logged[0].getMessage() and logged[0].exc_info is None
        assert "\n" not in logged[0].getMessage()
    upload(view, "mine.csv", csv_bytes())   # another file: Start comes back
    wait(ctrl, lambda: "time split" in st.data_note, 60, "the good file's data line")
    assert st.can_start and st.error == ""
    upload(view, "one.csv", b"a,b\n1,2\n")
    wait(ctrl, lambda: not st.can_start, 60, "Start off again")
    ctrl.data.source = "synthetic"          # Source set back: its data, and Start
    wait(ctrl, lambda: st.data_note.startswith("synthetic") and st.can_start, 60,
         "the synthetic data and Start")
