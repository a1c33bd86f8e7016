"""Wall time of a sweep: 8 trials of the quick preset, trained one after another in this
process (``local:1``), two at once in this process (``local:2``, a session thread each)
or two at once as Ray actors on a local Ray of 2 CPUs (``ray:2``, needs ``tsvae[ray]``).

    .venv/bin/python benchmarks/bench_sweep.py [--trials 8] [--epochs 3] [--modes local:1 ray:2]

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


def run(trials: int, epochs: int, where: str, workers: int) -> dict:
    from tsvae_core.sweep.study import SweepSpec
    from tsvae_core.sweep.run import Sweep
    from tsvae_core.sweep.space import FieldRange

    space = [FieldRange("learning_rate", 1e-3, 1e-2, log=True),
             FieldRange("latent_dim", 2, 4)]
    spec = SweepSpec(f"bench-{where}-{workers}", space, "quick", {"epochs": epochs}, trials,
                     sampler="random", pruner="none")
    with tempfile.TemporaryDirectory(prefix="tsvae-bench-sweep-") as data_dir:
        if where == "ray":
            import ray
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        sweep = Sweep(spec, data_dir, workers=workers, ray=where == "ray" or None)
        t0 = time.perf_counter()
        sweep.run()
        wall = time.perf_counter() - t0
        rows = sweep.rows()
        if where == "ray":
            ray.shutdown()
    trained = sum(r.seconds for r in rows)
    return {"wall": wall, "trained": trained,
            "per_hour": 3600 * len(rows) / wall, "done": sum(r.state == "complete" for r in rows)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--trials", type=int, default=8)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--modes", nargs="+", default=["local:1", "local:2", "ray:2"],
                   help="WHERE:WORKERS, WHERE local or ray")
    args = p.parse_args()
    print(f"{args.trials} trials of quick, {args.epochs} epochs each, {os.cpu_count()} CPUs")
    print("mode    | wall s | trials/h | training s (sum) | beyond training s | complete")
    for mode in args.modes:
        where, _, w = mode.partition(":")
        r = run(args.trials, args.epochs, where, int(w or 1))
        beyond = r["wall"] - r["trained"] / int(w or 1)  # data, builds, Optuna, saving
        print(f"{mode:7s} | {r['wall']:6.1f} | {r['per_hour']:8.0f} | {r['trained']:16.1f} | "
              f"{beyond:17.1f} | {r['done']}", flush=True)


if __name__ == "__main__":
    main()
