"""The per-tab controller: the actions (Start, Pause, Stop, Step, Reset...), one run at a
time (a ``tsvae_core.session.protocol.Session``: in this process or on Ray) and its
lifecycle, and what may be done now (``can_*``).

It is composed, not inherited: it holds the tab's observable ``state``
(``app.tab.state.TabState``, what the cards watch), its ``settings``
(``app.tab.settings``: the configs, their validity, a large run's confirmation), its
``streams`` (``app.tab.streams``: what the page shows of the run and of the data before
it) and its ``loader`` (``app.tab.model_loading``: an uploaded model checked off the event
loop). They talk to each other only through the state and the callables given here.
Everything here runs on the server's event loop (widget callbacks and the periodic
``poll``); the training thread only fills the session's queue.
"""
from __future__ import annotations

import logging

import param

from tsvae_core import events as ev
from tsvae_core.config import DataConfig, ModelConfig, TrainConfig, field_names
from tsvae_core.sessions import make_session
from tsvae_core.runs import RunHistory, RunRecord
from tsvae_core.session.protocol import Session

from ..server.runs import REGISTRY, RunRegistry
from .model_loading import Checked, ModelLoader
from .polling import changes_history, take_events
from .settings import TabSettings
from .state import TabState
from .streams import RunStreams

log = logging.getLogger(__name__)

#: Niceness added to training threads: the server's event loop (page loads, widgets,
#: plots of every tab) must keep the CPU while runs trace, compile and train.
TRAINING_NICE = 10
#: Shown while this tab's previous run (after Stop and Reset) has not ended yet.
STOPPING_NOTICE = ("the previous run is still stopping (it ends after its current step; a "
                   "first step compiles for up to a minute): Start is possible once it ended")


