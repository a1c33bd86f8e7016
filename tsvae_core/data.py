"""The original demo's synthetic data: patterns, noise, time channel, windows, drawn as
the original draws them (``generate`` says in which order).

Only one materialised copy of the windows exists: the shuffled array built by a single
fancy-indexing gather from a sliding-window view. Noise and scaling are applied in place.

The two min-max scalings ``generate`` applies are kept in ``Dataset.scaling`` (a
``Scaling``), so that windows made later, such as the probes of ``tsvae_core.probes``,
can be put in exactly the dataset's units.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .config import DataConfig

log = logging.getLogger(__name__)

FREQ_LOW, FREQ_HIGH, SINES_PER_CHANNEL = 1.0, 30.0, 5
_NOISE_CHUNK = 4096  # windows noised per step: bounds the temporary to a few MB


@dataclass(frozen=True)
class Scaling:
    """The two min-max scalings of ``generate``, in the order it applies them.

    signal: the raw signal channels (sine sums and noise rows) -> [0, 1], before the time
    channel joins. window: every channel of the noised windows, time included -> [0, 1].
    """
    signal_min: float
    signal_max: float
    window_min: float
    window_max: float

    def scale_signal(self, signal: np.ndarray) -> np.ndarray:
        """Raw signal channels (rows, n_features) -> the series' units (a new array)."""
        return (signal - self.signal_min) / (self.signal_max - self.signal_min)

    def scale_windows_(self, x: np.ndarray) -> None:
        """Windows (n, seq_len, channels) of series values -> the dataset's units, in place."""
        lo, hi = x.dtype.type(self.window_min), x.dtype.type(self.window_max)
        x -= lo
        x *= 1.0 / (hi - lo)


@dataclass
class Dataset:
    x_train: np.ndarray      # (n_train, seq_len, n_features + 1) float32 in [0, 1]
    y_train: np.ndarray      # (n_train,) int32 pattern id, -1 for noise
    x_val: np.ndarray        # (n_val, seq_len, n_features + 1)
    y_val: np.ndarray        # (n_val,)
    channel_names: list[str]  # signal channels then "time"
    series: np.ndarray       # (rows, n_features + 1) the scaled series before windowing
    row_labels: np.ndarray   # (rows,) pattern id of each row, -1 for noise
    start_train: np.ndarray  # (n_train,) first series row of each training window
    start_val: np.ndarray    # (n_val,) first series row of each validation window
    scaling: Scaling | None = None  # how raw values became these windows' values
    # ---- filled by the real-data sources (issue 11); the synthetic source leaves defaults ----
    #: (rows,) 1 where a row lies in a labelled anomaly, 0 elsewhere; None: no anomaly labels
    row_anomaly: np.ndarray | None = None
    #: first row of ``series`` that belongs to validation (a time split: training rows come
    #: first, then a gap); None when validation windows are not a later stretch of the series
    val_row_start: int | None = None
    #: one line for the page and the logs saying how train and validation were split
    split: str = "shuffled windows of one series (the original demo's split)"
    #: the source's name (``synthetic`` or a real-data source)
    source: str = "synthetic"
    #: (rows,) float32 regression target of each row (cmapss: capped remaining useful life
    #: / cap); a window's target is its last row's. None: vae_regressor uses the time phase
    row_target: np.ndarray | None = None
    #: what reading the data changed or found (filled gaps, duplicate times...), for the page
    notes: tuple[str, ...] = ()
    #: class name of each label id, where the source has names
    label_names: tuple[str, ...] = ()
    #: an anomaly run's normal rows whose errors set the threshold, [lo, hi) ranges (a file:
    #: normal rows held out of training); None: not an anomaly run
    normal_segments: list[tuple[int, int]] | None = None
    #: an anomaly run's scored rows [lo, hi) (the whole series, or a test part); None: the
    #: data are not scored for anomalies (classification, the synthetic demo)
    scored_rows: tuple[int, int] | None = None
    # Collections (aeon_collection: instances, no continuous series) lay their instances
    # end to end, training then test, each resampled to seq_len: ``series`` is that
    # concatenation, window i starts at row i * seq_len (so no two windows overlap) and
    # ``val_row_start`` is the first test row.


