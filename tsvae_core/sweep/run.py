"""Running a sweep: trials as real TrainingSessions, told to an Optuna study.

``Sweep(spec, data_dir)`` opens (or resumes) the spec's study; ``run()`` trains trials
until the study holds ``n_trials`` counted ones (finished, pruned or failed; trials
stopped by the user or cut short by a restart do not count, so a resume makes them up);
``start()`` does the same in a daemon thread and ``stop()`` stops the running trials
within one batch. ``workers`` trials train at once, each in its own session thread.

Readers on other threads (the page's periodic callback) see ``rows()`` - one plain
``TrialRow`` per trial - and ``version``, which grows with every change; parameter
importances are computed here, after each finished trial, not on the reader's thread.
"""
from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import events as ev
from ..config import make_configs
from ..session.protocol import Run
from .study import (STOPPED_NOTE, SweepSpec, default_data_dir, objective_value, open_study)

log = logging.getLogger(__name__)

INTERRUPTED_NOTE = "interrupted (the sweep's process ended)"
#: Finished trials before parameter importances are computed (fANOVA needs a few).
MIN_IMPORTANCE_TRIALS = 4
RUNNING, COMPLETE, PRUNED, FAILED = "running", "complete", "pruned", "failed"


@dataclass
class TrialRow:
    """What the page's table shows of one trial."""
    number: int
    params: dict
    state: str = RUNNING
    value: float = math.nan                     # the objective (last epoch's)
    epochs: int = 0
    seconds: float = 0.0                        # training time
    model_path: str = ""                        # its saved .keras ('' if none)
    message: str = ""
    values: list = field(default_factory=list)  # the objective after each epoch


def _row_of(trial) -> TrialRow:
    """A stored trial's row (resuming a sweep)."""
    state = {"COMPLETE": COMPLETE, "PRUNED": PRUNED, "RUNNING": RUNNING}.get(
        trial.state.name, FAILED)
    steps = sorted(trial.intermediate_values.items())
    attrs = trial.user_attrs
    # every trial told here has "epochs"; a failed one without it was never told by us
    message = attrs.get("message", "" if "epochs" in attrs or state != FAILED
                        else INTERRUPTED_NOTE)
    return TrialRow(trial.number, dict(trial.params), state,
                    trial.value if trial.value is not None else math.nan,
                    attrs.get("epochs", len(steps)), attrs.get("seconds", 0.0),
                    attrs.get("model_path", ""), message, [v for _, v in steps])


