"""Learning benchmark: does each preset, and each family on ``quick``, actually learn?

    .venv/bin/python benchmarks/bench_learning.py                       # every preset and family
    .venv/bin/python benchmarks/bench_learning.py --runs paper --max-seconds 600
    .venv/bin/python benchmarks/bench_learning.py --runs quick:vae_classifier --seeds 85 1

A run is ``PRESET`` or ``quick:ARCHITECTURE``. Each runs in its own process until k-NN
accuracy reaches 0.9 (``--target``), its epochs end, or ``--max-seconds`` pass (timed from
Start: data, model build and the first step's compile included, as a person watching the
page would time it). Prints one table row per run: epochs and seconds to k-NN 0.5 / 0.8 /
0.9, the final k-NN and silhouette, the KL (a collapsed posterior has ~0), the validation
reconstruction per window (whatever ``loss_reduction``), and the family's own validation
metrics. Numbers, not pass/fail; the tests in ``tests/core/test_learning.py`` hold the
pass/fail floor.
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
FAMILIES = ["conv_attention_gru", "dense_vae", "conv_vae", "recurrent_vae", "beta_vae",
            "autoencoder", "denoising_ae", "sparse_ae", "contractive_ae", "vq_vae",
            "vae_classifier", "vae_regressor"]
LEVELS = (0.5, 0.8, 0.9)
#: Family metrics worth a column: validation log key -> short name.
OWN = {"val_classifier_accuracy": "cls_acc", "val_regression_mae": "reg_mae",
       "val_perplexity": "perplexity", "val_sparsity_penalty": "sparsity",
       "val_contractive_penalty": "contractive"}


def run_one(spec: str, seed: int, target: float, max_seconds: float, epochs: int | None,
            extra: dict | None = None) -> dict:
    from tsvae_core import events as ev
    from tsvae_core.config import make_configs
    from tsvae_core.session.training import TrainingSession

    preset, _, arch = spec.partition(":")
    overrides = {"seed": seed, **({"architecture": arch} if arch else {}), **(extra or {})}
    if epochs:
        overrides["epochs"] = epochs
    data, model, train = make_configs(preset, **overrides)
    start = time.perf_counter()
    session = TrainingSession(data, model, train)
    session.start()
    reached: dict[float, tuple[int, float]] = {}
    last, first_epoch_at = None, None
    while session.is_alive() or session.status not in ev.ENDED:
        for e in session.drain():
            if not isinstance(e, ev.EpochEnd):
                continue
            now = time.perf_counter() - start
            first_epoch_at = first_epoch_at or now
            last = e
            for level in LEVELS:
                if level not in reached and e.knn_accuracy >= level:
                    reached[level] = (e.epoch, now)
            print(f"  {spec} seed {seed} epoch {e.epoch}: knn {e.knn_accuracy:.3f} "
                  f"val_loss {e.logs.get('val_loss', float('nan')):.4g} {now:.1f} s",
                  file=sys.stderr, flush=True)
            if e.knn_accuracy >= target:
                session.stop()
        if time.perf_counter() - start > max_seconds:
            session.stop()
        session.join(0.1)
    logs = last.logs if last else {}
    per_window = train.batch_size if model.loss_reduction == "sum" else 1
    kl = [float(k) for k in last.extras.get("kl_per_dim", [])] if last else []
    return {
        "run": spec, "seed": seed, "status": session.status, "device": session.device,
        "epochs": last.epoch if last else 0, "seconds": round(time.perf_counter() - start, 1),
        "first_epoch_at_s": round(first_epoch_at or float("nan"), 1),
        "reached": {str(k): [v[0], round(v[1], 1)] for k, v in reached.items()},
        "knn": last.knn_accuracy if last else float("nan"),
        "silhouette": last.silhouette if last else float("nan"),
        "kl": sum(kl) if kl else logs.get("val_kl_loss", float("nan")),
        "val_recon_per_window": logs.get("val_reconstruction_loss", float("nan")) / per_window,
        "recon_per_window": logs.get("reconstruction_loss", float("nan")) / per_window,
        "own": {short: logs[key] for key, short in OWN.items() if key in logs},
        "n_patterns": data.n_patterns,
    }


def _fmt_reach(row: dict, level: float) -> str:
    hit = row["reached"].get(str(level))
    return f"{hit[0]} / {hit[1]:.0f} s" if hit else "-"


def print_table(rows: list[dict]) -> None:
    print("\n| run | seed | epochs | to k-NN 0.5 | to 0.8 | to 0.9 | k-NN (chance) | "
          "silhouette | KL nats | recon/window train / val | family | first epoch at |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        own = ", ".join(f"{k} {v:.3g}" for k, v in r["own"].items()) or "-"
        print(f"| {r['run']} | {r['seed']} | {r['epochs']} | {_fmt_reach(r, 0.5)} | "
              f"{_fmt_reach(r, 0.8)} | {_fmt_reach(r, 0.9)} | {r['knn']:.3f} "
              f"({1 / r['n_patterns']:.2f}) | {r['silhouette']:.2f} | {r['kl']:.2f} | "
              f"{r['recon_per_window']:.3f} / {r['val_recon_per_window']:.3f} | {own} | "
              f"{r['first_epoch_at_s']:.0f} s |")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", nargs="+", default=["paper", "quick"] +
                   [f"quick:{f}" for f in FAMILIES if f != "conv_attention_gru"])
    p.add_argument("--seeds", type=int, nargs="+", default=[85])
    p.add_argument("--target", type=float, default=0.9)
    p.add_argument("--max-seconds", type=float, default=120.0,
                   help="per run; paper on a 2-core CPU gets only its first epochs")
    p.add_argument("--epochs", type=int, help="override the preset's epochs")
    p.add_argument("--backend", default=os.environ.get("KERAS_BACKEND", "tensorflow"))
    p.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE",
                   help="config overrides for every run, e.g. head_weight=10 (JSON values)")
    p.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    p.add_argument("--one", help=argparse.SUPPRESS)  # child process: one run as JSON
    args = p.parse_args(argv)
    extra = {k: json.loads(v) for k, v in (kv.split("=", 1) for kv in args.set)}
    if args.one:
        spec, seed = args.one.rsplit("@", 1)
        print(json.dumps(run_one(spec, int(seed), args.target, args.max_seconds, args.epochs,
                                 extra)))
        return 0
    rows = []
    for spec in args.runs:
        for seed in args.seeds:
            cmd = [sys.executable, __file__, "--one", f"{spec}@{seed}", "--target",
                   str(args.target), "--max-seconds", str(args.max_seconds)]
            if args.epochs:
                cmd += ["--epochs", str(args.epochs)]
            if args.set:
                cmd += ["--set", *args.set]
            env = {**os.environ, "KERAS_BACKEND": args.backend, "TF_CPP_MIN_LOG_LEVEL": "3",
                   "PYTHONPATH": str(ROOT)}
            out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=True)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print_table(rows[-1:])
    print_table(rows)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
