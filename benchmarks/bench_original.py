"""The paper preset against the original notebook's own epochs, and paper against
paper-stable: how many seeds stall, and how many epochs the others need to leave the
predict-the-mean plateau.

    .venv/bin/python benchmarks/bench_original.py --table            # seeds 85 and 1, 3 epochs
    .venv/bin/python benchmarks/bench_original.py --stall --seeds 85 1 2 3 4 5
    .venv/bin/python benchmarks/bench_original.py --stall --presets paper-stable --seeds 2 3

``--table`` trains ``paper`` for 3 epochs on seeds 85 and 1 and prints, epoch by epoch,
tsvae's figures beside the spec's ("The original's first three epochs", re-run from the
notebook's code): the exact means per window over all training and all validation
windows, the KL, and the logged loss with the logged validation figure (the last
validation batch's) in brackets.

``--stall`` trains each preset on each seed, each run in its own process, until the
validation reconstruction per window drops below ``PLATEAU_LEFT`` (left the plateau), or
every unit of the encoder's bottleneck is dead (``tsvae_core.diagnostics``: no gradient
reaches the encoder again, so the run can never leave: a stall), or ``--max-epochs``.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: Predicting the mean window costs ~3.1 per window on paper's data; below this a run has
#: left that plateau.
PLATEAU_LEFT = 2.8
#: shared/reference/original-demo-spec.md, "The original's first three epochs":
#: seed -> [(train recon, val recon, KL, logged loss, logged val loss)] per epoch.
SPEC = {85: [(4.785, 3.038, 0.10, 1224.0, 555.6), (2.506, 1.448, 6.75, 647.7, 271.3),
             (1.243, 1.182, 7.55, 325.5, 221.3)],
        1: [(5.028, 3.323, 0.25, 1286.2, 607.0), (2.667, 1.778, 9.66, 691.8, 337.1),
            (1.603, 1.528, 9.47, 419.5, 288.2)]}


def run_one(preset: str, seed: int, max_epochs: int, stop_on_plateau_exit: bool) -> dict:
    from tsvae_core import events as ev
    from tsvae_core.config import make_configs
    from tsvae_core.session.training import TrainingSession

    session = TrainingSession(*make_configs(preset, seed=seed, epochs=max_epochs))
    t0 = time.perf_counter()
    session.start()
    rows, outcome = [], "max epochs"  # until a stop below says otherwise
    ended = False
    while not ended:
        # read the status before draining: the last epoch's event may come after it ends
        ended = not session.is_alive() and session.status in ev.ENDED
        for e in session.drain():
            if not isinstance(e, ev.EpochEnd):
                continue
            h, logs = e.health, e.logs
            rows.append(dict(epoch=e.epoch, recon=logs["recon_per_window"],
                             val_recon=logs["val_recon_per_window"], kl=logs["kl_per_window"],
                             loss=logs["loss"], val_last_batch=logs["val_last_batch_loss"],
                             dead=h.dead_units, units=h.n_units, spread=h.z_spread,
                             knn=e.knn_accuracy, seconds=round(e.epoch_seconds, 1)))
            print(f"  {preset} seed {seed} epoch {e.epoch}: val recon/window "
                  f"{rows[-1]['val_recon']:.3f} dead {h.dead_units}/{h.n_units} "
                  f"{e.epoch_seconds:.0f} s", file=sys.stderr, flush=True)
            if h.all_dead:
                outcome = "stalled: bottleneck dead"
                session.stop()
            elif stop_on_plateau_exit and rows[-1]["val_recon"] < PLATEAU_LEFT:
                outcome = "left the plateau"
                session.stop()
        session.join(0.2)
    left = next((r["epoch"] for r in rows if r["val_recon"] < PLATEAU_LEFT), None)
    if outcome == "max epochs":
        outcome = "left the plateau" if left else f"on the plateau after {len(rows)} epochs"
    return dict(preset=preset, seed=seed, outcome=outcome, left_at=left, epochs=rows,
                device=session.device, status=session.status,
                seconds=round(time.perf_counter() - t0, 1))


def in_child(preset: str, seed: int, max_epochs: int, stop: bool) -> dict:
    cmd = [sys.executable, __file__, "--one", f"{preset}@{seed}", "--max-epochs",
           str(max_epochs)] + ([] if stop else ["--no-stop"])
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_table(runs: list[dict]) -> None:
    print("\n| seed | epoch | train recon / window: tsvae (spec) | val recon / window | "
          "KL (train) | logged loss [val, last batch] | bottleneck dead |")
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        spec = SPEC.get(run["seed"], [])
        for r in run["epochs"]:
            s = spec[r["epoch"] - 1] if r["epoch"] <= len(spec) else None
            ref = (lambda i, f: f" ({s[i]:{f}})" if s else "")
            print(f"| {run['seed']} | {r['epoch']} | {r['recon']:.3f}{ref(0, '.3f')} | "
                  f"{r['val_recon']:.3f}{ref(1, '.3f')} | {r['kl']:.2f}{ref(2, '.2f')} | "
                  f"{r['loss']:.1f} [{r['val_last_batch']:.1f}]"
                  f"{f' ({s[3]:.1f} [{s[4]:.1f}])' if s else ''} | {r['dead']}/{r['units']} |")


def print_stalls(runs: list[dict]) -> None:
    print("\n| preset | seed | outcome | epoch it left the plateau | val recon / window by epoch "
          "| dead units by epoch |")
    print("|---|---|---|---|---|---|")
    for run in runs:
        vals = ", ".join(f"{r['val_recon']:.2f}" for r in run["epochs"])
        dead = ", ".join(f"{r['dead']}/{r['units']}" for r in run["epochs"])
        print(f"| {run['preset']} | {run['seed']} | {run['outcome']} | "
              f"{run['left_at'] or '-'} | {vals} | {dead} |")
    for preset in dict.fromkeys(r["preset"] for r in runs):
        mine = [r for r in runs if r["preset"] == preset]
        left = [r["left_at"] for r in mine if r["left_at"]]
        dead = sum(r["outcome"].startswith("stalled") for r in mine)
        print(f"{preset}: {dead} of {len(mine)} seeds stalled (bottleneck dead), "
              f"{len(mine) - len(left) - dead} still on the plateau at the end; the others "
              f"left it at epoch {', '.join(map(str, left)) or '-'}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--table", action="store_true", help="paper, seeds 85 and 1, beside the spec")
    p.add_argument("--stall", action="store_true", help="stalls per preset over --seeds")
    p.add_argument("--presets", nargs="+", default=["paper", "paper-stable"])
    p.add_argument("--seeds", type=int, nargs="+", default=[85, 1, 2, 3, 4, 5])
    p.add_argument("--max-epochs", type=int, default=4)
    p.add_argument("--json", metavar="PATH", help="also write the runs as JSON")
    p.add_argument("--no-stop", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--one", help=argparse.SUPPRESS)  # child process: one run as JSON
    args = p.parse_args(argv)
    if args.one:
        preset, seed = args.one.rsplit("@", 1)
        print(json.dumps(run_one(preset, int(seed), args.max_epochs, not args.no_stop)))
        return 0
    runs = []
    if args.table:
        table = [in_child("paper", seed, 3, stop=False) for seed in (85, 1)]
        print_table(table)
        runs += table
    if args.stall:
        stalls = []
        for preset in args.presets:
            for seed in args.seeds:
                stalls.append(in_child(preset, seed, args.max_epochs, stop=True))
                print_stalls(stalls[-1:])
        print_stalls(stalls)
        runs += stalls
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(runs, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
