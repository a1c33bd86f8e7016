"""The per-tab controller: configs, actions, one TrainingSession, and the plot streams.

Everything here runs on the server's event loop (widget callbacks and the periodic
``poll``); the training thread only fills the session's queue. Streams are therefore
sent from one thread only, as HoloViews and Bokeh require.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import time
from pathlib import Path

import holoviews as hv
import numpy as np
import pandas as pd
import param

from tsvae_core import events as ev
from tsvae_core.config import (FAMILY_FIELDS, PRESETS, DataConfig, ModelConfig, TrainConfig,
                               config_values, field_names, make_configs, validate)
from tsvae_core.data import Dataset, generate
from tsvae_core.runs import RunHistory, RunRecord
from tsvae_core.training import TrainingSession

from . import data_size, history, projection
from .family_plots import FAMILY_VIEWS
from .history import FAMILY_LOG_KEYS
from .registry import REGISTRY, RunRegistry

log = logging.getLogger(__name__)

#: Fields a running session takes live; every other change waits for Reset/Start.
LIVE_FIELDS = frozenset({"learning_rate"})
#: Least seconds between two updates of the in-epoch progress (batch, samples/s).
PROGRESS_INTERVAL_S = 0.5
#: Niceness added to training threads: the server's event loop (page loads, widgets,
#: plots of every tab) must keep the CPU while runs trace, compile and train.
TRAINING_NICE = 10
#: Shown while this tab's previous run (after Stop and Reset) has not ended yet.
STOPPING_NOTICE = ("the previous run is still stopping (it ends after its current step; a "
                   "first step compiles for up to a minute): Start is possible once it ended")
#: Data generation for previews runs here, off the event loop (paper preset: ~1-2 s).
_PREVIEW_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2,
                                                      thread_name_prefix="tsvae-preview")


def show_family_fields(model: ModelConfig) -> None:
    """Show a family's own fields (FAMILY_FIELDS) only while it is the architecture.

    Hiding is per instance (negative precedence), so other tabs are untouched, and the
    widgets of pn.Param follow the precedence live.
    """
    own = set(FAMILY_FIELDS.get(model.architecture, ()))
    for name in {f for fields in FAMILY_FIELDS.values() for f in fields}:
        model.param[name].precedence = type(model).param[name].precedence if name in own else -1


class Controller(param.Parameterized):
    """Actions (param.Event) and observable run state of one browser tab."""

    preset = param.Selector(objects=list(PRESETS), default="quick",
                            doc="Load a preset's settings into the widgets.")
    start = param.Event(doc="Start a new run (or the prepared one).")
    pause = param.Event(doc="Pause a running run, resume a paused one.")
    stop = param.Event(doc="Stop the run (within one batch).")
    step = param.Event(doc="Train exactly one epoch, then pause.")
    reset = param.Event(doc="Stop the run; new data and model from the current widgets.")
    random_window = param.Event(doc="Pick a random validation window to reconstruct.")
    recon_index = param.Integer(0, bounds=(0, None), doc="Validation window to reconstruct.")
    logy = param.Boolean(True, doc="Logarithmic loss axis.")

    # Observable state (written by the controller only).
    status = param.String(ev.IDLE)
    message = param.String("")
    error = param.String("", doc="Invalid settings or a failed run.")
    notice = param.String("", doc="Transient information, e.g. busy server.")
    pending = param.List([], doc="Fields changed since the run was built.")
    typed = param.Dict({}, doc="Values typed into the sidebar and not taken: field -> why.")
    size_summary = param.String("", doc="Windows, their memory and batches an epoch.")
    size_warning = param.String("", doc="Why Start waits for a 'Start anyway' ('' if not).")
    start_anyway = param.Event(doc="Start (or Step) the large run size_warning describes.")
    epoch = param.Integer(0, doc="Completed epochs.")
    n_epochs = param.Integer(0)
    batch = param.Integer(0)
    n_batches = param.Integer(0)
    samples_per_s = param.Number(0.0)
    elapsed_s = param.Number(0.0)
    device = param.String("")
    knn_accuracy = param.Number(float("nan"))
    n_val = param.Integer(0, doc="Validation windows of the shown data.")
    n_latent_points = param.Integer(0)
    latent_note = param.String("")
    variational = param.Boolean(True, doc="The run's family has a KL term (and a KL curve).")
    loss_units = param.String("per window", doc="What one loss value is: 'per window', or "
                              "'per batch of N windows' for loss_reduction=sum.")
    latent_name = param.String("z_mean", doc="What the latent points are: z_mean or code.")
    family_views = param.List([], doc="Keys of the family's own views (EpochEnd.extras).")
    family_log_keys = param.List([], doc="The family's own log entries (penalty, accuracy...).")
    can_start = param.Boolean(True)
    can_pause = param.Boolean(False)
    can_stop = param.Boolean(False)
    can_step = param.Boolean(True)
    can_reset = param.Boolean(True)
    run_id = param.String("", doc="Id of the current run in this tab's run history.")
    runs_changed = param.Event(doc="Fired when a run is added to or updated in the history.")
    loaded_model = param.String("", doc="Name of the .keras file the next run starts from.")
    views_cleared = param.Event(doc="Fired when the plots are cleared (new run, Reset, load).")

    def __init__(self, data: DataConfig, model: ModelConfig, train: TrainConfig,
                 tab: str = "local", registry: RunRegistry = REGISTRY, **params):
        super().__init__(**params)
        #: Context for an epoch's plot updates; the page sets one that batches them.
        self.batch_updates = contextlib.nullcontext
        self.data, self.model, self.train = data, model, train
        self.tab, self.registry = tab, registry
        self.session: TrainingSession | None = None
        self._applied: dict | None = None       # values the session was built from
        self._components = None                 # last PCA axes, for sign stability
        self._dataset: Dataset | None = None    # preview data (reused by Start)
        self._dataset_values: dict | None = None
        self._future = None
        self._preview_from_session = False
        self._progress_shown = 0.0
        self.loss_buffer = hv.streams.Buffer(history.empty_history(), length=1_000_000,
                                             index=False)
        self.latent_pipe = hv.streams.Pipe(data=self._empty_latent())
        self.recon_pipe = hv.streams.Pipe(data=None)
        self.preview_pipe = hv.streams.Pipe(data=None)
        self.family_pipe = hv.streams.Pipe(data=None)  # EpochEnd.extras plus channel names
        #: Every run of this tab: config, per-epoch history, final figures.
        self.runs = RunHistory()
        #: Called on the event loop as fn(EpochEnd, session) after each epoch's plots.
        self.epoch_hooks: list = []
        #: Called as fn(session) when a new run (session) is prepared.
        self.session_hooks: list = []
        self._initial_model = None  # a .keras path the next session starts from
        self.projection = (None, None, 0)   # set per epoch, see _on_epoch
        self.last_epoch: ev.EpochEnd | None = None
        self._confirmed: dict | None = None  # data and train values a Start anyway was for
        self._asked = "start"                # the action that is waiting for it
        self.size_summary = data_size.size_summary(data, train)
        for cfg in (data, model, train):
            cfg.param.watch(self._on_config, field_names(cfg))
        model.param.watch(lambda _: show_family_fields(model), "architecture")
        show_family_fields(model)
        self._check_valid()
        self._request_preview()
        self._refresh_actions()

    # ---- actions -------------------------------------------------------------------
    @param.depends("preset", watch=True)
    def _on_preset(self):
        fresh = make_configs(self.preset)
        for cfg, new in zip((self.data, self.model, self.train), fresh):
            cfg.param.update(**config_values(new))

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
            return
        self._end_session()
        self._clear_views()
        self._initial_model, self.loaded_model = None, ""  # Reset means a fresh model
        self.status, self.message, self.notice = ev.IDLE, "", ""
        self._request_preview()
        self._refresh_actions()

    @param.depends("random_window", watch=True)
    def _on_random_window(self):
        if self.n_val > 1:
            self.recon_index = int(np.random.default_rng().integers(self.n_val))

    @param.depends("recon_index", watch=True)
    def _on_recon_index(self):
        idx = min(self.recon_index, max(self.n_val - 1, 0))
        s = self.session
        if s is not None:
            try:
                s.set_recon_indices([idx])  # the next epochs show this window
            except ValueError as exc:
                self.notice = str(exc)
                return
            if s.dataset is None:
                return  # its data are still being made: the first epoch shows it
            try:  # now, from the last epoch's (or a loaded model's) weights
                inputs, outputs = s.reconstruct([idx])
            except RuntimeError:  # nothing trained yet: the window alone
                inputs, outputs = s.dataset.x_val[[idx]], [None]
            self._send_recon(idx, inputs[0], outputs[0], s.dataset.channel_names)
        elif self._dataset is not None and idx < len(self._dataset.x_val):
            self._send_recon(idx, self._dataset.x_val[idx], None, self._dataset.channel_names)

    @param.depends("n_val", watch=True)
    def _on_n_val(self):
        self.param.recon_index.bounds = (0, max(self.n_val - 1, 0))
        if self.recon_index >= self.n_val:
            self.recon_index = 0

    @param.depends("start_anyway", watch=True)
    def _on_start_anyway(self):
        if not self.size_warning:
            return
        self._confirmed = config_values(self.data, self.train)
        self.size_warning = ""
        self._launch(self._asked)

    def _launch(self, action: str) -> None:
        if not self._check_valid():
            return
        if self._previous_alive():  # one tab, one live run
            self.notice = STOPPING_NOTICE
            self._refresh_actions()
            return
        # a large run (app.data_size) starts only once confirmed for these settings
        warning = data_size.size_warning(self.data, self.train)
        if warning and self._confirmed != config_values(self.data, self.train):
            self._asked, self.size_warning = action, warning
            return
        self.size_warning = ""
        s = self.session
        rebuild = s is None or s.status != ev.IDLE or bool(self.pending)
        if rebuild and self.registry.is_full():
            # Answered before anything else: no new session, the plots and the run list
            # stay as they are (preparing a run re-renders them, seconds under load).
            self._say_busy(self.registry.active())
            return
        # a prepared session (loaded model) is rebuilt if settings changed
        if rebuild:
            try:
                s = self._new_session()
            except ValueError as exc:  # e.g. a loaded model that does not fit the settings
                self.error = f"Cannot start: {exc}"
                self._refresh_actions()
                return
        ok, n = self.registry.try_start(s, self.tab, action)
        if not ok:
            self._say_busy(n)
        else:
            self.notice = ""
        self.poll()

    def _say_busy(self, n: int) -> None:
        self.notice = (f"busy, {n} runs active (the server allows "
                       f"{self.registry.max_runs}); try again when one ends")

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
        self._clear_views()
        values = config_values(self.data, self.model, self.train)
        data_values = config_values(self.data)
        reuse = self._dataset if self._dataset_values == data_values else None
        s = TrainingSession(self.data, self.model, self.train, dataset=reuse,
                            initial_model=self._initial_model)
        s.nice = TRAINING_NICE
        if reuse is None:
            self._preview_from_session = True  # show its data once it is built
        self.session, self._applied = s, values
        record = RunRecord.new(self.data, self.model, self.train)
        if self.loaded_model:
            record.config["loaded_from"] = self.loaded_model
        self.runs.add(record)
        self.run_id = record.run_id
        self.param.trigger("runs_changed")
        self.n_epochs, self.n_val = s.n_epochs, self._n_val(self.data)
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
        self._end_session()
        self.registry.mark_closed(self.tab)
        if self._future is not None:
            self._future.cancel()
        self._future = None
        self._dataset = self._dataset_values = self._initial_model = None
        self.last_epoch, self.projection, self._components = None, (None, None, 0), None
        self.epoch_hooks.clear()    # views keep what these hooks gave them
        self.session_hooks.clear()
        for pipe in (self.latent_pipe, self.recon_pipe, self.preview_pipe, self.family_pipe):
            # silently: a watcher (e.g. the latent legend) would update a destroyed
            # document, which raises and would leave the rest of the closing undone
            with param.edit_constant(pipe), param.parameterized.discard_events(pipe):
                pipe.data = None

    def load_model(self, path, name: str) -> None:
        """The next run starts from the weights in the ``.keras`` file at ``path``; the
        current run ends. A file that does not fit the settings is reported in ``error``."""
        self._end_session()
        self._clear_views()
        self._initial_model, self.loaded_model = None, ""
        try:
            self._initial_model = path
            self.loaded_model = name
            self._new_session()  # checks the file against the settings now
        except ValueError as exc:
            self._initial_model, self.loaded_model = None, ""
            self.session = None
            self.error = f"Cannot load {name}: {_unpathed(exc, path, name)}"
        except Exception as exc:  # not a Keras file, or another format problem
            log.exception("loading %s failed", name)
            self._initial_model, self.loaded_model = None, ""
            self.session = None
            self.error = (f"Cannot load {name}: not a readable Keras model "
                          f"({type(exc).__name__}: {_unpathed(exc, path, name)})")
        else:
            self.error = "" if self.error.startswith("Cannot") else self.error
            self.status, self.message = ev.IDLE, f"loaded {name}: Start continues from it"
            self._show_loaded(self.session)
        self._refresh_actions()

    def _show_loaded(self, s: TrainingSession) -> None:
        """Draw what the loaded weights make of the data (epoch 0), so the model can be
        inspected and probed before any training."""
        try:
            e = s.loaded_view()
        except Exception:  # drawing it is a convenience; Start still works without
            log.exception("showing the loaded model failed")
            return
        if e is None:
            return
        self._set_family(e, s)
        with self.batch_updates():
            self._on_epoch(e, s)
            for hook in self.epoch_hooks:
                hook(e, s)

    # ---- config changes ------------------------------------------------------------
    def _on_config(self, *events):
        names = {e.name for e in events}
        self.size_summary = data_size.size_summary(self.data, self.train)
        self.size_warning = ""  # it asked about other settings; Start asks again if needed
        valid = self._check_valid()
        if "learning_rate" in names and self.session is not None and self.session.is_alive():
            self.session.set_learning_rate(self.train.learning_rate)
        self._update_pending()
        data_changed = any(n in self.data.param for n in names)
        if valid and data_changed and self.session is None:
            self._request_preview()
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

    def _check_valid(self) -> bool:
        # a refused typed value counts as invalid: Start must not run with the old value
        problems = list(self.typed.values())
        try:
            validate(self.data, self.model, self.train)
        except ValueError as exc:
            problems.append(str(exc))
        if problems:
            self.error = "Invalid settings: " + "; ".join(problems)
            self._refresh_actions()
            return False
        if self.error.startswith("Invalid settings"):
            self.error = ""
        return True

    def _update_pending(self) -> None:
        if self._applied is None:
            self.pending = []
            return
        now = config_values(self.data, self.model, self.train)
        self.pending = [k for k, v in now.items()
                        if k not in LIVE_FIELDS and self._applied.get(k) != v]

    # ---- preview data --------------------------------------------------------------
    def _request_preview(self) -> None:
        values = config_values(self.data)
        if self._future is not None:
            self._future.cancel()
        self._future = _PREVIEW_POOL.submit(generate, DataConfig(**values))
        self._future_values = values

    def _take_preview(self) -> None:
        fut = self._future
        if fut is None or not fut.done():
            return
        self._future = None
        if fut.cancelled():
            return
        try:
            ds = fut.result()
        except Exception as exc:  # reported in the page, the server keeps serving
            log.exception("data generation failed")
            self.error = f"Data generation failed: {type(exc).__name__}: {exc}"
            return
        self._dataset, self._dataset_values = ds, self._future_values
        self._show_dataset(ds, DataConfig(**self._future_values))

    def _show_dataset(self, ds: Dataset, cfg: DataConfig) -> None:
        self.preview_pipe.send(dict(series=ds.series, row_labels=ds.row_labels,
                                    channel_names=list(ds.channel_names), seq_len=cfg.seq_len))
        if self.session is None:
            self.n_val = len(ds.x_val)
            idx = min(self.recon_index, self.n_val - 1)
            self._send_recon(idx, ds.x_val[idx], None, ds.channel_names)

    # ---- the periodic callback -----------------------------------------------------
    def poll(self) -> None:
        """Drain the session's events into params and streams (event loop only)."""
        self._take_preview()
        s = self.session
        if s is None:
            self._refresh_actions()
            return
        if self._preview_from_session and s.dataset is not None:
            self._preview_from_session = False
            self._show_dataset(s.dataset, s.data)
        progress, epochs, rows = None, [], []
        events = s.drain()
        record = self.runs.get(self.run_id) if self.run_id in self.runs else None
        for e in events:
            if record is not None:
                record.observe(e)
            if isinstance(e, ev.StatusChanged):
                self.status, self.message = e.status, e.message
                if e.status == ev.FAILED:
                    self.error = f"Run failed: {e.message}"
            elif isinstance(e, ev.BatchProgress):
                progress = e
            elif isinstance(e, ev.EpochEnd):
                epochs.append(e)
                rows.append(history.history_row(e.epoch, e.logs, e.knn_accuracy, e.silhouette))
        if s.status != self.status:  # e.g. stop() of a session that never started
            self.status, self.message = s.status, s.message
        if s.device != self.device:
            self.device = s.device
        if epochs:
            self._set_family(epochs[-1], s)
            with self.batch_updates():  # several plots change at once
                self.loss_buffer.send(pd.concat(rows, ignore_index=True))
                self._on_epoch(epochs[-1], s)
                for hook in self.epoch_hooks:
                    hook(epochs[-1], s)
        if record is not None and any(not isinstance(e, ev.BatchProgress) for e in events):
            self.param.trigger("runs_changed")
        now = time.monotonic()
        if (progress is not None and progress.epoch > self.epoch
                and now - self._progress_shown >= PROGRESS_INTERVAL_S):
            # Throttled: each change is a message to the browser and a re-render there.
            self._progress_shown = now
            self.param.update(batch=progress.batch, n_batches=progress.n_batches,
                              samples_per_s=progress.samples_per_s,
                              elapsed_s=progress.elapsed_s)
        self._refresh_actions()

    def _set_family(self, e: ev.EpochEnd, s: TrainingSession) -> None:
        """What the run's family has: KL or not, z_mean or code, its own views and logs.

        Called outside ``batch_updates``: these changes may put new plots in the page, and
        Bokeh gives models the page's theme only when they join an unfrozen document.
        """
        family = s.family
        changes = dict(variational=family.variational, latent_name=family.latent_name,
                       loss_units=history.loss_units(s.model_cfg.loss_reduction,
                                                   s.train.batch_size),
                       family_views=sorted(k for k in e.extras if k in FAMILY_VIEWS),
                       family_log_keys=[k for k in FAMILY_LOG_KEYS if k in e.logs])
        changes = {k: v for k, v in changes.items() if getattr(self, k) != v}
        if changes.get("family_views"):  # new views draw first with data (see family_plots)
            self.family_pipe.send(dict(e.extras, epoch=e.epoch,
                                       channel_names=list(s.dataset.channel_names)))
        if changes:
            self.param.update(**changes)

    def _on_epoch(self, e: ev.EpochEnd, s: TrainingSession) -> None:
        xy, self._components = projection.project_latent(e.z_mean, self._components)
        center = e.z_mean.mean(axis=0) if self._components is not None else None
        #: How this epoch's latent points became the plot's (x, y): project_with/unproject.
        self.projection = (center, self._components, e.z_mean.shape[1])
        self.last_epoch = e
        note = projection.projection_note(e.z_mean.shape[1], self.latent_name)
        # one batched update: the status line re-renders once, not once per field
        self.param.update(epoch=e.epoch, n_epochs=e.n_epochs, batch=self.n_batches,
                          elapsed_s=e.elapsed_s, knn_accuracy=e.knn_accuracy,
                          latent_note=note, n_latent_points=len(xy))
        self.latent_pipe.send(dict(xy=xy, labels=e.labels, note=self.latent_note, epoch=e.epoch,
                                   name=self.latent_name))
        if self.family_views:
            self.family_pipe.send(dict(e.extras, epoch=e.epoch,
                                       channel_names=list(s.dataset.channel_names)))
        if len(e.recon_indices):
            self._send_recon(int(e.recon_indices[0]), e.recon_inputs[0], e.recon_outputs[0],
                             s.dataset.channel_names)

    # ---- view helpers --------------------------------------------------------------
    def _send_recon(self, idx, inputs, outputs, names) -> None:
        self.recon_pipe.send(dict(index=int(idx), inputs=np.asarray(inputs),
                                  outputs=None if outputs is None else np.asarray(outputs),
                                  channel_names=list(names)))

    def _clear_views(self) -> None:
        self.loss_buffer.clear()
        self._components = None
        self.projection, self.last_epoch = (None, None, 0), None
        self.latent_pipe.send(self._empty_latent())
        self.epoch = self.batch = self.n_batches = self.n_latent_points = 0
        self.samples_per_s = self.elapsed_s = 0.0
        self.knn_accuracy = float("nan")
        self.latent_note = ""
        self.family_views, self.family_log_keys = [], []
        self.family_pipe.send(None)
        self.param.trigger("views_cleared")
        if self.error.startswith(("Run failed", "Data generation")):
            self.error = ""  # belongs to the previous run; invalid settings stay shown

    @staticmethod
    def _empty_latent() -> dict:
        return dict(xy=np.zeros((0, 2)), labels=np.zeros(0, dtype=int), note="", epoch=0,
                    name="z_mean")

    @staticmethod
    def _n_val(cfg: DataConfig) -> int:
        return cfg.n_windows() - cfg.n_train()

    def _refresh_actions(self) -> None:
        valid = not self.error.startswith("Invalid settings")
        status = self.session.status if self.session is not None else ev.IDLE
        fresh = self.session is None or status in (ev.IDLE, *ev.ENDED)
        if fresh and self._previous_alive():
            fresh = False  # Start waits for the previous run's thread to end
            if not self.notice:
                self.notice = STOPPING_NOTICE  # say why Start is off
        elif self.notice == STOPPING_NOTICE:
            self.notice = ""
        wanted = dict(
            can_start=valid and fresh,
            can_pause=status in (ev.RUNNING, ev.PAUSED),
            can_stop=status in (ev.RUNNING, ev.PAUSED),
            can_step=status == ev.PAUSED or (valid and fresh),
            can_reset=valid,
        )
        changed = {k: v for k, v in wanted.items() if getattr(self, k) != v}
        if changed:  # runs every poll: send nothing when nothing changed
            self.param.update(**changed)


def _unpathed(exc: Exception, path, name: str) -> str:
    """An error's text with the server's path of an upload replaced by its file name (a
    page must not learn the server's directories)."""
    text = str(exc).replace(str(path), name)
    parent = str(Path(path).parent)
    return text.replace(parent, "<upload>") if parent not in ("", ".") else text
