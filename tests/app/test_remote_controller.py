"""A tab whose runs are Ray actors (``TSVAE_RAY``, as ``tsvae --ray`` sets it): the
Controller, Inspector and Prober drive a real local Ray instance (started once for this
module) exactly as they drive an in-process run; no server, no browser."""
from __future__ import annotations

import os

import numpy as np
import pytest

from app.tab.controller import Controller
from app.cards.inspector import Inspector
from app.cards.prober import Prober
from app.server.runs import RunRegistry
from tsvae_core import events as ev
from tsvae_core.ray.cluster import RAY_ENV

from apptools import QUICK_BUILD  # noqa: E402  (tests/app is on sys.path)


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    before = os.environ.get(RAY_ENV)
    ray.init(num_cpus=2, include_dashboard=False, logging_level="warning")
    os.environ[RAY_ENV] = "local"  # connect() finds the instance started here
    yield ray
    ray.shutdown()
    if before is None:
        os.environ.pop(RAY_ENV, None)
    else:
        os.environ[RAY_ENV] = before


def test_a_tab_on_ray_shows_epochs_inspects_and_survives_a_dead_actor(ray_cluster,
                                                                      tiny_configs, wait):
    ctrl = Controller(*tiny_configs(**QUICK_BUILD, epochs=60), tab="remote",
                      registry=RunRegistry(max_runs=2))
    inspector, prober = Inspector(ctrl), Prober(ctrl)
    try:
        ctrl.param.trigger("start")
        s = ctrl.session
        assert type(s).__name__ == "RemoteSession" and ctrl.state.status == ev.RUNNING
        wait(ctrl, lambda: ctrl.state.epoch >= 2, what="two epochs on the page")
        assert len(ctrl.streams.loss_buffer.data) >= 2
        assert ctrl.state.device.startswith("CPU on Ray node "), ctrl.state.device
        assert len(ctrl.streams.latent_pipe.data["xy"]) == ctrl.state.n_latent_points > 0
        assert ctrl.streams.recon_pipe.data["outputs"] is not None
        wait(ctrl, lambda: prober.pipe.data is not None, what="the probes' markers")
        assert len(prober.pipe.data["xy"]) == len(prober.pipe.data["names"]) == 3

        x, y = ctrl.streams.latent_pipe.data["xy"][0]
        inspector.inspect_at(float(x), float(y))  # a point: its window, reconstructed
        assert inspector.window_pipe.data["kind"] == "window", inspector.picked
        assert inspector.window_pipe.data["outputs"].shape == (16, 3)

        ctrl.param.trigger("pause")
        wait(ctrl, lambda: ctrl.state.status == ev.PAUSED, what="paused")
        ctrl.param.trigger("pause")  # the same button resumes
        wait(ctrl, lambda: ctrl.state.status == ev.RUNNING, what="running again")

        ray_cluster.kill(s._actor)  # as if its node were lost
        wait(ctrl, lambda: ctrl.state.status == ev.FAILED, what="the failed run")
        assert "Run failed" in ctrl.state.error and "died" in ctrl.state.error
        assert ctrl.state.can_start and not ctrl.state.can_stop

        ctrl.train.epochs = 1
        ctrl.param.trigger("start")  # the tab starts again, on a new actor
        assert ctrl.session is not s
        wait(ctrl, lambda: ctrl.state.status == ev.FINISHED, what="the new run")
        assert ctrl.state.epoch == 1 and ctrl.state.error == ""
        assert np.isfinite(ctrl.streams.loss_buffer.data["loss"].iloc[-1])
    finally:
        s = ctrl.session
        ctrl.shutdown()
        if s is not None:
            s.join(30)


def test_the_cluster_comes_from_the_flag_or_the_environment(monkeypatch):
    from app.server import cli
    from tsvae_core.ray.cluster import check_reachable
    monkeypatch.delenv(RAY_ENV, raising=False)
    assert cli.parse_args([])[0].ray is None
    assert cli.parse_args(["--ray", "head:6379"])[0].ray == "head:6379"
    monkeypatch.setenv(RAY_ENV, "local")
    assert cli.parse_args([])[0].ray == "local"
    # a cluster that does not answer is named at once (Ray would retry for minutes)
    with pytest.raises(ConnectionError, match=r"127\.0\.0\.1:1\b.*ray start --head"):
        check_reachable("127.0.0.1:1")
    check_reachable("local")  # started here: nothing to reach
