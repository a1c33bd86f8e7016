"""Cards built when first needed (app.cards.lazy): nothing is lost by building late. A card
opened after training shows the run as it is then, not an empty view."""
from __future__ import annotations

import holoviews as hv
import panel as pn

from app.cards.lazy import DEFERRED_CSS, lazy_card
from app.tab.controller import Controller
from app.dashboard import build_page
from app.server.runs import RunRegistry
from apptools import close_tabs


def _cards(page) -> dict[str, pn.Card]:
    return {c.title: c for obj in page.main for c in pn.panel(obj).select(pn.Card)}


def test_a_folded_card_is_built_on_its_first_open_only():
    calls = []
    card = lazy_card("Some view", lambda: calls.append(1) or pn.pane.Markdown("body"))
    assert card.collapsed and not card.built and calls == []
    assert DEFERRED_CSS in card[0].object  # the placeholder
    card.collapsed = False
    assert card.built and calls == [1] and card[0].object == "body"
    card.collapsed, card.collapsed = True, False  # folded and opened again: not rebuilt
    assert calls == [1]


def test_a_card_that_fails_to_build_says_so_and_the_page_stays():
    card = lazy_card("Broken", lambda: 1 / 0)
    card.collapsed = False
    assert isinstance(card[0], pn.pane.Alert) and "ZeroDivisionError" not in card[0].object
    assert "division by zero" in card[0].object


def test_the_page_builds_only_the_open_cards(tiny_configs):
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    cards = _cards(build_page(ctrl))
    # open ones are built (here at once: no browser session to wait for)
    for title in ("Latent space", "Loss", "Reconstruction", "Latent quality"):
        assert not cards[title].collapsed and getattr(cards[title], "built", True)
    for title in ("What this family adds", "Inspect", "Probes", "Runs", "Sweep",
                  "Save, load and download", "Generated data"):
        assert cards[title].collapsed and not cards[title].built, title
    ctrl.shutdown()


def _columns(pane) -> dict[str, int]:
    """Bokeh column -> rows of the pane's rendered plot."""
    from bokeh.models import ColumnDataSource
    root = pane.get_root()
    found = {}
    for src in root.select({"type": ColumnDataSource}):
        for k, v in src.data.items():
            found[k] = max(found.get(k, 0), len(v))
    return found


def test_cards_opened_after_training_show_the_runs_latest_state(tiny_configs, wait):
    # sparse_ae: a family with its own view and log curve, so the family card has content
    ctrl = Controller(*tiny_configs(architecture="sparse_ae", epochs=2), tab="late",
                      registry=RunRegistry(max_runs=1))
    try:
        cards = _cards(build_page(ctrl))
        ctrl.param.trigger("start")
        wait(ctrl, lambda: ctrl.state.status == "finished", 180, "the run to finish")
        for card in cards.values():
            card.collapsed = False  # opened only now
        family = cards["What this family adds"].body
        assert [p.css_classes[0] for p in family._grid] == ["tsvae-family-curves",
                                                           "tsvae-family-mean_activation"]
        assert _columns(family._grid[1]).get("mean_activation", 0) > 0
        files = cards["Save, load and download"].body
        assert files.availability() == dict(model="", history="", latent="", config="")
        runs = cards["Runs"].body
        assert ctrl.state.run_id in runs.table.object and "finished" in runs.table.object
        quality = _columns(cards["Latent quality"][0])
        assert quality.get("epoch", 0) == 2  # both epochs' rows
        recon = cards["Reconstruction"].body
        assert recon._pipe.data["outputs"] is not None  # the trained reconstruction
        preview = cards["Generated data"][0]
        assert _columns(preview).get("series_value", 0) > 0
        assert cards["Inspect"].built
    finally:
        close_tabs([ctrl])
