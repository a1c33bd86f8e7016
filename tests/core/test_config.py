import pytest

from tsvae_core import families
from tsvae_core.config import (PRESETS, DataConfig, ModelConfig, TrainConfig,
                               make_configs)
from tsvae_core.config_rules import validate


def test_paper_preset_is_the_original_defaults():
    d, m, t = make_configs("paper")
    assert (d.seed, d.n_patterns, d.repeats, d.seq_len, d.n_features, d.noise_size) == (
        85, 30, 10, 128, 7, 10_000)
    assert d.time_wavelengths == [1.0]
    assert (m.conv_filters, m.num_heads, m.key_dim, m.scale_steps, m.latent_dim) == (16, 4, 8, 4, 2)
    assert m.time_bypass is False and m.architecture == "conv_attention_gru"
    assert (t.optimizer, t.learning_rate, t.batch_size, t.epochs) == ("adamw", 1e-3, 256, 400)


def test_every_field_has_bounds_or_choices_and_a_doc():
    for cls in (DataConfig, ModelConfig, TrainConfig):
        for name, p in cls.param.objects("existing").items():
            if name == "name":
                continue
            assert p.doc, f"{cls.__name__}.{name} has no doc"
            # text fields (a file's path and column names) are checked when the file is read
            assert getattr(p, "bounds", None) or getattr(p, "objects", None) or \
                p.__class__.__name__ in ("Boolean", "String"), f"{cls.__name__}.{name} is unbounded"


@pytest.mark.parametrize("overrides, field", [
    (dict(seq_len=100, scale_steps=4), "scale_steps"),
    (dict(batch_size=50_000), "batch_size"),
    (dict(time_wavelengths=[0.0]), "time_wavelengths"),
    (dict(n_patterns=1, repeats=1, noise_size=0, seq_len=8, scale_steps=1), "repeats"),
])
def test_cross_field_rules_name_field_value_and_range(overrides, field):
    with pytest.raises(ValueError) as err:
        make_configs("quick", **overrides)
    text = str(err.value)
    assert field in text and str(overrides.get(field, "")) in text
    assert "allowed" in text or "must" in text or "needs" in text


def test_scale_steps_message_gives_allowed_range():
    with pytest.raises(ValueError, match=r"scale_steps=4: seq_len 100 .* allowed scale_steps .*1\.\.2"):
        make_configs("quick", seq_len=100, scale_steps=4)


def test_bounds_reject_out_of_range_values_naming_the_field():
    with pytest.raises(ValueError, match="latent_dim"):
        ModelConfig(latent_dim=0)
    with pytest.raises(ValueError, match="n_patterns"):
        DataConfig(n_patterns=0)


def test_unknown_preset_and_field_are_reported():
    with pytest.raises(ValueError, match="preset"):
        make_configs("nope")
    with pytest.raises(ValueError, match="unknown field 'latent'"):
        make_configs("quick", latent=3)


def test_presets_validate_and_architectures_are_the_registered_families():
    for name in PRESETS:
        validate(*make_configs(name))
    assert ModelConfig.param.architecture.objects == families.names()
    assert families.names()[0] == ModelConfig.architecture == families.DEFAULT
    with pytest.raises(ValueError, match="architecture='nope': allowed: autoencoder, beta_vae"):
        families.get("nope")


def test_data_too_large_for_memory_is_refused_naming_the_size():
    with pytest.raises(ValueError, match=r"DataConfig.repeats=200.*the windows would take "
                                         r"\d+\.\d GiB .*at most 2 GiB"):
        make_configs("paper", repeats=200)  # ~25 GiB of windows
    validate(*make_configs("paper"))  # 0.2 GiB: fine


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 0.0])
def test_time_wavelengths_must_be_finite_and_positive(bad):
    data, model, train = make_configs("quick")
    data.time_wavelengths = [1.0, bad]
    with pytest.raises(ValueError, match="time_wavelengths.*finite number > 0"):
        validate(data, model, train)
