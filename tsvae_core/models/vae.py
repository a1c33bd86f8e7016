"""The variational autoencoder: encoder + decoder, loss in ``compute_loss``; and the VAE
families that differ only in their body: ``dense_vae``, ``conv_vae``, ``recurrent_vae``,
``beta_vae``.

Backend-neutral: only ``keras.ops``; Keras' own ``fit`` does the gradient step on
tensorflow, jax and torch alike.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from ..config import BETA_VAE_DEFAULT, DataConfig, ModelConfig
from . import backbones
from .base import TimeSeriesAutoencoder, predict


def reconstruction_error(x, x_hat, reduction: str = "mean"):
    """Each window's squared error, averaged over channels and summed over time, then the
    batch mean (``reduction="mean"``) or sum (``"sum"``, the original notebook's).

    (batch, seq_len, channels) -> scalar; grows with seq_len like the original's.
    """
    # losses in float32 also under a mixed-precision policy
    x, x_hat = ops.cast(x, "float32"), ops.cast(x_hat, "float32")
    per_window = ops.sum(ops.mean(ops.square(x - x_hat), axis=-1), axis=-1)  # (batch,)
    return ops.sum(per_window) if reduction == "sum" else ops.mean(per_window)


def kl_divergence(z_mean, z_log_var):
    """(batch, latent) -> scalar: mean over the batch of the summed per-dimension KL."""
    z_mean, z_log_var = ops.cast(z_mean, "float32"), ops.cast(z_log_var, "float32")
    kl = -0.5 * (1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
    return ops.mean(ops.sum(kl, axis=-1))


def kl_per_dim(z_mean: np.ndarray, z_log_var: np.ndarray) -> np.ndarray:
    """(n, latent) -> (latent,) mean KL of each dimension, in numpy (for the live view)."""
    return (-0.5 * (1.0 + z_log_var - z_mean**2 - np.exp(z_log_var))).mean(axis=0)


@keras.saving.register_keras_serializable(package="tsvae")
class VAE(TimeSeriesAutoencoder):
    """Encoder returns [z_mean, z_log_var, z]; decoder maps z back to a window."""

    #: Log names a subclass adds to loss, reconstruction_loss and kl_loss.
    extra_logs: tuple[str, ...] = ()

    def __init__(self, encoder, decoder, beta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.beta = float(beta)
        self._init_trackers(["loss", "reconstruction_loss", "kl_loss", *self.extra_logs,
                             "recon_per_window", "kl_per_window"],
                            last_value=["last_batch_loss"])

    def call(self, x, training=False):
        z_mean, z_log_var, z = self.encoder(x, training=training)
        return self.decoder(z, training=training), z_mean, z_log_var

    def vae_terms(self, target, x_hat, z_mean, z_log_var):
        """(reconstruction, kl) scalars."""
        return (reconstruction_error(target, x_hat, self.loss_reduction),
                kl_divergence(z_mean, z_log_var))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        x_hat, z_mean, z_log_var = y_pred
        recon, kl = self.vae_terms(x if y is None else y, x_hat, z_mean, z_log_var)
        total = recon + self.beta * kl
        self.record_terms(x_hat, total, recon, kl)
        return total

    def record_terms(self, x_hat, total, recon, kl, **logs) -> None:
        """Record a batch's terms. loss, reconstruction_loss and kl_loss are each batch's
        value averaged over the epoch's batches (the original's logged figures: per batch
        under loss_reduction=sum, a short last batch counting as much as a full one);
        recon_per_window and kl_per_window weigh every batch by its windows, so the
        epoch's value is the exact mean over every window; last_batch_loss is the last
        batch's loss (what the original logs for validation)."""
        n = ops.cast(ops.shape(x_hat)[0], "float32")
        per_window = recon / n if self.loss_reduction == "sum" else recon
        self.record(loss=total, reconstruction_loss=recon, kl_loss=kl,
                    recon_per_window=(per_window, n), kl_per_window=(kl, n),
                    last_batch_loss=total, **logs)

    def moments(self, x) -> tuple[np.ndarray, np.ndarray]:
        """(z_mean, z_log_var) of windows, each (n, latent_dim)."""
        z_mean, z_log_var = predict(self.encoder, x)[:2]
        return np.asarray(z_mean), np.asarray(z_log_var)

    def epoch_extras(self, x, labels, row_start) -> dict:
        return {"kl_per_dim": kl_per_dim(*self.moments(x))}

    def epoch_views(self, x, labels, row_start):
        # One encoder pass gives the latent points and the KL view (paper: 9,655 windows
        # encoded once, not twice); a family that adds extras or other latent points
        # keeps the general path.
        if (type(self).epoch_extras is not VAE.epoch_extras
                or type(self).latent is not TimeSeriesAutoencoder.latent):
            return super().epoch_views(x, labels, row_start)
        z_mean, z_log_var = self.moments(x)
        return z_mean, {"kl_per_dim": kl_per_dim(z_mean, z_log_var)}

    def settings(self) -> dict:
        return {"beta": self.beta}


def make_vae(data: DataConfig, model: ModelConfig, body: str, name: str, beta: float) -> VAE:
    return VAE(backbones.variational_encoder(data, model, body),
               backbones.decoder(data, model, body), beta=beta, name=name)


def build_dense(data: DataConfig, model: ModelConfig) -> VAE:
    """MLP encoder/decoder on the flattened window."""
    return make_vae(data, model, "dense", "dense_vae", model.beta)


def build_conv(data: DataConfig, model: ModelConfig) -> VAE:
    """Plain strided Conv1D encoder, Conv1DTranspose decoder (no attention, no GRU)."""
    return make_vae(data, model, "conv", "conv_vae", model.beta)


def build_recurrent(data: DataConfig, model: ModelConfig) -> VAE:
    """RVAE style: bidirectional LSTM encoder, LSTM decoder."""
    return make_vae(data, model, "recurrent", "recurrent_vae", model.beta)


def build_beta(data: DataConfig, model: ModelConfig) -> VAE:
    """A VAE on ``model.backbone`` whose KL weight is ``model.beta``; left at 1 (the plain
    VAE's value) it becomes ``BETA_VAE_DEFAULT`` (4, Higgins et al.)."""
    beta = BETA_VAE_DEFAULT if model.beta == 1.0 else model.beta
    return make_vae(data, model, model.backbone, "beta_vae", beta)
