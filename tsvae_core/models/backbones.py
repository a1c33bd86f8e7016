"""Encoder and decoder bodies shared by the families: dense, conv and recurrent.

A family picks a body (fixed, or ``ModelConfig.backbone``) and a head:
``variational_encoder`` ([z_mean, z_log_var, z]) or ``code_encoder`` ([code, code]);
``decoder`` maps the vector back to a window. ``time_bypass`` is handled here once: the
body sees only the signal channels and the last time value joins the decoder's input.
"""
from __future__ import annotations

import keras
from keras import layers

from ..config import DataConfig, ModelConfig
from .layers import LastTimeValue, Sampling, SignalChannels


def window_input(data: DataConfig, model: ModelConfig):
    """(inputs, what the body sees, last time value or None)."""
    inputs = keras.Input((data.seq_len, data.n_features + 1), name="window")  # (batch, seq_len, channels)
    if not model.time_bypass:
        return inputs, inputs, None
    signal = SignalChannels(name="signal")(inputs)          # (batch, seq_len, n_features)
    return inputs, signal, LastTimeValue(name="time_last")(inputs)  # (batch, 1)


def conv_down(x, model: ModelConfig):
    """(batch, seq_len, c) -> (batch, seq_len / 2**scale_steps, conv_filters)."""
    for i in range(model.scale_steps):
        x = layers.Conv1D(model.conv_filters, 3, strides=2, padding="same",
                          activation=model.activation, name=f"enc_conv{i}")(x)
    return x


def conv_up(x, data: DataConfig, model: ModelConfig):
    """(batch, steps, c) -> (batch, seq_len, channels): transposed convolutions, then the
    output convolution."""
    for i in range(model.scale_steps):
        x = layers.Conv1DTranspose(model.conv_filters, 3, strides=2, padding="same",
                                   activation=model.activation, name=f"dec_convT{i}")(x)
    return layers.Conv1D(data.n_features + 1, 3, padding="same",
                         activation=model.output_activation, name="reconstruction")(x)


def encoder_body(x, model: ModelConfig, kind: str):
    """(batch, seq_len, c) -> (batch, features)."""
    if kind == "dense":
        x = layers.Flatten(name="flatten")(x)                       # (batch, seq_len * c)
        for i in range(2):
            x = layers.Dense(model.hidden_units, activation=model.activation, name=f"enc_dense{i}")(x)
        return x
    if kind == "conv":
        return layers.Flatten(name="flatten")(conv_down(x, model))  # (batch, steps * filters)
    if kind == "recurrent":
        return layers.Bidirectional(layers.LSTM(model.hidden_units), name="enc_bilstm")(x)
    raise ValueError(f"ModelConfig.backbone={kind!r}: allowed: dense, conv, recurrent")


def _join_time(z, t_last, name: str):
    return z if t_last is None else layers.Concatenate(name=name)([z, t_last])  # (batch, dim + 1)


def variational_encoder(data: DataConfig, model: ModelConfig, kind: str) -> keras.Model:
    """window -> [z_mean, z_log_var, z (with the time value when bypassed)]."""
    inputs, x, t_last = window_input(data, model)
    h = encoder_body(x, model, kind)
    z_mean = layers.Dense(model.latent_dim, name="z_mean")(h)          # (batch, latent_dim)
    z_log_var = layers.Dense(model.latent_dim, name="z_log_var")(h)
    z = Sampling(seed=data.seed, name="sampling")([z_mean, z_log_var])
    return keras.Model(inputs, [z_mean, z_log_var, _join_time(z, t_last, "z_with_time")],
                       name="encoder")


def code_encoder(data: DataConfig, model: ModelConfig, kind: str,
                 code_activation: str | None = None) -> keras.Model:
    """window -> [code, decoder input (the code, plus the time value when bypassed)]."""
    inputs, x, t_last = window_input(data, model)
    h = encoder_body(x, model, kind)
    if code_activation is not None:
        # normalised features: a bounded code (sigmoid) does not saturate in the first epoch
        h = layers.BatchNormalization(name="code_bn")(h)
    code = layers.Dense(model.latent_dim, activation=code_activation, name="code")(h)  # (batch, latent_dim)
    return keras.Model(inputs, [code, _join_time(code, t_last, "code_with_time")], name="encoder")


def decoder(data: DataConfig, model: ModelConfig, kind: str) -> keras.Model:
    """(batch, latent_dim [+1]) -> (batch, seq_len, channels)."""
    channels = data.n_features + 1
    z = keras.Input((model.latent_dim + int(model.time_bypass),), name="z")
    if kind == "dense":
        x = z
        for i in range(2):
            x = layers.Dense(model.hidden_units, activation=model.activation, name=f"dec_dense{i}")(x)
        x = layers.Dense(data.seq_len * channels, activation=model.output_activation,
                         name="dec_out")(x)
        out = layers.Reshape((data.seq_len, channels), name="reconstruction")(x)
    elif kind == "conv":
        steps = data.seq_len // 2**model.scale_steps
        x = layers.Dense(steps * model.conv_filters, activation=model.activation, name="dec_dense")(z)
        x = layers.Reshape((steps, model.conv_filters), name="dec_reshape")(x)  # (batch, steps, filters)
        out = conv_up(x, data, model)
    elif kind == "recurrent":
        x = layers.Dense(model.hidden_units, activation=model.activation, name="dec_dense")(z)
        x = layers.RepeatVector(data.seq_len, name="dec_repeat")(x)   # (batch, seq_len, hidden)
        x = layers.LSTM(model.hidden_units, return_sequences=True, name="dec_lstm")(x)
        out = layers.Dense(channels, activation=model.output_activation, name="reconstruction")(x)
    else:
        raise ValueError(f"ModelConfig.backbone={kind!r}: allowed: dense, conv, recurrent")
    return keras.Model(z, out, name="decoder")
