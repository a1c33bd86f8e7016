"""Continuing from a saved model: a file that does not fit the settings is refused at once."""
import pytest

from tsvae_core import events as ev
from tsvae_core.session.training import TrainingSession

from .tiny import tiny_configs


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    s = TrainingSession(*tiny_configs(architecture="dense_vae", epochs=1))
    s.start()
    s.join(120)
    assert s.status == ev.FINISHED, s.message
    path = tmp_path_factory.mktemp("saved") / "dense.keras"
    s.save(path)
    return path


def test_other_layer_sizes_are_refused_when_the_session_is_made(saved):
    with pytest.raises(ValueError, match=r"initial_model does not fit this ModelConfig: weight "
                                         r"\d+ .* in the file, .* with these settings"):
        TrainingSession(*tiny_configs(architecture="dense_vae", hidden_units=32),
                        initial_model=saved)


def test_matching_settings_load_and_the_model_is_ready_at_once(saved):
    s = TrainingSession(*tiny_configs(architecture="dense_vae"), initial_model=saved)
    assert s.snapshot_ready and s.family.__name__ == "VAE"
