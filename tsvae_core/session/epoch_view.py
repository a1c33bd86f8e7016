"""What a model makes of the validation data after an epoch: the ``EpochEnd`` event
(tsvae_core.events) a session publishes.

``epoch_view`` computes each view of it - the subset's latent points and the family's
extras (one encoder pass), the reconstructions shown, the latent metrics
(tsvae_core.metrics: k-NN accuracy, silhouette), the probes' latent points and the
series' anomaly scores (tsvae_core.anomaly.scores) - and times each one (``ViewClock``), so
``EpochEnd.timings`` says where an epoch's view time went. The training thread calls it
with the trained model; a loaded model's epoch 0 with the snapshot's.
"""
from __future__ import annotations

import logging
import time

import numpy as np

from .. import events as ev
from ..anomaly.scores import AnomalyConfig, has_series, score_dataset
from ..data import Dataset
from ..metrics import knn_accuracy, silhouette

log = logging.getLogger(__name__)


def anomaly_scores(model, ds: Dataset, seq_len: int, config: AnomalyConfig):
    """The series' anomaly scores (``tsvae_core.anomaly.scores``), or None for data that are not
    one continuous series, or that cannot be scored (logged: a scoring problem must not
    end the run)."""
    if not has_series(ds):
        return None
    try:
        return score_dataset(model.reconstruct, ds, seq_len, config)
    except ValueError as exc:
        log.warning("anomaly scores left out: %s", exc)
        return None


def epoch_view(snapshot, model, ds: Dataset, subset: np.ndarray, recon_indices: np.ndarray,
               epoch: int, n_epochs: int, logs: dict, seconds: float,
               elapsed: float) -> ev.EpochEnd:
    """``model``'s latent points, reconstructions, family extras and metrics on the
    validation ``subset``, with the probes' latent points and anomaly scores, as an
    ``EpochEnd`` whose ``timings`` say what each view cost ("view:NAME" and their sum,
    "views"). ``snapshot`` (tsvae_core.session.snapshot.Snapshot) gives the window shape,
    the probes and the anomaly settings."""
    clock = ViewClock()
    seq_len = snapshot.window_shape[0]
    x_sub, labels = ds.x_val[subset], ds.y_val[subset]
    starts = ds.start_val[subset]
    # (n_subset, latent_dim) points and the family's extras, from one encoder pass
    z, extras = clock.lap("latent", model.epoch_views, x_sub, labels, starts)
    recon_in = ds.x_val[recon_indices]
    recon_out = clock.lap("reconstructions", model.reconstruct, recon_in)
    knn = clock.lap("knn", knn_accuracy, z, labels, starts=starts, seq_len=seq_len)
    sil = clock.lap("silhouette", silhouette, z, labels)
    probes = clock.lap("probes", snapshot.probe_latent, model)
    anomaly = clock.lap("anomaly", anomaly_scores, model, ds, seq_len, snapshot.anomaly_config)
    logs = {k: float(v) for k, v in logs.items()}
    return ev.EpochEnd(epoch, n_epochs, logs, z, labels, recon_indices.copy(), recon_in,
                       recon_out, seconds, knn, sil, elapsed, extras,
                       probe_latent=probes, anomaly=anomaly, timings=clock.timings())


class ViewClock:
    """Seconds each per-epoch view took (``lap``), for ``EpochEnd.timings``."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def lap(self, name: str, fn, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.seconds[f"view:{name}"] = time.perf_counter() - t0

    def timings(self) -> dict[str, float]:
        return {**self.seconds, "views": sum(self.seconds.values())}
