"""Inspecting the latent plot of one tab: tap a point, select a region, decode a grid.

Everything runs on the server's event loop. The model calls go through the session's
snapshot (``encode``/``decode``/``reconstruct`` use the last finished epoch's weights), so
they work while training runs, without touching the training thread's model.
"""
from __future__ import annotations

import logging
from collections import Counter

import holoviews as hv
import numpy as np
import param

from ..tab import projection
from ..tab.controller import Controller

log = logging.getLogger(__name__)

#: A tap within this share of the plotted range's diagonal picks the nearest point.
PICK_TOLERANCE = 0.02


def label_name(label: int) -> str:
    return "noise" if label < 0 else f"pattern {label}"


class Inspector(param.Parameterized):
    """Tap and selection streams on the latent plot, and what they show."""

    grid_on = param.Boolean(False, doc="Decode a regular grid over the plotted range "
                                       "(2-D latents), updated every epoch.")
    grid_size = param.Integer(8, bounds=(2, 16), doc="Grid points per axis.")
    grid_channel = param.Selector(objects=["ch0"], default="ch0",
                                  doc="The channel each decoded grid window draws.")
    picked = param.String("Tap a point of the latent plot to see its window, or an empty "
                          "spot to decode it.", doc="What the last tap showed.")
    selected = param.String("", doc="Windows of each label inside the box/lasso selection.")
    grid_note = param.String("", doc="Why the grid is empty, when it is.")

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        self.tap = hv.streams.Tap(x=None, y=None)
        self.selection = hv.streams.Selection1D()
        self.window_pipe = hv.streams.Pipe(data=None)   # the tapped or decoded window
        self.grid_pipe = hv.streams.Pipe(data=None)     # decoded grid paths
        self.tap.add_subscriber(self._on_tap)
        self.selection.add_subscriber(self._on_select)
        ctrl.streams.epoch_hooks.append(self._on_epoch)
        ctrl.state.param.watch(self._on_reset, "views_cleared")

    def attach(self, latent_dmap: hv.DynamicMap) -> None:
        """Listen to taps and selections on the latent plot's points."""
        self.tap.source = latent_dmap
        self.selection.source = latent_dmap

    # ---- tap ----
    def _on_tap(self, x=None, y=None, **_):
        if x is None or y is None:
            return
        self.inspect_at(float(x), float(y))

    def inspect_at(self, x: float, y: float) -> None:
        """Show the window nearest (x, y) if one is close, else decode (x, y)."""
        s, data = self.ctrl.session, self.ctrl.streams.latent_pipe.data
        if s is None or self.ctrl.streams.last_epoch is None or not len(data["xy"]):
            self.picked = "Nothing to inspect yet: train at least one epoch."
            return
        xy = data["xy"]
        span = np.ptp(xy, axis=0)
        tolerance = PICK_TOLERANCE * float(np.hypot(*span)) if np.any(span) else 1e-9
        dist = np.hypot(xy[:, 0] - x, xy[:, 1] - y)
        i = int(np.argmin(dist))
        try:
            if dist[i] <= tolerance:
                self._show_window(i, s)
            else:
                self._show_decoded(x, y, s)
        except (ValueError, RuntimeError) as exc:  # e.g. vq_vae cannot decode a point
            self.picked = f"Cannot inspect here: {exc}"

    def _show_window(self, i: int, s) -> None:
        e = self.ctrl.streams.last_epoch
        val_index = int(s.subset[i])
        inputs, outputs = s.reconstruct([val_index])
        label = int(e.labels[i])
        xy = self.ctrl.streams.latent_pipe.data["xy"][i]
        z = ", ".join(f"{v:.3g}" for v in e.z_mean[i])
        self.picked = (f"**Validation window {val_index}**, {label_name(label)}; "
                       f"plot ({xy[0]:.3g}, {xy[1]:.3g}); {self.ctrl.state.latent_name} [{z}]")
        self.window_pipe.send(dict(kind="window", inputs=inputs[0], outputs=outputs[0],
                                   channel_names=list(s.dataset.channel_names),
                                   title=f"Window {val_index} ({label_name(label)}): input "
                                         "solid, reconstruction dashed"))

    def _show_decoded(self, x: float, y: float, s) -> None:
        center, comps, dim = self.ctrl.streams.projection
        z = projection.unproject([[x, y]], center, comps, dim)             # (1, latent_dim)
        window = s.decode(z)[0]                                       # (seq_len, channels)
        zs = ", ".join(f"{v:.3g}" for v in z[0])
        self.picked = (f"**Decoded** the empty spot ({x:.3g}, {y:.3g}): "
                       f"{self.ctrl.state.latent_name} [{zs}]"
                       + (" (on the plane of the first two components)" if comps is not None
                          else ""))
        self.window_pipe.send(dict(kind="decoded", inputs=None, outputs=window,
                                   channel_names=list(s.dataset.channel_names),
                                   title=f"Decoded from ({x:.3g}, {y:.3g})"))

    # ---- box / lasso selection ----
    def _on_select(self, index=None, **_):
        labels = self.ctrl.streams.latent_pipe.data["labels"]
        index = [i for i in (index or []) if i < len(labels)]
        if not index:
            self.selected = ""
            return
        counts = Counter(int(v) for v in labels[index])
        parts = [f"{label_name(k)}: {counts[k]}" for k in sorted(counts, key=lambda k: (k < 0, k))]
        self.selected = f"**{len(index)} windows selected**: " + ", ".join(parts)

    # ---- latent grid ----
    @param.depends("grid_on", "grid_size", "grid_channel", watch=True)
    def _on_grid_settings(self):
        self.update_grid()

    def _on_epoch(self, e, s) -> None:
        names = list(s.dataset.channel_names)
        if self.param.grid_channel.objects != names:
            self.param.grid_channel.objects = names
            if self.grid_channel not in names:
                self.grid_channel = names[0]
        if self.grid_on:
            self.update_grid()

    def update_grid(self) -> None:
        """Decode a grid_size² grid over the plotted range and send its curves."""
        s, ctrl = self.ctrl.session, self.ctrl
        if not self.grid_on:
            self.grid_note = ""
            return
        center, comps, dim = ctrl.streams.projection
        if s is None or ctrl.streams.last_epoch is None:
            self.grid_note = "The grid appears after the first epoch."
            return
        if dim != 2:
            self.grid_note = (f"The latent grid needs a 2-D latent (latent_dim = 2); this "
                              f"run's latent has {dim} dimensions.")
            self.grid_pipe.send(None)
            return
        xy = ctrl.streams.latent_pipe.data["xy"]
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        gx, gy = (np.linspace(lo[k], hi[k], self.grid_size) for k in (0, 1))
        centers = np.array([(a, b) for b in gy for a in gx])          # (n², 2)
        try:
            windows = s.decode(projection.unproject(centers, center, comps, dim))
        except (ValueError, RuntimeError) as exc:
            self.grid_note = f"Cannot decode a grid: {exc}"
            self.grid_pipe.send(None)
            return
        channel = list(s.dataset.channel_names).index(self.grid_channel)
        self.grid_note = ""
        self.grid_pipe.send(dict(centers=centers, windows=windows[:, :, channel],
                                 cell=((hi - lo) / max(self.grid_size - 1, 1)),
                                 channel=self.grid_channel, epoch=ctrl.streams.last_epoch.epoch))

    def _on_reset(self, *_):
        self.window_pipe.send(None)
        self.grid_pipe.send(None)
        self.selected = ""
        self.picked = self.param.picked.default
