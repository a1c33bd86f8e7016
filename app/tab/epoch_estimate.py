"""How long an epoch of the current settings will take, said before Start.

The figure is seconds per training window, times the training windows of the settings.
Seconds per window come from this server's own finished epochs (``record``, called for
every epoch after the first: the first traces and compiles), per architecture; the most
recent epoch of the architecture wins, so a busy server's slower epochs count as soon as
they happen. Until an architecture has run here, a built-in figure measured on a 2-core
CPU stands in, and the text says which of the two it is.

Windows of another shape than the one measured are scaled by their elements (seq_len x
channels) to the power ``SHAPE_EXPONENT``: per window, the paper preset's 4.6x the
elements of quick cost about 2x the time (measured, below), not 4.6x, because a
window's cost is partly per-window overhead. Batch size, optimizer and XLA are not in
the model: the estimate is rough (within a factor of about 2), and says "about".

Pure functions and a small thread-safe store; no UI library (the sidebar and the large-
run warning in app.tab.data_size format what ``estimate`` returns).
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from tsvae_core import families
from tsvae_core.config import DataConfig, ModelConfig

#: Built-in seconds per training window, at quick's window shape (32 x 7 = 224 elements),
#: measured on this project's 2-core CPU with `tsvae-train --preset quick --epochs 3`
#: (conv_attention_gru; epochs 2-3 took 5.73 and 4.97 s for 5,495 windows: 0.97 ms a
#: window; XLA off, as quick's "auto" on a CPU). The machine was shared with other jobs
#: (load average 6-8 on 2 cores, tests running beside it), so the figures are inflated:
#: a quiet machine is faster. Other families: conv_attention_gru's figure times their
#: epoch-time ratio in docs/benchmarks.md ("Families on the quick preset"), each
#: family's ``FamilySpec.cost_ratio``.
BUILTIN_ELEMENTS = 32 * 7
BUILTIN_SECONDS_PER_WINDOW = 0.97e-3
#: From the same machine, `tsvae-train --preset paper --epochs 2`: epoch 2 took 76.0 s for
#: 38,618 windows of 128 x 8 = 1024 elements, 1.97 ms a window, PAPER_OVER_QUICK times
#: quick's; the exponent makes the elements' ratio (4.57) give that ratio (about 0.46).
PAPER_OVER_QUICK = 2.0
SHAPE_EXPONENT = math.log(PAPER_OVER_QUICK) / math.log(1024 / 224)


@dataclass(frozen=True)
class Measured:
    seconds_per_window: float
    elements: int        # seq_len x channels of the measured windows
    at: float            # time.time() of the epoch


@dataclass(frozen=True)
class Estimate:
    seconds: float       # an epoch of the training windows (validation included)
    basis: str           # where the figure comes from, for the page

    def text(self) -> str:
        """'about 3 min an epoch (...)' for the sidebar and the large-run warning."""
        figure = format_seconds(self.seconds)
        about = "" if figure.startswith("under") else "about "  # not "about under a second"
        return f"{about}{figure} an epoch ({self.basis})"


_lock = threading.Lock()
_measured: dict[str, Measured] = {}  # architecture -> its most recent epoch on this server


def record(architecture: str, seq_len: int, channels: int, train_windows: int,
           epoch_seconds: float, at: float | None = None) -> None:
    """A finished epoch (not the first: it compiles) of ``train_windows`` windows."""
    if train_windows <= 0 or not math.isfinite(epoch_seconds) or epoch_seconds <= 0:
        return
    m = Measured(epoch_seconds / train_windows, seq_len * channels,
                 time.time() if at is None else at)
    with _lock:
        _measured[architecture] = m


def forget() -> None:
    """Drop every measurement (tests; the built-in figures stand in again)."""
    with _lock:
        _measured.clear()


def estimate(data: DataConfig, model: ModelConfig) -> Estimate:
    """Seconds an epoch of these settings will take, and what the figure rests on."""
    arch = model.architecture
    elements = data.seq_len * (data.n_features + 1)
    with _lock:
        m = _measured.get(arch)
    if m is not None:
        per = m.seconds_per_window * (elements / m.elements) ** SHAPE_EXPONENT
        basis = f"from this server's last {arch} epoch"
        if m.elements != elements:
            basis += ", scaled to this window size"
    else:
        per = (BUILTIN_SECONDS_PER_WINDOW * families.cost_ratio(arch)
               * (elements / BUILTIN_ELEMENTS) ** SHAPE_EXPONENT)
        basis = f"a 2-core CPU's figure for {arch}; none has run on this server yet"
    return Estimate(per * data.n_train(), basis)


def format_seconds(seconds: float) -> str:
    """'under a second', '40 s', '3 min', '2.5 h': rounded as an estimate deserves."""
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
