"""CMAPSS turbofan files (NASA; the whitespace format of ``train_FD001.txt``): one row per
engine and cycle: unit, cycle, 3 operating settings, 21 sensors.

As in RVE (Costa et al. 2022, the Rapidae ``vae_regressor`` example): columns constant
on the training engines are dropped, the rest scaled per channel on the training engines
only; the remaining useful life of a row is (the engine's last cycle - its cycle),
capped at ``rul_cap`` and divided by it, and a window's regression target is its last
row's. Windows never cross engines; the last ``val_fraction`` of the engines validate.
"""
from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..config import DataConfig
from ..data import Dataset
from ..short_text import shorten
from .windows import series_dataset

COLUMNS = (["unit", "cycle", "setting1", "setting2", "setting3"]
           + [f"s{i}" for i in range(1, 22)])


def read_cmapss(path: str) -> pd.DataFrame:
    """The file as a DataFrame with COLUMNS; ValueError naming the bad line."""
    from .files import MAX_FILE_BYTES, check_utf8
    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise ValueError(f"data_path {path!r}: no such file")
    if os.path.getsize(path) > MAX_FILE_BYTES:
        raise ValueError(f"file {name} is over {MAX_FILE_BYTES // 2**20} MB")
    check_utf8(path, name)
    try:
        frame = pd.read_csv(path, sep=r"\s+", header=None, engine="c")
    except pd.errors.EmptyDataError:
        raise ValueError(f"file {name} is empty") from None
    except pd.errors.ParserError as exc:
        raise ValueError(f"file {name} is not in the CMAPSS format: {exc}") from None
    if frame.shape[1] != len(COLUMNS):
        raise ValueError(f"file {name} has {frame.shape[1]} columns; a CMAPSS file has "
                         f"{len(COLUMNS)} (unit, cycle, 3 settings, 21 sensors)")
    frame.columns = COLUMNS
    for col in COLUMNS:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            num = pd.to_numeric(frame[col], errors="coerce")
            at = int(num.isna().to_numpy().argmax())
            raise ValueError(f"file {name}: column {col} has text at line {at + 1}: "
                             f"{shorten(frame[col].iloc[at], 40)!r}")
    if not np.isfinite(frame.to_numpy(dtype=np.float64)).all():
        raise ValueError(f"file {name} has missing values; a CMAPSS file has none")
    return frame.sort_values(["unit", "cycle"], kind="stable").reset_index(drop=True)


def remaining_life(frame: pd.DataFrame, cap: int) -> np.ndarray:
    """(rows,) float32: min(last cycle of the row's engine - cycle, cap) / cap."""
    last = frame.groupby("unit")["cycle"].transform("max")
    return (np.minimum(last - frame["cycle"], cap) / cap).to_numpy(np.float32)


def load_cmapss(cfg: DataConfig) -> Dataset:
    frame = read_cmapss(cfg.data_path)
    units = frame["unit"].to_numpy()
    ids = np.unique(units)
    n_val = max(1, int(round(len(ids) * cfg.val_fraction)))
    if len(ids) - n_val < 1:
        raise ValueError(f"DataConfig.val_fraction={cfg.val_fraction:g}: the file has "
                         f"{len(ids)} engines, which leaves none for training; it needs at "
                         f"least 2 engines")
    bounds = np.flatnonzero(np.diff(units)) + 1
    seg = list(zip(np.r_[0, bounds], np.r_[bounds, len(units)]))   # one per engine
    n_tr_units = len(ids) - n_val
    train, val = seg[:n_tr_units], seg[n_tr_units:]
    features = frame[COLUMNS[2:]]
    fit = features.iloc[: train[-1][1]]
    keep = [c for c in features.columns if fit[c].max() > fit[c].min()]
    longest = max(hi - lo for lo, hi in seg)
    if longest < cfg.seq_len:
        raise ValueError(f"DataConfig.seq_len={cfg.seq_len}: the longest engine run has "
                         f"{longest} cycles; allowed: seq_len <= {longest}")
    dropped = len(features.columns) - len(keep)
    split = (f"CMAPSS: engines {ids[0]}-{ids[n_tr_units - 1]} train, engines "
             f"{ids[n_tr_units]}-{ids[-1]} validate; windows within one engine; target: "
             f"remaining useful life capped at {cfg.rul_cap} cycles / {cfg.rul_cap}")
    return series_dataset(cfg, features[keep].to_numpy(np.float64), keep, train=train,
                          val=val, val_row_start=int(val[0][0]), split=split, source="cmapss",
                          row_target=remaining_life(frame, cfg.rul_cap),
                          notes=[f"dropped {dropped} columns constant on the training engines"])
