"""Fixtures for the dashboard's server-less tests: tiny configs, a polling helper."""
from __future__ import annotations

import pytest

from tsvae_core.config import make_configs

from apptools import TINY, wait_for  # noqa: E402  (tests/app is on sys.path)


@pytest.fixture
def tiny_configs():
    def make(**overrides):
        return make_configs("quick", **{**TINY, **overrides})
    return make


@pytest.fixture
def wait():
    return wait_for
