"""Optuna sweeps: real tiny trainings told to a study in a journal file.

One sweep of 4 tiny trials over 2 fields is trained once for the module; the resume,
prune and stop tests work on copies of its data directory."""
import dataclasses
import json
import math
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import keras
import numpy as np
import pytest

pytest.importorskip("optuna")

import tsvae_core.models  # noqa: E402,F401  (registers the classes load_model needs)
from tsvae_core.sweep.study import STOPPED_NOTE, SweepSpec, journal_path, load_spec  # noqa: E402
from tsvae_core.sweep.run import COMPLETE, FAILED, PRUNED, Sweep  # noqa: E402
from tsvae_core.sweep.cli import main  # noqa: E402
from tsvae_core.sweep.space import FieldRange, default_range, parse_range  # noqa: E402

from .tiny import QUICK_BUILD, TINY  # noqa: E402

FIXED = {**TINY, **QUICK_BUILD, "epochs": 2}
SPACE = [FieldRange("latent_dim", 2, 4), FieldRange("learning_rate", 1e-3, 1e-2, log=True)]


def spec(**changes):
    base = SweepSpec("tiny", [dataclasses.replace(r) for r in SPACE], "quick", dict(FIXED),
                     n_trials=4, sampler="random", pruner="none", seed=3)
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("sweep")
    sweep = Sweep(spec(), data_dir)
    sweep.run()
    return data_dir, sweep


@pytest.fixture
def copy(done, tmp_path):
    """A copy of the finished sweep's data directory (journal and models)."""
    shutil.copytree(done[0], tmp_path / "data")
    return tmp_path / "data"


def test_four_trials_over_two_fields_complete_and_save_their_models(done):
    data_dir, sweep = done
    rows = sweep.rows()
    assert sweep.status == "finished" and sweep.counted() == 4
    assert [r.state for r in rows] == [COMPLETE] * 4
    assert journal_path(data_dir).stat().st_size > 0
    for r in rows:
        assert set(r.params) == {"latent_dim", "learning_rate"}
        assert 2 <= r.params["latent_dim"] <= 4 and 1e-3 <= r.params["learning_rate"] <= 1e-2
        assert r.epochs == 2 and len(r.values) == 2 and math.isfinite(r.value)
        assert r.value == r.values[-1] and r.seconds > 0
        model = keras.saving.load_model(r.model_path)           # a real saved model
        assert model.latent_width() == r.params["latent_dim"]
    assert len({(r.params["latent_dim"], r.params["learning_rate"]) for r in rows}) == 4
    # importances once 4 trials finished: one share per field, summing to 1
    assert set(sweep.importance) == {"latent_dim", "learning_rate"}
    assert sum(sweep.importance.values()) == pytest.approx(1.0)


def test_tsvae_sweep_resumes_the_study_from_its_journal(done, copy, capsys):
    """A "restart": tsvae-sweep (in this process, with new study objects) finds the study
    by its name alone and adds one trial."""
    before = [(r.number, r.value) for r in done[1].rows()]
    assert main(["--study", "tiny", "--data-dir", str(copy), "--trials", "5"]) == 0
    out = capsys.readouterr().out
    assert "4 of 5 trials stored" in out
    assert "trial   4 complete" in out and "finished: 5 of 5 trials" in out
    again = Sweep(load_spec(copy, "tiny"), copy)                 # a third "restart"
    rows = again.rows()
    assert [(r.number, r.value) for r in rows[:4]] == before     # the old trials kept
    assert rows[4].state == COMPLETE and (copy / "sweeps" / "tiny" / "trial-4.keras").exists()


def test_a_poor_trial_is_pruned_from_its_epoch_reports(copy):
    sweep = Sweep(spec(n_trials=5, pruner="median"), copy)
    assert sweep.counted() == 4                                   # resumed, not restarted
    # a learning rate of 1e-8 learns nothing: worse than every trial's first epoch
    sweep.study.enqueue_trial({"latent_dim": 2, "learning_rate": 1e-8})
    sweep.run()
    last = sweep.rows()[-1]
    assert last.params["learning_rate"] == 1e-8
    assert last.state == PRUNED and last.epochs < 2 and not last.model_path
    assert sweep.counted() == 5


