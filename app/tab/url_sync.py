"""The URL's query string follows the tab's settings, so a copied link reproduces them.

``pn.state.location.sync`` keeps a Parameterized and the query string in step. It is not
given the configs themselves: Panel applies all changed query values in one update and
drops the whole update when one of them is refused, and it would set values that break a
cross-field rule. It syncs a ``UrlState`` instead - one untyped parameter per config
field, plus the preset - and this module moves values between it and the configs:

- configs (and the preset) -> UrlState -> query string, on every change;
- query string -> UrlState -> configs only through ``requested_settings.resolve``: each field is
  checked alone and the good ones apply; a refused one is reported in ``ctrl.state.notice`` and
  the query string is set back to the value the widgets have.

Links are read when the page opens (``requested_settings.initial_configs``); the browser then
reports the address it was opened with, which comes through here again, and the query
string is made whole (every field, nothing else) so that a copied link does not depend
on the server's defaults.
"""
from __future__ import annotations

import json
import logging
import urllib.parse

import panel as pn
import param
from panel.util import parse_query

from tsvae_core.config import FIELDS, PRESETS, apply_values, config_values, field_names

from .requested_settings import (PROBLEM_PREFIX, coerce, describe, link_texts,
                                  problem_field, problem_fields, query_texts, resolve)
from .controller import Controller

log = logging.getLogger(__name__)

#: Query arguments the page keeps: the preset, then every config field.
SYNCED = ["preset", *FIELDS]


class UrlState(param.Parameterized):
    """What the query string says: ``preset`` and one parameter per config field, any
    value (checked on the way to the configs, not here)."""


for _name in SYNCED:
    UrlState.param.add_parameter(_name, param.Parameter(default=None, per_instance=True))


def settings_of(ctrl: Controller) -> dict:
    """preset and field -> value of the tab (lists as lists), as the query carries them."""
    return {"preset": ctrl.state.preset, **config_values(ctrl.data, ctrl.model, ctrl.train)}


def query_string(values: dict) -> str:
    """``?a=1&b=...`` as Panel's Location writes it (non-text values as JSON)."""
    return "?" + urllib.parse.urlencode(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()})


class UrlSync:
    """Keeps one tab's settings and its ``Location`` in step (see the module's text)."""

    def __init__(self, ctrl: Controller, location):
        self.ctrl, self.location = ctrl, location
        self.state = UrlState(**settings_of(ctrl))
        self._busy = False
        for cfg in (ctrl.data, ctrl.model, ctrl.train):
            cfg.param.watch(self._from_settings, field_names(cfg))
        ctrl.state.param.watch(self._from_settings, "preset")
        # after Location's own watcher (precedence 0), so a value set back here is the
        # last one written to the query string
        self.state.param.watch(self._from_url, SYNCED, precedence=1)
        # Start from the page's settings: what the link asked for and was refused, and
        # arguments that are no field, leave the address now.
        location.search = query_string(settings_of(ctrl))
        # field -> its value before the last address applied it: ``_check_texts`` sets a
        # field back whose text was no plain value (Location parses "٣" as 3)
        self._before: dict = {}
        location.sync(self.state, SYNCED, on_error=self._refused)
        # The browser reports the address it opened (e.g. only ?latent_dim=3) once the page
        # is up; Location applies it to UrlState, then this makes it whole again.
        location.param.watch(self._complete, "search", precedence=1)

    def _check_texts(self, search: str) -> None:
        """Panel's Location reads "٣" as 3, "1_0" as 10 and keeps the last of a repeated
        name; the address's own text is checked here, after Location applied it: a field
        whose text is no plain value of its type, or that the address repeats, is set back
        to what it was and named."""
        texts, problems = link_texts(query_texts(search))
        repeated = {problem_field(p) for p in problems}
        back = {}
        for name, text in texts.items():
            if name in FIELDS and name in self._before:
                try:
                    coerce(name, text)
                except ValueError as exc:
                    back[name] = self._before[name]
                    problems.append(f"{exc}; kept {self._before[name]!r}")
        back.update({n: self._before[n] for n in repeated if n in self._before})
        if back:
            apply_values((self.ctrl.data, self.ctrl.model, self.ctrl.train), back)
        self._before = {}
        if problems:
            self._report(problems)

    def _complete(self, event) -> None:
        unknown = [k for k in parse_query(event.new or "") if k not in SYNCED]
        if unknown:  # Location skips them; say so, as the page did when it opened
            self._report([f"unknown field {k!r}" for k in unknown])
        self._check_texts(event.new or "")
        if set(self.location.query_params) != set(SYNCED):
            self.location.search = query_string(settings_of(self.ctrl))

    def _report(self, problems: list[str]) -> None:
        """Add problems to the notice, one per field: a field it already lists (e.g. the
        same link's, found when the page opened, where the browser's report reads ``-5``
        as ``-5.0``) is not repeated."""
        log.info("link settings refused: %s", "; ".join(problems))
        notice = self.ctrl.state.notice
        if notice.startswith(PROBLEM_PREFIX):
            listed = problem_fields(notice)
            new = []
            for p in problems:
                field = problem_field(p)
                if p in notice or (field is not None and field in listed):
                    continue
                listed.add(field)
                new.append(p)
            if new:
                self.ctrl.state.notice = "; ".join([notice, *new])
        else:
            self.ctrl.state.notice = describe(problems)

    def _from_settings(self, *events) -> None:
        self.state.param.update(**{e.name: list(e.new) if isinstance(e.new, tuple) else e.new
                                   for e in events})

    def _from_url(self, *events) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            self._apply({e.name: e.new for e in events})
        finally:
            self._busy = False

    def _apply(self, wanted: dict) -> None:
        c = self.ctrl
        now = settings_of(c)
        problems = []
        preset = wanted.pop("preset", c.state.preset)
        if preset != c.state.preset:
            if preset in PRESETS:
                c.state.preset = preset  # sets every field; the fields asked for follow
                now = settings_of(c)
            else:
                problems.append(f"preset={preset!r} is not one of {sorted(PRESETS)}; "
                                f"kept {c.state.preset!r}")
        requested = [(k, v) for k, v in wanted.items() if v != now.get(k)]
        accepted, refused = resolve((c.data, c.model, c.train), requested)
        self._before = {k: now[k] for k in accepted}
        for cfg in (c.data, c.model, c.train):
            mine = {k: v for k, v in accepted.items() if k in cfg.param}
            if mine:
                cfg.param.update(**mine)
        problems += refused
        if problems:
            self._report(problems)
            # the address shows the settings the page has, not the refused ones
            self.state.param.update(**settings_of(c))
            self.location.search = query_string(settings_of(c))

    def _refused(self, values: dict) -> None:  # UrlState takes any value: not expected
        log.warning("query values not taken: %s", values)


def sync_url(ctrl: Controller, location=None) -> UrlSync | None:
    """Keep ``location`` (default ``pn.state.location``)'s query string equal to the tab's
    settings, and apply settings that arrive through it."""
    location = location if location is not None else pn.state.location
    if location is None:
        return None
    return UrlSync(ctrl, location)
