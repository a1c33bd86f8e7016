"""Runs on Ray: a real local Ray instance (started once for this module) runs
``TrainingSession``s in actors behind ``RemoteSession`` proxies; the tests drive the proxy
as the dashboard does (controls that return at once, ``drain`` that never waits)."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from tsvae_core import events as ev
from tsvae_core.data import generate

from .sources_files import series_frame
from .tiny import QUICK_BUILD, tiny_configs


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, logging_level="warning")
    yield ray
    ray.shutdown()


class Watcher:
    """Drains a proxy as the page's periodic callback does, keeping every event."""

    def __init__(self, session):
        self.s, self.events = session, []

    def until(self, predicate, what: str, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.events += self.s.drain()
            if predicate():
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}: status {self.s.status!r} "
                             f"{self.s.message!r}, epoch {self.s.epoch}")

    def epochs(self) -> list[int]:
        return [e.epoch for e in self.events if isinstance(e, ev.EpochEnd)]

    def statuses(self) -> list[str]:
        return [e.status for e in self.events if isinstance(e, ev.StatusChanged)]


def remote_run(**overrides):
    from tsvae_core.ray.run_proxy import RemoteSession
    return RemoteSession(*tiny_configs(**{**QUICK_BUILD, "epochs": 200, **overrides}))


def test_a_remote_run_starts_pauses_resumes_steps_and_stops(ray_cluster, tmp_path):
    s = remote_run()
    w = Watcher(s)
    s.start()
    assert s.is_alive() and s.status == ev.RUNNING  # at once: nothing waited for Ray
    w.until(lambda: len(w.epochs()) >= 1, "the first epoch")
    first = next(e for e in w.events if isinstance(e, ev.EpochEnd))
    assert first.z_mean.shape == (len(first.labels), 2) and np.isfinite(first.logs["loss"])
    # the server's copy of the data equals the actor's (same seed): inspection matches
    np.testing.assert_array_equal(first.recon_inputs, s.dataset.x_val[first.recon_indices])

    s.pause()
    w.until(lambda: s.status == ev.PAUSED, "paused")
    mark, epoch = len(w.events), s.epoch
    time.sleep(1.5)  # an absence to check: a paused run sends nothing new...
    w.events += s.drain()
    late = [e for e in w.events[mark:] if isinstance(e, (ev.BatchProgress, ev.EpochEnd))]
    assert len(late) <= 1, late  # ...but the batch or epoch end in flight at the Pause
    assert s.epoch <= epoch + 1 and s.status == ev.PAUSED

    # inspection on the server's snapshot of the last epoch's weights
    z = s.encode(s.dataset.x_val[:4])
    assert z.shape == (4, 2)
    x, y = s.reconstruct([0, 1])
    assert y.shape == x.shape == (2, 16, 3)
    assert s.decode(z).shape == (4, 16, 3)
    path = tmp_path / "remote.keras"
    s.save(path)
    np.testing.assert_allclose(keras.saving.load_model(path, compile=False).latent(
        s.dataset.x_val[:4]), z, rtol=1e-5, atol=1e-5)

    s.set_learning_rate(1e-4)  # reaches the actor (out of bounds is refused here)
    with pytest.raises(ValueError, match="learning_rate"):
        s.set_learning_rate(-1.0)
    s.resume()
    before = s.epoch
    w.until(lambda: s.status == ev.RUNNING and s.epoch >= before + 2, "two more epochs")

    s.pause()
    w.until(lambda: s.status == ev.PAUSED, "paused again")
    mark = len(w.events)
    s.step()  # exactly one more epoch, then paused

    def step_events():
        return [e for e in w.events[mark:] if isinstance(e, (ev.StatusChanged, ev.EpochEnd))]
    w.until(lambda: any("(step)" in getattr(e, "message", "") for e in step_events()),
            "the pause after the stepped epoch")
    kinds = [(type(e).__name__, getattr(e, "status", "")) for e in step_events()]
    ran = kinds.index(("StatusChanged", ev.RUNNING))
    assert kinds[ran + 1:] == [("EpochEnd", ""), ("StatusChanged", ev.PAUSED)], kinds

    s.resume()
    w.until(lambda: w.statuses()[-1:] == [ev.RUNNING], "running again")
    s.stop()
    w.until(lambda: not s.is_alive(), "the stopped run to end", timeout=30)
    assert s.status == ev.STOPPED and w.statuses()[-1] == ev.STOPPED
    assert w.epochs() == list(range(1, len(w.epochs()) + 1))  # every epoch, in order
    assert s.history and len(s.history) == s.epoch


