"""The cards of a training run: loss, latent quality, latent space, reconstruction and the
generated data, each a DynamicMap on one of the controller's streams.

Each DynamicMap callback turns the stream's payload into a plot with app.plots.training;
the controller decides when to send.
"""
from __future__ import annotations

import logging

import holoviews as hv
import numpy as np
import panel as pn

from ..tab.controller import Controller
from ..plots import inspection as inspect_plots
from ..plots import training as plots
from .theme import plot_pane

log = logging.getLogger(__name__)

PREVIEW_PATTERNS = 4  # series preview: this many pattern lengths of rows


class LossView(pn.viewable.Viewer):
    """Loss curves through the Buffer; the log toggle swaps between two DynamicMaps
    because the axis type of a Bokeh figure cannot change after it is drawn."""

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        self._dmaps: dict[tuple[bool, bool], hv.DynamicMap] = {}

    def _dmap(self, logy: bool, variational: bool, units: str) -> hv.DynamicMap:
        # The KL curves come and go with the family, the axis label with the loss units:
        # also a new DynamicMap, as an overlay's layers cannot change once drawn.
        key = (logy, variational, units)
        if key not in self._dmaps:
            self._dmaps[key] = hv.DynamicMap(
                lambda data: plots.loss_curves(data, logy=logy, variational=variational,
                                               units=units),
                streams=[self.ctrl.streams.loss_buffer])
        return self._dmaps[key]

    def __panel__(self):
        st = self.ctrl.state.param
        toggle = pn.widgets.Checkbox.from_param(st.logy, label="log scale")
        plot = plot_pane(pn.bind(self._dmap, st.logy, st.variational, st.loss_units),
                         min_height=300)
        return pn.Column(toggle, plot, sizing_mode="stretch_width")


class QualityView(pn.viewable.Viewer):
    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl

    def __panel__(self):
        dmap = hv.DynamicMap(plots.quality_curves, streams=[self.ctrl.streams.loss_buffer])
        return plot_pane(dmap, min_height=300)


class LatentView(pn.viewable.Viewer):
    """Latent points through a Pipe, with the projection note above it when PCA is used.

    An ``inspector`` (app.cards.inspector) gets the plot's tap and selection streams; a
    ``prober`` (app.cards.prober) overlays its markers, from their own Pipe.
    """

    def __init__(self, ctrl: Controller, inspector=None, prober=None, **params):
        super().__init__(**params)
        self.ctrl, self.inspector, self.prober = ctrl, inspector, prober

    @staticmethod
    def _plot(data):
        return plots.latent_scatter(data["xy"], data["labels"], data["note"], data["epoch"],
                                    data.get("name", "z_mean"))

    def __panel__(self):
        c = self.ctrl
        note = pn.pane.HTML(c.state.param.latent_note.rx.pipe(
            lambda n: f"<span class='tsvae-latent-note'>{n}</span>"),
            visible=c.state.param.latent_note.rx.bool(), margin=(0, 10))
        legend = pn.pane.HTML(c.streams.latent_pipe.param.data.rx.pipe(
            lambda d: plots.latent_legend(d["labels"]) if d else ""), margin=(0, 10),
            css_classes=["tsvae-latent-legend"])
        points = hv.DynamicMap(self._plot, streams=[c.streams.latent_pipe])
        plot = points
        if self.inspector is not None:
            self.inspector.attach(points)
        if self.prober is not None:
            plot = points * hv.DynamicMap(lambda data: inspect_plots.probe_markers(data),
                                          streams=[self.prober.pipe])
        return pn.Column(note, plot_pane(plot, min_height=380), legend,
                         sizing_mode="stretch_width")


def _recon_channel(data, channel: int):
    if not data or channel >= data["inputs"].shape[-1]:
        return hv.Overlay([hv.Curve([], "step", "value")]).opts(height=170, responsive=True)
    outputs = data["outputs"]
    out = outputs[:, channel] if outputs is not None else np.full(len(data["inputs"]), np.nan)
    return plots.recon_channel(data["inputs"][:, channel], out, data["channel_names"][channel])


class ReconView(pn.viewable.Viewer):
    """One small plot per channel (time included) of the chosen validation window.

    The grid is rebuilt only when the channel count changes (a new dataset, e.g. a file
    of other channels); otherwise the per-channel DynamicMaps just follow the data. They
    follow a Pipe of this view that the controller's pipe feeds: new plots subscribing to
    the controller's pipe while it notifies its subscribers broke its notification
    ("dictionary keys changed during iteration") and the plots with it.
    """

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        self._grid = pn.GridBox(ncols=2, sizing_mode="stretch_width")
        self._n_channels = None
        self._pipe = hv.streams.Pipe(data=ctrl.streams.recon_pipe.data)
        ctrl.streams.recon_pipe.add_subscriber(self._on_data)
        self._on_data(data=ctrl.streams.recon_pipe.data)

    def _on_data(self, data=None, **_):
        n = data["inputs"].shape[-1] if data else 0
        self._pipe.send(data)  # the new plots below start from it
        if n != self._n_channels:
            self._n_channels = n
            self._grid.objects = [
                plot_pane(hv.DynamicMap(lambda data, i=i: _recon_channel(data, i),
                                        streams=[self._pipe]))
                for i in range(n)]

    def __panel__(self):
        c = self.ctrl
        index = pn.widgets.IntInput.from_param(c.state.param.recon_index, label="validation window",
                                               width=160)
        rand = pn.widgets.Button(label="Random window", width=130, margin=(23, 10, 5, 10))
        rand.on_click(lambda _e: c.param.trigger("random_window"))
        title = c.streams.recon_pipe.param.data.rx.pipe(
            lambda d: f"**Input vs reconstruction**, validation window {d['index']}"
                      + ("" if d["outputs"] is not None else " (input only until trained)")
            if d else "**Input vs reconstruction**")
        return pn.Column(pn.pane.Markdown(title), pn.Row(index, rand), self._grid,
                         sizing_mode="stretch_width")


def _series(data):
    if not data:
        return hv.Curve([], "row", "series_value").opts(responsive=True, min_height=260,
                                                          title="Generating data…")
    rows = PREVIEW_PATTERNS * data["seq_len"]
    return plots.series_preview(data["series"], data["channel_names"], rows)


def _pattern(data):
    if not data:
        return hv.Curve([], "step", "pattern_value").opts(responsive=True, min_height=260)
    return plots.pattern_preview(data["series"], data["row_labels"], data["channel_names"],
                                 0, data["seq_len"])


class PreviewView(pn.viewable.Viewer):
    """The generated data before (and during) training: a stretch of the series and one
    pattern. It changes only with new data, so each change simply redraws it."""

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl

    def __panel__(self):
        data = self.ctrl.streams.preview_pipe.param.data
        return pn.Row(
            plot_pane(pn.bind(_series, data), min_height=280),
            plot_pane(pn.bind(_pattern, data), min_height=280),
            sizing_mode="stretch_width")
