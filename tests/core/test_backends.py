"""The same tiny training on every backend (a backend is fixed per process), and every
family on jax and torch: one process per backend runs both checks."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from tsvae_core.families import names

ROOT = pathlib.Path(__file__).resolve().parents[2]
FAMILIES = [a for a in names() if a != "conv_attention_gru"]  # the default: the check
_RESULTS: dict = {}  # backend -> backend_check's JSON (this module is one xdist unit)


def backend_result(backend: str) -> dict:
    """tests/core/backend_check.py run once per backend in a fresh process (with
    ``--families`` on jax and torch; tensorflow's families train in test_families)."""
    if backend not in _RESULTS:
        env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(ROOT)}
        args = [] if backend == "tensorflow" else ["--families"]
        out = subprocess.run([sys.executable, "-m", "tests.core.backend_check", *args],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        assert out.returncode == 0, out.stderr[-3000:]
        _RESULTS[backend] = json.loads(out.stdout.strip().splitlines()[-1])
    return _RESULTS[backend]


@pytest.mark.slow  # a fresh process per backend: imports and traces, 30-100 s each loaded
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_tiny_training_on_backend(backend):
    result = backend_result(backend)
    assert result["backend"] == backend
    assert result["status"] == "finished", result["message"]
    losses = result["losses"]
    assert len(losses) == 4 and losses[-1] < 0.8 * losses[0], losses
    assert result["lr_final"] == pytest.approx(2e-3)  # live learning-rate change applied
    # encode / decode / reconstruct from the reading thread while fit ran (snapshot model)
    assert result["inspected"] == {"encoded": [3, 2], "decoded": [3, 16, 3],
                                   "reconstructed": [1, 16, 3], "status": "running"}
    assert result["probes"] == [[2]] * 4


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_every_family_trains_on_backend(backend):
    result = backend_result(backend)
    assert result["backend"] == backend
    assert sorted(result["families"]) == sorted(FAMILIES)
    for arch, r in result["families"].items():
        assert r["status"] == "finished", (arch, r["message"])
        assert len(r["losses"]) == 2 and r["losses"][-1] < r["losses"][0], (arch, r["losses"])
        vq = arch == "vq_vae"  # its latent: 4 steps x latent_dim 2, flattened; no point decoding
        assert r["encoded"] == ([3, 8] if vq else [3, 2]) and r["decoded"] == ([] if vq else [3, 16, 3])