class Controller(param.Parameterized):
    """The actions (param.Event) of one browser tab, and its run."""

    start = param.Event(doc="Start a new run (or the prepared one).")
    pause = param.Event(doc="Pause a running run, resume a paused one.")
    stop = param.Event(doc="Stop the run (within one batch).")
    step = param.Event(doc="Train exactly one epoch, then pause.")
    reset = param.Event(doc="Stop the run; new data and model from the current widgets.")
    start_anyway = param.Event(doc="Start (or Step) the large run size_warning describes.")
    random_window = param.Event(doc="Pick a random validation window to reconstruct.")

    def __init__(self, data: DataConfig, model: ModelConfig, train: TrainConfig,
                 tab: str = "local", registry: RunRegistry = REGISTRY,
                 preset: str = "quick", **params):
        super().__init__(**params)
        self.tab, self.registry = tab, registry
        self.data, self.model, self.train = data, model, train
        #: What the page watches (see app.tab.state).
        self.state = TabState(preset=preset)
        self.settings = TabSettings(data, model, train, self.state)
        #: The run shown; None before the first run and after Reset.
        self.session: Session | None = None
        self.streams = RunStreams(self.state, lambda: self.session)
        self.loader = ModelLoader(self.state)
        #: Every run of this tab: config, per-epoch history, final figures.
        self.runs = RunHistory()
        #: Called as fn(session) when a new run (session) is prepared.
        self.session_hooks: list = []
        #: Called as fn() at every poll, and when the tab closes (e.g. the Sweep card's).
        self.poll_hooks: list = []
        self.close_hooks: list = []
        #: Called at the start of each poll; the page sets one that sends the messages
        #: Panel left unsent (app.server.stranded).
        self.resend_stranded = lambda: None
        self._initial_model = None  # a .keras path the next session starts from
        for cfg in (data, model, train):
            cfg.param.watch(self._on_config, field_names(cfg))
        self.settings.check_valid()
        self.streams.request_preview(self.data)
        self._refresh_actions()

    # ---- actions ---------------------------------------------------------------------
    @param.depends("start", watch=True)
    def _on_start(self):
        self._refresh_actions()  # e.g. the previous run may have ended since the last poll
        if self.state.can_start:
            self._launch("start")

    @param.depends("step", watch=True)
    def _on_step(self):
        self._refresh_actions()
        if self.session is not None and self.session.status == ev.PAUSED:
            self.session.step()
        elif self.state.can_step:
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
        if not self.settings.check_valid():
            self._refresh_actions()
            return
        self._end_session()
        self.streams.clear_views()
        self.loader.cancel()
        self._initial_model, self.state.loaded_model = None, ""  # Reset means a fresh model
        self.state.param.update(status=ev.IDLE, message="", notice="")
        self.streams.request_preview(self.data)
        self._refresh_actions()

    @param.depends("start_anyway", watch=True)
    def _on_start_anyway(self):
        asked = self.settings.confirm_size()
        if asked is not None:
            self._launch(asked)

    @param.depends("random_window", watch=True)
    def _on_random_window(self):
        self.streams.random_window()

    def load_model(self, path, name: str) -> None:
        """The next run starts from the weights in the ``.keras`` file at ``path``; the
        current run ends now. The file is checked against the settings in a thread pool
        (app.tab.model_loading: loading and building a model would stall the server's
        event loop); ``checking_model`` names it until ``poll`` takes the result: the
        loaded model then, or the error line (kind "load"). Start waits meanwhile."""
        self._end_session()
        self.streams.clear_views()
        self._initial_model, self.state.loaded_model = None, ""
        self.loader.request(path, name, self.settings.configs,
                            self.streams.preview.matching(self.data))
        self._refresh_actions()

    def set_typed_problem(self, field: str, problem: str) -> None:
        """A sidebar box refused a typed value (``problem``), or took one ('')."""
        if self.settings.set_typed_problem(field, problem):
            self._refresh_actions()

    # ---- the periodic poll -------------------------------------------------------------
    def poll(self) -> None:
        """Drain the session's events into the run's record, the state and the streams
        (event loop only); take finished data previews and model checks."""
        for hook in self.poll_hooks:
            hook()
        self.resend_stranded()
        self.streams.take_preview()
        self._take_checked()
        self.state.size_summary = self.settings.size_summary()  # follows measured epochs
        s = self.session
        if s is not None:
            run_id = self.state.run_id
            record = self.runs.get(run_id) if run_id in self.runs else None
            events = take_events(s, record)
            self.streams.show_events(events, s)
            if record is not None and changes_history(events):
                self.state.param.trigger("runs_changed")
        self._refresh_actions()

    def _take_checked(self) -> None:
        """Install the result of a finished model check."""
        done, action = self.loader.take()
        if done is None:
            return
        if not done.error:
            self._install_loaded(done)
        self.state.checking_model = ""
        self._refresh_actions()
        self.state.param.trigger("model_checked")
        if action is not None and not done.error:
            self._try_start(done.session, action)

    def _install_loaded(self, done: Checked) -> None:
        self._initial_model, self.state.loaded_model = done.path, done.name
        self._adopt(done.session, done.values)
        self.state.clear_error("start", "load")
        self.state.status = ev.IDLE
        self.state.message = f"loaded {done.name}: Start continues from it"
        if done.view is not None:
            self.streams.show_loaded(done.view, done.session)

    # ---- the run's lifecycle -----------------------------------------------------------
    def _launch(self, action: str) -> None:
        if not self.settings.check_valid() or self.streams.preview.fails(self.data):
            self._refresh_actions()
            return
        if self._previous_alive():  # one tab, one live run
            self.state.notice = STOPPING_NOTICE
            self._refresh_actions()
            return
        if self.settings.needs_confirming(action):
            return
        s = self.session
        rebuild = s is None or s.status != ev.IDLE or bool(self.state.pending)
        if rebuild and self.registry.is_full():
            # Answered before anything else: no new session, the plots and the run list
            # stay as they are (preparing a run re-renders them, seconds under load).
            self._say_busy(self.registry.active())
            return
        if rebuild and self._initial_model:
            # settings changed after a load: the file is checked against them again off
            # the event loop (loading it takes seconds); the run starts once it fits
            self.loader.start_after = action
            self.load_model(self._initial_model, self.state.loaded_model)
            return
        # a prepared session (loaded model) is rebuilt if settings changed
        if rebuild:
            try:
                s = self._new_session()
            except ValueError as exc:  # e.g. a loaded model that does not fit the settings
                self.state.set_error("start", f"Cannot start: {exc}")
                self._refresh_actions()
                return
        self._try_start(s, action)

    def _try_start(self, s: Session, action: str) -> None:
        ok, n = self.registry.try_start(s, self.tab, action)
        if not ok:
            self._say_busy(n)
        else:
            self.state.notice = ""
        self.poll()

    def _say_busy(self, n: int) -> None:
        self.state.notice = self.registry.busy_message(n)

    def _previous_alive(self) -> bool:
        """Whether a run of this tab other than the current one still has its thread
        (stopped by Reset or a load, it ends after its current step)."""
        live = [s for s in self.registry.live_runs(self.tab) if s is not self.session]
        for s in live:
            if s.status in ev.ENDED:
                s.join(0.5)  # it has reported its end: its thread is returning now
        return any(s.is_alive() for s in live)

    def _new_session(self) -> Session:
        self._end_session()
        self.streams.clear_views()
        reuse = self.streams.preview.matching(self.data)
        # in this process, or a Ray actor's proxy when the server has a cluster (--ray)
        s = make_session(self.data, self.model, self.train, dataset=reuse,
                         initial_model=self._initial_model)
        return self._adopt(s, self.settings.values())

    def _adopt(self, s: Session, values: dict) -> Session:
        """Make ``s`` (built from the settings ``values``) the tab's run."""
        self._end_session()
        s.nice = TRAINING_NICE
        if s.dataset is None:
            self.streams.show_run_data = True  # its data are drawn once it has made them
        self.session, self.settings.applied = s, values
        record = RunRecord.new(self.data, self.model, self.train)
        if self.state.loaded_model:
            record.config["loaded_from"] = self.state.loaded_model
        self.runs.add(record)
        st = self.state
        st.run_id = record.run_id
        st.param.trigger("runs_changed")
        st.n_epochs = s.n_epochs
        st.n_val = s.n_val() or st.n_val or 1  # a real source's count: once it is read
        s.set_recon_indices([min(st.recon_index, st.n_val - 1)])
        self.settings.update_pending()
        for hook in self.session_hooks:
            hook(s)
        return s

    def _end_session(self) -> None:
        if self.session is not None:
            self.session.stop()
            run_id = self.state.run_id
            if run_id in self.runs and not self.runs.get(run_id).history:
                self.runs.remove(run_id)  # never trained: nothing to keep
                self.state.param.trigger("runs_changed")
        self.session, self.settings.applied, self.state.pending = None, None, []

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
        self.streams.preview.close()
        self.loader.cancel()
        self._initial_model = None
        self.session_hooks.clear()
        self.streams.drop_views()

    # ---- settings ----------------------------------------------------------------------
    def _on_config(self, *events):
        names = {e.name for e in events}
        self.state.size_summary = self.settings.size_summary()
        self.state.size_warning = ""  # it asked about other settings; Start asks again if needed
        valid = self.settings.check_valid()
        if "learning_rate" in names and self.session is not None and self.session.is_alive():
            self.session.set_learning_rate(self.train.learning_rate)
        self.settings.update_pending()
        data_changed = any(n in self.data.param for n in names)
        if valid and data_changed and self.session is None:
            self.streams.request_preview(self.data)
        self._refresh_actions()

    def _refresh_actions(self) -> None:
        st = self.state
        status = self.session.status if self.session is not None else ev.IDLE
        # while an upload is checked, Start waits: it would start without the file
        fresh = ((self.session is None or status in (ev.IDLE, *ev.ENDED))
                 and not self.loader.checking)
        if fresh and self._previous_alive():
            fresh = False  # Start waits for the previous run's thread to end
            if not st.notice:
                st.notice = STOPPING_NOTICE  # say why Start is off
        elif st.notice == STOPPING_NOTICE:
            st.notice = ""
        # data the settings cannot make (a bad file): Start and Step wait for other
        # settings (the data line says so) instead of failing at once as a run
        valid = st.settings_valid and not self.streams.preview.fails(self.data)
        wanted = dict(
            can_start=valid and fresh,
            can_pause=status in (ev.RUNNING, ev.PAUSED),
            can_stop=status in (ev.RUNNING, ev.PAUSED),
            can_step=status == ev.PAUSED or (valid and fresh),
            can_reset=st.settings_valid,
        )
        changed = {k: v for k, v in wanted.items() if getattr(st, k) != v}
        if changed:  # runs every poll: send nothing when nothing changed
            st.param.update(**changed)
