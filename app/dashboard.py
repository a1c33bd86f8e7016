"""Assemble one tab's page: controller, components, template, periodic callback."""
from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import logging
import sys
import weakref

import panel as pn
from panel.io.resources import CDN_DIST, LOCAL_DIST

from .cards.anomaly_streams import AnomalyStreams
from .cards.anomaly import AnomalyView
from .cards.family import FamilyView
from .cards.files import FilesView
from .cards.header import Controls, StatusLine
from .cards.inspection import InspectView
from .cards.lazy import lazy_card
from .cards.probes import ProbeView
from .cards.runs import RunsView
from .cards.settings import Settings
from .cards.sweep import SweepView
from .cards.training import LatentView, LossView, PreviewView, QualityView, ReconView
from .tab.controller import Controller
from .cards.inspector import Inspector
from .cards.prober import Prober
from .tab.requested_settings import initial_configs
from .server.stranded import resend_stranded
from .tab.url_sync import sync_url

log = logging.getLogger(__name__)

TRIM_CHECK_S = 5  # how often a closed tab's stopping run is looked at until it ended
POLL_MS = 200  # event-queue drain period: bounds the epoch-end-to-browser delay
TITLE = "tsvae · a time-series VAE, learning live"


class OfflineFast(pn.theme.Fast):
    """The Fast design without its Google Fonts link: the page must not need the internet
    (the font stack falls back to the system's sans-serif)."""

    # Resources are resolved relative to the class name unless they start with the
    # bundle prefix, so the design's own script is named by its full bundled path.
    _resources = {
        **pn.theme.Fast._resources,
        "font": {},
        "js_modules": {**pn.theme.Fast._resources["js_modules"],
                       "fast-design": f"{CDN_DIST}bundled/fast/js/fast_design.js"},
    }


def _batching(doc):
    """A context for an epoch's plot updates: the document's model graph frozen and its
    events held. Each plot update would otherwise re-walk every model of the page and
    send its own message; this way it is one walk and one message per epoch."""
    @contextlib.contextmanager
    def batch():
        with doc.models.freeze(), pn.io.hold(doc):
            yield
    return batch


def _card(title: str, body, **params) -> pn.Card:
    return pn.Card(body, title=title, collapsible=False, sizing_mode="stretch_width", **params)


def build_page(ctrl: Controller) -> pn.template.FastListTemplate:
    """The tab's page. The first document holds the header and the two plots a user
    watches first (latent space, loss); the other open cards follow once the page has
    loaded, and folded ones are built when first opened (app.cards.lazy): building
    every card up front was most of a new tab's wait (docs/benchmarks.md)."""
    header = pn.Column(Controls(ctrl), StatusLine(ctrl), sizing_mode="stretch_width")
    inspector, prober, anomaly = Inspector(ctrl), Prober(ctrl), AnomalyStreams(ctrl)
    main = [
        header,
        pn.Row(_card("Latent space", LatentView(ctrl, inspector, prober)),
               _card("Loss", LossView(ctrl)), sizing_mode="stretch_width"),
        pn.Row(lazy_card("Reconstruction", lambda: ReconView(ctrl), folded=False),
               lazy_card("Latent quality", lambda: QualityView(ctrl), folded=False),
               sizing_mode="stretch_width"),
        lazy_card("What this family adds", lambda: FamilyView(ctrl)),
        # only for data that are one continuous series (not the synthetic demo's windows)
        lazy_card("Anomalies", lambda: AnomalyView(anomaly), visible=anomaly.param.has_series),
        pn.Row(lazy_card("Inspect", lambda: InspectView(ctrl, inspector)),
               lazy_card("Probes", lambda: ProbeView(ctrl, prober)),
               sizing_mode="stretch_width"),
        lazy_card("Runs", lambda: RunsView(ctrl)),
        lazy_card("Sweep", lambda: SweepView(ctrl)),
        lazy_card("Save, load and download", lambda: FilesView(ctrl)),
        lazy_card("Generated data", lambda: PreviewView(ctrl)),
    ]
    return pn.template.FastListTemplate(
        # main as one root: Bokeh re-walks the whole document for each root added
        title=TITLE, theme="dark", sidebar=[Settings(ctrl)],
        main=[pn.Column(*main, sizing_mode="stretch_width")], sidebar_width=340,
        main_layout=None, accent="#4fc3f7", busy_indicator=None, header_background="#1b2733", design=OfflineFast,
        font="Open Sans, DejaVu Sans, sans-serif")


