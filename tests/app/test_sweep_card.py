"""The Sweep card without a server: a real 3-trial sweep driven through the card's
widgets and polled like the page, its table and plots, choosing a trial, bad ranges and
a server without Optuna."""
from __future__ import annotations

import sys
import time

import holoviews as hv
import panel as pn
import pytest

from apptools import QUICK_BUILD, TINY
from tsvae_core.config import make_configs

from app.cards.sweep import SweepView
from app.tab.controller import Controller
from app.plots import sweep as sp
from app.server.runs import RunRegistry

pytest.importorskip("optuna")


def _controller():
    return Controller(*make_configs("quick", **{**TINY, **QUICK_BUILD, "epochs": 2}),
                      registry=RunRegistry(max_runs=1))


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A 3-trial sweep over learning_rate and latent_dim started from the card."""
    ctrl = _controller()
    view = SweepView(ctrl)
    view.__panel__()
    s = view.sweeper
    s.data_dir = tmp_path_factory.mktemp("sweeps")
    s.form.param.update(n_trials=3, sampler="random", pruner="none", study="card")
    s.form.ranges["latent_dim"].param.update(low=2, high=3, log=False)
    s.param.trigger("start")
    assert s.running
    deadline = time.monotonic() + 120
    while s.running:
        assert time.monotonic() < deadline, s.message
        ctrl.poll()
        time.sleep(0.05)
    yield ctrl, view
    ctrl.shutdown()


def test_a_three_trial_sweep_fills_the_table_and_the_plots(swept):
    ctrl, view = swept
    s = view.sweeper
    assert s.status == "finished" and s.message == "card: finished: 3 of 3 trials"
    table = view.table.value
    assert list(table["trial"]) == [0, 1, 2] and set(table["state"]) == {"complete"}
    assert {"learning_rate", "latent_dim", "objective", "epochs", "time (s)"} <= set(table)
    assert (table["epochs"] == 2).all() and table["objective"].notna().all()
    objective = sp.objective_by_trial(s.trials_pipe.data)
    complete = objective.Scatter.complete
    assert len(complete) == 3 and list(complete["trial"]) == [0, 1, 2]
    best = objective.Curve.Best_so_far["objective"]
    assert (best[1:] <= best[:-1]).all()                            # minimize: never rises
    paths = sp.parallel_coordinates(s.parallel_pipe.data)
    assert len(paths.Path.Finished.split()) == 3                    # one line per trial
    assert [t[1] for t in paths.opts.get().kwargs["xticks"]] == ["learning_rate", "latent_dim",
                                                                  "objective"]
    best = min(s.rows, key=lambda r: r.value)
    assert paths.Path.Best.dimension_values("trial")[0] == best.number
    assert "needs 4 finished trials (3 so far)" in view._importance_note()
    hv.render(sp.importance_bars({"latent_dim": 0.7, "learning_rate": 0.3}))  # draws


def test_choosing_a_trial_fills_the_widgets_and_loads_its_model(swept, wait):
    ctrl, view = swept
    row = view.sweeper.rows[1]
    view.table.selection = [1]
    assert ctrl.model.latent_dim == row.params["latent_dim"]
    assert ctrl.train.learning_rate == pytest.approx(row.params["learning_rate"])
    assert view.sweeper.chosen == 1
    wait(ctrl, lambda: ctrl.state.loaded_model == "trial 1 of card", what="the trial's model")
    assert ctrl.state.error == "" and ctrl.session is not None and ctrl.session.snapshot.loaded


def test_a_bad_range_is_named_and_nothing_starts(tmp_path):
    ctrl = _controller()
    view = SweepView(ctrl)
    s = view.sweeper
    s.data_dir = tmp_path
    s.form.fields = ["learning_rate", "beta"]
    s.form.ranges["beta"].param.update(low=0.0, high=2.0, log=True)
    s.param.trigger("start")
    assert not s.running and s.sweep is None
    assert s.message == "Cannot start the sweep: beta: log scale needs low > 0, got 0"
    s.form.ranges["beta"].param.update(low=3.0, log=False)
    s.param.trigger("start")
    assert s.message == "Cannot start the sweep: beta: low 3 > high 2"
    s.form.fields = ["activation"]
    s.form.ranges["activation"].choices = []
    s.param.trigger("start")
    assert "activation: empty choice" in s.message
    # the range widgets follow the chosen fields, with the fields' own bounds
    assert [p.name for p in view.ranges.objects] == ["activation"]
    s.form.fields = ["latent_dim"]
    low = s.form.ranges["latent_dim"].param.low
    assert low.bounds == (1, 64)
    with pytest.raises(ValueError):
        s.form.ranges["latent_dim"].low = 0
    ctrl.shutdown()


def test_a_sweep_holds_a_run_slot_and_waits_for_one(tmp_path, wait):
    """The server's --max-runs counts a sweep that trains here as one run: refused while
    the server is full, and while it runs another tab's Start is refused."""
    registry = RunRegistry(max_runs=1)
    configs = make_configs("quick", **{**TINY, **QUICK_BUILD, "epochs": 500})
    runner = Controller(*configs, tab="runner", registry=registry)
    sweeper = Controller(*configs, tab="sweeper", registry=registry)
    s = SweepView(sweeper).sweeper
    s.data_dir = tmp_path
    s.form.param.update(n_trials=1, sampler="random", pruner="none", study="slot")
    try:
        runner.param.trigger("start")
        s.param.trigger("start")
        assert not s.running and s.sweep is None
        assert s.message == ("Cannot start the sweep: busy, 1 runs active (the server "
                             "allows 1); try again when one ends")
        runner.param.trigger("stop")
        stopped = runner.session
        stopped.join(60)
        s.param.trigger("start")
        assert s.running and registry.active() == 1
        assert [r["tab"] for r in registry.snapshot()["runs"] if r["alive"]] == ["sweeper sweep"]
        runner.param.trigger("start")  # the sweep holds the only slot
        assert runner.state.notice.startswith("busy, 1 runs active") and runner.session is stopped
        s.param.trigger("stop")
        s.sweep.join(60)
        wait(runner, lambda: not registry.is_full(), 10, "the sweep's slot to come back")
        runner.param.trigger("start")
        assert runner.state.notice == "" and runner.session is not stopped
        assert runner.session.is_alive()
    finally:
        for ctrl in (runner, sweeper):
            ctrl.shutdown()
        if runner.session is not None:  # no training thread left behind
            runner.session.join(60)


def test_without_optuna_the_card_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)  # import optuna now fails
    ctrl = _controller()
    card = SweepView(ctrl).__panel__()
    assert isinstance(card, pn.pane.Alert) and "install tsvae[sweep]" in card.object
    ctrl.shutdown()
