"""A trained model saved to a .keras file, and sessions that start from one."""
import numpy as np
import pytest

from tsvae_core import events as ev
from tsvae_core.session.training import TrainingSession

from .session_tools import collect, epochs_of
from .tiny import tiny_configs


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
