import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest

import tsvae_core.models  # noqa: F401  (registers the model classes load_model needs)

TINY_FLAGS = ["--n-patterns", "3", "--repeats", "20", "--seq-len", "16", "--n-features", "2",
              "--noise-size", "20", "--scale-steps", "2", "--conv-filters", "4", "--batch-size", "32",
              "--beta", "0.01", "--epochs", "2",
              "--jit-compile", "off"]  # never XLA here: its compile alone outlasts this run


def test_headless_run_prints_epochs_and_writes_outputs(tmp_path):
    model, hist, latent = tmp_path / "m.keras", tmp_path / "h.csv", tmp_path / "z.csv"
    out = subprocess.run([sys.executable, "-m", "tsvae_core.cli", *TINY_FLAGS, "--save-model",
                          str(model), "--history-csv", str(hist), "--latent-csv", str(latent)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [l for l in out.stdout.splitlines() if l.startswith("epoch")]
    assert len(lines) == 2 and "knn" in lines[0] and " s" in lines[0]
    assert "losses per window (loss_reduction=mean)" in out.stdout   # the units are said
    rows = list(csv.DictReader(hist.open()))
    assert [r["epoch"] for r in rows] == ["1", "2"] and float(rows[1]["loss"]) > 0
    z = list(csv.reader(latent.open()))
    assert z[0] == ["label", "z0", "z1"] and len(z) > 10
    assert {int(r[0]) for r in z[1:]} <= {-1, 0, 1, 2}
    restored = keras.saving.load_model(model)
    x = np.zeros((2, 16, 3), "float32")
    assert tuple(restored(x)[0].shape) == (2, 16, 3)


def test_bad_flag_value_is_a_clear_error():
    out = subprocess.run([sys.executable, "-m", "tsvae_core.cli", *TINY_FLAGS, "--scale-steps", "5"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "scale_steps=5" in out.stderr and "allowed" in out.stderr


def test_output_paths_are_checked_before_training(tmp_path, capsys):
    from tsvae_core.cli import main
    cases = [
        (["--save-model", "/nonexistent/dir/x.keras"], "directory /nonexistent/dir does not exist"),
        (["--save-model", str(tmp_path / "model.h5")], "must end in .keras"),
        (["--history-csv", str(tmp_path / "no" / "h.csv")], f"directory {tmp_path / 'no'} does not"),
        (["--latent-csv", str(tmp_path)], "is a directory"),
    ]
    for flags, fragment in cases:
        t0 = time.perf_counter()
        assert main([*TINY_FLAGS, "--epochs", "100000", *flags]) == 2
        err = capsys.readouterr()
        assert fragment in err.err and err.err.startswith("tsvae-train: "), err.err
        assert "epoch " not in err.out        # no training happened
        # (100000 epochs would take hours; the bound leaves room for a busy machine)
        assert time.perf_counter() - t0 < 60
    assert list(tmp_path.iterdir()) == []


CLI_CASES = json.loads((Path(__file__).parents[1] / "data" / "bad_inputs.json").read_text())["cli"]


@pytest.mark.parametrize("case", CLI_CASES, ids=[" ".join(c["argv"]) for c in CLI_CASES])
def test_each_bad_flag_of_the_corpus_exits_2_with_its_message(case, tmp_path, capsys):
    from tsvae_core.cli import main
    argv = [a.replace("{tmp}", str(tmp_path)) for a in case["argv"]]
    try:
        code = main([*TINY_FLAGS, *argv])
    except SystemExit as exc:  # argparse's own errors (type, choice) exit from parse_args
        code = exc.code
    err = capsys.readouterr()
    assert code == 2
    assert case["expect"] in err.err, err.err
    assert "Traceback" not in err.err and "epoch " not in err.out


def test_data_flag_trains_on_a_file_and_says_the_split(tmp_path, capsys):
    from tsvae_core.cli import main
    path = tmp_path / "series.csv"
    t = np.arange(400)
    path.write_text("a,b\n" + "".join(f"{np.sin(i / 4):.3f},{np.cos(i / 9):.3f}\n" for i in t))
    code = main(["--data", str(path), "--seq-len", "16", "--scale-steps", "2",
                 "--architecture", "dense_vae", "--batch-size", "32", "--epochs", "1",
                 "--jit-compile", "off"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "data: file:" in out and "time split" in out and "epoch    1/1" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("a\n1\nx\n" + "1\n" * 60)
    assert main(["--data", str(bad), "--seq-len", "16", "--scale-steps", "2"]) == 2
    assert "value column 'a' has text at data row 1" in capsys.readouterr().err
