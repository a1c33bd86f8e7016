"""``vq_vae``: a conv encoder to a sequence of latent vectors, each replaced by its
nearest codebook vector, and a conv decoder (van den Oord et al. 2017).

Straight-through: the decoder gets ``z_e + stop_gradient(z_q - z_e)`` (the value of z_q,
the gradient of z_e). Loss = reconstruction + codebook loss ||sg(z_e) - z_q||^2 +
commitment_cost * ||z_e - sg(z_q)||^2. ``latent_dim`` is the size of a codebook vector;
``latent`` gives the flattened pre-quantisation sequence (steps * latent_dim per window).
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from ..config import DataConfig, ModelConfig
from . import backbones
from .base import TimeSeriesAutoencoder, predict
from .layers import VectorQuantizer
from .vae import reconstruction_error

MAX_POINTS = 4000  # pre-quantisation vectors sent to the live view


def perplexity(codes, codebook_size: int):
    """exp(entropy) of the code histogram: 1 when one code does everything, K at best."""
    p = ops.mean(ops.one_hot(ops.reshape(codes, (-1,)), codebook_size), axis=0)  # (K,)
    return ops.exp(-ops.sum(p * ops.log(p + 1e-10)))


@keras.saving.register_keras_serializable(package="tsvae")
class VQVAE(TimeSeriesAutoencoder):
    variational = False
    latent_name = "code"
    submodels = ("encoder", "quantizer", "decoder")

    def __init__(self, encoder, quantizer, decoder, commitment_cost: float = 0.25, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.quantizer, self.decoder = encoder, quantizer, decoder
        self.commitment_cost = float(commitment_cost)
        self._init_trackers(["loss", "reconstruction_loss", "codebook_loss", "commitment_loss",
                             "perplexity"])

    def call(self, x, training=False):
        z_e, t_seq = self.split(self.encoder(x, training=training))  # (batch, steps, dim)
        z_q, codes = self.quantizer(z_e)
        z_st = z_e + ops.stop_gradient(z_q - z_e)           # straight-through estimator
        if t_seq is not None:                               # time_bypass: (batch, steps, dim + 1)
            z_st = ops.concatenate([z_st, t_seq], axis=-1)
        x_hat = self.decoder(z_st, training=training)
        return x_hat, z_e, z_q, codes

    @staticmethod
    def split(out):
        """Encoder output -> (z_e, repeated time value or None)."""
        return tuple(out) if isinstance(out, (list, tuple)) else (out, None)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        x_hat, z_e, z_q, codes = y_pred
        recon = reconstruction_error(x if y is None else y, x_hat, self.loss_reduction)
        codebook = ops.mean(ops.square(ops.stop_gradient(z_e) - z_q))
        commitment = ops.mean(ops.square(z_e - ops.stop_gradient(z_q)))
        total = recon + codebook + self.commitment_cost * commitment
        self.record(loss=total, reconstruction_loss=recon, codebook_loss=codebook,
                    commitment_loss=commitment,
                    perplexity=perplexity(codes, self.quantizer.codebook_size))
        return total

    def pre_quantisation(self, x: np.ndarray) -> np.ndarray:
        """(n, steps, dim) encoder outputs."""
        return np.asarray(self.split(predict(self.encoder, x))[0])

    def latent(self, x):
        z_e = self.pre_quantisation(x)
        return z_e.reshape(len(z_e), -1)                    # (n, steps * dim)

    def decode(self, z, time_value=None):
        raise ValueError("decoding a latent point is not available for vq_vae: its decoder "
                         "takes a sequence of codebook vectors (steps x latent_dim), not one "
                         "point of the latent plot; use reconstruct on a window instead")

    def epoch_extras(self, x, labels, row_start) -> dict:
        z_e = self.pre_quantisation(x)                      # (n, steps, dim)
        codes = ops.convert_to_numpy(self.quantizer(z_e)[1])  # (n, steps)
        k = self.quantizer.codebook_size
        usage = np.bincount(codes.ravel(), minlength=k)
        p = usage / max(usage.sum(), 1)
        points = z_e.reshape(-1, z_e.shape[-1])
        point_labels = np.repeat(labels, z_e.shape[1])
        keep = np.linspace(0, len(points) - 1, min(len(points), MAX_POINTS)).astype(int)
        return {"codebook_usage": usage,                                   # (K,) counts
                "perplexity": np.asarray(np.exp(-(p * np.log(p + 1e-10)).sum())),
                "codebook": ops.convert_to_numpy(self.quantizer.codebook),  # (K, dim)
                "pre_quantisation": points[keep],                           # (m, dim)
                "pre_quantisation_labels": point_labels[keep]}              # (m,)

    def settings(self) -> dict:
        return {"commitment_cost": self.commitment_cost}


def build_encoder(data: DataConfig, model: ModelConfig) -> keras.Model:
    """window -> z_e (batch, steps, latent_dim); with time_bypass also the last time value
    repeated over the steps (batch, steps, 1), which joins z_q at the decoder's input."""
    inputs, x, t_last = backbones.window_input(data, model)
    h = backbones.conv_down(x, model)                                   # (batch, steps, filters)
    z_e = layers.Conv1D(model.latent_dim, 1, name="z_e")(h)             # (batch, steps, dim)
    if t_last is None:
        return keras.Model(inputs, z_e, name="encoder")
    t_seq = layers.RepeatVector(data.seq_len // 2**model.scale_steps, name="time_repeat")(t_last)
    return keras.Model(inputs, [z_e, t_seq], name="encoder")


def build_decoder(data: DataConfig, model: ModelConfig) -> keras.Model:
    steps = data.seq_len // 2**model.scale_steps
    z = keras.Input((steps, model.latent_dim + int(model.time_bypass)), name="z_q")
    return keras.Model(z, backbones.conv_up(z, data, model), name="decoder")


def build(data: DataConfig, model: ModelConfig) -> VQVAE:
    return VQVAE(build_encoder(data, model), VectorQuantizer(model.codebook_size, model.latent_dim,
                                                             name="quantizer"),
                 build_decoder(data, model), commitment_cost=model.commitment_cost, name="vq_vae")
