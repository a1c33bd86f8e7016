"""Numbers typed into the sidebar out of their range: named, kept from the config, and
Start waits (the browser's message is simulated with the widget's own event path)."""
from __future__ import annotations

import pytest

from app.cards.settings import Settings
from app.tab.controller import Controller
from app.server.runs import RunRegistry
from app.cards.typed_inputs import CheckedFloatInput, CheckedIntInput, typed_problem
from tsvae_core.config import field_owner


@pytest.fixture
def page(tiny_configs):
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    layout = Settings(ctrl).__panel__()
    boxes = {w.spec.name: w for w in layout.select(lambda o: isinstance(
        o, (CheckedIntInput, CheckedFloatInput)))}
    yield ctrl, boxes
    ctrl.shutdown()


def type_into(box, value):
    """What Panel does with the value the browser sends when Enter is pressed."""
    box._process_events({"value": value})


@pytest.mark.parametrize("field, value, fragment", [
    ("epochs", -5, "epochs=-5: allowed range: an integer in 1..100000"),
    ("latent_dim", 0, "latent_dim=0: allowed range: an integer in 1..64"),
    ("latent_dim", 1000, "latent_dim=1000: allowed range: an integer in 1..64"),
    ("learning_rate", 0.0, "learning_rate=0.0: allowed range: a number in 1e-08..100000.0"),
    ("learning_rate", 1e9, "learning_rate=1000000000.0: allowed range"),
    ("seq_len", 7, "seq_len=7: allowed range: an integer in 8..1024"),
    ("seq_len", 5000, "seq_len=5000: allowed range: an integer in 8..1024"),
    ("epochs", None, "epochs is empty: allowed range: an integer in 1..100000"),
])
def test_an_out_of_range_value_is_named_and_start_waits(page, field, value, fragment):
    ctrl, boxes = page
    cfg = next(c for c in (ctrl.data, ctrl.model, ctrl.train) if field in c.param)
    before = getattr(cfg, field)
    assert ctrl.state.can_start and ctrl.state.error == ""
    type_into(boxes[field], value)
    assert fragment in ctrl.state.error and ctrl.state.error.startswith("Invalid settings: ")
    assert getattr(cfg, field) == before           # the config keeps its value
    assert not ctrl.state.can_start and not ctrl.state.can_step
    ctrl.param.trigger("start")                     # a Start from elsewhere does nothing
    assert ctrl.session is None


def test_a_good_value_clears_the_message_and_applies(page):
    ctrl, boxes = page
    type_into(boxes["epochs"], -5)
    type_into(boxes["latent_dim"], 0)
    assert "epochs=-5" in ctrl.state.error and "latent_dim=0" in ctrl.state.error
    type_into(boxes["epochs"], 7)
    assert "epochs" not in ctrl.state.error and "latent_dim=0" in ctrl.state.error and not ctrl.state.can_start
    assert ctrl.train.epochs == 7
    ctrl.model.latent_dim = 3  # set from Python (a preset, a link): the box shows it
    assert ctrl.state.error == "" and ctrl.state.can_start and boxes["latent_dim"].value == 3


def test_the_browser_gets_no_bounds_so_it_cannot_clamp(page):
    _ctrl, boxes = page
    assert boxes["epochs"].start is None and boxes["epochs"].end is None
    model = boxes["epochs"].get_root()  # the Bokeh model the page gets (renders at all)
    assert model.low is None and model.high is None and model.value == 3
    assert set(boxes) >= {"epochs", "latent_dim", "learning_rate", "seq_len", "noise_size"}


def test_typed_problem_checks_type_and_bounds():
    p = field_owner("epochs").param["epochs"]
    assert typed_problem(p, 5) == "" and typed_problem(p, 1) == ""
    assert "epochs=2.5" in typed_problem(p, 2.5)
    lr = field_owner("learning_rate").param["learning_rate"]
    assert typed_problem(lr, 1e-3) == "" and "learning_rate=NaN" in typed_problem(lr, float("nan"))
