"""TrainingSession: owns data, model and one daemon thread running ``fit``.

Controls (pause, resume, stop, step, learning rate) are thread-safe flags that the
Keras callback in the training thread reads between batches. The thread only writes to
its event queue and to its own status; readers drain the queue.

Inspection during training: a second model of the same architecture, the *snapshot*, is
built once next to the trained one. At the end of every epoch the training thread copies
the weights into it (under a lock), before it builds the ``EpochEnd``. ``encode``,
``decode``, ``reconstruct`` and ``save`` use the snapshot under the same lock, so any
thread may call them at any time after the first epoch - while running, paused or after
the run ended - and they see the weights of the last finished epoch (``snapshot_epoch``)
without touching the model ``fit`` is updating.

Probes (``set_probes``, e.g. the windows of ``tsvae_core.probes.make_probes``) are encoded
by the training thread after every epoch, in one small batch; ``EpochEnd.probe_latent``
carries their latent points.

Continuing a run: ``TrainingSession(..., initial_model=path_or_model)`` starts from the
weights of a saved ``.keras`` file (or a model) instead of a fresh initialisation; the
optimizer starts afresh and epochs count from 1 again. A model loaded from a path is the
snapshot from the start (``snapshot_loaded``), so encode, decode, reconstruct and save
work on it before any epoch - a saved model can be probed without training.
"""
from __future__ import annotations

import logging
import math
import os
import queue
import threading
import time

import keras
import numpy as np

from . import events as ev
from .batches import WindowBatches
from .config import LATENT_SUBSET_CAP, DataConfig, ModelConfig, TrainConfig, copy_config, validate
from .data import Cancelled, Dataset, generate
from .device import describe_device
from .metrics import knn_accuracy, silhouette
from .models import build_model
from .optimizers import make_optimizer

log = logging.getLogger(__name__)

# Keras seeds are process-global: builds of concurrent sessions take turns.
_BUILD_LOCK = threading.Lock()
BATCH_EVENT_INTERVAL_S = 0.1
BATCH_FEED_BYTES = 64 * 2**20  # training windows above this are fed batch by batch  # at most ~10 progress events a second reach the queue


#: What a running session says (``StatusChanged.message``) in each ``phase``.
PHASE_MESSAGES = {"data": "building the data", "build": "building the model",
                  "prepare": "preparing the batches",
                  "compile": "compiling the training step (first batch only)",
                  "train": "training"}


class _StopRun(Exception):
    """Raised inside fit to leave it at once (Keras would still run validation)."""


