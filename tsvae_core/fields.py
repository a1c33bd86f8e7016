"""Text to field value and back, for every parameter type: one codec for the command line
(``tsvae_core.cli_flags``), links and JSON settings (``app.tab.requested_settings``) and sweep
ranges (``tsvae_core.sweep.space``).

Numbers are read in plain ASCII only, as the page's number widgets take them: Python's
``int()`` and ``float()`` would also read other scripts' digits ("٣" as 3), fullwidth
digits and underscores ("1_0"), so a link or a flag could mean something the widget
cannot show. Every ValueError names what the field allows (``allowed``).

Imports only ``param``: the command line checks its flags with it before Keras loads.
"""
from __future__ import annotations

import json
import math
import re

import param

_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
                     r"|inf|infinity|nan)", re.ASCII | re.IGNORECASE)


def parse_bool(text: str) -> bool:
    """A boolean from text: 1/0, true/false, on/off, yes/no in any case."""
    low = text.strip().lower()
    if low in ("1", "true", "on", "yes"):
        return True
    if low in ("0", "false", "off", "no"):
        return False
    raise ValueError("expected true or false")


def parse_int(text: str) -> int:
    """An integer from text: ASCII digits with an optional sign."""
    if not _INTEGER.fullmatch(text.strip()):
        raise ValueError("expected an integer in ASCII digits")
    return int(text)


def parse_number(text: str) -> float:
    """A number from text: ASCII decimal or exponent notation (inf and nan are read, for
    the field's bounds to refuse them by name)."""
    if not _NUMBER.fullmatch(text.strip()):
        raise ValueError("expected a number in ASCII digits")
    return float(text)


def allowed(p: param.Parameter) -> str:
    """What a parameter accepts, in words: its range, its choices, its type."""
    if isinstance(p, param.Boolean):
        return "allowed: true or false"
    if isinstance(p, param.Selector):
        return "allowed: " + ", ".join(map(str, p.objects))
    if isinstance(p, param.List):
        lo, hi = p.bounds or (0, None)
        return f"allowed: a list of {lo}..{hi if hi is not None else 'any'} numbers"
    if isinstance(p, param.Number):
        lo, hi = p.bounds or (None, None)
        kind = "an integer" if isinstance(p, param.Integer) else "a number"
        low_in, high_in = p.inclusive_bounds
        if lo is not None and hi is not None and low_in and high_in:
            return f"allowed range: {kind} in {lo}..{hi}"
        ends = [f"{'>=' if low_in else '>'} {lo}" if lo is not None else "",
                f"{'<=' if high_in else '<'} {hi}" if hi is not None else ""]
        if not any(ends):
            return f"allowed: {kind}"
        return f"allowed range: {kind} " + " and ".join(e for e in ends if e)
    return f"allowed: a {type(p).__name__}"


def shown(value) -> str:
    """A value as a link writes it (text as is, others as JSON), so a problem reads the
    same whether the text or an already parsed value was checked."""
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def from_text(name: str, p: param.Parameter, text: str):
    """The value of field ``name`` (parameter ``p``) written as ``text``; a list is JSON.
    Selectors and strings stay text (their choices are checked when the value is set).
    ValueError: ``name=text: allowed ...``."""
    if isinstance(p, param.Boolean):
        try:
            return parse_bool(text)
        except ValueError as exc:
            raise ValueError(f"{name}={shown(text)}: {exc}") from None
    try:
        if isinstance(p, param.Integer):
            return parse_int(text)
        if isinstance(p, param.Number):
            return parse_number(text)
        if isinstance(p, param.List):
            return json.loads(text)
    except (ValueError, RecursionError):  # json's error is a ValueError; deep nesting recurses
        raise ValueError(f"{name}={shown(text)}: {allowed(p)}") from None
    return text


def coerce(name: str, p: param.Parameter, value):
    """``value`` (text, or JSON's or Panel's parsed value) as the type of field ``name``:
    text goes through ``from_text``; numbers, booleans and lists are checked for type
    (the range is checked when the value is set). ValueError names field and allowed."""
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    if isinstance(value, str):
        return from_text(name, p, value)
    bad = ValueError(f"{name}={shown(value)}: {allowed(p)}")
    if isinstance(p, param.Boolean):
        if isinstance(value, bool) or value in (0, 1):
            return bool(value)
        raise bad
    if isinstance(value, bool):
        raise bad
    if isinstance(p, param.Integer):
        if isinstance(value, int):
            return value
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        raise bad
    if isinstance(p, param.Number):
        if isinstance(value, (int, float)):
            return float(value)
        raise bad
    if isinstance(p, param.List):
        if isinstance(value, (list, tuple)):
            return list(value)
        raise bad
    raise bad  # selectors take text
