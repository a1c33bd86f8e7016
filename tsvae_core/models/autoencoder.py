"""``autoencoder``: a deterministic bottleneck, no KL; the base of the other AE families.

The encoder returns [code, decoder input]; the loss is the reconstruction error plus
whatever weighted ``penalties`` a subclass adds (each is logged under its own name).
"""
from __future__ import annotations

import keras

from ..config import DataConfig, ModelConfig
from . import backbones
from .base import TimeSeriesAutoencoder
from .vae import reconstruction_error


@keras.saving.register_keras_serializable(package="tsvae")
class Autoencoder(TimeSeriesAutoencoder):
    variational = False
    latent_name = "code"
    #: Log names of the extra loss terms ``penalties`` returns.
    penalty_names: tuple[str, ...] = ()

    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self._init_trackers(["loss", "reconstruction_loss", *self.penalty_names])

    def corrupt(self, x, training):
        """What the encoder sees of ``x``; the denoising family adds noise here."""
        return x

    def call(self, x, training=False):
        code, dec_in = self.encoder(self.corrupt(x, training), training=training)
        return self.decoder(dec_in, training=training), code

    def penalties(self, x, code, training) -> dict:
        """name -> (value, weight): extra terms of the loss."""
        return {}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        x_hat, code = y_pred
        recon = reconstruction_error(x if y is None else y, x_hat, self.loss_reduction)
        terms = self.penalties(x, code, training)
        total = recon
        for value, weight in terms.values():
            total = total + weight * value
        self.record(loss=total, reconstruction_loss=recon, **{k: v for k, (v, _) in terms.items()})
        return total


def parts(data: DataConfig, model: ModelConfig, code_activation: str | None = None):
    """(encoder, decoder) on ``model.backbone``."""
    return (backbones.code_encoder(data, model, model.backbone, code_activation),
            backbones.decoder(data, model, model.backbone))


def build(data: DataConfig, model: ModelConfig) -> Autoencoder:
    return Autoencoder(*parts(data, model), name="autoencoder")
