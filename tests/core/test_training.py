import math
import time

import numpy as np
import pytest

from tsvae_core import events as ev
from tsvae_core.training import TrainingSession

from .tiny import QUICK_BUILD, tiny_configs, waiting_in_pause


def collect(session, until, timeout=120.0):
    """Drain events until ``until(all_events)`` is true; fail after ``timeout`` s."""
    seen, t0 = [], time.monotonic()
    while time.monotonic() - t0 < timeout:
        seen += session.drain()
        if until(seen):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"timed out; status {session.status}: {session.message}")


def wait_parked(session, timeout=120.0):
    """Until the paused thread waits for Resume (what was in flight has reported)."""
    t0 = time.monotonic()
    while not waiting_in_pause(session):
        assert time.monotonic() - t0 < timeout, f"not parked: {session.status} {session.message}"
        assert session.is_alive(), f"thread ended: {session.status} {session.message}"
        time.sleep(0.02)


def epochs_of(seen):
    return [e for e in seen if isinstance(e, ev.EpochEnd)]


def batches_of(seen):
    return [e for e in seen if isinstance(e, ev.BatchProgress)]


@pytest.fixture(scope="module")
def finished_run():
    s = TrainingSession(*tiny_configs(epochs=8, jit_compile="on"))  # XLA: keeps the compiled path covered
    s.start()
    # generous: the XLA compile alone took over 100 s on a loaded 2-core machine
    seen = collect(s, lambda _: s.status in ev.ENDED and not s.is_alive(), timeout=900)
    seen += s.drain()
    return s, seen


def test_loss_falls_and_run_finishes(finished_run):
    s, seen = finished_run
    assert s.status == ev.FINISHED, s.message
    losses = [e.logs["loss"] for e in epochs_of(seen)]
    assert len(losses) == 8
    assert losses[-1] < 0.8 * losses[0]
    assert s.device == "CPU"


def test_latent_separates_easy_patterns(finished_run):
    """The default architecture learns: k-NN well above chance, KL alive, reconstruction
    below predicting the mean window (a collapsed model sits at 1.0x of it or above)."""
    s, seen = finished_run
    last = epochs_of(seen)[-1]
    # Chance is 1/3 with three patterns; a collapsed model scores 0.33 +- 0.06 on these
    # 71 points. One epoch's figure moves by +-0.05 with the arithmetic's order alone
    # (epochs 6-8: 0.61 / 0.59 / 0.54 with one TensorFlow thread, 0.61 / 0.57 / 0.56 with
    # two), so the floor is on the mean of the last three epochs.
    knn = [e.knn_accuracy for e in epochs_of(seen)[-3:]]
    assert sum(knn) / 3 >= 0.5, knn
    assert last.z_mean.shape == (len(last.labels), 2)
    assert last.logs["val_kl_loss"] > 0.5                        # not collapsed
    x = s.dataset.x_val
    plateau = ((x - x.mean(axis=0)) ** 2).mean(axis=-1).sum(axis=-1).mean()
    assert last.logs["val_reconstruction_loss"] < 0.95 * plateau  # measured 0.91x


def test_epoch_event_carries_arrays_and_metrics(finished_run):
    s, seen = finished_run
    e = epochs_of(seen)[0]
    assert set(e.logs) >= {"loss", "reconstruction_loss", "kl_loss", "val_loss",
                           "val_reconstruction_loss", "val_kl_loss"}
    n_val = len(s.dataset.x_val)
    assert len(e.labels) == n_val  # default subset: all validation windows (below the cap)
    np.testing.assert_array_equal(e.labels, s.dataset.y_val)
    assert e.recon_inputs.shape == e.recon_outputs.shape == (1, 16, 3)
    assert e.epoch_seconds > 0 and math.isfinite(e.silhouette)
    progress = batches_of(seen)
    assert progress and progress[-1].n_batches == math.ceil(len(s.dataset.x_train) / 32)
    assert all(p.samples_per_s > 0 for p in progress)


def test_subset_size_is_configurable():
    s = TrainingSession(*tiny_configs(epochs=1, latent_subset=50, **QUICK_BUILD))
    s.start()
    seen = collect(s, lambda seen: epochs_of(seen))
    assert epochs_of(seen)[0].z_mean.shape == (50, 2)
    s.stop()
    s.join(60)


