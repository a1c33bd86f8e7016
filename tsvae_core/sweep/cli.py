"""tsvae-sweep: an Optuna sweep over config fields, one line per finished trial.

    tsvae-sweep --study lr-latent --preset quick --epochs 3 \\
        --search learning_rate=1e-4:1e-2:log --search latent_dim=2:6 --trials 8

``--search FIELD=RANGE`` varies a field: ``low:high`` or ``low:high:log`` for numbers,
``a,b,c`` (or ``*`` for all) for choices. Every other config field is a flag as in
tsvae-train and stays fixed. Running the same ``--study`` again resumes it with its stored
search space and settings: trials are added until it has ``--trials``; ``--sampler``,
``--pruner``, ``--sweep-seed`` and ``--grid-points`` may change, any other changed flag
is refused (exit 2) with the stored value named.
The study is kept in DATA_DIR/sweeps/journal.log (optuna-dashboard opens it) and the
finished trials' models in DATA_DIR/sweeps/STUDY/.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import time

from ..cli import _add_field_flags, range_problem
from ..config import FIELDS, PRESETS
from .study import DIRECTIONS, OBJECTIVES, PRUNERS, SAMPLERS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsvae-sweep", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--study", required=True, help="the sweep's name (resumes if stored)")
    parser.add_argument("--data-dir", help="where studies and models are kept "
                                           "(default: $TSVAE_DATA_DIR or ~/.tsvae)")
    parser.add_argument("--search", action="append", default=[], metavar="FIELD=RANGE",
                        help="a field to vary: low:high[:log] or a,b,c")
    parser.add_argument("--trials", type=int, help="trials the study should hold (default "
                                                  "8; a resumed study: its own)")
    parser.add_argument("--objective", choices=list(OBJECTIVES), help="default: val_loss")
    parser.add_argument("--direction", choices=DIRECTIONS,
                        help="default: the objective's own (minimize val_loss)")
    parser.add_argument("--sampler", choices=SAMPLERS, help="default: tpe")
    parser.add_argument("--pruner", choices=PRUNERS, help="default: median")
    parser.add_argument("--grid-points", type=int,
                        help="values of each number range under --sampler grid (default 3)")
    parser.add_argument("--sweep-seed", type=int, help="the sampler's seed (default 0)")
    parser.add_argument("--workers", type=int, help="trials trained at once (default 1, "
                                                     "with --ray: the cluster's CPUs)")
    parser.add_argument("--ray", metavar="ADDRESS",
                        help="train each trial in a Ray actor: 'local' starts a local Ray, "
                             "else a cluster address (HOST:6379; default $TSVAE_RAY)")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="default: quick")
    parser.add_argument("--backend", choices=["tensorflow", "jax", "torch"])
    _add_field_flags(parser)
    return parser


#: SweepSpec field -> (its flag's dest, the default of a new study).
SPEC_FLAGS = {"preset": ("preset", "quick"), "n_trials": ("trials", 8),
              "objective": ("objective", "val_loss"), "direction": ("direction", ""),
              "sampler": ("sampler", "tpe"), "pruner": ("pruner", "median"),
              "seed": ("sweep_seed", 0), "grid_points": ("grid_points", 3)}


def make_spec(args):
    """The SweepSpec the flags ask for. A stored study's own spec with the flags given
    on top: Sweep refuses what a resume may not change (sweep.resume_changes)."""
    from .study import SweepSpec, load_spec, study_names
    from .space import parse_range
    data_dir = args.data_dir or _default_dir()
    space = []  # parsed even for a resume: an unknown field is named, never ignored
    for item in args.search:
        name, sep, text = item.partition("=")
        if not sep:
            raise ValueError(f"--search {item}: expected FIELD=RANGE")
        space.append(parse_range(name.strip().replace("-", "_"), text))
    fixed = {k: v for k, v in vars(args).items() if k in FIELDS and v is not None}
    problem = range_problem(fixed)
    if problem:
        raise ValueError(problem)
    given = {f: getattr(args, dest) for f, (dest, _) in SPEC_FLAGS.items()
             if getattr(args, dest) is not None}
    stored = load_spec(data_dir, args.study) if args.study in study_names(data_dir) else None
    if stored is not None:
        return dataclasses.replace(stored, **given, space=space or stored.space,
                                   fixed={**stored.fixed, **fixed}).check()
    values = {f: given.get(f, default) for f, (_, default) in SPEC_FLAGS.items()}
    return SweepSpec(args.study, space, fixed=fixed, **values).check()


def _default_dir():
    from .study import default_data_dir
    return default_data_dir()


def format_row(row) -> str:
    params = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                      for k, v in row.params.items())
    return (f"trial {row.number:3d} {row.state:8s} value {row.value:.4f} "
            f"epochs {row.epochs} {row.seconds:.1f} s {params} {row.message}").rstrip()


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from .study import journal_path, missing_optuna
    if missing_optuna():
        print(f"tsvae-sweep: {missing_optuna()}", file=sys.stderr)
        return 2
    from .study import study_names
    from .run import RUNNING, Sweep
    try:
        resumed = args.study in study_names(args.data_dir or _default_dir())
        spec = make_spec(args)
        sweep = Sweep(spec, args.data_dir, workers=args.workers,
                      ray=args.ray or os.environ.get("TSVAE_RAY") or None)
    except ValueError as exc:
        print(f"tsvae-sweep: {exc}", file=sys.stderr)
        return 2
    print(f"study {spec.study} in {journal_path(sweep.data_dir)}: {sweep.counted()} of "
          f"{spec.n_trials} trials stored; {spec.objective} ({spec.direction}); "
          f"{sweep.workers} at once{' on Ray' if sweep.ray else ''}", flush=True)
    if sweep.ray:
        from ..ray.cluster import inspection_hint
        if inspection_hint():
            print(inspection_hint(), flush=True)
    if resumed:
        print(f"resumed: its search space ({' '.join(f'{r.name}={r.to_text()}' for r in spec.space)})"
              f" and settings are kept; sampler {spec.sampler}, pruner {spec.pruner}", flush=True)
    t0, shown = time.perf_counter(), set()
    sweep.start()
    try:
        while sweep.is_alive():
            sweep.join(0.5)
            for row in sweep.rows():
                if row.state != RUNNING and row.number not in shown:
                    shown.add(row.number)
                    print(format_row(row), flush=True)
    except KeyboardInterrupt:
        sweep.stop()
        sweep.join()
    for row in sweep.rows():
        if row.number not in shown and row.state != RUNNING:
            print(format_row(row), flush=True)
    best = [r for r in sweep.rows() if r.state == "complete"]
    if best:
        pick = (min if spec.direction == "minimize" else max)(best, key=lambda r: r.value)
        print(f"best: {format_row(pick)}; model {pick.model_path}")
    print(f"{sweep.message} in {time.perf_counter() - t0:.1f} s", flush=True)
    return 1 if sweep.status == "failed" else 0


if __name__ == "__main__":
    sys.exit(main())
