"""The controller drives a real TrainingSession on a tiny config; no server, no browser.

``ctrl.param.trigger(action)`` is exactly what the page's buttons do; ``poll()`` is what
the page's periodic callback does.
"""
from __future__ import annotations

import time

import numpy as np
import pytest

from app.tab.controller import Controller
from app.server.runs import RunRegistry
from tsvae_core import events as ev
from tsvae_core.config import PRESETS

from apptools import QUICK_BUILD, waiting_in_pause  # noqa: E402  (tests/app is on sys.path)


@pytest.fixture
def make_ctrl(tiny_configs):
    made = []

    def make(registry=None, **overrides):
        ctrl = Controller(*tiny_configs(**{**QUICK_BUILD, **overrides}), tab=f"test{len(made)}",
                          registry=registry or RunRegistry(max_runs=2))
        made.append(ctrl)
        return ctrl

    yield make
    for ctrl in made:  # never leave a training thread behind
        s = ctrl.session
        ctrl.shutdown()
        if s is not None:
            s.join(30)


def test_before_start_the_preview_and_buttons_are_ready(make_ctrl, wait):
    ctrl = make_ctrl()
    wait(ctrl, lambda: ctrl.streams.preview_pipe.data is not None, 120, "the data preview")
    preview = ctrl.streams.preview_pipe.data
    assert preview["series"].shape == (3 * 16 * 6 + 50, 3)  # rows, 2 signals + time
    assert preview["channel_names"][-1] == "time"
    assert ctrl.state.n_val == ctrl.data.n_windows() - ctrl.data.n_train()
    # the chosen window's input is shown before training, without a reconstruction
    assert ctrl.streams.recon_pipe.data["outputs"] is None
    assert (ctrl.state.can_start, ctrl.state.can_step, ctrl.state.can_pause, ctrl.state.can_stop) == (
        True, True, False, False)


def test_start_pause_resume_stop(make_ctrl, wait):
    ctrl = make_ctrl(epochs=500)
    ctrl.param.trigger("start")
    assert ctrl.state.status == ev.RUNNING
    assert (ctrl.state.can_start, ctrl.state.can_pause, ctrl.state.can_stop, ctrl.state.can_step) == (
        False, True, True, False)
    wait(ctrl, lambda: ctrl.state.epoch >= 2, 90, "two epochs")
    n_val = ctrl.data.n_windows() - ctrl.data.n_train()
    latent = ctrl.streams.latent_pipe.data
    assert latent["xy"].shape == (n_val, 2) and len(latent["labels"]) == n_val
    assert len(ctrl.streams.loss_buffer.data) == ctrl.state.epoch
    assert ctrl.streams.recon_pipe.data["outputs"].shape == (16, 3)
    assert ctrl.state.device == "CPU" and ctrl.state.samples_per_s > 0

    ctrl.param.trigger("pause")
    # the batch in flight has reported and the thread waits for Resume
    wait(ctrl, lambda: ctrl.state.status == ev.PAUSED and waiting_in_pause(ctrl.session), 60,
         "paused, the thread waiting")
    ctrl.poll()
    frozen = (ctrl.state.epoch, ctrl.state.batch)
    time.sleep(0.5)  # a window to see nothing happen in (no race: the thread is parked)
    ctrl.poll()
    assert (ctrl.state.epoch, ctrl.state.batch) == frozen
    assert ctrl.state.can_start is False and ctrl.state.can_step is True

    ctrl.param.trigger("pause")  # the same button resumes
    assert ctrl.state.status == ev.RUNNING
    wait(ctrl, lambda: ctrl.state.epoch > frozen[0], 120, "training to go on after resume")

    ctrl.param.trigger("stop")  # how fast: benchmarks/bench_stop.py
    wait(ctrl, lambda: ctrl.state.status == ev.STOPPED, 60, "stopped")
    ctrl.session.join(60)
    assert not ctrl.session.is_alive()
    assert (ctrl.state.can_start, ctrl.state.can_pause, ctrl.state.can_stop) == (True, False, False)


