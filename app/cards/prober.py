"""The probes of one tab: a new pattern, an outlier and the time-rolled new pattern, as
markers on the latent plot (the original notebook's closing cells, made live).

The probe windows go to the session (``set_probes``), whose training thread encodes them
after every epoch (``EpochEnd.probe_latent``); a change of the probe settings re-encodes
them at once with the last epoch's weights (``session.encode``), so the rolled marker
follows the slider without waiting for an epoch.
"""
from __future__ import annotations

import logging
import weakref

import holoviews as hv
import numpy as np
import param

from tsvae_core.config import field_names
from tsvae_core.probes import PROBE_NAMES, ProbeConfig, make_probes

from ..tab import projection
from ..tab.controller import Controller

log = logging.getLogger(__name__)


class Prober(param.Parameterized):
    show = param.Boolean(True, doc="Draw the probes on the latent plot.")
    message = param.String("", doc="Why there are no markers, or a bad setting.")
    readout = param.String("", doc="The probes' latent coordinates (markdown).")

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        self.config = ProbeConfig(name="Probes")
        self.pipe = hv.streams.Pipe(data=None)
        self._windows: dict[str, np.ndarray] | None = None
        self._for_session = None  # the session the windows were made for
        self.config.param.watch(self._on_config, field_names(self.config))
        ctrl.streams.epoch_hooks.append(self._on_epoch)
        # Given at once when the run has its data (the preview's): the training thread then
        # encodes them from epoch 1 on, and the event loop never waits for a first encode.
        ctrl.session_hooks.append(self._make)
        ctrl.state.param.watch(lambda *_: self._clear(), "views_cleared")

    # ---- probe windows ----
    def _make(self, s) -> bool:
        """(Re)make the windows for session ``s`` and hand them to it; False if not yet."""
        if s is None or s.dataset is None:
            return False
        try:
            self._windows = make_probes(s.data, self.config, s.dataset)
        except ValueError as exc:
            self.message = f"Probes off: {exc}"
            self._windows = None
            s.set_probes(None)
            return False
        self.message = ""
        self._for_session = weakref.ref(s)  # a closed tab's run must be freeable
        s.set_probes(self._windows)
        return True

    def _on_config(self, *_):
        s = self.ctrl.session
        if not self._make(s) or self.ctrl.streams.last_epoch is None:
            return
        try:  # at once, with the last epoch's weights
            names = list(self._windows)
            z = s.encode(np.stack([self._windows[n] for n in names]))
        except (RuntimeError, ValueError) as exc:
            self.message = f"Probes wait for the next epoch: {exc}"
            return
        self._send(names, z)

    def _on_epoch(self, e, s) -> None:
        if self._for_session is None or self._for_session() is not s:
            self._make(s)  # the first epoch of a run: probes start from the next one
        elif e.probe_latent:
            names = [n for n in PROBE_NAMES if n in e.probe_latent]
            self._send(names, np.stack([np.asarray(e.probe_latent[n]).reshape(-1)
                                        for n in names]))
            return
        # no latent points of the probes in the event: it was made before the run had them
        # (a first epoch, or a loaded model's epoch 0 drawn in a worker thread): encode the
        # few probe windows now
        if self._windows is None:
            return
        names = list(self._windows)
        try:
            z = s.encode(np.stack([self._windows[n] for n in names]))
        except (RuntimeError, ValueError) as exc:
            self.message = f"Probes wait for the next epoch: {exc}"
            return
        self._send(names, z)

    # ---- markers ----
    def _send(self, names: list[str], z: np.ndarray) -> None:
        center, comps, _ = self.ctrl.streams.projection
        xy = projection.project_with(z, center, comps)
        self.readout = "  \n".join(
            f"**{n}**: plot ({p[0]:.3g}, {p[1]:.3g})" for n, p in zip(names, xy))
        self.pipe.send(dict(names=names, xy=xy) if self.show else None)

    @param.depends("show", watch=True)
    def _on_show(self):
        if not self.show:
            self.pipe.send(None)
        else:
            self._on_config()

    def _clear(self) -> None:
        self._windows, self._for_session = None, None
        self.readout = ""
        self.pipe.send(None)
