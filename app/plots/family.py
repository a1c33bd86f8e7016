"""Plots of what makes each model family different: arrays of ``EpochEnd.extras`` in,
holoviews elements out.

Every function accepts ``None`` (nothing trained yet) and then returns an empty element of
the same type, because a DynamicMap must keep its element type from one call to the next.
Value dimension names are stable on purpose: they become Bokeh column names, which the
browser tests look for (``tsvae_core.families.views()[key].column``).

Which views a family has, their titles and columns are its ``FamilySpec``'s
(``tsvae_core.families``); ``DRAWERS``, at the end, says how each *kind* of view is drawn
from the family pipe's data. A new family's per-index vector is kind ``"bars"`` and needs
nothing here; only a new kind of picture is a function and a ``DRAWERS`` row.
"""
from __future__ import annotations

from typing import Callable

import holoviews as hv
import numpy as np
import pandas as pd

from tsvae_core import families
from tsvae_core.families import FamilyView

from ..tab.projection import project_latent
from .training import NOISE_COLOR, epoch_curve

_BASE = dict(responsive=True, min_height=260, framewise=True)
_CURVE_COLORS = ("#81c784", "#ffb74d", "#ba68c8", "#4fc3f7", "#e57373")


def _bars(values, kdim: hv.Dimension, vdim: hv.Dimension, title: str, color: str) -> hv.Bars:
    values = np.asarray(values if values is not None else [], dtype=float).reshape(-1)
    # Categories as strings (a numeric axis draws wide bars across a 0..1 range). The view
    # is first drawn with data (see Controller._set_family): a categorical axis cannot
    # follow an empty, numeric first frame.
    frame = pd.DataFrame({hv.Dimension(kdim).name: [str(i) for i in range(len(values))],
                          hv.Dimension(vdim).name: values})
    return hv.Bars(frame, kdim, vdim).opts(color=color, title=title, tools=["hover"], **_BASE)


def kl_per_dim(kl) -> hv.Bars:
    """KL divergence of each latent dimension from the prior, in nats: a dimension near
    zero carries no information (the posterior collapsed there)."""
    title = _title("kl_per_dim") + " (nats)"
    if kl is not None:
        active = int((np.asarray(kl) > 0.01).sum())
        title += f": {active} of {np.size(kl)} dimensions active (> 0.01)"
    return _bars(kl, hv.Dimension("latent_dim_index", label="latent dimension"),
                 hv.Dimension(_column("kl_per_dim"), label="KL (nats)"), title, "#ffb74d")


def mean_activation(act) -> hv.Bars:
    """Mean code value per unit over the validation subset: sparsity pushes it down."""
    title = _title("mean_activation")
    if act is not None:
        title += f" (mean of |a|: {float(np.mean(np.abs(act))):.3g})"
    return _bars(act, hv.Dimension("code_unit", label="code unit"),
                 hv.Dimension(_column("mean_activation"), label="mean activation"),
                 title, "#4fc3f7")


def codebook_usage(usage, perplexity=None) -> hv.Bars:
    """How often each codebook row was picked; perplexity = effective number of codes."""
    title = _title("codebook_usage")
    if usage is not None:
        used = int((np.asarray(usage) > 0).sum())
        title += f": {used} of {np.size(usage)} codes used"
        if perplexity is not None:
            title += f", perplexity {float(perplexity):.2f}"
    return _bars(usage, hv.Dimension("code"),
                 hv.Dimension(_column("codebook_usage"), label="times picked"), title, "#ba68c8")


def denoising(noisy, clean, output, channel: int = 0, name: str = "") -> hv.Overlay:
    """One channel of the first shown window: noisy input, clean target, output."""
    curves = []
    for arr, label, col, dash, dim in (
            (noisy, "noisy input", "#9e9e9e", "solid", _column("noisy_input")),
            (clean, "clean target", "#4fc3f7", "solid", "clean_value"),
            (output, "output", "#ffb74d", "dashed", "denoised_value")):
        y = np.asarray(arr)[0, :, channel] if arr is not None else np.zeros(0)
        curves.append(hv.Curve((np.arange(len(y)), y), "step", hv.Dimension(dim, label="value"),
                               label=label).opts(color=col, line_dash=dash, line_width=2))
    title = _title("noisy_input") + (f" ({name})" if name else "")
    return hv.Overlay(curves).opts(title=title, legend_position="top_right", **_BASE)


