"""A VAE with a head on z trained jointly (the base of ``vae_classifier`` and
``vae_regressor``): loss = reconstruction + beta * KL + head_weight * head loss.

The head reads z_mean, the point the latent plot shows, so its decision regions live on
that plot; its gradient is not blurred by the sampling noise (on the tiny set a head
on the sampled z learned the labels several epochs later). Targets are a dict: ``window`` (the
clean window) plus what the head needs.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers

from ..config import DataConfig, ModelConfig
from . import backbones
from .base import predict
from .vae import VAE


@keras.saving.register_keras_serializable(package="tsvae")
class HeadVAE(VAE):
    submodels = ("encoder", "decoder", "head")

    def __init__(self, encoder, decoder, head, beta: float = 1.0, head_weight: float = 1.0,
                 **kwargs):
        super().__init__(encoder, decoder, beta=beta, **kwargs)
        self.head = head
        self.head_weight = float(head_weight)

    def call(self, x, training=False):
        z_mean, z_log_var, z = self.encoder(x, training=training)
        return (self.decoder(z, training=training), z_mean, z_log_var,
                self.head(z_mean, training=training))

    def head_loss(self, y, out, training):
        """(scalar loss, {log name: value or (values, weights)})."""
        raise NotImplementedError

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        x_hat, z_mean, z_log_var, out = y_pred
        recon, kl = self.vae_terms(y["window"], x_hat, z_mean, z_log_var)
        head, logs = self.head_loss(y, out, training)
        total = recon + self.beta * kl + self.head_weight * head
        self.record_terms(x_hat, total, recon, kl, **logs)
        return total

    def head_predict(self, x: np.ndarray) -> np.ndarray:
        """Head outputs on z_mean of windows."""
        return np.asarray(predict(self.head, self.latent(x)))

    def settings(self) -> dict:
        return {"beta": self.beta, "head_weight": self.head_weight}


def build_head(model: ModelConfig, units: int) -> keras.Model:
    """(batch, latent_dim) -> (batch, units): one hidden layer, linear output."""
    z = keras.Input((model.latent_dim,), name="z")
    h = layers.Dense(model.hidden_units, activation=model.activation, name="head_dense")(z)
    return keras.Model(z, layers.Dense(units, name="head_out")(h), name="head")


def parts(data: DataConfig, model: ModelConfig, head_units: int):
    """(encoder, decoder, head) on ``model.backbone``."""
    return (backbones.variational_encoder(data, model, model.backbone),
            backbones.decoder(data, model, model.backbone), build_head(model, head_units))
