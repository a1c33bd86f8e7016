"""The Sweep card's views: trial rows (``tsvae_core.sweep.run.TrialRow``) in, a table
(DataFrame) or holoviews elements out. Nothing here knows about the study or widgets."""
from __future__ import annotations

import math

import holoviews as hv
import holoviews.plotting.bokeh  # noqa: F401  (registers the bokeh options used below)
import numpy as np
import pandas as pd

from .sweep_parallel import parallel_coordinates  # noqa: F401  (the card's third view)

#: Marker colour of each trial state in the objective plot.
STATE_COLORS = {"complete": "#4fc3f7", "pruned": "#ffb74d", "failed": "#e57373",
                "running": "#f5f5f5"}
TRIAL, OBJECTIVE = hv.Dimension("trial"), hv.Dimension("objective")
#: Declared text: the plot's first frame (no importances yet) makes a categorical axis,
#: which the field names then fill (a numeric axis cannot take them).
FIELD = hv.Dimension("field", type=str)


def _number(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def trials_table(rows, names: list[str]) -> pd.DataFrame:
    """One row per trial: number, state, the varied fields, objective, epochs, time, model."""
    table = [{"trial": r.number, "state": r.state,
              **{n: _number(r.params.get(n, "")) for n in names},
              "objective": r.value if math.isfinite(r.value) else None,
              "epochs": r.epochs, "time (s)": round(r.seconds, 1),
              "model": "saved" if r.model_path else "", "note": r.message} for r in rows]
    columns = ["trial", "state", *names, "objective", "epochs", "time (s)", "model", "note"]
    return pd.DataFrame(table, columns=columns)


def objective_by_trial(data) -> hv.Overlay:
    """The objective of each trial (coloured by state) and the best so far."""
    rows, direction = data if data else ([], "minimize")
    layers = []
    for state, color in STATE_COLORS.items():
        pts = [(r.number, r.value) for r in rows if r.state == state and math.isfinite(r.value)]
        layers.append(hv.Scatter(pts or [(np.nan, np.nan)], TRIAL, OBJECTIVE, label=state)
                      .opts(color=color, size=8, framewise=True))
    done = sorted((r.number, r.value) for r in rows
                  if r.state == "complete" and math.isfinite(r.value))
    pick = np.fmin if direction == "minimize" else np.fmax
    best = pick.accumulate([v for _, v in done]) if done else []
    layers.append(hv.Curve(list(zip([n for n, _ in done], best)) or [(np.nan, np.nan)],
                           TRIAL, OBJECTIVE, label="best so far")
                  .opts(color="#81c784", line_width=2, framewise=True))
    # framewise: the axes follow each update (the first one had no trial)
    # the legend beside the plot: inside it would cover the first trials' points
    return hv.Overlay(layers).opts(title="objective by trial", legend_position="right",
                                   show_grid=True, framewise=True, responsive=True,
                                   min_height=280)


def importance_bars(data: dict) -> hv.Bars:
    """Each varied field's share of the objective's variance (fANOVA), from
    ``{field: importance}``."""
    items = sorted((data or {}).items(), key=lambda kv: -kv[1])
    return hv.Bars(items, FIELD, hv.Dimension("importance")).opts(
        color="#4fc3f7", title="parameter importance", ylim=(0, 1), framewise=True,
        responsive=True, min_height=220)
