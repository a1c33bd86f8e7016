"""A sweep's search space: which config fields vary and over what.

Each ``FieldRange`` names one field of ``tsvae_core.config`` and what values it may take:
a selector or a boolean takes choices (of the field's own ``objects``), a number a range
``low..high`` (optionally on a log scale). Bounds come from the field's param, never
re-typed: a range outside them is refused with a ValueError naming the field.

Pure Python: ``suggest`` takes an Optuna trial but imports nothing of Optuna.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import param

from ..config import FIELDS, field_owner
from ..fields import parse_bool, parse_number

#: Fields a sweep cannot vary: the seed is the study's, lists have no range.
NOT_SWEEPABLE = frozenset({"time_wavelengths", "seed"})


def sweepable_fields() -> list[str]:
    """Every config field a sweep may vary, in the configs' order."""
    return [n for n in FIELDS if n not in NOT_SWEEPABLE]


def field_param(name: str) -> param.Parameter:
    if name in NOT_SWEEPABLE:
        raise ValueError(f"{name}: a sweep cannot vary this field; sweepable: "
                         f"{', '.join(sweepable_fields())}")
    try:
        return field_owner(name).param[name]
    except ValueError:
        raise ValueError(f"unknown field {name!r}; sweepable fields: "
                         f"{', '.join(sweepable_fields())}") from None


def is_numeric(p: param.Parameter) -> bool:
    return isinstance(p, param.Number) and not isinstance(p, param.Boolean)


def field_choices(p: param.Parameter) -> list:
    """The values a selector or boolean field allows."""
    return [False, True] if isinstance(p, param.Boolean) else list(p.objects)


@dataclass
class FieldRange:
    """What one field may take in a sweep: ``choices``, or ``low``..``high`` (``log``)."""
    name: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: list = field(default_factory=list)

    def check(self) -> FieldRange:
        """ValueError naming the field unless the range is one it allows; returns self."""
        p = field_param(self.name)
        if not is_numeric(p):
            allowed = field_choices(p)
            if not self.choices:
                raise ValueError(f"{self.name}: empty choice; allowed: {allowed}")
            bad = [c for c in self.choices if c not in allowed]
            if bad:
                raise ValueError(f"{self.name}: {bad} not allowed; allowed: {allowed}")
            return self
        lo, hi = p.bounds
        if self.low is None or self.high is None:
            raise ValueError(f"{self.name}: needs a range low:high within {lo}..{hi}")
        if isinstance(p, param.Integer) and (self.low != int(self.low)
                                             or self.high != int(self.high)):
            raise ValueError(f"{self.name}: an integer field; got {self.low:g}:{self.high:g}")
        if self.log and self.low <= 0:
            raise ValueError(f"{self.name}: log scale needs low > 0, got {self.low:g}")
        if self.low > self.high:
            raise ValueError(f"{self.name}: low {self.low:g} > high {self.high:g}")
        if self.low == self.high:
            raise ValueError(f"{self.name}: empty range {self.low:g}:{self.high:g}; "
                             f"give low < high")
        if (lo is not None and self.low < lo) or (hi is not None and self.high > hi):
            raise ValueError(f"{self.name}: range {self.low:g}:{self.high:g} is outside the "
                             f"field's bounds {lo:g}..{hi:g}")
        return self

    @property
    def numeric(self) -> bool:
        return is_numeric(field_param(self.name))

    def suggest(self, trial):
        """The trial's value for this field (an Optuna trial's suggest_* call)."""
        p = field_param(self.name)
        if not is_numeric(p):
            return trial.suggest_categorical(self.name, list(self.choices))
        if isinstance(p, param.Integer):
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, float(self.low), float(self.high), log=self.log)

    def grid(self, points: int) -> list:
        """The values a grid sampler tries: the choices, or ``points`` values spread
        evenly (geometrically on a log scale) from low to high, integers deduplicated."""
        if not self.numeric:
            return list(self.choices)
        spread = np.geomspace if self.log else np.linspace
        values = spread(self.low, self.high, max(2, points))
        if isinstance(field_param(self.name), param.Integer):
            return sorted({int(round(v)) for v in values})
        return [float(v) for v in values]

    def to_text(self) -> str:
        """The command line's form: ``a,b`` or ``low:high[:log]``."""
        if self.choices:
            return ",".join(str(c).lower() if isinstance(c, bool) else str(c)
                            for c in self.choices)
        return f"{self.low:g}:{self.high:g}" + (":log" if self.log else "")


def default_range(name: str, current=None) -> FieldRange:
    """A starting range for ``name``: all its choices, or a quarter to four times its
    ``current`` value (the default if None) within the field's bounds; a positive float
    on a log scale, an integer linear (as ``low:high`` on the command line)."""
    p = field_param(name)
    if not is_numeric(p):
        return FieldRange(name, choices=field_choices(p))
    lo, hi = p.bounds
    value = float(p.default if current is None else current)
    low, high = (value / 4, value * 4) if value > 0 else (lo, lo + 1)
    low, high = max(low, lo), min(high, hi)
    if isinstance(p, param.Integer):
        low, high = int(low), max(int(round(high)), int(low) + 1)
        return FieldRange(name, low, high)
    return FieldRange(name, low, high, log=low > 0)


def parse_range(name: str, text: str) -> FieldRange:
    """A FieldRange from its text: ``relu,tanh`` (choices; ``*`` for all) or
    ``1e-4:1e-2[:log]`` (a number range); checked against the field."""
    p = field_param(name)
    text = text.strip()
    if not is_numeric(p):
        if text == "*":
            return FieldRange(name, choices=field_choices(p)).check()
        parts = [t.strip() for t in text.split(",") if t.strip()]
        if isinstance(p, param.Boolean):
            try:
                parts = [parse_bool(t) for t in parts]
            except ValueError:
                raise ValueError(f"{name}: choices are true,false; got {text!r}") from None
        return FieldRange(name, choices=parts).check()
    parts = text.split(":")
    log = len(parts) == 3 and parts[2].strip().lower() == "log"
    if len(parts) not in (2, 3) or (len(parts) == 3 and not log):
        raise ValueError(f"{name}: a range is low:high or low:high:log, got {text!r}")
    try:
        low, high = parse_number(parts[0]), parse_number(parts[1])
    except ValueError:
        raise ValueError(f"{name}: low and high must be numbers, got {text!r}") from None
    return FieldRange(name, low, high, log).check()


def check_space(space: list[FieldRange]) -> list[FieldRange]:
    """Every range checked; ValueError for an empty space or a field named twice."""
    if not space:
        raise ValueError("search space: choose at least one field to vary")
    names = [r.name for r in space]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"search space: {', '.join(twice)} named more than once")
    for r in space:
        r.check()
    return space
