"""The Data source card (sidebar): upload a file to train on, and the line that says what
the data are (windows, the split used, what reading found); for a classification run,
latent 1-NN on the test part beside 1-NN Euclidean after every epoch.

An upload is only written to disk here (``app.server.data_files.save_upload``); parsing and
windowing happen in the preview's thread pool (``app.tab.preview``), off the event loop, and
a bad file's message comes back through the page's error line. Choosing the file sets
``source`` to ``file`` (or keeps ``cmapss``) and ``data_path`` to the saved copy.
"""
from __future__ import annotations

import html
import logging

import panel as pn
import param

from tsvae_core.nearest import is_classification, pair_report
from tsvae_core.sources.files import FORMATS, MAX_FILE_BYTES

from ..tab.controller import Controller
from ..server.data_files import save_upload

log = logging.getLogger(__name__)


#: most windows (training and test together) the page encodes after an epoch for the
#: 1-NN line; larger sets: tsvae-train prints it at the end
NEAREST_MAX_WINDOWS = 5_000


class SourceView(pn.viewable.Viewer):
    message = param.String("", doc="What the last upload did.")
    nearest = param.String("", doc="A classification run's 1-NN on its test part.")

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        self.upload = pn.widgets.FileInput(accept=",".join(FORMATS), multiple=False,
                                           css_classes=["tsvae-load-data"])
        self.upload.param.watch(self._on_upload, ["value", "filename"])
        ctrl.streams.epoch_hooks.append(self._on_epoch)
        ctrl.state.param.watch(lambda *_: self.param.update(nearest=""), "views_cleared")

    def _on_epoch(self, e, s) -> None:
        """A classification run (train and test windows with classes): latent 1-NN on the
        test part beside 1-NN Euclidean, by the epoch's weights (the snapshot)."""
        ds = s.dataset
        if not is_classification(ds):
            return
        if len(ds.x_train) + len(ds.x_val) > NEAREST_MAX_WINDOWS:
            self.nearest = (f"1-NN on the test part: more than {NEAREST_MAX_WINDOWS:,} windows, "
                            f"left to tsvae-train")
            return
        try:
            r = pair_report(s.encode, ds)
        except (RuntimeError, ValueError) as exc:  # no weights yet, or a family without codes
            log.info("1-NN left out: %s", exc)
            return
        self.nearest = (f"Epoch {e.epoch}, test part: latent 1-NN {r['latent_1nn']:.3f}, "
                        f"1-NN Euclidean {r['euclidean_1nn']:.3f} ({r['n_train']} training, "
                        f"{r['n_test']} test windows)")

    def _on_upload(self, *_):
        name, content = self.upload.filename or "", self.upload.value
        if not name:
            return
        try:
            if not content:
                raise ValueError(f"file {name} is empty")
            path = save_upload(name, content)
        except (ValueError, OSError) as exc:
            self.message = f"Cannot use {name}: {exc}"
            return
        data = self.ctrl.data
        source = data.source if data.source == "cmapss" else "file"
        data.param.update(source=source, data_path=str(path))
        # the data line below says what reading it found (or why it was not loaded)
        self.message = f"Uploaded {name} ({len(content) / 2**20:.1f} MB) as {source} data"

    def __panel__(self):
        msg = pn.pane.HTML(self.param.message.rx.pipe(
            lambda t: f"<span class='tsvae-source-message'>{html.escape(t)}</span>"),
            margin=(0, 10), css_classes=["tsvae-source-message"])
        note = pn.pane.HTML(self.ctrl.state.param.data_note.rx.pipe(
            lambda t: f"<span class='tsvae-data-note'>{html.escape(t)}</span>"),
            margin=(0, 10), css_classes=["tsvae-data-note"])
        nearest = pn.pane.HTML(self.param.nearest.rx.pipe(
            lambda t: f"<span class='tsvae-nearest'>{html.escape(t)}</span>"),
            margin=(0, 10), css_classes=["tsvae-nearest"])
        return pn.Column(
            pn.pane.Markdown(f"**Your data** ({', '.join(FORMATS)}; at most "
                             f"{MAX_FILE_BYTES // 2**20} MB)", margin=(0, 10)),
            self.upload, msg, note, nearest, sizing_mode="stretch_width")
