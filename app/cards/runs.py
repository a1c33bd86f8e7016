"""The tab's runs: a table of every run (configuration differences highlighted) and a
comparison of earlier runs' val loss and k-NN accuracy curves with the current run's.

It follows ``ctrl.runs`` through ``ctrl.state.param.runs_changed`` (fired after each epoch and
status change). The table is re-rendered only when a row changes, and the comparison's
Pipe gets a full replacement only when the current run gains an epoch, the run set
changes or the overlay selection changes - at most once per epoch.
"""
from __future__ import annotations

import logging

import holoviews as hv
import panel as pn

from ..tab.controller import Controller
from ..plots import runs as rp
from .theme import plot_pane

log = logging.getLogger(__name__)


class RunsView(pn.viewable.Viewer):
    """Run table, the earlier runs to overlay (each newly earlier run is ticked), and the
    comparison plot."""

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        self.pipe = hv.streams.Pipe(data=None)
        self.table = pn.pane.HTML(rp.runs_table([], "", set()), sizing_mode="stretch_width",
                                  css_classes=["tsvae-runs"], stylesheets=[rp.TABLE_CSS])
        self.choice = pn.widgets.CheckBoxGroup(options={}, value=[], inline=True,
                                               css_classes=["tsvae-runs-overlay"])
        self._table_key = self._plot_key = None
        self._known: list[str] = []
        ctrl.state.param.watch(self._refresh, "runs_changed")
        self.choice.param.watch(self._refresh, "value")
        self._refresh()

    @property
    def overlay(self) -> list[str]:
        """Ids of the earlier runs drawn in the comparison."""
        return list(self.choice.value)

    def _earlier(self) -> list:
        """Earlier runs that have at least one epoch, oldest first."""
        return [r for r in self.ctrl.runs.list()
                if r.run_id != self.ctrl.state.run_id and r.history]

    def _refresh(self, *_events) -> None:
        c = self.ctrl
        records = c.runs.list()
        earlier = self._earlier()
        ids = [r.run_id for r in earlier]
        new = [i for i in ids if i not in self._known]  # runs that just became earlier
        self._known = ids
        options = {f"{r.run_id} · {r.config.get('architecture', '?')} · "
                   f"{len(r.history)} epochs": r.run_id for r in reversed(earlier)}
        if options != self.choice.options:
            self.choice.options = options
        wanted = [i for i in self.overlay if i in ids] + new
        if wanted != self.overlay:
            self.choice.value = wanted  # comes back here through the watcher
            return
        table_key = tuple((r.run_id, r.status, len(r.history), r.elapsed_s) for r in records)
        table_key += (c.state.run_id,)
        if table_key != self._table_key:
            self._table_key = table_key
            self.table.object = rp.runs_table(records, c.state.run_id, c.runs.differences())
        current = c.runs.get(c.state.run_id) if c.state.run_id in c.runs else None
        plot_key = (c.state.run_id, len(current.history) if current else 0, tuple(self.overlay),
                    tuple(len(r.history) for r in earlier if r.run_id in self.overlay))
        if plot_key != self._plot_key:
            self._plot_key = plot_key
            chosen = [r for r in earlier if r.run_id in self.overlay]
            try:
                self.pipe.send({"current": rp.run_curves(current) if current else None,
                                "earlier": [rp.run_curves(r) for r in chosen]})
            except Exception:  # a plot's failure must not stop the run that triggered it
                log.exception("the run comparison failed to update")

    def __panel__(self):
        hint = pn.pane.Markdown(
            "Overlay earlier runs (dashed, named at their last epoch; the current run is the "
            "solid white curve):", margin=(5, 10, 0, 10),
            visible=self.choice.param.options.rx.bool())
        plots = pn.GridBox(*[
            plot_pane(hv.DynamicMap(lambda data, key=key: rp.comparison(data, key),
                                    streams=[self.pipe]), min_height=280,
                      linked_axes=False)  # its epochs are not the loss plots' epochs
            for key, _label, _log in rp.PANELS], ncols=2, sizing_mode="stretch_width")
        return pn.Column(self.table, hint, self.choice, plots, sizing_mode="stretch_width")
