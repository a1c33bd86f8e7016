"""What each poll takes from a run: its events into the run's record and the server's
epoch-time estimates. The Controller's ``poll`` (every 200 ms, on the event loop) calls
``take_events`` and hands the events to ``RunStreams.show_events`` for the page.
"""
from __future__ import annotations

from tsvae_core import events as ev
from tsvae_core.runs import RunRecord
from tsvae_core.session.protocol import Session

from . import epoch_estimate


def take_events(s: Session, record: RunRecord | None) -> list:
    """Drain the session ``s``'s events; each is observed by ``record`` (the run's entry
    in the tab's history, if it has one) and every epoch after the first (which compiles)
    is a measurement for the server's epoch-time estimate."""
    events = s.drain()
    for e in events:
        if record is not None:
            record.observe(e)
        if isinstance(e, ev.EpochEnd) and e.epoch >= 2:  # the first one compiles
            n_train, seq_len, channels = s.dataset.x_train.shape
            epoch_estimate.record(s.model_cfg.architecture, seq_len, channels, n_train,
                                  e.epoch_seconds)
    return events


def changes_history(events: list) -> bool:
    """Whether ``events`` change the run's history (anything but in-epoch progress)."""
    return any(not isinstance(e, ev.BatchProgress) for e in events)
