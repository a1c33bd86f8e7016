"""Paired epoch benchmark: the original notebook's code against tsvae's ``paper`` preset,
one after the other in one invocation, seconds per epoch and their ratio.

    .venv/bin/python benchmarks/bench_epoch_pair.py --epochs 2
    .venv/bin/python benchmarks/bench_epoch_pair.py --epochs 2 --rounds 2   # A B, then B A

Each arm runs in its own process (a fresh TensorFlow each time): the notebook's code is
``benchmarks/reference_original.py`` (its epoch includes its per-epoch encode of the
validation windows and its k-NN / silhouette), tsvae's is a ``TrainingSession`` on the
``paper`` preset with every live view on (latent points of the validation subset,
reconstructions, family extras, k-NN, silhouette, the three probes; anomaly scores where
the data are one series). A tsvae epoch is counted as the notebook's is, from the first
training step to the end of the last per-epoch view: steps + validation + snapshot copy +
views. Rounds alternate the order (notebook first, then tsvae first), so a machine whose
load drifts biases neither arm. Prints one row per epoch and arm, tsvae's breakdown per
epoch (steps, validation, each view) and a summary; numbers, not pass/fail.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_tsvae(epochs: int, seed: int, overrides: dict) -> list[dict]:
    """Per-epoch rows of one ``paper`` session: total seconds and its breakdown."""
    from tsvae_core import events as ev
    from tsvae_core.config import make_configs
    from tsvae_core.data import generate
    from tsvae_core.probes import ProbeConfig, make_probes
    from tsvae_core.session.training import TrainingSession

    data, model, train = make_configs("paper", epochs=epochs, seed=seed, **overrides)
    t0 = time.perf_counter()
    dataset = generate(data)
    print(f"tsvae data: {len(dataset.x_train)} train / {len(dataset.x_val)} val windows in "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    session = TrainingSession(data, model, train, dataset=dataset)
    session.set_probes(make_probes(data, ProbeConfig(), dataset))
    session.start()
    rows = []

    def read(events) -> None:
        for e in events:
            if isinstance(e, ev.EpochEnd):
                t = dict(e.timings)
                t["seconds"] = t["steps"] + t["validation"] + t["snapshot"] + t["views"]
                rows.append({"epoch": e.epoch, "knn": e.knn_accuracy, **t})
                print(f"  tsvae epoch {e.epoch}: {t['seconds']:.1f} s", file=sys.stderr, flush=True)

    while session.is_alive() or session.status not in ev.ENDED:
        read(session.drain())
        session.join(0.1)
    read(session.drain())  # the last epoch's event can arrive as the thread ends
    if session.status != ev.FINISHED:
        raise SystemExit(f"tsvae run ended {session.status}: {session.message}")
    return rows


def run_original(epochs: int, seed: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "original.json"
        cmd = [sys.executable, str(ROOT / "benchmarks" / "reference_original.py"),
               "--epochs", str(epochs), "--seed", str(seed), "--json", str(out)]
        proc = subprocess.run(cmd, env=child_env(), stdout=sys.stderr)
        if proc.returncode != 0:
            raise SystemExit(f"reference_original.py failed (exit {proc.returncode})")
        return [{"epoch": r["epoch"], "seconds": r["seconds"], "knn": r["knn"]}
                for r in json.loads(out.read_text())["epochs"]]


def child_env() -> dict:
    return {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONPATH": str(ROOT)}


def run_arm(arm: str, args) -> list[dict]:
    if arm == "original":
        return run_original(args.epochs, args.seed)
    cmd = [sys.executable, __file__, "--arm", "tsvae", "--epochs", str(args.epochs),
           "--seed", str(args.seed), "--set", *args.set]
    proc = subprocess.run(cmd, env=child_env(), stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"the tsvae arm failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def breakdown(row: dict) -> str:
    views = {k[5:]: v for k, v in row.items() if k.startswith("view:")}
    parts = ", ".join(f"{k} {v:.2f}" for k, v in views.items())
    return (f"steps {row['steps']:.1f} s, validation {row['validation']:.1f} s, snapshot "
            f"{row['snapshot']:.2f} s, views {row['views']:.2f} s "
            f"({100 * row['views'] / row['seconds']:.1f}% of the epoch: {parts})")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--rounds", type=int, default=1, help="pairs; the order alternates")
    p.add_argument("--seed", type=int, default=85)
    p.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE",
                   help="overrides of tsvae's paper preset, e.g. latent_subset=2000")
    p.add_argument("--arm", choices=["tsvae"], help=argparse.SUPPRESS)  # internal
    args = p.parse_args()
    if args.arm:
        overrides = {k: json.loads(v) for k, v in (s.split("=", 1) for s in args.set)}
        print(json.dumps(run_tsvae(args.epochs, args.seed, overrides)))
        return
    ratios: dict[int, list[float]] = {}
    view_shares = []
    for r in range(args.rounds):
        order = ("original", "tsvae") if r % 2 == 0 else ("tsvae", "original")
        result = {}
        for arm in order:
            print(f"== round {r + 1}: {arm}", flush=True)
            result[arm] = run_arm(arm, args)
        for o, t in zip(result["original"], result["tsvae"]):
            ratio = t["seconds"] / o["seconds"]
            ratios.setdefault(o["epoch"], []).append(ratio)
            view_shares.append(t["views"] / t["seconds"])
            print(f"round {r + 1} epoch {o['epoch']}: notebook {o['seconds']:.1f} s, tsvae "
                  f"{t['seconds']:.1f} s, ratio {ratio:.2f} | tsvae {breakdown(t)}", flush=True)
    print("\nsummary (tsvae paper epoch / notebook epoch, same machine, one invocation):")
    for epoch, rs in sorted(ratios.items()):
        print(f"  epoch {epoch}: ratio {statistics.median(rs):.2f}"
              + (f" (rounds: {', '.join(f'{x:.2f}' for x in rs)})" if len(rs) > 1 else ""))
    later = [x for e, rs in ratios.items() if e > 1 for x in rs]
    if later:
        print(f"  epochs 2+: median ratio {statistics.median(later):.2f} (goal <= 0.80)")
    print(f"  per-epoch views: median {100 * statistics.median(view_shares):.1f}% of a tsvae "
          f"epoch (goal < 5%)")


if __name__ == "__main__":
    main()
