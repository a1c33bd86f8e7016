"""One live run per tab, a quick "busy" answer, a bounded debug listing: real controllers,
real registry, real tiny training runs (no server, no browser)."""
from __future__ import annotations

import pytest

from app.tab.controller import STOPPING_NOTICE, Controller
from app.server.runs import KEEP_ENDED, RunRegistry
from tsvae_core import events as ev
from tsvae_core.models import BUILD_LOCK as _BUILD_LOCK
from tsvae_core.session.training import TrainingSession

from apptools import QUICK_BUILD  # noqa: E402  (tests/app is on sys.path)


@pytest.fixture
def make_ctrl(tiny_configs):
    made = []

    def make(registry, **overrides):
        ctrl = Controller(*tiny_configs(**{**QUICK_BUILD, **overrides}), tab=f"limits{len(made)}",
                          registry=registry)
        made.append(ctrl)
        return ctrl

    yield make
    for ctrl in made:  # never leave a training thread behind
        for s in [ctrl.session, *ctrl.registry.live_runs(ctrl.tab)]:
            if s is not None:
                s.stop()
                s.join(60)
        ctrl.shutdown()


def test_start_stop_reset_start_never_gives_a_tab_two_live_runs(make_ctrl, wait):
    registry = RunRegistry(max_runs=4)
    ctrl = make_ctrl(registry, epochs=500)
    # Builds take turns under this lock: holding it keeps the first run's thread alive
    # (stopped, but waiting to build) for as long as the test needs, as a slow compile does.
    with _BUILD_LOCK:
        ctrl.param.trigger("start")
        first = ctrl.session
        # at the lock: a Stop seen before it (a thread scheduled late) ends the run at once
        wait(ctrl, lambda: first.phase == "build", 60, "the first run to wait for the build lock")
        ctrl.param.trigger("stop")
        ctrl.param.trigger("reset")
        assert first.is_alive() and ctrl.session is None
        # Start waits for the previous run's end, and the page says why
        assert ctrl.state.can_start is False and ctrl.state.notice == STOPPING_NOTICE
        ctrl.param.trigger("start")     # pressed anyway (e.g. a click in flight)
        ctrl._launch("start")           # or a Start that got past the button's state
        assert ctrl.session is None and ctrl.state.notice == STOPPING_NOTICE
        assert registry.live_runs(ctrl.tab) == [first]
    first.join(60)
    assert first.status == ev.STOPPED and first.epoch == 0
    wait(ctrl, lambda: ctrl.state.can_start, 60, "Start to come back once the old run ended")
    assert ctrl.state.notice == ""
    ctrl.param.trigger("start")
    assert ctrl.session is not None and ctrl.session is not first
    assert registry.live_runs(ctrl.tab) == [ctrl.session]
    assert registry.active() == 1


def test_a_refused_start_answers_busy_at_once_and_keeps_the_tab_as_it_was(make_ctrl, wait):
    registry = RunRegistry(max_runs=1)
    a, b = make_ctrl(registry, epochs=1), make_ctrl(registry, epochs=500)
    a.param.trigger("start")
    wait(a, lambda: a.state.status == ev.FINISHED, 120, "a's short run to finish")
    a.session.join(10)
    b.param.trigger("start")
    wait(b, lambda: b.state.epoch >= 1, 120, "b's run to train")
    shown = (a.session, a.state.run_id, len(a.streams.loss_buffer.data), a.streams.latent_pipe.data["epoch"])
    cleared = []
    a.state.param.watch(lambda _: cleared.append(1), "views_cleared")

    a.param.trigger("start")  # refused: b holds the only slot

    assert a.state.notice.startswith("busy, 1 runs active (the server allows 1)")
    assert (a.session, a.state.run_id, len(a.streams.loss_buffer.data), a.streams.latent_pipe.data["epoch"]) == shown
    assert not cleared and len(a.runs.list()) == 1  # no run was prepared for nothing
    assert a.state.status == ev.FINISHED and registry.active() == 1


def test_the_registry_keeps_live_runs_and_only_recent_ended_ones(tiny_configs):
    registry = RunRegistry(max_runs=2)
    live = TrainingSession(*tiny_configs(epochs=500, **QUICK_BUILD))
    assert registry.try_start(live, "tab-live")[0]
    try:
        for i in range(KEEP_ENDED + 5):
            s = TrainingSession(*tiny_configs(epochs=1, **QUICK_BUILD))
            assert registry.try_start(s, f"tab{i}")[0]
            s.stop()
            s.join(60)
            assert not s.is_alive()
        snap = registry.snapshot()
        tabs = [r["tab"] for r in snap["runs"]]
        assert live.is_alive()
        assert len(snap["runs"]) == KEEP_ENDED + 1 and snap["active"] == 1
        assert tabs[0] == "tab-live"  # the oldest entry, kept: alive
        assert tabs[1:] == [f"tab{i}" for i in range(5, KEEP_ENDED + 5)]  # newest ended
    finally:
        live.stop()
        live.join(60)


def test_a_closed_tab_lets_its_run_and_data_be_freed(make_ctrl, wait):
    import gc
    import weakref

    from app.dashboard import build_page
    ctrl = make_ctrl(RunRegistry(max_runs=2), epochs=500)
    build_page(ctrl)  # every view of the page, each with its hooks
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.epoch >= 2, 120, "two epochs (probes, inspector, files saw them)")
    s = ctrl.session
    held = [weakref.ref(x) for x in (s, s.model, s.dataset)]
    ctrl.shutdown()  # what the page does when the tab's session is destroyed
    s.join(60)
    assert not s.is_alive() and s.status == ev.STOPPED
    del s
    gc.collect()
    assert [r() is None for r in held] == [True, True, True]  # while ctrl itself lives
    assert ctrl.streams.preview.dataset is None and ctrl.streams.last_epoch is None and ctrl.streams.preview_pipe.data is None


def test_closing_a_tab_completes_though_its_page_can_no_longer_be_updated(make_ctrl, wait):
    """A destroyed page raises on any update (Bokeh: "'Document' object has no attribute
    '_theme'"); the latent legend watches the latent data, which closing clears. Closing
    must still stop the run and mark the tab closed in the debug listing."""
    from app.dashboard import build_page
    registry = RunRegistry(max_runs=1)
    ctrl = make_ctrl(registry, epochs=500)
    build_page(ctrl)
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.epoch >= 1, 120, "epoch 1")
    s = ctrl.session

    def page_gone(_event):
        raise AttributeError("'Document' object has no attribute '_theme'")
    ctrl.streams.latent_pipe.param.watch(page_gone, "data")
    ctrl.shutdown()
    s.join(60)
    assert not s.is_alive() and s.status == ev.STOPPED
    runs = [r for r in registry.snapshot()["runs"] if r["tab"] == ctrl.tab]
    assert runs and all(r["closed"] for r in runs)
