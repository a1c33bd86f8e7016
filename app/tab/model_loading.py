"""Checking an uploaded ``.keras`` file off the event loop.

Loading the file (``keras.saving.load_model``), building a model from the settings to
compare layer kinds and weight shapes (``tsvae_core.initial_model``) and drawing what the
loaded weights make of the data take seconds, more while other tabs train; on the
server's event loop they would stall every tab's page. They run in a small thread pool
shared by all tabs, as the data preview does (app/tab/preview.py); the Controller's periodic
``poll`` takes the result on the event loop (``take`` never waits). A new upload
supersedes the one being checked: its result is dropped even if its check has started.
"""
from __future__ import annotations

import concurrent.futures
import logging
from dataclasses import dataclass
from pathlib import Path

from tsvae_core import events as ev
from tsvae_core.config import (DataConfig, ModelConfig, TrainConfig, config_values,
                               copy_config)
from tsvae_core.data import Dataset
from tsvae_core.sessions import make_session
from tsvae_core.session.protocol import Session

from .state import TabState

log = logging.getLogger(__name__)

_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="tsvae-load")


@dataclass
class Checked:
    """What a finished check hands to the event loop."""
    path: str
    name: str
    values: dict                          # the settings the file was checked against
    session: Session | None = None
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


class ModelLoader:
    """The upload a tab is checking and the action waiting for it. It writes the check's
    progress into the tab's state (``checking_model``, the status line, the error line of
    kind "load"); the Controller installs a file that fits (it owns the run)."""

    def __init__(self, state: TabState):
        self.state = state
        self.check = ModelCheck()  # an uploaded .keras being checked off the loop
        #: "start" or "step" when that action waits for the check (Start after a load
        #: with changed settings); None otherwise
        self.start_after: str | None = None

    @property
    def checking(self) -> bool:
        return bool(self.check.name)

    def request(self, path, name: str, configs, dataset: Dataset | None) -> None:
        """Check the file at ``path`` against copies of ``configs`` (data, model, train)
        in the thread pool (``prepare``); ``checking_model`` names it until ``take``."""
        self.state.clear_error("start", "load")
        copies = [copy_config(c) for c in configs]
        self.check.request(str(path), name, config_values(*copies), *copies, dataset)
        self.state.checking_model = name
        self.state.status, self.state.message = ev.IDLE, f"checking model {name}..."

    def take(self) -> tuple[Checked | None, str | None]:
        """A finished check (once) and the action that waited for it; an unloadable file
        is said on the error line here. (None, None) while it runs or when none was asked."""
        done = self.check.take()
        if done is None:
            return None, None
        action, self.start_after = self.start_after, None
        if done.error:
            self.state.set_error("load", done.error)
            self.state.message = ""
        return done, action

    def cancel(self) -> None:
        self.check.cancel()
        self.start_after = None
        self.state.checking_model = ""


def unpathed(exc: Exception, path, name: str) -> str:
    """An error's text with the server's path of an upload replaced by its file name (a
    page must not learn the server's directories)."""
    text = str(exc).replace(str(path), name)
    parent = str(Path(path).parent)
    return text.replace(parent, "<upload>") if parent not in ("", ".") else text
