"""How a file's rows become training and validation windows, by the columns' roles
(``table.Columns``) and the split fields of ``DataConfig``:

- time split (the default): training rows, a gap of one window, validation rows;
- an anomaly run (``normal_rows`` first or labelled): the normal part trains, and every
  row of the series is scored (``Dataset.scored_rows``), as classic detectors do;
- a train/test pair (``test_path`` or ``split_column``): the training rows (or instances)
  train, the test ones validate; with ``instance_column`` every instance is one window,
  resampled to seq_len (as the aeon collections are).

``seq_len`` may come from the series' dominant period (``window_periods``); the config is
then updated in place, so the run's record and the page say the length used.
"""
from __future__ import annotations

import os

import numpy as np

from ..config import DataConfig
from ..data import Dataset, window_modes
from .period import apply_window_periods
from .table import Columns
from .windows import (Segments, fit_minmax, resample, series_dataset, starts_in,
                      time_split)


def train_rows_of(cfg: DataConfig, cols: Columns) -> int:
    """The rows the model will train on, for the window cap: the normal part, the
    training part of a time split or pair."""
    rows = len(cols.values)
    if cols.split is not None:
        return int((~cols.split).sum())
    mode = cfg.resolved_normal_rows()
    if mode == "labelled" and cols.anomaly is not None:
        return int((cols.anomaly == 0).sum())
    if mode == "first":
        return int(rows * cfg.normal_fraction)
    return int(rows * (1.0 - cfg.val_fraction))


def normal_runs(anomaly: np.ndarray, seq_len: int) -> Segments:
    """Row ranges [lo, hi) of at least ``seq_len`` consecutive rows labelled 0."""
    edges = np.flatnonzero(np.diff(np.r_[1, anomaly, 1] == 0))   # run starts/ends alternate
    runs = edges.reshape(-1, 2)
    return [(int(lo), int(hi)) for lo, hi in runs if hi - lo >= seq_len]


#: share of the normal rows held out of training: their errors set the threshold. The
#: model's errors on rows it trained on are lower than on unseen normal rows (measured on
#: a 1,000-row sine file: a threshold from the training rows flagged 635 of 1,000 rows)
CALIBRATION_FRACTION = 0.25


def hold_out(normal: Segments, fraction: float, seq_len: int) -> tuple[Segments, Segments]:
    """(training, calibration) segments: the last ``fraction`` of the normal rows (taken
    from the end, a segment split where needed) calibrate; pieces shorter than one window
    are dropped. No calibration part (all train) when either side would hold no window."""
    want = int(round(sum(b - a for a, b in normal) * fraction))
    train, calib = [], []
    for lo, hi in reversed(normal):
        take = min(want, hi - lo)
        want -= take
        if take:
            calib.insert(0, (hi - take, hi))
        if hi - take > lo:
            train.insert(0, (lo, hi - take))
    train = [(a, b) for a, b in train if b - a >= seq_len]
    calib = [(a, b) for a, b in calib if b - a >= seq_len]
    return (train, calib) if train and calib else (normal, [])


