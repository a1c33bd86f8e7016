"""Anomaly scores of a continuous series from an autoencoder's reconstructions (numpy only).

A window's error is its squared reconstruction error averaged over the signal channels
(the ``time`` channel is ours, not the data's, and is left out). A time step's error is
the mean over every scored window that covers it, so a short anomaly raises the steps it
lies in rather than a whole window's worth of rows. Thresholds come from the errors of
the training part of the series (assumed normal, as in Keras' time-series anomaly
example): its maximum, a percentile, or a generalized Pareto tail fitted to the errors
above a high quantile (peaks over threshold, Siffer et al., KDD 2017). Steps above the
threshold form the flagged ranges. Metrics against labels live in
``tsvae_core.anomaly.metrics`` (they need aeon, an optional extra).

Cost per epoch is bounded: at most ``AnomalyConfig.max_windows`` windows are scored per
part (the stride grows to fit, up to seq_len so that every row stays covered).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import param
from numpy.lib.stride_tricks import sliding_window_view

from ..data import Dataset

RULES = ("max", "percentile", "tail")
SCORINGS = ("step", "window")
#: The quantile of the training errors above which the tail rule fits its Pareto tail.
TAIL_START_QUANTILE = 0.98


class AnomalyConfig(param.Parameterized):
    """How steps are flagged, and how much scoring an epoch may cost."""

    rule = param.Selector(default="percentile", objects=list(RULES), doc=(
        "Threshold rule over the normal rows' errors (an anomaly file's normal rows held "
        "out of training, else the training part): 'max' = the largest (Keras' example), "
        "'percentile' = that percentile of them, 'tail' = a generalized Pareto tail "
        "fitted above their 98th percentile, cut at tail_risk."))
    percentile = param.Number(99.0, bounds=(50.0, 100.0), doc=(
        "Percentile of the training errors used as threshold by the 'percentile' rule."))
    tail_risk = param.Number(1e-3, bounds=(1e-6, 0.05), doc=(
        "'tail' rule: the chance that a normal step's error exceeds the threshold."))
    scoring = param.Selector(default="window", objects=list(SCORINGS), doc=(
        "A row's error: 'step' = the squared error at that row, averaged over the windows "
        "covering it; 'window' = the mean error of those windows (smoother, less exact)."))
    max_windows = param.Integer(2000, bounds=(50, 100_000), doc=(
        "Most windows scored per part of the series (training, validation) each epoch; "
        "the stride grows to stay under it, up to one window length."))


@dataclass
class AnomalyScores:
    """One epoch's scores of a series' validation (or whole) part; rows are series rows."""
    row_start: int                 # first series row of ``step_error``
    step_error: np.ndarray         # (rows,) mean error of the windows covering each row
    window_start: np.ndarray       # (n,) first row of every scored window
    window_error: np.ndarray       # (n,) each window's mean error
    threshold: float
    rule: str
    ranges: np.ndarray             # (k, 2) flagged [start, end) series rows
    stride: int
    labels: np.ndarray | None = None   # (rows,) 0/1 truth for those rows, when known
    metrics: dict[str, float] = field(default_factory=dict)  # see anomaly.metrics
    note: str = ""                 # why metrics are missing, if they are


# ---- errors ----
def signal_channels(names: list[str]) -> list[int]:
    """Indices of the data's own channels (all but ``time``)."""
    keep = [i for i, n in enumerate(names) if n != "time"]
    return keep or list(range(len(names)))


def window_step_errors(x: np.ndarray, x_hat: np.ndarray, channels: list[int]) -> np.ndarray:
    """(n, seq_len, channels) twice -> (n, seq_len) squared error, mean over ``channels``."""
    diff = x[:, :, channels].astype(np.float64) - x_hat[:, :, channels]
    return np.mean(diff * diff, axis=2)


