"""The command lines answer a bad flag, and --help, without importing Keras or TensorFlow
(issue 25: the error came after 5-39 s of TensorFlow's start-up). Each check runs in a
fresh interpreter, so what the test process imported cannot hide an import."""
import json
import subprocess
import sys

import param

from tsvae_core.cli import TrainOptions
from tsvae_core.config import CONFIG_CLASSES, field_names
from tsvae_core.fields import allowed

HEAVY = ("keras", "tensorflow", "jax", "torch", "panel", "bokeh", "holoviews", "optuna", "ray")

# Runs tsvae-train's main on each argv of a JSON list, in one interpreter; after each it
# records the exit code, what was printed to stderr, and which heavy modules were loaded.
_RUN_CASES = r"""
import contextlib, io, json, sys
from tsvae_core.cli import main
heavy = sys.argv[2].split(",")
out = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own errors (type, choice)
            code = exc.code
    out.append({"argv": argv, "code": code, "err": err.getvalue(),
                "loaded": [m for m in heavy if m in sys.modules]})
print(json.dumps(out))
"""


def _bound_cases() -> list[tuple[list[str], str]]:
    """(argv, expected fragment) just outside each bound of every bounded number field
    and run option: derived from the parameters, so a new field is covered unasked."""
    cases = []
    for cls in (*CONFIG_CLASSES, TrainOptions):
        for name in field_names(cls):
            p = cls.param[name]
            if not isinstance(p, param.Number) or p.bounds is None:
                continue
            flag = "--" + name.replace("_", "-")
            lo, hi = p.bounds
            low_in, high_in = p.inclusive_bounds
            step = 1 if isinstance(p, param.Integer) else max(abs(lo or 0), 1) * 1e-3
            if lo is not None:
                cases.append(([flag, str(lo - step if low_in else lo)], allowed(p)))
            if hi is not None:
                cases.append(([flag, str(hi + step if high_in else hi)], allowed(p)))
    return cases


def _run(cases: list[list[str]]) -> list[dict]:
    out = subprocess.run([sys.executable, "-c", _RUN_CASES, json.dumps(cases), ",".join(HEAVY)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


def test_each_bad_flag_exits_2_naming_its_range_before_keras_is_imported():
    named = [(["--epochs", "0"], "--epochs 0: allowed range: an integer in 1..100000"),
             (["--learning-rate", "-1"], "--learning-rate -1.0: allowed range: a number in 1e-08"),
             (["--latent-dim", "0"], "--latent-dim 0: allowed range: an integer in 1..64"),
             (["--learning-rate", "nan"], "--learning-rate nan: allowed range"),
             (["--max-seconds", "0"], "--max-seconds 0.0: allowed range: a number > 0"),
             (["--target-knn", "1.5"], "--target-knn 1.5: allowed range: a number in 0.0..1.0"),
             # text that is no plain ASCII number: refused with the field's range
             (["--epochs", "x"], "argument --epochs: invalid int value: 'x'; allowed range"),
             (["--latent-dim", "\u0663"], "argument --latent-dim: invalid int value"),
             (["--epochs", "1_0"], "argument --epochs: invalid int value: '1_0'"),
             (["--epochs", "\uff11\uff10"], "argument --epochs: invalid int value"),
             (["--beta", "1_0.5"], "argument --beta: invalid float value"),
             (["--architecture", "gan"], "argument --architecture: invalid choice: 'gan'"),
             (["--time-bypass", "maybe"], "expected true or false, got 'maybe'"),
             # the rules between fields and the output paths are checked as early
             (["--seq-len", "16", "--scale-steps", "5"], "seq_len 16 must be divisible"),
             (["--history-csv", "/proc/nope.csv"], "--history-csv /proc/nope.csv: cannot create")]
    cases = named + _bound_cases()
    assert len(cases) > 60  # every bounded field, both ends
    results = _run([argv for argv, _ in cases])
    for (argv, expect), got in zip(cases, results):
        assert got["code"] == 2, (argv, got)
        assert expect in got["err"], (argv, got["err"])
        assert "Traceback" not in got["err"], got["err"]
        assert got["loaded"] == [], (argv, got["loaded"])


def test_help_of_every_command_imports_nothing_heavy():
    for module in ("tsvae_core.cli", "app.server.cli", "tsvae_core.sweep.cli"):
        code = ("import runpy, sys\n"
                "sys.argv = ['x', '--help']\n"
                "try:\n"
                f"    runpy.run_module({module!r}, run_name='__main__')\n"
                "except SystemExit as exc:\n"
                "    assert exc.code == 0, exc.code\n"
                f"print([m for m in {HEAVY!r} + ('pandas',) if m in sys.modules])\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0, out.stderr[-2000:]
        assert "usage:" in out.stdout
        assert out.stdout.strip().splitlines()[-1] == "[]", (module, out.stdout[-300:])
