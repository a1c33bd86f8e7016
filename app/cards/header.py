"""The page's header: the run's buttons and its status line, with the error, notice,
large-run and pending-changes messages."""
from __future__ import annotations

import html
import math

import panel as pn
import param

from tsvae_core import events as ev
from tsvae_core.runs import format_duration
from tsvae_core.session.control import PHASE_MESSAGES

from ..tab.controller import Controller
from .safe_text import text_alert


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
        st = self.ctrl.state.param
        pause_label = st.status.rx.pipe(lambda s: "Resume" if s == ev.PAUSED else "Pause")
        return pn.Row(
            self._button("start", "Start", "success", st.can_start),
            self._button("pause", pause_label, "warning", st.can_pause),
            self._button("stop", "Stop", "danger", st.can_stop),
            self._button("step", "Step", "primary", st.can_step),
            self._button("reset", "Reset", "light", st.can_reset),
        )


class StatusLine(pn.viewable.Viewer):
    """State, epoch k of N, progress within the epoch, speed, time, device, k-NN accuracy,
    and the messages (errors, busy server, pending changes).

    The root element carries data-* attributes so browser tests can read the state
    without parsing prose.
    """

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl, self.state = ctrl, ctrl.state

    @param.depends("state.status", "state.epoch", "state.n_epochs", "state.batch",
                   "state.n_batches", "state.samples_per_s", "state.elapsed_s", "state.device",
                   "state.knn_accuracy", "state.message", "state.health_warning")
    def _line(self):
        c = self.state
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
        attrs = (f"data-tab='{html.escape(self.ctrl.tab)}' "
                 f"data-status='{html.escape(c.status)}' data-epoch='{c.epoch}' "
                 f"data-n-epochs='{c.n_epochs}' data-batch='{c.batch}' "
                 f"data-n-batches='{c.n_batches}'")
        line = f"<div class='tsvae-status' {attrs}>{' · '.join(parts)}</div>"
        if c.health_warning:  # a dead start or a collapse: say so where the eye is
            line += ("<div class='tsvae-health-warning' style='color:#ffb74d;font-weight:bold'>"
                     f"⚠ {html.escape(c.health_warning)}</div>")
        return line

    @param.depends("state.pending")
    def _pending(self):
        return (f"Pending until the next Reset or Start: {', '.join(self.state.pending)} "
                "(the learning rate applies live)")

    def __panel__(self):
        c, st = self.ctrl, self.state.param
        # both quote what a link, a file or a widget asked for: shown as text only
        error = text_alert(st.error, "danger", "tsvae-error")
        notice = text_alert(st.notice, "info", "tsvae-notice")
        pending = pn.pane.Alert(self._pending, alert_type="warning", css_classes=["tsvae-pending"],
                                visible=st.pending.rx.pipe(bool),
                                sizing_mode="stretch_width")
        # One pane whose text changes: replacing panes would rebuild their Bokeh models.
        line = pn.pane.HTML(self._line, sizing_mode="stretch_width", margin=(5, 10),
                            stylesheets=[":host { color: var(--neutral-foreground-rest, #ddd); }"])
        anyway = pn.widgets.Button(label="Start anyway", color="warning", width=140,
                                   css_classes=["tsvae-start-anyway"])
        anyway.on_click(lambda _e: c.param.trigger("start_anyway"))
        large = pn.Column(text_alert(st.size_warning, "warning", "tsvae-size-warning"),
                          anyway, visible=st.size_warning.rx.bool(),
                          sizing_mode="stretch_width")
        return pn.Column(line, error, notice, large, pending, sizing_mode="stretch_width")
