"""A tab's settings: its three configs, the preset, whether they are valid, what changed
since the run was built, whether a large run was confirmed, and the page's error and
notice lines.

``TabSettings`` is the first of the Controller's base classes (then ``RunStreams``): its
parameters are the Controller's, so the page watches one object.
"""
from __future__ import annotations

import param

from tsvae_core.config import (PRESETS, DataConfig, ModelConfig, TrainConfig, config_values,
                               make_configs)
from tsvae_core.config_rules import validate

from . import data_size
from .data_files import path_problem

#: Fields a running session takes live; every other change waits for Reset/Start.
LIVE_FIELDS = frozenset({"learning_rate"})
#: What ``error`` is about: invalid "settings" keep Start off; a new run clears "run" and
#: "data" (a failed run, failed data generation); a loaded model clears "start" and "load".
ERROR_KINDS = ["", "settings", "start", "load", "run", "data"]


class TabSettings(param.Parameterized):
    """The configs of one tab and what the page says about them."""

    preset = param.Selector(objects=list(PRESETS), default="quick",
                            doc="Load a preset's settings into the widgets.")
    error = param.String("", doc="Invalid settings, a failed run, load or data generation.")
    error_kind = param.Selector(objects=ERROR_KINDS, default="", doc="What ``error`` is about.")
    pending = param.List([], doc="Fields changed since the run was built.")
    typed = param.Dict({}, doc="Values typed into the sidebar and not taken: field -> why.")
    size_summary = param.String("", doc="Windows, their memory and batches an epoch.")
    size_warning = param.String("", doc="Why Start waits for a 'Start anyway' ('' if not).")
    notice = param.String("", doc="Transient information, e.g. busy server.")

    def __init__(self, data: DataConfig, model: ModelConfig, train: TrainConfig, **params):
        super().__init__(**params)
        self.data, self.model, self.train = data, model, train
        self._applied: dict | None = None       # values the session was built from
        self.size_summary = data_size.size_summary(data, train, model)
        self._confirmed: dict | None = None  # data and train values a Start anyway was for
        self._asked = "start"                # the action that is waiting for it

    # ---- the error line ----
    def set_error(self, kind: str, text: str) -> None:
        self.param.update(error=text, error_kind=kind)

    def clear_error(self, *kinds: str) -> None:
        """Clear ``error`` if it is of one of ``kinds``; others stay shown."""
        if self.error_kind in kinds:
            self.param.update(error="", error_kind="")

    @property
    def settings_valid(self) -> bool:
        return self.error_kind != "settings"

    # ---- the configs ----
    @param.depends("preset", watch=True)
    def _on_preset(self):
        fresh = make_configs(self.preset)
        for cfg, new in zip((self.data, self.model, self.train), fresh):
            cfg.param.update(**config_values(new))

    def _check_valid(self) -> bool:
        """Whether a run may be built from the settings; if not, the error says why."""
        # a refused typed value counts as invalid: Start must not run with the old value
        problems = list(self.typed.values())
        try:
            validate(self.data, self.model, self.train)
        except ValueError as exc:
            problems.append(str(exc))
        if path_problem(self.data):
            problems.append(path_problem(self.data))
        if problems:
            self.set_error("settings", "Invalid settings: " + "; ".join(problems))
            return False
        self.clear_error("settings")
        return True

    def _needs_confirming(self, action: str) -> bool:
        """Whether ``action`` (start or step) must wait for a Start anyway: a large run
        (app.data_size) starts only once confirmed for these settings."""
        warning = data_size.size_warning(self.data, self.train, self.model)
        if warning and self._confirmed != config_values(self.data, self.train):
            self._asked, self.size_warning = action, warning
            return True
        self.size_warning = ""
        return False

    def _confirm_size(self) -> str | None:
        """Start anyway: the settings asked about are confirmed; the action that waited
        for it, or None if none waits."""
        if not self.size_warning:
            return None
        self._confirmed = config_values(self.data, self.train)
        self.size_warning = ""
        return self._asked

    def _update_pending(self) -> None:
        if self._applied is None:
            self.pending = []
            return
        now = config_values(self.data, self.model, self.train)
        self.pending = [k for k, v in now.items()
                        if k not in LIVE_FIELDS and self._applied.get(k) != v]
