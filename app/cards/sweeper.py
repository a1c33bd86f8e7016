"""A tab's sweep: the form that says what to sweep, the running ``tsvae_core`` Sweep, and
what the Sweep card shows of it.

The form is param-driven: ``SweepForm`` (trials, objective, direction, sampler, pruner,
the fields to vary) and one ``RangeForm`` per chosen field whose low/high bounds or
choices are taken from that field's own param. Start builds a ``SweepSpec`` from the
form and the tab's current settings (the fixed part) and runs it in the Sweep's own
thread; ``poll`` (the Controller's poll hook, on the event loop) sends what changed into
holoviews Pipes. Choosing a trial puts its settings into the tab's widgets and loads its
saved model as "Load .keras" does.
"""
from __future__ import annotations

import logging
import os
import time

import holoviews as hv
import param

from tsvae_core.config import apply_values, config_values
from tsvae_core.sweep.study import (DIRECTIONS, OBJECTIVES, PRUNERS, SAMPLERS, SweepSpec,
                              default_data_dir, missing_optuna)
from tsvae_core.sweep.space import (FieldRange, default_range, field_choices, field_param,
                                    is_numeric, sweepable_fields)

from ..server.runs import sweep_key

log = logging.getLogger(__name__)

#: Niceness of the trials' training threads: the page keeps the CPU, as for a tab's run.
SWEEP_NICE = 10


class RangeForm(param.Parameterized):
    """What one field may take: low/high (and log) for numbers, choices otherwise. Its
    bounds and choices are the field's own (set per instance from the config's param)."""

    low = param.Number(0.0)
    high = param.Number(1.0)
    log = param.Boolean(False, doc="Sample on a log scale (low must be > 0).")
    choices = param.ListSelector(default=[], objects=[])

    def __init__(self, field: str, current=None, **params):
        super().__init__(name=field, **params)
        p, start = field_param(field), default_range(field, current)
        self.numeric = is_numeric(p)
        if self.numeric:
            for bound in (self.param.low, self.param.high):
                bound.bounds = p.bounds
            self.param.update(low=start.low, high=start.high, log=start.log)
        else:
            self.param.choices.objects = field_choices(p)
            self.choices = list(start.choices)

    def shown(self) -> list[str]:
        """The parameters its widgets show."""
        return ["low", "high", "log"] if self.numeric else ["choices"]

    def to_range(self) -> FieldRange:
        if self.numeric:
            return FieldRange(self.name, self.low, self.high, self.log)
        return FieldRange(self.name, choices=list(self.choices))


class SweepForm(param.Parameterized):
    """The Sweep card's settings; ``ranges`` follows ``fields``."""

    fields = param.ListSelector(default=["learning_rate", "latent_dim"],
                                objects=sweepable_fields(), doc="Fields to vary.")
    n_trials = param.Integer(8, bounds=(1, 1000), doc="Trials the study should hold.")
    objective = param.Selector(objects=list(OBJECTIVES), default="val_loss")
    direction = param.Selector(objects=["auto", *DIRECTIONS], default="auto",
                               doc="auto: the objective's own (minimize val_loss).")
    sampler = param.Selector(objects=SAMPLERS, default="tpe")
    pruner = param.Selector(objects=PRUNERS, default="median")
    study = param.String("", doc="The study's name ('' : a new name at Start; an "
                                 "existing name resumes that study).")
    ranges = param.Dict({}, doc="field -> RangeForm of the chosen fields.")


