"""The data's size before Start, and the confirmation a large run needs."""
from __future__ import annotations

import panel as pn
import pytest

from app.cards.header import StatusLine
from app.cards.settings import Settings
from app.tab.controller import Controller
from app.tab.data_size import MAX_QUIET_BATCHES, data_size, size_summary, size_warning
from app.server.runs import RunRegistry
from tsvae_core import events as ev
from tsvae_core.config import make_configs


def test_the_issue_link_is_large_and_says_why():
    data, _, train = make_configs("quick", repeats=1000, noise_size=1_000_000)
    s = data_size(data, train)
    assert s.windows == 1_159_969 and s.batches == -(-data.n_train() // 32) == 29_000
    assert "Data: 1,159,969 windows (991.2 MB); 29,000 batches of 32 an epoch" == \
        size_summary(data, train)
    text = size_warning(data, train)
    assert "29,000 batches an epoch (more than 2,000" in text and "start anyway" in text


def test_the_memory_threshold_alone_asks_too():
    data, _, train = make_configs("quick", repeats=1000, noise_size=1_000_000, n_features=8,
                                  batch_size=1024)
    s = data_size(data, train)
    assert s.batches < MAX_QUIET_BATCHES and s.bytes > 2**30
    assert "GiB of windows" in size_warning(data, train)
    assert "batches an epoch (more" not in size_warning(data, train)


def test_the_presets_start_without_asking():
    for preset in ("quick", "paper"):
        data, _, train = make_configs(preset)
        assert size_warning(data, train) == ""


@pytest.fixture
def large_tab(tiny_configs):
    # many batches, little memory: 2 windows a batch
    ctrl = Controller(*tiny_configs(noise_size=6000, batch_size=2, epochs=1),
                      registry=RunRegistry(max_runs=1))
    yield ctrl
    s = ctrl.session
    ctrl.shutdown()
    if s is not None:
        s.join(30)


def test_start_of_a_large_run_asks_first_and_start_anyway_runs_it(large_tab, wait):
    ctrl = large_tab
    assert data_size(ctrl.data, ctrl.train).batches > MAX_QUIET_BATCHES
    assert ctrl.state.size_summary.startswith("Data: ") and "batches of 2 an epoch" in ctrl.state.size_summary
    ctrl.param.trigger("start")
    assert ctrl.session is None and "This run is large" in ctrl.state.size_warning
    assert ctrl.state.can_start                                   # asking is not an error
    # the page shows the question with its button
    line = StatusLine(ctrl).__panel__()
    button = next(b for b in line.select(pn.widgets.Button)
                  if "tsvae-start-anyway" in b.css_classes)
    button.clicks += 1                                       # what a click does
    assert ctrl.state.size_warning == "" and ctrl.session is not None
    wait(ctrl, lambda: ctrl.state.status in (ev.RUNNING, *ev.ENDED), 60, "the run to start")
    assert ctrl.state.status == ev.RUNNING, ctrl.state.error


def test_changed_settings_ask_again(large_tab):
    ctrl = large_tab
    ctrl.param.trigger("step")                               # Step asks as well
    assert "This run is large" in ctrl.state.size_warning and ctrl.session is None
    ctrl.train.learning_rate = 0.01                          # another question now
    assert ctrl.state.size_warning == ""
    ctrl.param.trigger("start")
    assert ctrl.state.size_warning and ctrl.session is None
    ctrl.train.batch_size = 64                               # small again: no question
    ctrl.param.trigger("start")
    assert ctrl.state.size_warning == "" and ctrl.session is not None


def test_the_sidebar_shows_the_size(tiny_configs):
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    layout = Settings(ctrl).__panel__()
    pane = next(p for p in layout.select(pn.pane.HTML) if "tsvae-data-size" in p.css_classes)
    n = ctrl.data.n_windows()
    assert f"{n:,} windows" in pane.object
    ctrl.data.noise_size = 500
    assert f"{ctrl.data.n_windows():,} windows" in pane.object and ctrl.data.n_windows() != n
    ctrl.shutdown()
