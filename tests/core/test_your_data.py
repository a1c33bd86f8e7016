"""A new user's own files, end to end (issue 23): column roles, whole-series anomaly
scores and their export, the anomaly preset's window from the period, per-epoch scoring
only in anomaly runs, train/test pairs, any window length for dense families, and
latent codes of every window. Real files in tmp_path, tiny configurations."""
import csv
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tsvae_core.anomaly.scores import AnomalyConfig, has_series, score_dataset
from tsvae_core.anomaly.export import final_scores, scores_csv
from tsvae_core.config import DataConfig, make_configs
from tsvae_core.nearest import is_classification, one_nn_accuracy
from tsvae_core.sources import build_dataset
from tsvae_core.sources.period import dominant_period

from .tiny import tiny_configs

POINTS = [340, 410, 520, 611, 700, 845, 930]


def points_csv(path, n=1000, period=25):
    """A sine with 7 labelled spikes (the kind of file issue 23's user had)."""
    rng = np.random.default_rng(3)
    v = np.sin(2 * np.pi * np.arange(n) / period) + 0.05 * rng.standard_normal(n)
    lab = np.zeros(n, int)
    v[POINTS] += 2.5
    lab[POINTS] = 1
    pd.DataFrame({"time": np.arange(n), "value": v, "is_anomaly": lab}).to_csv(path, index=False)
    return path


