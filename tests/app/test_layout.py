"""The page's structure: widgets from the configs, advanced fields folded away."""
from __future__ import annotations

import panel as pn

from app.cards.header import Controls
from app.cards.settings import Settings, _fields
from app.tab.controller import Controller
from app.dashboard import build_page
from app.server.runs import RunRegistry


def _params_panes(obj):
    return [o for o in obj.select(pn.Param)]


def test_settings_group_widgets_and_fold_advanced_fields(tiny_configs):
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    col = Settings(ctrl).__panel__()
    cards = [o for o in col if isinstance(o, pn.Card)]
    assert [c.title for c in cards] == ["Model", "Training", "Data"]
    for card, cfg in zip(cards, (ctrl.model, ctrl.train, ctrl.data)):
        main, advanced = card[0], card[1]
        assert isinstance(advanced, pn.Card) and advanced.collapsed
        assert not advanced.built  # built when first opened (app.cards.lazy)
        advanced.collapsed = False
        assert set(main.parameters) == set(_fields(cfg, advanced=False))
        assert set(advanced[0].parameters) == set(_fields(cfg, advanced=True))
        assert not card.collapsed
    assert cards[0][0].parameters[:4] == ["architecture", "activation", "latent_dim", "time_bypass"]
    assert cards[1][0].parameters[:4] == ["optimizer", "learning_rate", "batch_size", "epochs"]
    assert "conv_filters" in cards[0][1][0].parameters  # precedence 0.9: folded
    # a widget edits the config it came from
    (widget,) = [w for w in cards[0][0].select(pn.widgets.Widget) if w.label == "Latent dim"]
    # the range is checked on the server (app.cards.typed_inputs), not clamped in the browser
    assert isinstance(widget, pn.widgets.IntInput) and widget.end is None
    assert widget.spec.bounds == (1, 64)
    widget.value = 5
    assert ctrl.model.latent_dim == 5
    ctrl.shutdown()


def test_buttons_follow_the_controller_state(tiny_configs):
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    buttons = {b.label: b for b in Controls(ctrl).__panel__()}
    assert set(buttons) == {"Start", "Pause", "Stop", "Step", "Reset"}
    assert not buttons["Start"].disabled and buttons["Stop"].disabled
    ctrl.state.param.update(can_start=False, can_stop=True)
    assert buttons["Start"].disabled and not buttons["Stop"].disabled
    ctrl.state.status = "paused"
    assert buttons["Pause"].label == "Resume"
    ctrl.shutdown()


def test_page_is_a_dark_template_with_the_views(tiny_configs):
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    page = build_page(ctrl)
    assert isinstance(page, pn.template.FastListTemplate)
    assert issubclass(page.theme, pn.theme.DarkTheme)
    titles = [c.title for obj in page.main for c in pn.panel(obj).select(pn.Card)]
    for t in ("Latent space", "Loss", "Reconstruction", "Latent quality", "What this family adds",
              "Generated data"):
        assert t in titles
    ctrl.shutdown()