def anomaly_dataset(cfg: DataConfig, cols: Columns, name: str) -> Dataset:
    """An anomaly run: the normal part trains, every row is scored."""
    rows, seq_len, mode = len(cols.values), cfg.seq_len, cfg.resolved_normal_rows()
    if mode == "labelled":
        if cols.anomaly is None:
            raise ValueError("DataConfig.normal_rows=labelled needs an anomaly_column (0 = "
                             "normal); allowed: first, or name the anomaly column")
        normal = normal_runs(cols.anomaly, seq_len)
        if not normal:
            raise ValueError(f"anomaly column {cfg.anomaly_column!r}: no run of {seq_len} "
                             f"(seq_len) rows labelled 0; lower seq_len or use normal_rows="
                             f"first")
        val: Segments = [(0, rows)]
        how = (f"rows labelled 0 in '{cfg.anomaly_column}' train ({len(normal)} runs, "
               f"{sum(b - a for a, b in normal):,} rows)")
    else:
        end = int(round(rows * cfg.normal_fraction))
        if end < seq_len or rows - end < seq_len:
            raise ValueError(f"file {name} has {rows} rows, too few for seq_len={seq_len} with "
                             f"normal_fraction={cfg.normal_fraction:g}: the normal part and the "
                             f"rest need a window each; lower seq_len or give more rows")
        normal, val = [(0, end)], [(end, rows)]
        how = f"rows 0-{end - 1} (normal_fraction {cfg.normal_fraction:g}) train"
        if cols.anomaly is not None and cols.anomaly[:end].any():
            how += f" ({int(cols.anomaly[:end].sum())} of them labelled anomalous)"
    train, calib = hold_out(normal, CALIBRATION_FRACTION, seq_len)
    if calib:
        how += (f"; the last {CALIBRATION_FRACTION:.0%} of those rows ("
                f"{', '.join(f'{a}-{b - 1}' for a, b in calib)}) are held out of training "
                f"and set the threshold")
    else:
        how += "; their errors set the threshold (too few rows to hold some out)"
    split = f"anomaly run: {how}; every row (0-{rows - 1}) is scored"
    return series_dataset(cfg, cols.values, cols.names, train=train, val=val,
                          val_row_start=None, split=split, source="file",
                          row_labels=cols.labels, row_anomaly=cols.anomaly, times=cols.times,
                          notes=cols.notes, label_names=cols.label_names,
                          normal_segments=calib or normal, scored_rows=(0, rows))


def time_split_dataset(cfg: DataConfig, cols: Columns, name: str) -> Dataset:
    rows = len(cols.values)
    train, val, val_start = time_split(rows, cfg.seq_len, cfg.val_fraction, f"file {name}")
    split = (f"time split: rows 0-{train[0][1] - 1} train, a gap of {cfg.seq_len} rows "
             f"(one window), rows {val_start}-{rows - 1} validate")
    # scored each epoch unless it is a classification run (class labels, no anomaly ones):
    # an unlabelled series may be looked at for anomalies, a classification never is
    scored = (val_start, rows) if cols.anomaly is not None or cols.labels is None else None
    return series_dataset(cfg, cols.values, cols.names, train=train, val=val,
                          val_row_start=val_start, split=split, source="file",
                          row_labels=cols.labels, row_anomaly=cols.anomaly, times=cols.times,
                          notes=cols.notes, label_names=cols.label_names,
                          normal_segments=train if scored else None, scored_rows=scored)


def joined(train: Columns, test: Columns) -> Columns:
    """The test part's rows after the training part's (same value columns, one label
    coding over both)."""
    if train.names != test.names:
        raise ValueError(f"test file: its value columns {test.names} differ from the training "
                         f"file's {train.names}; allowed: the same columns")
    labels, label_names = None, list(train.label_names)
    if train.labels is not None and test.labels is not None:
        names = sorted(set(train.label_names) | set(test.label_names))
        code = {n: i for i, n in enumerate(names)}
        recode = lambda c: np.array([code[c.label_names[i]] if i >= 0 else -1  # noqa: E731
                                     for i in c.labels], np.int32)
        labels, label_names = np.concatenate([recode(train), recode(test)]), names
    groups = None
    if train.groups is not None:
        groups = np.concatenate([np.asarray(train.groups, object).astype(str),
                                 np.char.add("test:", np.asarray(test.groups).astype(str))])
    return Columns(np.concatenate([train.values, test.values]), train.names, labels, None,
                   train.notes + test.notes, label_names, None, groups,
                   np.r_[np.zeros(len(train.values), bool), np.ones(len(test.values), bool)])


