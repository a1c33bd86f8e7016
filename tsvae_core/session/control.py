"""RunControl: the controls of one training run, shared by its two sides.

The session's methods (any thread: the page, the command line, a Ray actor) ask for a
change - pause, resume, step, stop, a learning rate - and the training thread's Keras
callback (``tsvae_core.session.callback``) honours it between batches. Both go through
this object, never through each other's private members: the go and stop flags, the
pause-after-epoch request, the pending learning rate, the status and the event sink
(the queue that readers ``drain``) live here, behind one lock.
"""
from __future__ import annotations

import queue
import threading
import time

from .. import events as ev


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
        """The events published so far; with ``wait`` > 0, first waits up to that many
        seconds for one."""
        out = []
        if wait > 0:
            try:
                out.append(self.events.get(timeout=wait))
            except queue.Empty:
                return out
        rest = None if max_items is None else max_items - len(out)
        return out + ev.drain_queue(self.events, rest)

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
