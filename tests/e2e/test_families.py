"""Every model family in a real browser: picked in the architecture widget, trained two
epochs, and its own view found drawn in the Bokeh document (see conftest.py). The tests
share one page (module_page), reset to idle before each family."""
from __future__ import annotations

import pytest

from tsvae_core import families

from conftest import OUTPUT  # noqa: E402  (tests/e2e is on sys.path)

FAMILY_COLUMNS = {key: view.column for key, view in families.views().items()}
KL = FAMILY_COLUMNS["kl_per_dim"]
# architecture -> (latent name in the plot title, Bokeh columns its own views draw)
FAMILIES = {
    "conv_attention_gru": ("z_mean", [KL]),
    "dense_vae": ("z_mean", [KL]),
    "conv_vae": ("z_mean", [KL]),
    "recurrent_vae": ("z_mean", [KL]),
    "beta_vae": ("z_mean", [KL]),
    "autoencoder": ("code", []),
    "denoising_ae": ("code", [FAMILY_COLUMNS["noisy_input"], "clean_value", "denoised_value"]),
    "sparse_ae": ("code", [FAMILY_COLUMNS["mean_activation"], "val_sparsity_penalty"]),
    "contractive_ae": ("code", ["val_contractive_penalty"]),
    "vq_vae": ("code", [FAMILY_COLUMNS["codebook_usage"], FAMILY_COLUMNS["pre_quantisation"],
                        "val_perplexity"]),
    "vae_classifier": ("z_mean", [KL, FAMILY_COLUMNS["confusion_matrix"],
                                  "val_classifier_accuracy"]),
    "vae_regressor": ("z_mean", [KL, FAMILY_COLUMNS["predicted"], "val_regression_mae"]),
}

# Rows of every data source column, by name (largest source wins), and the plot titles.
DOCUMENT_JS = """() => {
  const rows = {}, titles = [];
  for (const m of Bokeh.documents[0].all_models) {
    const d = m.data;
    if (d && typeof d === 'object' && !Array.isArray(d)) {
      for (const k of Object.keys(d)) {
        const v = d[k];
        if (v && typeof v.length === 'number') {
          // only finite numbers or strings count as drawn
          const n = Array.from(v).filter(x => typeof x === 'string' || Number.isFinite(x)).length;
          rows[k] = Math.max(rows[k] || 0, n);
        }
      }
    }
    if (m.type === 'Title' || (m.constructor && m.constructor.name === 'Title')) titles.push(m.text);
  }
  return [rows, titles];
}"""


def idle(page, ui) -> None:
    """Stop what the page runs and reset it: idle, its plots cleared (even after a test
    that failed half-way)."""
    state = ui.status(page)["status"]
    if state == "idle":
        return
    # Decide from the status, not from the Stop button: the status and the button's
    # disabled flag arrive as separate updates, so after a stop the button can still read
    # enabled for a moment and then turn off under the click (a CI run waited 90 s on it).
    if state in ("running", "paused"):
        ui.click(page, "stop")
    ui.wait_until(lambda: ui.status(page)["status"] not in ("running", "paused"), ui.WAIT_S,
                  "the run to end")
    ui.click(page, "reset")
    ui.wait_until(lambda: ui.status(page)["status"] == "idle", ui.WAIT_S, "reset to idle")


def test_every_family_is_in_the_architecture_widget(module_page):
    page = module_page
    options = page.locator(".tsvae-model .bk-input-group", has_text="Architecture").locator("option")
    assert sorted(options.all_inner_texts()) == sorted(FAMILIES)


@pytest.mark.parametrize("architecture", list(FAMILIES))
def test_family_trains_and_draws_its_view(module_page, ui, architecture):
    name, columns = FAMILIES[architecture]
    page = module_page
    idle(page, ui)
    page.locator(".tsvae-model .bk-input-group", has_text="Architecture").locator("select").select_option(
        architecture)
    ui.open_card(page, "What this family adds")
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 2, ui.TRAIN_WAIT_S, f"{architecture}: epoch 2")

    seen = {}

    def drawn():
        seen["rows"], seen["titles"] = page.evaluate(DOCUMENT_JS)
        return all(seen["rows"].get(c, 0) > 0 for c in columns + ["val_loss"])

    try:
        ui.wait_until(drawn, ui.WAIT_S, f"{architecture}'s views {columns}")
    except AssertionError:
        raise AssertionError(f"not drawn: {[c for c in columns if not seen['rows'].get(c)]}; "
                             f"columns: {seen['rows']}") from None
    rows, titles = seen["rows"], seen["titles"]
    assert any(f"Latent space ({name}, validation)" in t for t in titles), titles
    # the KL curve exists exactly for the variational families
    assert (rows.get("kl_loss", 0) > 0) == (name == "z_mean"), rows.get("kl_loss")
    hint = page.get_by_text("This family adds no view")
    assert (hint.count() > 0 and hint.first.is_visible()) == (not columns)
    assert ui.status(page)["status"] == "running"
    if architecture in ("vq_vae", "vae_classifier"):
        page.screenshot(path=str(OUTPUT / f"family-{architecture}.png"), full_page=True)
    ui.click(page, "stop")  # how fast is test_dashboard's business; here: it ends
    ui.wait_until(lambda: ui.status(page)["status"] == "stopped", ui.WAIT_S, "stopped")
