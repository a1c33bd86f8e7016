"""The tab's periodic callback: the run's events into its record, the server's epoch-time
estimates and the page's streams (``RunStreams.show_events``), on the event loop only.

A mixin of ``app.controller.Controller``, which owns the session, the run history and
the ``can_*`` flags that each poll refreshes.
"""
from __future__ import annotations

from tsvae_core import events as ev

from . import data_size, epoch_estimate


class RunPolling:
    """``poll`` for a Controller (its session, runs, hooks and views)."""

    def poll(self) -> None:
        """Drain the session's events into params and streams (event loop only)."""
        for hook in self.poll_hooks:
            hook()
        self.resend_stranded()
        self._poll()

    def _poll(self) -> None:
        self.take_preview()
        self._take_checked()
        self._refresh_estimate()
        s = self.session
        if s is None:
            self._refresh_actions()
            return
        events = s.drain()
        record = self.runs.get(self.run_id) if self.run_id in self.runs else None
        for e in events:
            if record is not None:
                record.observe(e)
            if isinstance(e, ev.EpochEnd) and e.epoch >= 2:  # the first one compiles
                n_train, seq_len, channels = s.dataset.x_train.shape
                epoch_estimate.record(s.model_cfg.architecture, seq_len, channels, n_train,
                                      e.epoch_seconds)
        self.show_events(events, s)
        if record is not None and any(not isinstance(e, ev.BatchProgress) for e in events):
            self.param.trigger("runs_changed")
        self._refresh_actions()

    def _refresh_estimate(self) -> None:
        """The sidebar's size line follows the server's latest measured epochs (any tab's)."""
        summary = data_size.size_summary(self.data, self.train, self.model)
        if summary != self.size_summary:
            self.size_summary = summary
