"""Sweep trials as Ray actors on a local Ray of 2 CPUs started once for the module: two
trials train at once, a finished trial's model comes back from its worker, and a trial
whose actor dies is recorded failed while the sweep goes on."""
import threading
import time

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("optuna")

from tsvae_core.sweep.study import STOPPED_NOTE, SweepSpec  # noqa: E402
from tsvae_core.sweep.run import COMPLETE, FAILED, RUNNING, Sweep  # noqa: E402
from tsvae_core.sweep.space import FieldRange  # noqa: E402

from .sources_files import series_frame  # noqa: E402
from .tiny import QUICK_BUILD, TINY  # noqa: E402

pytestmark = pytest.mark.slow  # Ray's start and each worker's TensorFlow import


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def wait(predicate, sweep, what, timeout=180):
    deadline = time.monotonic() + timeout
    while not predicate(sweep.rows()):
        assert time.monotonic() < deadline and sweep.is_alive(), (what, sweep.rows())
        time.sleep(0.02)


def running_at_once(rows, numbers) -> bool:
    return all(any(r.number == n and r.state == RUNNING and r.epochs >= 1 for r in rows)
               for n in numbers)


def test_trials_run_two_at_once_and_a_dead_actor_fails_only_its_trial(tmp_path):
    space = [FieldRange("epochs", 2, 400), FieldRange("latent_dim", 2, 3)]
    spec = SweepSpec("ray", space, "quick", {**TINY, **QUICK_BUILD}, n_trials=3,
                     sampler="random", pruner="none")
    sweep = Sweep(spec, tmp_path, ray=True)
    assert sweep.workers == 2                          # the cluster's CPUs
    # trial 0 trains long, trial 1 eight epochs (a wide window for both to be seen
    # training under load), then trial 2 long again
    for epochs in (400, 8, 400):
        sweep.study.enqueue_trial({"epochs": epochs, "latent_dim": 2})
    seen = threading.Event()

    def watch():  # trials 0 and 1 each past an epoch at the same moment
        while sweep.is_alive() and not seen.is_set():
            if running_at_once(sweep.rows(), (0, 1)):
                seen.set()
            time.sleep(0.01)

    sweep.start()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    wait(lambda rows: len(rows) > 1 and rows[1].state == COMPLETE, sweep, "trial 1 to finish")
    assert seen.is_set(), "trials 0 and 1 never trained at the same time"
    saved = tmp_path / "sweeps" / "ray" / "trial-1.keras"
    assert sweep.rows()[1].model_path == str(saved) and saved.stat().st_size > 1000
    wait(lambda rows: running_at_once(rows, (0, 2)), sweep, "trial 2 beside trial 0")
    ray.kill(sweep.session_of(0).actor)                # trial 0's worker dies mid-epoch
    wait(lambda rows: rows[0].state == FAILED, sweep, "trial 0 to fail")
    rows = sweep.rows()
    assert "Ray actor died" in rows[0].message
    assert rows[2].state == RUNNING                    # the sweep goes on
    sweep.stop()
    sweep.join(60)
    rows = sweep.rows()
    assert sweep.status == "stopped" and not sweep.is_alive()
    assert rows[2].state == FAILED and rows[2].message == STOPPED_NOTE
    assert [r.state for r in rows] == [FAILED, COMPLETE, FAILED]


def test_a_file_source_sweep_trains_on_workers_without_the_file(tmp_path):
    """The sweep reads its data file once, at its start, and the bytes go to every trial's
    worker: the server's path is gone before any trial starts."""
    path = tmp_path / "upload.csv"
    series_frame().to_csv(path, index=False)
    fixed = {**TINY, **QUICK_BUILD, "source": "file", "data_path": str(path),
             "value_columns": "a", "time_channel": "none", "epochs": 2}
    spec = SweepSpec("file", [FieldRange("latent_dim", 2, 3)], "quick", fixed, n_trials=2,
                     sampler="random", pruner="none")
    sweep = Sweep(spec, tmp_path, ray=True)
    path.unlink()
    sweep.start()
    sweep.join(240)
    rows = sweep.rows()
    assert sweep.status == "finished", (sweep.message, rows)
    assert [r.state for r in rows] == [COMPLETE, COMPLETE] and all(r.epochs == 2 for r in rows)
    with pytest.raises(ValueError, match="data_path .*upload.csv.*cannot read the file"):
        Sweep(spec, tmp_path, ray=True)
