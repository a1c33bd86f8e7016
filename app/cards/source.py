"""The Data source card (sidebar): upload a file to train on, and the line that says what
the data are (windows, the split used, what reading found).

An upload is only written to disk here (``app.data_files.save_upload``); parsing and
windowing happen in the preview's thread pool (``app.preview``), off the event loop, and
a bad file's message comes back through the page's error line. Choosing the file sets
``source`` to ``file`` (or keeps ``cmapss``) and ``data_path`` to the saved copy.
"""
from __future__ import annotations

import html
import logging

import panel as pn
import param

from tsvae_core.sources.files import FORMATS, MAX_FILE_BYTES

from ..controller import Controller
from ..data_files import save_upload

log = logging.getLogger(__name__)


class SourceView(pn.viewable.Viewer):
    message = param.String("", doc="What the last upload did.")

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        self.upload = pn.widgets.FileInput(accept=",".join(FORMATS), multiple=False,
                                           css_classes=["tsvae-load-data"])
        self.upload.param.watch(self._on_upload, ["value", "filename"])

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
        self.message = f"Reading {name} ({len(content) / 2**20:.1f} MB) as {source} data"

    def __panel__(self):
        msg = pn.pane.HTML(self.param.message.rx.pipe(
            lambda t: f"<span class='tsvae-source-message'>{html.escape(t)}</span>"),
            margin=(0, 10), css_classes=["tsvae-source-message"])
        note = pn.pane.HTML(self.ctrl.param.data_note.rx.pipe(
            lambda t: f"<span class='tsvae-data-note'>{html.escape(t)}</span>"),
            margin=(0, 10), css_classes=["tsvae-data-note"])
        return pn.Column(
            pn.pane.Markdown(f"**Your data** ({', '.join(FORMATS)}; at most "
                             f"{MAX_FILE_BYTES // 2**20} MB)", margin=(0, 10)),
            self.upload, msg, note, sizing_mode="stretch_width")
