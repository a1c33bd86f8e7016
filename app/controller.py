"""The per-tab controller: actions, one TrainingSession at a time and its lifecycle, and
what may be done now (the ``can_*`` flags).

Its base classes hold the rest of the tab's state: ``app.run_polling.RunPolling`` the
periodic callback that drains the run's events, ``app.model_load.ModelLoading`` an
uploaded model checked off the event loop, ``app.run_streams.RunStreams`` what the
page shows of the run (streams, figures, the reconstructed window, the data before a run),
on ``app.tab_settings.TabSettings``: the configs, their validity, the error line.
Everything here runs on the server's event loop (widget callbacks and the periodic
``poll``); the training thread only fills the session's queue.
"""
from __future__ import annotations

import logging

import param

from tsvae_core import events as ev
from tsvae_core.config import DataConfig, ModelConfig, TrainConfig, config_values, field_names
from tsvae_core.sessions import make_session
from tsvae_core.runs import RunHistory, RunRecord
from tsvae_core.session.training import TrainingSession

from . import data_size
from .model_load import ModelLoading
from .run_polling import RunPolling
from .server_runs import REGISTRY, RunRegistry
from .run_streams import RunStreams

log = logging.getLogger(__name__)

#: Niceness added to training threads: the server's event loop (page loads, widgets,
#: plots of every tab) must keep the CPU while runs trace, compile and train.
TRAINING_NICE = 10
#: Shown while this tab's previous run (after Stop and Reset) has not ended yet.
STOPPING_NOTICE = ("the previous run is still stopping (it ends after its current step; a "
                   "first step compiles for up to a minute): Start is possible once it ended")


