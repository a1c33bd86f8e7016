"""Cards whose body is built when it is first needed, not when the tab opens.

Building a tab's page was its slowest part: every card's HoloViews panes rendered to Bokeh
models before the first byte went out (docs/benchmarks.md, "A new tab"). A ``lazy_card``
holds a placeholder until:

- ``folded=True``: the user opens it (its first expand). A card nobody opens costs
  nothing, also per epoch: its plots do not exist, so they are not redrawn.
- ``folded=False``: the page has loaded in the browser (``pn.state.onload``). The first
  document is small; the body follows in one message once Start and the first plots show.

``build`` is called once, on the event loop, and must return a view of the tab's *current*
state (a card opened after training shows the run as it is now): the views read their
streams' and the controller's present values when they are made.
"""
from __future__ import annotations

import logging
import re
from typing import Callable

import panel as pn

log = logging.getLogger(__name__)

#: The placeholder's class: a page with one is still loading a part (bench_page waits).
DEFERRED_CSS = "tsvae-deferred"


def _placeholder(text: str) -> pn.pane.HTML:
    return pn.pane.HTML(f"<span class='{DEFERRED_CSS}'>{text}</span>", margin=(5, 10),
                        sizing_mode="stretch_width")


def lazy_card(title: str, build: Callable[[], object], folded: bool = True,
              **params) -> pn.Card:
    """A card titled ``title`` whose body ``build()`` makes on first need (see above).
    ``params`` go to ``pn.Card`` (e.g. ``visible``). The card's ``built`` attribute says
    whether the body exists, ``body`` what ``build`` returned (None until then)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    css = [f"tsvae-card-{slug}", *params.pop("css_classes", [])]
    card = pn.Card(_placeholder("opening…" if folded else "loading…"), title=title,
                   collapsed=folded, collapsible=True, sizing_mode="stretch_width",
                   css_classes=css, **params)
    card.built, card.body = False, None

    def fill(*_events) -> None:
        if card.built:
            return
        card.built = True
        try:
            body = build()
        except Exception as exc:  # a card that fails must not take the page with it
            log.exception("building the %s card failed", title)
            card.objects = [pn.pane.Alert(f"This card failed to build: {exc}",
                                          alert_type="danger")]
            return
        card.body = body
        with pn.io.hold():  # the body's models go to the browser in one message
            card.objects = [body]

    def on_expand(event) -> None:
        if not event.new:  # opened
            card.param.unwatch(watcher)
            fill()

    if folded:
        watcher = card.param.watch(on_expand, "collapsed")
    else:
        pn.state.onload(fill)  # at once where there is no browser session (tests, scripts)
    return card
