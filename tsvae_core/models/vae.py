"""The variational autoencoder model: encoder + decoder, loss in ``compute_loss``.

Backend-neutral: only ``keras.ops``; Keras' own ``fit`` does the gradient step on
tensorflow, jax and torch alike.
"""
from __future__ import annotations

import keras
from keras import ops

from .base import TimeSeriesAutoencoder


def reconstruction_error(x, x_hat):
    """Per-step mean squared error over channels, summed over time, mean over the batch.

    (batch, seq_len, channels) -> scalar; grows with seq_len like the original's.
    """
    return ops.mean(ops.sum(ops.mean(ops.square(x - x_hat), axis=-1), axis=-1))


def kl_divergence(z_mean, z_log_var):
    """(batch, latent) -> scalar: mean over the batch of the summed per-dimension KL."""
    kl = -0.5 * (1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
    return ops.mean(ops.sum(kl, axis=-1))


@keras.saving.register_keras_serializable(package="tsvae")
class VAE(TimeSeriesAutoencoder):
    """Encoder returns [z_mean, z_log_var, z]; decoder maps z back to a window."""

    def __init__(self, encoder, decoder, beta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.beta = float(beta)
        self.total_tracker = keras.metrics.Mean(name="loss")
        self.recon_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.total_tracker, self.recon_tracker, self.kl_tracker]

    def call(self, x, training=False):
        z_mean, z_log_var, z = self.encoder(x, training=training)
        return self.decoder(z, training=training), z_mean, z_log_var

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        x_hat, z_mean, z_log_var = y_pred
        target = x if y is None else y
        recon = reconstruction_error(target, x_hat)
        kl = kl_divergence(z_mean, z_log_var)
        total = recon + self.beta * kl
        self.total_tracker.update_state(total)
        self.recon_tracker.update_state(recon)
        self.kl_tracker.update_state(kl)
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        # The trackers were updated in compute_loss; report them as they are.
        return {m.name: m.result() for m in self.metrics}

    def get_config(self):
        return {**super().get_config(), "beta": self.beta,
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder)}

    @classmethod
    def from_config(cls, config):
        encoder = keras.saving.deserialize_keras_object(config.pop("encoder"))
        decoder = keras.saving.deserialize_keras_object(config.pop("decoder"))
        return cls(encoder, decoder, **config)
