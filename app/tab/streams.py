"""What a tab shows of its run: the plots' streams, the figures beside them, the window
the reconstruction shows, and the translation of the session's events into all of them.

``RunStreams`` is held by the Controller; the figures (status, epoch, speed, k-NN accuracy,
the family's views...) it writes into the tab's ``TabState``, the plots' data it sends
through its own streams. It reads the run it shows through ``current_session``, a callable
the Controller gives it. Only the event loop calls it (the periodic ``poll`` and widget
callbacks): HoloViews and Bokeh require streams to be sent from one thread.
"""
from __future__ import annotations

import contextlib
import logging
import time
from typing import Callable

import holoviews as hv
import numpy as np
import pandas as pd
import param

from tsvae_core import events as ev
from tsvae_core import families
from tsvae_core.session.protocol import Session
from tsvae_core.sources import describe

from ..server.data_files import data_file_name
from .history import empty_history, family_log_keys, history_row, loss_units
from .projection import project_latent, projection_note
from .preview import DataPreview
from .state import TabState

log = logging.getLogger(__name__)

#: Least seconds between two updates of the in-epoch progress (batch, samples/s).
PROGRESS_INTERVAL_S = 0.5


def empty_latent() -> dict:
    """The latent pipe's data before any epoch."""
    return dict(xy=np.zeros((0, 2)), labels=np.zeros(0, dtype=int), note="", epoch=0,
                name="z_mean")


