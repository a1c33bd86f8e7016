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
        eps = keras.random.normal(ops.shape(z_mean), dtype=z_mean.dtype, seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def attention_gate(x, num_heads: int, key_dim: int, name: str, mode: str = "residual"):
    """Self-attention of x, layer-normalised, used as an element-wise gate on x.

    ``mode`` (``ModelConfig.attention_gate``): "multiply" is the original's
    ``LN(att) * x``; "residual" is ``(1 + LN(att)) * x`` with the LayerNormalization's
    scale starting at 0, so the gate starts open (x passes unchanged) and the attention
    learns to modulate it: the same weights, but the multiply form starts by multiplying
    x with a zero-mean factor that differs from window to window, which shrinks what the
    encoder passes on and brings the model closer to a dead start on some seeds (the
    original learns with it on seeds 85 and 1; see docs/learning.md).
    """
    att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=key_dim, name=f"{name}_mha")(x, x)
    att = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_ln",
                                    gamma_initializer="zeros" if mode == "residual" else "ones")(att)
    if mode == "multiply":
        return layers.Multiply(name=f"{name}_gate")([att, x])
    if mode == "residual":
        return ResidualGate(name=f"{name}_gate")([att, x])
    raise ValueError(f"ModelConfig.attention_gate={mode!r}: allowed: residual, multiply")


def batch_norm(name: str, stats: str = "batch"):
    """A BatchNormalization layer; ``stats`` is ``ModelConfig.batchnorm_stats``."""
    if stats == "batch":
        return layers.BatchNormalization(name=name)
    if stats == "fixed":
        return FixedStatsBatchNorm(name=name)
    raise ValueError(f"ModelConfig.batchnorm_stats={stats!r}: allowed: batch, fixed")


@keras.saving.register_keras_serializable(package="tsvae")
class FixedStatsBatchNorm(layers.BatchNormalization):
    """BatchNormalization always in inference mode: its moving mean and variance keep their
    initial 0 and 1, so it is a learned per-channel scale and offset. This is what the
    original notebook's layers compute: its train_step calls them without ``training``,
    which Keras 3 resolves to inference mode."""

    def call(self, inputs, training=None, mask=None):
        return super().call(inputs, training=False, mask=mask)


@keras.saving.register_keras_serializable(package="tsvae")
class ResidualGate(layers.Layer):
    """[g, x] -> (1 + g) * x: a gate that starts open (no weights of its own)."""

    def call(self, inputs):
        g, x = inputs
        return (1.0 + g) * x


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


@keras.saving.register_keras_serializable(package="tsvae")
class VectorQuantizer(layers.Layer):
    """Nearest codebook vector of every latent vector (no gradient trick here: the model
    applies the straight-through estimator and the codebook / commitment losses).

    (batch, steps, dim) -> [(batch, steps, dim) codebook rows, (batch, steps) their indices]
    """

    def __init__(self, codebook_size: int, dim: int, **kwargs):
        super().__init__(**kwargs)
        self.codebook_size, self.dim = codebook_size, dim
        self.codebook = self.add_weight(shape=(codebook_size, dim), name="codebook",
                                        initializer=keras.initializers.RandomUniform(-1.0, 1.0))
        self.built = True  # the codebook's shape does not depend on the input's

    def call(self, z_e):
        flat = ops.reshape(z_e, (-1, self.dim))                          # (batch * steps, dim)
        d = (ops.sum(ops.square(flat), axis=1, keepdims=True)
             - 2.0 * ops.matmul(flat, ops.transpose(self.codebook))
             + ops.sum(ops.square(self.codebook), axis=1)[None, :])     # (batch * steps, K)
        codes = ops.argmin(d, axis=1)
        z_q = ops.reshape(ops.take(self.codebook, codes, axis=0), ops.shape(z_e))
        return z_q, ops.reshape(codes, ops.shape(z_e)[:-1])

    def get_config(self):
        return {**super().get_config(), "codebook_size": self.codebook_size, "dim": self.dim}
