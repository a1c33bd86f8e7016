"""Number boxes of the sidebar that say so when a typed value is out of range.

Panel gives a numeric input its parameter's bounds (``start``/``end``); the browser then
clamps a typed value, or the parameter refuses it and Panel sets the box back, and
either way nothing tells the user (``-5`` in Epochs: Start ran with the old value).
These boxes have no bounds in the browser; a value the field does not allow is not
passed on to the config, the box keeps what was typed, and ``report(field, problem)``
is called with a line naming the field, the value and the allowed range (``''`` once a
good value arrives), which the page shows as an invalid setting that holds Start back.
"""
from __future__ import annotations

import math

import panel as pn
import param

from tsvae_core.fields import allowed

from tsvae_core.fields import shown


def typed_problem(p: param.Parameter, value) -> str:
    """Why ``value``, typed into the box of field ``p``, cannot be used ('' when it can)."""
    if value is None:
        return f"{p.name} is empty: {allowed(p)}; not applied"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{p.name}={shown(value)}: {allowed(p)}; not applied"
    if not math.isfinite(value) or (isinstance(p, param.Integer) and value != int(value)):
        return f"{p.name}={shown(value)}: {allowed(p)}; not applied"
    lo, hi = p.bounds or (None, None)
    inc_lo, inc_hi = getattr(p, "inclusive_bounds", (True, True))
    below = lo is not None and (value < lo or (value == lo and not inc_lo))
    above = hi is not None and (value > hi or (value == hi and not inc_hi))
    if below or above:
        return f"{p.name}={shown(value)}: {allowed(p)}; not applied"
    return ""


class _Checked(param.Parameterized):
    """Checks values from the browser against ``spec`` before they become ``value``."""

    # not references: param would read a Parameter (or a method) as "its current value"
    spec = param.Parameter(default=None, allow_refs=False,
                           doc="The config parameter the box edits.")
    report = param.Callable(default=None, allow_refs=False,
                            doc="Called as report(field, problem).")
    problem = param.String("", doc="Why the last typed value was not taken ('' if it was).")

    def __init__(self, **params):
        super().__init__(**params)
        # a value set from Python (preset, link, settings file) replaces what was typed
        self.param.watch(lambda _e: self._set_problem(""), "value")

    def _set_problem(self, text: str) -> None:
        if text != self.problem:
            self.problem = text
            if self.report is not None and self.spec is not None:
                self.report(self.spec.name, text)

    def _process_property_change(self, props):
        props = super()._process_property_change(props)
        if self.spec is None or ("value" not in props and "value_throttled" not in props):
            return props
        value = props.get("value", props.get("value_throttled"))
        text = typed_problem(self.spec, value)
        if text:  # keep it from the config: value stays what the config has
            props.pop("value", None)
            props.pop("value_throttled", None)
        self._set_problem(text)
        return props


#: Parameters of the boxes that stay in Python (the browser's model has no such fields).
_SERVER_ONLY = {"spec": None, "report": None, "problem": None}


class CheckedIntInput(_Checked, pn.widgets.IntInput):
    _rename = {**pn.widgets.IntInput._rename, **_SERVER_ONLY}


class CheckedFloatInput(_Checked, pn.widgets.FloatInput):
    _rename = {**pn.widgets.FloatInput._rename, **_SERVER_ONLY}


def checked_widget(p: param.Parameter, report, **options) -> dict:
    """The ``pn.Param`` widget spec of a checked box for field ``p``: no bounds in the
    browser (``start``/``end`` None), so what is typed arrives and is answered."""
    kind = CheckedIntInput if isinstance(p, param.Integer) else CheckedFloatInput
    return {"type": kind, "start": None, "end": None, "spec": p, "report": report, **options}
