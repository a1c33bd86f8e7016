"""The default model trains in a TrainingSession: a finished run's losses, latent and events;
seeding; settings refused before any thread."""
import math

import numpy as np
import pytest

from tsvae_core import events as ev
from tsvae_core.session.training import TrainingSession

from .session_tools import batches_of, collect, epochs_of
from .tiny import QUICK_BUILD, tiny_configs


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


def test_same_seed_gives_same_first_epoch_losses():
    # seeding is the session's (data, weights, sampling, shuffling), not a family's:
    # dense_vae traces in about a second, the default model in 5-13 s per run
    def first_epoch():
        s = TrainingSession(*tiny_configs(epochs=1, **QUICK_BUILD))
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


def test_large_set_path_feeds_batches_and_trains(monkeypatch):
    from tsvae_core.session import training
    monkeypatch.setattr(training, "BATCH_FEED_BYTES", 0)  # take the large-set path here
    s = TrainingSession(*tiny_configs(epochs=3, **QUICK_BUILD))
    s.start()
    seen = collect(s, lambda _: not s.is_alive())
    losses = [e.logs["loss"] for e in epochs_of(seen)]
    assert s.status == ev.FINISHED and len(losses) == 3 and losses[-1] < losses[0]
    assert "val_loss" in epochs_of(seen)[-1].logs


# ---- inspection during training: snapshot model, probes ----


def test_running_session_says_what_it_does_before_the_first_batch(finished_run):
    """Data, model, batches, compile, then training: the page is never silent before
    epoch 1."""
    from tsvae_core.session.control import PHASE_MESSAGES
    _, seen = finished_run
    said = [e.message for e in seen if isinstance(e, ev.StatusChanged) and e.status == ev.RUNNING]
    assert said[-5:] == [PHASE_MESSAGES[p] for p in ("data", "build", "prepare", "compile",
                                                      "train")], said
    first_batch = next(i for i, e in enumerate(seen) if isinstance(e, ev.BatchProgress))
    compiling = next(i for i, e in enumerate(seen) if isinstance(e, ev.StatusChanged)
                     and e.message == PHASE_MESSAGES["compile"])
    assert compiling < first_batch
