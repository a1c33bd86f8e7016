"""The card of a family's own views (KL per dimension, denoising, codebook, ...).

Every view is a DynamicMap on the controller's ``family_pipe`` (arrays of
``EpochEnd.extras``); the family's log curves follow the loss ``Buffer``. A view is shown
only while the running family sends its key, so a plain VAE shows one view and the
autoencoder none.
"""
from __future__ import annotations

import holoviews as hv
import panel as pn

from . import family_plots as fp
from .controller import Controller
from .views import plot_pane


def _get(data, key):
    return None if not data else data.get(key)


def _denoising(data):
    names = _get(data, "channel_names") or [""]
    return fp.denoising(_get(data, "noisy_input"), _get(data, "clean_target"),
                        _get(data, "output"), 0, names[0])


#: extras key -> callback(pipe data) -> element; every callback copes with ``None``.
VIEWS = {
    "kl_per_dim": lambda d: fp.kl_per_dim(_get(d, "kl_per_dim")),
    "noisy_input": _denoising,
    "mean_activation": lambda d: fp.mean_activation(_get(d, "mean_activation")),
    "codebook_usage": lambda d: fp.codebook_usage(_get(d, "codebook_usage"),
                                                  _get(d, "perplexity")),
    "pre_quantisation": lambda d: fp.pre_quantisation(_get(d, "pre_quantisation"),
                                                      _get(d, "pre_quantisation_labels"),
                                                      _get(d, "codebook")),
    "confusion_matrix": lambda d: fp.confusion(_get(d, "confusion_matrix")),
    "predicted": lambda d: fp.predicted_vs_true(_get(d, "predicted"), _get(d, "true")),
}


def _shown_when(pane: pn.pane.HoloViews, visible, css_class: str) -> pn.Column:
    """The pane in a Column whose visibility follows ``visible``.

    The Column, not the pane, is hidden: Panel 1.9 copies a HoloViews pane's ``visible``
    change into its inner Bokeh pane together with the figure's stylesheets, which fails
    param's validation and aborts the rest of the update.
    """
    return pn.Column(pane, visible=visible, css_classes=[css_class],
                     sizing_mode="stretch_width")


class FamilyView(pn.viewable.Viewer):
    """The views of what the selected family adds, side by side, with a hint until the
    first epoch says which ones it has."""

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        self._curve_dmaps: dict[tuple[str, ...], hv.DynamicMap] = {}

    def _curves(self, keys: list[str]) -> hv.DynamicMap:
        # The set of curves is fixed per family: one DynamicMap per set (see LossView).
        key = tuple(keys)
        if key not in self._curve_dmaps:
            self._curve_dmaps[key] = hv.DynamicMap(lambda data: fp.family_curves(data, key),
                                                   streams=[self.ctrl.loss_buffer])
        return self._curve_dmaps[key]

    def _pane(self, key: str) -> pn.pane.HoloViews:
        # the stream parameter arrives as the keyword ``data``
        dmap = hv.DynamicMap(lambda data, view=VIEWS[key]: view(data),
                             streams=[self.ctrl.family_pipe])
        return _shown_when(plot_pane(dmap, min_height=280),
                           self.ctrl.param.family_views.rx.pipe(lambda v: key in v),
                           f"tsvae-family-{key}")

    def __panel__(self):
        c = self.ctrl
        curves = _shown_when(plot_pane(pn.bind(self._curves, c.param.family_log_keys),
                                       min_height=280),
                             c.param.family_log_keys.rx.bool(), "tsvae-family-curves")
        hint = pn.pane.Markdown(
            c.param.epoch.rx.pipe(lambda e: "This family adds no view beyond loss, latent "
                                  "space and reconstruction." if e else
                                  "The family's own views appear after the first epoch."),
            visible=pn.bind(lambda views, logs: not views and not logs, c.param.family_views,
                            c.param.family_log_keys))
        panes = [curves] + [self._pane(k) for k in VIEWS]
        return pn.Column(hint, pn.GridBox(*panes, ncols=2, sizing_mode="stretch_width"),
                         sizing_mode="stretch_width")
