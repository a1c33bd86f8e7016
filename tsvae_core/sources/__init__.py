"""Data sources: each turns its DataConfig fields into the same ``Dataset``.

    synthetic        the original demo's generator (``tsvae_core.data.generate``)
    aeon_collection  a labelled UCR/UEA set shipped inside aeon     (aeon_sets.py)
    aeon_anomaly     an anomaly series shipped inside aeon           (aeon_sets.py)
    file             the user's CSV, Parquet, NPY or NPZ            (files.py, table.py)
    cmapss           a CMAPSS turbofan file                          (cmapss.py)

Everything downstream (models, session, views) reads only the ``Dataset``; the model
is built from ``model_input`` (the windows' shape, classes and regression target).
aeon is imported only when an aeon source is built.
"""
from __future__ import annotations

from ..config import DataConfig
from ..data import Dataset, generate
from .spec import WindowSpec, check_dataset, describe, model_input


def build_dataset(cfg: DataConfig, should_stop=None) -> Dataset:
    """The Dataset of ``cfg.source``; ValueError naming the problem for bad input."""
    if cfg.source == "synthetic":
        return generate(cfg, should_stop=should_stop)
    if cfg.source == "aeon_collection":
        from .aeon_sets import load_collection
        return load_collection(cfg)
    if cfg.source == "aeon_anomaly":
        from .aeon_sets import load_anomaly_series
        return load_anomaly_series(cfg)
    if cfg.source == "file":
        from .files import load_file
        return load_file(cfg)
    if cfg.source == "cmapss":
        from .cmapss import load_cmapss
        return load_cmapss(cfg)
    raise ValueError(f"source={cfg.source!r}: unknown source")


__all__ = ["WindowSpec", "build_dataset", "check_dataset", "describe", "model_input"]
