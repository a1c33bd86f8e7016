"""Checking an uploaded ``.keras`` file off the event loop.

Loading the file (``keras.saving.load_model``), building a model from the settings to
compare layer kinds and weight shapes (``tsvae_core.initial_model``) and drawing what the
loaded weights make of the data take seconds, more while other tabs train; on the
server's event loop they would stall every tab's page. They run in a small thread pool
shared by all tabs, as the data preview does (app/preview.py); the Controller's periodic
``poll`` takes the result on the event loop (``take`` never waits). A new upload
supersedes the one being checked: its result is dropped even if its check has started.
"""
from __future__ import annotations

import concurrent.futures
import logging
from dataclasses import dataclass
from pathlib import Path

import param

from tsvae_core import events as ev
from tsvae_core.config import (DataConfig, ModelConfig, TrainConfig, config_values,
                               copy_config)
from tsvae_core.data import Dataset
from tsvae_core.sessions import make_session
from tsvae_core.session.training import TrainingSession

log = logging.getLogger(__name__)

_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="tsvae-load")


@dataclass
class Checked:
    """What a finished check hands to the event loop."""
    path: str
    name: str
    values: dict                          # the settings the file was checked against
    session: TrainingSession | None = None
    view: ev.EpochEnd | None = None       # epoch 0 of the loaded weights, if drawable
    error: str = ""                       # why the file cannot be loaded ('' if it can)


def prepare(path: str, name: str, values: dict, data: DataConfig, model: ModelConfig,
            train: TrainConfig, dataset: Dataset | None) -> Checked:
    """The worker: a session that starts from the file (or why there is none). The
    configs are the caller's own copies: widgets may change the tab's meanwhile."""
    out = Checked(path, name, values)
    try:
        out.session = make_session(data, model, train, dataset=dataset,
                                   initial_model=path)
    except ValueError as exc:  # the file does not fit the settings
        out.error = f"Cannot load {name}: {unpathed(exc, path, name)}"
        return out
    except Exception as exc:  # not a Keras file, or another format problem
        log.exception("loading %s failed", name)
        out.error = (f"Cannot load {name}: not a readable Keras model "
                     f"({type(exc).__name__}: {unpathed(exc, path, name)})")
        return out
    try:
        out.view = out.session.loaded_view()
    except Exception:  # drawing it is a convenience; Start still works without
        log.exception("showing the loaded model failed")
    return out


class ModelCheck:
    """The one upload of a tab being checked, if any."""

    def __init__(self):
        self._future: concurrent.futures.Future | None = None
        self.name = ""  # the file being checked ('' when none)

    def request(self, path: str, name: str, values: dict, *configs_and_dataset) -> None:
        """Check the file at ``path`` (``prepare``'s arguments follow); a check still
        going on is superseded."""
        self.cancel()
        self._future = _POOL.submit(prepare, path, name, values, *configs_and_dataset)
        self.name = name

    def take(self) -> Checked | None:
        """The finished check, once; None while it runs or when none was requested."""
        fut = self._future
        if fut is None or not fut.done():
            return None
        self._future, self.name = None, ""
        if fut.cancelled():
            return None
        try:
            return fut.result()  # prepare reports its errors in Checked.error
        except Exception as exc:  # never into the server's event loop
            log.exception("checking a model failed")
            return Checked("", "the model", {}, error=f"Cannot load the model: "
                                                    f"{type(exc).__name__}")

    def cancel(self) -> None:
        """Forget the check going on (it finishes in its thread; its session is dropped
        unstarted)."""
        if self._future is not None:
            self._future.cancel()
        self._future, self.name = None, ""


class ModelLoading(param.Parameterized):
    """The Controller's base for loading a model: the upload's check and its result.
    Uses the Controller's session lifecycle (``_end_session``, ``_adopt``)."""

    checking_model = param.String("", doc="Name of the .keras file being checked ('' if none).")
    model_checked = param.Event(doc="A check ended: loaded_model or the error line says how.")

    def __init__(self, *args, **params):
        super().__init__(*args, **params)
        self.model_check = ModelCheck()  # an uploaded .keras being checked off the loop
        #: "start" or "step" when that action waits for the check (Start after a load
        #: with changed settings); None otherwise
        self._start_after_check: str | None = None

    def load_model(self, path, name: str) -> None:
        """The next run starts from the weights in the ``.keras`` file at ``path``; the
        current run ends now. The file is checked against the settings by ``prepare`` in
        the thread pool (loading and building a model would stall the server's event
        loop); ``checking_model`` names it until ``poll`` takes the result: the loaded
        model then, or the error line (kind "load"). Start waits meanwhile."""
        self._end_session()
        self.clear_views()
        self._initial_model, self.loaded_model = None, ""
        self.clear_error("start", "load")
        copies = [copy_config(c) for c in (self.data, self.model, self.train)]
        self.model_check.request(str(path), name, config_values(*copies), *copies,
                                 self.preview.matching(self.data))
        self.checking_model = name
        self.status, self.message = ev.IDLE, f"checking model {name}..."
        self._refresh_actions()

    def _take_checked(self) -> None:
        """Install the result of a finished model check (event loop: ``poll``)."""
        done = self.model_check.take()
        if done is None:
            return
        action, self._start_after_check = self._start_after_check, None
        if done.error:
            self.set_error("load", done.error)
            self.message = ""
        else:
            self._initial_model, self.loaded_model = done.path, done.name
            self._adopt(done.session, done.values)
            self.clear_error("start", "load")
            self.status, self.message = ev.IDLE, f"loaded {done.name}: Start continues from it"
            if done.view is not None:
                self.show_loaded(done.view, done.session)
        self.checking_model = ""
        self._refresh_actions()
        self.param.trigger("model_checked")
        if action is not None and not done.error:
            self._try_start(done.session, action)


    def _cancel_check(self) -> None:
        self.model_check.cancel()
        self._start_after_check = None
        self.checking_model = ""


def unpathed(exc: Exception, path, name: str) -> str:
    """An error's text with the server's path of an upload replaced by its file name (a
    page must not learn the server's directories)."""
    text = str(exc).replace(str(path), name)
    parent = str(Path(path).parent)
    return text.replace(parent, "<upload>") if parent not in ("", ".") else text
