"""A running session's controls (pause, resume, stop, step, learning rate) and its
snapshot (encode, decode, reconstruct) while fit runs."""
import time

import numpy as np
import pytest

from tsvae_core import events as ev
from tsvae_core.session.training import TrainingSession

from .session_tools import batches_of, collect, epochs_of, wait_parked
from .tiny import QUICK_BUILD, tiny_configs, waiting_in_pause


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


def test_stop_right_after_start_is_honoured_before_training():
    s = TrainingSession(*tiny_configs(epochs=3))
    s.start()
    s.stop()  # lands during data or model build, before any batch
    s.join(60)
    assert not s.is_alive() and s.status == ev.STOPPED
    assert s.epoch == 0 and not any(isinstance(e, ev.BatchProgress) for e in s.drain())


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
