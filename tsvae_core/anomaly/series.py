"""Continuous-series datasets for the anomaly tests and benchmark, built by the data
sources (``tsvae_core.sources``), so that there is one way to window and scale a series.

``series_dataset`` takes a normal training series and a (labelled) test series as arrays
(hand-made ones in tests); ``ecg_diff_count_3`` and ``kdd_tsad_135`` are aeon's two
labelled series (``source=aeon_anomaly``). Either way: min-max scaling fitted on the
training rows only, the series = training rows then test rows (``val_row_start`` = the
first test row), windows of each part (none spans both), and the cosine ``time`` channel.
"""
from __future__ import annotations

import numpy as np

from ..config import DataConfig
from ..data import Dataset
from ..sources import build_dataset
from ..sources.windows import series_dataset as windowed


def _2d(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(len(x), -1)


def series_dataset(train, test, test_labels, seq_len: int, stride: int = 1,
                   source: str = "series") -> Dataset:
    """``train`` (rows,) or (rows, channels) assumed normal; ``test`` likewise, with 0/1
    ``test_labels`` per row (or None). ValueError if a part is shorter than a window."""
    train, test = _2d(train), _2d(test)
    for name, part in (("train", train), ("test", test)):
        if len(part) < seq_len:
            raise ValueError(f"{name} series has {len(part)} rows: needs at least "
                             f"seq_len={seq_len}")
    n = len(train)
    anomaly = None
    if test_labels is not None:
        anomaly = np.concatenate([np.zeros(n, np.int8), np.asarray(test_labels, np.int8)])
    cfg = DataConfig(source="aeon_anomaly", seq_len=seq_len, stride=stride,
                     time_channel="cosine")
    names = [f"ch{i}" for i in range(train.shape[1])]
    return windowed(cfg, np.concatenate([train, test]), names, train=[(0, n)],
                    val=[(n, n + len(test))], val_row_start=n, source=source,
                    row_anomaly=anomaly, normal_segments=[(0, n)],
                    scored_rows=(n, n + len(test)),
                    split=f"by time: training rows 0..{n - 1}, then validation")


def _aeon_series(name: str, seq_len: int, stride: int) -> Dataset:
    return build_dataset(DataConfig(source="aeon_anomaly", anomaly_series=name,
                                    seq_len=seq_len, stride=stride, time_channel="cosine"))


def ecg_diff_count_3(seq_len: int, stride: int = 1) -> Dataset:
    """GutenTAG's ECG (aeon, offline): an anomaly-free training series of 10,000 rows and
    a test series of 10,000 with three labelled anomalies (300 rows)."""
    return _aeon_series("ecg-diff-count-3", seq_len, stride)


def kdd_tsad_135(seq_len: int, stride: int = 1) -> Dataset:
    """KDD-TSAD 135, InternalBleeding16 (aeon, offline): 7,501 rows whose first 1,200 are
    the normal training part; one labelled anomaly (12 rows) in the rest."""
    return _aeon_series("KDD-TSAD_135", seq_len, stride)