def test_a_trial_that_trains_every_epoch_completes_though_its_last_epoch_is_poor(tmp_path):
    """Pruning saves the epochs still to come; after the last one there are none: the
    trial completes and saves its model (it used to be "pruned after epoch 1" of 1)."""
    import optuna
    one_epoch = spec(study="last", n_trials=3, pruner="median", fixed={**FIXED, "epochs": 1})
    sweep = Sweep(one_epoch, tmp_path)
    for params in ({"latent_dim": 2, "learning_rate": 5e-3},
                   {"latent_dim": 3, "learning_rate": 5e-3},
                   {"latent_dim": 2, "learning_rate": 1e-8}):  # learns nothing
        sweep.study.enqueue_trial(params)
    sweep.run()
    rows = sweep.rows()
    assert [r.state for r in rows] == [COMPLETE] * 3, [(r.state, r.message) for r in rows]
    last = rows[-1]
    assert last.epochs == 1 and last.message == "" and math.isfinite(last.value)
    assert keras.saving.load_model(last.model_path).latent_width() == 2
    # the median pruner would have pruned it at that epoch: the case this test is about
    frozen = sweep.study.get_trials(deepcopy=False)[-1]
    assert optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0).prune(
        sweep.study, frozen)


def test_resuming_a_study_with_changed_settings_is_refused_naming_them(done, copy, capsys):
    """tsvae-sweep on a stored study keeps its space and settings: a changed one exits 2
    with the stored value named, an unknown field is named; nothing is trained."""
    base = ["--study", "tiny", "--data-dir", str(copy)]
    for flags, says in [(["--epochs", "9"], "epochs: 2 -> 9"),
                        (["--search", "nosuch=1:2"], "unknown field 'nosuch'"),
                        (["--search", "latent_dim=2:6"], "search space: latent_dim=2:4 "
                                                         "learning_rate=0.001:0.01:log -> "
                                                         "latent_dim=2:6"),
                        (["--objective", "knn_accuracy"], "objective: val_loss -> knn_accuracy"),
                        (["--latent-dim", "3"], "latent_dim: varied (2:4) -> fixed 3")]:
        assert main(base + ["--trials", "5"] + flags) == 2, flags
        err = capsys.readouterr().err
        assert says in err, (flags, err)
        assert "unknown" in says or "exists with other settings" in err, (flags, err)
    assert len(Sweep(load_spec(copy, "tiny"), copy).rows()) == 4  # nothing was added
    # what a resume may change: the trials' number, sampler and pruner; it says so
    assert main(base + ["--trials", "4", "--sampler", "tpe"]) == 0
    out = capsys.readouterr().out
    assert "resumed: its search space (latent_dim=2:4 learning_rate=0.001:0.01:log) and " \
           "settings are kept; sampler tpe" in out


def test_stop_ends_the_running_trial_and_keeps_the_finished_ones(tmp_path):
    # trial 0 trains 1 epoch and completes; trial 1 would train 500
    fixed = {k: v for k, v in FIXED.items() if k != "epochs"}
    sweep = Sweep(spec(study="stop", space=[FieldRange("epochs", 1, 500)], n_trials=3,
                       fixed=fixed), tmp_path)
    for epochs in (1, 500):
        sweep.study.enqueue_trial({"epochs": epochs})
    sweep.start()
    deadline = time.monotonic() + 120
    while not any(r.number == 1 and r.epochs >= 1 for r in sweep.rows()):
        assert time.monotonic() < deadline and sweep.is_alive()
        time.sleep(0.05)
    t0 = time.monotonic()
    sweep.stop()
    sweep.join(60)
    assert not sweep.is_alive() and time.monotonic() - t0 < 10
    rows = sweep.rows()
    assert sweep.status == "stopped" and len(rows) == 2
    assert rows[1].state == FAILED and rows[1].message == STOPPED_NOTE
    assert 1 <= rows[1].epochs < 500
    assert sweep.counted() == 1                                   # a stopped trial is made up
    assert rows[0].state == COMPLETE and rows[0].model_path


@pytest.mark.parametrize("name, text, says", [
    ("nope", "1:2", "unknown field 'nope'"),
    ("latent_dim", "5:3", "latent_dim: low 5 > high 3"),
    ("latent_dim", "3:3", "latent_dim: empty range"),
    ("activation", "", "activation: empty choice"),
    ("activation", "relu,swish", "activation: ['swish'] not allowed"),
    ("learning_rate", "0:1e-2:log", "learning_rate: log scale needs low > 0"),
    ("beta", "-1:2:log", "beta: log scale needs low > 0"),
    ("latent_dim", "0:8", "latent_dim: range 0:8 is outside the field's bounds 1..64"),
    ("latent_dim", "2.5:8", "latent_dim: an integer field"),
    ("learning_rate", "a:b", "learning_rate: low and high must be numbers"),
    ("time_bypass", "maybe", "time_bypass: choices are true,false"),
    ("seed", "1:5", "seed: a sweep cannot vary this field"),
])
def test_bad_search_spaces_name_the_field(name, text, says):
    with pytest.raises(ValueError) as err:
        parse_range(name, text)
    assert says in str(err.value)


