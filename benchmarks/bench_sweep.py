"""Wall time of a sweep: 8 trials of the quick preset, trained one after another in this
process (``--workers 2``: two at once, each in its own session thread).

    .venv/bin/python benchmarks/bench_sweep.py [--trials 8] [--epochs 3] [--workers 1 2]

Prints, per worker count: wall time, trials per hour, the trials' own training time and
what the sweep adds on top (data, model building, Optuna, saving models). Numbers, not
pass/fail; results in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def run(trials: int, epochs: int, workers: int) -> dict:
    from tsvae_core.sweep import SweepSpec
    from tsvae_core.sweep_run import Sweep
    from tsvae_core.sweep_space import FieldRange

    space = [FieldRange("learning_rate", 1e-3, 1e-2, log=True),
             FieldRange("latent_dim", 2, 4)]
    spec = SweepSpec(f"bench-{workers}", space, "quick", {"epochs": epochs}, trials,
                     sampler="random", pruner="none")
    with tempfile.TemporaryDirectory(prefix="tsvae-bench-sweep-") as data_dir:
        sweep = Sweep(spec, data_dir, workers=workers)
        t0 = time.perf_counter()
        sweep.run()
        wall = time.perf_counter() - t0
        rows = sweep.rows()
    trained = sum(r.seconds for r in rows)
    return {"workers": workers, "wall": wall, "trained": trained,
            "per_hour": 3600 * len(rows) / wall, "done": sum(r.state == "complete" for r in rows)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--trials", type=int, default=8)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = p.parse_args()
    print(f"{args.trials} trials of quick, {args.epochs} epochs each, {os.cpu_count()} CPUs")
    print("workers | wall s | trials/h | training s (sum) | sweep overhead s | complete")
    for w in args.workers:
        r = run(args.trials, args.epochs, w)
        overhead = r["wall"] - r["trained"] / w
        print(f"{w:7d} | {r['wall']:6.1f} | {r['per_hour']:8.0f} | {r['trained']:16.1f} | "
              f"{overhead:16.1f} | {r['done']}", flush=True)


if __name__ == "__main__":
    main()
