"""Probe windows: inputs the model never trained on, to see where it puts them.

As the original notebook does after training, three windows are projected onto the
latent plot:

- ``new``: a new pattern made like the dataset's (each signal channel a sum of 5 unit
  sines, frequencies drawn without replacement from an evenly spaced grid), but from the
  band ``new_low_hz``..``new_high_hz`` (default 2-15 Hz, inside the data's 1-30 Hz);
- ``outlier``: the same kind of pattern from a far band (default 40-60 Hz);
- ``rolled``: ``new`` with only its time channel rolled by ``round(roll_fraction *
  seq_len)`` steps, i.e. the same signal at another time phase.

Each probe is one window of shape (seq_len, n_features + 1) in exactly the dataset's
layout and units: the raw signal goes through the dataset's signal scaling, the time
channel of a window starting at row 0 joins as the last channel, and both go through
the dataset's window scaling (``data.Scaling``). Probes are clean: no window noise.

The frequency grid has ``5 * n_patterns`` points, as the dataset's has, so a probe is
"one more pattern" of the same kind. The sines are sampled at ``seq_len`` points over one
second, end point excluded (as in ``data.sine_sums``), so frequencies above
``nyquist_hz(seq_len)`` alias to lower ones: ``make_probes`` logs a warning then (the
dataset's own 1-30 Hz band aliases too when seq_len < 60).

Feed the probes to a running session with ``TrainingSession.set_probes(make_probes(...))``;
every ``EpochEnd`` then carries their latent points in ``probe_latent``.
"""
from __future__ import annotations

import logging

import numpy as np
import param

from .config import DataConfig
from .data import SINES_PER_CHANNEL, Dataset, Scaling, sine_sums, time_channel

log = logging.getLogger(__name__)

#: Highest frequency a band may name: the Nyquist frequency of the longest window
#: DataConfig allows (seq_len 1024 samples over one second).
MAX_HZ = 1024 / 2
PROBE_NAMES = ("new", "outlier", "rolled")


def nyquist_hz(seq_len: int) -> float:
    """Highest frequency a window of ``seq_len`` samples over one second can represent
    (the samples are ``1 / seq_len`` s apart, as ``data.sine_sums`` places them)."""
    return seq_len / 2


class ProbeConfig(param.Parameterized):
    """Which probe windows to make; see the module docstring."""

    seed = param.Integer(0, bounds=(0, 2**31 - 1),
                         doc="Seed of the probes' frequency draws (independent of the data seed).")
    new_low_hz = param.Number(2.0, bounds=(0.1, MAX_HZ), softbounds=(0.5, 60.0),
                              doc="Lowest frequency of the new pattern, in Hz (the data use 1-30 Hz).")
    new_high_hz = param.Number(15.0, bounds=(0.1, MAX_HZ), softbounds=(0.5, 60.0),
                               doc="Highest frequency of the new pattern, in Hz; above "
                                   "seq_len / 2 it aliases.")
    outlier_low_hz = param.Number(40.0, bounds=(0.1, MAX_HZ), softbounds=(0.5, 120.0),
                                  doc="Lowest frequency of the outlier pattern, in Hz.")
    outlier_high_hz = param.Number(60.0, bounds=(0.1, MAX_HZ), softbounds=(0.5, 120.0),
                                   doc="Highest frequency of the outlier pattern, in Hz; above "
                                       "seq_len / 2 it aliases.")
    roll_fraction = param.Number(0.4, bounds=(0.0, 1.0),
                                 doc="The rolled probe's time channel is shifted by this share "
                                     "of seq_len.")

    def validate(self) -> None:
        """Each band's low end must lie below its high end; ValueError names field and range."""
        for band in ("new", "outlier"):
            low, high = getattr(self, f"{band}_low_hz"), getattr(self, f"{band}_high_hz")
            if not low < high:
                raise ValueError(f"ProbeConfig.{band}_low_hz={low!r}: must be below "
                                 f"{band}_high_hz={high!r}; allowed 0.1 <= {band}_low_hz < "
                                 f"{band}_high_hz <= {MAX_HZ}")

    def roll_steps(self, seq_len: int) -> int:
        return int(round(self.roll_fraction * seq_len))


def probe_signal(rng: np.random.Generator, data: DataConfig, low_hz: float,
                 high_hz: float) -> np.ndarray:
    """(seq_len, n_features) raw signal of one pattern from the band low..high Hz."""
    freqs = np.linspace(low_hz, high_hz, SINES_PER_CHANNEL * data.n_patterns)
    return sine_sums(rng, data.n_features, data.seq_len, freqs)


def to_window(signal: np.ndarray, data: DataConfig, scaling: Scaling) -> np.ndarray:
    """Raw signal (seq_len, n_features) -> (seq_len, n_features + 1) float32 window in the
    dataset's units, with the time channel of a window starting at row 0."""
    t = time_channel(data.seq_len, data.seq_len, data.time_wavelengths)   # (seq_len,)
    series = np.concatenate([scaling.scale_signal(signal), t[:, None]], axis=1).astype(np.float32)
    scaling.scale_windows_(series[None])                                 # one window, in place
    return series


def make_probes(data: DataConfig, probes: ProbeConfig,
                scaling: Dataset | Scaling) -> dict[str, np.ndarray]:
    """name -> (seq_len, n_features + 1) float32 window, for "new", "outlier", "rolled".

    ``scaling``: the ``Dataset`` the model trains on (its ``scaling`` is used) or a
    ``data.Scaling``. Deterministic for ``probes.seed``. Raises ValueError for a bad
    band (``ProbeConfig.validate``) or a dataset without a recorded scaling.
    """
    if not data.is_synthetic():
        raise ValueError(f"probes are new synthetic patterns; they exist only for the "
                         f"synthetic source (this run reads {data.source})")
    probes.validate()
    if isinstance(scaling, Dataset):
        if scaling.channel_names[-1:] != ["time"]:
            raise ValueError("make_probes: the dataset has no time channel as its last channel "
                             f"(channels {scaling.channel_names})")
        scaling = scaling.scaling
    if not isinstance(scaling, Scaling):
        raise ValueError("make_probes needs the dataset's Scaling (a Dataset made by "
                         f"data.generate, or a data.Scaling), got {type(scaling).__name__}")
    limit = nyquist_hz(data.seq_len)
    for band in ("new", "outlier"):
        high = getattr(probes, f"{band}_high_hz")
        if high > limit:
            log.warning("probe %r: %s Hz is above the Nyquist frequency %s Hz of seq_len %d; "
                        "it aliases to lower frequencies", band, high, limit, data.seq_len)
    rng = np.random.default_rng(probes.seed)
    new = to_window(probe_signal(rng, data, probes.new_low_hz, probes.new_high_hz), data, scaling)
    outlier = to_window(probe_signal(rng, data, probes.outlier_low_hz, probes.outlier_high_hz),
                        data, scaling)
    rolled = new.copy()
    rolled[:, -1] = np.roll(new[:, -1], probes.roll_steps(data.seq_len))  # the time channel only
    return {"new": new, "outlier": outlier, "rolled": rolled}
