"""Settings requested from outside the widgets: preset and field overrides from the
environment and the URL (when a tab opens, and from links later, see app.tab.url_sync).

Precedence (later wins): the preset's values, ``TSVAE_DEFAULT_OVERRIDES`` (JSON object of
field -> value, server-wide), then URL query arguments (``?preset=paper&latent_dim=3``).
Tests use both to shrink runs; people can share a link to a configuration.

Requested values are checked field by field: an unknown field, a value of the wrong type
or out of its range, or one that breaks a cross-field rule is reported (by name, with what
is allowed) and left at the preset's value, while the other requested fields still apply.
"""
from __future__ import annotations

import json
import logging
import os
import re

import param

from tsvae_core import fields
from tsvae_core.config import (PRESETS, apply_values, config_values, copy_config, field_owner,
                               make_configs)
from tsvae_core.config_rules import validate
from tsvae_core.fields import allowed, shown

log = logging.getLogger(__name__)

PRESET_ENV = "TSVAE_PRESET"
OVERRIDES_ENV = "TSVAE_DEFAULT_OVERRIDES"
DEFAULT_PRESET = "quick"  # the paper preset takes hours on a CPU


def parse_value(name: str, text: str):
    """A URL argument as the type of the config field ``name`` (``tsvae_core.fields``)."""
    return fields.from_text(name, field_owner(name).param[name], text)


def coerce(name: str, value):
    """``value`` (text or a parsed value) as the type of field ``name``; ValueError names
    the field and what it allows (the range is checked when the value is set)."""
    return fields.coerce(name, field_owner(name).param[name], value)


def resolve(configs, requested) -> tuple[dict, list[str]]:
    """(accepted, problems): the requested ``(field, value)`` pairs that may be set on
    ``configs`` (field -> typed value), and one line per refused pair.

    Works on copies; ``configs`` are not changed. Each pair is checked alone (known field,
    type, range); then the accepted ones together against the cross-field rules: if they
    break one, they are added one by one (repeating while any more fits), and those that
    still break a rule are refused with the rule's message.
    """
    current = config_values(*configs)

    def copies():
        return tuple(copy_config(cfg) for cfg in configs)

    trial = copies()
    by_class = {type(c): c for c in trial}
    accepted, problems = {}, []
    for name, raw in requested:
        try:
            owner = field_owner(name)
        except ValueError:
            problems.append(f"unknown field {name!r}")
            continue
        cfg = by_class[owner]
        try:
            value = coerce(name, raw)
            cfg.param.update(**{name: value})
        except (ValueError, TypeError) as exc:
            text = str(exc) if str(exc).startswith(f"{name}=") else \
                f"{name}={shown(raw)}: {allowed(owner.param[name])}"
            problems.append(f"{text}; kept {current[name]!r}")
            continue
        accepted.pop(name, None)
        accepted[name] = value  # a later request of the same field wins
    try:
        validate(*trial)
        return accepted, problems
    except ValueError:
        pass
    trial, taken, left = copies(), {}, dict(accepted)
    reasons: dict[str, str] = {}
    progress = True
    while left and progress:
        progress = False
        for name, value in list(left.items()):
            apply_values(trial, {name: value})
            try:
                validate(*trial)
            except ValueError as exc:
                apply_values(trial, {name: current[name]})
                reasons[name] = str(exc)
                continue
            taken[name] = left.pop(name)
            progress = True
    problems += [f"{n}={shown(v)}: {reasons[n]}; kept {current[n]!r}"
                 for n, v in left.items()]
    return {n: accepted[n] for n in accepted if n in taken}, problems


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def link_texts(url_args) -> tuple[dict[str, str], list[str]]:
    """(name -> text, problems) of a link's arguments (name -> list of values, as
    ``pn.state.session_args`` gives them): a name given more than once with different
    values is left out and named (which one was meant cannot be known)."""
    texts, problems = {}, []
    for key, values in url_args.items():
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        distinct = list(dict.fromkeys(_text(v) for v in values))
        if len(distinct) > 1:
            problems.append(f"{key}={' and '.join(shown(v) for v in distinct)}: given "
                            f"{len(values)} times in the link; give it once; ignored")
        elif distinct:
            texts[key] = distinct[0]
    return texts, problems


def query_texts(search: str) -> dict[str, list[str]]:
    """A query string's arguments as text, every value of a repeated name kept (Panel's
    own parsing keeps the last one and turns "٣" or "1_0" into numbers)."""
    import urllib.parse
    out: dict[str, list[str]] = {}
    for key, value in urllib.parse.parse_qsl(search.lstrip("?"), keep_blank_values=True):
        out.setdefault(key, []).append(value)
    return out


def initial_configs(url_args: dict | None = None, environ=os.environ):
    """(preset, configs, problem) for ``url_args`` (name -> list of bytes, as
    ``pn.state.session_args`` gives them) and the environment.

    Never raises for bad requests: a bad preset falls back to the default preset, a bad
    field keeps the preset's value, and ``problem`` says what was ignored and why (empty
    when everything applied), for the page to show.
    """
    problems = []
    preset = environ.get(PRESET_ENV, DEFAULT_PRESET)
    if preset not in PRESETS:
        problems.append(f"{PRESET_ENV}: preset={preset!r} is not one of {sorted(PRESETS)}")
        preset = DEFAULT_PRESET
    requested = []
    try:
        env = json.loads(environ.get(OVERRIDES_ENV) or "{}")
        if not isinstance(env, dict):
            raise ValueError("must be a JSON object of field -> value")
        requested += list(env.items())
    except ValueError as exc:
        problems.append(f"{OVERRIDES_ENV}: {exc}")
    texts, repeated = link_texts(url_args or {})
    problems += repeated
    for key, text in texts.items():
        if key == "preset":
            if text in PRESETS:
                preset = text
            else:
                problems.append(f"preset={text!r} is not one of {sorted(PRESETS)}; "
                                f"kept {preset!r}")
        else:
            requested.append((key, text))
    configs = make_configs(preset)
    accepted, refused = resolve(configs, requested)
    apply_values(configs, accepted)
    problems += refused
    if problems:
        log.warning("ignoring requested settings: %s", "; ".join(problems))
    return preset, configs, describe(problems)


PROBLEM_PREFIX = "Ignored requested settings: "


def describe(problems: list[str]) -> str:
    """The page's notice for refused settings ('' when there are none)."""
    return (PROBLEM_PREFIX + "; ".join(problems)) if problems else ""


# A problem starts with ``field=`` (or ``preset=``) or is ``unknown field 'name'``; the
# other parts of a line ("; kept 2", a rule's "; allowed ...") never start that way.
_PROBLEM_START = re.compile(r"(?:^|; )(?:unknown field (?P<unknown>'.*?')|(?P<field>\w+)=)")


def problem_field(problem: str) -> str | None:
    """The field a problem line is about (``'name'`` quoted for unknown fields)."""
    m = _PROBLEM_START.match(problem)
    return None if m is None else m.group("unknown") or m.group("field")


def problem_fields(notice: str) -> set[str]:
    """The fields a notice (``describe``'s text) already reports."""
    body = notice.removeprefix(PROBLEM_PREFIX)
    return {m.group("unknown") or m.group("field") for m in _PROBLEM_START.finditer(body)}
