"""How big a run's data are, said before Start, and when to ask before starting.

A link such as ``?repeats=1000&noise_size=1000000`` is within every field's range but
makes about 29,000 batches an epoch (half an hour an epoch on a 2-core CPU) and a
gigabyte of windows. The sidebar shows the size of the current settings and the
estimated time of an epoch (app.tab.epoch_estimate); Start (and Step) above either threshold
first ask for a "Start anyway", saying the estimate too. The thresholds stay on batches
and bytes: the estimate is rough, and a preset must never ask.
"""
from __future__ import annotations

from dataclasses import dataclass

from tsvae_core.config import DataConfig, ModelConfig, TrainConfig

from .epoch_estimate import estimate

#: Above these a Start asks first (an epoch of minutes, or a window array of a GiB).
MAX_QUIET_BATCHES = 2_000
MAX_QUIET_BYTES = 2**30


@dataclass(frozen=True)
class DataSize:
    windows: int
    train_windows: int
    bytes: int
    batches: int  # training batches an epoch (the last one may be partial)

    @property
    def mb(self) -> float:
        return self.bytes / 2**20


def data_size(data: DataConfig, train: TrainConfig) -> DataSize:
    n_train = data.n_train()
    return DataSize(windows=data.n_windows(), train_windows=n_train,
                    bytes=data.window_bytes(),
                    batches=-(-n_train // max(train.batch_size, 1)))


def size_summary(data: DataConfig, train: TrainConfig, model: ModelConfig | None = None) -> str:
    """One line for the sidebar: windows, their memory, batches an epoch (and, given the
    model settings, the estimated epoch time). A real source's size is known once it is
    read: the data line under it (``TabState.data_note``) says it then."""
    if not data.is_synthetic():
        return f"Data: source {data.source}; its windows are counted once it is read"
    s = data_size(data, train)
    line = (f"Data: {s.windows:,} windows ({s.mb:,.1f} MB); {s.batches:,} batches of "
            f"{train.batch_size} an epoch")
    return line if model is None else f"{line}; {estimate(data, model).text()}"


def size_warning(data: DataConfig, train: TrainConfig, model: ModelConfig | None = None) -> str:
    """'' for a run of ordinary size; else what makes it large, to confirm before Start."""
    if not data.is_synthetic():
        return ""  # bounded by the file size limit and sources.check_dataset
    s = data_size(data, train)
    reasons = []
    if s.batches > MAX_QUIET_BATCHES:
        reasons.append(f"{s.batches:,} batches an epoch (more than {MAX_QUIET_BATCHES:,}: "
                       "an epoch may take many minutes)")
    if s.bytes > MAX_QUIET_BYTES:
        reasons.append(f"{s.bytes / 2**30:.2f} GiB of windows (more than "
                       f"{MAX_QUIET_BYTES / 2**30:.0f} GiB of the server's memory)")
    if not reasons:
        return ""
    took = f"; {estimate(data, model).text()}" if model is not None else ""
    return ("This run is large: " + " and ".join(reasons) + f"; {s.windows:,} windows{took}. "
            "Lower repeats, noise_size or n_patterns, raise batch_size, or start anyway.")
