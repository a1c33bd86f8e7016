"""Plots of the inspect and probe views: arrays in, holoviews elements out.

Each function takes ``None`` (nothing yet) and returns an element of the same type then,
as a DynamicMap requires. Bokeh column names are stable for the browser tests:
``inspect_value`` (the tapped window), ``inspect_output`` (reconstruction or decoded
window), ``grid_value`` (the latent grid) and ``probe_x``/``probe_y`` (probe markers).
"""
from __future__ import annotations

import holoviews as hv
import numpy as np

from .training import PATTERN_PALETTE

_BASE = dict(responsive=True, min_height=280, framewise=True)
#: Marker colour of each probe on the latent plot.
PROBE_COLORS = {"new": "#ffffff", "outlier": "#ff00ff", "rolled": "#ffff00"}


def _paths(window, names, value: str) -> hv.Path:
    """One path per channel of a (seq_len, channels) window, coloured by channel."""
    if window is None:  # a Path with value dimensions cannot be empty: one NaN point
        paths = [{"step": np.array([np.nan]), value: np.array([np.nan]), "channel": ""}]
    else:
        steps = np.arange(len(window))
        paths = [{"step": steps, value: np.asarray(window)[:, c], "channel": name}
                 for c, name in enumerate(names)]
    return hv.Path(paths, ["step", value], vdims=["channel"]).opts(
        color=hv.dim("channel"), cmap=list(PATTERN_PALETTE))


def inspected_window(data) -> hv.Overlay:
    """The tapped window (solid) and its reconstruction (dashed), or a decoded window."""
    names = data["channel_names"] if data else []
    inputs = _paths(data["inputs"] if data else None, names, "inspect_value")
    outputs = _paths(data["outputs"] if data else None, names, "inspect_output")
    title = data["title"] if data else "Tap the latent plot"
    return (inputs.opts(line_width=2, tools=["hover"])
            * outputs.opts(line_width=2, line_dash="dashed", tools=["hover"])
            ).opts(title=title, xlabel="step", ylabel="value", **_BASE)


def channel_legend(names) -> str:
    """HTML: each channel's name in its colour (Path elements draw no legend)."""
    return " ".join(f"<span style='color:{PATTERN_PALETTE[i % len(PATTERN_PALETTE)]}'>"
                    f"&#9632; {n}</span>" for i, n in enumerate(names))


def latent_grid(data) -> hv.Path:
    """Decoded windows of a regular latent grid, each drawn as a small curve in its cell
    (the Keras VAE example's latent map, for one channel of a time series)."""
    paths, title = [], "Latent grid (switch it on; needs a 2-D latent)"
    if data:
        windows, centers, cell = data["windows"], data["centers"], np.asarray(data["cell"])
        lo, hi = float(windows.min()), float(windows.max())
        height = (windows - lo) / (hi - lo) if hi > lo else np.full_like(windows, 0.5)
        t = np.linspace(-0.45, 0.45, windows.shape[1])
        for (cx, cy), h in zip(centers, height):
            paths.append({"grid_x": cx + t * cell[0], "grid_value": cy + (h - 0.5) * 0.9 * cell[1]})
        title = (f"Latent grid: channel {data['channel']} decoded at {len(centers)} points, "
                 f"epoch {data['epoch']}")
    return hv.Path(paths, ["grid_x", "grid_value"]).opts(
        color="#4fc3f7", line_width=1.5, title=title, xlabel="z[0]", ylabel="z[1]", **_BASE)


def probe_markers(data) -> hv.Overlay:
    """Large labelled markers of the probes' latent points on the latent plot."""
    names = list(data["names"]) if data else []
    xy = np.asarray(data["xy"], dtype=float).reshape(-1, 2) if data else np.zeros((0, 2))
    colors = [PROBE_COLORS.get(n, "#ffffff") for n in names]
    cols = {"probe_x": xy[:, 0], "probe_y": xy[:, 1], "probe": names, "probe_color": colors}
    points = hv.Points(cols, ["probe_x", "probe_y"], ["probe", "probe_color"]).opts(
        color="probe_color", marker="star", size=22, line_color="black", tools=["hover"])
    labels = hv.Labels(cols, ["probe_x", "probe_y"], "probe").opts(
        text_color="white", text_font_size="12pt", yoffset=0, text_align="left",
        text_baseline="bottom", xoffset=0)
    return points * labels
