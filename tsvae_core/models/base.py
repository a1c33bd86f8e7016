"""What the training session needs from any model family.

A family subclasses ``TimeSeriesAutoencoder`` and overrides what differs: the targets it
trains on, how its latent points and reconstructions are computed, and the arrays its
own live views need after each epoch.
"""
from __future__ import annotations

import keras
import numpy as np


class TimeSeriesAutoencoder(keras.Model):
    #: Variational families have a KL term; the others show no KL curve.
    variational = True
    #: What the latent plot's points are called.
    latent_name = "z_mean"

    def training_data(self, x: np.ndarray, labels: np.ndarray, row_start: np.ndarray):
        """(inputs, targets) for ``fit``; by default the window is its own target."""
        return x, x

    def latent(self, x: np.ndarray) -> np.ndarray:
        """(n, latent_dim) points for the latent plot and the metrics."""
        return np.asarray(self.encoder.predict(x, batch_size=1024, verbose=0)[0])

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        """(n, seq_len, channels) reconstructions of windows."""
        out = self.predict(x, batch_size=1024, verbose=0)
        return np.asarray(out[0] if isinstance(out, (list, tuple)) else out)

    def epoch_extras(self, x: np.ndarray, labels: np.ndarray, row_start: np.ndarray) -> dict:
        """Family-specific arrays for the live views, computed after each epoch."""
        return {}
