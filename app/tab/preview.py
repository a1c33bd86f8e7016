"""A tab's data before its run makes its own: generated (or read: a real source's file
is parsed here too) off the event loop, shown in the
Generated data card, and handed to the next run when its settings still match.

Generation runs in a small thread pool shared by all tabs (the paper preset takes 1-2 s);
``take`` is called from the event loop's periodic poll and never waits. The Generated data
card draws whatever ``show`` sends to its pipe.
"""
from __future__ import annotations

import concurrent.futures

from tsvae_core.config import DataConfig, config_values
from tsvae_core.data import Dataset
from tsvae_core.sources import build_dataset

_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="tsvae-preview")


class DataPreview:
    """The last dataset generated for the tab's data settings, and the one being made."""

    def __init__(self, pipe):
        self.pipe = pipe  # the Generated data card's stream
        self.dataset: Dataset | None = None
        self._values: dict | None = None         # the settings ``dataset`` was made from
        self._future: concurrent.futures.Future | None = None
        self._future_values: dict | None = None
        #: The settings whose data could not be made (a bad file), until data are made
        self.failed_values: dict | None = None

    def request(self, data: DataConfig) -> None:
        """Generate the data of ``data``'s current settings (the previous request is
        cancelled if it has not started)."""
        values = config_values(data)
        if self._future is not None:
            self._future.cancel()
        self._future = _POOL.submit(build_dataset, DataConfig(**values))
        self._future_values = values

    def take(self) -> tuple[Dataset, DataConfig] | None:
        """(dataset, its settings) once the requested data are ready, else None; a
        failed generation raises its exception here, once."""
        fut = self._future
        if fut is None or not fut.done():
            return None
        self._future = None
        if fut.cancelled():
            return None
        try:
            ds = fut.result()
        except Exception:
            self.failed_values = self._future_values
            raise
        self.failed_values = None
        self.dataset, self._values = ds, self._future_values
        return ds, DataConfig(**self._future_values)

    def show(self, ds: Dataset, seq_len: int) -> None:
        """Draw a dataset's series and first pattern (this one's or a run's own)."""
        self.pipe.send(dict(series=ds.series, row_labels=ds.row_labels,
                            channel_names=list(ds.channel_names), seq_len=seq_len))

    def fails(self, data: DataConfig) -> bool:
        """Whether ``data``'s current settings are the ones whose data could not be made."""
        return self.failed_values is not None and self.failed_values == config_values(data)

    def matching(self, data: DataConfig) -> Dataset | None:
        """The dataset, if it was made from ``data``'s current settings (a run reuses it)."""
        return self.dataset if self._values == config_values(data) else None

    def close(self) -> None:
        """Cancel what is being made and let go of the dataset."""
        if self._future is not None:
            self._future.cancel()
        self._future = None
        self.dataset = self._values = self.failed_values = None