def test_pause_stops_batches_until_resume_then_stop_is_quick():
    # one long epoch so that pause and stop happen mid-epoch
    s = TrainingSession(*tiny_configs(epochs=2, repeats=400, batch_size=16, **QUICK_BUILD))
    s.start()
    collect(s, lambda seen: len(batches_of(seen)) >= 3)
    s.pause()
    wait_parked(s)  # the batch in flight has reported; the thread waits for Resume
    s.drain()
    time.sleep(0.5)  # a window to see nothing happen in (no race: the thread is parked)
    assert batches_of(s.drain()) == []
    assert s.status == ev.PAUSED and waiting_in_pause(s)
    s.resume()
    collect(s, lambda seen: len(batches_of(seen)) >= 2)
    assert s.status == ev.RUNNING and s.epoch == 0  # still inside epoch 1
    s.stop()
    s.join(60)  # how fast: benchmarks/bench_stop.py; here: it lands within the epoch
    assert not s.is_alive()
    assert s.status == ev.STOPPED and s.epoch == 0


def test_stop_while_paused_ends_the_thread():
    s = TrainingSession(*tiny_configs(epochs=3, repeats=200, **QUICK_BUILD))
    s.start()
    collect(s, lambda seen: len(batches_of(seen)) >= 2)
    s.pause()
    wait_parked(s)
    s.stop()
    s.join(60)
    assert not s.is_alive() and s.status == ev.STOPPED


def test_step_runs_exactly_one_epoch_each_time():
    s = TrainingSession(*tiny_configs(epochs=5, **QUICK_BUILD))
    s.step()  # from idle: start, train epoch 1, pause
    collect(s, lambda seen: s.status == ev.PAUSED and epochs_of(seen))
    wait_parked(s)  # nothing more can happen until the next step or resume
    assert s.epoch == 1 and s.status == ev.PAUSED
    s.step()
    collect(s, lambda seen: epochs_of(seen) and s.status == ev.PAUSED)
    wait_parked(s)
    assert s.epoch == 2
    s.resume()
    collect(s, lambda _: not s.is_alive(), timeout=180)
    assert s.status == ev.FINISHED and s.epoch == 5


def test_huge_learning_rate_fails_with_a_message():
    s = TrainingSession(*tiny_configs(learning_rate=1e4, optimizer="sgd", epochs=3,
                                      **QUICK_BUILD))
    s.start()
    collect(s, lambda _: not s.is_alive())
    assert s.status == ev.FAILED
    assert "loss became nan" in s.message.lower() or "loss became inf" in s.message.lower()
    assert "learning rate" in s.message


def test_learning_rate_change_applies_to_a_running_session():
    s = TrainingSession(*tiny_configs(epochs=3, repeats=200, **QUICK_BUILD))
    s.start()
    collect(s, lambda seen: len(batches_of(seen)) >= 2)
    s.set_learning_rate(1e-5)
    collect(s, lambda seen: len(batches_of(seen)) >= 2)
    lr = float(np.asarray(s.model.optimizer.learning_rate))
    s.stop()
    s.join(60)
    assert lr == pytest.approx(1e-5)
    with pytest.raises(ValueError, match="learning_rate"):
        s.set_learning_rate(-1.0)


def test_same_seed_gives_same_first_epoch_losses():
    def first_epoch():
        s = TrainingSession(*tiny_configs(epochs=1))
        s.start()
        seen = collect(s, lambda seen: epochs_of(seen) and not s.is_alive())
        return epochs_of(seen)[0].logs["loss"]
    assert first_epoch() == pytest.approx(first_epoch(), rel=1e-5)


def test_invalid_configuration_is_refused_before_any_thread():
    with pytest.raises(ValueError, match="batch_size"):
        TrainingSession(*tiny_configs(batch_size=10_000))


def test_jit_choice_maps_to_keras():
    from tsvae_core.device import resolve_jit
    assert resolve_jit("auto") == "auto"
    assert resolve_jit("off") is False and resolve_jit("on") is True


def test_stop_right_after_start_is_honoured_before_training():
    s = TrainingSession(*tiny_configs(epochs=3))
    s.start()
    s.stop()  # lands during data or model build, before any batch
    s.join(60)
    assert not s.is_alive() and s.status == ev.STOPPED
    assert s.epoch == 0 and not any(isinstance(e, ev.BatchProgress) for e in s.drain())


