"""tsvae-train: train a preset (plus overrides) without any UI, one line per epoch.

    tsvae-train --preset quick --epochs 20 --latent-dim 3 --save-model run.keras

Every config field is a flag (``--seq-len 64``); ``--backend`` picks the Keras backend.
Every flag is checked (type, range, the rules between fields, the output paths) before
Keras is imported; a bad one exits 2 with the field and what it allows.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time

import param

from .cli_flags import add_field_flags as _add_field_flags  # noqa: F401  (tsvae-sweep's)
from .cli_flags import add_param_flags, param_values, range_problem
from .anomaly.scores import AnomalyConfig
from .config import FIELDS, PRESETS
from .safe_files import FAILED, marked_path, output_problem, save_run_model, write_text


class TrainOptions(param.Parameterized):
    """tsvae-train's own bounded options (no config field): flags and checks come from
    these parameters as they do from the configs' (``cli_flags``)."""

    max_seconds = param.Number(None, allow_None=True, bounds=(0, None),
                               inclusive_bounds=(False, True),
                               doc="Stop after this much wall time (seconds).")
    target_knn = param.Number(None, allow_None=True, bounds=(0.0, 1.0),
                              doc="Stop once k-NN accuracy reaches this value and report "
                                  "the time.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsvae-train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="quick", choices=sorted(PRESETS))
    parser.add_argument("--backend", choices=["tensorflow", "jax", "torch"],
                        help="Keras backend (default: $KERAS_BACKEND or tensorflow)")
    parser.add_argument("--save-model", metavar="PATH.keras")
    parser.add_argument("--history-csv", metavar="PATH")
    parser.add_argument("--latent-csv", metavar="PATH",
                        help="final latent point of every window (real data: training and "
                             "validation, with its split, first row and label; synthetic: the "
                             "validation subset)")
    parser.add_argument("--scores", metavar="PATH",
                        help="anomaly runs: per-row scores of the whole scored series as CSV "
                             "(row, score, flagged, label), scored at stride 1 after training")
    parser.add_argument("--data", metavar="PATH",
                        help="train on this file (CSV, Parquet, NPY, NPZ; sets --source file "
                             "unless --source cmapss is given): --data-path PATH in short")
    add_param_flags(parser, TrainOptions, "run options")
    # anomaly runs: the threshold rule, the scoring and the per-epoch cap (the final scores
    # use every window); AnomalyConfig's own bounds and docs
    add_param_flags(parser, AnomalyConfig, "anomaly scoring (anomaly runs)")
    _add_field_flags(parser)
    return parser


#: The output flags: each path is checked before training, and written atomically.
OUTPUT_FLAGS = ("save_model", "history_csv", "latent_csv", "scores")


def check_flags(args) -> tuple[str, tuple | None]:
    """Every check that needs no Keras, in the order a user would fix them: each flag's
    range, the rules that span fields, the output paths. Returns (problem, configs):
    the first problem ('' when none) and the validated configs."""
    from .config import make_configs
    overrides = {k: v for k, v in vars(args).items() if k in FIELDS and v is not None}
    if args.data:
        overrides["data_path"] = args.data
        overrides.setdefault("source", "file")
    if "seq_len" in overrides and "window_periods" not in overrides:
        overrides["window_periods"] = 0.0  # a given length wins over a preset's periods
    problem = (range_problem(overrides)
               or range_problem(param_values(args, TrainOptions), [TrainOptions])
               or range_problem(param_values(args, AnomalyConfig), [AnomalyConfig]))
    if problem:
        return problem, None
    try:
        configs = make_configs(args.preset, **overrides)
    except ValueError as exc:
        return str(exc), None
    for name in OUTPUT_FLAGS:
        flag, path = "--" + name.replace("_", "-"), getattr(args, name)
        if name == "save_model" and path and not path.endswith(".keras"):
            return f"{flag} {path}: the model file's name must end in .keras", None
        problem = output_problem(flag, path)
        if problem:
            return problem, None
    return "", configs


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)  # a bad type or choice exits 2 here
    problem, configs = check_flags(args)
    if problem:  # before Keras is imported: answered in a fraction of a second
        print(f"tsvae-train: {problem}", file=sys.stderr)
        return 2
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from .anomaly.scores import has_series
    from .events import ENDED, EpochEnd  # noqa: E402  (after the backend is chosen)
    from .runs import RunRecord
    from .session.training import TrainingSession

    try:
        dataset = None
        if not configs[0].is_synthetic():  # read first: a bad file ends here, with exit 2
            from .sources import build_dataset, check_dataset, describe
            dataset = build_dataset(configs[0])
            check_dataset(dataset, configs[1], configs[2])
            print(f"data: {describe(dataset)}", flush=True)
        session = TrainingSession(*configs, dataset=dataset)
        anomaly_cfg = AnomalyConfig(**param_values(args, AnomalyConfig))
        session.set_anomaly_config(anomaly_cfg)
        if has_series(dataset):
            print(f"anomaly run: after each epoch at most {anomaly_cfg.max_windows} windows a "
                  f"part are scored (the stride grows to fit); the final scores use every "
                  f"window", flush=True)
        elif args.scores:
            raise ValueError("--scores: this run scores no series (no anomaly_column, "
                             "normal_rows time_split, not an anomaly source); allowed: an "
                             "anomaly run, e.g. --anomaly-column COLUMN")
    except ValueError as exc:
        print(f"tsvae-train: {exc}", file=sys.stderr)
        return 2
    record = RunRecord.new(*configs)
    model_cfg, train_cfg = configs[1], configs[2]
    units = (f"per batch of {train_cfg.batch_size} windows (loss_reduction=sum: divide by "
             f"{train_cfg.batch_size} for per window)" if model_cfg.loss_reduction == "sum"
             else "per window (loss_reduction=mean)")
    print(f"losses {units}; kl is a batch mean", flush=True)
    t0 = time.perf_counter()
    session.start()
    last = None
    reached = None
    while session.is_alive() or (last is None and session.status not in ENDED):
        for event in session.drain():
            record.observe(event)
            if isinstance(event, EpochEnd):
                last = event
                print(format_epoch(event, dataset), flush=True)
                if health_warning(event):
                    print(health_warning(event), flush=True)
                if args.target_knn and reached is None and event.knn_accuracy >= args.target_knn:
                    reached = time.perf_counter() - t0
                    print(f"target k-NN {args.target_knn} reached at epoch {event.epoch} "
                          f"after {reached:.1f} s", flush=True)
                    session.stop()
        if args.max_seconds and time.perf_counter() - t0 > args.max_seconds:
            session.stop()
        session.join(0.2)
    for event in session.drain():
        record.observe(event)
        if isinstance(event, EpochEnd):
            last = event
            print(format_epoch(event, dataset), flush=True)
            if health_warning(event):
                print(health_warning(event), flush=True)
    print(f"{session.status}: {session.message} on {session.device}; "
          f"{time.perf_counter() - t0:.1f} s in all", flush=True)
    scores = None
    if session.snapshot_ready and session.dataset is not None:
        scores = report(session, anomaly_cfg)
    write_outputs(args, session, record, last, scores)
    return 1 if session.status == "failed" else 0