def per_step(errors: np.ndarray, starts: np.ndarray, n_rows: int) -> np.ndarray:
    """(n, seq_len) errors of windows starting at ``starts`` -> (n_rows,) mean per row of
    the windows covering it (NaN where none does); rows are relative to ``starts``' 0."""
    seq_len = errors.shape[1]
    rows = (np.asarray(starts)[:, None] + np.arange(seq_len)).ravel()
    total = np.bincount(rows, weights=errors.ravel(), minlength=n_rows)[:n_rows]
    count = np.bincount(rows, minlength=n_rows)[:n_rows]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def window_starts(n_rows: int, seq_len: int, max_windows: int) -> np.ndarray:
    """Starts of the windows that score ``n_rows`` rows: stride 1 if that fits in
    ``max_windows``, else the smallest stride that does (at most seq_len); the last
    window always ends on the last row so that every row is covered."""
    n_full = n_rows - seq_len + 1
    if n_full < 1:
        raise ValueError(f"a part of {n_rows} rows is shorter than one window ({seq_len})")
    stride = min(seq_len, max(1, math.ceil(n_full / max_windows)))
    starts = np.arange(0, n_full, stride)
    if starts[-1] != n_full - 1:
        starts = np.append(starts, n_full - 1)
    return starts


def score_rows(reconstruct: Callable, series: np.ndarray, lo: int, hi: int, seq_len: int,
               channels: list[int], max_windows: int, scoring: str = "step",
               batch: int = 512):
    """Errors of series rows [lo, hi): (step_error (hi-lo,), starts (n,) as series rows,
    window_error (n,), stride). ``reconstruct``: windows (n, seq_len, c) -> same shape."""
    part = series[lo:hi]
    starts = window_starts(len(part), seq_len, max_windows)
    view = sliding_window_view(part, seq_len, axis=0)  # (n_full, c, seq_len), no copy
    errs = []
    for b in range(0, len(starts), batch):
        x = np.ascontiguousarray(view[starts[b:b + batch]].transpose(0, 2, 1))  # (b, seq_len, c)
        errs.append(window_step_errors(x, np.asarray(reconstruct(x)), channels))
    errors = np.concatenate(errs)                      # (n, seq_len)
    win = errors.mean(axis=1)                          # (n,)
    if scoring == "window":
        errors = np.broadcast_to(win[:, None], errors.shape)
    stride = int(starts[1] - starts[0]) if len(starts) > 1 else 1
    return per_step(errors, starts, len(part)), starts + lo, win, stride


# ---- thresholds ----
def threshold_max(errors: np.ndarray) -> float:
    return float(np.nanmax(errors))


def threshold_percentile(errors: np.ndarray, q: float) -> float:
    if not 0 <= q <= 100:
        raise ValueError(f"percentile={q}: allowed 0..100")
    return float(np.nanpercentile(errors, q))


def threshold_tail(errors: np.ndarray, risk: float, start_q: float = TAIL_START_QUANTILE) -> float:
    """Peaks over threshold: fit a generalized Pareto distribution to the excesses over
    the ``start_q`` quantile (method of moments: no scipy needed, and stable for the few
    hundred peaks a series gives), then return the error exceeded with probability
    ``risk``. Falls back to the largest error when the peaks are too few or flat."""
    if not 0 < risk < 1:
        raise ValueError(f"tail_risk={risk}: allowed between 0 and 1 (exclusive)")
    e = np.asarray(errors, dtype=np.float64)
    e = e[np.isfinite(e)]
    t = float(np.quantile(e, start_q))
    peaks = e[e > t] - t
    if len(peaks) < 10 or peaks.var() <= 0:
        return float(e.max())
    m, v = peaks.mean(), peaks.var()
    gamma = 0.5 * (1.0 - m * m / v)                   # shape
    sigma = 0.5 * m * (m * m / v + 1.0)               # scale
    r = risk * len(e) / len(peaks)                    # tail probability among the peaks
    if r >= 1:
        return t
    if abs(gamma) < 1e-6:
        return t - sigma * math.log(r)
    return t + sigma / gamma * (r ** -gamma - 1.0)