class TrainingSession:
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
        self.status, self.message = ev.IDLE, ""
        #: What the thread is doing: "" (not started), "data", "build", "prepare" (fit
        #: converts the data), "compile" (the first step traces and compiles the graph;
        #: it cannot be interrupted), "train", "done".
        self.phase = ""
        #: OS niceness of the training thread (Linux: per thread), set before ``start``;
        #: a server raises it so that its event loop keeps the CPU while runs train.
        self.nice = 0
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
        self._snapshot: keras.Model | None = None  # weights of the last finished epoch
        self._snapshot_lock = threading.Lock()
        self.snapshot_epoch = 0                     # 0: no epoch finished yet
        #: True when the snapshot is the initial model: encode, decode, reconstruct and
        #: save work at once, before any epoch (e.g. to probe a loaded model).
        self.snapshot_loaded = False
        self._probes: tuple[list[str], np.ndarray, list[int | None]] | None = None
        self._initial_weights = (None if initial_model is None
                                 else self._initial_weights_from(initial_model))

    @property
    def snapshot_ready(self) -> bool:
        """Whether encode/decode/reconstruct/save have weights to use: a finished epoch's
        or the initial model's."""
        return self._snapshot is not None and bool(self.snapshot_epoch or self.snapshot_loaded)

    def _initial_weights_from(self, source) -> list[np.ndarray]:
        """Weights of ``source`` (path or model) after checking it fits the configs; a
        model loaded from a path also becomes the snapshot (it is ours alone)."""
        loaded = isinstance(source, (str, os.PathLike))
        if loaded:
            source = keras.saving.load_model(source, compile=False)
        expected = (self.data.seq_len, self.data.n_features + 1)
        got = tuple(source.encoder.input_shape[1:])
        if got != expected:
            raise ValueError(f"initial_model takes windows of (seq_len, channels) = {got}, but "
                             f"DataConfig gives seq_len={self.data.seq_len}, n_features="
                             f"{self.data.n_features} -> {expected}; allowed: the same shape")
        arch = self.model_cfg.architecture
        if source.name != arch:
            raise ValueError(f"ModelConfig.architecture={arch!r}: the initial model is a "
                             f"{source.name!r}; allowed: {source.name!r}")
        width = int(source.encoder.outputs[0].shape[-1])
        if width != self.model_cfg.latent_dim:
            raise ValueError(f"ModelConfig.latent_dim={self.model_cfg.latent_dim}: the initial "
                             f"model's latent size is {width}; allowed: {width}")
        self._check_weight_shapes(source)
        if loaded:
            self._snapshot, self.snapshot_loaded = source, True
        return [np.array(w) for w in source.get_weights()]

    def _check_weight_shapes(self, source) -> None:
        """The settings' model must have the file's weight shapes (filters, units, backbone,
        time_bypass...): checked now, so a mismatch is reported at load, not at Start."""
        with _BUILD_LOCK:
            probe = build_model(self.data, self.model_cfg)
            probe.build((None, self.data.seq_len, self.data.n_features + 1))
        mine = [tuple(w.shape) for w in probe.weights]
        theirs = [tuple(w.shape) for w in source.weights]
        kinds, their_kinds = _layer_kinds(probe), _layer_kinds(source)
        for name, kind in kinds.items():  # same shapes, other layers (e.g. attention_gate)
            if their_kinds.get(name, kind) != kind:
                raise ValueError(f"initial_model does not fit this ModelConfig: layer {name} is "
                                 f"a {their_kinds[name]} in the file, a {kind} with these "
                                 f"settings; allowed: the model settings the file was trained "
                                 f"with")
        if mine != theirs:
            at = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), None)
            where = (f"weight {at} ({probe.weights[at].path}) is {theirs[at]} in the file, "
                     f"{mine[at]} with these settings" if at is not None
                     else f"{len(theirs)} weights in the file, {len(mine)} with these settings")
            raise ValueError(f"initial_model does not fit this ModelConfig: {where}; allowed: "
                             f"the model settings the file was trained with")

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
        """(inputs, outputs) for validation windows, each (k, seq_len, channels).

        From the snapshot (the last finished epoch's weights) once there is one, so it works
        while training runs; before the first epoch only from a built model that is not
        training, else RuntimeError.
        """
        with self._snapshot_lock:
            if self.snapshot_ready and self.dataset is not None:
                x = self.dataset.x_val[np.atleast_1d(indices)]
                return x, self._snapshot.reconstruct(x)
        if self.is_alive() or self.model is None:  # paused mid-epoch is still fit's model
            raise RuntimeError("reconstruct needs a finished epoch or a built model that is "
                               "not training")
        x = self.dataset.x_val[np.atleast_1d(indices)]
        return x, self.model.reconstruct(x)

    def encode(self, x) -> np.ndarray:
        """Windows (n, seq_len, channels) -> (n, latent width) points, exactly as
        ``model.latent`` gives them (z_mean, code, ...), with the last finished epoch's
        weights. Any thread, any time after the first epoch; RuntimeError before."""
        x = self._check_windows(np.asarray(x, dtype="float32"), "encode")
        with self._snapshot_lock:
            return self._ready_snapshot("encode").latent(x)

    def decode(self, z, time_value=None) -> np.ndarray:
        """Latent points (n, latent_dim) -> windows (n, seq_len, channels), by the last
        finished epoch's decoder (any thread, after the first epoch).

        With time_bypass the decoder also needs the time channel's value at the window's
        last step: ``time_value`` (a number or one per point, dataset units); by default
        the value of the validation window the reconstruction view shows
        (``set_recon_indices``, window 0 at first), so decoded points share its time
        phase. vq_vae raises ValueError: its latent points are not decoder inputs.
        """
        with self._snapshot_lock:
            snap = self._ready_snapshot("decode")
            if time_value is None and snap.time_bypassed():
                if self.dataset is None:
                    raise RuntimeError("decode needs time_value until the data exist")
                time_value = float(self.dataset.x_val[self._recon_indices[0], -1, -1])
            return snap.decode(z, time_value)

    def save(self, path) -> None:
        """Write the model to ``path`` (a ``.keras`` file): the last finished epoch's weights,
        so it is safe while training runs; before the first epoch, the built model if it
        is not training, else RuntimeError. Reload with ``keras.saving.load_model``, or
        continue training with ``TrainingSession(..., initial_model=path)``."""
        with self._snapshot_lock:
            if self.snapshot_ready:
                self._snapshot.save(path)
                return
        if self.model is None or self.is_alive():
            raise RuntimeError("save needs a finished epoch or a built model that is not training")
        self.model.save(path)

    def set_probes(self, probes: dict | None) -> None:
        """Windows to encode after every epoch: name -> (seq_len, channels) window or
        (n, seq_len, channels) windows; None or {} clears them. Their latent points come
        in ``EpochEnd.probe_latent`` (name -> (latent,) or (n, latent)) from the next epoch
        on. Any thread, any time."""
        if not probes:
            self._probes = None
            return
        names, arrays, sizes = [], [], []
        for name, w in probes.items():
            w = np.asarray(w, dtype="float32")
            single = w.ndim == 2
            w = self._check_windows(w[None] if single else w, f"probe {name!r}")
            names.append(str(name))
            arrays.append(w)
            sizes.append(None if single else len(w))
        self._probes = (names, np.concatenate(arrays), sizes)  # one batch for all probes

    def _check_windows(self, x: np.ndarray, what: str) -> np.ndarray:
        shape = (self.data.seq_len, self.data.n_features + 1)
        if x.ndim != 3 or x.shape[1:] != shape:
            raise ValueError(f"{what}: windows must have shape (n, {shape[0]}, {shape[1]}), "
                             f"got {x.shape}")
        return x

    def _ready_snapshot(self, what: str) -> keras.Model:
        if not self.snapshot_ready:
            raise RuntimeError(f"{what} needs a finished epoch (status {self.status})")
        return self._snapshot

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

    def _enter(self, phase: str) -> None:
        """Set ``phase``; a running session also says it (``StatusChanged.message``), so
        the page is not silent through data building, model building and the first
        step's compile."""
        if self.phase == phase:
            return
        self.phase = phase
        with self._lock:
            if self.status == ev.RUNNING:
                self._set_status(ev.RUNNING, PHASE_MESSAGES[phase])

    def _run(self) -> None:
        _lower_priority(self.nice)
        try:
            self._enter("data")
            self.device = describe_device()
            if self.dataset is None:
                self.dataset = generate(self.data, should_stop=self._stop.is_set)
            self._raise_if_stopped()
            self._enter("build")
            self._build()
            self._raise_if_stopped()  # before the first step's compilation, which is slow
            self._enter("prepare")
            self._fit()
            final = ev.STOPPED if self._stop.is_set() else ev.FINISHED
            with self._lock:
                if self.status != ev.FAILED:
                    self._set_status(final, f"{final} after epoch {self.epoch}")
        except (_StopRun, Cancelled):
            with self._lock:
                if self.status != ev.FAILED:
                    self._set_status(ev.STOPPED, f"stopped during epoch {self.epoch + 1}")
        except Exception as exc:  # a run's failure is reported, never raised into a server
            log.exception("training failed")
            with self._lock:
                self._set_status(ev.FAILED, f"{type(exc).__name__}: {exc}")
        finally:
            self.phase = "done"

    def _raise_if_stopped(self) -> None:
        if self._stop.is_set():
            raise _StopRun()

    def _build(self) -> None:
        shape = (None, self.data.seq_len, self.data.n_features + 1)
        with _BUILD_LOCK:
            self._raise_if_stopped()  # stopped while another session was building
            # the snapshot first: the trained model then starts from the seed exactly as alone
            snapshot = build_model(self.data, self.model_cfg)
            snapshot.build(shape)
            self._raise_if_stopped()
            keras.utils.set_random_seed(self.data.seed)
            self.model = build_model(self.data, self.model_cfg)
            self.model.compile(optimizer=make_optimizer(self.train),
                               jit_compile=resolve_jit(self.train.jit_compile))
            self.model.build(shape)
        with self._snapshot_lock:
            if not self.snapshot_loaded:  # a loaded initial model stays the snapshot
                self._snapshot = snapshot
        if self._initial_weights is not None:
            self._load_initial_weights()
        self.subset = self._subset_indices()

    def _subset_indices(self) -> np.ndarray:
        n_val = len(self.dataset.x_val)
        size = min(self.train.latent_subset or n_val, n_val, LATENT_SUBSET_CAP)
        # Evenly spaced, so the subset is fixed across epochs and spans the shuffled set.
        return np.linspace(0, n_val - 1, size).astype(int)

    def _load_initial_weights(self) -> None:
        mine = [tuple(w.shape) for w in self.model.weights]
        theirs = [tuple(w.shape) for w in self._initial_weights]
        if mine != theirs:
            diff = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), None)
            where = (f"weight {diff} ({self.model.weights[diff].path}) is {theirs[diff]} there, "
                     f"{mine[diff]} here" if diff is not None
                     else f"{len(theirs)} weights there, {len(mine)} here")
            raise ValueError(f"initial_model does not fit this ModelConfig: {where}; use the "
                             f"model settings the file was trained with")
        self.model.set_weights(self._initial_weights)
        self._initial_weights = None

    def update_snapshot(self, epoch: int) -> None:
        """Copy the trained model's weights into the snapshot (training thread, epoch end)."""
        weights = self.model.get_weights()
        with self._snapshot_lock:
            self._snapshot.set_weights(weights)
            self.snapshot_epoch = epoch

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
        return self._view_event(self.model, self.subset, epoch, logs, seconds, elapsed)

    def loaded_view(self) -> ev.EpochEnd | None:
        """Epoch 0 of a run that starts from a loaded ``.keras`` file: what its weights make
        of the validation subset (latent points, reconstruction, family extras, probes),
        computed from the snapshot before any training, so a loaded model can be looked
        at and probed at once. None without a loaded model, once an epoch has run, or
        before the session has its data (pass ``dataset=`` to have them at once)."""
        if not self.snapshot_loaded or self.snapshot_epoch or self.dataset is None:
            return None
        if getattr(self, "subset", None) is None:
            self.subset = self._subset_indices()  # the same indices _build will choose
        with self._snapshot_lock:
            return self._view_event(self._snapshot, self.subset, 0, {}, 0.0, 0.0)

    @property
    def family(self) -> type | None:
        """The model family's class: of the trained model, or of a loaded snapshot."""
        model = self.model if self.model is not None else self._snapshot
        return None if model is None else type(model)

    def _view_event(self, model, subset, epoch, logs, seconds, elapsed) -> ev.EpochEnd:
        ds = self.dataset
        x_sub, labels = ds.x_val[subset], ds.y_val[subset]
        z = model.latent(x_sub)                         # (n_subset, latent_dim)
        idx = self._recon_indices
        recon_in = ds.x_val[idx]
        recon_out = model.reconstruct(recon_in)         # (k, seq_len, channels)
        starts = ds.start_val[subset]
        extras = model.epoch_extras(x_sub, labels, starts)
        logs = {k: float(v) for k, v in logs.items()}
        knn = knn_accuracy(z, labels, starts=starts, seq_len=self.data.seq_len)
        return ev.EpochEnd(epoch, self.n_epochs, logs, z, labels, idx.copy(), recon_in,
                           recon_out, seconds, knn, silhouette(z, labels), elapsed, extras,
                           probe_latent=self._probe_latent(model))

    def _probe_latent(self, model) -> dict[str, np.ndarray]:
        probes = self._probes  # one read: set_probes may replace it meanwhile
        if probes is None:
            return {}
        names, x, sizes = probes
        z = model.latent(x)                             # (n_probe_windows, latent)
        out, at = {}, 0
        for name, size in zip(names, sizes):
            out[name] = z[at] if size is None else z[at:at + size]
            at += 1 if size is None else size
        return out


