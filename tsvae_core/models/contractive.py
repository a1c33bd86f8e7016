"""``contractive_ae``: penalises the squared Frobenius norm of the encoder's Jacobian.

No autograd Jacobian is available backend-neutrally inside ``compute_loss``, and Rifai et
al.'s closed form (sum_j (h_j (1 - h_j))^2 sum_i W_ij^2) holds only for a one-layer
sigmoid encoder. So the norm is estimated for the whole encoder, whatever its body, by
a random-direction finite difference: for v ~ N(0, I), E ||J v||^2 = ||J||_F^2
(Hutchinson), and J v ~ (f(x + h v) - f(x)) / h with a small step h. One direction per
window per step; the batch mean averages the noise out. The code is a sigmoid, as in
Rifai et al.
"""
from __future__ import annotations

import keras
from keras import ops

from ..config import DataConfig, ModelConfig
from .autoencoder import Autoencoder, parts

FD_STEP = 0.01  # h, in units of the [0, 1] data


@keras.saving.register_keras_serializable(package="tsvae")
class ContractiveAE(Autoencoder):
    penalty_names = ("contractive_penalty",)

    def __init__(self, encoder, decoder, contractive_weight: float = 0.01,
                 seed: int | None = None, **kwargs):
        super().__init__(encoder, decoder, **kwargs)
        self.contractive_weight, self.seed = float(contractive_weight), seed
        self.probe_seed = keras.random.SeedGenerator(seed)

    def jacobian_norm(self, x, code, training=False):
        """(batch, seq_len, channels) -> scalar: estimate of mean_batch ||d code / d x||_F^2."""
        v = keras.random.normal(ops.shape(x), seed=self.probe_seed)
        shifted = self.encoder(x + FD_STEP * v, training=training)[0]  # (batch, latent_dim)
        return ops.mean(ops.sum(ops.square((shifted - code) / FD_STEP), axis=-1))

    def penalties(self, x, code, training) -> dict:
        return {"contractive_penalty": (self.jacobian_norm(x, code, training),
                                        self.contractive_weight)}

    def settings(self) -> dict:
        return {"contractive_weight": self.contractive_weight, "seed": self.seed}


def build(data: DataConfig, model: ModelConfig) -> ContractiveAE:
    return ContractiveAE(*parts(data, model, "sigmoid"), contractive_weight=model.contractive_weight,
                         seed=data.seed, name="contractive_ae")