class Sweeper(param.Parameterized):
    """The tab's sweep and its views' streams."""

    start = param.Event(doc="Start (or resume) the sweep the form describes.")
    stop = param.Event(doc="Stop the sweep: running trials stop within one batch.")
    status = param.String("idle")
    message = param.String("", doc="What the sweep does, or why it could not start.")
    running = param.Boolean(False)
    chosen = param.Integer(-1, doc="The trial last put into the widgets.")
    rows_changed = param.Event(doc="The trials' rows changed (the table follows).")

    def __init__(self, ctrl, data_dir=None, **params):
        super().__init__(**params)
        self.ctrl, self.data_dir = ctrl, data_dir or default_data_dir()
        self.unavailable = missing_optuna()
        self.form = SweepForm()
        self.form.param.watch(self._sync_ranges, "fields")
        self._sync_ranges()
        self.sweep = None
        self.rows: list = []
        self._version = -1
        # the plots' streams: full replacement when the trials change
        self.trials_pipe = hv.streams.Pipe(data=([], "minimize"))
        self.parallel_pipe = hv.streams.Pipe(data=([], [], "minimize"))
        self.importance_pipe = hv.streams.Pipe(data={})
        ctrl.poll_hooks.append(self.poll)
        ctrl.close_hooks.append(self.shutdown)

    def _sync_ranges(self, *_events) -> None:
        values = config_values(self.ctrl.data, self.ctrl.model, self.ctrl.train)
        self.form.ranges = {f: self.form.ranges.get(f) or RangeForm(f, values.get(f))
                            for f in self.form.fields}

    def spec(self) -> SweepSpec:
        """The spec the form and the tab's settings describe (ValueError if invalid)."""
        f = self.form
        fixed = config_values(self.ctrl.data, self.ctrl.model, self.ctrl.train)
        space = [f.ranges[n].to_range() for n in f.fields]
        for n in f.fields:
            fixed.pop(n, None)
        name = f.study.strip() or time.strftime("sweep-%Y%m%d-%H%M%S")
        return SweepSpec(name, space, self.ctrl.state.preset, fixed, f.n_trials, f.objective,
                         "" if f.direction == "auto" else f.direction, f.sampler, f.pruner)

    @param.depends("start", watch=True)
    def _on_start(self):
        if self.unavailable or self.running:
            return
        from tsvae_core.sweep.run import Sweep
        # trials go to the tabs' Ray cluster when the server has one (TSVAE_RAY); here,
        # the sweep holds one of the server's run slots (--max-runs) while it runs
        ray = os.environ.get("TSVAE_RAY") or None
        registry, key = self.ctrl.registry, sweep_key(self.ctrl.tab)
        if not ray and (refused := self._refusal(registry, key)):
            self.message = f"Cannot start the sweep: {refused}"
            return
        try:
            spec = self.spec().check()
            sweep = Sweep(spec, self.data_dir, nice=SWEEP_NICE, ray=ray)
        except ValueError as exc:
            self.message = f"Cannot start the sweep: {exc}"
            return
        if ray:
            sweep.start()
        else:
            started, n = registry.try_start(sweep, key)
            if not started:  # another tab took the last slot since the check
                self.message = f"Cannot start the sweep: {registry.busy_message(n)}"
                return
        self.sweep = sweep
        self.form.study = spec.study
        self._version = -1
        self.poll()

    @staticmethod
    def _refusal(registry, key: str) -> str:
        """Why a sweep on this server cannot start now ('' if it can)."""
        if registry.live_runs(key):
            return "the previous sweep's trial is still stopping; try again in a moment"
        if registry.is_full():
            return registry.busy_message(registry.active())
        return ""

    @param.depends("stop", watch=True)
    def _on_stop(self):
        if self.sweep is not None:
            self.sweep.stop()

    def poll(self) -> None:
        """Send what changed since the last poll into the streams (event loop only)."""
        s = self.sweep
        if s is None or s.version == self._version:
            return
        self._version = s.version
        self.rows = s.rows()
        spec = s.spec
        running = s.status == "running"
        said = (f"running · {s.counted()} of {spec.n_trials} trials done" if running
                else s.message or s.status)
        self.param.update(status=s.status, running=running, message=f"{spec.study}: {said}")
        try:
            self.trials_pipe.send((self.rows, spec.direction))
            self.parallel_pipe.send((self.rows, list(spec.space), spec.direction))
            self.importance_pipe.send(dict(s.importance))
        except Exception:  # a plot's failure must not stop the sweep's page
            log.exception("the sweep's plots failed to update")
        self.param.trigger("rows_changed")

    def choose(self, number: int) -> None:
        """Put trial ``number``'s settings into the widgets; load its model if it saved one."""
        row = next((r for r in self.rows if r.number == number), None)
        if row is None or self.sweep is None:
            return
        c = self.ctrl
        apply_values((c.data, c.model, c.train), {**self.sweep.spec.fixed, **row.params})
        self.chosen = number
        if row.model_path:
            c.load_model(row.model_path, f"trial {number} of {self.sweep.spec.study}")

    def shutdown(self) -> None:
        if self.sweep is not None:
            self.sweep.stop()
