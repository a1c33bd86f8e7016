"""The same tiny training on the jax and torch backends (a backend is fixed per process)."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.slow  # a fresh process per backend: imports and traces, 30-70 s each loaded
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_tiny_training_on_backend(backend):
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "tests.core.backend_check"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["backend"] == backend
    assert result["status"] == "finished", result["message"]
    losses = result["losses"]
    assert len(losses) == 4 and losses[-1] < 0.8 * losses[0], losses
    assert result["lr_final"] == pytest.approx(2e-3)  # live learning-rate change applied
    # encode / decode / reconstruct from the reading thread while fit ran (snapshot model)
    assert result["inspected"] == {"encoded": [3, 2], "decoded": [3, 16, 3],
                                   "reconstructed": [1, 16, 3], "status": "running"}
    assert result["probes"] == [[2]] * 4
