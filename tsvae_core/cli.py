"""tsvae-train: train a preset (plus overrides) without any UI, one line per epoch.

    tsvae-train --preset quick --epochs 20 --latent-dim 3 --save-model run.keras

Every config field is a flag (``--seq-len 64``); ``--backend`` picks the Keras backend.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time

import param

from .config import CONFIG_CLASSES, FIELDS, PRESETS, field_names, parse_bool


def _add_field_flags(parser: argparse.ArgumentParser) -> None:
    for cls in CONFIG_CLASSES:
        group = parser.add_argument_group(cls.__name__)
        for name in field_names(cls):
            p = cls.param[name]
            flag = "--" + name.replace("_", "-")
            if isinstance(p, param.Boolean):
                group.add_argument(flag, type=_parse_bool, metavar="true|false", help=p.doc)
            elif isinstance(p, param.List):
                group.add_argument(flag, type=float, nargs="+", help=p.doc)
            elif isinstance(p, param.Selector):
                group.add_argument(flag, choices=p.objects, help=p.doc)
            elif isinstance(p, param.String):
                group.add_argument(flag, help=p.doc)
            elif isinstance(p, param.Integer):
                group.add_argument(flag, type=int, help=f"{p.doc} Range {p.bounds}.")
            else:
                group.add_argument(flag, type=float, help=f"{p.doc} Range {p.bounds}.")


def _parse_bool(text: str) -> bool:
    try:
        return parse_bool(text)
    except ValueError as exc:  # argparse shows an ArgumentTypeError's own text
        raise argparse.ArgumentTypeError(f"{exc}, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsvae-train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="quick", choices=sorted(PRESETS))
    parser.add_argument("--backend", choices=["tensorflow", "jax", "torch"],
                        help="Keras backend (default: $KERAS_BACKEND or tensorflow)")
    parser.add_argument("--save-model", metavar="PATH.keras")
    parser.add_argument("--history-csv", metavar="PATH")
    parser.add_argument("--latent-csv", metavar="PATH", help="final z_mean of the validation subset")
    parser.add_argument("--max-seconds", type=float, help="stop after this much wall time")
    parser.add_argument("--data", metavar="PATH",
                        help="train on this file (CSV, Parquet, NPY, NPZ; sets --source file "
                             "unless --source cmapss is given): --data-path PATH in short")
    parser.add_argument("--target-knn", type=float,
                        help="stop once k-NN accuracy reaches this value and report the time")
    _add_field_flags(parser)
    return parser


def output_problem(flag: str, path: str | None) -> str:
    """Why ``path`` cannot be written as ``flag``'s output ('' when it can, or is unset).

    Checked before training: a run of hours must not end in a write that was bound to
    fail (the trained model would be lost)."""
    if not path:
        return ""
    if flag == "--save-model" and not path.endswith(".keras"):
        return f"{flag} {path}: the model file's name must end in .keras"
    target = os.path.abspath(path)
    parent = os.path.dirname(target)
    if os.path.isdir(target):
        return f"{flag} {path}: is a directory; give a file name"
    if not os.path.isdir(parent):
        return f"{flag} {path}: directory {parent} does not exist"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{flag} {path}: directory {parent} is not writable"
    if os.path.exists(target) and not os.access(target, os.W_OK):
        return f"{flag} {path}: the file exists and is not writable"
    return ""


def range_problem(overrides: dict) -> str:
    """The first flag whose value its field does not allow, as ``--flag value: allowed
    range ...`` ('' when all are allowed); param's own message names no range."""
    from .config import field_owner
    from .runs import allowed
    for name, value in overrides.items():
        owner = field_owner(name)
        try:
            owner(**{name: value})
        except ValueError:
            shown = " ".join(map(str, value)) if isinstance(value, list) else value
            return f"--{name.replace('_', '-')} {shown}: {allowed(owner.param[name])}"
    return ""


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    for flag, path in (("--save-model", args.save_model), ("--history-csv", args.history_csv),
                       ("--latent-csv", args.latent_csv)):
        problem = output_problem(flag, path)
        if problem:
            print(f"tsvae-train: {problem}", file=sys.stderr)
            return 2
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from .config import make_configs  # noqa: E402  (after the backend is chosen)
    from .events import ENDED, EpochEnd
    from .runs import RunRecord
    from .training import TrainingSession

    overrides = {k: v for k, v in vars(args).items() if k in FIELDS and v is not None}
    if args.data:
        overrides["data_path"] = args.data
        overrides.setdefault("source", "file")
    problem = range_problem(overrides)
    if problem:
        print(f"tsvae-train: {problem}", file=sys.stderr)
        return 2
    try:
        configs = make_configs(args.preset, **overrides)
        dataset = None
        if not configs[0].is_synthetic():  # read first: a bad file ends here, with exit 2
            from .sources import build_dataset, check_dataset, describe
            dataset = build_dataset(configs[0])
            check_dataset(dataset, configs[1], configs[2])
            print(f"data: {describe(dataset)}", flush=True)
        session = TrainingSession(*configs, dataset=dataset)
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
                print(format_epoch(event), flush=True)
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
            print(format_epoch(event), flush=True)
    print(f"{session.status}: {session.message} on {session.device}; "
          f"{time.perf_counter() - t0:.1f} s in all", flush=True)
    write_outputs(args, session, record, last)
    return 1 if session.status == "failed" else 0


_COMMON_LOGS = {"loss", "reconstruction_loss", "kl_loss"}


def format_epoch(e) -> str:
    logs = e.logs
    kl = f"kl {logs['kl_loss']:.4f} " if "kl_loss" in logs else ""
    # a family's own entries (penalties, head metrics, perplexity), validation values
    own = "".join(f"{k} {v:.4f} " for k, v in sorted(logs.items())
                  if k.startswith("val_") and k[4:] not in _COMMON_LOGS)
    return (f"epoch {e.epoch:4d}/{e.n_epochs} loss {logs.get('loss', float('nan')):.4f} "
            f"recon {logs.get('reconstruction_loss', float('nan')):.4f} "
            f"{kl}val_loss {logs.get('val_loss', float('nan')):.4f} {own}"
            f"knn {e.knn_accuracy:.3f} silhouette {e.silhouette:.3f} {e.epoch_seconds:.2f} s")


def write_outputs(args, session, record, last) -> None:
    from .runs import history_csv, latent_csv
    if args.save_model and session.model is not None:
        session.save(args.save_model)
        print(f"model written to {args.save_model}")
    if args.history_csv and record.history:
        with open(args.history_csv, "w", newline="") as fh:
            fh.write(history_csv(record))
        print(f"history written to {args.history_csv}")
    if args.latent_csv and last is not None:
        with open(args.latent_csv, "w", newline="") as fh:
            fh.write(latent_csv(last.z_mean, last.labels))
        print(f"latent points written to {args.latent_csv}")


if __name__ == "__main__":
    sys.exit(main())
