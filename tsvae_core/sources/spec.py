"""What a model needs to know about a dataset's windows, and the checks a dataset's size
must pass once a real source has been read (the synthetic one is checked from its
settings by ``config_rules.validate``)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config import DataConfig, ModelConfig, TrainConfig
from ..config_rules import MAX_WINDOW_BYTES, window_length_problem
from ..data import Dataset


@dataclass(frozen=True)
class WindowSpec:
    """Stands in for DataConfig where the models read it (``build_model(spec, model)``):
    the same attribute names, values from the built dataset."""
    seq_len: int
    n_features: int          # channels - 1: the models treat the last channel as time
    n_patterns: int          # classes of the labels (vae_classifier's head), at least 1
    time_wavelengths: list = field(default_factory=lambda: [1.0])
    seed: int = 0
    #: (rows,) regression target per series row (vae_regressor), None: the time phase
    row_target: np.ndarray | None = None


def model_input(cfg: DataConfig, ds: Dataset | None):
    """``cfg`` itself for synthetic data (unchanged behaviour), else a WindowSpec of ``ds``."""
    if cfg.is_synthetic() or ds is None:
        return cfg
    _, seq_len, channels = ds.x_train.shape
    labels = np.concatenate([ds.y_train, ds.y_val])
    return WindowSpec(seq_len, channels - 1, max(int(labels.max()) + 1, 1),
                      list(cfg.time_wavelengths), cfg.seed, ds.row_target)


def window_shape(cfg: DataConfig, ds: Dataset | None) -> tuple[int, int] | None:
    """(seq_len, channels) of the windows; None while a real source is not read yet."""
    if ds is not None:
        return tuple(ds.x_train.shape[1:])
    return (cfg.seq_len, cfg.n_features + 1) if cfg.is_synthetic() else None


def describe(ds: Dataset) -> str:
    """One line for the page and the command line: the windows, how train and validation
    were split, and what reading the data changed or found."""
    n_train, seq_len, channels = ds.x_train.shape
    parts = [f"{ds.source}: {n_train:,} training and {len(ds.x_val):,} validation windows "
             f"of {seq_len} x {channels}", ds.split, *ds.notes]
    return "; ".join(parts)


def check_dataset(ds: Dataset, model: ModelConfig, train: TrainConfig) -> None:
    """ValueError naming the field when a read dataset cannot train with these settings."""
    n_train, n_val = len(ds.x_train), len(ds.x_val)
    problem = window_length_problem(ds.x_train.shape[1], model)
    if problem:  # a length from the data (window_periods), not from the settings
        raise ValueError(f"ModelConfig.scale_steps={model.scale_steps}: the data's {problem}")
    if n_train < 1 or n_val < 1:
        raise ValueError(f"DataConfig.val_fraction: {ds.source} gave {n_train} training and "
                         f"{n_val} validation windows; both need at least 1 (lower stride or "
                         f"seq_len, or change val_fraction)")
    size = ds.x_train.nbytes + ds.x_val.nbytes
    if size > MAX_WINDOW_BYTES:
        raise ValueError(f"DataConfig.stride: the windows would take {size / 2**30:.1f} GiB; "
                         f"allowed: at most {MAX_WINDOW_BYTES / 2**30:.0f} GiB, so raise stride "
                         f"or lower seq_len")
    if train.batch_size > n_train:
        raise ValueError(f"TrainConfig.batch_size={train.batch_size}: must be at most the "
                         f"training set size, 1..{n_train}")
    if model.architecture == "vae_classifier" and not (ds.y_train >= 0).any():
        raise ValueError("ModelConfig.architecture=vae_classifier: this data has no labels; "
                         "allowed: a labelled source, or another family")
