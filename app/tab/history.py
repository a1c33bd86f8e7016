"""The per-epoch table the loss Buffer holds: one row per epoch, fixed columns.

Plain pandas: the controller builds the rows from each ``EpochEnd``; the loss, quality
and family curves draw columns of it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tsvae_core import families

#: Columns of the per-epoch table that the loss Buffer holds, in order.
LOSS_KEYS = ("loss", "reconstruction_loss", "kl_loss",
             "val_loss", "val_reconstruction_loss", "val_kl_loss")
QUALITY_KEYS = ("knn_accuracy", "silhouette")
#: The variational families' exact reconstruction per window (each window counted once,
#: over all training / all validation windows), whatever loss_reduction is.
EXACT_KEYS = ("recon_per_window", "val_recon_per_window")


def family_log_keys() -> tuple[str, ...]:
    """Log entries only some families have (penalties, head metrics, VQ terms), NaN
    elsewhere: every registered family's ``FamilySpec.logs``."""
    return tuple(families.log_labels())


def history_columns() -> tuple[str, ...]:
    """Columns of the per-epoch table that the loss Buffer holds, in order."""
    own = family_log_keys()
    return (("epoch",) + LOSS_KEYS + own + tuple("val_" + k for k in own) + EXACT_KEYS
            + QUALITY_KEYS)


def empty_history() -> pd.DataFrame:
    """The loss Buffer's initial (empty) table."""
    return pd.DataFrame({c: np.array([], dtype=float) for c in history_columns()})


def history_row(epoch: int, logs: dict, knn_accuracy: float, silhouette: float) -> pd.DataFrame:
    """One row of the per-epoch table; missing log keys become NaN."""
    columns = history_columns()
    row = {"epoch": [float(epoch)]}
    row.update({k: [float(logs.get(k, np.nan))] for k in columns[1:-len(QUALITY_KEYS)]})
    row.update({"knn_accuracy": [float(knn_accuracy)], "silhouette": [float(silhouette)]})
    return pd.DataFrame(row, columns=list(columns))


def loss_units(reduction: str, batch_size: int) -> str:
    """What one logged loss value is, for the loss axis (``ModelConfig.loss_reduction``)."""
    return f"per batch of {batch_size} windows" if reduction == "sum" else "per window"
