"""Plot functions: numpy arrays (or the loss Buffer's DataFrame) in, holoviews elements out.

Nothing here knows about sessions, streams or widgets, so every function can be tested
with plain arrays. Dimension names are stable on purpose: they become the column names
of the Bokeh data sources, which the browser tests read.
"""
from __future__ import annotations

import logging

import holoviews as hv
import holoviews.plotting.bokeh  # noqa: F401  (registers the bokeh options used below)
import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

#: Names of the latent scatter's axes (Bokeh column names; tests look for them).
LATENT_X, LATENT_Y = "latent_x", "latent_y"
NOISE_COLOR = "#ff3030"
#: Pattern colours (pattern id modulo its length); noise is NOISE_COLOR.
PATTERN_PALETTE = ("#4fc3f7", "#ffb74d", "#81c784", "#ba68c8", "#fff176", "#4db6ac",
                   "#f06292", "#a1887f", "#90a4ae", "#aed581", "#7986cb", "#ffd54f")
_LOSS_COLORS = {"loss": "#e0e0e0", "reconstruction_loss": "#4fc3f7", "kl_loss": "#ffb74d"}
_LOSS_LABELS = {"loss": "total", "reconstruction_loss": "reconstruction", "kl_loss": "KL"}
_SMALL_LEGEND = {"label_text_font_size": "8pt", "glyph_width": 16, "glyph_height": 10,
                 "label_height": 10, "spacing": 0, "padding": 4, "margin": 4}
#: Size of the marker drawn at every epoch of a per-epoch curve.
EPOCH_MARKER_SIZE = 5


def epoch_curve(data, kdim, vdim, label: str, color: str, dash: str = "solid",
                width: float = 2) -> list:
    """A per-epoch quantity as a line and a marker at each epoch: a line through one
    point draws nothing, so a run of one epoch would show an empty plot. Both wrap
    ``data`` itself (no copy), so a Buffer streams only its new rows to either."""
    return [hv.Curve(data, kdim, vdim, label=label).opts(color=color, line_dash=dash,
                                                         line_width=width),
            hv.Scatter(data, kdim, vdim, label=label).opts(
                color=color, size=EPOCH_MARKER_SIZE, show_legend=False)]


def loss_curves(data: pd.DataFrame, logy: bool = True, variational: bool = True,
                units: str = "per window") -> hv.Overlay:
    """Total, reconstruction and (for variational families) KL loss per epoch; training
    solid, validation dashed. ``units`` (``loss_units``) labels the axis: the KL is always
    a batch mean, the other terms as the run's loss_reduction reduces them.

    Every curve wraps ``data`` itself (no copy): HoloViews only streams the new rows of a
    Buffer when the element's data *is* the Buffer's data.
    """
    curves = []
    for key in ("loss", "reconstruction_loss") + (("kl_loss",) if variational else ()):
        for prefix, dash in (("", "solid"), ("val_", "dashed")):
            col = prefix + key
            label = ("val " if prefix else "") + _LOSS_LABELS[key]
            curves += epoch_curve(data, "epoch", hv.Dimension(col, label="loss"), label,
                                  _LOSS_COLORS[key], dash)
    title = "Loss"
    if len(data):
        last = data.iloc[-1]
        title = (f"Loss, epoch {int(last['epoch'])}: train {last['loss']:.4g}, "
                 f"val {last['val_loss']:.4g}")
        if not np.isnan(last.get("val_recon_per_window", np.nan)):
            # exact: every window once (the curves are means of per-batch values)
            title += (f"; reconstruction per window, all windows: train "
                      f"{last['recon_per_window']:.4g}, val {last['val_recon_per_window']:.4g}")
    # the legend beside the plot, small: inside, it covered the right third of the curves
    return hv.Overlay(curves).opts(
        title=title, logy=logy, legend_position="right", legend_opts=_SMALL_LEGEND,
        responsive=True, min_height=280, xlabel="epoch",
        ylabel=f"loss {units}" + (" (log)" if logy else ""), framewise=True)


def quality_curves(data: pd.DataFrame) -> hv.Overlay:
    """Latent quality per epoch: k-NN accuracy and silhouette of the validation subset."""
    curves = [glyph for k, lab, col in (("knn_accuracy", "k-NN accuracy", "#81c784"),
                                        ("silhouette", "silhouette", "#ba68c8"))
              for glyph in epoch_curve(data, "epoch", hv.Dimension(k, label="score"), lab, col)]
    return hv.Overlay(curves).opts(
        title="Latent quality", legend_position="bottom_right", responsive=True,
        min_height=280, xlabel="epoch", ylabel="score", framewise=True)


