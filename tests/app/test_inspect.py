"""Tap, selection, latent grid and probes on a real tiny run (no server, no browser)."""
from __future__ import annotations

import numpy as np
import pytest

from app.tab.controller import Controller
from app.cards.inspector import Inspector
from app.cards.prober import Prober
from app.server.runs import RunRegistry
from tsvae_core.config import make_configs

from apptools import TINY, wait_for, waiting_in_pause  # noqa: E402  (tests/app is on sys.path)


@pytest.fixture(scope="module")
def trained():
    """Runs paused after epoch 2, one per distinct settings, shared by this module's tests
    (dense_vae: the quickest to build; the browser tests use the default model)."""
    made = {}

    def run(**overrides):
        key = tuple(sorted(overrides.items()))
        if key in made:
            return made[key]
        ctrl = Controller(*make_configs("quick", **{**TINY, "architecture": "dense_vae",
                                                    **overrides}), tab=f"ins{len(made)}",
                          registry=RunRegistry(max_runs=2))
        ins, prober = Inspector(ctrl), Prober(ctrl)
        ctrl.param.trigger("start")
        wait_for(ctrl, lambda: ctrl.state.epoch >= 2, 120, "epoch 2")
        ctrl.param.trigger("pause")
        # settled: the training thread waits for Resume (so the snapshot can no longer
        # change) and an epoch that ended as Pause came has reached the page, so the plots
        # and probe markers show the weights the snapshot holds
        wait_for(ctrl, lambda: ctrl.state.status == "paused" and waiting_in_pause(ctrl.session)
                 and ctrl.state.epoch == ctrl.session.snapshot_epoch, 120, "paused and settled")
        made[key] = ctrl, ins, prober
        return made[key]

    yield run
    for ctrl, _, _ in made.values():
        s = ctrl.session
        ctrl.shutdown()
        if s is not None:
            s.join(30)


def test_tap_on_a_point_shows_its_window_and_elsewhere_decodes(trained):
    ctrl, ins, _ = trained(epochs=50)
    xy, labels = ctrl.streams.latent_pipe.data["xy"], ctrl.streams.latent_pipe.data["labels"]
    ins.tap.event(x=float(xy[3, 0]), y=float(xy[3, 1]))
    s = ctrl.session
    assert ins.picked.startswith(f"**Validation window {s.subset[3]}**")
    shown = ins.window_pipe.data
    assert shown["kind"] == "window"
    np.testing.assert_array_equal(shown["inputs"], s.dataset.x_val[s.subset[3]])
    assert shown["outputs"].shape == shown["inputs"].shape
    assert ("noise" if labels[3] < 0 else f"pattern {labels[3]}") in ins.picked

    far = xy.max(axis=0) + np.ptp(xy, axis=0)  # no point there
    ins.tap.event(x=float(far[0]), y=float(far[1]))
    assert ins.picked.startswith("**Decoded**")
    assert ins.window_pipe.data["kind"] == "decoded"
    expected = s.decode(far[None])[0]
    np.testing.assert_allclose(ins.window_pipe.data["outputs"], expected, atol=1e-6)


def test_selection_counts_windows_per_label(trained):
    ctrl, ins, _ = trained(epochs=50)
    labels = ctrl.streams.latent_pipe.data["labels"]
    ins.selection.event(index=[0, 1, 2, 3])
    counts = {lab: int((labels[:4] == lab).sum()) for lab in set(labels[:4].tolist())}
    assert ins.selected.startswith("**4 windows selected**")
    for lab, n in counts.items():
        assert f"{'noise' if lab < 0 else f'pattern {lab}'}: {n}" in ins.selected
    ins.selection.event(index=[])
    assert ins.selected == ""


def test_latent_grid_decodes_a_regular_grid_for_2d_latents_only(trained):
    ctrl, ins, _ = trained(epochs=50)
    ins.param.update(grid_size=3, grid_channel=ctrl.session.dataset.channel_names[-1],
                     grid_on=True)
    grid = ins.grid_pipe.data
    assert grid["windows"].shape == (9, ctrl.data.seq_len) and grid["channel"] == "time"
    np.testing.assert_allclose(grid["windows"][4],
                               ctrl.session.decode(grid["centers"][4:5])[0, :, -1], atol=1e-6)
    ctrl3, ins3, _ = trained(epochs=50, latent_dim=3)
    ins3.grid_on = True
    assert ins3.grid_pipe.data is None and "needs a 2-D latent" in ins3.grid_note


def test_probes_follow_the_epochs_and_the_roll_slider(trained):
    ctrl, _, prober = trained(epochs=50)
    # all markers from the snapshot's weights (an epoch event's could predate an epoch
    # that ended as Pause came)
    prober.config.roll_fraction = 0.5
    prober.config.roll_fraction = 0.4
    first = prober.pipe.data
    assert first["names"] == ["new", "outlier", "rolled"] and first["xy"].shape == (3, 2)
    assert np.isfinite(first["xy"]).all()
    prober.config.roll_fraction = 0.9
    moved = prober.pipe.data
    np.testing.assert_allclose(moved["xy"][:2], first["xy"][:2])  # same epoch, same windows
    assert not np.allclose(moved["xy"][2], first["xy"][2])
    prober.config.param.update(new_low_hz=20.0, new_high_hz=10.0)  # low above high
    assert "new_low_hz" in prober.message
    prober.config.param.update(new_low_hz=2.0, new_high_hz=15.0, roll_fraction=0.4)
    assert prober.message == ""
    np.testing.assert_allclose(prober.pipe.data["xy"], first["xy"])


def test_a_loaded_model_is_drawn_inspected_and_probed_before_training(trained, tmp_path, wait):
    ctrl, _, _ = trained(epochs=50)
    path = tmp_path / "saved.keras"
    ctrl.session.save(path)
    fresh = Controller(*make_configs("quick", **{**TINY, "architecture": "dense_vae",
                                                 "epochs": 50}),
                       tab="loaded", registry=RunRegistry(max_runs=2))
    try:
        ins, prober = Inspector(fresh), Prober(fresh)
        wait(fresh, lambda: fresh.streams.preview.dataset is not None, 120, "the preview data")
        fresh.load_model(str(path), "saved.keras")
        wait(fresh, lambda: not fresh.state.checking_model, 60, "the model check")
        assert fresh.state.error == "" and fresh.state.loaded_model == "saved.keras"
        assert fresh.streams.last_epoch is not None and fresh.streams.last_epoch.epoch == 0
        xy = fresh.streams.latent_pipe.data["xy"]
        assert len(xy) == fresh.state.n_val
        # the same weights give the same latent points as the saved run's snapshot
        np.testing.assert_allclose(fresh.streams.last_epoch.z_mean,
                                   ctrl.session.encode(fresh.session.dataset.x_val[
                                       fresh.session.subset]), atol=1e-5)
        assert prober.pipe.data is not None and prober.pipe.data["xy"].shape == (3, 2)
        ins.tap.event(x=float(xy[0, 0]), y=float(xy[0, 1]))
        assert ins.picked.startswith("**Validation window")
        assert fresh.state.status == "idle" and fresh.state.can_start
    finally:
        fresh.shutdown()
