"""A continuous series (or several, end to end) -> the Dataset's windows, with a split that
lets no validation window overlap a training window and scaling fitted on training rows.

Segments are row ranges [lo, hi) that windows may not cross (an engine of CMAPSS, the
training or test part of an anomaly series); training windows come from the training
segments, validation windows from the validation ones. The windows are two gathers from
one strided view of the scaled series: one materialised copy in all.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..config import DataConfig
from ..data import Dataset, time_channel, window_modes

Segments = list[tuple[int, int]]


def time_split(rows: int, seq_len: int, val_fraction: float, what: str = "the series"
               ) -> tuple[Segments, Segments, int]:
    """(training segments, validation segments, first validation row) of one series:
    training first, then a gap of one window (seq_len rows), then validation."""
    train_end = int(round(rows * (1.0 - val_fraction)))
    val_start = train_end + seq_len
    if train_end < seq_len or rows - val_start < seq_len:
        raise ValueError(
            f"{what} has {rows} rows, too few for seq_len={seq_len} with val_fraction="
            f"{val_fraction:g}: a time split needs a training window, a gap of one window "
            f"and a validation window (at least {3 * seq_len} rows, more with a small "
            f"val_fraction); lower seq_len or give more rows")
    return [(0, train_end)], [(val_start, rows)], val_start


def starts_in(segments: Segments, seq_len: int, stride: int) -> np.ndarray:
    """First rows of the windows that fit inside each segment, ``stride`` apart."""
    parts = [np.arange(lo, hi - seq_len + 1, stride) for lo, hi in segments]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def fit_minmax(values: np.ndarray, rows) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (min, span) of ``values[rows]``: the training rows only. ``rows``: an
    index, a slice, or segments [(lo, hi), ...] (read as views, no copy of the rows)."""
    parts = ([values[lo:hi] for lo, hi in rows] if isinstance(rows, list)
             else [values[rows]])
    lo = np.min([p.min(axis=0) for p in parts], axis=0)
    hi = np.max([p.max(axis=0) for p in parts], axis=0)
    span = hi - lo
    return lo, np.where(span > 0, span, 1.0)


def series_dataset(cfg: DataConfig, values: np.ndarray, names: list[str], *,
                   train: Segments, val: Segments, val_row_start: int, split: str,
                   source: str, row_labels=None, row_anomaly=None, times=None,
                   row_target=None, notes=(), label_names=(), stride: int | None = None,
                   normal_segments: Segments | None = None,
                   scored_rows: tuple[int, int] | None = None) -> Dataset:
    """Scale ``values`` (rows, channels) per channel on the training rows, add the time
    channel ``cfg.time_channel`` asks for, and cut windows of ``cfg.seq_len``.
    ``normal_segments`` and ``scored_rows``: an anomaly run's normal part and scored rows
    (``Dataset``'s fields of those names); None for data that are not scored."""
    seq_len, stride = cfg.seq_len, stride or cfg.stride
    rows = len(values)
    lo, span = fit_minmax(values, train)
    scaled = values.astype(np.float32)               # one float32 copy, scaled in place
    scaled -= lo.astype(np.float32)
    scaled /= span.astype(np.float32)
    channels, names = [scaled], list(names)
    mode = cfg.time_channel if cfg.has_time_channel() else "none"
    if mode == "cosine":
        wl = cfg.time_wavelengths
        channels.append((time_channel(rows, seq_len, wl) / len(wl))[:, None].astype(np.float32))
        names.append("time")
    elif mode == "timestamps":
        if times is None:
            raise ValueError("DataConfig.time_channel=timestamps: this data has no time "
                             "column; allowed: cosine or none, or name a time_column")
        t = np.asarray(times, dtype=np.float64)[:, None]
        t_lo, t_span = fit_minmax(t, train)
        channels.append(((t - t_lo) / t_span).astype(np.float32))
        names.append("time")
    series = np.concatenate(channels, axis=1) if len(channels) > 1 else scaled
    series = np.ascontiguousarray(series)
    if row_labels is None:  # unlabelled: every window -1, no counting over the rows
        labels = np.full(rows, -1, np.int32)
        modes = labels[:rows - seq_len + 1]
    else:
        labels = np.asarray(row_labels, dtype=np.int32)
        modes = window_modes(labels, seq_len)         # label of every stride-1 window
    start_train, start_val = starts_in(train, seq_len, stride), starts_in(val, seq_len, stride)
    for which, starts in (("training", start_train), ("validation", start_val)):
        if len(starts) == 0:
            raise ValueError(f"DataConfig.seq_len={seq_len}: no {which} window fits (the "
                             f"{which} part is shorter than one window); lower seq_len")
    view = as_strided(series, shape=(rows - seq_len + 1, seq_len, series.shape[1]),
                      strides=(series.strides[0], *series.strides), writeable=False)
    return Dataset(view[start_train], modes[start_train], view[start_val], modes[start_val],
                   names, series, labels, start_train, start_val, None,
                   row_anomaly=row_anomaly, val_row_start=val_row_start, split=split,
                   source=source, row_target=row_target, notes=tuple(notes),
                   label_names=tuple(label_names), normal_segments=normal_segments,
                   scored_rows=scored_rows)


def resample(instances, seq_len: int) -> np.ndarray:
    """Instances (each (channels, length), lengths may differ) -> (n, seq_len, channels)
    float64, by linear interpolation on [0, 1]."""
    out = None
    grid = np.linspace(0.0, 1.0, seq_len)
    for i, inst in enumerate(instances):
        inst = np.asarray(inst, dtype=np.float64)
        if out is None:
            out = np.empty((len(instances), seq_len, inst.shape[0]))
        src = np.linspace(0.0, 1.0, inst.shape[1])
        for c in range(inst.shape[0]):
            row = inst[c]
            ok = np.isfinite(row)  # some sets pad with NaN
            out[i, :, c] = np.interp(grid, src[ok], row[ok])
    return out