def _local_resources(doc) -> None:
    """Resolve Panel's stylesheets to this server from the first model on.

    Panel writes a component's CSS address as the CDN's and rewrites it to the server's
    by the document's ``dist_url``, which it sets only when the page's HTML is rendered;
    a model made before that (or re-made by a callback racing the render) kept the CDN
    address, and the browser fetched loading/button/alerts/listpanel and the Fast theme
    CSS from the internet. Setting it before any model exists leaves no such window.
    """
    if doc is None or doc.session_context is None:
        return
    rel = pn.state.rel_path
    doc._template_variables.setdefault("dist_url", f"{rel}/{LOCAL_DIST}" if rel else LOCAL_DIST)


def new_tab() -> tuple[Controller, pn.template.FastListTemplate]:
    """One browser tab's controller and page, wired to the current Bokeh session."""
    _local_resources(pn.state.curdoc)
    preset, (data, model, train), problem = initial_configs(pn.state.session_args)
    ctx = pn.state.curdoc.session_context if pn.state.curdoc else None
    tab = ctx.id if ctx is not None else "local"
    if pn.state.curdoc is not None:
        # The page is dark (build_page). Panel gives a component the session's theme when
        # it is made: without this, a card built on its first open (app.cards.lazy) was
        # drawn in the light theme's dark text on the dark page, unreadable.
        pn.config.theme = "dark"  # for this session only (Panel keeps it per document)
    ctrl = Controller(data, model, train, tab=tab, preset=preset)
    if problem:
        ctrl.state.notice = problem
    if pn.state.curdoc is not None:
        ctrl.streams.batch_updates = _batching(pn.state.curdoc)
        ctrl.resend_stranded = functools.partial(resend_stranded, pn.state.curdoc)
        sync_url(ctrl)
    # Polling starts once the page reports it has rendered the document: Panel (1.9)
    # drops the updates of a batch that ends before then (it counts on the page pulling
    # the whole document later, but the page pulled it already), so a plot re-made from
    # the data preview in that window never reached a slow page, and every later update
    # of it failed there ("reference pNNN isn't known"; tests/e2e/test_slow_page.py).
    pn.state.onload(lambda: pn.state.add_periodic_callback(ctrl.poll, period=POLL_MS))

    def _destroyed(_ctx):
        log.info("tab %s closed: stopping its run", tab)
        stopping = [weakref.ref(s) for s in ctrl.registry.live_runs(tab)]
        ctrl.shutdown()
        _trim_when_ended(stopping)

    pn.state.on_session_destroyed(_destroyed)
    log.info("tab %s opened (preset %s)", tab, preset)
    return ctrl, build_page(ctrl)


def _trim_when_ended(stopping: list) -> None:
    """Hand the memory of a closed tab's run back to the system once its thread ended.

    glibc keeps freed memory in per-thread arenas (each training thread had its own);
    without a trim the server's RSS stays at its peak although nothing uses it
    (measured: 140-200 MB after a dozen tiny runs). A run stopped during its first
    step ends only after it (minutes under load), so the check repeats until then;
    the references are weak, so the run is freed meanwhile."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return
    from tornado.ioloop import IOLoop
    loop = IOLoop.current()

    def check():
        if any((s := ref()) is not None and s.is_alive() for ref in stopping):
            loop.call_later(TRIM_CHECK_S, check)
        else:
            # the run's model, optimizer and data sit in reference cycles: an idle server
            # allocates too little for Python's own collector to run, so they would stay
            gc.collect()
            libc.malloc_trim(0)

    loop.call_later(TRIM_CHECK_S, check)


def serve_session() -> pn.template.FastListTemplate:
    """Called once per browser tab by app/main.py."""
    return new_tab()[1]
