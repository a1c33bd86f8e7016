"""What the rest of tsvae uses of a run, named once.

Three classes hold a run: ``TrainingSession`` (tsvae_core.session.training, the run in
this process), ``RemoteSession`` (tsvae_core.ray.run_proxy, a run in a Ray actor, seen
from the server) and ``RemoteTrial`` (tsvae_core.ray.trial, a sweep trial in a Ray actor).
They used to match by convention; these protocols say what they share:

- ``Run``: what a sweep (tsvae_core.sweep.run) and the server's run registry
  (app.server.runs) use: controls, the event queue, the thread's life, the status, the
  saved model. All three provide it.
- ``Session``: a ``Run`` a tab watches and inspects (the page's controls, the data it
  shows, the snapshot's encode/decode/reconstruct). ``TrainingSession`` and
  ``RemoteSession`` provide it. The members are exactly those ``app/`` reads or calls on
  a session; a new one is added here first.

``runtime_checkable``: ``isinstance(x, Session)`` checks that every member is there (not
their signatures; tests/core/test_session_protocol.py checks those too).
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Run(Protocol):
    """A run that trains in its own thread or process and reports through events."""

    status: str     # tsvae_core.events: idle, running, paused, stopped, finished, failed
    message: str    # why it has that status ('' when it says nothing)
    nice: int       # OS niceness of the training thread, set before ``start``

    def start(self) -> None: ...

    def stop(self) -> None:
        """Stop within one batch; returns at once."""

    def close(self) -> None:
        """The owner is gone: stop and free what the run holds (a Ray actor: killed)."""

    def drain(self) -> list:
        """The events (tsvae_core.events) since the last drain; never waits long."""

    def is_alive(self) -> bool: ...

    def join(self, timeout: float | None = None) -> None: ...

    def save(self, path) -> None:
        """Write the last finished epoch's model to ``path`` (a ``.keras`` file)."""


@runtime_checkable
class Session(Run, Protocol):
    """A run a tab drives and inspects (app/)."""

    data: Any         # tsvae_core.config.DataConfig, the run's own copy
    model_cfg: Any    # ModelConfig
    train: Any        # TrainConfig
    dataset: Any      # tsvae_core.data.Dataset, None while a real source is not read
    device: str       # where it trains, for the page
    epoch: int        # epochs finished
    n_epochs: int
    subset: Any       # validation indices the latent view shows; None before the data

    @property
    def family(self) -> type | None:
        """The model family's class, once there is a model."""

    @property
    def snapshot_ready(self) -> bool:
        """Whether encode/decode/reconstruct/save have weights to use."""

    def step(self) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def set_learning_rate(self, lr: float) -> None: ...

    def set_recon_indices(self, indices) -> None: ...

    def set_probes(self, probes: dict | None) -> None: ...

    def set_anomaly_config(self, cfg) -> None: ...

    def n_val(self) -> int | None: ...

    def encode(self, x): ...

    def decode(self, z, time_value=None): ...

    def reconstruct(self, indices): ...

    def loaded_view(self): ...
