"""The Ray side of a remote run: ``SessionActor`` owns one ``TrainingSession`` in a Ray
worker process (on whichever node the cluster places it). A tab's run
(``tsvae_core.ray.run_proxy``) and a sweep's trial (``tsvae_core.ray.trial``) both train in
one, and read it through the same long poll.

Nothing here imports Ray at import: ``tsvae_core.ray.cluster`` wraps this plain class
with ``ray.remote`` when a run starts, so the class stays importable (and testable)
without the extra. Every method returns at once (the training runs in the session's own
thread), except ``poll``, which waits up to ``wait`` seconds for the next event: the
long poll, so an event leaves the worker as soon as it is made, without a busy loop.
"""
from __future__ import annotations

import os
import tempfile

from pathlib import Path

from .. import events as ev
from ..config import DataConfig, ModelConfig, TrainConfig
from ..session.training import TrainingSession
from ..sources.file_bytes import dataset_from_file_bytes


class SessionActor:
    """One run in a Ray worker: the session, its controls, and what the proxy polls."""

    def __init__(self, data: DataConfig, model: ModelConfig, train: TrainConfig,
                 initial_model: bytes | None = None, recon_indices=None, probes=None,
                 data_file: bytes | None = None):
        """``initial_model``: the bytes of a ``.keras`` file (the server's file is not on
        this node); the data are made here from ``data`` (deterministic for its seed, so
        they equal the server's copy, and no windows cross the network), a file source's
        from ``data_file``, the bytes of the server's ``data_path``."""
        path = None
        if initial_model is not None:
            fd, path = tempfile.mkstemp(suffix=".keras")
            with os.fdopen(fd, "wb") as f:
                f.write(initial_model)
        dataset = None if data_file is None else dataset_from_file_bytes(data, data_file)
        try:
            self.session = TrainingSession(data, model, train, dataset=dataset,
                                           initial_model=path)
        finally:
            if path is not None:
                os.unlink(path)
        if recon_indices is not None:
            self.session.set_recon_indices(recon_indices)
        self.session.set_probes(probes)
        import ray  # a Ray worker: it is there
        self.node = ray.util.get_node_ip_address()  # the page says where the run trains

    # ---- controls: the proxy sends these in order (one "control" thread) ----
    def start(self) -> None:
        self.session.start()

    def step(self) -> None:
        self.session.step()

    def pause(self) -> None:
        self.session.pause()

    def resume(self) -> None:
        self.session.resume()

    def stop(self) -> None:
        self.session.stop()

    def set_learning_rate(self, lr: float) -> None:
        self.session.set_learning_rate(lr)

    def set_recon_indices(self, indices) -> None:
        self.session.set_recon_indices(indices)

    def set_probes(self, probes) -> None:
        self.session.set_probes(probes)

    # ---- the proxy's long poll ----
    def poll(self, weights_epoch: int | None, wait: float) -> dict:
        """The events since the last poll (waiting up to ``wait`` s for the first), the
        session's state, and the snapshot's weights when its epoch is newer than
        ``weights_epoch`` (the proxy's copy), so the server inspects and saves locally;
        ``weights_epoch`` None: no weights (a sweep trial asks for its model at the end).

        ``ended`` is read before the rest is drained: once the thread has ended, every
        event it made is in this answer. A run that has said its end (stopped, finished,
        failed) has its thread waited for instead: its proxy then learns at once that it
        ended (the server waits for that before the tab's next Start)."""
        s = self.session
        if s.status in ev.ENDED:  # its end is said: wait for the thread to return instead
            s.join(wait)
            events = []
        else:
            events = s.drain(wait=wait)
        ended = not s.is_alive() and s.status in ev.ENDED
        events += s.drain()
        snap = s.snapshot
        weights, epoch = None, weights_epoch
        if weights_epoch is not None:
            with snap.lock:
                if snap.model is not None and snap.epoch > weights_epoch:
                    weights, epoch = snap.model.get_weights(), snap.epoch
        return dict(events=events, ended=ended, status=s.status, message=s.message,
                    phase=s.phase, device=s.device, node=self.node, epoch=s.epoch,
                    weights=weights, weights_epoch=epoch)

    def model_bytes(self) -> bytes:
        """The saved ``.keras`` file's bytes (``TrainingSession.save``): the model travels
        back whole, so the cluster needs no shared disk."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "run.keras"
            self.session.save(str(path))
            return path.read_bytes()
