"""The Inspect card: the tapped (or decoded) window, the selection's label counts and the
latent grid. The logic is app.cards.inspector's; this module only lays it out."""
from __future__ import annotations

import holoviews as hv
import panel as pn

from ..tab.controller import Controller
from .inspector import Inspector
from ..plots import inspection as inspect_plots
from .theme import plot_pane


class InspectView(pn.viewable.Viewer):
    def __init__(self, ctrl: Controller, inspector: Inspector, **params):
        super().__init__(**params)
        self.ctrl, self.inspector = ctrl, inspector

    def __panel__(self):
        ins = self.inspector
        window = hv.DynamicMap(inspect_plots.inspected_window, streams=[ins.window_pipe])
        grid = hv.DynamicMap(inspect_plots.latent_grid, streams=[ins.grid_pipe])
        legend = pn.pane.HTML(ins.window_pipe.param.data.rx.pipe(
            lambda d: inspect_plots.channel_legend(d["channel_names"]) if d else ""),
            margin=(0, 10))
        grid_controls = pn.Row(
            pn.widgets.Checkbox.from_param(ins.param.grid_on, label="latent grid"),
            pn.widgets.IntInput.from_param(ins.param.grid_size, label="points per axis",
                                           width=120),
            pn.widgets.Select.from_param(ins.param.grid_channel, label="channel", width=120))
        return pn.Column(
            pn.pane.Markdown(ins.param.picked, css_classes=["tsvae-picked"]),
            legend,
            plot_pane(window, min_height=280),
            pn.pane.Markdown(ins.param.selected, css_classes=["tsvae-selected"]),
            grid_controls,
            pn.pane.Markdown(ins.param.grid_note, css_classes=["tsvae-grid-note"]),
            plot_pane(grid, min_height=320),
            sizing_mode="stretch_width")