def sine_sums(rng, n_channels: int, seq_len: int, freqs: np.ndarray) -> np.ndarray:
    """(seq_len, n_channels): each channel a sum of 5 unit sines sampled at
    ``t = arange(seq_len) / seq_len`` s (one second, end point excluded), their
    frequencies drawn without replacement from ``freqs``, fresh for every channel, one
    ``rng.choice`` a channel in channel order (the original's draws, in its order)."""
    f = np.stack([rng.choice(freqs, SINES_PER_CHANNEL, replace=False)
                  for _ in range(n_channels)])         # (n_channels, 5)
    t = np.arange(seq_len) / seq_len
    return np.sin(2 * np.pi * f[:, :, None] * t).sum(axis=1).T  # (seq_len, n_channels)


def pattern_freqs(n_patterns: int) -> np.ndarray:
    """The grid every channel's frequencies are drawn from: 5 * n_patterns points, 1-30 Hz."""
    return np.linspace(FREQ_LOW, FREQ_HIGH, SINES_PER_CHANNEL * n_patterns)


def pattern_block(rng, cfg: DataConfig) -> np.ndarray:
    """(n_patterns * seq_len, n_features): the patterns one after another; the draws go
    pattern by pattern, channel by channel."""
    chans = sine_sums(rng, cfg.n_patterns * cfg.n_features, cfg.seq_len,
                      pattern_freqs(cfg.n_patterns))
    # (seq_len, n_patterns * n_features) -> (n_patterns * seq_len, n_features)
    return chans.reshape(cfg.seq_len, cfg.n_patterns, cfg.n_features).transpose(1, 0, 2).reshape(
        -1, cfg.n_features)


def time_period(seq_len: int, wavelength: float) -> float:
    """Rows in one period of a time-channel cosine: cos(2 pi w t / seq_len) repeats every
    seq_len / w rows."""
    return seq_len / float(wavelength)


def time_channel(n_rows: int, seq_len: int, wavelengths) -> np.ndarray:
    t = np.arange(n_rows, dtype=np.float64)
    return sum(0.5 * (np.cos(2 * np.pi * t / time_period(seq_len, w)) + 1.0) for w in wavelengths)


def window_end_phase(row_start: np.ndarray, seq_len: int, wavelengths) -> np.ndarray:
    """(n,) float32 in [0, 1): phase of the first time cosine at each window's last row.

    The regression target of ``vae_regressor`` on synthetic data; the end row is
    ``row_start + seq_len - 1``, the period the one ``time_channel`` uses.
    """
    period = time_period(seq_len, wavelengths[0])
    end_row = np.asarray(row_start, dtype=np.float64) + seq_len - 1
    return (np.mod(end_row, period) / period).astype(np.float32)


def window_modes(row_labels: np.ndarray, seq_len: int) -> np.ndarray:
    """Most frequent row label of every stride-1 window; ties go to the smallest label
    (as scipy.stats.mode does). Counts come from one cumulative one-hot table."""
    offset = row_labels.min()
    codes = row_labels - offset                        # 0..K-1
    k = int(codes.max()) + 1
    counts = np.zeros((row_labels.size + 1, k), dtype=np.int32)
    np.add.at(counts, (np.arange(1, row_labels.size + 1), codes), 1)
    np.cumsum(counts, axis=0, out=counts)
    per_window = counts[seq_len:] - counts[:-seq_len]  # (n_windows, K)
    return (per_window.argmax(axis=1) + offset).astype(np.int32)