def test_a_killed_actor_fails_the_run_with_its_cause(ray_cluster):
    s = remote_run(repeats=60)  # more batches an epoch: the kill lands mid-epoch
    w = Watcher(s)
    s.start()
    w.until(lambda: s.epoch >= 1 and any(isinstance(e, ev.BatchProgress)
                                         and e.epoch == s.epoch + 1 for e in w.events),
            "a batch of the second epoch")
    ray_cluster.kill(s._actor)
    w.until(lambda: s.status == ev.FAILED, "the failed status")
    assert not s.is_alive()
    assert "actor" in s.message and "died" in s.message and "ray.kill" in s.message
    assert "actor_id" not in s.message, s.message
    assert w.statuses()[-1] == ev.FAILED
    assert s.encode(s.dataset.x_val[:2]).shape == (2, 2)  # its last epoch is still here
    # a new run after it: tests/app/test_remote_controller.py (the tab starts again)


def test_a_run_from_a_loaded_model_and_closing_kills_its_actor(ray_cluster, tmp_path):
    from tsvae_core.models import build_model
    from tsvae_core.ray.run_proxy import RemoteSession
    # a learning rate too small to move the weights: epoch 1 shows the file's weights
    configs = tiny_configs(**QUICK_BUILD, seed=3, learning_rate=1e-8, epochs=200)
    keras.utils.set_random_seed(11)  # other weights than the run's seed would give it
    model = build_model(configs[0], configs[1])
    model.build((None, 16, 3))
    path = tmp_path / "start.keras"
    model.save(path)
    s = RemoteSession(*configs, dataset=generate(configs[0]), initial_model=str(path))
    view = s.loaded_view()  # epoch 0, drawn on the server before any actor exists
    expected = model.latent(s.dataset.x_val[s.subset])
    np.testing.assert_allclose(view.z_mean, expected, rtol=1e-5, atol=1e-5)
    w = Watcher(s)
    s.start()  # the file travels to the actor as bytes
    w.until(lambda: len(w.epochs()) >= 1, "the first epoch from the loaded model")
    first = next(e for e in w.events if isinstance(e, ev.EpochEnd))
    np.testing.assert_allclose(first.z_mean, expected, atol=1e-3)

    actor = s._actor
    s.close()  # the tab is gone: its actor is killed, not asked to stop
    w.until(lambda: not s.is_alive(), "the closed run to end", timeout=30)
    assert s.status == ev.STOPPED and "closed" in s.message
    with pytest.raises(ray_cluster.exceptions.RayActorError):
        ray_cluster.get(actor.poll.remote(0, 0.0), timeout=30)

    idle = remote_run()
    idle.stop()
    assert idle.status == ev.STOPPED and not idle.is_alive() and idle._actor is None


def test_a_file_source_run_trains_on_a_worker_without_the_file(ray_cluster, tmp_path):
    """The file's bytes go with the run: the server's path is gone before the actor
    starts, as it is on any other node (an upload lives in the server's folder)."""
    from tsvae_core.ray.run_proxy import RemoteSession
    from tsvae_core.sources import build_dataset
    path = tmp_path / "upload.csv"
    series_frame().to_csv(path, index=False)
    configs = tiny_configs(**QUICK_BUILD, source="file", data_path=str(path),
                           value_columns="a", time_channel="none", epochs=2)
    dataset = build_dataset(configs[0])  # the server's copy (the page's preview)
    s = RemoteSession(*configs, dataset=dataset)
    path.unlink()
    w = Watcher(s)
    s.start()
    w.until(lambda: s.status == ev.FINISHED, "the run to finish", timeout=120)
    assert w.epochs() == [1, 2], s.message
    last = [e for e in w.events if isinstance(e, ev.EpochEnd)][-1]
    assert len(last.z_mean) == len(s.subset) and np.isfinite(last.z_mean).all()
    with pytest.raises(ValueError, match="data_path .*upload.csv.*cannot read the file"):
        RemoteSession(*configs, dataset=dataset)  # said at Start, not by a dead actor


def test_without_ray_nothing_imports_it():
    code = ("import sys, os\n"
            "os.environ.pop('TSVAE_RAY', None)\n"
            "import app.server.cli, app.tab.controller, app.dashboard, app.tab.model_loading\n"
            "import tsvae_core.ray.cluster, tsvae_core.ray.actor\n"
            "from tsvae_core.sessions import make_session\n"
            "from tests.core.tiny import tiny_configs\n"
            "s = make_session(*tiny_configs())\n"
            "app.server.cli.parse_args([])\n"
            "print(type(s).__name__, 'ray' in sys.modules)\n")
    env = {k: v for k, v in os.environ.items() if k != "TSVAE_RAY"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=os.path.dirname(os.path.dirname(os.path.dirname(
                             os.path.abspath(__file__)))))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["TrainingSession", "False"], out.stdout
