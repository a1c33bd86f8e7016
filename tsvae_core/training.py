"""TrainingSession: owns data, model and one daemon thread running ``fit``.

Controls (pause, resume, stop, step, learning rate) are thread-safe flags that the
Keras callback in the training thread reads between batches. The thread only writes to
its event queue and to its own status; readers drain the queue.
"""
from __future__ import annotations

import logging
import math
import queue
import threading
import time

import keras
import numpy as np

from . import events as ev
from .batches import WindowBatches
from .config import LATENT_SUBSET_CAP, DataConfig, ModelConfig, TrainConfig, validate
from .data import Dataset, generate
from .device import describe_device
from .metrics import knn_accuracy, silhouette
from .models import build_model
from .optimizers import make_optimizer

log = logging.getLogger(__name__)

# Keras seeds are process-global: builds of concurrent sessions take turns.
_BUILD_LOCK = threading.Lock()
BATCH_EVENT_INTERVAL_S = 0.1
BATCH_FEED_BYTES = 64 * 2**20  # training windows above this are fed batch by batch  # at most ~10 progress events a second reach the queue


class _StopRun(Exception):
    """Raised inside fit to leave it at once (Keras would still run validation)."""


class TrainingSession:
    def __init__(self, data: DataConfig, model: ModelConfig, train: TrainConfig,
                 dataset: Dataset | None = None):
        validate(data, model, train)
        # Own copies: widgets may change the originals while this run goes on.
        self.data = DataConfig(**_values(data))
        self.model_cfg = ModelConfig(**_values(model))
        self.train = TrainConfig(**_values(train))
        self.dataset = dataset
        self.model: keras.Model | None = None
        self.device = "unknown"
        self.status, self.message = ev.IDLE, ""
        self.epoch, self.n_epochs = 0, self.train.epochs
        self.history: list[dict[str, float]] = []
        self._events: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._go = threading.Event()         # set while training may proceed
        self._stop = threading.Event()
        self._pause_after_epoch = False
        self._pending_lr: float | None = None
        self._recon_indices = np.array([0])
        self._thread: threading.Thread | None = None

    # ---- controls (any thread) ----
    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                raise RuntimeError(f"session already started (status {self.status})")
            self._go.set()
            self._set_status(ev.RUNNING)
            self._thread = threading.Thread(target=self._run, name="tsvae-training", daemon=True)
            self._thread.start()

    def pause(self) -> None:
        with self._lock:
            if self.status == ev.RUNNING:
                self._go.clear()
                self._set_status(ev.PAUSED)

    def resume(self) -> None:
        with self._lock:
            if self.status == ev.PAUSED:
                self._pause_after_epoch = False
                self._set_status(ev.RUNNING)
                self._go.set()

    def step(self) -> None:
        """Train exactly one more epoch, then pause (from idle: start and do epoch 1)."""
        with self._lock:
            self._pause_after_epoch = True
            if self._thread is not None:
                if self.status == ev.PAUSED:
                    self._set_status(ev.RUNNING)
                    self._go.set()
                return
        self.start()

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            self._go.set()  # wake a paused thread so it can leave
            if self._thread is None and self.status == ev.IDLE:
                self._set_status(ev.STOPPED)

    def set_learning_rate(self, lr: float) -> None:
        """Applies at the next batch; out of bounds raises param's ValueError (field, range)."""
        self.train.learning_rate = lr
        self._pending_lr = float(self.train.learning_rate)

    def set_recon_indices(self, indices) -> None:
        idx = np.atleast_1d(np.asarray(indices, dtype=int))
        n_val = self.data.n_windows() - self.data.n_train()
        if idx.size == 0 or idx.min() < 0 or idx.max() >= n_val:
            raise ValueError(f"recon index {indices!r}: allowed 0..{n_val - 1}")
        self._recon_indices = idx

    def reconstruct(self, indices) -> tuple[np.ndarray, np.ndarray]:
        """(inputs, outputs) for validation windows; only while the thread is not running."""
        if self.status in (ev.RUNNING,) or self.model is None:
            raise RuntimeError("reconstruct needs a built model that is not training")
        x = self.dataset.x_val[np.atleast_1d(indices)]
        return x, self.model.reconstruct(x)

    # ---- reading (any thread) ----
    def drain(self, max_items: int | None = None) -> list:
        out = []
        while max_items is None or len(out) < max_items:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                break
        return out

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ---- the training thread ----
    def _set_status(self, status: str, message: str = "") -> None:
        self.status, self.message = status, message
        self._events.put(ev.StatusChanged(status, message))

    def _run(self) -> None:
        try:
            self.device = describe_device()
            if self.dataset is None:
                self.dataset = generate(self.data)
            self._raise_if_stopped()
            self._build()
            self._raise_if_stopped()  # before the first step's compilation, which is slow
            self._fit()
            final = ev.STOPPED if self._stop.is_set() else ev.FINISHED
            with self._lock:
                if self.status != ev.FAILED:
                    self._set_status(final, f"{final} after epoch {self.epoch}")
        except _StopRun:
            with self._lock:
                if self.status != ev.FAILED:
                    self._set_status(ev.STOPPED, f"stopped during epoch {self.epoch + 1}")
        except Exception as exc:  # a run's failure is reported, never raised into a server
            log.exception("training failed")
            with self._lock:
                self._set_status(ev.FAILED, f"{type(exc).__name__}: {exc}")

    def _raise_if_stopped(self) -> None:
        if self._stop.is_set():
            raise _StopRun()

    def _build(self) -> None:
        with _BUILD_LOCK:
            keras.utils.set_random_seed(self.data.seed)
            self.model = build_model(self.data, self.model_cfg)
            self.model.compile(optimizer=make_optimizer(self.train),
                               jit_compile=resolve_jit(self.train.jit_compile))
            self.model.build((None, self.data.seq_len, self.data.n_features + 1))
        n_val = len(self.dataset.x_val)
        size = min(self.train.latent_subset or n_val, n_val, LATENT_SUBSET_CAP)
        # Evenly spaced, so the subset is fixed across epochs and spans the shuffled set.
        self.subset = np.linspace(0, n_val - 1, size).astype(int)

    def _fit(self) -> None:
        ds, batch = self.dataset, self.train.batch_size
        train = self.model.training_data(ds.x_train, ds.y_train, ds.start_train)
        val = self.model.training_data(ds.x_val, ds.y_val, ds.start_val)
        callbacks = [_SessionCallback(self)]
        if ds.x_train.nbytes > BATCH_FEED_BYTES:
            # Large sets: no per-epoch tensor copy of all windows (paper: 2.5 -> 2.0 GB peak).
            self.model.fit(WindowBatches(*train, batch, shuffle=True, seed=self.data.seed),
                           validation_data=WindowBatches(*val, batch, shuffle=False),
                           epochs=self.n_epochs, verbose=0, callbacks=callbacks)
        else:
            # Small sets: Keras' own array pipeline steps faster (quick: 2.8 vs 4.7 s an epoch).
            self.model.fit(*train, batch_size=batch, epochs=self.n_epochs, validation_data=val,
                           shuffle=True, verbose=0, callbacks=callbacks)

    def epoch_event(self, epoch: int, logs: dict, seconds: float, elapsed: float) -> ev.EpochEnd:
        ds = self.dataset
        x_sub, labels = ds.x_val[self.subset], ds.y_val[self.subset]
        z = self.model.latent(x_sub)                    # (n_subset, latent_dim)
        idx = self._recon_indices
        recon_in = ds.x_val[idx]
        recon_out = self.model.reconstruct(recon_in)    # (k, seq_len, channels)
        starts = ds.start_val[self.subset]
        extras = self.model.epoch_extras(x_sub, labels, starts)
        logs = {k: float(v) for k, v in logs.items()}
        knn = knn_accuracy(z, labels, starts=starts, seq_len=self.data.seq_len)
        return ev.EpochEnd(epoch, self.n_epochs, logs, z, labels, idx.copy(), recon_in,
                           recon_out, seconds, knn, silhouette(z, labels), elapsed, extras)


