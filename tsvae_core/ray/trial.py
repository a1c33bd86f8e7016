"""Sweep trials on a Ray cluster: each trial's TrainingSession lives in a Ray actor, the
same ``SessionActor`` (tsvae_core.ray.actor) a tab's remote run uses.

``RemoteTrial`` is a ``Run`` (tsvae_core.session.protocol) as a local TrainingSession is,
so ``tsvae_core.sweep.run`` drives either alike: ``start``/``stop``/``drain``/``is_alive``/
``join``/``save``/``close`` and ``status``/``message``, answered by the actor. Its calls
block the sweep's own worker thread, never a server's event loop. An actor that dies
(killed, out of memory, node lost) makes the trial ``failed`` with the cause; the sweep
goes on with the next trial. The saved model travels back as bytes, so the cluster needs
no shared disk.

Ray is an optional extra (``tsvae[ray]``), imported only inside functions.
"""
from __future__ import annotations

import logging
import threading

from .. import events as ev
from ..safe_files import write_bytes
from ..short_text import shorten
from .cluster import actor_class

log = logging.getLogger(__name__)


class DataFiles:
    """A sweep's data files in Ray's object store, each read and sent once for all its
    trials (the workers have no copy of the server's file)."""

    def __init__(self, fixed: dict):
        """``fixed``: the sweep's fixed settings; their file is read now, so one that
        cannot be read stops the sweep at its start (ValueError naming data_path)."""
        from ..config import DataConfig
        self._lock = threading.Lock()
        self._refs: dict = {}
        if fixed.get("data_path"):
            self.ref(DataConfig(**{k: fixed[k] for k in ("source", "data_path") if k in fixed}))

    def ref(self, data):
        """The object ref of ``data``'s file bytes; None for a source that reads no file.
        ValueError naming data_path when the file cannot be read."""
        from ..sources.file_bytes import data_file_bytes, reads_a_file
        if not reads_a_file(data):
            return None
        with self._lock:
            if data.data_path not in self._refs:
                import ray
                self._refs[data.data_path] = ray.put(data_file_bytes(data))
            return self._refs[data.data_path]


class RemoteTrial:
    """A trial that trains in a Ray actor, as a ``Run``."""

    POLL_S = 0.2  # how long the actor waits for the next event per poll

    def __init__(self, data, model, train, data_file=None):
        """The trial's configs (checked: ``make_configs``); ``data_file``: ``DataFiles.ref``
        of its data (None: no file source)."""
        # a trial takes one CPU and no GPU, as it always has: a sweep runs as many trials
        # at once as the cluster has CPUs (tsvae_core.sweep.run)
        self.actor = actor_class().options(num_gpus=0).remote(data, model, train,
                                                              None, None, None, data_file)
        self.status, self.message = ev.IDLE, ""
        self.nice = 0  # what a local session would take; a worker keeps its own
        self._alive = False

    def _call(self, method: str, *args, group: str | None = None):
        """A blocking call to the actor; its death fails the trial instead of raising."""
        import ray
        call = getattr(self.actor, method)
        if group is not None:
            call = call.options(concurrency_group=group)
        try:
            return ray.get(call.remote(*args))
        except ray.exceptions.RayError as exc:
            self._alive = False
            self.status = ev.FAILED
            self.message = shorten(f"the trial's Ray actor died: {type(exc).__name__}: {exc}", 500)
            return None

    def start(self) -> None:
        self._alive = True
        self.status = ev.RUNNING
        self._call("start", group="control")

    def stop(self) -> None:
        if self._alive:  # not awaited: Stop must not wait for an epoch
            self.actor.stop.options(concurrency_group="control").remote()

    def is_alive(self) -> bool:
        return self._alive

    def drain(self) -> list:
        """The events since the last drain: the actor's long poll (up to ``POLL_S``)."""
        answer = self._call("poll", None, self.POLL_S, group="poll") if self._alive else None
        if answer is None:
            return []
        self.status, self.message = answer["status"], answer["message"]
        self._alive = not answer["ended"]
        return answer["events"]

    def join(self, timeout: float | None = None) -> None:
        """Nothing to wait for here: ``drain`` waits inside the actor."""

    def save(self, path: str) -> None:
        data = self._call("model_bytes")
        if data is None:
            raise RuntimeError(self.message)
        write_bytes(path, data)  # a temporary file, then an atomic rename

    def close(self) -> None:
        import ray
        try:
            ray.kill(self.actor)
        except Exception as exc:  # already gone
            log.info("killing the trial's actor: %s", exc)
