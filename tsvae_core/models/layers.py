"""Layers shared by the model families."""
from __future__ import annotations

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="tsvae")
class Sampling(layers.Layer):
    """z = z_mean + exp(0.5 * z_log_var) * eps, eps ~ N(0, 1) from a seeded generator."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def attention_gate(x, num_heads: int, key_dim: int, name: str):
    """Self-attention of x, layer-normalised, used as an element-wise gate on x."""
    att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=key_dim, name=f"{name}_mha")(x, x)
    att = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_ln")(att)
    return layers.Multiply(name=f"{name}_gate")([att, x])


@keras.saving.register_keras_serializable(package="tsvae")
class SignalChannels(layers.Layer):
    """(batch, seq_len, channels) -> (batch, seq_len, channels - 1): drops the time channel."""

    def call(self, x):
        return x[:, :, :-1]


@keras.saving.register_keras_serializable(package="tsvae")
class LastTimeValue(layers.Layer):
    """(batch, seq_len, channels) -> (batch, 1): the time channel at the window's last step."""

    def call(self, x):
        return x[:, -1, -1:]
