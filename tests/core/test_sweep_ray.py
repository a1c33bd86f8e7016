"""Sweep trials as Ray actors on a local Ray started once for the module: two trials
train at once, a trial whose actor dies is recorded failed and the sweep goes on."""
import threading
import time

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("optuna")

from tsvae_core.sweep import SweepSpec  # noqa: E402
from tsvae_core.sweep_run import COMPLETE, FAILED, RUNNING, Sweep  # noqa: E402
from tsvae_core.sweep_space import FieldRange  # noqa: E402

from .tiny import QUICK_BUILD, TINY  # noqa: E402

pytestmark = pytest.mark.slow  # Ray's start and its workers' TensorFlow imports


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def spec(name, n_trials, epochs):
    return SweepSpec(name, [FieldRange("latent_dim", 2, 4)], "quick",
                     {**TINY, **QUICK_BUILD, "epochs": epochs}, n_trials=n_trials,
                     sampler="random", pruner="none")


def test_two_trials_train_at_once_on_a_two_cpu_cluster(tmp_path):
    sweep = Sweep(spec("ray2", 2, 3), tmp_path, ray=True)
    assert sweep.workers == 2
    both = threading.Event()

    def watch():  # two rows running with an epoch each, at the same moment
        while sweep.is_alive() or not both.is_set():
            rows = sweep.rows()
            if sum(r.state == RUNNING and r.epochs >= 1 for r in rows) == 2:
                both.set()
                return
            if not sweep.is_alive() and sweep.status != "idle":
                return
            time.sleep(0.02)

    sweep.start()
    watcher = threading.Thread(target=watch)
    watcher.start()
    sweep.join(240)
    watcher.join(5)
    rows = sweep.rows()
    assert [r.state for r in rows] == [COMPLETE, COMPLETE], [r.message for r in rows]
    assert both.is_set(), "the two trials never trained at the same time"
    for r in rows:                                   # models came back from the workers
        assert r.model_path and (tmp_path / "sweeps" / "ray2" / f"trial-{r.number}.keras"
                                 ).stat().st_size > 1000


def test_a_trial_whose_actor_dies_fails_and_the_sweep_goes_on(tmp_path):
    sweep = Sweep(spec("raydie", 2, 500), tmp_path, ray=True, workers=1)
    sweep.start()
    deadline = time.monotonic() + 180
    while not any(r.epochs >= 1 for r in sweep.rows()):
        assert time.monotonic() < deadline and sweep.is_alive()
        time.sleep(0.05)
    (session,) = list(sweep._sessions)
    ray.kill(session.actor)                          # the worker process dies mid-trial
    while not any(r.number == 1 and r.epochs >= 1 for r in sweep.rows()):
        assert time.monotonic() < deadline and sweep.is_alive(), sweep.rows()
        time.sleep(0.05)
    sweep.stop()
    sweep.join(60)
    first = sweep.rows()[0]
    assert first.state == FAILED and "Ray actor died" in first.message
    assert sweep.status == "stopped"
