"""The data sets shipped inside the aeon package, read offline with aeon's own loaders
(pointed at the package's bundled folder: nothing is downloaded).

Collections (UCR/UEA classification sets): each instance is one window; the published
train/test split is kept (test = validation); every instance is resampled to seq_len
samples by linear interpolation per channel (variable-length sets too) and scaled per
channel with the training instances' min and max. Instances are laid end to end
(training, then test) as the Dataset's ``series``; window i starts at row i * seq_len.

Anomaly series: KDD-TSAD 135 and GutenTAG ecg-diff-count-3 come as an anomaly-free
training part and a labelled test part: both go into ``series`` one after the other,
training windows from the first part, validation windows from the second
(``val_row_start`` = the training part's length), ``row_anomaly`` the labels. Daphnet's
excerpt has no anomaly labels (all 0): it loads as an unlabelled series with a time split.
"""
from __future__ import annotations

import os
import warnings

import numpy as np

from ..config import DataConfig
from ..data import Dataset
from .period import apply_window_periods
from .windows import fit_minmax, resample, series_dataset, time_split

INSTALL_HINT = "the aeon sources need aeon: install tsvae[data] (pip install 'tsvae[data]')"


def _aeon_data_dir() -> str:
    try:
        import aeon
    except ImportError:
        raise ValueError(INSTALL_HINT) from None
    return os.path.join(os.path.dirname(aeon.__file__), "datasets", "data")


def load_raw_collection(name: str, split: str):
    """(instances, labels) of a shipped collection, as aeon's loader gives them."""
    folder = _aeon_data_dir()
    from aeon.datasets import load_classification
    if not os.path.isdir(os.path.join(folder, name)):
        raise ValueError(f"DataConfig.collection={name!r} is not shipped with this aeon "
                         f"version (nothing is downloaded)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_classification(name, split=split, extract_path=folder)


def load_collection(cfg: DataConfig) -> Dataset:
    seq_len = cfg.seq_len
    x_tr, y_tr = load_raw_collection(cfg.collection, "train")
    x_te, y_te = load_raw_collection(cfg.collection, "test")
    lengths = [np.asarray(i).shape[-1] for i in list(x_tr) + list(x_te)]
    classes = sorted(set(y_tr) | set(y_te), key=_class_key)
    code = {c: i for i, c in enumerate(classes)}
    train, test = resample(x_tr, seq_len), resample(x_te, seq_len)
    lo, span = fit_minmax(train.reshape(-1, train.shape[2]), slice(None))
    train = ((train - lo) / span).astype(np.float32)
    test = ((test - lo) / span).astype(np.float32)
    n_tr, n_te = len(train), len(test)
    series = np.concatenate([train, test]).reshape(-1, train.shape[2])
    labels_tr = np.array([code[c] for c in y_tr], np.int32)
    labels_te = np.array([code[c] for c in y_te], np.int32)
    length = (f"length {lengths[0]}" if min(lengths) == max(lengths)
              else f"lengths {min(lengths)}-{max(lengths)}")
    how = "kept" if min(lengths) == max(lengths) == seq_len else f"resampled to seq_len={seq_len}"
    split = (f"{cfg.collection}: published split, {n_tr} train / {n_te} test instances "
             f"(test = validation); {length}, {how}")
    return Dataset(train, labels_tr, test, labels_te,
                   [f"ch{i}" for i in range(train.shape[2])], series,
                   np.repeat(np.concatenate([labels_tr, labels_te]), seq_len),
                   np.arange(n_tr) * seq_len, np.arange(n_tr, n_tr + n_te) * seq_len,
                   None, val_row_start=n_tr * seq_len, split=split,
                   source="aeon_collection", label_names=tuple(map(str, classes)))


def _class_key(c):
    try:
        return (0, float(c), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(c))


def load_anomaly_parts(name: str):
    """(train values, train labels or None, test values, test labels or None); values are
    (rows, channels). Daphnet has no training part: (None, None, values, None)."""
    _aeon_data_dir()
    import aeon.datasets as ds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ecg-diff-count-3 and Daphnet are deprecated
        if name == "KDD-TSAD_135":
            x_tr, y_tr = ds.load_kdd_tsad_135("train")
            x_te, y_te = ds.load_kdd_tsad_135("test")
            # aeon's test split is the whole series, the training part included: the
            # test part proper follows it (else validation would repeat training rows)
            x_te, y_te = x_te[len(x_tr):], y_te[len(x_tr):]
        elif name == "ecg-diff-count-3":
            x_te, y_te, x_tr, y_tr = ds.load_ecg_diff_count_3("semi-supervised")
        elif name == "Daphnet_S06R02E0":
            x, _ = ds.load_daphnet_s06r02e0()
            return None, None, _2d(x), None
        else:
            raise ValueError(f"DataConfig.anomaly_series={name!r}: unknown series")
    return _2d(x_tr), y_tr, _2d(x_te), y_te


def _2d(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x[:, None] if x.ndim == 1 else x


def load_anomaly_series(cfg: DataConfig) -> Dataset:
    name = cfg.anomaly_series
    x_tr, y_tr, x_te, y_te = load_anomaly_parts(name)
    period_note = apply_window_periods(cfg, x_te if x_tr is None else x_tr, name,
                                       int(len(x_te) * (1 - cfg.val_fraction))
                                       if x_tr is None else len(x_tr))
    notes = [period_note] if period_note else []
    names = [f"ch{i}" for i in range(x_te.shape[1])]
    if x_tr is None:  # unlabelled: one series, a time split
        train, val, val_start = time_split(len(x_te), cfg.seq_len, cfg.val_fraction, name)
        split = (f"{name}: no anomaly labels; time split: rows 0-{train[0][1] - 1} train, a "
                 f"gap of {cfg.seq_len} rows, rows {val_start}-{len(x_te) - 1} validate")
        return series_dataset(cfg, x_te, names, train=train, val=val, val_row_start=val_start,
                              split=split, source="aeon_anomaly", normal_segments=train,
                              notes=notes,
                              scored_rows=(val_start, len(x_te)))
    n_tr = len(x_tr)
    values = np.concatenate([x_tr, x_te])
    anomaly = np.concatenate([np.asarray(y_tr), np.asarray(y_te)]).astype(np.int8)
    split = (f"{name}: training part (rows 0-{n_tr - 1}, {int(anomaly[:n_tr].sum())} anomalous "
             f"rows) trains, test part (rows {n_tr}-{len(values) - 1}, "
             f"{int(anomaly[n_tr:].sum())} anomalous rows) validates")
    return series_dataset(cfg, values, names, train=[(0, n_tr)], val=[(n_tr, len(values))],
                          val_row_start=n_tr, split=split, source="aeon_anomaly",
                          row_anomaly=anomaly, normal_segments=[(0, n_tr)], notes=notes,
                          scored_rows=(n_tr, len(values)))
