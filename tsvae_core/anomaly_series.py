"""A ``Dataset`` from a normal training series and a (labelled) test series, and aeon's two
labelled anomaly series as such datasets.

The smallest continuous-series source the anomaly tests and benchmark need, following the
shared contract of ``tsvae_core.data.Dataset``: min-max scaling fitted on the training
series only, the series = training rows then test rows (``val_row_start`` = the first test
row), stride-1 windows of each part (none spans both, so no validation window overlaps a
training one), and the demo's cosine ``time`` channel appended so the windows have the
``n_features + 1`` channels the models expect. The full data sources (issue 11's
``source`` field) build the same fields.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .data import Dataset, time_channel


def _windows(series: np.ndarray, lo: int, hi: int, seq_len: int, stride: int):
    """(n, seq_len, c) copy of the windows of rows [lo, hi) every ``stride``, and starts."""
    starts = np.arange(lo, hi - seq_len + 1, stride)
    view = sliding_window_view(series, seq_len, axis=0)  # (rows - seq_len + 1, c, seq_len)
    return np.ascontiguousarray(view[starts].transpose(0, 2, 1)), starts


def series_dataset(train: np.ndarray, test: np.ndarray, test_labels: np.ndarray | None,
                   seq_len: int, stride: int = 1, source: str = "series") -> Dataset:
    """``train`` (rows,) or (rows, channels) assumed normal; ``test`` likewise, with 0/1
    ``test_labels`` per row (or None). ValueError if a part is shorter than a window."""
    train = np.asarray(train, dtype=np.float64).reshape(len(train), -1)
    test = np.asarray(test, dtype=np.float64).reshape(len(test), -1)
    for name, part in (("train", train), ("test", test)):
        if len(part) < seq_len:
            raise ValueError(f"{name} series has {len(part)} rows: needs at least "
                             f"seq_len={seq_len}")
    lo, hi = train.min(axis=0), train.max(axis=0)
    raw = np.concatenate([train, test])
    signal = (raw - lo) / np.where(hi > lo, hi - lo, 1.0)  # fitted on training rows only
    t = time_channel(len(raw), seq_len, (1.0,))
    series = np.concatenate([signal, t[:, None]], axis=1).astype(np.float32)
    n_train = len(train)
    x_train, s_train = _windows(series, 0, n_train, seq_len, stride)
    x_val, s_val = _windows(series, n_train, len(series), seq_len, stride)
    anomaly = None
    if test_labels is not None:
        anomaly = np.concatenate([np.zeros(n_train, np.int8),
                                  np.asarray(test_labels, dtype=np.int8)])
    names = [f"ch{i}" for i in range(train.shape[1])] + ["time"]
    return Dataset(x_train, np.full(len(x_train), -1, np.int32), x_val,
                   np.full(len(x_val), -1, np.int32), names, series,
                   np.full(len(series), -1, np.int32), s_train, s_val,
                   row_anomaly=anomaly, val_row_start=n_train, source=source,
                   split=f"by time: training rows 0..{n_train - 1}, then validation")


def ecg_diff_count_3(seq_len: int, stride: int = 1) -> Dataset:
    """GutenTAG's ECG (aeon, offline): an anomaly-free training series of 10,000 rows and
    a test series of 10,000 with three labelled anomalies (300 rows)."""
    import warnings

    from aeon.datasets import load_ecg_diff_count_3
    with warnings.catch_warnings():  # deprecated in aeon 1.6, still shipped
        warnings.simplefilter("ignore", FutureWarning)
        x_test, y_test, x_train, _ = load_ecg_diff_count_3("semi-supervised")
    return series_dataset(x_train, x_test, y_test, seq_len, stride, "ecg-diff-count-3")


def kdd_tsad_135(seq_len: int, stride: int = 1) -> Dataset:
    """KDD-TSAD 135, InternalBleeding16 (aeon, offline): 7,501 rows whose first 1,200 are
    the normal training part; one labelled anomaly (12 rows) in the rest."""
    from aeon.datasets import load_kdd_tsad_135
    x, y = load_kdd_tsad_135("test")
    n_train = len(load_kdd_tsad_135("train")[0])
    return series_dataset(x[:n_train], x[n_train:], y[n_train:], seq_len, stride,
                          "kdd-tsad-135")
