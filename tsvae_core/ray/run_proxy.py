"""Runs on a Ray cluster, the server side: ``RemoteSession``, the proxy of a run whose
``TrainingSession`` lives in a Ray actor (``tsvae_core.ray.actor.SessionActor``).

The proxy is a ``Session`` (tsvae_core.session.protocol) as a local ``TrainingSession``
is, so the Controller cannot tell them apart:

- Controls are fire-and-forget actor calls (``.remote()`` returns at once), sent in one
  ordered "control" group of the actor; nothing on the server's event loop waits on Ray.
- One pump thread per run long-polls the actor (``SessionActor.poll``): the blocking
  ``ray.get`` is there, never in a page callback. It copies the events to a local queue
  (``drain`` reads that) and the last epoch's weights into a local snapshot model, so
  inspection, probes' re-encoding and saving run on the server exactly as for a local
  run, without a round trip.
- The actor exists only from Start to the end of the run; then it is killed, freeing
  its worker (and GPU). An actor that dies (``ray.kill``, out of memory, node lost) ends
  the run as ``failed`` with the cause; ``close`` (a closed tab) kills it at once.

Ray is imported only inside functions (the cluster itself: ``tsvae_core.ray.cluster``).
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np

from .. import events as ev
from ..config import DataConfig, ModelConfig, TrainConfig, copy_config
from ..config_rules import validate
from ..device import lower_thread_priority
from ..initial_model import load_initial
from ..models import BUILD_LOCK, build_model
from ..session.control import RunControl
from ..session.snapshot import Snapshot, SnapshotInspection
from ..session.training import checked_recon_indices, subset_indices, validation_count
from ..sources import build_dataset, model_input
from ..sources.file_bytes import data_file_bytes
from ..sources.spec import window_shape
from .cluster import actor_class, death_message

log = logging.getLogger(__name__)

#: Longest wait of one poll for the actor's next event; it answers as soon as one comes.
POLL_WAIT_S = 0.5


class RemoteSession(SnapshotInspection):
    """A ``TrainingSession`` look-alike whose training runs in a Ray actor."""

    def __init__(self, data: DataConfig, model: ModelConfig, train: TrainConfig,
                 dataset=None, initial_model=None):
        validate(data, model, train)
        self.data, self.model_cfg, self.train = (copy_config(c) for c in (data, model, train))
        self.dataset = dataset
        self.model = None   # the trained model is the actor's; inspection uses the snapshot
        self.device, self.nice = "Ray", 0
        #: status, phase and event sink, as a local session's (mirrored from the actor's)
        self.control = RunControl()
        self.epoch, self.n_epochs = 0, self.train.epochs
        self.history: list[dict[str, float]] = []
        if initial_model is not None and self.dataset is None and not self.data.is_synthetic():
            self.dataset = build_dataset(self.data)  # the file's shape, to check the model
        self.snapshot = Snapshot(window_shape(self.data, self.dataset))
        self.subset = None
        self._recon_indices = np.array([0])
        self._probes = None
        self._initial_bytes = None
        if initial_model is not None:  # checked here, at load, as a local session does
            if not isinstance(initial_model, (str, os.PathLike)):
                raise ValueError("initial_model: a remote run takes a .keras path (the "
                                 "file's bytes travel to the actor)")
            _, loaded = load_initial(initial_model, self.model_input, self.model_cfg)
            self.snapshot.take(loaded, loaded=True)
            self._initial_bytes = Path(initial_model).read_bytes()
        # a file source's file travels too: it is not on the worker's node
        self._data_file = data_file_bytes(self.data)
        self._actor = None
        self._closed = False
        self._ended = threading.Event()
        self._pump: threading.Thread | None = None

    # ---- controls (any thread; none waits for Ray) ----
    def start(self) -> None:
        self._launch("start")

    def step(self) -> None:
        """One more epoch, then pause (from idle: start and do epoch 1)."""
        if self._actor is None:
            self._launch("step")
        else:
            self._send("step")

    def pause(self) -> None:
        self._send("pause")

    def resume(self) -> None:
        self._send("resume")

    def stop(self) -> None:
        if self._actor is None:
            if self.status == ev.IDLE:
                self._set_status(ev.STOPPED)
                self._ended.set()
            return
        self._send("stop")

    def close(self) -> None:
        """The owner (a closed tab) is gone: kill the actor now."""
        self._closed = True
        if self._actor is not None:
            self._kill()
        else:
            self.stop()

    def set_learning_rate(self, lr: float) -> None:
        """Bounds are checked here (param's ValueError); applies at the actor's next batch."""
        self.train.learning_rate = lr
        self._send("set_learning_rate", float(self.train.learning_rate))

    def n_val(self) -> int | None:
        """Validation windows; None while a real source's data are not read yet."""
        return validation_count(self.data, self.dataset)

    def set_recon_indices(self, indices) -> None:
        self._recon_indices = checked_recon_indices(self.n_val(), indices)
        self._send("set_recon_indices", self._recon_indices)

    def set_probes(self, probes: dict | None) -> None:
        self.snapshot.set_probes(probes)  # for a loaded model's epoch 0, drawn here
        self._probes = probes
        self._send("set_probes", probes)

    # ---- reading (any thread) ----
    def drain(self, max_items: int | None = None) -> list:
        return self.control.drain(max_items)

    def join(self, timeout: float | None = None) -> None:
        self._ended.wait(timeout)

    def is_alive(self) -> bool:
        """Started and not yet ended (stopped, finished, failed or its actor gone)."""
        return self._actor is not None and not self._ended.is_set()

    @property
    def model_input(self):
        """What the models read of the data (as ``TrainingSession.model_input``)."""
        return model_input(self.data, self.dataset)

    @property
    def family(self) -> type | None:
        return None if self.snapshot.model is None else type(self.snapshot.model)

    def _subset_indices(self) -> np.ndarray:
        return subset_indices(len(self.dataset.x_val), self.train.latent_subset)

    # ---- the actor ----
    def _launch(self, action: str) -> None:
        if self._actor is not None:
            raise RuntimeError(f"session already started (status {self.status})")
        self._actor = actor_class().remote(self.data, self.model_cfg, self.train,
                                           self._initial_bytes, self._recon_indices,
                                           self._probes, self._data_file)
        self._set_status(ev.RUNNING, "waiting for a Ray worker")
        self._send(action)
        self._pump = threading.Thread(target=self._run_pump, name="tsvae-ray-pump",
                                      daemon=True)
        self._pump.start()

    def _send(self, method: str, *args) -> None:
        """Call ``method`` on the actor without waiting (nothing to do before Start: the
        state goes with the actor's creation)."""
        actor = self._actor
        if actor is not None and not self._ended.is_set():
            getattr(actor, method).options(concurrency_group="control").remote(*args)

    def _kill(self) -> None:
        import ray
        try:
            ray.kill(self._actor)
        except Exception as exc:  # already gone
            log.info("killing the run's actor: %s", exc)

    def _set_status(self, status: str, message: str = "") -> None:
        with self.control.lock:
            self.control.set_status(status, message)

    @property
    def status(self) -> str:
        return self.control.status

    @property
    def message(self) -> str:
        return self.control.message

    @property
    def phase(self) -> str:
        return self.control.phase

    # ---- the pump thread ----
    def _run_pump(self) -> None:
        import ray

        lower_thread_priority(self.nice)  # as a local run's thread: the page comes first
        try:
            if self.dataset is None:  # the same windows as the actor's (same source, seed)
                self.dataset = build_dataset(self.data)
                self.snapshot.window_shape = tuple(self.dataset.x_train.shape[1:])
            self.subset = self._subset_indices()
            while True:
                ref = self._actor.poll.options(concurrency_group="poll").remote(
                    self.snapshot.epoch, POLL_WAIT_S)
                answer = ray.get(ref)  # this thread's wait, never the event loop's
                self._take(answer)
                if answer["ended"]:
                    break
        except Exception as exc:  # the actor died, or a poll could not be read
            if self._closed:
                self._set_status(ev.STOPPED, "stopped: the tab was closed")
            else:
                log.warning("remote run failed: %s", exc)
                died = isinstance(exc, ray.exceptions.RayError)
                self._set_status(ev.FAILED, death_message(exc) if died
                                 else f"{type(exc).__name__}: {exc}")
        finally:
            self._ended.set()
            self._kill()  # its work is done (the weights are here); free the worker

    def _take(self, answer: dict) -> None:
        """One poll's answer: weights into the local snapshot first, so an epoch's event
        is queued only once inspection can use that epoch."""
        if answer["weights"] is not None:
            self._update_snapshot(answer["weights"], answer["weights_epoch"])
        c = self.control
        c.phase, self.epoch = answer["phase"], answer["epoch"]
        self.device = f"{answer['device']} on Ray node {answer['node']}"  # where it trains
        for e in answer["events"]:
            if isinstance(e, ev.StatusChanged):
                c.status, c.message = e.status, e.message
            elif isinstance(e, ev.EpochEnd):
                self.history.append(dict(e.logs))
            c.publish(e)
        c.status, c.message = answer["status"], answer["message"]

    def _update_snapshot(self, weights: list, epoch: int) -> None:
        if self.snapshot.model is None:  # a loaded model is already of the architecture
            with BUILD_LOCK:
                # the real windows' shape: a file's channels are not the synthetic ones
                model = build_model(self.model_input, self.model_cfg)
                model.build((None, *self.dataset.x_train.shape[1:]))
            self.snapshot.take(model)
        self.snapshot.update(weights, epoch)