def threshold(errors: np.ndarray, cfg: AnomalyConfig) -> float:
    """The threshold ``cfg.rule`` sets on the training ``errors``."""
    if cfg.rule == "max":
        return threshold_max(errors)
    if cfg.rule == "percentile":
        return threshold_percentile(errors, cfg.percentile)
    if cfg.rule == "tail":
        return threshold_tail(errors, cfg.tail_risk)
    raise ValueError(f"rule={cfg.rule!r}: allowed {', '.join(RULES)}")


def flagged_ranges(score: np.ndarray, thresh: float, offset: int = 0) -> np.ndarray:
    """(k, 2) [start, end) runs of steps whose score exceeds ``thresh`` (NaN never does),
    shifted by ``offset`` rows."""
    above = np.concatenate([[False], np.nan_to_num(score, nan=-np.inf) > thresh, [False]])
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    return edges.reshape(-1, 2) + offset


# ---- a dataset's scores ----
def has_series(ds: Dataset | None) -> bool:
    """Whether ``ds`` is an anomaly run's series: rows to score (``scored_rows``: an
    anomaly file, an aeon anomaly series) or per-row anomaly labels. Classification data
    (collections, a train/test pair, a file with only a class label) and the synthetic
    demo's shuffled windows are not scored, so their epochs pay nothing for it."""
    return ds is not None and (ds.scored_rows is not None or ds.row_anomaly is not None)


def parts(ds: Dataset, seq_len: int) -> tuple[list[tuple[int, int]] | None, tuple[int, int]]:
    """(normal row ranges or None, scored rows): the dataset's own when it states them
    (an anomaly run); else, with a time split, the rows the training windows cover and
    the validation part; else the whole series, whose own errors set the threshold."""
    n = len(ds.series)
    if ds.scored_rows is not None:
        normal = [(lo, hi) for lo, hi in (ds.normal_segments or []) if hi - lo >= seq_len]
        return normal or None, (int(ds.scored_rows[0]), int(ds.scored_rows[1]))
    if ds.val_row_start is None:
        return None, (0, n)
    train_end = int(np.max(ds.start_train)) + seq_len if len(ds.start_train) else 0
    return ([(0, train_end)] if train_end >= seq_len else None), (int(ds.val_row_start), n)


def score_dataset(reconstruct: Callable, ds: Dataset, seq_len: int,
                  cfg: AnomalyConfig, vus_max_rows: int | None = None) -> AnomalyScores:
    """The scores, threshold, flagged ranges and (with labels) metrics of ``ds``.
    ``vus_max_rows``: VUS-PR is computed up to this many scored rows (None: the
    per-epoch default of ``anomaly.metrics``)."""
    from .metrics import VUS_MAX_ROWS, label_metrics  # aeon is imported lazily
    chans = signal_channels(list(ds.channel_names))
    normal, (lo, hi) = parts(ds, seq_len)
    steps, starts, win_err, stride = score_rows(reconstruct, ds.series, lo, hi, seq_len,
                                                chans, cfg.max_windows, cfg.scoring)
    if normal is None:
        ref = steps
    else:
        ref = np.concatenate([score_rows(reconstruct, ds.series, a, b, seq_len, chans,
                                         cfg.max_windows, cfg.scoring)[0] for a, b in normal])
    thresh = threshold(ref, cfg)
    ranges = flagged_ranges(steps, thresh, lo)
    labels = None if ds.row_anomaly is None else np.asarray(ds.row_anomaly[lo:hi], dtype=int)
    metrics, note = label_metrics(labels, steps, thresh,
                                  vus_max_rows=vus_max_rows or VUS_MAX_ROWS)
    return AnomalyScores(lo, steps.astype(np.float32), starts, win_err.astype(np.float32),
                         thresh, cfg.rule, ranges, stride, labels, metrics, note)
