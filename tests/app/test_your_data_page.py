"""Issue 23 on the page's side, with a real tiny run each: an anomaly file's per-row scores
download from the Anomalies card, and a train/test pair's 1-NN line in the Data card."""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from app.cards.anomaly_streams import AnomalyStreams
from app.cards.source import SourceView
from app.tab.controller import Controller
from app.server.runs import RunRegistry
from apptools import close_tabs


@pytest.fixture
def controller(tiny_configs):
    made = []

    def make(**overrides):
        ctrl = Controller(*tiny_configs(**{"architecture": "dense_vae", **overrides}),
                          tab=f"yourdata{len(made)}", registry=RunRegistry(max_runs=2))
        made.append(ctrl)
        return ctrl

    yield make
    close_tabs(made)


@pytest.fixture(autouse=True)
def readable(tmp_path, monkeypatch):
    """The page reads only uploads and files under TSVAE_DATA_DIRS: tmp_path is one."""
    monkeypatch.setenv("TSVAE_DATA_DIRS", str(tmp_path))


def test_an_anomaly_files_scores_download_with_a_line_a_row(controller, wait, tmp_path):
    t = np.arange(500)
    v, lab = np.sin(2 * np.pi * t / 16), np.zeros(500, int)
    v[400:404], lab[400:404] = 3.0, 1
    path = tmp_path / "mine.csv"
    pd.DataFrame({"v": v, "bad": lab}).to_csv(path, index=False)
    ctrl = controller(source="file", data_path=str(path), anomaly_column="bad", epochs=2)
    streams = AnomalyStreams(ctrl)
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.status == "finished", 120, "the run to finish")
    assert streams.has_labels and "from row 0" in streams.summary and "VUS-PR" in streams.summary
    rows = list(csv.DictReader(io.StringIO(streams.scores_file().read().decode())))
    assert len(rows) == 500 and [int(r["row"]) for r in rows] == list(range(500))
    assert [int(r["label"]) for r in rows[400:404]] == [1, 1, 1, 1]
    assert {r["flagged"] for r in rows} <= {"0", "1"}


def test_a_train_test_pair_shows_latent_and_euclidean_1nn(controller, wait, tmp_path):
    rng = np.random.default_rng(0)
    parts = []
    for part, n in (("train", 12), ("test", 9)):
        for i in range(n):
            c = i % 3
            y = [np.sin(np.linspace(0, 6, 16)), np.linspace(-1, 1, 16), np.ones(16)][c]
            parts.append(pd.DataFrame({"id": f"{part}{i}", "cls": "abc"[c], "part": part,
                                       "x": y + 0.05 * rng.standard_normal(16)}))
    path = tmp_path / "pair.csv"
    pd.concat(parts).to_csv(path, index=False)
    ctrl = controller(source="file", data_path=str(path), split_column="part",
                      instance_column="id", label_column="cls", value_columns="x", epochs=2,
                      batch_size=4)
    view = SourceView(ctrl)
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.status == "finished", 120, "the run to finish")
    assert "test part: latent 1-NN" in view.nearest and "1-NN Euclidean" in view.nearest
    assert "12 training, 9 test windows" in view.nearest


def test_the_page_reads_no_test_file_outside_its_uploads(tmp_path, monkeypatch):
    """test_path is a path like data_path: a link cannot make the server read any file."""
    from app.server.data_files import path_problem
    from tsvae_core.config import DataConfig
    monkeypatch.setenv("TSVAE_DATA_DIRS", str(tmp_path / "mine"))
    inside = str(tmp_path / "mine" / "a.csv")
    cfg = DataConfig(source="file", data_path=inside, test_path="/etc/passwd")
    assert "DataConfig.test_path='/etc/passwd'" in path_problem(cfg)
    cfg.test_path = str(tmp_path / "mine" / "b.csv")
    assert path_problem(cfg) == ""
