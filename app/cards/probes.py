"""The Probes card: the probe settings (bands, seed, roll slider) and their coordinates.
The markers themselves are drawn on the latent plot (app.cards.training.LatentView)."""
from __future__ import annotations

import panel as pn

from ..tab.controller import Controller
from .prober import Prober


class ProbeView(pn.viewable.Viewer):
    def __init__(self, ctrl: Controller, prober: Prober, **params):
        super().__init__(**params)
        self.ctrl, self.prober = ctrl, prober

    def __panel__(self):
        p = self.prober
        widgets = pn.Param(p.config, parameters=["new_low_hz", "new_high_hz", "outlier_low_hz",
                                                 "outlier_high_hz", "seed"],
                           widgets={**{k: {"type": pn.widgets.FloatInput, "step": 0.5}
                                       for k in ("new_low_hz", "new_high_hz", "outlier_low_hz",
                                                 "outlier_high_hz")},
                                    "seed": {"type": pn.widgets.IntInput}},
                           show_name=False, default_layout=pn.Column)
        roll = pn.widgets.FloatSlider.from_param(p.config.param.roll_fraction, step=0.05,
                                                 label="time roll of 'rolled' (share of seq_len)",
                                                 css_classes=["tsvae-roll"])
        return pn.Column(
            pn.pane.Markdown("White star: a **new** pattern; magenta: an **outlier** from a far "
                             "band; yellow: the new pattern with its time channel **rolled**."),
            pn.widgets.Checkbox.from_param(p.param.show, label="show probes on the latent plot"),
            roll, widgets,
            pn.pane.Markdown(p.param.message, css_classes=["tsvae-probe-message"]),
            pn.pane.Markdown(p.param.readout, css_classes=["tsvae-probe-readout"]),
            sizing_mode="stretch_width")