class _SessionCallback(keras.callbacks.Callback):
    """Runs in the training thread: honours the session's flags, publishes events."""

    def __init__(self, session: TrainingSession):
        super().__init__()
        self.s = session
        self.active_s = 0.0          # training time, pauses excluded
        self._last_event = 0.0

    # Every hook Keras calls before work starts checks the stop flag, so a stop lands
    # before the next batch of training or validation (a running step, the first one's
    # tracing and compiling included, cannot be interrupted).
    def on_train_begin(self, logs=None):
        self.s._raise_if_stopped()

    def on_test_batch_begin(self, batch, logs=None):
        self.s._raise_if_stopped()

    def on_epoch_begin(self, epoch, logs=None):
        self.s._raise_if_stopped()
        self.epoch_t0 = time.perf_counter()
        self.epoch_paused = 0.0
        self.samples = 0

    def on_train_batch_begin(self, batch, logs=None):
        self.s._raise_if_stopped()
        if self.s.phase == "prepare":
            self.s._enter("compile")  # the first step: tracing (and XLA) come now
        lr = self.s._pending_lr
        if lr is not None:
            self.s._pending_lr = None
            if hasattr(self.model, "jax_state_sync"):
                self.model.jax_state_sync()  # jax keeps variables functional during fit
            self.model.optimizer.learning_rate.assign(lr)

    def on_train_batch_end(self, batch, logs=None):
        s = self.s
        s._enter("train")
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
        s.update_snapshot(epoch + 1)
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


def _layer_kinds(model) -> dict[str, str]:
    """'submodel/layer' -> layer class name, for every layer of the model's sub-models."""
    return {f"{sub}/{layer.name}": type(layer).__name__
            for sub in getattr(model, "submodels", ())
            for layer in getattr(getattr(model, sub, None), "layers", [])}


def _lower_priority(nice: int) -> None:
    """Raise this thread's niceness by ``nice`` (Linux; elsewhere nothing). Threads it
    starts afterwards (TensorFlow's pools, when this thread creates them) inherit it."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    except OSError as exc:  # not permitted or not per-thread here: train at normal priority
        log.debug("could not lower the training thread's priority: %s", exc)


def resolve_jit(choice: str):
    """jit_compile for Keras: "on"/"off", or "auto" for Keras' own choice (XLA on GPUs
    where the layers allow it, off on CPUs). On a 2-core CPU XLA measured slower for the
    paper model (465 vs 335 ms a step) but faster for the quick preset (2.8 vs 4.3 s an
    epoch), so the quick preset asks for it; see benchmarks/bench_step.py."""
    if choice == "on" and keras.backend.backend() == "torch":
        return False  # torch.compile is a different tool with long compiles: stay eager
    return {"on": True, "off": False}.get(choice, "auto")

