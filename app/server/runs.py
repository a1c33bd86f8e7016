"""Server-wide registry of training runs: caps concurrent trainings, feeds /debug/sessions.

A tab's sweep that trains on this server holds one slot too, under the tab name
"<tab> sweep" (its trials train one at a time); a sweep on a Ray cluster holds none.

Bokeh executes app/main.py afresh for every browser tab, but this module is imported
once per server process, so its REGISTRY is shared by all tabs. Entries hold only weak
references to sessions: a closed tab's model can be freed, and the debug view then says
"released".
"""
from __future__ import annotations

import itertools
import logging
import os
import threading
import time
import weakref

log = logging.getLogger(__name__)

MAX_RUNS_ENV = "TSVAE_MAX_RUNS"
#: Ended runs the debug view keeps (newest); live runs are always kept.
KEEP_ENDED = 20


def default_max_runs() -> int:
    """TSVAE_MAX_RUNS if set, else 1 per GPU, else 2 (CPU)."""
    env = os.environ.get(MAX_RUNS_ENV, "").strip()
    if env:
        value = int(env)
        if value < 1:
            raise ValueError(f"{MAX_RUNS_ENV}={env!r}: must be an integer >= 1")
        return value
    return count_gpus() or 2


def count_gpus() -> int:
    try:
        import keras
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf
            return len(tf.config.list_physical_devices("GPU"))
    except Exception as exc:  # no working backend: behave as a CPU server
        log.warning("could not count GPUs: %s", exc)
    return 0


def sweep_key(tab: str) -> str:
    """The registry's name for ``tab``'s sweep."""
    return f"{tab} sweep"


class RunRegistry:
    """Thread-safe set of runs; a run counts as active while its thread is alive."""

    def __init__(self, max_runs: int | None = None):
        self._lock = threading.Lock()
        self._max_runs = max_runs
        self._entries: dict[int, dict] = {}
        self._ids = itertools.count(1)

    @property
    def max_runs(self) -> int:
        with self._lock:
            if self._max_runs is None:
                self._max_runs = default_max_runs()
            return self._max_runs

    @max_runs.setter
    def max_runs(self, value: int) -> None:
        with self._lock:
            self._max_runs = int(value)

    def active(self) -> int:
        with self._lock:
            return self._count_active()

    def _count_active(self) -> int:
        return sum(1 for e in self._entries.values()
                   if (s := e["ref"]()) is not None and s.is_alive())

    def busy_message(self, n: int) -> str:
        """What a refused Start says: ``n`` runs active against the limit."""
        return (f"busy, {n} runs active (the server allows {self.max_runs}); "
                f"try again when one ends")

    def is_full(self) -> bool:
        """Whether a Start now would be refused for the limit (a quick answer for the
        page; ``try_start`` decides)."""
        return self.active() >= self.max_runs

    def live_runs(self, tab: str) -> list:
        """The sessions of ``tab`` whose threads still run (a stopped run's thread ends
        after its current step)."""
        with self._lock:
            return self._live_of(tab)

    def _live_of(self, tab: str) -> list:
        return [s for e in self._entries.values()
                if e["tab"] == tab and (s := e["ref"]()) is not None and s.is_alive()]

    def try_start(self, session, tab: str, action: str = "start") -> tuple[bool, int]:
        """Start ``session`` (``action`` "start" or "step") unless the limit is reached
        or ``tab`` still has a live run (one tab, at most one run).

        Returns (started, active runs). Checking and starting under one lock keeps two
        tabs pressing Start at the same moment from both getting the last slot.
        """
        limit = self.max_runs
        with self._lock:
            n = self._count_active()
            if any(s is not session for s in self._live_of(tab)):
                log.info("run refused for tab %s: its previous run still runs", tab)
                return False, n
            if n >= limit:
                log.info("run refused for tab %s: %d of %d runs active", tab, n, limit)
                return False, n
            getattr(session, action)()
            run_id = next(self._ids)
            self._entries[run_id] = dict(run=run_id, tab=tab, ref=weakref.ref(session),
                                         started=time.time(), closed=False)
            self._prune()
            log.info("run %d started for tab %s (%d of %d active)", run_id, tab, n + 1, limit)
            return True, n + 1

    def mark_closed(self, tab: str) -> None:
        """The tab's browser session was destroyed (its runs were told to stop)."""
        with self._lock:
            for e in self._entries.values():
                if e["tab"] in (tab, sweep_key(tab)):
                    e["closed"] = True
            self._prune()

    def _prune(self) -> None:
        ended = [k for k, e in self._entries.items()
                 if (s := e["ref"]()) is None or not s.is_alive()]
        for k in ended[:-KEEP_ENDED] if len(ended) > KEEP_ENDED else []:
            del self._entries[k]

    def snapshot(self) -> dict:
        """Plain-data view for the debug endpoint and the log."""
        limit = self.max_runs
        with self._lock:
            self._prune()
            runs = []
            for e in self._entries.values():
                s = e["ref"]()
                runs.append(dict(run=e["run"], tab=e["tab"], closed=e["closed"],
                                 alive=bool(s is not None and s.is_alive()),
                                 status=s.status if s is not None else "released",
                                 epoch=getattr(s, "epoch", None)))  # a sweep has none
            return dict(max_runs=limit, active=self._count_active(), runs=runs)


REGISTRY = RunRegistry()
