"""The Sweep card: what to vary and how (param-driven widgets), Start/Stop, and the live
views of the study: a sortable trials table, the objective by trial, parallel
coordinates of the varied fields against the objective and, once enough trials
finished, parameter importance. Clicking a row puts that trial's settings into the
sidebar and loads its saved model.

The logic is ``app.cards.sweeper.Sweeper``'s; without Optuna the card says what to install.
"""
from __future__ import annotations

import html
import logging

import holoviews as hv
import panel as pn
from bokeh.models.widgets.tables import NumberFormatter

from tsvae_core.sweep.run import MIN_IMPORTANCE_TRIALS

from ..tab.controller import Controller
from ..plots import sweep as sp
from .sweeper import Sweeper
from .theme import plot_pane

log = logging.getLogger(__name__)

FORM_FIELDS = ["study", "fields", "n_trials", "objective", "direction", "sampler", "pruner"]
#: Tabulator's settings of the trials table's note column (merged by Panel by field).
NOTE_COLUMN = {"field": "note", "formatter": "textarea", "frozen": True, "minWidth": 240}
NOTE_CSS = ".tabulator-cell[tabulator-field='note'] { overflow-wrap: anywhere; }"


class SweepView(pn.viewable.Viewer):
    def __init__(self, ctrl: Controller, sweeper: Sweeper | None = None, **params):
        super().__init__(**params)
        self.sweeper = sweeper or Sweeper(ctrl)
        # The note (why a trial failed or was pruned) is shown whole: sized to its text,
        # it ran past the table's edge, cut mid-word ("the worker cra"); now it wraps in
        # a column frozen at the right edge, which wider tables scroll under.
        self.table = pn.widgets.Tabulator(sp.trials_table([], []), disabled=True,
                                          formatters={"objective": NumberFormatter(
                                              format="0.[0000]")},
                                          layout="fit_data_stretch",
                                          configuration={"columns": [NOTE_COLUMN]},
                                          stylesheets=[NOTE_CSS],
                                          selectable=1, show_index=False, pagination=None,
                                          height=260, sizing_mode="stretch_width",
                                          css_classes=["tsvae-sweep-table"])
        self.table.param.watch(self._on_select, "selection")
        self.ranges = pn.Column(sizing_mode="stretch_width", css_classes=["tsvae-sweep-ranges"])
        self.sweeper.form.param.watch(self._show_ranges, "ranges")
        self.sweeper.param.watch(self._refresh, "rows_changed")
        self._show_ranges()

    # ---- the form ----
    def _show_ranges(self, *_events) -> None:
        # the boxes share the column's width: at their default 300 px each, High and Log
        # ran off a 1500 px wide page
        number = {"type": pn.widgets.FloatInput, "sizing_mode": "stretch_width",
                  "min_width": 80}
        widgets = {"low": number, "high": number,
                   "log": {"type": pn.widgets.Checkbox, "width": 50},
                   "choices": {"type": pn.widgets.MultiChoice, "sizing_mode": "stretch_width"}}
        self.ranges.objects = [
            pn.Param(form, parameters=form.shown(), name=name, widgets=widgets,
                     default_layout=pn.Row, sizing_mode="stretch_width",
                     css_classes=[f"tsvae-sweep-range-{name}"])
            for name, form in self.sweeper.form.ranges.items()]

    # ---- the views ----
    def _refresh(self, *_events) -> None:
        s = self.sweeper
        names = [r.name for r in s.sweep.spec.space] if s.sweep is not None else []
        self.table.value = sp.trials_table(s.rows, names)

    def _on_select(self, event) -> None:
        if not event.new:
            return
        number = int(self.table.value.iloc[event.new[0]]["trial"])
        try:
            self.sweeper.choose(number)
        except ValueError as exc:  # a stored trial whose settings no longer fit
            self.sweeper.message = f"Cannot use trial {number}: {exc}"

    def _importance_note(self) -> str:
        s = self.sweeper
        done = sum(1 for r in s.rows if r.state == "complete")
        if s.sweep is not None and s.sweep.importance:
            return "Parameter importance (fANOVA) of the finished trials:"
        return (f"Parameter importance needs {MIN_IMPORTANCE_TRIALS} finished trials "
                f"({done} so far).")

    def __panel__(self):
        s = self.sweeper
        if s.unavailable:
            return pn.pane.Alert(f"Sweeps are not available here: install tsvae[sweep] "
                                 f"({html.escape(s.unavailable)}).", alert_type="info",
                                 css_classes=["tsvae-sweep-missing"])
        form = pn.Param(s.form, parameters=FORM_FIELDS, show_name=False, sort=False,
                        widgets={"fields": pn.widgets.MultiChoice,
                                 "n_trials": pn.widgets.IntInput},
                        default_layout=pn.Column, sizing_mode="stretch_width",
                        css_classes=["tsvae-sweep-form"])
        start = pn.widgets.Button.from_param(s.param.start, name="Start sweep",
                                             color="primary",
                                             disabled=s.param.running,
                                             css_classes=["tsvae-sweep-start"])
        stop = pn.widgets.Button.from_param(s.param.stop, name="Stop sweep",
                                            disabled=s.param.running.rx.not_(),
                                            css_classes=["tsvae-sweep-stop"])
        # the classes inside the HTML: the browser tests read these elements' text
        # stretched: sized to its text, a long message ran past the page's edge
        status = pn.pane.HTML(pn.bind(
            lambda text, state: f"<span class='tsvae-sweep-status' data-status='{state}'>"
                                f"{html.escape(text)}</span>", s.param.message, s.param.status),
            sizing_mode="stretch_width")
        note = pn.pane.HTML(pn.bind(
            lambda _: f"<span class='tsvae-sweep-importance-note'>"
                      f"{html.escape(self._importance_note())}</span>", s.param.rows_changed))
        plots = pn.GridBox(
            plot_pane(hv.DynamicMap(sp.objective_by_trial, streams=[s.trials_pipe]),
                      min_height=280, linked_axes=False),
            plot_pane(hv.DynamicMap(sp.parallel_coordinates, streams=[s.parallel_pipe]),
                      min_height=280, linked_axes=False),
            ncols=2, sizing_mode="stretch_width")
        key = pn.pane.HTML(
            "<span class='tsvae-sweep-parallel-key'>Parallel coordinates: each axis in its "
            "field's own values; one line per finished trial, coloured by its objective "
            "(brightest: best); white: the best trial; dashed grey: pruned trials, at the "
            "value of the epoch they were stopped after.</span>", sizing_mode="stretch_width")
        importance = plot_pane(hv.DynamicMap(sp.importance_bars, streams=[s.importance_pipe]),
                               min_height=220, linked_axes=False)
        return pn.Column(
            pn.Row(pn.Column(form, sizing_mode="stretch_width"),
                   pn.Column("Ranges of the chosen fields (bounds are the fields' own)",
                             self.ranges, sizing_mode="stretch_width"),
                   sizing_mode="stretch_width"),
            pn.Row(start, stop, status, sizing_mode="stretch_width"), self.table, plots, key,
            note, importance,
            sizing_mode="stretch_width", css_classes=["tsvae-sweep"])
