"""The card of a family's own views (KL per dimension, denoising, codebook, ...).

Every view is a DynamicMap on the controller's ``family_pipe`` (arrays of
``EpochEnd.extras``); the family's log curves follow the loss ``Buffer``. A view is shown
only while the running family sends its key, so a plain VAE shows one view and the
autoencoder none.
"""
from __future__ import annotations

import holoviews as hv
import panel as pn

from ..tab.controller import Controller
from ..plots import family as fp
from .theme import plot_pane


class FamilyView(pn.viewable.Viewer):
    """The views of what the running family adds, side by side, with a hint until the
    first epoch says which ones it has.

    Only the running family's views are built (when its first epoch names them), which
    keeps opening a page fast: drawing all eight empty plots cost about a second.
    """

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        self._grid = pn.GridBox(ncols=2, sizing_mode="stretch_width")
        self._shown: tuple = ((), ())
        ctrl.state.param.watch(self._rebuild, ["family_views", "family_log_keys"])
        self._rebuild()  # made after epochs (a card opened later): the views they named

    def _rebuild(self, *_):
        c = self.ctrl
        wanted = (tuple(c.state.family_views), tuple(c.state.family_log_keys))
        if wanted == self._shown:
            return
        self._shown = wanted
        panes = []
        if c.state.family_log_keys:
            keys = tuple(c.state.family_log_keys)
            curves = hv.DynamicMap(lambda data: fp.family_curves(data, keys),
                                   streams=[c.streams.loss_buffer])
            panes.append(pn.Column(plot_pane(curves, min_height=280),
                                   css_classes=["tsvae-family-curves"],
                                   sizing_mode="stretch_width"))
        for key in c.state.family_views:
            if key in fp.family_views():
                # the stream parameter arrives as the keyword ``data``
                dmap = hv.DynamicMap(lambda data, key=key: fp.draw(key, data),
                                     streams=[c.streams.family_pipe])
                panes.append(pn.Column(plot_pane(dmap, min_height=280),
                                       css_classes=[f"tsvae-family-{key}"],
                                       sizing_mode="stretch_width"))
        self._grid.objects = panes

    def __panel__(self):
        c = self.ctrl
        hint = pn.pane.Markdown(
            c.state.param.epoch.rx.pipe(lambda e: "This family adds no view beyond loss, latent "
                                  "space and reconstruction." if e else
                                  "The family's own views appear after the first epoch."),
            visible=pn.bind(lambda views, logs: not views and not logs, c.state.param.family_views,
                            c.state.param.family_log_keys))
        return pn.Column(hint, self._grid, sizing_mode="stretch_width")