def pre_quantisation(points, labels, codebook) -> hv.Overlay:
    """Encoder outputs before quantisation (one per time step), coloured by the pattern of
    their window, with the codebook rows as crosses. PCA when the vectors exceed 2-D."""
    axis = "PC" if points is not None and np.shape(points)[-1] > 2 else "z_e"
    kdims = [hv.Dimension("preq_x", label=f"{axis}[0]"), hv.Dimension("preq_y", label=f"{axis}[1]")]
    if points is None or len(points) == 0:
        empty = {"preq_x": [], "preq_y": [], "label": []}
        return (hv.Points(empty, kdims, ["label"]) * hv.Points(empty, kdims, ["label"])
                * hv.Points({"preq_x": [], "preq_y": []}, kdims)).opts(**_BASE)
    points, codebook = np.asarray(points, float), np.asarray(codebook, float)
    both, _ = project_latent(np.concatenate([points, codebook]))  # same axes for both
    xy, code_xy = both[:len(points)], both[len(points):]
    labels = np.asarray(labels).reshape(-1)
    noise = labels < 0

    def pts(mask):
        return {"preq_x": xy[mask, 0], "preq_y": xy[mask, 1], "label": labels[mask]}

    title = _title("pre_quantisation") + " by pattern, codebook as crosses"
    if points.shape[1] > 2:
        title += f" (PCA of {points.shape[1]}-D)"
    return (hv.Points(pts(noise), kdims, ["label"], label="noise").opts(
                color=NOISE_COLOR, size=3, alpha=0.4)
            * hv.Points(pts(~noise), kdims, ["label"], label="patterns").opts(
                color="label", cmap="glasbey_light", size=3, alpha=0.6)
            * hv.Points({"preq_x": code_xy[:, 0], "preq_y": code_xy[:, 1]}, kdims,
                        label="codebook").opts(marker="x", size=12, color="white",
                                               line_width=2)
            ).opts(title=title, legend_position="top_right", **_BASE)


def confusion(matrix) -> hv.HeatMap:
    """Rows: true pattern; columns: predicted pattern; counts of validation windows."""
    m = np.asarray(matrix if matrix is not None else np.zeros((0, 0)), dtype=float)
    true, pred = np.indices(m.shape)
    frame = pd.DataFrame({"true_pattern": true.ravel().astype(str),
                          "predicted_pattern": pred.ravel().astype(str),
                          _column("confusion_matrix"): m.ravel()})
    title = _title("confusion_matrix") + " (validation subset)"
    if m.size and m.sum():
        title += f": accuracy {np.trace(m) / m.sum():.2f}"
    heat = hv.HeatMap(frame, ["predicted_pattern", "true_pattern"], _column("confusion_matrix"))
    return heat.opts(cmap="viridis", colorbar=True, tools=["hover"], title=title,
                     invert_yaxis=True, **_BASE)


def predicted_vs_true(predicted, true) -> hv.Overlay:
    """The regression head's output against its target, with the y = x line."""
    p = np.asarray(predicted if predicted is not None else [], dtype=float).reshape(-1)
    t = np.asarray(true if true is not None else [], dtype=float).reshape(-1)
    title = _title("predicted") + " (validation subset)"
    if len(p):
        title += f": MAE {np.mean(np.abs(p - t)):.3g}"
    lo, hi = (min(p.min(), t.min()), max(p.max(), t.max())) if len(p) else (0.0, 1.0)
    return (hv.Scatter((t, p), "true_value", _column("predicted")).opts(
                size=4, alpha=0.6, color="#4fc3f7")
            * hv.Curve(([lo, hi], [lo, hi]), "true_value", "y_equals_x").opts(
                color="#e0e0e0", line_dash="dashed")
            ).opts(title=title, xlabel="true", ylabel="predicted", **_BASE)


