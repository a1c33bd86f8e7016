"""The anomaly card: its plot functions on plain arrays, and its streams fed by a real tiny
run on a labelled series (the synthetic demo is no scored series: tests/core/test_anomaly.py)."""
from __future__ import annotations

import holoviews as hv
import numpy as np
import pytest

from app.cards.anomaly_streams import AnomalyStreams, MAX_DRAWN_ROWS, drawn
from app.cards.anomaly import AnomalyView
from app.tab.controller import Controller
from app.plots import anomaly as ap
from app.server.runs import RunRegistry
from apptools import close_tabs, columns
from tsvae_core.anomaly.scores import AnomalyScores
from tsvae_core.anomaly.series import series_dataset
from tsvae_core.config import config_values
from tsvae_core.session.training import TrainingSession


def scores(n: int = 50) -> AnomalyScores:
    err = np.zeros(n, np.float32)
    err[20:25] = 1.0
    labels = np.zeros(n, int)
    labels[21:26] = 1
    return AnomalyScores(100, err, np.arange(0, n - 9, 2) + 100, np.zeros((n - 8) // 2),
                         0.5, "max", np.array([[120, 125]]), 2, labels, {"roc_auc": 0.9})


def test_plots_draw_their_columns_with_and_without_data():
    data = drawn(scores(), np.random.default_rng(0).random((200, 2)), ["ch0", "time"], 3)
    assert data["truth"].tolist() == [[121, 126]] and data["channel"] == "ch0"
    assert columns(ap.series_with_labels(data))[ap.SERIES_COL] == 50
    assert columns(ap.error_with_threshold(data))[ap.ERROR_COL] == 50
    for draw in (ap.series_with_labels, ap.error_with_threshold):
        assert isinstance(draw(None), hv.Overlay)
    assert "threshold 0.5 (max), 1 ranges" in ap.error_with_threshold(data).opts["title"]


def test_long_series_are_thinned_for_the_browser():
    n = 3 * MAX_DRAWN_ROWS + 5
    a = scores(n)
    data = drawn(a, np.zeros((n + 100, 2)), ["ch0", "time"], 1)
    assert len(data["rows"]) == len(data["error"]) <= MAX_DRAWN_ROWS


def labelled_series(seq_len: int = 16):
    t = np.arange(800)
    x = np.sin(2 * np.pi * t / 8.0)
    x[600:620] += 3.0
    labels = np.zeros(400)
    labels[200:220] = 1
    return series_dataset(x[:400], x[400:], labels, seq_len)


@pytest.fixture
def controller(tiny_configs):
    made = []

    def make(**overrides):
        ctrl = Controller(*tiny_configs(**{"architecture": "autoencoder", **overrides}),
                          tab=f"anomaly{len(made)}", registry=RunRegistry(max_runs=2))
        made.append(ctrl)
        return ctrl, AnomalyStreams(ctrl)

    yield make
    close_tabs(made)


def test_a_series_run_sends_scores_and_metrics_every_epoch(controller, wait):
    ctrl, streams = controller(n_features=1, epochs=2)
    card = AnomalyView(streams).__panel__()
    assert not card.visible  # no series scored yet
    ds = labelled_series()
    # The run on this dataset as the page's data source will make it (issue 11's source
    # field); prepared the way a loaded model's run is.
    ctrl._adopt(TrainingSession(ctrl.data, ctrl.model, ctrl.train, dataset=ds),
                config_values(ctrl.data, ctrl.model, ctrl.train))
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.status == "finished", 120, "the run to finish")
    data = streams.pipe.data
    assert data["epoch"] == 2 and data["rows"][0] == ds.val_row_start
    assert len(data["error"]) == 400 and np.isfinite(data["threshold"])
    assert data["truth"].tolist() == [[600, 620]]
    frame = streams.metrics.data
    assert frame["epoch"].tolist() == [1, 2]
    assert frame[["roc_auc", "pr_auc", "vus_pr", "range_f1"]].notna().all().all()
    assert streams.has_series and streams.has_labels and card.visible
    assert "ROC-AUC" in streams.summary
    # a changed rule goes to the run at once and is announced
    streams.config.rule = "max"
    assert ctrl.session.snapshot.anomaly_config.rule == "max"
    streams.config.percentile = 95.0
    assert streams.summary.count("next epoch") == 1
    ctrl.param.trigger("reset")  # cleared with the other views
    assert streams.pipe.data is None and len(streams.metrics.data) == 0
    assert not streams.has_series