def test_large_set_path_feeds_batches_and_trains(monkeypatch):
    from tsvae_core import training
    monkeypatch.setattr(training, "BATCH_FEED_BYTES", 0)  # take the large-set path here
    s = TrainingSession(*tiny_configs(epochs=3, **QUICK_BUILD))
    s.start()
    seen = collect(s, lambda _: not s.is_alive())
    losses = [e.logs["loss"] for e in epochs_of(seen)]
    assert s.status == ev.FINISHED and len(losses) == 3 and losses[-1] < losses[0]
    assert "val_loss" in epochs_of(seen)[-1].logs


# ---- inspection during training: snapshot model, probes ----
def test_encode_decode_reconstruct_work_while_running_and_after():
    from tsvae_core.data import generate
    from tsvae_core.probes import ProbeConfig, make_probes
    d, m, t = tiny_configs(epochs=50, repeats=200, **QUICK_BUILD)  # any family's snapshot
    ds = generate(d)
    s = TrainingSession(d, m, t, dataset=ds)
    with pytest.raises(RuntimeError, match="finished epoch"):
        s.encode(ds.x_val[:2])
    probes = make_probes(d, ProbeConfig(), ds)
    s.set_probes(probes)
    s.start()
    seen = collect(s, lambda seen: epochs_of(seen))
    x = ds.x_val[:5]
    z = s.encode(x)
    windows = s.decode(z)
    inputs, outputs = s.reconstruct([1, 2, 3])
    assert s.status == ev.RUNNING and s.is_alive()  # all of it while fit goes on
    assert z.shape == (5, 2) and windows.shape == (5, 16, 3)
    np.testing.assert_array_equal(inputs, ds.x_val[[1, 2, 3]])
    assert outputs.shape == (3, 16, 3) and np.isfinite(outputs).all()
    first = epochs_of(seen)[0]
    assert set(first.probe_latent) == {"new", "outlier", "rolled"}
    assert all(p.shape == (2,) and np.isfinite(p).all() for p in first.probe_latent.values())
    # a stack of windows gives a stack of points; the new set applies from the next epoch
    s.set_probes({"stack": np.stack([probes["new"], probes["outlier"]])})
    n_before = len(epochs_of(seen))
    seen += collect(s, lambda more: len(epochs_of(more)) >= 2)
    assert epochs_of(seen)[-1].probe_latent["stack"].shape == (2, 2)
    s.pause()
    assert s.encode(x).shape == (5, 2)               # while paused
    s.stop()
    s.join(10)
    assert not s.is_alive() and s.status == ev.STOPPED and len(epochs_of(seen)) > n_before
    seen += s.drain()
    last = epochs_of(seen)[-1]
    # after the run: the snapshot holds the last reported epoch's weights
    assert s.snapshot_epoch == last.epoch
    np.testing.assert_allclose(s.encode(ds.x_val[s.subset]), last.z_mean, rtol=1e-5, atol=1e-6)
    stack = np.stack([probes["new"], probes["outlier"]])
    np.testing.assert_allclose(s.encode(stack), last.probe_latent["stack"], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"probe 'bad': windows must have shape \(n, 16, 3\)"):
        s.set_probes({"bad": np.zeros((16, 5))})
    with pytest.raises(ValueError, match=r"decode: z must have shape \(n, 2\)"):
        s.decode(np.zeros((3, 4)))


def test_decode_of_the_code_matches_reconstruct_with_time_bypass():
    # a deterministic autoencoder: decode(encode(x), time value) is its reconstruction
    s = TrainingSession(*tiny_configs(architecture="autoencoder", time_bypass=True, epochs=1))
    s.start()
    s.join(120)
    assert s.status == ev.FINISHED, s.message
    x = s.dataset.x_val[:4]
    z = s.encode(x)
    np.testing.assert_allclose(s.decode(z, time_value=x[:, -1, -1]), s.reconstruct([0, 1, 2, 3])[1],
                               rtol=1e-4, atol=1e-5)
    # default time value: the reconstruction view's window (index 2 here)
    s.set_recon_indices([2])
    np.testing.assert_allclose(s.decode(z[2]), s.reconstruct([2])[1], rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="time_value"):
        s._snapshot.decode(z)


def test_vq_vae_refuses_to_decode_a_point():
    from tsvae_core.models import build_model
    d, m, _ = tiny_configs(architecture="vq_vae")
    model = build_model(d, m)
    with pytest.raises(ValueError, match="not available for vq_vae"):
        model.decode(np.zeros((1, 2)))


