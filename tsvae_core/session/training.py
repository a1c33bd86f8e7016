"""TrainingSession: owns data, model and one daemon thread running ``fit``.

Controls (pause, resume, stop, step, learning rate) are requests to the run's
``RunControl`` (tsvae_core.session.control), which the Keras callback of the same module
honours between batches. The thread only publishes events to the control's sink and
changes its status there; readers drain the sink.

Inspection during training goes through the *snapshot* (tsvae_core.session.snapshot), a
second model of the same architecture that holds the last finished epoch's weights: ``encode``,
``decode``, ``reconstruct`` and ``save`` work from any thread at any time after the first
epoch - while running, paused or after the run ended - without touching the model ``fit``
is updating. Probes (``set_probes``, e.g. the windows of ``tsvae_core.probes.make_probes``)
are encoded after every epoch; ``EpochEnd.probe_latent`` carries their latent points.

Continuing a run: ``TrainingSession(..., initial_model=path_or_model)`` starts from the
weights of a saved ``.keras`` file (or a model, see ``tsvae_core.initial_model``) instead of
a fresh initialisation; the optimizer starts afresh and epochs count from 1 again. A model
loaded from a path is the snapshot from the start (``snapshot_loaded``), so a saved model
can be inspected and probed without training.
"""
from __future__ import annotations

import logging
import threading
import time

import keras
import numpy as np

from .. import events as ev
from ..batches import WindowBatches
from ..config import LATENT_SUBSET_CAP, DataConfig, ModelConfig, TrainConfig, copy_config
from ..config_rules import validate
from ..data import Cancelled, Dataset
from ..device import describe_device, lower_thread_priority, resolve_jit
from ..diagnostics import HealthCheck
from ..initial_model import load_initial
from ..models import BUILD_LOCK, build_model
from ..optimizers import make_optimizer
from ..sources import build_dataset, check_dataset, model_input
from ..sources.spec import window_shape
from .control import RunControl, SessionCallback, StopRun
from .epoch_view import epoch_view
from .snapshot import Snapshot, SnapshotInspection

log = logging.getLogger(__name__)

BATCH_FEED_BYTES = 64 * 2**20  # training windows above this are fed batch by batch



def subset_indices(n_val: int, latent_subset: int) -> np.ndarray:
    """The validation windows whose latent points each epoch shows."""
    size = min(latent_subset or n_val, n_val, LATENT_SUBSET_CAP)
    # Evenly spaced, so the subset is fixed across epochs and spans the shuffled set.
    return np.linspace(0, n_val - 1, size).astype(int)


def validation_count(data: DataConfig, dataset: Dataset | None) -> int | None:
    """Validation windows of a run's data; None while a real source is not read yet."""
    if dataset is not None:
        return len(dataset.x_val)
    return data.n_windows() - data.n_train() if data.is_synthetic() else None


def checked_recon_indices(n_val: int | None, indices) -> np.ndarray:
    """``indices`` as indices of ``n_val`` validation windows; ValueError if out of range.
    ``n_val`` None (a real source not read yet): any index >= 0, clipped once it is read."""
    idx = np.atleast_1d(np.asarray(indices, dtype=int))
    if n_val is None:
        n_val = int(idx.max()) + 1 if idx.size else 0
    if idx.size == 0 or idx.min() < 0 or idx.max() >= n_val:
        raise ValueError(f"recon index {indices!r}: allowed 0..{n_val - 1}")
    return idx