def test_bad_sweep_settings_name_the_setting(tmp_path):
    for changes, says in [({"space": []}, "choose at least one field"),
                          ({"space": SPACE + [FieldRange("latent_dim", 2, 3)]},
                           "latent_dim named more than once"),
                          ({"objective": "accuracy"}, "objective='accuracy'"),
                          ({"sampler": "cma"}, "sampler='cma'"),
                          ({"n_trials": 0}, "n_trials=0"),
                          ({"study": "a/b"}, "study='a/b'"),
                          ({"objective": "family",
                            "space": [FieldRange("architecture", choices=["dense_vae"])]},
                           "objective=family")]:
        with pytest.raises(ValueError, match=None) as err:
            spec(**changes).check()
        assert says in str(err.value), (changes, str(err.value))


def test_ranges_come_from_the_fields_bounds_and_make_grids():
    assert parse_range("activation", "*").choices == ["relu", "leaky_relu", "elu", "selu",
                                                      "gelu", "silu", "mish", "tanh",
                                                      "sigmoid", "softplus"]
    assert parse_range("time_bypass", "true,false").choices == [True, False]
    lr = parse_range("learning_rate", "1e-4:1e-2:log")
    np.testing.assert_allclose(lr.grid(3), [1e-4, 1e-3, 1e-2])
    assert parse_range("latent_dim", "2:3").grid(5) == [2, 3]         # integers, once each
    # integers linear, as a CLI range without ":log"; positive floats on a log scale
    assert default_range("latent_dim", 8) == FieldRange("latent_dim", 2, 32, log=False)
    assert default_range("learning_rate", 1e-3).log
    assert default_range("beta", 0.0) == FieldRange("beta", 0.0, 1.0)
    assert default_range("optimizer").choices[0] == "adamw"
    objective = dataclasses.replace(spec(objective="family"), fixed={**FIXED,
                                    "architecture": "vae_classifier"}).check()
    assert objective.metric() == ("val_classifier_accuracy", "maximize")
    assert objective.direction == "maximize"


def test_an_anomaly_objective_needs_a_labelled_series():
    with pytest.raises(ValueError, match="objective=anomaly_vus_pr: needs a labelled anomaly "
                                         "series: fix source=aeon_anomaly"):
        spec(objective="anomaly_vus_pr").check()


@pytest.mark.slow
def test_a_trial_reports_the_series_vus_pr(tmp_path):
    pytest.importorskip("aeon")
    fixed = {**TINY, "source": "aeon_anomaly", "anomaly_series": "ecg-diff-count-3",
             "seq_len": 40, "stride": 4, "architecture": "autoencoder", "hidden_units": 32,
             "output_activation": "linear", "batch_size": 64, "epochs": 1}
    s = SweepSpec("ecg", [FieldRange("latent_dim", 2, 4)], "quick", fixed, n_trials=1,
                  objective="anomaly_vus_pr", sampler="random", pruner="none", seed=1)
    assert s.check().direction == "maximize"
    sweep = Sweep(s, tmp_path)
    sweep.run()
    (row,) = sweep.rows()
    assert row.state == COMPLETE and 0.0 < row.value <= 1.0, row  # the epoch's VUS-PR


def test_the_sweep_extra_installs_optuna_dashboard():
    """The README's `optuna-dashboard DATA_DIR/sweeps/journal.log` needs it installed."""
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    extra = pyproject["project"]["optional-dependencies"]["sweep"]
    assert any(req.startswith("optuna-dashboard") for req in extra), extra


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def test_optuna_dashboard_opens_the_journal_file(done, tmp_path):
    """`optuna-dashboard DATA_DIR/sweeps/journal.log` as the README says, on a free
    loopback port: its API lists the study with its 4 finished trials and their values."""
    pytest.importorskip("optuna_dashboard")
    data_dir, sweep = done
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [str(Path(sys.executable).with_name("optuna-dashboard")),
               str(journal_path(data_dir)), "--host", "127.0.0.1", "--port", str(port)]
    log = tmp_path / "dashboard.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                studies = _get_json(f"http://127.0.0.1:{port}/api/studies")["study_summaries"]
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        (study,) = [s for s in studies if s["study_name"] == "tiny"]
        assert study["directions"] == ["minimize"]
        detail = _get_json(f"http://127.0.0.1:{port}/api/studies/{study['study_id']}")
        trials = sorted(detail["trials"], key=lambda t: t["number"])
        assert [t["state"] for t in trials] == ["Complete"] * 4
        assert [t["values"][0] for t in trials] == pytest.approx(
            [r.value for r in sweep.rows()])
    finally:
        proc.terminate()
        proc.wait(10)
