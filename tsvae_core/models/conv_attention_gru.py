"""The original demo's model: Conv1D + attention-gate encoder, Conv1DTranspose + GRU +
attention-gate decoder, as a VAE. Layer by layer as in the reference spec."""
from __future__ import annotations

import math

import keras
from keras import layers

from ..config import DataConfig, ModelConfig
from .layers import LastTimeValue, Sampling, SignalChannels, attention_gate, batch_norm
from .vae import VAE

ENCODER_BLOCKS = 3


def decoder_seed_shape(seq_len: int, scale_steps: int, input_size: int) -> tuple[int, int]:
    """(steps, channels) of the decoder's first reshape.

    The original's Dense(8 * input_size) only reshapes when seq_len / 2**scale_steps
    divides 8 * input_size (true for its defaults); rounding the channel count up keeps
    it identical there and makes every other valid combination build.
    """
    steps = seq_len // 2**scale_steps
    return steps, max(1, math.ceil(8 * input_size / steps))


def build_encoder(data: DataConfig, model: ModelConfig) -> keras.Model:
    channels = data.n_features + 1
    inputs = keras.Input((data.seq_len, channels), name="window")  # (batch, seq_len, channels)
    x = inputs
    if model.time_bypass:
        x = SignalChannels(name="signal")(inputs)          # (batch, seq_len, n_features)
        t_last = LastTimeValue(name="time_last")(inputs)  # (batch, 1)
    for i in range(ENCODER_BLOCKS):
        x = layers.Conv1D(model.conv_filters, 3, strides=2, padding="same",
                          activation=model.activation, name=f"enc_conv{i}")(x)  # seq_len halves
        x = batch_norm(f"enc_bn{i}", model.batchnorm_stats)(x)
        x = attention_gate(x, model.num_heads, model.key_dim, f"enc_att{i}",
                           model.attention_gate)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(channels, activation=model.activation, name="enc_dense")(x)
    z_mean = layers.Dense(model.latent_dim, name="z_mean")(x)          # (batch, latent_dim)
    z_log_var = layers.Dense(model.latent_dim, name="z_log_var")(x)
    z = Sampling(seed=data.seed, name="sampling")([z_mean, z_log_var])
    if model.time_bypass:
        z = layers.Concatenate(name="z_with_time")([z, t_last])          # (batch, latent_dim + 1)
    return keras.Model(inputs, [z_mean, z_log_var, z], name="encoder")


def build_decoder(data: DataConfig, model: ModelConfig) -> keras.Model:
    channels = data.n_features + 1
    input_size = model.latent_dim + int(model.time_bypass)
    steps, seed_channels = decoder_seed_shape(data.seq_len, model.scale_steps, input_size)
    z = keras.Input((input_size,), name="z")
    x = layers.Dense(steps * seed_channels, activation=model.activation, name="dec_dense")(z)
    x = layers.Reshape((steps, seed_channels), name="dec_reshape")(x)   # (batch, steps, seed_channels)
    for i in range(model.scale_steps):
        x = layers.Conv1DTranspose(model.conv_filters, 3, strides=2, padding="same",
                                   activation=model.activation, name=f"dec_convT{i}")(x)  # steps double
        x = batch_norm(f"dec_bn{i}", model.batchnorm_stats)(x)
    x = layers.GRU(16 * channels, return_sequences=True, unroll=model.gru_unroll,
                   name="dec_gru")(x)  # (batch, seq_len, 16*channels)
    x = attention_gate(x, model.num_heads, model.key_dim, "dec_att", model.attention_gate)
    out = layers.Conv1D(channels, 5, padding="same", activation=model.output_activation,
                        name="reconstruction")(x)                             # (batch, seq_len, channels)
    return keras.Model(z, out, name="decoder")


def build(data: DataConfig, model: ModelConfig) -> VAE:
    return VAE(build_encoder(data, model), build_decoder(data, model), beta=model.beta,
               name="conv_attention_gru")
