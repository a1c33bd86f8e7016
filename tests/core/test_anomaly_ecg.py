"""A small autoencoder trained a few epochs on GutenTAG's ECG (aeon's ecg-diff-count-3)
finds its labelled anomalies: the per-epoch scores of the session, not a picture."""
import numpy as np
import pytest

from tsvae_core import events as ev
from tsvae_core.anomaly.scores import AnomalyConfig
from tsvae_core.session.training import TrainingSession

from .tiny import tiny_configs

pytest.importorskip("aeon")
SEQ_LEN = 40  # two heartbeats of 20 rows


@pytest.fixture(scope="module")
def ecg_epochs():
    from tsvae_core.anomaly.series import ecg_diff_count_3
    # stride 1: every phase of the 20-row beat in training. At stride 4 the model saw 5
    # phases only and the others scored as anomalies (ROC-AUC 0.57 against 0.997)
    ds = ecg_diff_count_3(SEQ_LEN, stride=1)
    data, model, train = tiny_configs(
        seq_len=SEQ_LEN, n_features=1, architecture="autoencoder", output_activation="linear",
        hidden_units=128, latent_dim=16, batch_size=64, learning_rate=2e-3, epochs=3)
    s = TrainingSession(data, model, train, dataset=ds)
    s.set_anomaly_config(AnomalyConfig(rule="tail", max_windows=300))  # bounded per epoch
    s.start()
    s.join(300)
    assert s.status == ev.FINISHED, s.message
    return ds, [e for e in s.drain() if isinstance(e, ev.EpochEnd)]


@pytest.mark.slow
def test_every_epoch_scores_the_test_series(ecg_epochs):
    ds, epochs = ecg_epochs
    assert len(epochs) == 3
    for e in epochs:
        a = e.anomaly
        assert a.row_start == ds.val_row_start == 10_000
        assert a.step_error.shape == (10_000,) and np.isfinite(a.step_error).all()
        assert a.stride == 34 and len(a.window_start) <= 301  # 300 windows + the last and np.isfinite(a.threshold)
        assert set(a.metrics) == {"roc_auc", "pr_auc", "range_pr_auc", "vus_pr", "range_f1"}


@pytest.mark.slow
def test_the_labelled_ranges_are_found(ecg_epochs):
    ds, epochs = ecg_epochs
    a = epochs[-1].anomaly
    print({k: round(v, 3) for k, v in a.metrics.items()}, a.ranges.tolist())
    # measured: ROC-AUC 0.996, VUS-PR 0.94 (chance: 0.5 and about 0.03-0.05)
    assert a.metrics["roc_auc"] >= 0.9
    assert a.metrics["vus_pr"] >= 0.7
    truth = ds.row_anomaly[a.row_start:]
    starts = np.flatnonzero(np.diff(np.r_[0, truth]) == 1)  # the three labelled ranges
    ends = np.flatnonzero(np.diff(np.r_[truth, 0]) == -1) + 1
    hit = [any(s < e1 + a.row_start and e > s1 + a.row_start for s, e in a.ranges)
           for s1, e1 in zip(starts, ends)]
    assert len(hit) == 3 and sum(hit) >= 2, (hit, a.ranges.tolist())
