"""``vae_regressor``: RVE style (Costa et al. 2022), a regression head on z trained
jointly with the VAE. On synthetic data the target is the phase of the time channel at
the window's end (``data.window_end_phase``); on data with a per-row target
(``Dataset.row_target``: CMAPSS's capped remaining useful life) the window's last row's.

RVE proper has no decoder; this one keeps it so the reconstruction view still works.
With ``time_bypass`` the encoder does not see the time channel, so the head cannot
learn the phase: leave it off for this family.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from ..config import DataConfig, ModelConfig
from ..data import window_end_phase
from .supervised import HeadVAE, parts


@keras.saving.register_keras_serializable(package="tsvae")
class VAERegressor(HeadVAE):
    extra_logs = ("regression_loss", "regression_mae")

    def __init__(self, encoder, decoder, head, seq_len: int = 16, wavelengths=(1.0,),
                 row_target=None, **kwargs):
        super().__init__(encoder, decoder, head, **kwargs)
        self.seq_len, self.wavelengths = int(seq_len), [float(w) for w in wavelengths]
        #: (rows,) target per series row, or None (the time phase); not saved with the model
        self.row_target = row_target

    def target(self, row_start) -> np.ndarray:
        if self.row_target is not None:
            end = np.asarray(row_start, dtype=np.int64) + self.seq_len - 1
            return self.row_target[end].astype(np.float32)                  # (n,)
        return window_end_phase(row_start, self.seq_len, self.wavelengths)  # (n,)

    def training_data(self, x, labels, row_start):
        return x, {"window": x, "target": self.target(row_start)[:, None]}

    def head_loss(self, y, out, training):
        err = out - ops.cast(y["target"], out.dtype)                   # (batch, 1)
        mse = ops.mean(ops.square(err))
        return mse, {"regression_loss": mse, "regression_mae": ops.mean(ops.abs(err))}

    def epoch_extras(self, x, labels, row_start) -> dict:
        return {**super().epoch_extras(x, labels, row_start),
                "predicted": self.head_predict(x)[:, 0], "true": self.target(row_start)}

    def settings(self) -> dict:
        return {**super().settings(), "seq_len": self.seq_len, "wavelengths": self.wavelengths}


def build(data: DataConfig, model: ModelConfig) -> VAERegressor:
    return VAERegressor(*parts(data, model, 1), beta=model.beta, head_weight=model.head_weight,
                        seq_len=data.seq_len, wavelengths=data.time_wavelengths,
                        row_target=getattr(data, "row_target", None), name="vae_regressor")