class RunStreams:
    """The streams of one tab's plots and the figures shown with them."""

    def __init__(self, state: TabState, current_session: Callable[[], Session | None]):
        self.state, self.current_session = state, current_session
        #: Context for an epoch's plot updates; the page sets one that batches them.
        self.batch_updates = contextlib.nullcontext
        #: Called at the start of each poll; the page sets one that sends the messages
        #: Panel left unsent (app.server.stranded).
        self.resend_stranded = lambda: None
        self.loss_buffer = hv.streams.Buffer(empty_history(), length=1_000_000, index=False)
        self.latent_pipe = hv.streams.Pipe(data=empty_latent())
        self.recon_pipe = hv.streams.Pipe(data=None)
        self.preview_pipe = hv.streams.Pipe(data=None)
        self.family_pipe = hv.streams.Pipe(data=None)  # EpochEnd.extras plus channel names
        #: The data shown before the run has its own.
        self.preview = DataPreview(self.preview_pipe)
        #: True while the run's own data are to be drawn once it has made them
        self.show_run_data = False
        #: Called on the event loop as fn(EpochEnd, session) after each epoch's plots.
        self.epoch_hooks: list = []
        #: How the last epoch's latent points became the plot's (x, y): (center, components,
        #: latent_dim) for projection.project_with/unproject.
        self.projection = (None, None, 0)
        self.last_epoch: ev.EpochEnd | None = None
        self._components = None  # last PCA axes, for sign stability
        self._progress_shown = 0.0
        state.param.watch(self._on_n_val, "n_val")
        state.param.watch(self._on_recon_index, "recon_index")

    # ---- from the session's events ----
    def show_events(self, events: list, s) -> None:
        """The events of one poll: each status change, the device, every epoch a row of
        the loss table and the last one drawn in every plot (then the epoch hooks), and
        the last in-epoch progress."""
        if self.show_run_data and s.dataset is not None:
            self.show_run_data = False
            self.show_dataset(s.dataset, s.data.seq_len)
        progress, epochs = None, []
        for e in events:
            if isinstance(e, ev.StatusChanged):
                self.state.status, self.state.message = e.status, e.message
                if e.status == ev.FAILED:
                    self.state.set_error("run", f"Run failed: {e.message}")
            elif isinstance(e, ev.BatchProgress):
                progress = e
            elif isinstance(e, ev.EpochEnd):
                epochs.append(e)
        if s.status != self.state.status:  # e.g. stop() of a session that never started
            self.state.status, self.state.message = s.status, s.message
        if s.device != self.state.device:
            self.state.device = s.device
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
        if (progress is not None and progress.epoch > self.state.epoch
                and now - self._progress_shown >= PROGRESS_INTERVAL_S):
            # Throttled: each change is a message to the browser and a re-render there.
            self._progress_shown = now
            self.state.param.update(batch=progress.batch, n_batches=progress.n_batches,
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
        changes = {k: v for k, v in changes.items() if getattr(self.state, k) != v}
        if changes.get("family_views"):  # new views draw first with data (see app.plots.family)
            self.family_pipe.send(dict(e.extras, epoch=e.epoch,
                                       channel_names=list(s.dataset.channel_names)))
        if changes:
            self.state.param.update(**changes)

    def _on_epoch(self, e: ev.EpochEnd, s) -> None:
        xy, self._components = project_latent(e.z_mean, self._components)
        center = e.z_mean.mean(axis=0) if self._components is not None else None
        self.projection = (center, self._components, e.z_mean.shape[1])
        self.last_epoch = e
        note = projection_note(e.z_mean.shape[1], self.state.latent_name)
        # one batched update: the status line re-renders once, not once per field
        self.state.param.update(epoch=e.epoch, n_epochs=e.n_epochs, batch=self.state.n_batches,
                          elapsed_s=e.elapsed_s, knn_accuracy=e.knn_accuracy,
                          health_warning=e.health.warning if e.health is not None else "",
                          latent_note=note, n_latent_points=len(xy))
        self.latent_pipe.send(dict(xy=xy, labels=e.labels, note=self.state.latent_note,
                                   epoch=e.epoch, name=self.state.latent_name))
        if self.state.family_views:
            self.family_pipe.send(dict(e.extras, epoch=e.epoch,
                                       channel_names=list(s.dataset.channel_names)))
        if len(e.recon_indices):
            self.send_recon(int(e.recon_indices[0]), e.recon_inputs[0], e.recon_outputs[0],
                            s.dataset.channel_names)

    # ---- the reconstructed window ----
    def random_window(self) -> None:
        """Reconstruct a random validation window."""
        if self.state.n_val > 1:
            self.state.recon_index = int(np.random.default_rng().integers(self.state.n_val))

    def _on_recon_index(self, *_events) -> None:
        idx = min(self.state.recon_index, max(self.state.n_val - 1, 0))
        s, shown = self.current_session(), self.preview.dataset
        if s is not None:
            try:
                s.set_recon_indices([idx])  # the next epochs show this window
            except ValueError as exc:
                self.state.notice = str(exc)
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

    def _on_n_val(self, *_events) -> None:
        self.state.param.recon_index.bounds = (0, max(self.state.n_val - 1, 0))
        if self.state.recon_index >= self.state.n_val:
            self.state.recon_index = 0

    def request_preview(self, data) -> None:
        """Make the data of the settings ``data`` off the event loop (``take_preview``
        draws them); until then a file's data line says it is being read."""
        self.preview.request(data)
        name = data_file_name(data.source, data.data_path)
        if name:
            self.state.data_note = f"Reading {name}..."

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
            self.state.set_error("data", f"Data generation failed: {type(exc).__name__}: {exc}")
            return
        if taken is not None:
            ds, cfg = taken
            self.state.clear_error("data")  # an earlier file's refusal
            self.show_dataset(ds, cfg.seq_len)

    def _data_refused(self, exc: ValueError) -> None:
        values = self.preview.failed_values
        name = data_file_name(values["source"], values["data_path"])
        # one line: the user's file is at fault, not the server (no traceback to read)
        log.warning("data not loaded: %s: %s", name or f"source={values['source']}", exc)
        self.state.set_error("data", f"Data not loaded: {exc}")
        if name:
            self.state.data_note = (f"{name} was not loaded: {exc}. Nothing runs on it: Start is "
                              "off until another file is uploaded or Source is set back to "
                              "synthetic; the plots still show the previous data.")
        else:
            self.state.data_note = (f"The {values['source']} data were not made: {exc}. Start is "
                              "off until the data settings change.")

    def show_dataset(self, ds, seq_len: int) -> None:
        """Draw a dataset (the preview's or the run's); before a run, its windows are the
        ones to reconstruct. The data line says its size, split and what reading found."""
        self.preview.show(ds, seq_len)
        self.state.data_note = describe(ds)
        if self.current_session() is None:
            self.state.n_val = len(ds.x_val)
            idx = min(self.state.recon_index, self.state.n_val - 1)
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
        self.state.epoch = self.state.batch = self.state.n_batches = self.state.n_latent_points = 0
        self.state.samples_per_s = self.state.elapsed_s = 0.0
        self.state.knn_accuracy = float("nan")
        self.state.health_warning = ""
        self.state.latent_note = ""
        self.state.family_views, self.state.family_log_keys = [], []
        self.family_pipe.send(None)
        self.state.param.trigger("views_cleared")
        self.state.clear_error("run", "data")  # the previous run's; invalid settings stay shown

    def drop_views(self) -> None:
        """The page is gone: let go of the last epoch and the plots' data, sending nothing."""
        self.last_epoch, self.projection, self._components = None, (None, None, 0), None
        self.epoch_hooks.clear()    # views keep what these hooks gave them
        for pipe in (self.latent_pipe, self.recon_pipe, self.preview_pipe, self.family_pipe):
            # silently: a watcher (e.g. the latent legend) would update a destroyed
            # document, which raises and would leave the rest of the closing undone
            with param.edit_constant(pipe), param.parameterized.discard_events(pipe):
                pipe.data = None