def test_pending_changes_apply_at_reset_and_start(make_ctrl, wait):
    ctrl = make_ctrl(epochs=500)
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.epoch >= 1, 90, "first epoch")
    first = ctrl.session

    ctrl.train.learning_rate = 1e-3          # live: not pending, reaches the session
    ctrl.model.latent_dim = 3
    ctrl.model.time_bypass = True
    assert ctrl.state.pending == ["latent_dim", "time_bypass"]
    assert first.train.learning_rate == 1e-3
    assert first.model_cfg.latent_dim == 2    # the run keeps what it was built with

    ctrl.param.trigger("reset")
    assert ctrl.session is None and ctrl.state.pending == [] and ctrl.state.status == ev.IDLE
    assert len(ctrl.streams.loss_buffer.data) == 0 and len(ctrl.streams.latent_pipe.data["xy"]) == 0
    first.join(10)
    assert not first.is_alive()

    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.epoch >= 1, 90, "first epoch of the rebuilt run")
    assert ctrl.session.model_cfg.latent_dim == 3 and ctrl.session.model_cfg.time_bypass
    assert ctrl.state.latent_note == "PCA projection of 3-D z_mean (first two components)"
    assert ctrl.streams.latent_pipe.data["xy"].shape[1] == 2
    assert ctrl.state.pending == []


def test_invalid_settings_show_an_error_and_block_start(make_ctrl):
    ctrl = make_ctrl()
    ctrl.model.architecture = "conv_vae"      # strided: halves the window scale_steps times
    ctrl.data.seq_len = 18                    # not divisible by 2**scale_steps = 4
    assert ctrl.state.error.startswith("Invalid settings") and "scale_steps" in ctrl.state.error
    assert ctrl.state.can_start is False and ctrl.state.can_reset is False
    ctrl.param.trigger("start")
    assert ctrl.session is None
    ctrl.data.seq_len = 16
    assert ctrl.state.error == "" and ctrl.state.can_start is True


def test_preset_loads_its_values_into_the_widgets(make_ctrl):
    ctrl = make_ctrl()
    ctrl.state.preset = "paper"
    assert (ctrl.data.n_patterns, ctrl.data.seq_len, ctrl.train.epochs) == (30, 128, 400)
    assert (ctrl.model.attention_gate, ctrl.model.batchnorm_stats) == ("multiply", "fixed")
    ctrl.state.preset = "paper-stable"                 # every field comes from the new preset
    assert (ctrl.model.attention_gate, ctrl.model.batchnorm_stats) == ("residual", "batch")
    ctrl.state.preset = "quick"
    quick = PRESETS["quick"]
    assert (ctrl.data.n_patterns, ctrl.data.seq_len, ctrl.train.batch_size) == (
        quick["n_patterns"], quick["seq_len"], quick["batch_size"])


def test_server_limit_answers_busy(make_ctrl, wait):
    registry = RunRegistry(max_runs=1)
    a, b = make_ctrl(registry=registry, epochs=500), make_ctrl(registry=registry, epochs=500)
    a.param.trigger("start")
    b.param.trigger("start")
    assert a.state.status == ev.RUNNING
    assert b.state.notice.startswith("busy, 1 runs active") and b.state.status == ev.IDLE
    assert registry.active() == 1
    wait(a, lambda: a.state.epoch >= 1, 90, "the first run to train")
    a.param.trigger("stop")
    wait(a, lambda: not a.session.is_alive(), 60, "the first run's thread to end")
    b.param.trigger("start")
    assert b.state.status == ev.RUNNING and b.state.notice == ""
    snap = registry.snapshot()
    assert [r["alive"] for r in snap["runs"]] == [False, True]


