"""The controls of one training run, both sides of them in one place.

``RunControl``: the session's methods (any thread: the page, the command line, a Ray
actor) ask it for a change - pause, resume, step, stop, a learning rate. It holds the go
and stop flags, the pause-after-epoch request, the pending learning rate, the status,
the phase and the event sink (the queue that readers ``drain``), behind one lock.

``SessionCallback``: the Keras callback ``fit`` runs with, in the training thread. Between
batches it honours the control (a stop raises ``StopRun`` right here, which leaves
``fit``), publishes progress and epoch events to the control's sink, and hands each
finished epoch to the session's public ``update_snapshot`` and ``epoch_event``. Neither
side reaches into the other's private members.
"""
from __future__ import annotations

import math
import queue
import threading
import time

import keras

from .. import events as ev

BATCH_EVENT_INTERVAL_S = 0.1  # at most ~10 progress events a second reach the sink


class StopRun(Exception):
    """Raised in the training thread to leave ``fit`` at once (Keras would still run
    validation); the session's thread catches it and says ``stopped``."""


#: What a running session says (``StatusChanged.message``) in each ``phase``.
PHASE_MESSAGES = {"data": "building the data", "build": "building the model",
                  "prepare": "preparing the batches",
                  "compile": "compiling the training step (first batch only)",
                  "train": "training"}


class RunControl:
    """Flags, status and event sink of one run. ``lock`` guards status changes; requests
    are safe from any thread, the ``wait_*``/``raise_*`` methods are the training
    thread's."""

    def __init__(self):
        self.lock = threading.Lock()
        self.status, self.message = ev.IDLE, ""
        #: What the thread is doing: "" (not started), "data", "build", "prepare" (fit
        #: converts the data), "compile" (the first step traces and compiles the graph;
        #: it cannot be interrupted), "train", "done".
        self.phase = ""
        self.events: queue.Queue = queue.Queue()   # the sink readers drain
        self.go = threading.Event()                # set while training may proceed
        self.stop_flag = threading.Event()
        self.pause_after_epoch = False
        self.pending_lr: float | None = None

    # ---- the event sink ----
    def publish(self, event) -> None:
        self.events.put(event)

    def drain(self, max_items: int | None = None, wait: float = 0.0) -> list:
        """The events published so far (at most ``max_items``); with ``wait`` > 0, first
        waits up to that many seconds for one."""
        out = []
        if wait > 0:
            try:
                out.append(self.events.get(timeout=wait))
            except queue.Empty:
                return out
        while max_items is None or len(out) < max_items:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                break
        return out

    def set_status(self, status: str, message: str = "") -> None:
        """Change the status and say so (call with ``lock`` held)."""
        self.status, self.message = status, message
        self.publish(ev.StatusChanged(status, message))

    def end(self, status: str, message: str) -> None:
        """The run ended so (any thread); a failure already said is kept."""
        with self.lock:
            if self.status != ev.FAILED:
                self.set_status(status, message)

    def fail(self, message: str) -> None:
        with self.lock:
            self.set_status(ev.FAILED, message)

    # ---- requests (any thread) ----
    def begin(self) -> None:
        """The run starts (call with ``lock`` held, as the thread is made)."""
        self.go.set()
        self.set_status(ev.RUNNING)

    def request_pause(self) -> None:
        with self.lock:
            if self.status == ev.RUNNING:
                self.go.clear()
                self.set_status(ev.PAUSED)

    def request_resume(self) -> None:
        with self.lock:
            if self.status == ev.PAUSED:
                self.pause_after_epoch = False
                self.set_status(ev.RUNNING)
                self.go.set()

    def request_step(self) -> None:
        """One more epoch, then pause (call with ``lock`` held; a paused run goes on)."""
        self.pause_after_epoch = True
        if self.status == ev.PAUSED:
            self.set_status(ev.RUNNING)
            self.go.set()

    def request_stop(self, started: bool) -> None:
        """Stop within one batch; a run never ``started`` is stopped at once."""
        with self.lock:
            self.stop_flag.set()
            self.go.set()  # wake a paused thread so it can leave
            if not started and self.status == ev.IDLE:
                self.set_status(ev.STOPPED)

    def request_learning_rate(self, lr: float) -> None:
        self.pending_lr = float(lr)

    # ---- the training thread ----
    def should_stop(self) -> bool:
        return self.stop_flag.is_set()

    def raise_if_stopped(self) -> None:
        if self.stop_flag.is_set():
            raise StopRun()

    def enter(self, phase: str) -> None:
        """Set ``phase``; a running run also says it (``StatusChanged.message``), so the
        page is not silent through data building, model building and the first compile."""
        if self.phase == phase:
            return
        self.phase = phase
        with self.lock:
            if self.status == ev.RUNNING:
                self.set_status(ev.RUNNING, PHASE_MESSAGES[phase])

    def take_learning_rate(self) -> float | None:
        """The learning rate asked for since the last call, or None."""
        lr, self.pending_lr = self.pending_lr, None
        return lr

    def pause_if_stepped(self, epoch: int, n_epochs: int) -> None:
        """At an epoch's end: a Step's epoch is done, so pause (unless it was the last)."""
        with self.lock:
            if self.pause_after_epoch and self.status == ev.RUNNING and epoch < n_epochs:
                self.pause_after_epoch = False
                self.go.clear()
                self.set_status(ev.PAUSED, f"paused after epoch {epoch} (step)")

    def wait_if_paused(self) -> float:
        """Block while paused; the seconds waited. StopRun once a stop is asked for."""
        t0 = time.perf_counter()
        while not self.go.wait(0.05):
            pass
        self.raise_if_stopped()
        return time.perf_counter() - t0


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