def report(session, anomaly_cfg):
    """After training: an anomaly run's scores of every row (threshold, flagged ranges,
    metrics; returned for --scores), a classification run's 1-NN on its test part."""
    from .anomaly.scores import has_series
    from .nearest import is_classification, pair_report
    ds = session.dataset
    if has_series(ds):
        from .anomaly.export import final_scores, summary_lines
        t0 = time.perf_counter()
        a = final_scores(session.snapshot.reconstruct, ds, ds.x_train.shape[1], anomaly_cfg)
        for line in summary_lines(a):
            print(f"anomalies: {line}", flush=True)
        print(f"anomalies: scored in {time.perf_counter() - t0:.1f} s", flush=True)
        return a
    if is_classification(ds):
        r = pair_report(session.encode, ds)
        print(f"test part: latent 1-NN {r['latent_1nn']:.3f}, 1-NN Euclidean "
              f"{r['euclidean_1nn']:.3f} ({r['n_train']} training, {r['n_test']} test "
              f"windows)", flush=True)
    return None


_COMMON_LOGS = {"loss", "reconstruction_loss", "kl_loss", "recon_per_window", "kl_per_window",
                "last_batch_loss"}


def format_epoch(e, dataset=None) -> str:
    """One epoch's line; k-NN and silhouette only where the windows have classes, the
    anomaly metrics where the run scores a series."""
    logs = e.logs
    kl = f"kl {logs['kl_loss']:.4f} " if "kl_loss" in logs else ""
    # a family's own entries (penalties, head metrics, perplexity), validation values
    own = "".join(f"{k} {v:.4f} " for k, v in sorted(logs.items())
                  if k.startswith("val_") and k[4:] not in _COMMON_LOGS)
    return (f"epoch {e.epoch:4d}/{e.n_epochs} loss {logs.get('loss', float('nan')):.4f} "
            f"recon {logs.get('reconstruction_loss', float('nan')):.4f} "
            f"{kl}val_loss {logs.get('val_loss', float('nan')):.4f} {own}"
            f"{_quality(e, dataset)}{e.epoch_seconds:.2f} s"
            f"{exact_figures(logs)}{'' if e.health is None else ' | ' + e.health.summary()}")


