"""Fixtures for the dashboard's server-less tests: tiny configs, a polling helper."""
from __future__ import annotations

import time

import pytest

from tsvae_core.config import make_configs

# Small enough that one epoch takes well under a second on a loaded 2-core CPU.
TINY = dict(n_patterns=3, repeats=6, seq_len=16, n_features=2, noise_size=50, scale_steps=2,
            batch_size=16, epochs=3, conv_filters=4, jit_compile="off")  # compile > run


@pytest.fixture
def tiny_configs():
    def make(**overrides):
        return make_configs("quick", **{**TINY, **overrides})
    return make


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


@pytest.fixture
def wait():
    return wait_for
