"""An uploaded .keras file is checked in a worker thread: the upload handler (on the
server's event loop) returns at once, the card says "Checking model ..." meanwhile, the
result arrives through the periodic poll, and a second upload supersedes the first."""
from __future__ import annotations

import collections
import threading
import time

import pytest

from app.tab import model_loading
from app.cards.files import FilesView
from app.tab.controller import Controller
from app.server.runs import RunRegistry
from tsvae_core.models import build_model


@pytest.fixture
def tab(tiny_configs):
    ctrl = Controller(*tiny_configs(), tab="upload", registry=RunRegistry(max_runs=1))
    yield ctrl, FilesView(ctrl)
    s = ctrl.session
    ctrl.shutdown()
    if s is not None:
        s.join(30)


@pytest.fixture
def gated(monkeypatch):
    """Checks wait for their file's gate before loading it (as a slow load would)."""
    gates: dict[str, threading.Event] = collections.defaultdict(threading.Event)
    real = model_loading.make_session

    def slow_session(*args, initial_model=None, **kwargs):
        name = initial_model.rsplit("/", 1)[-1]
        gates[name].wait(20)
        return real(*args, initial_model=initial_model, **kwargs)

    monkeypatch.setattr(model_loading, "make_session", slow_session)
    return gates


def _model_bytes(ctrl, tmp_path, name, **changes) -> bytes:
    for k, v in changes.items():
        setattr(ctrl.model, k, v)
    m = build_model(ctrl.data, ctrl.model)
    m.build((None, ctrl.data.seq_len, ctrl.data.n_features + 1))
    m.save(tmp_path / name)
    return (tmp_path / name).read_bytes()


def _poll_for(ctrl, seconds: float) -> None:
    """Poll as the page does for a while: what must not happen has time to happen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ctrl.poll()
        time.sleep(0.05)


def _upload(view, data, name) -> float:
    t0 = time.perf_counter()
    view.model_input.param.update(filename=name, value=data)
    return time.perf_counter() - t0


def test_the_upload_returns_at_once_and_the_result_arrives(tab, gated, tmp_path, wait):
    ctrl, view = tab
    data = _model_bytes(ctrl, tmp_path, "m.keras")
    took = _upload(view, data, "good.keras")
    assert took < 2, f"the upload handler held the event loop {took:.1f} s"
    assert view.checking.startswith("Checking model good.keras")
    assert ctrl.state.checking_model == "good.keras" and "checking model" in ctrl.state.message
    assert ctrl.state.loaded_model == "" and not ctrl.state.can_start     # Start waits for the file
    ctrl.poll()
    assert ctrl.state.checking_model == "good.keras"                # still checking: poll waits not
    gated["upload-1.keras"].set()
    wait(ctrl, lambda: not ctrl.state.checking_model, 60, "the check to end")
    assert ctrl.state.loaded_model == "good.keras" and view.message.startswith("Loaded good.keras")
    assert view.checking == "" and view.problem == "" and ctrl.state.can_start
    assert ctrl.session is not None and ctrl.session.snapshot_ready


def test_a_second_upload_supersedes_the_first(tab, gated, tmp_path, wait):
    ctrl, view = tab
    data = _model_bytes(ctrl, tmp_path, "m.keras")
    _upload(view, data, "first.keras")
    _upload(view, data, "second.keras")
    assert view.checking.startswith("Checking model second.keras")
    gated["upload-2.keras"].set()
    wait(ctrl, lambda: not ctrl.state.checking_model, 60, "the second check")
    assert ctrl.state.loaded_model == "second.keras"
    second = ctrl.session
    gated["upload-1.keras"].set()                             # the first one ends later:
    _poll_for(ctrl, 5)                                        # it changes nothing
    assert ctrl.state.loaded_model == "second.keras" and ctrl.session is second
    assert view.message.startswith("Loaded second.keras")


def test_a_file_that_does_not_fit_is_reported_after_the_check(tab, gated, tmp_path, wait):
    ctrl, view = tab
    data = _model_bytes(ctrl, tmp_path, "m.keras", latent_dim=3)
    ctrl.model.latent_dim = 2
    _upload(view, data, "three.keras")
    assert view.problem == "" and view.checking
    gated["upload-1.keras"].set()
    wait(ctrl, lambda: not ctrl.state.checking_model, 60, "the check to end")
    assert "Cannot load three.keras" in view.problem and "latent_dim=2" in view.problem
    assert view.checking == "" and ctrl.state.loaded_model == "" and ctrl.state.can_start


def test_reset_drops_the_check(tab, gated, tmp_path, wait):
    ctrl, view = tab
    _upload(view, _model_bytes(ctrl, tmp_path, "m.keras"), "late.keras")
    ctrl.param.trigger("reset")
    assert ctrl.state.checking_model == "" and view.checking == "" and ctrl.state.can_start
    gated["upload-1.keras"].set()
    _poll_for(ctrl, 5)
    assert ctrl.state.loaded_model == "" and ctrl.session is None


def test_start_after_a_settings_change_checks_the_file_again_off_the_loop(tab, gated,
                                                                          tmp_path, wait):
    ctrl, view = tab
    _upload(view, _model_bytes(ctrl, tmp_path, "m.keras"), "good.keras")
    gated["upload-1.keras"].set()
    wait(ctrl, lambda: not ctrl.state.checking_model, 60, "the first check")
    loaded = ctrl.session
    gated["upload-1.keras"].clear()  # the second check is slow, as a large file's would be
    epochs = ctrl.train.epochs + 1
    ctrl.train.epochs = epochs       # a setting changed after the load: a new session
    t0 = time.perf_counter()
    ctrl.param.trigger("start")
    took = time.perf_counter() - t0
    assert took < 2, f"Start held the event loop {took:.1f} s"
    assert ctrl.state.checking_model == "good.keras" and not ctrl.state.can_start
    gated["upload-1.keras"].set()
    wait(ctrl, lambda: ctrl.session not in (None, loaded) and ctrl.session.is_alive(), 60,
         "the run from the file, with the new settings")
    s = ctrl.session
    assert ctrl.state.loaded_model == "good.keras" and s.n_epochs == epochs
    assert s.snapshot_loaded  # its weights are the file's until its first epoch ends
    assert ctrl.runs.get(ctrl.state.run_id).config["loaded_from"] == "good.keras"