def pair_dataset(cfg: DataConfig, cols: Columns, name: str) -> Dataset:
    """Training rows (or instances) train, test ones validate; ``cols.split`` says which
    rows are test rows (the test file's, or the split column's)."""
    test = cols.split
    order = np.r_[np.flatnonzero(~test), np.flatnonzero(test)]   # training rows first
    if (order != np.arange(len(order))).any():
        cols = Columns(cols.values[order], cols.names,
                       None if cols.labels is None else cols.labels[order], None, cols.notes,
                       cols.label_names, None,
                       None if cols.groups is None else cols.groups[order], test[order])
        test = cols.split
    n_train = int((~test).sum())
    if cols.groups is not None:
        return instance_dataset(cfg, cols, n_train, name)
    rows = len(cols.values)
    train, val = [(0, n_train)], [(n_train, rows)]
    for part, (lo, hi) in (("training", train[0]), ("test", val[0])):
        if hi - lo < cfg.seq_len:
            raise ValueError(f"file {name}: the {part} part has {hi - lo} rows, fewer than "
                             f"seq_len={cfg.seq_len}; lower seq_len")
    split = (f"train/test pair: rows 0-{n_train - 1} train, rows {n_train}-{rows - 1} (the "
             f"test part) validate")
    return series_dataset(cfg, cols.values, cols.names, train=train, val=val,
                          val_row_start=n_train, split=split, source="file",
                          row_labels=cols.labels, notes=cols.notes,
                          label_names=cols.label_names)


def instance_dataset(cfg: DataConfig, cols: Columns, n_train: int, name: str) -> Dataset:
    """One window per instance (rows sharing an instance id, in file order), resampled to
    seq_len; its label is its rows' most frequent one. Scaled per channel on the
    training instances."""
    groups = np.asarray(cols.groups).astype(str)
    change = np.r_[True, groups[1:] != groups[:-1], True]
    bounds = np.flatnonzero(change)
    spans = list(zip(bounds[:-1], bounds[1:]))
    ids = [groups[a] for a, _ in spans]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ValueError(f"instance column {cfg.instance_column!r}: instance {dup!r} appears in "
                         f"two places; allowed: each instance's rows together")
    seq_len = cfg.seq_len
    x = resample([cols.values[a:b].T for a, b in spans], seq_len)     # (n, seq_len, channels)
    if cols.labels is None:
        y = np.full(len(spans), -1, np.int32)
    else:
        y = np.array([window_modes(cols.labels[a:b], b - a)[0] for a, b in spans], np.int32)
    is_test = np.array([bool(cols.split[a]) for a, _ in spans])
    n_tr = int((~is_test).sum())
    if n_tr < 1 or n_tr == len(spans):
        raise ValueError(f"file {name}: {n_tr} training and {len(spans) - n_tr} test instances; "
                         f"both need at least 1")
    lo, span = fit_minmax(x[:n_tr].reshape(-1, x.shape[2]), slice(None))
    x = ((x - lo) / span).astype(np.float32)
    series = x.reshape(-1, x.shape[2])
    starts = np.arange(len(spans)) * seq_len
    split = (f"train/test pair: {n_tr} training and {len(spans) - n_tr} test instances "
             f"('{cfg.instance_column}'), each resampled to seq_len={seq_len}; test validates")
    return Dataset(x[:n_tr], y[:n_tr], x[n_tr:], y[n_tr:], list(cols.names), series,
                   np.repeat(y, seq_len), starts[:n_tr], starts[n_tr:], None,
                   val_row_start=n_tr * seq_len, split=split, source="file",
                   notes=tuple(cols.notes), label_names=tuple(cols.label_names))


def file_dataset(cfg: DataConfig, cols: Columns, name: str) -> Dataset:
    """The Dataset of a read file by ``cfg``'s split fields (see the module's doc)."""
    note = apply_window_periods(cfg, cols.values, f"file {os.path.basename(name)}",
                                train_rows_of(cfg, cols))
    if note:
        cols.notes.insert(0, note)
    if cols.split is not None:
        return pair_dataset(cfg, cols, name)
    if cfg.resolved_normal_rows() in ("first", "labelled"):
        return anomaly_dataset(cfg, cols, name)
    return time_split_dataset(cfg, cols, name)
