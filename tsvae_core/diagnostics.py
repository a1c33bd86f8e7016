"""Dead-start diagnostic: after each epoch, is the encoder still passing anything on?

Two ways a VAE stops learning at the start, both seen on the original's model:

- **dead bottleneck**: the encoder's last hidden layer before the latent heads (the
  original's ``Dense(n_features + 1, relu)``, 8 units on paper) has units whose ReLU
  output is zero for every window. A dead unit passes no gradient; when all are dead, no
  gradient reaches the encoder again and the model stays on the predict-the-mean plateau
  for good (docs/learning.md). Counted on a fixed sample of validation windows
  (``SAMPLE_WINDOWS``, evenly spaced).
- **collapse**: the KL term near 0 with the latent means' spread near 0: the latent
  carries nothing, the decoder predicts the mean window.

``HealthCheck.check`` runs in the training thread at each epoch's end; the ``Health`` it
returns rides on ``EpochEnd.health``; its ``warning`` is what the page's status line and
``tsvae-train`` show.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np

from .models.base import predict

#: Validation windows (evenly spaced, the same every epoch) on which units are counted.
SAMPLE_WINDOWS = 2_000
#: Collapse: the KL per window (nats) and the latent means' spread (mean over dimensions
#: of their standard deviation across windows) both below these. A stalled original
#: measured KL 0.001 and spread 0.008; the learning original's epoch 1 had KL 0.10-0.25.
COLLAPSE_KL = 0.02
COLLAPSE_SPREAD = 0.02
WHAT_TO_TRY = ("Try another seed, the paper-stable preset (open attention gate, "
               "batch-statistics BatchNorm), or a smaller learning rate.")


@dataclass(frozen=True)
class Health:
    """What the diagnostic found after one epoch."""
    epoch: int
    dead_units: int | None   # bottleneck units zero on every sampled window (None: no ReLU bottleneck)
    n_units: int             # the bottleneck's units (0 when there is none)
    layer: str               # its name
    n_windows: int           # windows it was checked on
    kl: float                # KL per window, nats (NaN for families without one)
    z_spread: float          # mean over latent dimensions of z_mean's std across windows

    @property
    def all_dead(self) -> bool:
        return bool(self.n_units) and self.dead_units == self.n_units

    @property
    def collapsed(self) -> bool:
        return (not math.isnan(self.kl) and self.kl < COLLAPSE_KL
                and self.z_spread < COLLAPSE_SPREAD)

    @property
    def warning(self) -> str:
        """One sentence for the status line and the CLI; '' when nothing is wrong."""
        if self.all_dead:
            return (f"Dead start (epoch {self.epoch}): all {self.n_units} units of the "
                    f"encoder's bottleneck {self.layer} output 0 on every one of "
                    f"{self.n_windows} validation windows, so no gradient reaches the encoder "
                    f"and the model stays on the predict-the-mean plateau. {WHAT_TO_TRY}")
        if self.collapsed:
            return (f"Collapse (epoch {self.epoch}): KL {self.kl:.3g} nats and z_mean spread "
                    f"{self.z_spread:.3g}: the latent carries nothing and the decoder "
                    f"predicts the mean window. {WHAT_TO_TRY}")
        return ""

    def summary(self) -> str:
        """Short figures for a log line."""
        dead = "-" if self.dead_units is None else f"{self.dead_units}/{self.n_units}"
        return f"dead {dead} spread {self.z_spread:.3g}"


def relu_bottleneck(encoder: keras.Model):
    """The layer whose output feeds the ``z_mean`` head, if it is a ReLU Dense; else None."""
    try:
        head = encoder.get_layer("z_mean")
    except ValueError:
        return None
    layer = head.input._keras_history[0]
    act = getattr(layer, "activation", None)
    if isinstance(layer, keras.layers.Dense) and getattr(act, "__name__", "") == "relu":
        return layer
    return None


def sample_indices(n_val: int, size: int = SAMPLE_WINDOWS) -> np.ndarray:
    return np.linspace(0, n_val - 1, min(size, n_val)).astype(int)


class HealthCheck:
    """The per-epoch diagnostic of one run (training thread only)."""

    def __init__(self, x_val: np.ndarray):
        self.x = x_val[sample_indices(len(x_val))]
        self._probe = None       # encoder input -> bottleneck output, built once
        self._probe_of = None

    def _bottleneck_model(self, model):
        encoder = getattr(model, "encoder", None)
        if encoder is None:
            return None, None
        if self._probe_of is not model:
            layer = relu_bottleneck(encoder)
            self._probe = None if layer is None else (
                keras.Model(encoder.inputs, layer.output), layer)
            self._probe_of = model
        return self._probe or (None, None)

    def check(self, model, epoch: int, logs: dict, z_mean: np.ndarray) -> Health:
        """``logs``: the epoch's logs (validation KL per window from ``val_kl_per_window``
        or ``val_kl_loss``); ``z_mean``: the epoch's latent points of the validation subset."""
        probe, layer = self._bottleneck_model(model)
        dead, n_units = None, 0
        if probe is not None:
            h = np.asarray(predict(probe, self.x))            # (n_windows, units)
            n_units = h.shape[1]
            dead = int((h.max(axis=0) <= 0.0).sum())
        kl = logs.get("val_kl_per_window", logs.get("val_kl_loss", float("nan")))
        if not getattr(model, "variational", False):
            kl = float("nan")
        z = np.asarray(z_mean, dtype=np.float64)
        spread = float(z.std(axis=0).mean()) if len(z) > 1 else float("nan")
        return Health(epoch, dead, n_units, "" if layer is None else layer.name, len(self.x),
                      float(kl), spread)