# ---- save and continue ----
def run_to_end(session, timeout=180):
    session.start()
    seen = collect(session, lambda _: not session.is_alive(), timeout)
    seen += session.drain()
    assert session.status == ev.FINISHED, session.message
    return [e.logs["loss"] for e in epochs_of(seen)]


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    """A finished 2-epoch run of the default model and its file (the tests only read them)."""
    path = tmp_path_factory.mktemp("saved") / "run.keras"
    first = TrainingSession(*tiny_configs(epochs=2))
    losses = run_to_end(first)
    first.save(path)
    return first, losses, path


def test_save_then_continue_from_the_file(saved_run, tmp_path):
    with pytest.raises(RuntimeError, match="save needs"):
        TrainingSession(*tiny_configs(epochs=2)).save(tmp_path / "early.keras")
    first, losses, path = saved_run
    continued = run_to_end(TrainingSession(*tiny_configs(epochs=1), initial_model=path))
    fresh, last, cont = losses[0], losses[1], continued[0]
    # measured on the tiny set: fresh 1.457, last 0.894, continued 0.859
    assert abs(cont - last) < 0.25 * abs(fresh - last), (fresh, last, cont)


def test_initial_model_that_does_not_fit_is_refused(tmp_path):
    import keras
    from tsvae_core.models import build_model
    d, m, t = tiny_configs()
    path = tmp_path / "m.keras"
    model = build_model(d, m)
    model.build((None, 16, 3))
    model.save(path)
    with pytest.raises(ValueError, match=r"seq_len=32.*\(32, 3\)"):
        TrainingSession(*tiny_configs(seq_len=32), initial_model=path)
    with pytest.raises(ValueError, match=r"ModelConfig.latent_dim=3"):
        TrainingSession(*tiny_configs(latent_dim=3), initial_model=keras.saving.load_model(path))
    with pytest.raises(ValueError, match=r"ModelConfig.architecture='dense_vae'"):
        TrainingSession(*tiny_configs(architecture="dense_vae"), initial_model=model)
    # same shapes outside, other sizes inside: refused at once, naming the weight
    with pytest.raises(ValueError, match=r"does not fit this ModelConfig: weight 0 .*"
                                         r"\(3, 3, 8\) in the file, \(3, 3, 4\) with these"):
        TrainingSession(*tiny_configs(conv_filters=4), initial_model=model)
    # the same weight shapes, another kind of layer: the original's gate is refused too
    with pytest.raises(ValueError, match=r"layer encoder/enc_att0_gate is a ResidualGate in "
                                         r"the file, a Multiply with these settings"):
        TrainingSession(*tiny_configs(attention_gate="multiply"), initial_model=model)


def test_a_loaded_model_encodes_and_decodes_before_any_epoch(saved_run, tmp_path):
    first, _, path = saved_run
    x = first.dataset.x_val[:4]
    loaded = TrainingSession(*tiny_configs(epochs=1), dataset=first.dataset, initial_model=path)
    assert loaded.snapshot_loaded and loaded.snapshot_ready and loaded.snapshot_epoch == 0
    np.testing.assert_allclose(loaded.encode(x), first.encode(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loaded.reconstruct([0, 1])[1], first.reconstruct([0, 1])[1],
                               rtol=1e-5, atol=1e-6)
    assert loaded.decode(first.encode(x)).shape == x.shape
    loaded.save(tmp_path / "again.keras")  # before training too
    # training goes on from it; the snapshot then follows the epochs as usual
    run_to_end(loaded)
    assert loaded.snapshot_epoch == 1
    assert not np.allclose(loaded.encode(x), first.encode(x), atol=1e-6)
    # a model object is not the snapshot (its weights stay its owner's)
    other = TrainingSession(*tiny_configs(epochs=1), initial_model=loaded._snapshot)
    assert not other.snapshot_ready


def test_running_session_says_what_it_does_before_the_first_batch(finished_run):
    """Data, model, batches, compile, then training: the page is never silent before
    epoch 1."""
    from tsvae_core.training import PHASE_MESSAGES
    _, seen = finished_run
    said = [e.message for e in seen if isinstance(e, ev.StatusChanged) and e.status == ev.RUNNING]
    assert said[-5:] == [PHASE_MESSAGES[p] for p in ("data", "build", "prepare", "compile",
                                                      "train")], said
    first_batch = next(i for i, e in enumerate(seen) if isinstance(e, ev.BatchProgress))
    compiling = next(i for i, e in enumerate(seen) if isinstance(e, ev.StatusChanged)
                     and e.message == PHASE_MESSAGES["compile"])
    assert compiling < first_batch