class Sweep:
    """One sweep's study and the trials this process trains for it."""

    def __init__(self, spec: SweepSpec, data_dir=None, workers: int | None = None,
                 nice: int = 0, ray=None):
        """``ray``: None trains here; "local", True (the Ray already initialised) or a
        cluster address trains each trial in a Ray actor (``tsvae_core.ray.trial``), as
        many at once as the cluster has CPUs unless ``workers`` says otherwise."""
        import optuna
        optuna.logging.set_verbosity(optuna.logging.WARNING)  # our own log says enough
        self.spec = spec.check()
        self.data_dir = Path(data_dir or default_data_dir())
        self.ray = ray
        room, self._data_files = 1, None
        if ray:
            from ..ray.cluster import connect
            from ..ray.trial import DataFiles
            room, self._data_files = connect(ray)["cpus"], DataFiles(spec.fixed)
        self.workers, self.nice = max(1, int(workers or room)), nice
        self.study = open_study(spec, self.data_dir)
        self.status, self.message = ev.IDLE, ""
        self.version = 0
        self.importance: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sessions: dict = {}    # trial number -> its running session
        self._claimed = 0            # trials this process has asked for and not told
        self._thread: threading.Thread | None = None
        self._rows: dict[int, TrialRow] = {}
        for trial in self.study.get_trials(deepcopy=False):
            if trial.state.name == "RUNNING":  # its process ended before telling it
                self.study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
        for trial in self.study.get_trials(deepcopy=False):
            self._rows[trial.number] = _row_of(trial)
        self._update_importance()

    # ---- reading (any thread) ----
    def rows(self) -> list[TrialRow]:
        with self._lock:
            return [replace(r, params=dict(r.params), values=list(r.values))
                    for _, r in sorted(self._rows.items())]

    def counted(self) -> int:
        """Trials that count toward ``n_trials``."""
        with self._lock:
            return self._counted()

    def _counted(self) -> int:  # the lock held
        return sum(1 for r in self._rows.values() if r.state != RUNNING
                   and r.message not in (STOPPED_NOTE, INTERRUPTED_NOTE))

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def session_of(self, number: int):
        """The running session (or Ray trial) of trial ``number``, None once it ended."""
        with self._lock:
            return self._sessions.get(number)

    def model_dir(self) -> Path:
        return self.data_dir / "sweeps" / self.spec.study

    # ---- controls ----
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("this sweep was started already")
        self._set_status(ev.RUNNING, "")
        self._thread = threading.Thread(target=self.run, name="tsvae-sweep", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Running trials stop within one batch; no new trial starts."""
        self._stop.set()
        with self._lock:
            sessions = list(self._sessions.values())
        for s in sessions:
            s.stop()

    def run(self) -> None:
        """Train trials until the study has ``n_trials`` counted ones (blocking)."""
        self._set_status(ev.RUNNING, "")
        threads = [threading.Thread(target=self._worker, name=f"tsvae-sweep-{i}", daemon=True)
                   for i in range(self.workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self.status != ev.FAILED:
            done = self.counted()
            final = ev.STOPPED if self._stop.is_set() else ev.FINISHED
            self._set_status(final, f"{final}: {done} of {self.spec.n_trials} trials")

    # ---- the trials ----
    def _set_status(self, status: str, message: str) -> None:
        with self._lock:
            self.status, self.message = status, message
            self.version += 1

    def _publish(self, row: TrialRow) -> None:
        with self._lock:
            self._rows[row.number] = replace(row, params=dict(row.params),
                                             values=list(row.values))
            self.version += 1

    def _claim(self) -> bool:
        with self._lock:
            if self._stop.is_set():
                return False
            if self._counted() + self._claimed >= self.spec.n_trials:
                return False
            self._claimed += 1
            return True

    def _worker(self) -> None:
        while self._claim():
            try:
                self._trial()
            except Exception as exc:  # a broken study: say so, never raise into a server
                log.exception("sweep %s failed", self.spec.study)
                self._set_status(ev.FAILED, f"{type(exc).__name__}: {exc}")
                self._stop.set()
            finally:
                with self._lock:
                    self._claimed -= 1

    def _trial(self) -> None:
        import optuna
        spec = self.spec
        trial = self.study.ask()
        row = TrialRow(trial.number, {r.name: r.suggest(trial) for r in spec.space})
        self._publish(row)
        try:
            session, epochs = self._session(trial.number, row.params)
        except ValueError as exc:  # settings a cross-field rule refuses
            self._tell(trial, row, optuna.trial.TrialState.FAIL, FAILED, str(exc))
            return
        key = spec.metric()[0]
        pruned = False
        session.start()
        while True:
            alive = session.is_alive()
            for e in session.drain():
                # after the pruning epoch: what ran before the stop landed is no part of
                # the trial (on a busy machine the thread can be an epoch ahead of us)
                if not isinstance(e, ev.EpochEnd) or pruned:
                    continue
                value = objective_value(e, key)
                row.epochs, row.seconds, row.value = e.epoch, e.elapsed_s, value
                row.values.append(value)
                if math.isfinite(value):
                    trial.report(value, e.epoch)
                    # after the last epoch there is nothing left to save by pruning: the
                    # trial has trained in full and completes (with its model)
                    if e.epoch < epochs and trial.should_prune():
                        pruned = True
                        session.stop()
                self._publish(row)
            if not alive:
                break
            session.join(0.1)
        with self._lock:
            self._sessions.pop(trial.number, None)
        try:
            self._finish(trial, row, session, pruned)
        finally:
            session.close()  # a Ray trial's actor: its CPU goes to the next trial

    def _session(self, number: int, params: dict) -> tuple[Run, int]:
        """The trial's run (not started: a local session or a Ray trial) and the epochs it
        trains."""
        values = {**self.spec.fixed, **params}
        configs = make_configs(self.spec.preset, **values)  # ValueError here, not remotely
        if self.ray:
            from ..ray.trial import RemoteTrial
            session = RemoteTrial(*configs, self._data_files.ref(configs[0]))
        else:
            from ..session.training import TrainingSession
            session = TrainingSession(*configs)
        session.nice = self.nice
        with self._lock:
            self._sessions[number] = session
            if self._stop.is_set():
                session.stop()
        return session, configs[2].epochs

    def _finish(self, trial, row: TrialRow, session, pruned: bool) -> None:
        from optuna.trial import TrialState
        if pruned:
            self._tell(trial, row, TrialState.PRUNED, PRUNED,
                       f"pruned after epoch {row.epochs}")
        elif session.status == ev.FINISHED and math.isfinite(row.value):
            path = self.model_dir() / f"trial-{trial.number}.keras"
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                session.save(str(path))
            except Exception as exc:  # e.g. its Ray actor died: this trial fails, not the sweep
                log.exception("saving trial %s failed", trial.number)
                self._tell(trial, row, TrialState.FAIL, FAILED, f"saving its model failed: {exc}")
                return
            row.model_path = str(path)
            trial.set_user_attr("model_path", row.model_path)
            self._tell(trial, row, TrialState.COMPLETE, COMPLETE, "", row.value)
        elif session.status == ev.STOPPED:
            self._tell(trial, row, TrialState.FAIL, FAILED, STOPPED_NOTE)
        else:
            why = session.message or f"the objective is {row.value} (no finite value)"
            self._tell(trial, row, TrialState.FAIL, FAILED, why)

    def _tell(self, trial, row: TrialRow, state, shown: str, message: str,
              value: float | None = None) -> None:
        trial.set_user_attr("epochs", row.epochs)
        trial.set_user_attr("seconds", row.seconds)
        if message:
            trial.set_user_attr("message", message)
        self.study.tell(trial, value, state=state)
        row.state, row.message = shown, message
        if value is None:
            row.value = row.value if shown == PRUNED else math.nan
        self._publish(row)
        if shown == COMPLETE:
            self._update_importance()

    def _update_importance(self) -> None:
        """Parameter importances (fANOVA) once enough trials finished; empty before."""
        complete = [r for r in self._rows.values() if r.state == COMPLETE]
        if len(complete) < MIN_IMPORTANCE_TRIALS:
            return
        import optuna
        try:
            found = optuna.importance.get_param_importances(self.study)
        except Exception as exc:  # e.g. every finished trial had the same values
            log.info("no parameter importance yet: %s", exc)
            return
        with self._lock:
            self.importance = {k: float(v) for k, v in found.items()}
            self.version += 1