class Controller(RunPolling, ModelLoading, RunStreams):
    """Actions (param.Event) and observable run state of one browser tab."""

    start = param.Event(doc="Start a new run (or the prepared one).")
    pause = param.Event(doc="Pause a running run, resume a paused one.")
    stop = param.Event(doc="Stop the run (within one batch).")
    step = param.Event(doc="Train exactly one epoch, then pause.")
    reset = param.Event(doc="Stop the run; new data and model from the current widgets.")
    start_anyway = param.Event(doc="Start (or Step) the large run size_warning describes.")

    # Observable state (written by the controller only).
    can_start = param.Boolean(True)
    can_pause = param.Boolean(False)
    can_stop = param.Boolean(False)
    can_step = param.Boolean(True)
    can_reset = param.Boolean(True)
    run_id = param.String("", doc="Id of the current run in this tab's run history.")
    runs_changed = param.Event(doc="Fired when a run is added to or updated in the history.")
    loaded_model = param.String("", doc="Name of the .keras file the next run starts from.")

    def __init__(self, data: DataConfig, model: ModelConfig, train: TrainConfig,
                 tab: str = "local", registry: RunRegistry = REGISTRY, **params):
        super().__init__(data, model, train, **params)
        self.tab, self.registry = tab, registry
        #: Every run of this tab: config, per-epoch history, final figures.
        self.runs = RunHistory()
        #: Called as fn(session) when a new run (session) is prepared.
        self.session_hooks: list = []
        #: Called as fn() at every poll, and when the tab closes (e.g. the Sweep card's).
        self.poll_hooks: list = []
        self.close_hooks: list = []
        self._initial_model = None  # a .keras path the next session starts from
        for cfg in (data, model, train):
            cfg.param.watch(self._on_config, field_names(cfg))
        self._check_valid()
        self.request_preview()
        self._refresh_actions()

    # ---- actions ---------------------------------------------------------------------
    @param.depends("start", watch=True)
    def _on_start(self):
        self._refresh_actions()  # e.g. the previous run may have ended since the last poll
        if not self.can_start:
            return
        self._launch("start")

    @param.depends("step", watch=True)
    def _on_step(self):
        self._refresh_actions()
        if self.session is not None and self.session.status == ev.PAUSED:
            self.session.step()
        elif self.can_step:
            self._launch("step")

    @param.depends("pause", watch=True)
    def _on_pause(self):
        s = self.session
        if s is None:
            return
        if s.status == ev.RUNNING:
            s.pause()
        elif s.status == ev.PAUSED:
            s.resume()
        self.poll()

    @param.depends("stop", watch=True)
    def _on_stop(self):
        if self.session is not None:
            self.session.stop()
            self.poll()

    @param.depends("reset", watch=True)
    def _on_reset(self):
        if not self._check_valid():
            self._refresh_actions()
            return
        self._end_session()
        self.clear_views()
        self._cancel_check()
        self._initial_model, self.loaded_model = None, ""  # Reset means a fresh model
        self.status, self.message, self.notice = ev.IDLE, "", ""
        self.request_preview()
        self._refresh_actions()

    @param.depends("start_anyway", watch=True)
    def _on_start_anyway(self):
        asked = self._confirm_size()
        if asked is not None:
            self._launch(asked)

    # ---- the run's lifecycle -----------------------------------------------------------
    def _launch(self, action: str) -> None:
        if not self._check_valid() or self.preview.fails(self.data):
            self._refresh_actions()
            return
        if self._previous_alive():  # one tab, one live run
            self.notice = STOPPING_NOTICE
            self._refresh_actions()
            return
        if self._needs_confirming(action):
            return
        s = self.session
        rebuild = s is None or s.status != ev.IDLE or bool(self.pending)
        if rebuild and self.registry.is_full():
            # Answered before anything else: no new session, the plots and the run list
            # stay as they are (preparing a run re-renders them, seconds under load).
            self._say_busy(self.registry.active())
            return
        if rebuild and self._initial_model:
            # settings changed after a load: the file is checked against them again off
            # the event loop (loading it takes seconds); the run starts once it fits
            self._start_after_check = action
            self.load_model(self._initial_model, self.loaded_model)
            return
        # a prepared session (loaded model) is rebuilt if settings changed
        if rebuild:
            try:
                s = self._new_session()
            except ValueError as exc:  # e.g. a loaded model that does not fit the settings
                self.set_error("start", f"Cannot start: {exc}")
                self._refresh_actions()
                return
        self._try_start(s, action)

    def _try_start(self, s: TrainingSession, action: str) -> None:
        ok, n = self.registry.try_start(s, self.tab, action)
        if not ok:
            self._say_busy(n)
        else:
            self.notice = ""
        self.poll()

    def _say_busy(self, n: int) -> None:
        self.notice = self.registry.busy_message(n)

    def _previous_alive(self) -> bool:
        """Whether a run of this tab other than the current one still has its thread
        (stopped by Reset or a load, it ends after its current step)."""
        live = [s for s in self.registry.live_runs(self.tab) if s is not self.session]
        for s in live:
            if s.status in ev.ENDED:
                s.join(0.5)  # it has reported its end: its thread is returning now
        return any(s.is_alive() for s in live)

    def _new_session(self) -> TrainingSession:
        self._end_session()
        self.clear_views()
        reuse = self.preview.matching(self.data)
        # in this process, or a Ray actor's proxy when the server has a cluster (--ray)
        s = make_session(self.data, self.model, self.train, dataset=reuse,
                         initial_model=self._initial_model)
        return self._adopt(s, config_values(self.data, self.model, self.train))

    def _adopt(self, s: TrainingSession, values: dict) -> TrainingSession:
        """Make ``s`` (built from the settings ``values``) the tab's run."""
        self._end_session()
        s.nice = TRAINING_NICE
        if s.dataset is None:
            self._show_run_data = True  # its data are drawn once it has made them
        self.session, self._applied = s, values
        record = RunRecord.new(self.data, self.model, self.train)
        if self.loaded_model:
            record.config["loaded_from"] = self.loaded_model
        self.runs.add(record)
        self.run_id = record.run_id
        self.param.trigger("runs_changed")
        self.n_epochs = s.n_epochs
        self.n_val = s.n_val() or self.n_val or 1  # a real source's count: once it is read
        s.set_recon_indices([min(self.recon_index, self.n_val - 1)])
        self._update_pending()
        for hook in self.session_hooks:
            hook(s)
        return s

    def _end_session(self) -> None:
        if self.session is not None:
            self.session.stop()
            if self.run_id in self.runs and not self.runs.get(self.run_id).history:
                self.runs.remove(self.run_id)  # never trained: nothing to keep
                self.param.trigger("runs_changed")
        self.session, self._applied, self.pending = None, None, []

    def shutdown(self) -> None:
        """The tab is gone: stop its run and drop every reference to its model and data.

        Panel may keep a closed tab's objects a while (or, through a stray reference,
        for good): what they hold must then be small. The run's session (model,
        snapshot, optimizer, dataset) is released once its thread ends; the preview
        data, the last epoch's arrays and the plots' data go now. No stream is sent:
        the page is gone."""
        closing = self.session
        self._end_session()
        if closing is not None:
            closing.close()  # a remote run's actor is killed now
        for hook in self.close_hooks:
            hook()
        self.close_hooks.clear()
        self.poll_hooks.clear()
        self.registry.mark_closed(self.tab)
        self.preview.close()
        self._cancel_check()
        self._initial_model = None
        self.session_hooks.clear()
        self.drop_views()

    # ---- settings ----------------------------------------------------------------------
    def _on_config(self, *events):
        names = {e.name for e in events}
        self.size_summary = data_size.size_summary(self.data, self.train, self.model)
        self.size_warning = ""  # it asked about other settings; Start asks again if needed
        valid = self._check_valid()
        if "learning_rate" in names and self.session is not None and self.session.is_alive():
            self.session.set_learning_rate(self.train.learning_rate)
        self._update_pending()
        data_changed = any(n in self.data.param for n in names)
        if valid and data_changed and self.session is None:
            self.request_preview()
        self._refresh_actions()

    def set_typed_problem(self, field: str, problem: str) -> None:
        """A sidebar box refused a typed value (``problem``), or took one ('')."""
        typed = {k: v for k, v in self.typed.items() if k != field}
        if problem:
            typed[field] = problem
        if typed != self.typed:
            self.typed = typed
            self._check_valid()
            self._refresh_actions()

    def _refresh_actions(self) -> None:
        valid = self.settings_valid
        status = self.session.status if self.session is not None else ev.IDLE
        # while an upload is checked, Start waits: it would start without the file
        fresh = ((self.session is None or status in (ev.IDLE, *ev.ENDED))
                 and not self.model_check.name)
        if fresh and self._previous_alive():
            fresh = False  # Start waits for the previous run's thread to end
            if not self.notice:
                self.notice = STOPPING_NOTICE  # say why Start is off
        elif self.notice == STOPPING_NOTICE:
            self.notice = ""
        # data the settings cannot make (a bad file): Start and Step wait for other
        # settings (the data line says so) instead of failing at once as a run
        valid = valid and not self.preview.fails(self.data)
        wanted = dict(
            can_start=valid and fresh,
            can_pause=status in (ev.RUNNING, ev.PAUSED),
            can_stop=status in (ev.RUNNING, ev.PAUSED),
            can_step=status == ev.PAUSED or (valid and fresh),
            can_reset=self.settings_valid,
        )
        changed = {k: v for k, v in wanted.items() if getattr(self, k) != v}
        if changed:  # runs every poll: send nothing when nothing changed
            self.param.update(**changed)

