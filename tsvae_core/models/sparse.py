"""``sparse_ae``: a sigmoid code with an L1 activity penalty, or a KL sparsity target.

l1: mean over the batch of sum_j |h_j|.  kl: sum_j KL(rho || rho_hat_j) with rho_hat_j
the batch mean of unit j (Ng's sparse autoencoder notes). The code is a sigmoid so that
activations lie in (0, 1) and "mean activation per unit" reads as how often it fires.
"""
from __future__ import annotations

import keras
from keras import ops

from ..config import DataConfig, ModelConfig
from .autoencoder import Autoencoder, parts

EPS = 1e-6


def kl_sparsity(code, rho: float):
    rho_hat = ops.clip(ops.mean(code, axis=0), EPS, 1.0 - EPS)          # (latent_dim,)
    kl = rho * ops.log(rho / rho_hat) + (1.0 - rho) * ops.log((1.0 - rho) / (1.0 - rho_hat))
    return ops.sum(kl)


@keras.saving.register_keras_serializable(package="tsvae")
class SparseAE(Autoencoder):
    penalty_names = ("sparsity_penalty",)

    def __init__(self, encoder, decoder, sparsity: str = "l1", sparsity_weight: float = 0.1,
                 sparsity_target: float = 0.05, **kwargs):
        super().__init__(encoder, decoder, **kwargs)
        self.sparsity = sparsity
        self.sparsity_weight, self.sparsity_target = float(sparsity_weight), float(sparsity_target)

    def penalties(self, x, code, training) -> dict:
        if self.sparsity == "kl":
            value = kl_sparsity(code, self.sparsity_target)
        else:
            value = ops.mean(ops.sum(ops.abs(code), axis=-1))
        return {"sparsity_penalty": (value, self.sparsity_weight)}

    def epoch_extras(self, x, labels, row_start) -> dict:
        return {"mean_activation": self.latent(x).mean(axis=0)}        # (latent_dim,)

    def settings(self) -> dict:
        return {"sparsity": self.sparsity, "sparsity_weight": self.sparsity_weight,
                "sparsity_target": self.sparsity_target}


def build(data: DataConfig, model: ModelConfig) -> SparseAE:
    return SparseAE(*parts(data, model, "sigmoid"), sparsity=model.sparsity,
                    sparsity_weight=model.sparsity_weight,
                    sparsity_target=model.sparsity_target, name="sparse_ae")
