"""How long the command lines take to answer a bad flag and --help: whole processes, from
start to exit, Python's start-up included (what a user waits for).

    .venv/bin/python benchmarks/bench_cli.py --runs 7

For each command: the median, min and max wall seconds of ``--runs`` runs (after one
warm-up run), its exit code, and whether Keras or TensorFlow was imported (read from
``python -X importtime``'s list in a separate run). Numbers, not pass/fail
(tests/core/test_cli_checks.py checks the behaviour).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "tsvae-train --epochs 0": ["tsvae_core.cli", "--epochs", "0"],
    "tsvae-train --learning-rate -1": ["tsvae_core.cli", "--learning-rate", "-1"],
    "tsvae-train --latent-dim 0": ["tsvae_core.cli", "--latent-dim", "0"],
    "tsvae-train --history-csv /proc/nope.csv": ["tsvae_core.cli", "--history-csv",
                                                 "/proc/nope.csv"],
    "tsvae-train --help": ["tsvae_core.cli", "--help"],
    "tsvae --help": ["app.server.cli", "--help"],
    "tsvae-sweep --help": ["tsvae_core.sweep.cli", "--help"],
}
HEAVY = ("keras", "tensorflow", "pandas", "panel", "bokeh", "optuna", "ray")


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def time_once(argv: list[str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", *argv], capture_output=True, env=_env())
    return time.perf_counter() - t0, out.returncode


def heavy_imports(argv: list[str]) -> list[str]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", *argv],
                         capture_output=True, text=True, env=_env())
    names = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines()
             if line.startswith("import time:")}
    return [m for m in HEAVY if m in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'command':44s} {'median s':>8s} {'min':>6s} {'max':>6s} exit  heavy imports")
    for name, argv in COMMANDS.items():
        time_once(argv)  # warm-up: the file cache
        runs = [time_once(argv) for _ in range(args.runs)]
        secs = [s for s, _ in runs]
        print(f"{name:44s} {statistics.median(secs):8.2f} {min(secs):6.2f} {max(secs):6.2f} "
              f"{runs[-1][1]:4d}  {', '.join(heavy_imports(argv)) or 'none'}", flush=True)


if __name__ == "__main__":
    main()