def test_step_trains_exactly_one_epoch(make_ctrl, wait):
    ctrl = make_ctrl(epochs=500)
    ctrl.param.trigger("step")
    wait(ctrl, lambda: ctrl.state.status == ev.PAUSED and ctrl.state.epoch == 1, 90, "one stepped epoch")
    wait(ctrl, lambda: waiting_in_pause(ctrl.session), 60, "the thread to wait")
    ctrl.poll()  # nothing more can come until the next step
    assert ctrl.state.epoch == 1
    ctrl.param.trigger("step")
    wait(ctrl, lambda: ctrl.state.status == ev.PAUSED and ctrl.state.epoch == 2, 120, "a second step")


def test_window_choice_reconstructs_while_paused(make_ctrl, wait):
    ctrl = make_ctrl(epochs=500)
    ctrl.param.trigger("step")
    wait(ctrl, lambda: ctrl.state.status == ev.PAUSED and ctrl.state.epoch == 1, 90, "one stepped epoch")
    ctrl.state.recon_index = 5
    data = ctrl.streams.recon_pipe.data
    assert data["index"] == 5
    np.testing.assert_allclose(data["inputs"], ctrl.session.dataset.x_val[5])
    assert data["outputs"].shape == data["inputs"].shape
    ctrl.param.trigger("random_window")
    assert 0 <= ctrl.state.recon_index < ctrl.state.n_val
    assert ctrl.state.param.recon_index.bounds == (0, ctrl.state.n_val - 1)


def test_shutdown_stops_the_thread_and_marks_the_tab(make_ctrl, wait):
    registry = RunRegistry(max_runs=2)
    ctrl = make_ctrl(registry=registry, epochs=500)
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.epoch >= 1, 90, "first epoch")
    session = ctrl.session
    ctrl.shutdown()
    session.join(60)
    assert not session.is_alive() and session.status == ev.STOPPED
    (run,) = registry.snapshot()["runs"]
    assert run["closed"] and not run["alive"]


def test_each_run_is_recorded_with_its_history(make_ctrl, wait):
    ctrl = make_ctrl(epochs=2)
    seen = []
    ctrl.streams.epoch_hooks.append(lambda e, s: seen.append((e.epoch, s)))
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.status == ev.FINISHED, 120, "the first run to finish")
    first = ctrl.state.run_id
    ctrl.model.latent_dim = 3
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.status == ev.FINISHED and ctrl.state.run_id != first, 120, "run 2")
    runs = ctrl.runs.list()
    assert [r.run_id for r in runs] == [first, ctrl.state.run_id]
    assert [len(r.history) for r in runs] == [2, 2]
    assert [r.status for r in runs] == [ev.FINISHED, ev.FINISHED]
    assert ctrl.runs.differences() == {"latent_dim"}
    assert [e for e, _ in seen] == [1, 2, 1, 2]


def test_choosing_a_window_while_training_shows_its_reconstruction_at_once(make_ctrl, wait):
    ctrl = make_ctrl(epochs=500)
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.epoch >= 1, 120, "epoch 1")
    assert ctrl.session.status == ev.RUNNING
    ctrl.state.recon_index = 2
    shown = ctrl.streams.recon_pipe.data
    assert shown["index"] == 2 and shown["outputs"] is not None
    np.testing.assert_array_equal(shown["inputs"], ctrl.session.dataset.x_val[2])


def test_start_after_a_refused_start_takes_the_settings_changed_since(make_ctrl, wait):
    ctrl = make_ctrl(epochs=2)
    ctrl.registry.max_runs = 0  # Start is refused before any run is prepared
    ctrl.param.trigger("start")
    assert ctrl.session is None and "busy" in ctrl.state.notice and not ctrl.runs.list()
    ctrl.model.latent_dim = 3
    ctrl.registry.max_runs = 2
    ctrl.param.trigger("start")
    assert ctrl.session.model_cfg.latent_dim == 3 and ctrl.state.notice == ""
    wait(ctrl, lambda: ctrl.state.status == ev.FINISHED, 120, "the run with the new settings")
