"""Anomaly scores, thresholds and flagged ranges on hand-made arrays; the continuous-series
dataset's split and scaling; the metrics against labels (aeon)."""
import numpy as np
import pytest

from tsvae_core.anomaly import scores as an
from tsvae_core.anomaly.metrics import NO_AEON, label_metrics
from tsvae_core.anomaly.series import series_dataset


def test_per_step_averages_the_windows_covering_each_row():
    # two windows of 3 rows starting at 0 and 2: row 2 is covered by both
    errors = np.array([[1.0, 2.0, 3.0], [5.0, 6.0, 7.0]])
    steps = an.per_step(errors, np.array([0, 2]), 6)
    np.testing.assert_allclose(steps[:5], [1.0, 2.0, 4.0, 6.0, 7.0])
    assert np.isnan(steps[5])  # no window covers it


def test_window_starts_cover_every_row_within_the_cap():
    starts = an.window_starts(1000, 32, max_windows=100)
    assert len(starts) <= 101 and starts[0] == 0 and starts[-1] == 1000 - 32
    assert np.diff(starts).max() <= 32  # no gap between windows
    assert len(an.window_starts(100, 10, max_windows=1000)) == 91  # stride 1 fits
    with pytest.raises(ValueError, match="shorter than one window"):
        an.window_starts(5, 10, 100)


def test_flagged_ranges_are_runs_above_the_threshold():
    score = np.array([0, 5, 6, 0, 0, 9, np.nan, 7, 7])
    ranges = an.flagged_ranges(score, 4.0, offset=100)
    assert ranges.tolist() == [[101, 103], [105, 106], [107, 109]]
    assert an.flagged_ranges(np.zeros(4), 1.0).shape == (0, 2)


def test_threshold_rules():
    errors = np.arange(1.0, 101.0)
    cfg = an.AnomalyConfig(rule="max")
    assert an.threshold(errors, cfg) == 100.0
    cfg.rule, cfg.percentile = "percentile", 90.0
    assert an.threshold(errors, cfg) == pytest.approx(90.1)
    with pytest.raises(ValueError, match="percentile"):
        cfg.percentile = 101.0  # bounds name the field
    with pytest.raises(ValueError, match="rule"):
        cfg.rule = "median"


def test_tail_rule_fits_an_exponential_tail():
    # exponential errors: the excesses over any level are exponential again (Pareto
    # shape 0), so the error exceeded with probability r is -ln(r) * scale
    rng = np.random.default_rng(0)
    errors = rng.exponential(2.0, 200_000)
    for risk in (1e-3, 1e-4):
        got = an.threshold_tail(errors, risk)
        assert got == pytest.approx(-np.log(risk) * 2.0, rel=0.1)
    assert an.threshold_tail(np.ones(50), 1e-3) == 1.0  # flat: falls back to the maximum
    with pytest.raises(ValueError, match="tail_risk"):
        an.threshold_tail(errors, 0.0)


def test_series_dataset_splits_by_time_and_scales_on_training_rows():
    train = np.linspace(0.0, 1.0, 50)
    test = np.full(40, 3.0)
    ds = series_dataset(train, test, np.r_[np.zeros(30), np.ones(10)], seq_len=8)
    assert ds.val_row_start == 50 and ds.series.shape == (90, 2)
    assert ds.channel_names == ["ch0", "time"]
    assert ds.series[:50, 0].max() == pytest.approx(1.0)
    assert ds.series[50:, 0] == pytest.approx(3.0)  # test values beyond the training range
    assert ds.start_train.max() + 8 <= ds.val_row_start <= ds.start_val.min()
    np.testing.assert_array_equal(ds.x_val[3], ds.series[53:61])
    assert ds.row_anomaly.sum() == 10 and an.has_series(ds)
    with pytest.raises(ValueError, match="seq_len=8"):
        series_dataset(train[:5], test, None, seq_len=8)