def family_curves(data: pd.DataFrame, keys: tuple[str, ...]) -> hv.Overlay:
    """A family's own log entries per epoch (penalty, accuracy, error, perplexity).

    Like the loss curves, every curve wraps the Buffer's frame itself so only new rows
    travel to the browser.
    """
    curves, labels = [], families.log_labels()
    for i, key in enumerate(keys):
        color = _CURVE_COLORS[i % len(_CURVE_COLORS)]
        for prefix, dash in (("", "solid"), ("val_", "dashed")):
            label = ("val " if prefix else "") + labels.get(key, key)
            curves += epoch_curve(data, "epoch", hv.Dimension(prefix + key, label="value"),
                                  label, color, dash)
    if not curves:
        curves = [hv.Curve(data, "epoch", hv.Dimension("loss", label="value"))]
    title = "Family metrics"
    if len(data) and keys:
        last = data.iloc[-1]
        title += f", epoch {int(last['epoch'])}"
        if len(keys) <= 2:  # longer titles are cut off; the legend names the curves
            title += ": " + ", ".join(f"val {labels.get(k, k)} {last['val_' + k]:.4g}"
                                      for k in keys)
    return hv.Overlay(curves).opts(title=title, xlabel="epoch", legend_position="top_right",
                                   **_BASE)


# ---- drawing a family's views, by kind ----
def bars(view: FamilyView, values) -> hv.Bars:
    """Any per-index vector a family sends (kind ``"bars"``): one bar per entry, titled
    and named as its ``FamilyView`` says, so a new family's vector needs no code here."""
    return _bars(values, hv.Dimension("index"), hv.Dimension(view.column, label="value"),
                 view.title, "#81c784")


def _get(data, key):
    return None if not data else data.get(key)


def _denoising(data):
    names = _get(data, "channel_names") or [""]
    return denoising(_get(data, "noisy_input"), _get(data, "clean_target"),
                     _get(data, "output"), 0, names[0])


#: FamilyView.kind -> draw(view, the family pipe's data: ``EpochEnd.extras`` or None);
#: which family has which view is its FamilySpec's business (tsvae_core.families).
DRAWERS: dict[str, Callable] = {
    "bars": lambda v, d: bars(v, _get(d, v.key)),
    "kl_per_dim": lambda v, d: kl_per_dim(_get(d, v.key)),
    "noisy_input": lambda v, d: _denoising(d),
    "mean_activation": lambda v, d: mean_activation(_get(d, v.key)),
    "codebook_usage": lambda v, d: codebook_usage(_get(d, v.key), _get(d, "perplexity")),
    "pre_quantisation": lambda v, d: pre_quantisation(
        _get(d, v.key), _get(d, "pre_quantisation_labels"), _get(d, "codebook")),
    "confusion_matrix": lambda v, d: confusion(_get(d, v.key)),
    "predicted": lambda v, d: predicted_vs_true(_get(d, v.key), _get(d, "true")),
}


def family_views() -> dict[str, FamilyView]:
    """extras key -> its view, over every registered family."""
    return families.views()


def draw(key: str, data):
    """The view of extras key ``key`` drawn from ``data`` (None: nothing trained yet)."""
    view = families.views()[key]
    try:
        drawer = DRAWERS[view.kind]
    except KeyError:
        raise ValueError(f"view {key!r}: kind={view.kind!r}: allowed: "
                         f"{', '.join(sorted(DRAWERS))}") from None
    return drawer(view, data)


# The built-in kinds' functions above read their title and column from the registry (at
# call time); their kind is their extras key.
def _title(key: str) -> str:
    return families.views()[key].title


def _column(key: str) -> str:
    return families.views()[key].column
