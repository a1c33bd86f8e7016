"""Core benchmark: data build time, epoch time, throughput, peak memory per preset/backend.

    .venv/bin/python benchmarks/bench_core.py --presets paper quick --backends tensorflow jax torch

Each combination runs in its own process (a Keras backend is fixed per process). For the
quick preset it also reports the time from Start until k-NN accuracy first reaches 0.9.
Prints one line per run and a table; numbers, not pass/fail.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_one(preset: str, epochs: int, jit: str, target: float, overrides: dict,
            stop_at_target: bool = True) -> dict:
    import resource

    from tsvae_core import events as ev
    from tsvae_core.config import make_configs
    from tsvae_core.data import generate
    from tsvae_core.session.training import TrainingSession

    if jit != "preset":
        overrides = {**overrides, "jit_compile": jit}
    data, model, train = make_configs(preset, epochs=epochs, **overrides)
    t0 = time.perf_counter()
    dataset = generate(data)
    build_s = time.perf_counter() - t0
    session = TrainingSession(data, model, train, dataset=dataset)
    start = time.perf_counter()
    session.start()
    epoch_s, reached = [], None
    while session.is_alive() or session.status not in ev.ENDED:
        for e in session.drain():
            if isinstance(e, ev.EpochEnd):
                epoch_s.append(e.epoch_seconds)
                print(f"  epoch {e.epoch}: {e.epoch_seconds:.2f} s, knn {e.knn_accuracy:.3f}",
                      file=sys.stderr, flush=True)
                if reached is None and e.knn_accuracy >= target:
                    reached = time.perf_counter() - start
                    if stop_at_target and len(epoch_s) >= 4:
                        session.stop()
        session.join(0.1)
    steady = epoch_s[1:4] or epoch_s
    median = statistics.median(steady) if steady else float("nan")
    return {
        "preset": preset, "backend": os.environ.get("KERAS_BACKEND", "tensorflow"), "jit": jit,
        "device": session.device, "status": session.status, "data_build_s": round(build_s, 3),
        "epochs": len(epoch_s), "first_epoch_s": round(epoch_s[0], 2) if epoch_s else None,
        "median_epoch_2_4_s": round(median, 2),
        "train_samples_per_s": round(len(dataset.x_train) / median, 1) if epoch_s else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        f"s_to_knn_{target}": None if reached is None else round(reached, 1),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--presets", nargs="+", default=["paper", "quick"])
    p.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    p.add_argument("--jit", nargs="+", default=["preset"], choices=["preset", "auto", "on", "off"],
                   help="preset: the preset's own jit_compile")
    p.add_argument("--paper-epochs", type=int, default=4)
    p.add_argument("--quick-epochs", type=int, default=40)
    p.add_argument("--target-knn", type=float, default=0.9)
    p.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE",
                   help="config overrides for every run, e.g. batch_size=128")
    p.add_argument("--json-out", help="append the result rows to this JSON-lines file")
    p.add_argument("--one", help=argparse.SUPPRESS)  # internal: run a single combination
    args = p.parse_args()
    overrides = {k: json.loads(v) for k, v in (s.split("=", 1) for s in args.set)}
    if args.one:
        preset, jit = args.one.split(":")
        epochs = args.paper_epochs if preset == "paper" else args.quick_epochs
        print(json.dumps(run_one(preset, epochs, jit, args.target_knn, overrides)))
        return
    rows = []
    for preset in args.presets:
        for backend in args.backends:
            for jit in args.jit:
                env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3",
                       "PYTHONPATH": str(ROOT)}
                cmd = [sys.executable, __file__, "--one", f"{preset}:{jit}",
                       "--paper-epochs", str(args.paper_epochs), "--quick-epochs",
                       str(args.quick_epochs), "--target-knn", str(args.target_knn), "--set", *args.set]
                print(f"== {preset} on {backend}, jit {jit}", flush=True)
                out = subprocess.run(cmd, env=env, capture_output=True, text=True)
                if out.returncode != 0:
                    print(out.stderr[-2000:], flush=True)
                    continue
                row = json.loads(out.stdout.strip().splitlines()[-1])
                print(json.dumps(row), flush=True)
                rows.append(row)
                if args.json_out:
                    with open(args.json_out, "a") as fh:
                        fh.write(json.dumps(row) + "\n")
    if rows:
        keys = list(rows[0])
        print("\n| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
        for r in rows:
            print("| " + " | ".join(str(r.get(k)) for k in keys) + " |")


if __name__ == "__main__":
    main()
