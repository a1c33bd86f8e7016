import keras
import numpy as np
import pytest

from tsvae_core.config import ACTIVATIONS, OPTIMIZERS, make_configs
from tsvae_core.models import build_model
from tsvae_core.optimizers import make_optimizer

from .tiny import QUICK_BUILD, tiny_configs


def test_paper_parameter_counts_match_the_original():
    d, m, _ = make_configs("paper")
    vae = build_model(d, m)
    assert vae.encoder.count_params() == 10_828   # spec: about 10.8 k
    assert vae.decoder.count_params() == 80_824   # spec: about 80.8 k


@pytest.mark.parametrize("latent_dim", [1, 2, 8])
@pytest.mark.parametrize("time_bypass", [False, True])
def test_output_shape_equals_input_shape(latent_dim, time_bypass):
    d, m, _ = tiny_configs(latent_dim=latent_dim, time_bypass=time_bypass)
    vae = build_model(d, m)
    x = np.random.default_rng(0).random((5, d.seq_len, d.n_features + 1)).astype("float32")
    x_hat, z_mean, z_log_var = vae(x)
    assert tuple(x_hat.shape) == x.shape
    assert tuple(z_mean.shape) == (5, latent_dim) == tuple(z_log_var.shape)
    z_in = vae.decoder.input_shape[-1]
    assert z_in == latent_dim + int(time_bypass)


def test_time_bypass_feeds_the_last_time_value_to_the_decoder():
    d, m, _ = tiny_configs(time_bypass=True, latent_dim=2)
    vae = build_model(d, m)
    x = np.random.default_rng(1).random((3, d.seq_len, d.n_features + 1)).astype("float32")
    z = np.asarray(vae.encoder(x)[2])
    np.testing.assert_allclose(z[:, -1], x[:, -1, -1], rtol=1e-6)
    # the encoder's convolution sees only the signal channels
    assert vae.encoder.get_layer("enc_conv0").input.shape[-1] == d.n_features


def _one_step(activation="relu", optimizer="adamw", eager=False, **overrides):
    # eager: the step runs op by op, not traced into a graph (the default model's first
    # traced step costs 5-8 s on 2 loaded cores, one eager step under one); graph-mode
    # training of the default model is tests/core/test_training.py's.
    d, m, t = tiny_configs(activation=activation, optimizer=optimizer, **overrides)
    keras.utils.set_random_seed(0)
    vae = build_model(d, m)
    vae.compile(optimizer=make_optimizer(t), run_eagerly=eager)
    x = np.random.default_rng(0).random((16, d.seq_len, d.n_features + 1)).astype("float32")
    logs = vae.train_on_batch(x, x, return_dict=True)
    return logs


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_builds_and_trains_a_step_with_every_activation(activation):
    logs = _one_step(activation=activation, eager=True)  # every layer of the default model
    assert set(logs) >= {"loss", "reconstruction_loss", "kl_loss"}
    assert np.isfinite(logs["loss"])


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_builds_and_trains_a_step_with_every_optimizer(optimizer):
    # traced, as training runs it (the optimizer's update in a graph), on the quickest
    # family to trace: the optimizer does not care which model's weights it updates
    logs = _one_step(optimizer=optimizer, **QUICK_BUILD)
    assert np.isfinite(logs["loss"])
    beta = tiny_configs()[1].beta
    assert logs["loss"] == pytest.approx(logs["reconstruction_loss"] + beta * logs["kl_loss"], rel=1e-4)


def test_beta_weights_the_kl_term():
    d, m, t = tiny_configs(beta=0.0)
    keras.utils.set_random_seed(0)
    vae = build_model(d, m)
    vae.compile(optimizer=make_optimizer(t))
    x = np.random.default_rng(0).random((16, d.seq_len, d.n_features + 1)).astype("float32")
    logs = vae.test_on_batch(x, x, return_dict=True)
    assert logs["kl_loss"] > 0
    assert logs["loss"] == pytest.approx(logs["reconstruction_loss"], rel=1e-5)


def test_unknown_architecture_is_a_value_error():
    d, m, _ = tiny_configs()
    m.param.architecture.objects = [*m.param.architecture.objects, "nope"]
    m.architecture = "nope"
    with pytest.raises(ValueError, match="architecture='nope'.*allowed: .*conv_attention_gru"):
        build_model(d, m)


def test_paper_loss_is_the_originals_sum_over_the_batch():
    """paper: reconstruction summed over windows and time (the original's
    ``mean(sum(mse(x, x_hat)))``), KL a batch mean; other presets: per window."""
    d, m, _ = make_configs("paper")
    assert m.loss_reduction == "sum" and make_configs("quick")[1].loss_reduction == "mean"
    d, m, _ = tiny_configs(loss_reduction="sum", beta=1.0)
    vae = build_model(d, m)
    assert vae.loss_reduction == "sum"
    x = np.random.default_rng(3).random((6, d.seq_len, d.n_features + 1)).astype("float32")
    x_hat, z_mean, z_log_var = (np.asarray(a) for a in vae(x))
    recon, kl = (float(v) for v in vae.vae_terms(x, x_hat, z_mean, z_log_var))
    expected = ((x - x_hat) ** 2).mean(axis=-1).sum()            # every window and step
    assert recon == pytest.approx(expected, rel=1e-5)
    kl_windows = (-0.5 * (1 + z_log_var - z_mean**2 - np.exp(z_log_var))).sum(axis=1)
    assert kl == pytest.approx(kl_windows.mean(), rel=1e-5)
    vae.loss_reduction = "mean"
    mean_recon = float(vae.vae_terms(x, x_hat, z_mean, z_log_var)[0])
    assert mean_recon == pytest.approx(expected / len(x), rel=1e-5)


def test_loss_reduction_survives_save_and_load(tmp_path):
    d, m, _ = tiny_configs(loss_reduction="sum")
    vae = build_model(d, m)
    vae.build((None, d.seq_len, d.n_features + 1))
    vae.save(tmp_path / "m.keras")
    assert keras.saving.load_model(tmp_path / "m.keras", compile=False).loss_reduction == "sum"


def test_fixed_batchnorm_stats_train_as_the_original_calls_its_layers():
    """batchnorm_stats=fixed: the BatchNormalization layers compute the same in training
    as in inference and never move their statistics, as the original's layers, called
    without ``training``, do; the parameter counts stay the original's."""
    d, m, t = make_configs("paper")
    assert m.batchnorm_stats == "fixed"                           # the original's
    assert make_configs("paper-stable")[1].batchnorm_stats == "batch"
    vae = build_model(d, m)
    assert (vae.encoder.count_params(), vae.decoder.count_params()) == (10_828, 80_824)
    d, m, t = tiny_configs(batchnorm_stats="fixed")
    vae = build_model(d, m)
    x = np.random.default_rng(5).random((8, d.seq_len, d.n_features + 1)).astype("float32")
    probe = keras.Model(vae.encoder.input, vae.encoder.get_layer("enc_bn0").output)
    np.testing.assert_allclose(np.asarray(probe(x, training=True)),
                               np.asarray(probe(x, training=False)), rtol=1e-6)
    vae.compile(optimizer=make_optimizer(t))
    vae.train_on_batch(x, x)
    bn = vae.encoder.get_layer("enc_bn0")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(bn.moving_mean), 0.0)
    batch = build_model(*tiny_configs()[:2])                     # the usual: batch statistics
    probe = keras.Model(batch.encoder.input, batch.encoder.get_layer("enc_bn0").output)
    assert not np.allclose(np.asarray(probe(x, training=True)), np.asarray(probe(x)))
