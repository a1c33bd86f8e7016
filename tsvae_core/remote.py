"""Runs on a Ray cluster, the cluster side: which cluster (``TSVAE_RAY``), joining it
once per process, and the Ray actor class that holds a run
(``tsvae_core.remote_actor.SessionActor``). ``tsvae_core.sessions.make_session`` picks a
run's kind.

The server-side proxy of a remote run is ``tsvae_core.remote_session.RemoteSession``.
This module is light on purpose (no Keras, no Ray at import): ``tsvae --help`` and the
app import it. Ray is imported only inside functions: with ``TSVAE_RAY`` unset nothing
here touches it.
"""
from __future__ import annotations

import logging
import os
import re
import socket
import threading

log = logging.getLogger(__name__)

RAY_ENV = "TSVAE_RAY"
_connect_lock = threading.Lock()
_cluster: dict = {}   # what connect() learnt (address, gpus) and the actor class


def ray_address() -> str:
    """The Ray cluster runs go to (``TSVAE_RAY``): '' for in-process runs, 'local' for a
    Ray instance started by this process, else an address such as HOST:6379."""
    return os.environ.get(RAY_ENV, "").strip()


def connect(address: str | None = None) -> dict:
    """Join the cluster once per process (``local`` starts one); returns what it has.
    Blocks for seconds: the server calls it at start-up, before any page exists."""
    import ray

    address = ray_address() if address is None else address
    with _connect_lock:
        if not ray.is_initialized():
            check_reachable(address)
            ray.init(address=address or "local", include_dashboard=False,
                     logging_level=logging.WARNING)
        if "gpus" not in _cluster:
            _cluster.update(address=address, gpus=ray.cluster_resources().get("GPU", 0))
            log.info("Ray cluster %s: %s", address, ray.cluster_resources())
    return {k: _cluster[k] for k in ("address", "gpus")}


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """ConnectionError naming the address when a HOST:PORT cluster does not answer (Ray
    itself would retry for minutes); 'local', 'auto' and ray:// addresses pass."""
    host, sep, port = address.rpartition(":")
    if not sep or "://" in address or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ConnectionError(f"no Ray cluster answers at {address} ({exc}); start one "
                              f"with `ray start --head --port {port}`") from None


def actor_class():
    """``SessionActor`` as a Ray actor class (made once): one CPU, one GPU when the
    cluster has any; threaded, with controls in order in their own group and the long
    poll in another, so a control never waits behind a poll."""
    import ray

    from .remote_actor import SessionActor

    if "actor" not in _cluster:
        gpus = 1 if connect().get("gpus", 0) else 0
        _cluster["actor"] = ray.remote(num_cpus=1, num_gpus=gpus, max_concurrency=4,
                                       concurrency_groups={"control": 1, "poll": 1}
                                       )(SessionActor)
    return _cluster["actor"]


#: Lines of Ray's error texts that name the actor rather than say what happened.
_ID_LINE = re.compile(r"^\s*(class_name|actor_id|pid|name|namespace):")


def death_message(exc: BaseException) -> str:
    """A short cause of a Ray failure for the page: Ray's text without the actor's ids
    (it keeps the node's address and the reason: killed, out of memory, node died)."""
    lines = [ln for ln in str(exc).splitlines() if not _ID_LINE.match(ln)]
    text = re.sub(r"\s+", " ", " ".join(lines)).strip()
    return f"the Ray actor running this run died ({type(exc).__name__}): {text[:400]}"
