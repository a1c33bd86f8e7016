"""``denoising_ae``: Gaussian noise on the inputs while training, clean windows as targets.

The noise is drawn afresh for every batch (a Keras ``GaussianNoise`` layer, active only
in training), so the model never sees the same corruption twice; the target stays the
clean window (``training_data`` is the base's ``(x, x)``).
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers

from ..config import DataConfig, ModelConfig
from .autoencoder import Autoencoder, parts

SHOWN = 4  # windows in the noisy / clean / output view


@keras.saving.register_keras_serializable(package="tsvae")
class DenoisingAE(Autoencoder):
    def __init__(self, encoder, decoder, noise_level: float = 0.1, seed: int | None = None,
                 **kwargs):
        super().__init__(encoder, decoder, **kwargs)
        self.noise_level, self.seed = float(noise_level), seed
        self.noise = layers.GaussianNoise(self.noise_level, seed=seed, name="corruption")

    def corrupt(self, x, training):
        return self.noise(x, training=training)

    def noisy(self, x: np.ndarray) -> np.ndarray:
        """The same kind of corruption in numpy, fixed by the seed (for the live view)."""
        rng = np.random.default_rng(self.seed)
        return (x + rng.normal(0.0, self.noise_level, x.shape)).astype(np.float32)

    def epoch_extras(self, x, labels, row_start) -> dict:
        clean = x[:SHOWN]
        noisy = self.noisy(clean)
        return {"noisy_input": noisy, "clean_target": clean, "output": self.reconstruct(noisy)}

    def settings(self) -> dict:
        return {"noise_level": self.noise_level, "seed": self.seed}


def build(data: DataConfig, model: ModelConfig) -> DenoisingAE:
    return DenoisingAE(*parts(data, model), noise_level=model.noise_level, seed=data.seed,
                       name="denoising_ae")