def test_score_dataset_flags_the_rows_a_model_cannot_reconstruct():
    # a "model" that reconstructs everything as 0: the error is the value squared, so the
    # raised stretch of the test part is the flagged range
    rng = np.random.default_rng(1)
    train, test = rng.normal(0.0, 0.05, 300), rng.normal(0.0, 0.05, 300)
    test[120:140] += 5.0
    labels = np.zeros(300)
    labels[120:140] = 1
    ds = series_dataset(train, test, labels, seq_len=10)
    ds.series[:, 0] -= ds.series[:300, 0].mean()  # centre, so that normal rows are near 0
    scores = an.score_dataset(np.zeros_like, ds, 10, an.AnomalyConfig(rule="max", scoring="step"))
    assert scores.row_start == 300 and scores.step_error.shape == (300,)
    assert scores.ranges.tolist() == [[420, 440]]
    # per window: every window touching the stretch scores high, so the range is wider
    (start, end), = an.score_dataset(np.zeros_like, ds, 10, an.AnomalyConfig(rule="max")).ranges
    assert 411 <= start <= 420 and 440 <= end <= 449
    if scores.note == NO_AEON:
        pytest.skip(NO_AEON)
    assert scores.metrics["roc_auc"] == pytest.approx(1.0)
    assert scores.metrics["range_f1"] == pytest.approx(1.0)


def test_label_metrics_without_labels_or_with_one_class():
    assert label_metrics(None, np.zeros(5), 0.0) == ({}, "")
    metrics, note = label_metrics(np.zeros(5), np.arange(5.0), 1.0)
    assert metrics == {} and "one class" in note


def test_label_metrics_rank_a_good_score_above_a_random_one():
    pytest.importorskip("aeon")
    labels = np.zeros(400, int)
    labels[200:220] = 1
    good = labels + np.random.default_rng(2).normal(0, 0.3, 400)
    noise = np.random.default_rng(3).normal(0, 1, 400)
    g, _ = label_metrics(labels, good, 0.5)
    r, _ = label_metrics(labels, noise, 0.5)
    assert set(g) == {"roc_auc", "pr_auc", "range_pr_auc", "vus_pr", "range_f1"}
    for key in g:
        assert g[key] > r[key], key
    few, note = label_metrics(labels, good, 0.5, vus_max_rows=100)  # bounded per epoch
    assert "vus_pr" not in few and "400 rows" in note and few["roc_auc"] == g["roc_auc"]


def test_without_aeon_the_scores_work_and_the_metrics_say_what_to_install(monkeypatch):
    import sys
    for name in ("aeon", "aeon.benchmarking", "aeon.benchmarking.metrics",
                 "aeon.benchmarking.metrics.anomaly_detection"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    labels = np.zeros(100)
    labels[40:50] = 1
    assert label_metrics(labels, labels.copy(), 0.5) == ({}, NO_AEON)
    ds = series_dataset(np.zeros(60), labels, labels, seq_len=8)
    scores = an.score_dataset(np.zeros_like, ds, 8, an.AnomalyConfig(rule="max"))
    assert scores.note == NO_AEON and scores.metrics == {}
    assert scores.ranges.tolist() == [[93, 117]]  # window scoring: 7 rows either side


def test_the_synthetic_demo_is_not_a_scored_series():
    from tsvae_core.data import generate
    from .tiny import tiny_configs
    assert not an.has_series(generate(tiny_configs()[0])) and not an.has_series(None)


def test_a_series_that_cannot_be_scored_leaves_the_epoch_without_scores(caplog):
    from types import SimpleNamespace

    from tsvae_core.session.epoch_view import anomaly_scores
    ds = series_dataset(np.zeros(60), np.zeros(40), None, seq_len=8)
    ds.series = ds.series[:64]  # a validation part of 4 rows: shorter than a window
    model = SimpleNamespace(reconstruct=np.zeros_like)
    assert anomaly_scores(model, ds, 8, an.AnomalyConfig()) is None
    assert "shorter than one window" in caplog.text
