"""Markers and the xdist schedule for the whole suite.

- ``e2e``: every test under tests/e2e (a real server and browser; tests/e2e/conftest.py);
  ``pytest -m "not e2e"`` is the fast loop.
- ``slow``: a test that trains in fresh processes of its own (the other Keras backends);
  ``pytest -m "not e2e and not slow"`` is the quickest loop.
- ``-n 2 --dist loadgroup`` (scripts/test.sh): one test module is one unit of work, so a
  module's trained runs (module-scoped fixtures, test_families' cache) are trained once,
  on one worker; the browser tests are two units (``E2E_UNITS``), each with the server
  and browser of the worker that runs it.
"""
import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

E2E = "tests/e2e/"
# The browser tests' two units, of about equal length (seconds measured with two workers:
# families 261, dashboard 224, runs_files 134, slow_page 68, inspect 48, offline 39,
# bad_inputs 35, sweep 27, data_upload 26). A module not named here goes to "e2e-a".
E2E_UNITS = {"test_dashboard.py": "e2e-b", "test_runs_files.py": "e2e-b",
             "test_slow_page.py": "e2e-b", "test_data_upload.py": "e2e-b"}
# Scheduling hint only: these modules take longest, so they start first and the two
# workers end together. A stale entry costs balance, never correctness.
LONGEST_FIRST = ["tests/core/test_backends.py", "tests/core/test_training.py",
                 "tests/core/test_families.py", "tests/core/test_session_controls.py",
                 "tests/core/test_saving.py", "tests/core/test_remote.py",
                 "tests/core/test_sweep_ray.py", "tests/app/test_controller.py",
                 "tests/core/test_models.py", "tests/core/test_cli.py"]


def _unit(nodeid: str) -> str:
    """The unit of work of a test id: its module, or one of the browser tests' units."""
    path = nodeid.split("::", 1)[0]
    if path.startswith(E2E):
        return E2E_UNITS.get(path[len(E2E):], "e2e-a")
    return path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` with units computed from the test id. pytest-xdist's own
    loadgroup reads ``xdist_group`` marks by appending them to node ids, which pytest 9.2
    no longer allows: it then silently schedules every test on its own
    (pytest-dev/pytest-xdist#1386), and the browser tests started a server per worker."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    config.option.loadscopereorder = False  # keep the order of the collection below
    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """Browser tests first (two long units that start at once, one on each worker), then
    the longest modules, then the rest in collection order."""
    def rank(item):
        unit = _unit(item.nodeid)
        if unit.startswith("e2e-"):
            return 0
        return 1 + LONGEST_FIRST.index(unit) if unit in LONGEST_FIRST else len(LONGEST_FIRST) + 1
    items.sort(key=rank)  # stable: the order within a rank stays
