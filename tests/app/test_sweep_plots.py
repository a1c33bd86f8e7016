"""The Sweep card's plots, drawn by Bokeh as the page draws them: a DynamicMap whose first
frame has no trial, then frames with trials (the order a live or loaded sweep sends)."""
from __future__ import annotations

import holoviews as hv
import numpy as np
import pytest
from bokeh.models import ColorBar, FactorRange, Legend, MultiLine

from app.plots import sweep as sp
from app.plots.sweep_parallel import Axis, nice_ticks
from tsvae_core.sweep.run import TrialRow
from tsvae_core.sweep.space import FieldRange

SPACE = [FieldRange("learning_rate", 1e-4, 1e-2, log=True), FieldRange("latent_dim", 2, 6),
         FieldRange("activation", choices=["relu", "gelu", "tanh"])]
ROWS = [TrialRow(0, {"learning_rate": 3e-4, "latent_dim": 2, "activation": "relu"},
                 "complete", 0.31),
        TrialRow(1, {"learning_rate": 5e-3, "latent_dim": 5, "activation": "gelu"},
                 "complete", 0.12),
        TrialRow(2, {"learning_rate": 1e-4, "latent_dim": 3, "activation": "tanh"},
                 "pruned", 0.45),
        TrialRow(3, {"learning_rate": 2e-3, "latent_dim": 6, "activation": "relu"},
                 "complete", 0.2),
        TrialRow(4, {"learning_rate": 2e-3, "latent_dim": 4, "activation": "relu"},
                 "running", 0.25)]


VIRIDIS_TOP = "#FDE724"  # holoviews' viridis, brightest end


def live_plot(function, empty, *frames):
    """The Bokeh plot of ``function`` fed like the page: first ``empty``, then ``frames``."""
    pipe = hv.streams.Pipe(data=empty)
    plot = hv.renderer("bokeh").get_plot(hv.DynamicMap(function, streams=[pipe]))
    for data in frames:
        pipe.send(data)
    return plot


def test_importance_draws_after_a_first_frame_without_importances():
    """The first frame (fewer than 4 finished trials) has no bar: its axis must still be
    categorical, or the field names raise TypeError in holoviews' range update."""
    plot = live_plot(sp.importance_bars, {}, {"latent_dim": 0.7, "learning_rate": 0.3},
                     {"latent_dim": 0.2, "learning_rate": 0.3, "beta": 0.5})
    assert isinstance(plot.state.x_range, FactorRange)
    assert list(plot.state.x_range.factors) == ["beta", "learning_rate", "latent_dim"]
    np.testing.assert_allclose(plot.handles["source"].data["importance"], [0.5, 0.3, 0.2])


def _ticks(plot) -> dict[float, list[str]]:
    """Tick label texts of each axis (by the axis' x), from the Labels' Bokeh source."""
    (labels,) = [p for p in plot.subplots.values() if isinstance(p.hmap.last, hv.Labels)]
    data = labels.handles["source"].data
    found: dict[float, list[str]] = {}
    for x, text in zip(data["axis"], data["tick"]):
        found.setdefault(round(float(x)), []).append(str(text))
    return found


def _trials(layer) -> list[int]:
    """The trials a Path layer draws, in drawing order (a colour-mapped path comes to
    Bokeh as one piece per segment)."""
    return [int(t) for t in dict.fromkeys(layer.handles["source"].data["trial"])]


def _layer(plot, label):
    (sub,) = [p for p in plot.subplots.values() if p.hmap.last.label == label]
    return sub


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_parallel_coordinates_show_real_values_a_colour_bar_and_the_best_trial(direction):
    plot = live_plot(sp.parallel_coordinates, ([], [], direction), (ROWS[:1], SPACE, direction),
                     (ROWS, SPACE, direction))
    ticks = _ticks(plot)
    # each axis its own real values: powers of ten on the log axis, whole numbers for
    # latent_dim, the choices, and the objective's range
    assert ticks[0] == ["0.0001", "0.001", "0.01"]
    assert ticks[1] == ["2", "3", "4", "5", "6"]
    assert ticks[2] == ["relu", "gelu", "tanh"]
    assert ticks[3][0] == "0.12" and ticks[3][-1] == "0.45"
    # the finished trials: one line each, coloured by the objective with a colour bar
    finished = _layer(plot, "finished")
    assert sorted(_trials(finished)) == [0, 1, 3]
    (bar,) = [r for r in plot.state.right if isinstance(r, ColorBar)]
    mapper = bar.color_mapper
    assert (mapper.low, mapper.high) == pytest.approx((0.12, 0.45))
    # the best value at the scale's brightest end (viridis' yellow): the low end for a
    # minimised objective, the high end for a maximised one
    best_end = 0 if direction == "minimize" else -1
    assert mapper.palette[best_end].upper() == VIRIDIS_TOP, mapper.palette[:2]
    # ...drawn last (over the others) and highlighted
    order = _trials(finished)
    assert order[-1] == (1 if direction == "minimize" else 0)
    best = _layer(plot, "best")
    assert _trials(best) == [order[-1]]
    assert best.handles["glyph"].line_width > finished.handles["glyph"].line_width
    assert f"best: trial {order[-1]}" in plot.state.title.text
    # pruned trials: their own dashed layer, never among the finished ones; running: none
    pruned = _layer(plot, "pruned (value at its last epoch)")
    assert _trials(pruned) == [2]
    assert pruned.handles["glyph"].line_dash == "dashed"
    assert isinstance(pruned.handles["glyph"], MultiLine)


def test_ticks_are_round_values_with_both_ends():
    assert nice_ticks(0.12, 0.45) == pytest.approx([0.12, 0.2, 0.3, 0.4, 0.45])
    assert nice_ticks(2, 32, integer=True) == [2, 10, 20, 32]
    assert nice_ticks(3, 3) == [3]
    log = Axis("learning_rate", 3e-4, 2e-2, log=True)
    assert [t for _, t in log.ticks()] == ["0.0003", "0.001", "0.01", "0.02"]
    assert log.position(3e-4) == 0 and log.position(2e-2) == pytest.approx(1)
    assert Axis("activation", choices=["relu"]).position("relu") == 0.5


def test_the_objective_legend_sits_beside_the_plot_not_on_the_points():
    plot = live_plot(sp.objective_by_trial, ([], "minimize"), (ROWS, "minimize"))
    assert not [m for m in plot.state.center if isinstance(m, Legend)]
    assert [m for m in plot.state.right if isinstance(m, Legend)]