class TrainingSession(SnapshotInspection):
    """One run: data, model, the training thread and its controls; inspection of the last
    finished epoch's weights comes from ``SnapshotInspection``."""

    def __init__(self, data: DataConfig, model: ModelConfig, train: TrainConfig,
                 dataset: Dataset | None = None, initial_model=None):
        """``initial_model``: a ``.keras`` path or a model of the same architecture whose
        weights training starts from (ValueError when its window shape, architecture or
        latent size does not fit the configs)."""
        validate(data, model, train)
        # Own copies: widgets may change the originals while this run goes on.
        self.data, self.model_cfg, self.train = (copy_config(c) for c in (data, model, train))
        self.dataset = dataset
        self.model: keras.Model | None = None
        self.device = "unknown"
        #: The run's flags, status, phase and event sink (the callback's only way in).
        self.control = RunControl()
        #: OS niceness of the training thread (Linux: per thread), set before ``start``;
        #: a server raises it so that its event loop keeps the CPU while runs train.
        self.nice = 0
        self.epoch, self.n_epochs = 0, self.train.epochs
        self.history: list[dict[str, float]] = []
        self.subset: np.ndarray | None = None  # the latent view's windows, once the data exist
        self._recon_indices = np.array([0])
        self._thread: threading.Thread | None = None
        if initial_model is not None and self.dataset is None and not self.data.is_synthetic():
            self._set_dataset(build_dataset(self.data))  # the file's shape, to check the model
        self.snapshot = Snapshot(window_shape(self.data, self.dataset))
        self._initial_weights = None
        if initial_model is not None:
            self._initial_weights, loaded = load_initial(initial_model, self.model_input,
                                                         self.model_cfg)
            if loaded is not None:
                self.snapshot.take(loaded, loaded=True)

    # ---- state (the control's) ----
    @property
    def status(self) -> str:
        return self.control.status

    @property
    def message(self) -> str:
        return self.control.message

    @property
    def phase(self) -> str:
        """What the thread is doing (``RunControl.phase``)."""
        return self.control.phase

    # ---- controls (any thread) ----
    def start(self) -> None:
        with self.control.lock:
            if self._thread is not None:
                raise RuntimeError(f"session already started (status {self.status})")
            self.control.begin()
            self._thread = threading.Thread(target=self._run, name="tsvae-training", daemon=True)
            self._thread.start()

    def pause(self) -> None:
        self.control.request_pause()

    def resume(self) -> None:
        self.control.request_resume()

    def step(self) -> None:
        """Train exactly one more epoch, then pause (from idle: start and do epoch 1)."""
        with self.control.lock:
            self.control.request_step()
            if self._thread is not None:
                return
        self.start()

    def stop(self) -> None:
        self.control.request_stop(started=self._thread is not None)

    def set_learning_rate(self, lr: float) -> None:
        """Applies at the next batch; out of bounds raises param's ValueError (field, range)."""
        self.train.learning_rate = lr
        self.control.request_learning_rate(self.train.learning_rate)

    @property
    def model_input(self):
        """What the models read of the data: the DataConfig, or a real dataset's WindowSpec."""
        return model_input(self.data, self.dataset)

    def _set_dataset(self, ds: Dataset) -> None:
        check_dataset(ds, self.model_cfg, self.train)
        self.dataset = ds

    def n_val(self) -> int | None:
        """Validation windows; None while a real source's data are not read yet."""
        return validation_count(self.data, self.dataset)

    def set_recon_indices(self, indices) -> None:
        self._recon_indices = checked_recon_indices(self.n_val(), indices)

    def close(self) -> None:
        """The owner (a closed tab) is gone: stop; a thread cannot be killed, it ends
        within a batch (a remote run's actor is killed instead)."""
        self.stop()

    # ---- reading (any thread) ----
    def drain(self, max_items: int | None = None, wait: float = 0.0) -> list:
        """The events published so far; with ``wait`` > 0, first waits up to that many
        seconds for one (a remote run's actor answers its proxy's long poll so)."""
        return self.control.drain(max_items, wait)

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ---- the training thread ----
    def _run(self) -> None:
        lower_thread_priority(self.nice)
        c = self.control
        try:
            c.enter("data")
            self.device = describe_device()
            if self.dataset is None:
                self._set_dataset(build_dataset(self.data, should_stop=c.should_stop))
            elif not self.data.is_synthetic():
                check_dataset(self.dataset, self.model_cfg, self.train)
            self.snapshot.window_shape = tuple(self.dataset.x_train.shape[1:])
            c.raise_if_stopped()
            c.enter("build")
            self._build()
            c.raise_if_stopped()  # before the first step's compilation, which is slow
            c.enter("prepare")
            self._fit()
            final = ev.STOPPED if c.should_stop() else ev.FINISHED
            c.end(final, f"{final} after epoch {self.epoch}")
        except (StopRun, Cancelled):
            c.end(ev.STOPPED, f"stopped during epoch {self.epoch + 1}")
        except Exception as exc:  # a run's failure is reported, never raised into a server
            if isinstance(exc, ValueError) and c.phase == "data":
                # bad input (e.g. a file that is no data): one line names it; no traceback
                log.warning("run not started: its data (source=%s %s): %s", self.data.source,
                            self.data.data_path, exc)
            else:
                log.exception("training failed")
            c.fail(f"{type(exc).__name__}: {exc}")
        finally:
            c.phase = "done"

    def _build(self) -> None:
        shape = (None, *self.dataset.x_train.shape[1:])  # (batch, seq_len, channels)
        spec = self.model_input
        self._recon_indices = np.minimum(self._recon_indices, len(self.dataset.x_val) - 1)
        with BUILD_LOCK:
            self.control.raise_if_stopped()  # stopped while another session was building
            # the snapshot first: the trained model then starts from the seed exactly as alone
            snapshot = build_model(spec, self.model_cfg)
            snapshot.build(shape)
            self.control.raise_if_stopped()
            keras.utils.set_random_seed(self.data.seed)
            self.model = build_model(spec, self.model_cfg)
            self.model.compile(optimizer=make_optimizer(self.train),
                               jit_compile=resolve_jit(self.train.jit_compile))
            self.model.build(shape)
        if not self.snapshot.loaded:  # a loaded initial model stays the snapshot
            self.snapshot.take(snapshot)
        if self._initial_weights is not None:  # checked to fit when the session was made
            self.model.set_weights(self._initial_weights)
            self._initial_weights = None
        self.subset = self._subset_indices()
        self.health_check = HealthCheck(self.dataset.x_val)

    def _subset_indices(self) -> np.ndarray:
        return subset_indices(len(self.dataset.x_val), self.train.latent_subset)

    def update_snapshot(self, epoch: int) -> None:
        """Copy the trained model's weights into the snapshot (training thread, epoch end)."""
        self.snapshot.update(self.model.get_weights(), epoch)

    def _fit(self) -> None:
        ds, batch = self.dataset, self.train.batch_size
        train = self.model.training_data(ds.x_train, ds.y_train, ds.start_train)
        val = self.model.validation_data(ds.x_val, ds.y_val, ds.start_val)
        callbacks = [SessionCallback(self, self.control)]
        streamed = self.train.batch_feed == "auto" and ds.x_train.nbytes > BATCH_FEED_BYTES
        if streamed:
            # Large sets: no per-epoch tensor copy of all windows (paper: 2.5 -> 2.0 GB peak).
            self.model.fit(WindowBatches(*train, batch, shuffle=True, seed=self.data.seed),
                           validation_data=WindowBatches(*val, batch, shuffle=False),
                           epochs=self.n_epochs, verbose=0, callbacks=callbacks)
        else:
            # Small sets: Keras' own array pipeline steps faster (quick: 2.8 vs 4.7 s an epoch).
            # A target that is the input goes once (the original's fit(x): one tensor copy).
            train, val = (t[:1] if t[1] is t[0] else t for t in (train, val))
            self.model.fit(*train, batch_size=batch, epochs=self.n_epochs, validation_data=val,
                           shuffle=True, verbose=0, callbacks=callbacks)

    def epoch_event(self, epoch: int, logs: dict, seconds: float, elapsed: float) -> ev.EpochEnd:
        event = epoch_view(self.snapshot, self.model, self.dataset, self.subset,
                           self._recon_indices, epoch, self.n_epochs, logs, seconds, elapsed)
        t0 = time.perf_counter()
        event.health = self.health_check.check(self.model, epoch, event.logs, event.z_mean)
        # the diagnostic is a per-epoch view too: its cost counts in the views' share
        health_s = time.perf_counter() - t0
        event.timings["view:health"] = health_s
        event.timings["views"] = event.timings.get("views", 0.0) + health_s
        return event

    @property
    def family(self) -> type | None:
        """The model family's class: of the trained model, or of a loaded snapshot."""
        model = self.model if self.model is not None else self._snapshot
        return None if model is None else type(model)
