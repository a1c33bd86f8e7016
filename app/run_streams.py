"""What a tab shows of its run: the plots' streams, the figures beside them, the window
the reconstruction shows, and the translation of the session's events into all of them.

``RunStreams`` is the Controller's base class (on ``TabSettings``): its parameters (status,
epoch, speed, k-NN accuracy, the family's views...) are the Controller's, so views watch
one object. Only
the event loop calls it (the periodic ``poll`` and widget callbacks): HoloViews and Bokeh
require streams to be sent from one thread.
"""
from __future__ import annotations

import contextlib
import logging
import time

import holoviews as hv
import numpy as np
import pandas as pd
import param

from tsvae_core import events as ev
from tsvae_core import families
from tsvae_core.sources import describe

from .data_files import data_file_name
from .history import empty_history, family_log_keys, history_row, loss_units
from .preview import DataPreview
from .projection import project_latent, projection_note
from .tab_settings import TabSettings

log = logging.getLogger(__name__)

#: Least seconds between two updates of the in-epoch progress (batch, samples/s).
PROGRESS_INTERVAL_S = 0.5


def empty_latent() -> dict:
    """The latent pipe's data before any epoch."""
    return dict(xy=np.zeros((0, 2)), labels=np.zeros(0, dtype=int), note="", epoch=0,
                name="z_mean")


