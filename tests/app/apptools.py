"""Shared by the server-less dashboard tests: the tiny settings and a polling helper.
(A module of its own: ``conftest`` is a name tests/e2e uses too.)"""
from __future__ import annotations

import time

from tests.core.tiny import QUICK_BUILD, waiting_in_pause  # noqa: F401  (one copy of each)

# Small enough that one epoch takes well under a second on a loaded 2-core CPU.
TINY = dict(n_patterns=3, repeats=6, seq_len=16, n_features=2, noise_size=50, scale_steps=2,
            batch_size=16, epochs=3, conv_filters=4, jit_compile="off")  # compile > run


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