def exact_figures(logs: dict) -> str:
    """The variational families' exact means per window (every window counted once, over
    all training and all validation windows) and the figure the original notebook logs
    for validation: its last validation batch's loss."""
    if "recon_per_window" not in logs:
        return ""
    nan = float("nan")
    return (f" | per window, all windows: recon {logs['recon_per_window']:.3f} val recon "
            f"{logs.get('val_recon_per_window', nan):.3f} kl {logs['kl_per_window']:.3f} "
            f"val kl {logs.get('val_kl_per_window', nan):.3f} | the original's logged val "
            f"(last batch only): loss {logs.get('val_last_batch_loss', nan):.5g}")


def health_warning(e) -> str:
    """The dead-start diagnostic's warning line for an epoch ('' when all is well)."""
    warning = "" if e.health is None else e.health.warning
    return f"WARNING: {warning}" if warning else ""


def _quality(e, dataset) -> str:
    parts = ""
    if dataset is None or (dataset.y_val >= 0).any():
        parts += f"knn {e.knn_accuracy:.3f} silhouette {e.silhouette:.3f} "
    a = getattr(e, "anomaly", None)
    if a is not None:
        parts += f"flagged {len(a.ranges)} ranges "
        parts += "".join(f"{k} {v:.3f} " for k, v in a.metrics.items())
    return parts


def write_outputs(args, session, record, last, scores=None) -> None:
    """Write the outputs asked for, each through a temporary file and an atomic rename.
    A failed run replaces no file: its model's last finite epoch goes to
    ``m.last-finite.keras`` (or nothing is written), its CSVs to ``h.failed.csv``."""
    from .runs import history_csv, latent_csv
    failed = session.status == "failed"

    def csv_path(path):
        return marked_path(path, FAILED) if failed else path

    if args.save_model:
        _written, said = save_run_model(session, args.save_model)
        print(said)
    if args.history_csv and record.history:
        write_text(csv_path(args.history_csv), history_csv(record))
        print(f"history written to {csv_path(args.history_csv)}")
    ds = session.dataset
    if args.latent_csv and ds is not None and ds.source != "synthetic" \
            and session.snapshot_ready:
        from .runs import windows_latent_csv
        text = windows_latent_csv(session.encode(ds.x_train), session.encode(ds.x_val), ds)
        write_text(csv_path(args.latent_csv), text)
        print(f"latent points of {len(ds.x_train) + len(ds.x_val)} windows written to "
              f"{csv_path(args.latent_csv)}")
    elif args.latent_csv and last is not None:
        write_text(csv_path(args.latent_csv), latent_csv(last.z_mean, last.labels))
        print(f"latent points written to {csv_path(args.latent_csv)}")
    if args.scores and scores is not None:
        from .anomaly.export import scores_csv
        write_text(csv_path(args.scores), scores_csv(scores))
        print(f"scores written to {csv_path(args.scores)}")


if __name__ == "__main__":
    sys.exit(main())
