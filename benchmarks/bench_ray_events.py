"""What Ray adds to an epoch's event on its way to the page.

    .venv/bin/python benchmarks/bench_ray_events.py --preset quick --epochs 8
    .venv/bin/python benchmarks/bench_ray_events.py --address HOST:6379   # a real cluster

Trains the same settings twice, in this process (``TrainingSession``) and in a Ray actor
(``RemoteSession``; a local Ray instance unless ``--address``), draining each as the
page's periodic callback does, but every millisecond. For every epoch after the first
(which compiles) it prints the delay from the event's making (``EpochEnd.wall_time``, set
where the epoch ended) to its arrival in ``drain``, and the epoch's seconds. The
difference of the median delays is the per-epoch overhead Ray adds to an event's arrival
(pickling, the long poll's round trip, copying the weights into the server's snapshot).
Both clocks are this machine's unless ``--address`` names another node.
Numbers, not pass/fail (tests/core/test_remote.py checks the behaviour).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tsvae_core import events as ev  # noqa: E402
from tsvae_core.config import make_configs  # noqa: E402
from tsvae_core.session.training import TrainingSession  # noqa: E402


def delays(session) -> list[tuple[int, float, float]]:
    """(epoch, seconds from the event's making to its arrival, epoch seconds), per epoch."""
    out = []
    session.start()
    while True:
        for e in session.drain():
            if isinstance(e, ev.EpochEnd):
                out.append((e.epoch, time.time() - e.wall_time, e.epoch_seconds))
        if not session.is_alive() and session.status in ev.ENDED:
            break
        time.sleep(0.001)
    for e in session.drain():
        if isinstance(e, ev.EpochEnd):
            out.append((e.epoch, time.time() - e.wall_time, e.epoch_seconds))
    if session.status != ev.FINISHED:
        raise SystemExit(f"run ended {session.status}: {session.message}")
    return out


def report(name: str, rows: list[tuple[int, float, float]]) -> float:
    later = rows[1:] or rows  # the first epoch traces and compiles
    ms = [d * 1e3 for _, d, _ in later]
    print(f"{name:10s} epochs {len(rows):3d}  event delay ms: median {statistics.median(ms):7.2f}"
          f"  mean {statistics.mean(ms):7.2f}  max {max(ms):7.2f}   epoch s: median "
          f"{statistics.median(s for *_, s in later):.3f}")
    return statistics.median(ms)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="quick")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--architecture", default=None, help="default: the preset's")
    p.add_argument("--address", default="local", help="Ray cluster (default: start one here)")
    args = p.parse_args()
    overrides = dict(epochs=args.epochs)
    if args.architecture:
        overrides["architecture"] = args.architecture

    import ray

    from tsvae_core.ray.run_proxy import RemoteSession

    t0 = time.perf_counter()
    if args.address == "local":
        ray.init(num_cpus=2, include_dashboard=False, logging_level="warning")
    else:
        ray.init(address=args.address, logging_level="warning")
    print(f"Ray start-up: {time.perf_counter() - t0:.1f} s; resources {ray.cluster_resources()}")
    local = report("in-process", delays(TrainingSession(*make_configs(args.preset, **overrides))))
    t0 = time.perf_counter()
    remote = RemoteSession(*make_configs(args.preset, **overrides))
    rows = delays(remote)
    print(f"Ray run (actor start included): {time.perf_counter() - t0:.1f} s on {remote.device}")
    on_ray = report("Ray actor", rows)
    print(f"per-epoch overhead Ray adds to an event's arrival: {on_ray - local:.1f} ms (median)")
    ray.shutdown()


if __name__ == "__main__":
    main()