class _SessionCallback(keras.callbacks.Callback):
    """Runs in the training thread: honours the session's flags, publishes events."""

    def __init__(self, session: TrainingSession):
        super().__init__()
        self.s = session
        self.active_s = 0.0          # training time, pauses excluded
        self._last_event = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_t0 = time.perf_counter()
        self.epoch_paused = 0.0
        self.samples = 0

    def on_train_batch_begin(self, batch, logs=None):
        self.s._raise_if_stopped()
        lr = self.s._pending_lr
        if lr is not None:
            self.s._pending_lr = None
            if hasattr(self.model, "jax_state_sync"):
                self.model.jax_state_sync()  # jax keeps variables functional during fit
            self.model.optimizer.learning_rate.assign(lr)

    def on_train_batch_end(self, batch, logs=None):
        s = self.s
        loss = float((logs or {}).get("loss", 0.0))
        if not math.isfinite(loss):
            self._fail_non_finite(loss, batch)
        n_batches = self.params.get("steps") or 1
        self.samples += s.train.batch_size
        now = time.perf_counter()
        if now - self._last_event >= BATCH_EVENT_INTERVAL_S or batch + 1 == n_batches:
            self._last_event = now
            run_s = now - self.epoch_t0 - self.epoch_paused
            s._events.put(ev.BatchProgress(s.epoch + 1, batch + 1, n_batches,
                                           self.samples / max(run_s, 1e-9), loss,
                                           self.active_s + run_s))
        self._wait_if_paused()

    def on_epoch_end(self, epoch, logs=None):
        s = self.s
        seconds = time.perf_counter() - self.epoch_t0 - self.epoch_paused
        self.active_s += seconds
        s.epoch = epoch + 1
        s.history.append({k: float(v) for k, v in (logs or {}).items()})
        s._events.put(s.epoch_event(epoch + 1, logs or {}, seconds, self.active_s))
        with s._lock:
            if s._pause_after_epoch and s.status == ev.RUNNING and s.epoch < s.n_epochs:
                s._pause_after_epoch = False
                s._go.clear()
                s._set_status(ev.PAUSED, f"paused after epoch {s.epoch} (step)")
        self._wait_if_paused()

    def _wait_if_paused(self) -> None:
        s = self.s
        t0 = time.perf_counter()
        while not s._go.wait(0.05):
            pass
        self.epoch_paused += time.perf_counter() - t0
        if s._stop.is_set():
            raise _StopRun()

    def _fail_non_finite(self, loss: float, batch: int) -> None:
        s = self.s
        msg = (f"loss became {loss} at epoch {s.epoch + 1}, batch {batch + 1} "
               f"(optimizer {s.train.optimizer}, learning rate {s.train.learning_rate:g}). "
               f"Try a learning rate 10x smaller, a smaller beta, or another optimizer.")
        with s._lock:
            s._set_status(ev.FAILED, msg)
        raise _StopRun()


def resolve_jit(choice: str):
    """jit_compile for Keras: "on"/"off", or "auto" for Keras' own choice (XLA on GPUs
    where the layers allow it, off on CPUs). On a 2-core CPU XLA measured slower for the
    paper model (465 vs 335 ms a step) but faster for the quick preset (2.8 vs 4.3 s an
    epoch), so the quick preset asks for it; see benchmarks/bench_step.py."""
    if choice == "on" and keras.backend.backend() == "torch":
        return False  # torch.compile is a different tool with long compiles: stay eager
    return {"on": True, "off": False}.get(choice, "auto")


def _values(cfg) -> dict:
    return {k: v for k, v in cfg.param.values().items() if k != "name"}
