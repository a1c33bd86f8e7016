"""The Settings card (the sidebar): preset, then Model, Training and Data.

The widgets come from the config parameters (``pn.Param``), so their bounds and docs
live once, in tsvae_core.config. Fields with ``precedence >= 0.9`` fold into an
"Advanced" card.
"""
from __future__ import annotations

import html

import panel as pn
import param

from tsvae_core import families
from tsvae_core.config import SOURCE_FIELDS, DataConfig, ModelConfig, field_names

from ..tab.controller import Controller
from .lazy import lazy_card
from .source import SourceView
from .typed_inputs import checked_widget

ADVANCED = 0.9
#: The prominent fields of each group, in display order; the rest of a group that is not
#: advanced follows them.
PROMINENT = {
    "Model": ["architecture", "activation", "latent_dim", "time_bypass"],
    "Training": ["optimizer", "learning_rate", "batch_size", "epochs"],
    "Data": ["source", "seq_len"],
}
_OPTIONS = {"learning_rate": {"step": 1e-4, "format": "0.[00000]"}}


def _widget_for(p: param.Parameter, report=None):
    """Typed inputs instead of sliders: the ranges (e.g. noise_size up to 1e6) are too
    wide for a slider to hit a chosen value. Number boxes answer an out-of-range value
    through ``report`` (see app.cards.typed_inputs) instead of dropping it."""
    if p.name == "time_bypass":
        return {"type": pn.widgets.Checkbox}
    if isinstance(p, param.Number) and not isinstance(p, param.Boolean):
        return checked_widget(p, report, **_OPTIONS.get(p.name, {}))
    return None


def _fields(cfg: param.Parameterized, advanced: bool) -> list[str]:
    # the class's precedence: an instance may hide another family's fields (-1) for now
    return [n for n in field_names(type(cfg))
            if ((type(cfg).param[n].precedence or 0) >= ADVANCED) == advanced]


def _param_pane(cfg, names, report=None) -> pn.Param:
    return pn.Param(cfg, parameters=names, show_name=False, sort=False,
                    widgets={n: w for n in names
                             if (w := _widget_for(cfg.param[n], report)) is not None},
                    default_layout=pn.Column, sizing_mode="stretch_width")


def _show_own(cfg, own_fields: dict[str, list[str]], key: str) -> None:
    """Show the fields ``own_fields[key]`` names, hide those only other keys name.

    Hiding is per instance (negative precedence), so other tabs are untouched, and the
    widgets of pn.Param follow the precedence live.
    """
    own = set(own_fields.get(key, ()))
    for name in {f for fields in own_fields.values() for f in fields}:
        cfg.param[name].precedence = type(cfg).param[name].precedence if name in own else -1


def show_family_fields(model: ModelConfig) -> None:
    """Show a family's own fields (its FamilySpec's) only while it is the architecture."""
    _show_own(model, families.family_fields(), model.architecture)


def show_source_fields(data: DataConfig) -> None:
    """Show a source's own fields (SOURCE_FIELDS) only while it is the source."""
    _show_own(data, SOURCE_FIELDS, data.source)


class Settings(pn.viewable.Viewer):
    """Preset selector, then Model, Training and Data cards with folded advanced fields;
    the model card shows the chosen family's own fields only."""

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        model = ctrl.model
        model.param.watch(lambda _: show_family_fields(model), "architecture")
        show_family_fields(model)
        data = ctrl.data
        data.param.watch(lambda _: show_source_fields(data), "source")
        show_source_fields(data)
        self.source = SourceView(ctrl)

    def _group(self, title: str, cfg) -> pn.Card:
        main = _fields(cfg, advanced=False)
        first = [n for n in PROMINENT[title] if n in main]
        ordered = first + [n for n in main if n not in first]
        advanced = _fields(cfg, advanced=True)
        report = self.ctrl.set_typed_problem
        extra = [self.source] if title == "Data" else []
        return pn.Card(
            _param_pane(cfg, ordered, report),
            # built when first opened: most tabs never open it (app.cards.lazy)
            lazy_card("Advanced", lambda: _param_pane(cfg, advanced, report)), *extra,
            title=title, sizing_mode="stretch_width", css_classes=[f"tsvae-{title.lower()}"])

    def __panel__(self):
        c = self.ctrl
        preset = pn.widgets.Select.from_param(c.state.param.preset, label="Preset",
                                              sizing_mode="stretch_width")
        size = pn.pane.HTML(c.state.param.size_summary.rx.pipe(
            lambda t: f"<span class='tsvae-data-size'>{html.escape(t)}</span>"),
            margin=(0, 10), css_classes=["tsvae-data-size"])
        return pn.Column(
            preset,
            size,
            self._group("Model", c.model),
            self._group("Training", c.train),
            self._group("Data", c.data),
            sizing_mode="stretch_width",
        )