class RunStreams(TabSettings):
    """The streams of one tab's plots and the figures shown with them."""

    logy = param.Boolean(True, doc="Logarithmic loss axis.")
    random_window = param.Event(doc="Pick a random validation window to reconstruct.")
    recon_index = param.Integer(0, bounds=(0, None), doc="Validation window to reconstruct.")
    n_val = param.Integer(0, doc="Validation windows of the shown data.")
    data_note = param.String("", doc="The shown data's windows, split and reading notes.")
    status = param.String(ev.IDLE)
    message = param.String("")
    device = param.String("")
    epoch = param.Integer(0, doc="Completed epochs.")
    n_epochs = param.Integer(0)
    batch = param.Integer(0)
    n_batches = param.Integer(0)
    samples_per_s = param.Number(0.0)
    elapsed_s = param.Number(0.0)
    knn_accuracy = param.Number(float("nan"))
    health_warning = param.String("", doc="The last epoch's dead-start or collapse warning "
                                  "(tsvae_core.diagnostics), '' when all is well.")
    n_latent_points = param.Integer(0)
    latent_note = param.String("")
    variational = param.Boolean(True, doc="The run's family has a KL term (and a KL curve).")
    loss_units = param.String("per window", doc="What one loss value is: 'per window', or "
                              "'per batch of N windows' for loss_reduction=sum.")
    latent_name = param.String("z_mean", doc="What the latent points are: z_mean or code.")
    family_views = param.List([], doc="Keys of the family's own views (EpochEnd.extras).")
    family_log_keys = param.List([], doc="The family's own log entries (penalty, accuracy...).")
    views_cleared = param.Event(doc="Fired when the plots are cleared (new run, Reset, load).")

    def __init__(self, data, model, train, **params):
        super().__init__(data, model, train, **params)
        #: Context for an epoch's plot updates; the page sets one that batches them.
        self.batch_updates = contextlib.nullcontext
        #: Called at the start of each poll; the page sets one that sends the messages
        #: Panel left unsent (app.stranded).
        self.resend_stranded = lambda: None
        self.loss_buffer = hv.streams.Buffer(empty_history(), length=1_000_000, index=False)
        self.latent_pipe = hv.streams.Pipe(data=empty_latent())
        self.recon_pipe = hv.streams.Pipe(data=None)
        self.preview_pipe = hv.streams.Pipe(data=None)
        self.family_pipe = hv.streams.Pipe(data=None)  # EpochEnd.extras plus channel names
        #: The run shown (the Controller's TrainingSession), and the data shown before it
        #: has its own.
        self.session = None
        self.preview = DataPreview(self.preview_pipe)
        self._show_run_data = False  # draw the run's own data once it has made them
        #: Called on the event loop as fn(EpochEnd, session) after each epoch's plots.
        self.epoch_hooks: list = []
        #: How the last epoch's latent points became the plot's (x, y): (center, components,
        #: latent_dim) for projection.project_with/unproject.
        self.projection = (None, None, 0)
        self.last_epoch: ev.EpochEnd | None = None
        self._components = None  # last PCA axes, for sign stability
        self._progress_shown = 0.0

    # ---- from the session's events ----
    def show_events(self, events: list, s) -> None:
        """The events of one poll: each status change, the device, every epoch a row of
        the loss table and the last one drawn in every plot (then the epoch hooks), and
        the last in-epoch progress."""
        if self._show_run_data and s.dataset is not None:
            self._show_run_data = False
            self.show_dataset(s.dataset, s.data.seq_len)
        progress, epochs = None, []
        for e in events:
            if isinstance(e, ev.StatusChanged):
                self.status, self.message = e.status, e.message
                if e.status == ev.FAILED:
                    self.set_error("run", f"Run failed: {e.message}")
            elif isinstance(e, ev.BatchProgress):
                progress = e
            elif isinstance(e, ev.EpochEnd):
                epochs.append(e)
        if s.status != self.status:  # e.g. stop() of a session that never started
            self.status, self.message = s.status, s.message
        if s.device != self.device:
            self.device = s.device
        if epochs:
            rows = [history_row(e.epoch, e.logs, e.knn_accuracy, e.silhouette) for e in epochs]
            self._show_epoch(epochs[-1], s, pd.concat(rows, ignore_index=True))
        self._show_progress(progress)

    def show_loaded(self, e: ev.EpochEnd, s) -> None:
        """Epoch 0 of a loaded model (``TrainingSession.loaded_view``): no loss row."""
        self._show_epoch(e, s, None)

    def _show_epoch(self, e: ev.EpochEnd, s, rows: pd.DataFrame | None) -> None:
        self._set_family(e, s)
        with self.batch_updates():  # several plots change at once
            if rows is not None:
                self.loss_buffer.send(rows)
            self._on_epoch(e, s)
            for hook in self.epoch_hooks:
                hook(e, s)

    def _show_progress(self, progress: ev.BatchProgress | None) -> None:
        """The last in-epoch progress of a poll, at most every PROGRESS_INTERVAL_S."""
        now = time.monotonic()
        if (progress is not None and progress.epoch > self.epoch
                and now - self._progress_shown >= PROGRESS_INTERVAL_S):
            # Throttled: each change is a message to the browser and a re-render there.
            self._progress_shown = now
            self.param.update(batch=progress.batch, n_batches=progress.n_batches,
                              samples_per_s=progress.samples_per_s,
                              elapsed_s=progress.elapsed_s)

    def _set_family(self, e: ev.EpochEnd, s) -> None:
        """What the run's family has: KL or not, z_mean or code, its own views and logs.

        Called outside ``batch_updates``: these changes may put new plots in the page, and
        Bokeh gives models the page's theme only when they join an unfrozen document.
        """
        family = s.family
        changes = dict(variational=family.variational, latent_name=family.latent_name,
                       loss_units=loss_units(s.model_cfg.loss_reduction, s.train.batch_size),
                       family_views=sorted(k for k in e.extras if k in families.views()),
                       family_log_keys=[k for k in family_log_keys() if k in e.logs])
        changes = {k: v for k, v in changes.items() if getattr(self, k) != v}
        if changes.get("family_views"):  # new views draw first with data (see app.plots.family)
            self.family_pipe.send(dict(e.extras, epoch=e.epoch,
                                       channel_names=list(s.dataset.channel_names)))
        if changes:
            self.param.update(**changes)

    def _on_epoch(self, e: ev.EpochEnd, s) -> None:
        xy, self._components = project_latent(e.z_mean, self._components)
        center = e.z_mean.mean(axis=0) if self._components is not None else None
        self.projection = (center, self._components, e.z_mean.shape[1])
        self.last_epoch = e
        note = projection_note(e.z_mean.shape[1], self.latent_name)
        # one batched update: the status line re-renders once, not once per field
        self.param.update(epoch=e.epoch, n_epochs=e.n_epochs, batch=self.n_batches,
                          elapsed_s=e.elapsed_s, knn_accuracy=e.knn_accuracy,
                          health_warning=e.health.warning if e.health is not None else "",
                          latent_note=note, n_latent_points=len(xy))
        self.latent_pipe.send(dict(xy=xy, labels=e.labels, note=self.latent_note, epoch=e.epoch,
                                   name=self.latent_name))
        if self.family_views:
            self.family_pipe.send(dict(e.extras, epoch=e.epoch,
                                       channel_names=list(s.dataset.channel_names)))
        if len(e.recon_indices):
            self.send_recon(int(e.recon_indices[0]), e.recon_inputs[0], e.recon_outputs[0],
                            s.dataset.channel_names)

    # ---- the reconstructed window ----
    @param.depends("random_window", watch=True)
    def _on_random_window(self):
        if self.n_val > 1:
            self.recon_index = int(np.random.default_rng().integers(self.n_val))

    @param.depends("recon_index", watch=True)
    def _on_recon_index(self):
        idx = min(self.recon_index, max(self.n_val - 1, 0))
        s, shown = self.session, self.preview.dataset
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
            self.send_recon(idx, inputs[0], outputs[0], s.dataset.channel_names)
        elif shown is not None and idx < len(shown.x_val):
            self.send_recon(idx, shown.x_val[idx], None, shown.channel_names)

    @param.depends("n_val", watch=True)
    def _on_n_val(self):
        self.param.recon_index.bounds = (0, max(self.n_val - 1, 0))
        if self.recon_index >= self.n_val:
            self.recon_index = 0

    def request_preview(self) -> None:
        """Make the data of the current settings off the event loop (``take_preview``
        draws them); until then a file's data line says it is being read."""
        self.preview.request(self.data)
        name = data_file_name(self.data.source, self.data.data_path)
        if name:
            self.data_note = f"Reading {name}..."

    def take_preview(self) -> None:
        """Draw the preview's data once they are made; data that cannot be made are
        named in the error line and the data line (and Start waits, see
        ``Controller._refresh_actions``)."""
        try:
            taken = self.preview.take()
        except ValueError as exc:  # bad input, most often an uploaded file: named, not a fault
            self._data_refused(exc)
            return
        except Exception as exc:  # a fault: reported in the page, the server keeps serving
            log.exception("data generation failed")
            self.set_error("data", f"Data generation failed: {type(exc).__name__}: {exc}")
            return
        if taken is not None:
            ds, cfg = taken
            self.clear_error("data")  # an earlier file's refusal
            self.show_dataset(ds, cfg.seq_len)

    def _data_refused(self, exc: ValueError) -> None:
        values = self.preview.failed_values
        name = data_file_name(values["source"], values["data_path"])
        # one line: the user's file is at fault, not the server (no traceback to read)
        log.warning("data not loaded: %s: %s", name or f"source={values['source']}", exc)
        self.set_error("data", f"Data not loaded: {exc}")
        if name:
            self.data_note = (f"{name} was not loaded: {exc}. Nothing runs on it: Start is "
                              "off until another file is uploaded or Source is set back to "
                              "synthetic; the plots still show the previous data.")
        else:
            self.data_note = (f"The {values['source']} data were not made: {exc}. Start is "
                              "off until the data settings change.")

    def show_dataset(self, ds, seq_len: int) -> None:
        """Draw a dataset (the preview's or the run's); before a run, its windows are the
        ones to reconstruct. The data line says its size, split and what reading found."""
        self.preview.show(ds, seq_len)
        self.data_note = describe(ds)
        if self.session is None:
            self.n_val = len(ds.x_val)
            idx = min(self.recon_index, self.n_val - 1)
            self.send_recon(idx, ds.x_val[idx], None, ds.channel_names)

    def send_recon(self, idx, inputs, outputs, names) -> None:
        """Show validation window ``idx``: its input and (once trained) reconstruction."""
        self.recon_pipe.send(dict(index=int(idx), inputs=np.asarray(inputs),
                                  outputs=None if outputs is None else np.asarray(outputs),
                                  channel_names=list(names)))

    def clear_views(self) -> None:
        """Empty every plot of the run and its figures (new run, Reset, load)."""
        self.loss_buffer.clear()
        self._components = None
        self.projection, self.last_epoch = (None, None, 0), None
        self.latent_pipe.send(empty_latent())
        self.epoch = self.batch = self.n_batches = self.n_latent_points = 0
        self.samples_per_s = self.elapsed_s = 0.0
        self.knn_accuracy = float("nan")
        self.health_warning = ""
        self.latent_note = ""
        self.family_views, self.family_log_keys = [], []
        self.family_pipe.send(None)
        self.param.trigger("views_cleared")
        self.clear_error("run", "data")  # the previous run's; invalid settings stay shown

    def drop_views(self) -> None:
        """The page is gone: let go of the last epoch and the plots' data, sending nothing."""
        self.last_epoch, self.projection, self._components = None, (None, None, 0), None
        self.epoch_hooks.clear()    # views keep what these hooks gave them
        for pipe in (self.latent_pipe, self.recon_pipe, self.preview_pipe, self.family_pipe):
            # silently: a watcher (e.g. the latent legend) would update a destroyed
            # document, which raises and would leave the rest of the closing undone
            with param.edit_constant(pipe), param.parameterized.discard_events(pipe):
                pipe.data = None
