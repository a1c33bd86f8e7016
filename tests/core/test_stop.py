"""Stop takes effect in every phase of a run: data building, model building, the first
step's compile, training. The assertions are about what the run did (status, epochs,
what it built), not about seconds; benchmarks/bench_stop.py prints the latencies."""
from __future__ import annotations

import os
import time

import pytest

from tsvae_core import events as ev
from tsvae_core.config import make_configs
from tsvae_core.data import Cancelled, generate
from tsvae_core.models import BUILD_LOCK as _BUILD_LOCK
from tsvae_core.session.training import TrainingSession

from .tiny import QUICK_BUILD, tiny_configs

JOIN_S = 60  # generous: other work shares the 2 cores


def wait_phase(s: TrainingSession, phase: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while s.phase != phase:
        assert s.phase != "done", f"the run ended before {phase}: {s.status} {s.message}"
        assert time.monotonic() < deadline, f"never reached {phase} (at {s.phase})"
        time.sleep(0.001)


def test_generate_stops_when_asked():
    data, _, _ = tiny_configs(repeats=200)
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) >= 3

    with pytest.raises(Cancelled):
        generate(data, should_stop=should_stop)
    assert len(calls) == 3
    assert generate(data, should_stop=lambda: False).x_train.shape[0] == data.n_train()


def test_stop_during_data_building_cancels_the_data():
    # paper windows x3: about 2.5 s to build alone here, 490 MB; the stop lands long before
    s = TrainingSession(*make_configs("paper", repeats=30, epochs=2))
    s.start()
    wait_phase(s, "data")
    t0 = time.perf_counter()
    s.stop()
    s.join(JOIN_S)
    print(f"\nstop during data building: thread ended after {time.perf_counter() - t0:.3f} s")
    assert not s.is_alive() and s.status == ev.STOPPED and s.epoch == 0
    assert s.dataset is None  # generation was cancelled, not finished and thrown away
    assert s.model is None


def test_stop_while_waiting_to_build_builds_nothing():
    # Another session holds the build lock (builds take turns): the stop is seen as soon
    # as this one gets the lock, before it builds either model.
    s = TrainingSession(*tiny_configs(epochs=2))
    with _BUILD_LOCK:
        s.start()
        wait_phase(s, "build")
        s.stop()
    s.join(JOIN_S)
    assert not s.is_alive() and s.status == ev.STOPPED and s.epoch == 0
    assert s.model is None and s._snapshot is None


def test_stop_during_the_first_step_ends_after_it():
    s = TrainingSession(*tiny_configs(epochs=2))
    s.start()
    wait_phase(s, "compile")
    t0 = time.perf_counter()
    s.stop()
    s.join(JOIN_S)
    print(f"\nstop during the first step: thread ended after {time.perf_counter() - t0:.3f} s")
    assert not s.is_alive() and s.status == ev.STOPPED and s.epoch == 0
    batches = [e for e in s.drain() if isinstance(e, ev.BatchProgress)]
    assert len(batches) <= 1  # the step in flight finishes, no other starts


def test_stop_right_after_start_trains_no_batch():
    s = TrainingSession(*tiny_configs(epochs=2))
    s.start()
    s.stop()
    s.join(JOIN_S)
    assert not s.is_alive() and s.status == ev.STOPPED and s.epoch == 0
    assert s.phase == "done"
    assert not any(isinstance(e, ev.BatchProgress) for e in s.drain())


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="per-thread niceness is Linux's")
def test_the_training_thread_runs_at_the_niceness_asked():
    s = TrainingSession(*tiny_configs(epochs=500, **QUICK_BUILD))
    s.nice = 5
    base = os.getpriority(os.PRIO_PROCESS, 0)
    s.start()
    try:
        wait_phase(s, "train")
        assert os.getpriority(os.PRIO_PROCESS, s._thread.native_id) == min(base + 5, 19)
        assert os.getpriority(os.PRIO_PROCESS, 0) == base  # the caller's thread unchanged
    finally:
        s.stop()
        s.join(JOIN_S)
