"""The Keras callback a ``TrainingSession`` (tsvae_core.session.training) runs ``fit`` with, in the
training thread: between batches it honours the run's ``RunControl`` (pause, stop, step,
learning rate) and publishes progress and epoch events to the control's sink.
"""
from __future__ import annotations

import math
import time

import keras

from .. import events as ev
from .control import RunControl, StopRun

BATCH_EVENT_INTERVAL_S = 0.1  # at most ~10 progress events a second reach the queue


class SessionCallback(keras.callbacks.Callback):
    """Runs in the training thread: honours the run's ``RunControl``, publishes events,
    and hands each finished epoch to the session (``update_snapshot``, ``epoch_event``).
    It reads the session's public face only."""

    def __init__(self, session, control: RunControl):
        super().__init__()
        self.session, self.control = session, control
        self.active_s = 0.0          # training time, pauses excluded
        self._last_event = 0.0

    # Every hook Keras calls before work starts checks the stop flag, so a stop lands
    # before the next batch of training or validation (a running step, the first one's
    # tracing and compiling included, cannot be interrupted).
    def on_train_begin(self, logs=None):
        self.control.raise_if_stopped()

    def on_test_batch_begin(self, batch, logs=None):
        self.control.raise_if_stopped()

    def on_test_begin(self, logs=None):
        self.validation_t0 = time.perf_counter()

    def on_test_end(self, logs=None):
        self.validation_s = time.perf_counter() - self.validation_t0

    def on_epoch_begin(self, epoch, logs=None):
        self.control.raise_if_stopped()
        self.epoch_t0 = time.perf_counter()
        self.epoch_paused = 0.0
        self.samples = 0
        self.validation_s = 0.0

    def on_train_batch_begin(self, batch, logs=None):
        c = self.control
        c.raise_if_stopped()
        if c.phase == "prepare":
            c.enter("compile")  # the first step: tracing (and XLA) come now
        lr = c.take_learning_rate()
        if lr is not None:
            if hasattr(self.model, "jax_state_sync"):
                self.model.jax_state_sync()  # jax keeps variables functional during fit
            self.model.optimizer.learning_rate.assign(lr)

    def on_train_batch_end(self, batch, logs=None):
        c = self.control
        c.enter("train")
        loss = float((logs or {}).get("loss", 0.0))
        if not math.isfinite(loss):
            self._fail_non_finite(loss, batch)
        n_batches = self.params.get("steps") or 1
        self.samples += self.session.train.batch_size
        now = time.perf_counter()
        if now - self._last_event >= BATCH_EVENT_INTERVAL_S or batch + 1 == n_batches:
            self._last_event = now
            run_s = now - self.epoch_t0 - self.epoch_paused
            c.publish(ev.BatchProgress(self.session.epoch + 1, batch + 1, n_batches,
                                       self.samples / max(run_s, 1e-9), loss,
                                       self.active_s + run_s))
        self.epoch_paused += c.wait_if_paused()

    def on_epoch_end(self, epoch, logs=None):
        s, c = self.session, self.control
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
        c.publish(event)
        c.pause_if_stepped(s.epoch, s.n_epochs)
        c.wait_if_paused()

    def _fail_non_finite(self, loss: float, batch: int) -> None:
        train = self.session.train
        self.control.fail(
            f"loss became {loss} at epoch {self.session.epoch + 1}, batch {batch + 1} "
            f"(optimizer {train.optimizer}, learning rate {train.learning_rate:g}). "
            f"Try a learning rate 10x smaller, a smaller beta, or another optimizer.")
        raise StopRun()
