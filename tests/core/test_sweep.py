"""Optuna sweeps: real tiny trainings told to a study in a journal file.

One sweep of 4 tiny trials over 2 fields is trained once for the module; the resume,
prune and stop tests work on copies of its data directory."""
import dataclasses
import math
import shutil
import time

import keras
import numpy as np
import pytest

pytest.importorskip("optuna")

import tsvae_core.models  # noqa: E402,F401  (registers the classes load_model needs)
from tsvae_core.sweep import STOPPED_NOTE, SweepSpec, journal_path, load_spec  # noqa: E402
from tsvae_core.sweep_run import COMPLETE, FAILED, PRUNED, Sweep  # noqa: E402
from tsvae_core.sweep_cli import main  # noqa: E402
from tsvae_core.sweep_space import FieldRange, default_range, parse_range  # noqa: E402

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


def test_stop_ends_the_running_trial_and_keeps_the_finished_ones(copy):
    sweep = Sweep(spec(n_trials=6, fixed={**FIXED, "epochs": 500}), copy)
    sweep.start()
    deadline = time.monotonic() + 120
    while not any(r.number == 4 and r.epochs >= 1 for r in sweep.rows()):
        assert time.monotonic() < deadline and sweep.is_alive()
        time.sleep(0.05)
    t0 = time.monotonic()
    sweep.stop()
    sweep.join(60)
    assert not sweep.is_alive() and time.monotonic() - t0 < 10
    rows = sweep.rows()
    assert sweep.status == "stopped" and len(rows) == 5
    assert rows[4].state == FAILED and rows[4].message == STOPPED_NOTE
    assert 1 <= rows[4].epochs < 500
    assert sweep.counted() == 4                                   # a stopped trial is made up
    assert [r.state for r in rows[:4]] == [COMPLETE] * 4


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
    assert default_range("latent_dim", 8) == FieldRange("latent_dim", 2, 32, log=True)
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
