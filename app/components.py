"""Page components, each a ``pn.viewable.Viewer`` over one Controller.

The widgets come from the config parameters (``pn.Param``), so their bounds and docs
live once, in tsvae_core.config. Fields with ``precedence >= 0.9`` fold into an
"Advanced" card.
"""
from __future__ import annotations

import html
import math

import panel as pn
import param

from tsvae_core import events as ev
from tsvae_core.config import FAMILY_FIELDS, ModelConfig, field_names
from tsvae_core.runs import format_duration
from tsvae_core.training import PHASE_MESSAGES

from .controller import Controller
from .safe_text import text_alert
from .typed_inputs import checked_widget

ADVANCED = 0.9
#: The prominent fields of each group, in display order; the rest of a group that is not
#: advanced follows them.
PROMINENT = {
    "Model": ["architecture", "activation", "latent_dim", "time_bypass"],
    "Training": ["optimizer", "learning_rate", "batch_size", "epochs"],
    "Data": [],
}
_OPTIONS = {"learning_rate": {"step": 1e-4, "format": "0.[00000]"}}


def _widget_for(p: param.Parameter, report=None):
    """Typed inputs instead of sliders: the ranges (e.g. noise_size up to 1e6) are too
    wide for a slider to hit a chosen value. Number boxes answer an out-of-range value
    through ``report`` (see app.typed_inputs) instead of dropping it."""
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


def show_family_fields(model: ModelConfig) -> None:
    """Show a family's own fields (FAMILY_FIELDS) only while it is the architecture.

    Hiding is per instance (negative precedence), so other tabs are untouched, and the
    widgets of pn.Param follow the precedence live.
    """
    own = set(FAMILY_FIELDS.get(model.architecture, ()))
    for name in {f for fields in FAMILY_FIELDS.values() for f in fields}:
        model.param[name].precedence = type(model).param[name].precedence if name in own else -1


class Settings(pn.viewable.Viewer):
    """Preset selector, then Model, Training and Data cards with folded advanced fields;
    the model card shows the chosen family's own fields only."""

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        model = ctrl.model
        model.param.watch(lambda _: show_family_fields(model), "architecture")
        show_family_fields(model)

    def _group(self, title: str, cfg) -> pn.Card:
        main = _fields(cfg, advanced=False)
        first = [n for n in PROMINENT[title] if n in main]
        ordered = first + [n for n in main if n not in first]
        advanced = _fields(cfg, advanced=True)
        report = self.ctrl.set_typed_problem
        return pn.Card(
            _param_pane(cfg, ordered, report),
            pn.Card(_param_pane(cfg, advanced, report), title="Advanced", collapsed=True,
                    sizing_mode="stretch_width"),
            title=title, sizing_mode="stretch_width", css_classes=[f"tsvae-{title.lower()}"])

    def __panel__(self):
        c = self.ctrl
        preset = pn.widgets.Select.from_param(c.param.preset, label="Preset",
                                              sizing_mode="stretch_width")
        size = pn.pane.HTML(c.param.size_summary.rx.pipe(
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


class Controls(pn.viewable.Viewer):
    """Start, Pause/Resume, Stop, Step, Reset; each disabled when it makes no sense."""

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl

    def _button(self, action: str, label, button_type: str, enabled) -> pn.widgets.Button:
        btn = pn.widgets.Button(label=label, color=button_type,
                                disabled=enabled.rx.not_(), width=100,
                                css_classes=[f"tsvae-{action}"])
        btn.on_click(lambda _e: self.ctrl.param.trigger(action))
        return btn

    def __panel__(self):
        c = self.ctrl
        pause_label = c.param.status.rx.pipe(lambda s: "Resume" if s == ev.PAUSED else "Pause")
        return pn.Row(
            self._button("start", "Start", "success", c.param.can_start),
            self._button("pause", pause_label, "warning", c.param.can_pause),
            self._button("stop", "Stop", "danger", c.param.can_stop),
            self._button("step", "Step", "primary", c.param.can_step),
            self._button("reset", "Reset", "light", c.param.can_reset),
        )


class StatusLine(pn.viewable.Viewer):
    """State, epoch k of N, progress within the epoch, speed, time, device, k-NN accuracy,
    and the messages (errors, busy server, pending changes).

    The root element carries data-* attributes so browser tests can read the state
    without parsing prose.
    """

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl

    @param.depends("ctrl.status", "ctrl.epoch", "ctrl.n_epochs", "ctrl.batch", "ctrl.n_batches",
                   "ctrl.samples_per_s", "ctrl.elapsed_s", "ctrl.device", "ctrl.knn_accuracy",
                   "ctrl.message")
    def _line(self):
        c = self.ctrl
        frac = c.batch / c.n_batches if c.n_batches else 0.0
        knn = "–" if math.isnan(c.knn_accuracy) else f"{c.knn_accuracy:.3f}"
        # before the first batch the session says what it does (data, model, compile)
        phase = (c.message if c.status == ev.RUNNING and c.message != PHASE_MESSAGES["train"]
                 else "")
        state = c.status + (f": {phase}" if phase else "")
        parts = [f"<b class='state' data-phase='{html.escape(phase)}'>{html.escape(state)}</b>",
                 f"epoch <b>{c.epoch}</b> of {c.n_epochs or '–'}",
                 f"<progress max='1' value='{frac:.3f}' style='width:140px'></progress>"
                 f" batch {c.batch}/{c.n_batches or '–'}",
                 f"{c.samples_per_s:,.0f} samples/s",
                 f"elapsed {format_duration(c.elapsed_s)}",
                 f"device {html.escape(c.device or '–')}",
                 f"k-NN accuracy {knn}"]
        attrs = (f"data-tab='{html.escape(c.tab)}' "
                 f"data-status='{html.escape(c.status)}' data-epoch='{c.epoch}' "
                 f"data-n-epochs='{c.n_epochs}' data-batch='{c.batch}' "
                 f"data-n-batches='{c.n_batches}'")
        return f"<div class='tsvae-status' {attrs}>{' · '.join(parts)}</div>"

    @param.depends("ctrl.pending")
    def _pending(self):
        return (f"Pending until the next Reset or Start: {', '.join(self.ctrl.pending)} "
                "(the learning rate applies live)")

    def __panel__(self):
        c = self.ctrl
        # both quote what a link, a file or a widget asked for: shown as text only
        error = text_alert(c.param.error, "danger", "tsvae-error")
        notice = text_alert(c.param.notice, "info", "tsvae-notice")
        pending = pn.pane.Alert(self._pending, alert_type="warning", css_classes=["tsvae-pending"],
                                visible=c.param.pending.rx.pipe(bool),
                                sizing_mode="stretch_width")
        # One pane whose text changes: replacing panes would rebuild their Bokeh models.
        line = pn.pane.HTML(self._line, sizing_mode="stretch_width", margin=(5, 10),
                            stylesheets=[":host { color: var(--neutral-foreground-rest, #ddd); }"])
        anyway = pn.widgets.Button(label="Start anyway", color="warning", width=140,
                                   css_classes=["tsvae-start-anyway"])
        anyway.on_click(lambda _e: c.param.trigger("start_anyway"))
        large = pn.Column(text_alert(c.param.size_warning, "warning", "tsvae-size-warning"),
                          anyway, visible=c.param.size_warning.rx.bool(),
                          sizing_mode="stretch_width")
        return pn.Column(line, error, notice, large, pending, sizing_mode="stretch_width")
