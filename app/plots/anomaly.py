"""Plots of the anomaly card: the anomaly pipe's data (``app.cards.anomaly_streams.drawn``) or the
metrics Buffer's frame in, holoviews elements out.

Each function returns the same element structure with or without data (a DynamicMap keeps
its type). Column names are stable: the tests look for them in the Bokeh sources.
"""
from __future__ import annotations

import holoviews as hv
import numpy as np
import pandas as pd

from tsvae_core.anomaly.metrics import METRIC_NAMES

from .training import epoch_curve

_BASE = dict(responsive=True, min_height=200, framewise=True)
SERIES_COL, ERROR_COL = "series_value", "step_error"
TRUTH_COLOR, FLAG_COLOR = "#81c784", "#ff5252"
_METRIC_COLORS = ("#4fc3f7", "#ffb74d", "#e57373", "#ba68c8", "#81c784")


def _spans(ranges, color: str, label: str) -> hv.VSpans:
    r = np.asarray(ranges if ranges is not None else np.zeros((0, 2)), dtype=float).reshape(-1, 2)
    return hv.VSpans(r, label=label).opts(color=color, alpha=0.25)


def series_with_labels(data) -> hv.Overlay:
    """The scored part of the series (first data channel), labelled anomalies shaded."""
    rows = data["rows"] if data else np.zeros(0)
    values = data["values"] if data else np.zeros(0)
    title = "Series" + (f" ({data['channel']}), epoch {data['epoch']}" if data else "")
    curve = hv.Curve((rows, values), hv.Dimension("row"), hv.Dimension(SERIES_COL, label="value"),
                     label="series").opts(color="#e0e0e0", line_width=1)
    truth = _spans(data.get("truth") if data else None, TRUTH_COLOR, "labelled")
    return (curve * truth).opts(title=title, legend_position="top_right", **_BASE)


def error_with_threshold(data) -> hv.Overlay:
    """Reconstruction error per step, the threshold line and the flagged ranges."""
    rows = data["rows"] if data else np.zeros(0)
    error = data["error"] if data else np.zeros(0)
    thresh = float(data["threshold"]) if data else 0.0
    curve = hv.Curve((rows, error), hv.Dimension("row"),
                     hv.Dimension(ERROR_COL, label="reconstruction error"),
                     label="error per step").opts(color="#4fc3f7", line_width=1)
    line = hv.HLine(thresh, label="threshold").opts(color="#ffb74d", line_dash="dashed",
                                                    alpha=1.0 if data else 0.0)
    flagged = _spans(data.get("ranges") if data else None, FLAG_COLOR, "flagged")
    title = "Reconstruction error per step"
    if data:
        title += f": threshold {thresh:.3g} ({data['rule']}), {len(data['ranges'])} ranges"
    return (curve * line * flagged).opts(title=title, legend_position="top_right", **_BASE)


def metric_curves(frame: pd.DataFrame) -> hv.Overlay:
    """The metrics against the labels over epochs (the Buffer's frame, wrapped as is)."""
    curves = [glyph for k, c in zip(METRIC_NAMES, _METRIC_COLORS)
              for glyph in epoch_curve(frame, "epoch", hv.Dimension(k, label="score"),
                                       METRIC_NAMES[k], c)]
    return hv.Overlay(curves).opts(title="Against the labels", ylim=(0, 1.02),
                                   legend_position="right", **_BASE)
