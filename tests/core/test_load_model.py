"""A saved .keras file loads after a plain ``import tsvae_core`` (issue 22 item 14: it
said "Could not locate class 'VAE'" until ``tsvae_core.models`` was imported), and
``import tsvae_core`` itself loads no Keras. Each case runs in a fresh interpreter: in
this one the models are imported already."""
import subprocess
import sys

import pytest

from tsvae_core.models import build_model

from .tiny import tiny_configs


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The default family and a second one, built (untrained weights load the same way)."""
    paths = []
    for family in ("conv_attention_gru", "vq_vae"):
        data, model_cfg, _ = tiny_configs(architecture=family)
        model = build_model(data, model_cfg)
        model.build((None, data.seq_len, data.n_features + 1))
        path = tmp_path_factory.mktemp(family) / "m.keras"
        model.save(path)
        paths.append(str(path))
    return paths


LOADERS = {
    "keras.saving.load_model": "import keras\nm = keras.saving.load_model(path)",
    "tsvae_core.load_model": "m = tsvae_core.load_model(path)",
    "tf.keras.models.load_model": "import tensorflow as tf\nm = tf.keras.models.load_model(path)",
    "keras imported first": "import keras\nm = keras.saving.load_model(path)",
}


@pytest.mark.parametrize("how", list(LOADERS))
def test_plain_import_tsvae_core_is_enough_to_load(saved, how):
    first = "import keras\n" if how == "keras imported first" else ""
    code = (f"{first}import sys\nimport tsvae_core\n"
            f"light = {not first} and 'keras' not in sys.modules and 'tensorflow' not in sys.modules\n"
            f"for path in {saved!r}:\n"
            + "".join(f"    {line}\n" for line in LOADERS[how].splitlines())
            + "    print(type(m).__name__, m.count_params() > 0)\n"
              "print('light import', light)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "VAE True" in out.stdout and "VQVAE True" in out.stdout, out.stdout
    if not first:
        assert "light import True" in out.stdout, out.stdout


def test_import_tsvae_core_loads_no_keras():
    code = ("import sys, tsvae_core\n"
            "print(sorted(m for m in ('keras', 'tensorflow', 'tsvae_core.models') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
