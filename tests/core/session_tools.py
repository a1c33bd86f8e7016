"""Reading a TrainingSession's events in the core tests: drain until a condition, wait
for a paused thread to park, pick epochs and batches out of what was drained."""
import time

from tsvae_core import events as ev

from .tiny import waiting_in_pause


def collect(session, until, timeout=120.0):
    """Drain events until ``until(all_events)`` is true; fail after ``timeout`` s."""
    seen, t0 = [], time.monotonic()
    while time.monotonic() - t0 < timeout:
        seen += session.drain()
        if until(seen):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"timed out; status {session.status}: {session.message}")


def wait_parked(session, timeout=120.0):
    """Until the paused thread waits for Resume (what was in flight has reported)."""
    t0 = time.monotonic()
    while not waiting_in_pause(session):
        assert time.monotonic() - t0 < timeout, f"not parked: {session.status} {session.message}"
        assert session.is_alive(), f"thread ended: {session.status} {session.message}"
        time.sleep(0.02)


def epochs_of(seen):
    return [e for e in seen if isinstance(e, ev.EpochEnd)]


def batches_of(seen):
    return [e for e in seen if isinstance(e, ev.BatchProgress)]
