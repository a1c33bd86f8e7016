"""The Ray cluster: which one (``TSVAE_RAY``), joining it once per process (``connect``,
for the tabs' runs and the sweeps' trials alike), and the one Ray actor class that holds
a run (``tsvae_core.ray.actor.SessionActor``). ``tsvae_core.sessions.make_session`` picks a
run's kind.

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

from ..short_text import shorten

log = logging.getLogger(__name__)

RAY_ENV = "TSVAE_RAY"
_connect_lock = threading.Lock()
_cluster: dict = {}   # what connect() learnt (address, gpus) and the actor class


def ray_address() -> str:
    """The Ray cluster runs go to (``TSVAE_RAY``): '' for in-process runs, 'local' for a
    Ray instance started by this process, else an address such as HOST:6379."""
    return os.environ.get(RAY_ENV, "").strip()


def connect(address: str | bool | None = None) -> dict:
    """Join the cluster once per process; returns what it has: ``address``, ``gpus`` and
    ``cpus`` (how many one-CPU runs fit at once). ``address``: HOST:PORT or ray://...;
    "local" starts a Ray instance here; True uses the Ray this process has initialised
    (else starts one); None: ``TSVAE_RAY``. Blocks for seconds: the server calls it at
    start-up, a sweep in its own thread, never a page's callback."""
    import ray

    address = ray_address() if address is None else address
    where = "local" if address in (True, "local", "") else address
    with _connect_lock:
        if not ray.is_initialized():
            check_reachable(where)
            # log_to_driver off: every worker's TensorFlow start-up would fill the server's
            # or the sweep's console; a run's failure reaches its owner as an event
            context = ray.init(address=where, include_dashboard=LOCAL_DASHBOARD,
                               logging_level=logging.WARNING, log_to_driver=False)
            if where == "local":
                remember_local(context)
        if "gpus" not in _cluster:
            resources = ray.cluster_resources()
            _cluster.update(address=where, gpus=resources.get("GPU", 0),
                            cpus=max(1, int(resources.get("CPU", 1))))
            log.info("Ray cluster %s: %s", where, resources)
    return {k: _cluster[k] for k in ("address", "gpus", "cpus")}


#: ray.init's include_dashboard for an instance started here: None starts Ray's dashboard
#: when its packages are installed (``pip install 'ray[default]'``; the ``ray`` extra's
#: plain Ray has none), which `ray list` and `ray summary` need; it listens on loopback.
LOCAL_DASHBOARD = None


def remember_local(context) -> None:
    """Keep how to inspect the Ray instance this process started (``context``: what
    ray.init returned) for ``inspection_hint``."""
    import ray
    _cluster["inspect"] = dict(gcs=ray.get_runtime_context().gcs_address,
                               dashboard=context.dashboard_url or "",
                               token=os.environ.get("RAY_AUTH_MODE", "").lower() == "token")


def inspection_hint() -> str:
    """Shell commands that inspect the Ray instance this process started ('' when it
    joined a cluster or started none). Ray's CLI reads the token (~/.ray/auth_token)
    only when told that the cluster wants one (RAY_AUTH_MODE=token); ray.init turns
    token authentication on for a new local instance but only in its own process."""
    found = _cluster.get("inspect")
    if not found:
        return ""
    env = "RAY_AUTH_MODE=token " if found["token"] else ""
    gcs = found["gcs"]
    lines = [f"a local Ray instance at {gcs}; inspect it from a shell on this machine:",
             f"    {env}ray status --address {gcs}          # nodes; CPUs/GPUs the runs hold"]
    if found["dashboard"]:
        lines.append(f"    {env}ray list actors --address {gcs}     # one actor per run "
                     f"(Ray's dashboard: http://{found['dashboard']})")
    else:
        lines.append("    (`ray list` and `ray summary` need Ray's dashboard, which this Ray "
                     "lacks: pip install 'ray[default]' and restart)")
    return "\n".join(lines)


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

    from .actor import SessionActor

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
    return f"the Ray actor running this run died ({type(exc).__name__}): {shorten(text, 400)}"
