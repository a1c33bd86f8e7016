"""A model that dies at the start is named on the status line (tsvae_core.diagnostics),
in a real browser (see conftest.py)."""
from __future__ import annotations

import numpy as np

from tsvae_core.config import make_configs

from conftest import OUTPUT, OVERRIDES  # noqa: E402  (tests/e2e is on sys.path)

# The default model with the original's relu: its bottleneck is a Dense(relu) whose units
# can die.
DEFAULT_MODEL = dict(architecture="conv_attention_gru", activation="relu")


def dead_model_file(tmp_path) -> str:
    """A .keras file of the page's model whose bottleneck units are all negative on every
    window (a large negative bias), as the original's were on a bad draw."""
    from tsvae_core.models import build_model
    data, model, _ = make_configs("quick", **{**OVERRIDES, **DEFAULT_MODEL})
    vae = build_model(data, model)
    vae.build((None, data.seq_len, data.n_features + 1))
    layer = vae.encoder.get_layer("enc_dense")
    kernel, bias = layer.get_weights()
    layer.set_weights([kernel, np.full_like(bias, -1e4)])
    path = tmp_path / "dead.keras"
    vae.save(path)
    return str(path)


def test_a_dead_start_is_warned_on_the_status_line(new_page, ui, tmp_path):
    path = dead_model_file(tmp_path)
    page = new_page("&".join(f"{k}={v}" for k, v in DEFAULT_MODEL.items()))
    warning = page.locator(".tsvae-health-warning")
    ui.open_card(page, "Save, load and download")  # folded: built on its first open
    page.locator(".tsvae-load-model input[type=file]").set_input_files(path)
    msg = page.locator(".tsvae-files-message")
    ui.wait_until(lambda: msg.is_visible() and msg.get_by_text("Loaded dead.keras").count(),
                  ui.WAIT_S, "the loaded message")
    assert warning.count() == 0                          # nothing trained: nothing to say
    ui.click(page, "step")                               # one epoch from the dead weights
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 1, ui.TRAIN_WAIT_S, "epoch 1")
    ui.wait_until(lambda: warning.count() and "Dead start" in warning.inner_text(),
                  ui.WAIT_S, "the dead-start warning on the status line")
    text = warning.inner_text()
    for advice in ("another seed", "paper-stable", "smaller learning rate"):
        assert advice in text, text
    assert "enc_dense" in text and ui.status(page)["epoch"] == 1
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "dead-start-warning.png"))
    ui.click(page, "reset")                               # a new run starts without it
    ui.wait_until(lambda: warning.count() == 0, ui.WAIT_S, "the warning cleared by Reset")
