"""Sweep trials on a Ray cluster: each trial's TrainingSession lives in a Ray actor.

``RemoteTrial`` stands in for a local TrainingSession in ``tsvae_core.sweep_run``: the
same ``start``/``stop``/``drain``/``is_alive``/``join``/``save`` and ``status``/
``message``, answered by the actor. Its calls block the sweep's own worker thread,
never a server's event loop. An actor that dies (killed, out of memory, node lost)
makes the trial ``failed`` with the cause; the sweep goes on with the next trial.
The saved model travels back as bytes, so the cluster needs no shared disk.

Ray is an optional extra (``tsvae[ray]``), imported only here, when a sweep asks for it.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from . import events as ev
from .safe_files import write_bytes

log = logging.getLogger(__name__)

_ACTOR = None  # the Ray actor class, made once Ray is imported


def connect(address) -> int:
    """Join (or start) Ray: ``address`` "local" starts a local instance, True uses the
    one already initialised (or starts one), else a cluster address; returns how many
    trials fit at once (one CPU each)."""
    import ray

    from .remote import LOCAL_DASHBOARD, remember_local
    if not ray.is_initialized():
        local = address in ("local", True)
        context = ray.init(address=None if local else address,
                           include_dashboard=LOCAL_DASHBOARD, log_to_driver=False)
        if local:
            remember_local(context)
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _actor_class():
    global _ACTOR
    if _ACTOR is None:
        import ray

        @ray.remote(num_cpus=1)
        class TrialActor:
            """One trial's TrainingSession, in a Ray worker process."""

            def __init__(self, preset: str, values: dict, data_file: bytes | None = None):
                """``data_file``: a file source's bytes (the server's file is not here)."""
                from .config import make_configs
                from .sources.file_bytes import dataset_from_file_bytes
                from .session.training import TrainingSession
                configs = make_configs(preset, **values)
                dataset = (None if data_file is None
                           else dataset_from_file_bytes(configs[0], data_file))
                self.session = TrainingSession(*configs, dataset=dataset)

            def start(self):
                self.session.start()

            def stop(self):
                self.session.stop()

            def poll(self, wait_s: float):
                """(events, status, message, alive) after waiting up to ``wait_s``."""
                s = self.session
                s.join(wait_s)
                return s.drain(), s.status, s.message, s.is_alive()

            def model_bytes(self) -> bytes:
                import tempfile
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / "trial.keras"
                    self.session.save(str(path))
                    return path.read_bytes()

        _ACTOR = TrialActor
    return _ACTOR


class DataFiles:
    """A sweep's data files in Ray's object store, each read and sent once for all its
    trials (the workers have no copy of the server's file)."""

    def __init__(self, fixed: dict):
        """``fixed``: the sweep's fixed settings; their file is read now, so one that
        cannot be read stops the sweep at its start (ValueError naming data_path)."""
        from .config import DataConfig
        self._lock = threading.Lock()
        self._refs: dict = {}
        if fixed.get("data_path"):
            self.ref(DataConfig(**{k: fixed[k] for k in ("source", "data_path") if k in fixed}))

    def ref(self, data):
        """The object ref of ``data``'s file bytes; None for a source that reads no file.
        ValueError naming data_path when the file cannot be read."""
        from .sources.file_bytes import data_file_bytes, reads_a_file
        if not reads_a_file(data):
            return None
        with self._lock:
            if data.data_path not in self._refs:
                import ray
                self._refs[data.data_path] = ray.put(data_file_bytes(data))
            return self._refs[data.data_path]


class RemoteTrial:
    """A TrainingSession's face for a trial that trains in a Ray actor."""

    POLL_S = 0.2  # how long the actor waits for its thread per poll

    def __init__(self, preset: str, values: dict, data_file=None):
        """``data_file``: ``DataFiles.ref`` of the trial's data (None: no file source)."""
        self.actor = _actor_class().remote(preset, values, data_file)
        self.status, self.message = ev.IDLE, ""
        self.nice = 0  # what a local session would take; a worker keeps its own
        self._alive = False

    def _call(self, method, *args):
        """A blocking call to the actor; its death fails the trial instead of raising."""
        import ray
        try:
            return ray.get(getattr(self.actor, method).remote(*args))
        except ray.exceptions.RayError as exc:
            self._alive = False
            self.status = ev.FAILED
            self.message = f"the trial's Ray actor died: {type(exc).__name__}: {exc}"[:500]
            return None

    def start(self) -> None:
        self._alive = True
        self.status = ev.RUNNING
        self._call("start")

    def stop(self) -> None:
        if self._alive:
            self.actor.stop.remote()  # not awaited: Stop must not wait for an epoch

    def is_alive(self) -> bool:
        return self._alive

    def drain(self) -> list:
        got = self._call("poll", self.POLL_S) if self._alive else None
        if got is None:
            return []
        events, self.status, self.message, self._alive = got
        return events

    def join(self, timeout: float | None = None) -> None:
        time.sleep(0)  # ``drain`` waits inside the actor

    def save(self, path: str) -> None:
        data = self._call("model_bytes")
        if data is None:
            raise RuntimeError(self.message)
        write_bytes(path, data)  # a temporary file, then an atomic rename

    def close(self) -> None:
        import ray
        try:
            ray.kill(self.actor)
        except Exception:  # already gone
            pass
