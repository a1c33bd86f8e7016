import subprocess
import sys


def test_core_imports_no_ui_library():
    code = ("import sys, tsvae_core, tsvae_core.session.training, tsvae_core.cli\n"
            "import tsvae_core.models\n"
            "import tsvae_core.probes, tsvae_core.runs, tsvae_core.anomaly.series\n"
            "import tsvae_core.anomaly.metrics, tsvae_core.sources.files, tsvae_core.sources.cmapss\n"
            "# aeon (an optional extra) is imported only when metrics or its data are used\n"
            "bad = [m for m in ('panel', 'holoviews', 'bokeh', 'aeon') if m in sys.modules]\n"
            "print('UI:', bad)\n"
            "sys.exit(1 if bad else 0)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "UI: []" in out.stdout


def test_no_gradient_tape_in_core():
    import pathlib
    root = pathlib.Path(__file__).resolve().parents[2] / "tsvae_core"
    offenders = [p.name for p in root.rglob("*.py") if "GradientTape" in p.read_text()]
    assert offenders == []


def test_test_files_outside_packages_have_unique_names():
    """tests/app and tests/e2e are no packages: two test files of one name there stop the
    whole run at collection ('import file mismatch')."""
    import pathlib
    root = pathlib.Path(__file__).resolve().parents[1]
    names = [p.name for d in ("app", "e2e") for p in (root / d).glob("test_*.py")]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_optuna_is_imported_only_when_a_sweep_runs():
    """Optuna is an optional extra: the sweep modules and the page import it lazily."""
    code = ("import sys, tsvae_core.sweep.study, tsvae_core.sweep.space, tsvae_core.sweep.run\n"
            "import tsvae_core.sweep.cli, app.dashboard\n"
            "print('optuna:', 'optuna' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "optuna: False" in out.stdout