def build_series(cfg: DataConfig, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Scaled series with its time channel, and the label of every row."""
    series, labels, _ = build_series_with_range(cfg, rng)
    return series, labels


def build_series_with_range(cfg: DataConfig, rng: np.random.Generator
                            ) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """``build_series`` plus the (min, max) of the raw signal that its scaling used."""
    block = pattern_block(rng, cfg)
    signal = np.tile(block, (cfg.repeats, 1))
    labels = np.tile(np.repeat(np.arange(cfg.n_patterns, dtype=np.int32), cfg.seq_len), cfg.repeats)
    if cfg.noise_size:
        noise = rng.normal(signal.mean(), signal.std(), (cfg.noise_size, cfg.n_features))
        signal = np.concatenate([signal, noise])
        labels = np.concatenate([labels, np.full(cfg.noise_size, -1, np.int32)])
    lo, hi = float(signal.min()), float(signal.max())
    signal = Scaling(lo, hi, 0.0, 1.0).scale_signal(signal)
    t = time_channel(len(signal), cfg.seq_len, cfg.time_wavelengths)
    series = np.concatenate([signal, t[:, None]], axis=1).astype(np.float32)
    return series, labels, (lo, hi)


class Cancelled(Exception):
    """``generate`` was told to stop (its ``should_stop`` returned True)."""


def generate(cfg: DataConfig, should_stop=None) -> Dataset:
    """Windows, labels and channel names for ``cfg``; deterministic for ``cfg.seed``.

    The random draws are the original notebook's, value for value: numpy's legacy
    generator (``np.random.seed(seed)`` then the global functions, here a private
    ``RandomState`` so that concurrent runs do not share one), in the original's order:
    (a) 5 frequencies for its example plot, unused; (b) every channel's frequencies,
    pattern by pattern; (c) the noise rows; (d) a shuffle of a row index, unused; (e) the
    window shuffle; (f) the window noise. Which values a model starts from decides
    whether the original's model learns at all (its bottleneck can die in epoch 1, see
    docs/learning.md), so the unused draws stay.

    ``should_stop``: a callable checked between steps and noise chunks; when it returns
    True, ``Cancelled`` is raised (the largest sets take seconds to build, and a run
    stopped meanwhile must not wait for them)."""
    check = (lambda: None) if should_stop is None else lambda: _cancel_if(should_stop)
    rng = np.random.RandomState(cfg.seed)
    rng.choice(pattern_freqs(cfg.n_patterns), SINES_PER_CHANNEL, replace=False)   # (a)
    series, row_labels, (sig_lo, sig_hi) = build_series_with_range(cfg, rng)      # (b), (c)
    rng.permutation(len(series))                                                  # (d)
    check()
    labels = window_modes(row_labels, cfg.seq_len)
    check()
    # (n_windows, seq_len, channels) strided view; the shuffled gather is the one copy
    rows, chans = series.shape
    view = as_strided(series, shape=(len(labels), cfg.seq_len, chans),
                      strides=(series.strides[0], *series.strides), writeable=False)
    order = rng.permutation(len(labels))                                          # (e)
    x = view[order]
    labels = labels[order]
    check()
    a = windows_signal_std(series[:, :-1], cfg.seq_len) * cfg.noise_amplitude
    add_window_noise(x, a, rng, check)                                            # (f)
    check()
    scaling = Scaling(sig_lo, sig_hi, float(x.min()), float(x.max()))
    scaling.scale_windows_(x)
    n_train = cfg.n_train()
    names = [f"ch{i}" for i in range(cfg.n_features)] + ["time"]
    return Dataset(x[:n_train], labels[:n_train], x[n_train:], labels[n_train:], names,
                   series, row_labels, order[:n_train], order[n_train:], scaling)


def windows_signal_std(signal: np.ndarray, seq_len: int) -> float:
    """Standard deviation of the signal channels over all stride-1 windows (the original's
    noise scale is a share of it), from the series: row r lies in as many windows as
    start within ``seq_len`` rows before it, so its weight is that count (no window
    array is read)."""
    n_rows = len(signal)
    r = np.arange(n_rows)
    n_windows = n_rows - seq_len + 1
    weight = np.minimum.reduce([r + 1, np.full(n_rows, seq_len), n_rows - r,
                                np.full(n_rows, n_windows)]).astype(np.float64)
    w = weight[:, None]
    mean = (w * signal).sum() / (w.sum() * signal.shape[1])
    var = (w * (signal - mean) ** 2).sum() / (w.sum() * signal.shape[1])
    return float(np.sqrt(var))


def _cancel_if(should_stop) -> None:
    if should_stop():
        raise Cancelled("data generation stopped")


def add_window_noise(x: np.ndarray, a: float, rng, check=None) -> None:
    """Add normal(-a/2, a/2) noise to the signal channels of ``x`` in place, in chunks of
    windows (the draws come in the order one draw of all the noise would give them);
    ``check()`` runs before each chunk (it raises to stop)."""
    n_sig = x.shape[2] - 1
    for start in range(0, len(x), _NOISE_CHUNK):
        if check is not None:
            check()
        part = x[start:start + _NOISE_CHUNK, :, :n_sig]
        part += rng.normal(-a / 2, a / 2, part.shape).astype(x.dtype)
