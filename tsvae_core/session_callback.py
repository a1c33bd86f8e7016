"""The Keras callback a ``TrainingSession`` (tsvae_core.training) runs ``fit`` with, in the
training thread: it honours the session's pause, stop, step and learning-rate flags
between batches and puts progress and epoch events on the session's queue.
"""
from __future__ import annotations

import math
import time

import keras

from . import events as ev

BATCH_EVENT_INTERVAL_S = 0.1  # at most ~10 progress events a second reach the queue


class StopRun(Exception):
    """Raised inside fit to leave it at once (Keras would still run validation)."""


class SessionCallback(keras.callbacks.Callback):
    """Runs in the training thread: honours the session's flags, publishes events."""

    def __init__(self, session):
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

    def on_test_begin(self, logs=None):
        self.validation_t0 = time.perf_counter()

    def on_test_end(self, logs=None):
        self.validation_s = time.perf_counter() - self.validation_t0

    def on_epoch_begin(self, epoch, logs=None):
        self.s._raise_if_stopped()
        self.epoch_t0 = time.perf_counter()
        self.epoch_paused = 0.0
        self.samples = 0
        self.validation_s = 0.0

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
        t0 = time.perf_counter()
        s.update_snapshot(epoch + 1)
        snapshot_s = time.perf_counter() - t0
        event = s.epoch_event(epoch + 1, logs or {}, seconds, self.active_s)
        event.timings.update(steps=seconds - self.validation_s, validation=self.validation_s,
                             snapshot=snapshot_s)
        s._events.put(event)
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
            raise StopRun()

    def _fail_non_finite(self, loss: float, batch: int) -> None:
        s = self.s
        msg = (f"loss became {loss} at epoch {s.epoch + 1}, batch {batch + 1} "
               f"(optimizer {s.train.optimizer}, learning rate {s.train.learning_rate:g}). "
               f"Try a learning rate 10x smaller, a smaller beta, or another optimizer.")
        with s._lock:
            s._set_status(ev.FAILED, msg)
        raise StopRun()
