"""Stop latency per phase of a run: data building, model building, first step (trace and
compile), training.

    .venv/bin/python benchmarks/bench_stop.py --presets quick paper --jit on off

For every preset and jit choice: one run left alone measures how long each phase lasts
(``TrainingSession.phase``, polled every millisecond), then one run per phase is stopped
as soon as it enters that phase and the time from ``stop()`` to the thread's end is
printed. Numbers, not pass/fail (tests/core/test_stop.py checks the behaviour).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tsvae_core.config import make_configs  # noqa: E402
from tsvae_core.session.training import TrainingSession  # noqa: E402

PHASES = ("data", "build", "prepare", "compile", "train")


def wait_phase(s: TrainingSession, phase: str, timeout: float = 600.0) -> bool:
    deadline = time.perf_counter() + timeout
    while s.phase != phase:
        if s.phase == "done" or time.perf_counter() > deadline:
            return False
        time.sleep(0.001)
    return True


def phase_durations(configs) -> dict[str, float]:
    """Seconds spent in each phase up to the end of the first training batch."""
    s = TrainingSession(*configs)
    t0 = time.perf_counter()
    s.start()
    seen, at = {}, {}
    while s.phase not in ("train", "done"):
        if s.phase not in seen:
            seen[s.phase] = time.perf_counter() - t0
        time.sleep(0.001)
    seen[s.phase] = time.perf_counter() - t0
    s.stop()
    s.join()
    order = [p for p in PHASES if p in seen]
    for a, b in zip(order, order[1:]):
        at[a] = seen[b] - seen[a]
    return at


def stop_latency(configs, phase: str) -> tuple[float, str, int, str]:
    s = TrainingSession(*configs)
    s.start()
    if not wait_phase(s, phase):
        s.stop()
        s.join()
        return float("nan"), s.status, s.epoch, f"never in {phase}"
    t0 = time.perf_counter()
    s.stop()
    s.join()
    return time.perf_counter() - t0, s.status, s.epoch, ""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--presets", nargs="+", default=["quick"])
    p.add_argument("--jit", nargs="+", default=["on", "off"])
    p.add_argument("--overrides", default="", help="k=v,k=v applied to every preset")
    args = p.parse_args()
    extra = dict(kv.split("=") for kv in args.overrides.split(",") if kv)
    extra = {k: (float(v) if "." in v else int(v)) if v[0].isdigit() else v
             for k, v in extra.items()}
    for preset in args.presets:
        for jit in args.jit:
            def configs():
                return make_configs(preset, jit_compile=jit, epochs=1000, **extra)
            durations = phase_durations(configs())
            print(f"{preset} jit={jit}: phase seconds "
                  + ", ".join(f"{k} {v:.2f}" for k, v in durations.items()), flush=True)
            for phase in PHASES:
                lat, status, epoch, note = stop_latency(configs(), phase)
                print(f"  stop in {phase:8s}: thread ended after {lat:6.3f} s, status "
                      f"{status}, epoch {epoch} {note}", flush=True)


if __name__ == "__main__":
    main()
