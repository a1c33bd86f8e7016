"""A tab's settings: its three configs, the preset, whether they are valid, what changed
since the run was built and whether a large run was confirmed.

``TabSettings`` writes what the page says about them into the tab's ``TabState``
(``error``, ``pending``, ``typed``, ``size_summary``, ``size_warning``); it knows nothing
of sessions: the Controller tells it which values the run was built from (``applied``).
"""
from __future__ import annotations

from tsvae_core.config import DataConfig, ModelConfig, TrainConfig, config_values, make_configs
from tsvae_core.config_rules import validate

from . import data_size
from ..server.data_files import path_problem
from .state import TabState

#: Fields a running session takes live; every other change waits for Reset/Start.
LIVE_FIELDS = frozenset({"learning_rate"})


class TabSettings:
    """The configs of one tab and what the page says about them."""

    def __init__(self, data: DataConfig, model: ModelConfig, train: TrainConfig,
                 state: TabState):
        self.data, self.model, self.train, self.state = data, model, train, state
        #: the values the current session was built from (None when there is none)
        self.applied: dict | None = None
        self._confirmed: dict | None = None  # data and train values a Start anyway was for
        self._asked = "start"                # the action that is waiting for it
        state.size_summary = self.size_summary()
        state.param.watch(lambda _e: self._on_preset(), "preset")

    @property
    def configs(self) -> tuple[DataConfig, ModelConfig, TrainConfig]:
        return self.data, self.model, self.train

    def values(self) -> dict:
        """field -> value of all three configs."""
        return config_values(self.data, self.model, self.train)

    def _on_preset(self) -> None:
        fresh = make_configs(self.state.preset)
        for cfg, new in zip(self.configs, fresh):
            cfg.param.update(**config_values(new))

    def size_summary(self) -> str:
        return data_size.size_summary(self.data, self.train, self.model)

    def check_valid(self) -> bool:
        """Whether a run may be built from the settings; if not, the error says why."""
        # a refused typed value counts as invalid: Start must not run with the old value
        problems = list(self.state.typed.values())
        try:
            validate(self.data, self.model, self.train)
        except ValueError as exc:
            problems.append(str(exc))
        if path_problem(self.data):
            problems.append(path_problem(self.data))
        if problems:
            self.state.set_error("settings", "Invalid settings: " + "; ".join(problems))
            return False
        self.state.clear_error("settings")
        return True

    def set_typed_problem(self, field: str, problem: str) -> bool:
        """A sidebar box refused a typed value (``problem``), or took one (''); whether
        that changed anything (the validity is then checked again)."""
        typed = {k: v for k, v in self.state.typed.items() if k != field}
        if problem:
            typed[field] = problem
        if typed == self.state.typed:
            return False
        self.state.typed = typed
        self.check_valid()
        return True

    def needs_confirming(self, action: str) -> bool:
        """Whether ``action`` (start or step) must wait for a Start anyway: a large run
        (app.tab.data_size) starts only once confirmed for these settings."""
        warning = data_size.size_warning(self.data, self.train, self.model)
        if warning and self._confirmed != config_values(self.data, self.train):
            self._asked, self.state.size_warning = action, warning
            return True
        self.state.size_warning = ""
        return False

    def confirm_size(self) -> str | None:
        """Start anyway: the settings asked about are confirmed; the action that waited
        for it, or None if none waits."""
        if not self.state.size_warning:
            return None
        self._confirmed = config_values(self.data, self.train)
        self.state.size_warning = ""
        return self._asked

    def update_pending(self) -> None:
        """``pending``: the fields changed since the run was built."""
        if self.applied is None:
            self.state.pending = []
            return
        now = self.values()
        self.state.pending = [k for k, v in now.items()
                              if k not in LIVE_FIELDS and self.applied.get(k) != v]
