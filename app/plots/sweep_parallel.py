"""The Sweep card's parallel coordinates: one vertical axis per varied field and one for
the objective, each with its own real tick values, and one line per ended trial.

As in optuna-dashboard's parallel coordinate plot: finished trials are coloured by the
objective with a colour bar in its units, the scale turned so that the best value is
the most prominent (brightest on the page's dark theme) for either direction, the best
trial drawn last and thickest. Pruned trials are drawn dashed and grey: their objective
is the value of the epoch they were stopped after, not a final one.

Every frame holds the same layers (an empty one where there is nothing to draw): a
DynamicMap draws only the layers its first frame had.
"""
from __future__ import annotations

import math

import holoviews as hv
import holoviews.plotting.bokeh  # noqa: F401  (registers the bokeh options used below)
import numpy as np

AXIS, POSITION = hv.Dimension("axis"), hv.Dimension("position")
#: Per-line values the hover shows.
LINE_VDIMS = [hv.Dimension("objective"), hv.Dimension("trial"), hv.Dimension("state")]
PRUNED_COLOR, BEST_COLOR, AXIS_COLOR = "#9e9e9e", "#ffffff", "#8a8a8a"


def nice_ticks(low: float, high: float, integer: bool = False, most: int = 5) -> list[float]:
    """About ``most`` round values from ``low`` to ``high``, both ends included (steps of
    1, 2 or 5 times a power of ten; whole numbers for an integer field)."""
    if not high > low:
        return [low]
    raw = (high - low) / max(1, most - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if integer:
        step = max(1.0, round(step))
    inner = np.arange(math.ceil(low / step) * step, high, step)
    # interior ticks too close to an end would print over its label
    keep = [t for t in inner if min(t - low, high - t) > 0.3 * step]
    return [low, *keep, high]


def _label(value, integer: bool = False) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    return str(int(round(value))) if integer else f"{value:.3g}"


class Axis:
    """Where a value sits on one axis (0 bottom, 1 top) and the axis' labelled ticks."""

    def __init__(self, name: str, low=None, high=None, log=False, choices=None,
                 integer=False):
        self.name, self.log, self.integer = name, log, integer
        self.choices = list(choices) if choices else None
        if self.choices is None:
            lo, hi = float(low), float(high)
            if log:
                lo, hi = math.log10(lo), math.log10(hi)
            if not hi > lo:  # one value: centred
                lo, hi = lo - 0.5, hi + 0.5
            self.lo, self.hi = lo, hi

    @classmethod
    def of_range(cls, r) -> Axis:
        """The axis of a ``tsvae_core.sweep.space.FieldRange``: the field's search range."""
        if not r.numeric:
            return cls(r.name, choices=r.choices)
        from tsvae_core.sweep.space import field_param
        import param
        return cls(r.name, r.low, r.high, r.log,
                   integer=isinstance(field_param(r.name), param.Integer))

    def position(self, value) -> float:
        if self.choices is not None:
            keys = [str(c) for c in self.choices]
            i = keys.index(str(value)) if str(value) in keys else 0
            return 0.5 if len(keys) == 1 else i / (len(keys) - 1)
        x = math.log10(value) if self.log else float(value)
        return (x - self.lo) / (self.hi - self.lo)

    def ticks(self) -> list[tuple[float, str]]:
        """(position, label) of each tick: the choices; powers of ten (and the ends) on a
        log scale; round values otherwise."""
        if self.choices is not None:
            return [(self.position(c), _label(c)) for c in self.choices]
        if self.log:
            inner = range(math.ceil(self.lo), math.floor(self.hi) + 1)
            exps = sorted({self.lo, *inner, self.hi})
            exps = [e for i, e in enumerate(exps)  # ends win over a too-close power
                    if e in (self.lo, self.hi) or min(e - self.lo, self.hi - e) > 0.15 *
                    (self.hi - self.lo)]
            return [((e - self.lo) / (self.hi - self.lo), _label(10.0 ** e)) for e in exps]
        return [((t - self.lo) / (self.hi - self.lo), _label(t, self.integer))
                for t in nice_ticks(self.lo, self.hi, self.integer)]


def _lines(rows, axes: list[Axis]) -> list[dict]:
    if not rows:  # a path of one blank point: holoviews' colour mapping needs a point
        return [{"axis": np.full(1, np.nan), "position": np.full(1, np.nan), "objective": math.nan,
                 "trial": -1, "state": ""}]
    return [{"axis": np.arange(len(axes), dtype=float),
             "position": np.array([a.position(r.params[a.name]) for a in axes[:-1]]
                                  + [axes[-1].position(r.value)]),
             "objective": r.value, "trial": r.number, "state": r.state} for r in rows]


def parallel_coordinates(data) -> hv.Overlay:
    """``data``: (trial rows, the spec's FieldRanges, direction). One axis per varied
    field (its search range) and the objective (the drawn trials' range)."""
    rows, space, direction = data if data else ([], [], "minimize")
    ended = [r for r in rows if r.state in ("complete", "pruned") and math.isfinite(r.value)
             and all(s.name in r.params for s in space)]
    values = [r.value for r in ended]
    axes = [Axis.of_range(s) for s in space]
    axes.append(Axis("objective", min(values, default=0.0), max(values, default=1.0)))
    complete = [r for r in ended if r.state == "complete"]
    # the worst first: the best is drawn over the others
    complete.sort(key=lambda r: r.value, reverse=direction == "minimize")
    best = complete[-1:]
    pruned = [r for r in ended if r.state == "pruned"]
    n = len(axes)
    frame = hv.Segments([(i, 0.0, i, 1.0) for i in range(n)],
                        [AXIS, POSITION, "axis_end", "position_end"]).opts(
        color=AXIS_COLOR, line_width=1)
    shown = axes if values else axes[:-1]  # no trial ended: the objective has no scale
    ticks = hv.Labels([(i + 0.04, pos, text) for i, a in enumerate(shown)
                       for pos, text in a.ticks()], [AXIS, POSITION],
                      hv.Dimension("tick", type=str)).opts(
        text_align="left", text_font_size="8pt", text_color="#d0d0d0")
    lo, hi = axes[-1].lo, axes[-1].hi
    # viridis is brightest at its top: for a minimised objective the low values go there
    cmap = "viridis_r" if direction == "minimize" else "viridis"
    # constant labels: a DynamicMap matches each frame's layers to its plots by label
    lines = hv.Path(_lines(complete, axes), [AXIS, POSITION], LINE_VDIMS,
                    label="finished").opts(
        color="objective", cmap=cmap, clim=(lo, hi), colorbar=True, line_width=2,
        alpha=0.85, tools=["hover"], colorbar_opts={"title": "objective"})
    dashed = hv.Path(_lines(pruned, axes), [AXIS, POSITION], LINE_VDIMS,
                     label="pruned (value at its last epoch)").opts(
        color=PRUNED_COLOR, line_dash="dashed", line_width=1.5, alpha=0.8, tools=["hover"])
    top = hv.Path(_lines(best, axes), [AXIS, POSITION], LINE_VDIMS,
                  label="best").opts(
        color=BEST_COLOR, line_width=5, alpha=0.9, tools=["hover"])
    title = "parameters against the objective" + (
        f" (best: trial {best[0].number}, {best[0].value:.4g})" if best
        else " (no finished trial yet)")
    # framewise on every layer: the axes follow each frame (the first had no trial)
    layers = [layer.opts(framewise=True) for layer in (frame, ticks, dashed, lines, top)]
    return hv.Overlay(layers).opts(
        title=title, xticks=[(i, a.name) for i, a in enumerate(axes)], padding=(0.12, 0.06),
        yaxis=None, xlabel="", show_legend=False, framewise=True, show_grid=False,
        responsive=True, min_height=280)
