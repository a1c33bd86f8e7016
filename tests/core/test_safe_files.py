"""A failed run never replaces a file (issue 22, items 1 and 2): writes go through a
temporary file and an atomic rename, a diverged run's model is written under a name
that says so (or not at all), and output paths are checked before training."""
import hashlib
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

from tsvae_core import events as ev
from tsvae_core.safe_files import (LAST_FINITE, marked_path, output_problem, replacing,
                                   save_run_model, write_text)

from .session_tools import collect, epochs_of, wait_parked
from .tiny import QUICK_BUILD, tiny_configs

TINY_FLAGS = ["--n-patterns", "3", "--repeats", "20", "--seq-len", "16", "--n-features", "2",
              "--noise-size", "20", "--scale-steps", "2", "--conv-filters", "4",
              "--batch-size", "32", "--beta", "0.01", "--epochs", "1", "--jit-compile", "off"]


def _digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(tmp_path):
    target = tmp_path / "h.csv"
    target.write_text("good\n")
    os.chmod(target, 0o640)
    with pytest.raises(RuntimeError):
        with replacing(target) as tmp:
            open(tmp, "w").write("half")
            raise RuntimeError("the disk filled up")
    assert target.read_text() == "good\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv"]
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640  # the old file's mode is kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv"]
    fresh = tmp_path / "z.csv"
    write_text(fresh, "x\n")  # a new file gets the mode open() gives, not mkstemp's 0600
    plain = tmp_path / "plain.csv"
    plain.write_text("x\n")
    assert stat.S_IMODE(os.stat(fresh).st_mode) == stat.S_IMODE(os.stat(plain).st_mode)


def test_output_problem_tries_the_folder_itself():
    # root passes os.access on /proc; only creating a file there shows it cannot be written
    assert "cannot create a file in /proc" in output_problem("--history-csv", "/proc/nope.csv")
    assert marked_path("/a/m.keras", LAST_FINITE) == "/a/m.last-finite.keras"


@pytest.mark.slow
def test_the_issues_commands_a_diverged_run_leaves_the_good_model(tmp_path):
    """Issue 22 item 1, on a tiny config: a good run saves m.keras, then a run with sgd at
    learning rate 50 diverges; m.keras must be the good run's, byte for byte."""
    model, hist = tmp_path / "m.keras", tmp_path / "h.csv"
    cmd = [sys.executable, "-m", "tsvae_core.cli", *TINY_FLAGS, "--save-model", str(model),
           "--history-csv", str(hist)]
    good = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert good.returncode == 0, good.stderr[-2000:]
    before, history_before = _digest(model), hist.read_text()
    bad = subprocess.run([*cmd, "--optimizer", "sgd", "--learning-rate", "50"],
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode == 1, bad.stdout[-2000:] + bad.stderr[-2000:]
    assert "failed: loss became nan" in bad.stdout or "failed: loss became inf" in bad.stdout
    assert f"{model} left as it was" in bad.stdout, bad.stdout
    assert "model written to" not in bad.stdout
    assert _digest(model) == before and hist.read_text() == history_before
    # no temporary file left behind; the failed run's outputs (if any) say it failed
    assert {p.name for p in tmp_path.iterdir()} <= {"m.keras", "h.csv", "h.failed.csv",
                                                   "m.last-finite.keras"}


@pytest.mark.slow
def test_a_run_that_fails_after_a_finite_epoch_saves_it_as_last_finite(tmp_path):
    """One good epoch, then a learning rate that makes the loss NaN: the model file is
    the good epoch's weights, under m.last-finite.keras; m.keras is never touched."""
    from tsvae_core import load_model
    from tsvae_core.session.training import TrainingSession
    target = tmp_path / "m.keras"
    target.write_bytes(b"a good model from before")
    session = TrainingSession(*tiny_configs(optimizer="sgd", learning_rate=1e-3, epochs=6,
                                            **QUICK_BUILD))
    session.step()  # one epoch, then paused
    collect(session, lambda seen: epochs_of(seen))
    wait_parked(session)
    session.set_learning_rate(1e5)
    session.resume()
    session.join(300)
    assert session.status == ev.FAILED, session.message
    written, said = save_run_model(session, target)
    assert written == str(tmp_path / "m.last-finite.keras"), said
    assert "the run failed" in said and "epoch 1" in said and f"{target} not written" in said
    assert target.read_bytes() == b"a good model from before"
    weights = load_model(written).get_weights()
    assert all(np.isfinite(w).all() for w in weights)
