"""Shared by the server-less dashboard tests: the tiny settings and a polling helper.
(A module of its own: ``conftest`` is a name tests/e2e uses too.)"""
from __future__ import annotations

import sys
import time

# Small enough that one epoch takes well under a second on a loaded 2-core CPU.
TINY = dict(n_patterns=3, repeats=6, seq_len=16, n_features=2, noise_size=50, scale_steps=2,
            batch_size=16, epochs=3, conv_filters=4, jit_compile="off")  # compile > run
# For tests of the controller's actions, which any family shows alike: dense_vae's first
# step traces in under a second, the default model's in 5-8 s on 2 loaded cores.
QUICK_BUILD = dict(architecture="dense_vae")


def wait_for(ctrl, predicate, timeout: float = 60.0, what: str = "condition"):
    """Poll the controller like the page's periodic callback until ``predicate()``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ctrl.poll()
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; status "
                         f"{ctrl.status!r}, epoch {ctrl.epoch}, error {ctrl.error!r}")


def waiting_in_pause(session) -> bool:
    """True while the session's training thread waits for Resume: the batch or epoch that
    was in flight when Pause came has reported, and nothing more can happen until resume()
    or stop(). Read from the thread's stack: blocked in an Event's wait called by
    TrainingSession's ``_wait_if_paused`` (as tests/core/tiny.py)."""
    thread = session._thread
    frame = sys._current_frames().get(thread.ident) if thread is not None else None
    if frame is None or frame.f_code.co_name != "wait" or session._go.is_set():
        return False
    while frame is not None:
        if frame.f_code.co_name == "_wait_if_paused":
            return not session._go.is_set()
        frame = frame.f_back
    return False