def label_colors(labels: np.ndarray) -> np.ndarray:
    """One colour per point: the pattern's from a fixed palette, noise (-1) red."""
    labels = np.asarray(labels).reshape(-1)
    palette = np.array(PATTERN_PALETTE)
    colors = palette[np.mod(labels, len(palette))]
    colors[labels < 0] = NOISE_COLOR
    return colors


def latent_legend(labels: np.ndarray) -> str:
    """HTML: which colour is which pattern in the latent scatter (one entry per colour,
    listing the patterns that share it, as the palette repeats; noise last). Beside the
    plot rather than in it: with up to 200 patterns a Bokeh legend would cover the points."""
    labels = np.unique(np.asarray(labels).reshape(-1).astype(int))
    by_color: dict[int, list[int]] = {}
    for label in labels[labels >= 0]:
        by_color.setdefault(int(label) % len(PATTERN_PALETTE), []).append(int(label))
    items = [f"<span style='color:{PATTERN_PALETTE[i]}'>&#9679;</span>&nbsp;"
             f"{', '.join(map(str, patterns))}" for i, patterns in by_color.items()]
    if (labels < 0).any():
        items.append(f"<span style='color:{NOISE_COLOR}'>&#9679;</span>&nbsp;noise")
    if not items:
        return ""
    return ("<div class='tsvae-latent-legend' style='font-size:0.85em'>patterns: "
            + " &nbsp; ".join(items) + "</div>")


def latent_scatter(xy: np.ndarray, labels: np.ndarray, note: str = "", epoch: int | None = None,
                   name: str = "z_mean") -> hv.Points:
    """Latent points (``name``: z_mean of variational families, the code of the others)
    coloured by pattern label, noise windows (label -1) in red.

    One Points element, in the order of the validation subset, so the page's selection
    and tap streams give indices into that subset.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    labels = np.asarray(labels).reshape(-1)
    axis = "z" if name == "z_mean" else name
    kdims = [hv.Dimension(LATENT_X, label="PC1" if note.startswith("PCA") else f"{axis}[0]"),
             hv.Dimension(LATENT_Y, label="PC2" if note.startswith("PCA") else f"{axis}[1]")]
    data = {LATENT_X: xy[:, 0], LATENT_Y: xy[:, 1], "label": labels,
            "color": label_colors(labels)}
    title = (f"Latent space ({name}, validation)" + (f", epoch {epoch}" if epoch else "")
             + (f" · {note}" if note else ""))
    return hv.Points(data, kdims, ["label", "color"]).opts(
        color="color", size=5, alpha=0.85, tools=["hover", "tap", "box_select", "lasso_select"],
        nonselection_alpha=0.25, title=title, responsive=True, min_height=360,
        framewise=True)


def recon_channel(inputs: np.ndarray, outputs: np.ndarray, name: str) -> hv.Overlay:
    """One channel of one window: input (seq_len,) and its reconstruction (seq_len,)."""
    t = np.arange(len(inputs))
    return (hv.Curve((t, np.asarray(inputs)), "step", hv.Dimension("value", range=(0, 1)),
                     label="input").opts(color="#4fc3f7", line_width=2)
            * hv.Curve((t, np.asarray(outputs)), "step", hv.Dimension("value", range=(0, 1)),
                       label="reconstruction").opts(color="#ffb74d", line_dash="dashed",
                                                    line_width=2)
            ).opts(title=name, height=170, responsive=True, show_legend=False,
                   framewise=True, toolbar=None)


def series_preview(series: np.ndarray, channel_names: list[str], n_rows: int) -> hv.Overlay:
    """The first ``n_rows`` rows of the scaled series (rows, channels), every channel."""
    part = np.asarray(series)[:n_rows]
    rows = np.arange(len(part))
    curves = [hv.Curve((rows, part[:, i]), "row", hv.Dimension("series_value", label="value"),
                       label=name).opts(line_width=1)
              for i, name in enumerate(channel_names)]
    return hv.Overlay(curves).opts(
        title=f"Generated series, first {len(part)} rows", responsive=True, min_height=260,
        legend_position="right", framewise=True)


def pattern_preview(series: np.ndarray, row_labels: np.ndarray, channel_names: list[str],
                    pattern: int, seq_len: int) -> hv.Overlay:
    """The first occurrence of ``pattern`` in the series: seq_len rows, every channel."""
    hits = np.flatnonzero(np.asarray(row_labels) == pattern)
    start = int(hits[0]) if hits.size else 0
    part = np.asarray(series)[start:start + seq_len]
    steps = np.arange(len(part))
    curves = [hv.Curve((steps, part[:, i]), "step", hv.Dimension("pattern_value", label="value"),
                       label=name).opts(line_width=2)
              for i, name in enumerate(channel_names)]
    return hv.Overlay(curves).opts(
        title=f"Pattern {pattern} (rows {start}-{start + len(part) - 1})", responsive=True,
        min_height=260, legend_position="right", framewise=True)
