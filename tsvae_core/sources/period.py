"""The dominant period of a series, for window lengths given in periods
(``DataConfig.window_periods``): a window that spans a few whole cycles lets an
autoencoder learn the cycle's shape, and the anomaly benchmark's best lengths were
several periods long (docs/benchmarks.md).

Per channel, the estimate is the lag of the first autocorrelation peak (FFT) within 10%
of the highest one after the autocorrelation first falls below zero; the series' period
is the median over the channels that have one (a trend or noise channel has none), or
None when no channel does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..config import DataConfig

#: rows read for the estimate (the first ones): enough for hundreds of cycles
MAX_ROWS = 50_000
#: seq_len from periods is rounded to a multiple of this, so that the convolutional
#: families (up to scale_steps 3) take it too
SEQ_MULTIPLE = 8
SEQ_MIN, SEQ_MAX = 8, 1024


def autocorrelation(column: np.ndarray) -> np.ndarray:
    """(rows,) -> (rows,) autocorrelation, lag 0 = 1 (zeros for a constant column)."""
    x = np.asarray(column, dtype=np.float64)[:MAX_ROWS]
    x = x - x.mean()
    if not x.std() > 0:
        return np.zeros(len(x))
    size = 1 << (2 * len(x) - 1).bit_length()
    spec = np.fft.rfft(x, size)
    acf = np.fft.irfft(spec * np.conj(spec), size)[:len(x)]
    return acf / acf[0]


def channel_period(column: np.ndarray) -> int | None:
    """The lag of the first autocorrelation peak within 10% of the highest (a multiple of
    the period peaks about as high) after the first fall below 0, looked for up to a
    third of the rows; None without one."""
    acf = autocorrelation(column)
    limit = len(acf) // 3
    below = np.flatnonzero(acf[1:limit] < 0)
    if len(below) == 0:
        return None
    lo = int(below[0]) + 1
    seg = acf[lo:limit]
    if len(seg) < 3:
        return None
    peaks = np.flatnonzero((seg[1:-1] > seg[:-2]) & (seg[1:-1] >= seg[2:])) + 1
    if len(peaks) == 0 or seg[peaks].max() <= 0.1:
        return None
    best = seg[peaks].max()
    return int(lo + peaks[np.flatnonzero(seg[peaks] >= 0.9 * best)[0]])


def dominant_period(values: np.ndarray) -> int | None:
    """(rows,) or (rows, channels) -> the median of the channels' periods, or None."""
    x = np.asarray(values, dtype=np.float64)
    x = x.reshape(len(x), -1)
    found = [p for p in (channel_period(x[:, j]) for j in range(x.shape[1])) if p]
    return int(round(float(np.median(found)))) if found else None


def seq_len_from_periods(period: int, periods: float) -> int:
    """``periods`` whole periods in rows, rounded to a multiple of SEQ_MULTIPLE, within
    SEQ_MIN..SEQ_MAX."""
    raw = periods * period
    return int(min(SEQ_MAX, max(SEQ_MIN, round(raw / SEQ_MULTIPLE) * SEQ_MULTIPLE)))


#: a window from periods spans at most this share of the rows it trains on (at least one
#: period): 6 periods of a 25-row sine in a 300-row normal part left 149 training windows
#: and scored ROC-AUC 0.79 where 2 periods scored 0.99 (docs/your-data.md)
MAX_WINDOW_SHARE = 0.25


def apply_window_periods(cfg: DataConfig, values: np.ndarray, what: str,
                         train_rows: int | None = None) -> str:
    """With ``cfg.window_periods`` > 0, set ``cfg.seq_len`` from the dominant period of
    ``values`` (at most MAX_WINDOW_SHARE of ``train_rows``, at least one period) and
    return the note that says so ('' otherwise); ValueError when the series has no
    period."""
    if not cfg.window_periods:
        return ""
    period = dominant_period(values)
    if period is None:
        raise ValueError(f"DataConfig.window_periods={cfg.window_periods:g}: {what} shows no "
                         f"dominant period (its autocorrelation has no peak); set seq_len and "
                         f"window_periods=0")
    seq_len = seq_len_from_periods(period, cfg.window_periods)
    capped = ""
    if train_rows and seq_len > MAX_WINDOW_SHARE * train_rows:
        periods = max(1, int(MAX_WINDOW_SHARE * train_rows // period))
        seq_len = seq_len_from_periods(period, periods)
        capped = (f", capped at {periods} periods: at most {MAX_WINDOW_SHARE:.0%} of the "
                  f"{train_rows} training rows")
    cfg.seq_len = seq_len
    return (f"seq_len {seq_len} = {cfg.window_periods:g} x the estimated period of {period} "
            f"rows{capped} (window_periods; set window_periods 0 and seq_len to override)")
