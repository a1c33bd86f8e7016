"""Events a TrainingSession publishes: plain dataclasses of numbers and numpy arrays.

The training thread creates them and publishes them to its run's sink
(``tsvae_core.session.control.RunControl``); whoever drains it (the dashboard, the
command line, a test) owns them from then on.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

# Session states, in the order a run usually goes through them.
IDLE, RUNNING, PAUSED, STOPPED, FINISHED, FAILED = (
    "idle", "running", "paused", "stopped", "finished", "failed")
STATES = (IDLE, RUNNING, PAUSED, STOPPED, FINISHED, FAILED)
ENDED = (STOPPED, FINISHED, FAILED)


@dataclass
class StatusChanged:
    status: str
    message: str = ""


@dataclass
class BatchProgress:
    epoch: int            # 1-based epoch being trained
    batch: int            # 1-based batch just finished
    n_batches: int        # batches per epoch
    samples_per_s: float  # throughput over the epoch so far
    loss: float           # running mean of the training loss this epoch
    elapsed_s: float      # seconds since the run started (pauses excluded)


@dataclass
class EpochEnd:
    epoch: int                   # 1-based epoch just finished
    n_epochs: int
    logs: dict[str, float]       # loss, reconstruction_loss, kl_loss and their val_ twins
    z_mean: np.ndarray           # (n_subset, latent_dim) latent means of the validation subset
    labels: np.ndarray           # (n_subset,) pattern ids of that subset, -1 for noise
    recon_indices: np.ndarray    # (k,) validation indices of the reconstructed windows
    recon_inputs: np.ndarray     # (k, seq_len, channels) those windows
    recon_outputs: np.ndarray    # (k, seq_len, channels) their reconstructions
    epoch_seconds: float
    knn_accuracy: float          # NaN when the subset has too few labelled windows
    silhouette: float            # NaN likewise
    elapsed_s: float
    extras: dict[str, np.ndarray] = field(default_factory=dict)  # family-specific views
    wall_time: float = field(default_factory=time.time)  # when the event was made (epoch s)
    # probe name -> its latent point (latent,), or points (n, latent) for a stack of windows;
    # empty unless TrainingSession.set_probes gave some
    probe_latent: dict[str, np.ndarray] = field(default_factory=dict)
    # the series' anomaly scores (tsvae_core.anomaly.scores.AnomalyScores) for datasets that are
    # one continuous series; None for the synthetic demo's shuffled windows
    anomaly: object | None = None
    # the dead-start diagnostic (tsvae_core.diagnostics.Health); None where not computed
    health: object | None = None
    # where the epoch's time went, in seconds: "steps" (training batches, data feeding
    # included), "validation", and "views" (everything this event carries, computed after
    # validation) with one "view:NAME" entry a view; empty where nobody measured
    timings: dict[str, float] = field(default_factory=dict)