def shapes_csv(path, n, length=24, seed=0):
    """Long format: rows of instances (id, step, class, value), three shapes."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        c = i % 3
        s = np.linspace(0, 1, length)
        y = [np.sin(4 * np.pi * s), np.sign(np.sin(4 * np.pi * s)), 2 * s - 1][c]
        y = y + 0.1 * rng.standard_normal(length)
        rows += [dict(series=f"{path.stem}{i}", step=j, shape=["sine", "square", "ramp"][c],
                      value=y[j]) for j in range(length)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def file_cfg(path, **kw):
    return DataConfig(source="file", data_path=str(path), seq_len=kw.pop("seq_len", 20), **kw)


# ---- item 1 (issue item 2): column roles ----
def test_an_anomaly_column_becomes_row_labels_not_values_or_classes(tmp_path):
    ds = build_dataset(file_cfg(points_csv(tmp_path / "p.csv"), anomaly_column="is_anomaly",
                                time_column="time"))
    assert list(ds.channel_names) == ["value", "time"]          # not a value channel
    assert ds.row_anomaly is not None and np.flatnonzero(ds.row_anomaly).tolist() == POINTS
    assert not (ds.y_train >= 0).any()                          # not a class label
    assert has_series(ds) and not is_classification(ds)


def test_a_wrong_role_is_refused_naming_the_column(tmp_path):
    path = points_csv(tmp_path / "p.csv")
    frame = pd.read_csv(path)
    frame["state"] = np.where(frame.index % 2, "on", "off")
    frame["level"] = frame.index % 3
    frame.to_csv(path, index=False)
    for kw, words in (
            (dict(anomaly_column="level"), ["anomaly column 'level'", "data row 2", "0 or 1"]),
            (dict(anomaly_column="state"), ["anomaly column 'state'", "'off'"]),
            (dict(anomaly_column="nope"), ["'nope' is not in the file"]),
            (dict(anomaly_column="is_anomaly", label_column="is_anomaly"),
             ["'is_anomaly' is both the label column", "anomaly column"]),
            (dict(anomaly_column="is_anomaly", value_columns="value,is_anomaly"),
             ["'is_anomaly' is in value_columns"]),
            (dict(split_column="state"), ["split column 'state'", "'off'", "train or test"])):
        with pytest.raises(ValueError) as err:
            build_dataset(file_cfg(path, **kw))
        assert all(w in str(err.value) for w in words), (kw, str(err.value))


# ---- item 2 (issue item 3): the whole series is scored ----
def test_an_anomaly_run_trains_on_the_normal_part_and_scores_every_row(tmp_path):
    ds = build_dataset(file_cfg(points_csv(tmp_path / "p.csv"), anomaly_column="is_anomaly",
                                normal_fraction=0.3))
    # the normal part's last quarter is held out of training; its errors set the threshold
    assert ds.scored_rows == (0, 1000) and ds.normal_segments == [(225, 300)]
    assert ds.start_train.max() + 20 <= 225 and "held out of training" in ds.split
    # a "model" that reconstructs the smooth signal (a 5-row median): it misses the spikes

    def reconstruct(x):
        pad = np.pad(x, ((0, 0), (2, 2), (0, 0)), mode="edge")
        windows = np.lib.stride_tricks.sliding_window_view(pad, 5, axis=1)
        return np.median(windows, axis=-1)
    a = score_dataset(reconstruct, ds, 20, AnomalyConfig(rule="max", max_windows=100_000,
                                                          scoring="step"))
    assert a.row_start == 0 and len(a.step_error) == 1000 and np.isfinite(a.step_error).all()
    assert len(a.labels) == 1000 and a.labels.sum() == 7
    flagged = {r for lo_, hi in a.ranges for r in range(lo_, hi)}
    assert set(POINTS) <= flagged
    assert {"roc_auc", "range_pr_auc", "vus_pr"} <= set(a.metrics) and a.metrics["roc_auc"] > 0.95


def test_labelled_normal_rows_train_and_a_time_split_scores_only_validation(tmp_path):
    path = points_csv(tmp_path / "p.csv")
    ds = build_dataset(file_cfg(path, anomaly_column="is_anomaly", normal_rows="labelled"))
    assert ds.start_train.min() == 0 and ds.scored_rows == (0, 1000)
    held = sum(b - a for a, b in ds.normal_segments)
    assert 0.15 * 993 < held < 0.3 * 993 and ds.normal_segments[-1] == (931, 1000)
    starts = ds.start_train
    assert not any(s <= p < s + 20 for s in starts for p in POINTS)   # no anomaly trains
    old = build_dataset(file_cfg(path, anomaly_column="is_anomaly", normal_rows="time_split"))
    assert old.scored_rows == (old.val_row_start, 1000)


# ---- item 4: the anomaly preset and the window from the period ----
def test_anomaly_preset_takes_its_window_from_the_period_and_says_so(tmp_path):
    path = points_csv(tmp_path / "p.csv", period=25)
    data, model, _ = make_configs("anomaly", source="file", data_path=str(path),
                                  anomaly_column="is_anomaly")
    assert model.architecture == "autoencoder" and data.window_periods == 6
    ds = build_dataset(data)
    assert dominant_period(pd.read_csv(path)[["value"]].to_numpy()) == 25
    # 6 x 25 = 150 rows, capped at a quarter of the 300 normal rows: 3 periods -> 72 (x 8)
    assert data.seq_len == ds.x_train.shape[1] == 72
    assert "seq_len 72 = 6 x the estimated period of 25 rows, capped at 3 periods" in ds.notes[0]
    long = make_configs("anomaly", source="file", data_path=str(path),
                        anomaly_column="is_anomaly", normal_fraction=0.8)[0]
    assert build_dataset(long).x_train.shape[1] == long.seq_len == 152   # uncapped: 6 x 25
    assert dominant_period(np.random.default_rng(0).standard_normal((500, 1))) is None


# ---- item 7: any window length for the dense families ----
def test_odd_window_lengths_for_dense_families_and_the_nearest_for_strided_ones():
    assert make_configs("quick", seq_len=27, architecture="dense_vae")[0].seq_len == 27
    assert make_configs("quick", seq_len=27, architecture="autoencoder")[0].seq_len == 27
    with pytest.raises(ValueError, match=r"conv_vae halves .* nearest allowed seq_len: 24 or 28"):
        make_configs("quick", seq_len=27, architecture="conv_vae")
    with pytest.raises(ValueError, match=r"backbone conv .* nearest allowed seq_len: 272 or 276"):
        make_configs("quick", seq_len=275, architecture="autoencoder", backbone="conv")


# ---- item 6: train/test pairs ----
def test_a_train_test_pair_by_two_files_or_a_split_column(tmp_path):
    tr, te = shapes_csv(tmp_path / "tr.csv", 12), shapes_csv(tmp_path / "te.csv", 9, seed=1)
    kw = dict(label_column="shape", value_columns="value", instance_column="series")
    ds = build_dataset(file_cfg(tr, test_path=str(te), **kw))
    assert (len(ds.x_train), len(ds.x_val)) == (12, 9) and ds.x_train.shape[1] == 20
    assert list(ds.label_names) == ["ramp", "sine", "square"] and is_classification(ds)
    assert not has_series(ds)                                   # no per-epoch scoring
    both = pd.concat([pd.read_csv(tr).assign(part="train"), pd.read_csv(te).assign(part="test")])
    both.to_csv(tmp_path / "both.csv", index=False)
    ds2 = build_dataset(file_cfg(tmp_path / "both.csv", split_column="part", **kw))
    np.testing.assert_allclose(ds2.x_val, ds.x_val, atol=1e-6)
    np.testing.assert_array_equal(ds2.y_val, ds.y_val)
    x = np.r_[np.zeros((5, 4)), np.ones((5, 4))]
    assert one_nn_accuracy(x, np.r_[[0] * 5, [1] * 5], x + 0.1, np.r_[[0] * 5, [1] * 5]) == 1.0


# ---- the command line: items 1-6 and 8 of the issue in three runs ----
def run_cli(*argv, timeout=400):
    out = subprocess.run([sys.executable, "-m", "tsvae_core.cli", *argv], capture_output=True,
                         text=True, timeout=timeout)
    return out


def test_one_command_scores_a_labelled_csv_and_writes_scores_and_latents(tmp_path):
    path = points_csv(tmp_path / "p.csv")
    scores, latent = tmp_path / "s.csv", tmp_path / "z.csv"
    out = run_cli("--preset", "anomaly", "--data", str(path), "--anomaly-column", "is_anomaly",
                  "--seq-len", "25", "--epochs", "2", "--jit-compile", "off",
                  "--max-windows", "50", "--scores", str(scores),
                  "--latent-csv", str(latent))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "at most 50 windows a part" in out.stdout            # the cap is stated
    epochs = [l for l in out.stdout.splitlines() if l.startswith("epoch")]
    assert len(epochs) == 2 and "roc_auc" in epochs[0] and "knn" not in epochs[0]
    assert "scored rows 0-999 (every 1 rows" in out.stdout and "threshold" in out.stdout
    assert "VUS-PR" in out.stdout and "range PR-AUC" in out.stdout
    rows = list(csv.DictReader(scores.open()))
    assert len(rows) == 1000 and rows[0].keys() == {"row", "score", "flagged", "label"}
    assert [int(r["row"]) for r in rows] == list(range(1000))
    assert sum(int(r["label"]) for r in rows) == 7
    z = list(csv.DictReader(latent.open()))
    splits = {r["split"] for r in z}
    assert splits == {"train", "validation"} and len(z) == (225 - 24) + (700 - 24)
    assert len([k for k in z[0] if k.startswith("z")]) == 16


def test_one_command_for_a_train_test_pair_prints_latent_and_euclidean_1nn(tmp_path):
    tr, te = shapes_csv(tmp_path / "tr.csv", 15), shapes_csv(tmp_path / "te.csv", 9, seed=1)
    out = run_cli("--preset", "quick", "--architecture", "dense_vae", "--data", str(tr),
                  "--test-path", str(te), "--instance-column", "series", "--label-column",
                  "shape", "--value-columns", "value", "--seq-len", "27", "--epochs", "2",
                  "--batch-size", "8", "--jit-compile", "off")
    assert out.returncode == 0, out.stderr[-2000:]               # 27: any length, dense
    line = next(l for l in out.stdout.splitlines() if l.startswith("test part:"))
    assert "latent 1-NN" in line and "1-NN Euclidean" in line and "15 training, 9 test" in line
    bad = run_cli("--data", str(tr), "--anomaly-column", "shape", "--seq-len", "16")
    assert bad.returncode == 2 and "anomaly column 'shape'" in bad.stderr


def test_a_classification_run_is_not_scored_after_each_epoch(tmp_path):
    from tsvae_core.session.training import TrainingSession
    from tsvae_core.events import EpochEnd
    tr, te = shapes_csv(tmp_path / "tr.csv", 15), shapes_csv(tmp_path / "te.csv", 9, seed=1)
    configs = tiny_configs(architecture="dense_vae", source="file", data_path=str(tr),
                           test_path=str(te), instance_column="series", label_column="shape",
                           value_columns="value", seq_len=16, epochs=1, batch_size=8)
    s = TrainingSession(*configs)
    s.start()
    s.join(120)
    epochs = [e for e in s.drain() if isinstance(e, EpochEnd)]
    assert s.status == "finished" and epochs and epochs[-1].anomaly is None


# ---- issue item 9: bench_real's model figures reproduce ----
def test_bench_real_pins_its_settings_and_reproduces_a_set(monkeypatch):
    """The published figures moved when the quick preset's activation changed (relu ->
    elu); the benchmark now writes its settings out, so a preset change cannot move
    them, and a seeded run repeats exactly."""
    import importlib.util
    from pathlib import Path
    pytest.importorskip("aeon")
    from tsvae_core import config
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_real.py"
    spec = importlib.util.spec_from_file_location("bench_real", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    first = bench.run_set("UnitTest", 2, 4)
    monkeypatch.setitem(config.PRESETS, "quick", {**config.PRESETS["quick"],
                                                   "activation": "tanh", "learning_rate": 0.1})
    again = bench.run_set("UnitTest", 2, 4)
    assert (again["knn"], again["clf"]) == (first["knn"], first["clf"])
    assert bench.MODEL_SETTINGS["activation"] == "relu" and "aeon" in bench.versions()
