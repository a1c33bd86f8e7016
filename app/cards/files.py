"""Save, load and download: the model (.keras), the loss history and latent points (CSV)
and the settings (JSON) of the current run; a .keras file or settings JSON loaded back.

Downloads are made when their button is clicked (``FileDownload`` callbacks) and named
after the run: ``tsvae-<run id>.keras``, ``-history.csv``, ``-latent.csv``,
``-config.json``. A button is disabled, with the reason beside it, until there is
something to download. Loading never raises into the server: a bad file is reported in
the card.
"""
from __future__ import annotations

import html
import io
import logging
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import panel as pn
import param

from tsvae_core.config import config_values
from tsvae_core.runs import config_from_json, config_to_json, history_csv, latent_csv
from tsvae_core.safe_files import LAST_FINITE

from ..controller import Controller
from .safe_text import text_alert

log = logging.getLogger(__name__)

#: Largest upload taken (bytes); Panel's own websocket limit applies as well.
MAX_UPLOAD = 200 * 2**20
#: What every .keras archive holds (Keras 3's saving format).
KERAS_MEMBERS = ("config.json", "model.weights.h5")


class FilesView(pn.viewable.Viewer):
    message = param.String("", doc="What the last load did.")
    checking = param.String("", doc="The .keras upload being checked, said while it is.")
    problem = param.String("", doc="Why the last load or download failed.")
    save_seconds = param.Number(float("nan"), doc="How long the last model save took.")

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        self._latent: tuple[np.ndarray, np.ndarray] | None = None  # last epoch's (z, labels)
        self._tmp = tempfile.TemporaryDirectory(prefix="tsvae-upload-")
        self._uploads = 0
        ctrl.epoch_hooks.append(self._on_epoch)
        ctrl.session_hooks.append(self._on_session)
        self.downloads = {
            "model": self._button("Model (.keras)", "model", ".keras", self._model_file),
            "history": self._button("Loss history (CSV)", "history", "-history.csv",
                                    self._history_file),
            "latent": self._button("Latent points (CSV)", "latent", "-latent.csv",
                                   self._latent_file),
            "config": self._button("Settings (JSON)", "config", "-config.json",
                                   self._config_file),
        }
        self.model_input = pn.widgets.FileInput(accept=".keras", multiple=False,
                                                css_classes=["tsvae-load-model"])
        self.config_input = pn.widgets.FileInput(accept=".json", multiple=False,
                                                 css_classes=["tsvae-load-config"])
        # filename too: Panel gives an empty file's value as None, which may not change
        self.model_input.param.watch(self._on_model_upload, ["value", "filename"])
        self.config_input.param.watch(self._on_config_upload, ["value", "filename"])
        ctrl.param.watch(self._refresh, ["runs_changed", "run_id", "epoch", "loaded_model",
                                         "status"])
        ctrl.param.watch(self._on_model_checked, ["model_checked"])
        # a Reset (or a closed tab) drops the check without a result: the notice goes too
        ctrl.param.watch(lambda e: e.new or self.param.update(checking=""), ["checking_model"])
        self.reason = pn.pane.HTML("", css_classes=["tsvae-download-reason"], margin=(5, 10))
        if ctrl.last_epoch is not None:  # made after epochs (a card opened later)
            self._on_epoch(ctrl.last_epoch, ctrl.session)
        self._refresh()

    # ---- downloads ---------------------------------------------------------------------
    def _button(self, label, key, suffix, callback) -> pn.widgets.FileDownload:
        return pn.widgets.FileDownload(callback=callback, label=label, filename=f"tsvae{suffix}",
                                       color="primary", variant="outline",
                                       css_classes=[f"tsvae-download-{key}"], width=170)

    def _stem(self) -> str:
        return f"tsvae-{self.ctrl.run_id}" if self.ctrl.run_id else "tsvae"

    def _record(self):
        c = self.ctrl
        return c.runs.get(c.run_id) if c.run_id in c.runs else None

    def availability(self) -> dict[str, str]:
        """Download key -> '' when it can be downloaded, else why not."""
        s, record = self.ctrl.session, self._record()
        trained = record is not None and bool(record.history)
        loaded = self.ctrl.loaded_model
        # a loaded model (e.g. a sweep's trial) can be downloaded; its history and latent
        # points come only from epochs trained here, and the reason says so
        no_epoch = (f"no epoch trained in this tab yet (the loaded {loaded} brings its "
                    f"weights only)" if loaded else "no finished epoch yet")
        return {
            "model": "" if s is not None and s.snapshot_ready else
                     "no finished epoch or loaded model yet",
            "history": "" if trained else no_epoch,
            "latent": "" if self._latent is not None else no_epoch,
            "config": "",
        }

    def _refresh(self, *_events) -> None:
        stem = self._stem()
        why = self.availability()
        s = self.ctrl.session
        # a failed run's model is its last finished epoch's: the name says so (safe_files)
        model_suffix = (f".{LAST_FINITE}.keras" if s is not None and s.status == "failed"
                        else ".keras")
        for key, button in self.downloads.items():
            suffix = {"model": model_suffix, "history": "-history.csv",
                      "latent": "-latent.csv", "config": "-config.json"}[key]
            changes = dict(filename=stem + suffix, disabled=bool(why[key]))
            changes = {k: v for k, v in changes.items() if getattr(button, k) != v}
            if changes:
                button.param.update(**changes)
        labels = {k: b.label for k, b in self.downloads.items()}
        missing = {w: [labels[k] for k in why if why[k] == w] for w in why.values() if w}
        text = ("<span class='tsvae-download-reason-text'>Disabled: "
                + html.escape("; ".join(f"{', '.join(keys)}: {w}" for w, keys in missing.items()))
                + " (Start or Step trains one)</span>" if missing else "")
        if self.reason.object != text:
            self.reason.object = text

    def _fail(self, what: str, exc: Exception) -> io.BytesIO:
        log.exception("download of %s failed", what)
        self.problem = f"Cannot download the {what}: {type(exc).__name__}: {exc}"
        return io.BytesIO(b"")

    def _model_file(self) -> io.BytesIO:
        s = self.ctrl.session
        try:
            if s is None:
                raise RuntimeError("there is no run")
            path = Path(self._tmp.name) / "save.keras"
            t0 = time.perf_counter()
            s.save(path)  # the snapshot: the last finished epoch, safe while training
            self.save_seconds = time.perf_counter() - t0
            log.info("saved the model in %.3f s", self.save_seconds)
            data = path.read_bytes()
            path.unlink()
            self.problem = ""
            return io.BytesIO(data)
        except Exception as exc:  # a failed download is reported, never raised
            return self._fail("model", exc)

    def _history_file(self) -> io.BytesIO:
        try:
            record = self._record()
            if record is None:
                raise RuntimeError("there is no run")
            return io.BytesIO(history_csv(record).encode())
        except Exception as exc:
            return self._fail("loss history", exc)

    def _latent_file(self) -> io.BytesIO:
        try:
            if self._latent is None:
                raise RuntimeError("no finished epoch yet")
            return io.BytesIO(latent_csv(*self._latent).encode())
        except Exception as exc:
            return self._fail("latent points", exc)

    def _config_file(self) -> io.BytesIO:
        c = self.ctrl
        return io.BytesIO(config_to_json(c.data, c.model, c.train).encode())

    # ---- hooks ----------------------------------------------------------------------------
    def _on_epoch(self, e, _session) -> None:
        self._latent = (np.asarray(e.z_mean), np.asarray(e.labels))

    def _on_session(self, _session) -> None:
        self._latent = None
        self._refresh()

    # ---- loading ----------------------------------------------------------------------
    def _take(self, widget) -> tuple[bytes, str] | None:
        """(content, name) of the file ``widget`` just received, or None when there is none
        (the echo of ``clear``). A new upload replaces the last one's messages, in the card
        and the page's error line; the widget forgets the file, so that the same file chosen
        again (an empty one included) arrives again."""
        name = widget.filename
        if not name:
            return None
        data = widget.value or b""  # an empty file comes as None
        self.message = self.problem = self.checking = ""
        self.ctrl.clear_error("load")
        widget.clear()
        with param.discard_events(widget):  # no watcher call, nothing sent to the browser
            widget.param.update(value=None, filename=None)
        return data, name

    def _on_model_upload(self, *_events) -> None:
        taken = self._take(self.model_input)
        if taken is None:
            return
        data, name = taken
        problem = model_file_problem(data, name)
        if problem:
            self.problem = problem
            return
        self._uploads += 1
        path = Path(self._tmp.name) / f"upload-{self._uploads}.keras"  # kept: Start reads it
        path.write_bytes(data)
        # checked in a worker thread (app.model_load); _on_model_checked says the result
        self.checking = f"Checking model {name}... (loading it and comparing it with the settings)"
        self.ctrl.load_model(str(path), name)
        self._refresh()

    def _on_model_checked(self, *_events) -> None:
        c = self.ctrl
        name = c.loaded_model
        if name:
            self.message = (f"Loaded {name}: Start or Step continues training from it; "
                            "Reset discards it")
        else:
            self.problem = c.error if c.error_kind == "load" else "Cannot load the model"
        self._refresh()

    def load_config_text(self, text: str, name: str = "settings") -> bool:
        """Set the widgets to the settings in ``text`` (config_to_json's format); a bad file
        leaves them as they are and says why in ``problem``."""
        self.message = self.problem = ""
        if not text.strip():
            self.problem = f"Cannot load {name}: the file is empty"
            return False
        try:
            configs = config_from_json(text)
        except ValueError as exc:
            self.problem = f"Cannot load {name}: {exc}"
            return False
        except RecursionError:  # json nests deeper than Python's stack
            self.problem = f"Cannot load {name}: the JSON is nested too deeply"
            return False
        except Exception as exc:  # anything else: a message, never an error in the server
            log.exception("loading settings %s failed", name)
            self.problem = f"Cannot load {name}: {type(exc).__name__}"
            return False
        c = self.ctrl
        for mine, new in zip((c.data, c.model, c.train), configs):
            mine.param.update(**config_values(new))
        self.message = f"Loaded the settings of {name}" + (
            ": Reset or Start applies them" if c.pending else "")
        return True

    def _on_config_upload(self, *_events) -> None:
        taken = self._take(self.config_input)
        if taken is None:
            return
        data, name = taken
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.problem = f"Cannot load {name}: not UTF-8 text"
            return
        self.load_config_text(text, name)

    def __panel__(self):
        # file names and the files' own keys and values: shown as text only
        msg = text_alert(self.param.message, "success", "tsvae-files-message")
        problem = text_alert(self.param.problem, "danger", "tsvae-files-problem")
        checking = text_alert(self.param.checking, "info", "tsvae-files-checking")
        loads = pn.Row(
            pn.Column(pn.pane.Markdown("**Load a model** (.keras): the next run starts from "
                                       "it", margin=(0, 10)), self.model_input),
            pn.Column(pn.pane.Markdown("**Load settings** (.json) into the widgets",
                                       margin=(0, 10)), self.config_input),
            sizing_mode="stretch_width")
        return pn.Column(pn.pane.Markdown("**Download** the current run's files", margin=(0, 10)),
                         pn.Row(*self.downloads.values()), self.reason, loads, checking, msg, problem,
                         sizing_mode="stretch_width")


def model_file_problem(data: bytes, name: str) -> str:
    """Why ``data`` (an upload named ``name``) is no model file to load ('' if it may be).

    Checked before Keras sees it: Keras's own messages for such files name the server's
    temporary path ("File not found: filepath=/tmp/...") or are a bare KeyError.
    """
    if not name.endswith(".keras"):
        return f"Cannot load {name}: a model file ends in .keras"
    if not data:
        return f"Cannot load {name}: the file is empty"
    if len(data) > MAX_UPLOAD:
        return f"Cannot load {name}: larger than {MAX_UPLOAD // 2**20} MB"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return (f"Cannot load {name}: not a Keras model file (a .keras file is a zip "
                "archive; this file is not one)")
    missing = [n for n in KERAS_MEMBERS if n not in names]
    if missing:
        return (f"Cannot load {name}: a zip archive, but not a Keras model file "
                f"(it has no {' or '.join(missing)})")
    return ""
