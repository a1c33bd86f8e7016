"""Downloads' contents, loading a model and settings back, bad files (no server)."""
from __future__ import annotations

import csv
import io
import json

import keras
import numpy as np
import pytest

from apptools import close_tabs, wait_for

from app.tab.controller import Controller
from app.cards.files import FilesView
from app.server.runs import RunRegistry
from tsvae_core import events as ev
from tsvae_core.runs import config_from_json, config_to_json


@pytest.fixture
def tab(tiny_configs):
    made = []

    def make(**overrides):
        ctrl = Controller(*tiny_configs(**overrides), tab=f"files{len(made)}",
                          registry=RunRegistry(max_runs=2))
        made.append(ctrl)
        return ctrl, FilesView(ctrl)

    yield make
    close_tabs(made)


def _upload(widget, data: bytes, name: str):
    widget.param.update(filename=name, value=data)


def _upload_model(view, content: bytes, name: str):
    """Upload a .keras file and wait for its check (a worker thread) to end, polling as
    the page's periodic callback does."""
    _upload(view.model_input, content, name)
    wait_for(view.ctrl, lambda: not view.ctrl.state.checking_model, 120, f"the check of {name}")


def _fetch(button) -> bytes:
    return button.callback().getvalue()


def test_before_any_epoch_only_the_settings_download(tab):
    ctrl, view = tab()
    assert {k: b.disabled for k, b in view.downloads.items()} == {
        "model": True, "history": True, "latent": True, "config": False}
    assert "no finished epoch yet" in view.reason.object
    assert view.downloads["config"].filename == "tsvae-config.json"


def test_downloads_after_two_epochs_then_reset_and_load_to_continue(tab, wait, tmp_path):
    ctrl, view = tab(epochs=2)
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.status == ev.FINISHED, 120, "the run to finish")
    rid = ctrl.state.run_id
    assert not any(b.disabled for b in view.downloads.values()) and view.reason.object == ""
    names = {k: b.filename for k, b in view.downloads.items()}
    assert names == {"model": f"tsvae-{rid}.keras", "history": f"tsvae-{rid}-history.csv",
                     "latent": f"tsvae-{rid}-latent.csv", "config": f"tsvae-{rid}-config.json"}
    # history: one row per epoch, the record's numbers
    rows = list(csv.DictReader(io.StringIO(_fetch(view.downloads["history"]).decode())))
    record = ctrl.runs.get(rid)
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    assert float(rows[-1]["loss"]) == record.final_loss
    assert {"val_loss", "knn_accuracy", "silhouette", "epoch_seconds"} <= set(rows[0])
    # latent: the last epoch's z_mean of the validation subset, with its labels
    rows = list(csv.reader(io.StringIO(_fetch(view.downloads["latent"]).decode())))
    assert rows[0] == ["label", "z0", "z1"]
    z = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    labels = np.array([int(r[0]) for r in rows[1:]])
    assert z.shape == (ctrl.state.n_val, 2) and set(labels) <= {-1, 0, 1, 2}
    np.testing.assert_allclose(z, ctrl.session.encode(ctrl.session.dataset.x_val[
        ctrl.session.subset]), rtol=1e-4, atol=1e-5)
    # settings: loads back to the widgets' values
    back = config_from_json(_fetch(view.downloads["config"]).decode())
    for cfg, mine in zip(back, (ctrl.data, ctrl.model, ctrl.train)):
        assert cfg.param.values() | {"name": ""} == mine.param.values() | {"name": ""}
    # model: a .keras file of the run, and how long saving took
    data = _fetch(view.downloads["model"])
    assert view.save_seconds > 0 and view.problem == ""
    path = tmp_path / "m.keras"
    path.write_bytes(data)
    assert keras.saving.load_model(path, compile=False).name == "conv_attention_gru"
    last_loss = record.final_loss

    # Reset (a fresh model), then load the saved file: it probes before any epoch and
    # the next run starts from it
    ctrl.param.trigger("reset")
    assert view.downloads["model"].disabled
    _upload_model(view, data, f"tsvae-{rid}.keras")
    assert ctrl.state.loaded_model == f"tsvae-{rid}.keras" and "Loaded" in view.message
    assert ctrl.session.snapshot_ready and not view.downloads["model"].disabled
    assert ctrl.session.encode(np.zeros((1, 16, 3), "float32")).shape == (1, 2)
    ctrl.param.trigger("start")
    wait(ctrl, lambda: ctrl.state.epoch >= 1, 120, "an epoch from the loaded model")
    first = ctrl.runs.get(ctrl.state.run_id)
    assert first.config["loaded_from"] == f"tsvae-{rid}.keras" and first.run_id != rid
    fresh = ctrl.runs.get(rid).history[0]["loss"]
    assert abs(first.history[0]["loss"] - last_loss) < 0.5 * abs(fresh - last_loss)


def test_a_model_that_does_not_fit_or_is_no_model_is_reported(tab, tmp_path):
    from tsvae_core.models import build_model
    ctrl, view = tab()
    _upload(view.model_input, b"not a zip", "junk.keras")
    assert "Cannot load junk.keras" in view.problem and ctrl.state.loaded_model == ""
    _upload(view.model_input, b"{}", "model.json")
    assert "ends in .keras" in view.problem
    other = build_model(ctrl.data, ctrl.model)  # latent 2
    other.build((None, 16, 3))
    path = tmp_path / "wrong.keras"
    other.save(path)
    ctrl.model.latent_dim = 3  # the settings now want latent 3: the file does not fit
    _upload_model(view, path.read_bytes(), "wrong.keras")
    assert "latent_dim=3" in view.problem and ctrl.state.loaded_model == ""
    assert ctrl.state.can_start  # the page goes on


def test_settings_file_loads_into_the_widgets_exactly(tab, tiny_configs):
    ctrl, view = tab()
    d, m, t = tiny_configs(latent_dim=5, architecture="vq_vae", codebook_size=9,
                           learning_rate=0.0123, time_wavelengths=[1.0, 2.5], seed=3)
    _upload(view.config_input, config_to_json(d, m, t).encode(), "mine.json")
    assert view.problem == "" and "mine.json" in view.message
    for cfg, mine in zip((d, m, t), (ctrl.data, ctrl.model, ctrl.train)):
        assert cfg.param.values() | {"name": ""} == mine.param.values() | {"name": ""}
    assert ctrl.state.error == ""


@pytest.mark.parametrize("text, fragment", [
    ("not json", "does not parse"),
    ('{"ModelConfig": {"latent_dim": 999}}', "ModelConfig.latent_dim=999: allowed range"),
    ('{"ModelConfig": {"nonsense": 1}}', "ModelConfig.nonsense: unknown field"),
    ('{"DataConfig": {"seq_len": 18}}', "scale_steps"),
    ('[1, 2]', "must be an object"),
])
def test_a_bad_settings_file_is_reported_and_changes_nothing(tab, text, fragment):
    ctrl, view = tab()
    before = [cfg.param.values() for cfg in (ctrl.data, ctrl.model, ctrl.train)]
    _upload(view.config_input, text.encode(), "bad.json")
    assert view.problem.startswith("Cannot load bad.json: ") and fragment in view.problem
    assert [cfg.param.values() for cfg in (ctrl.data, ctrl.model, ctrl.train)] == before
    _upload(view.config_input, b"\xff\xfe", "binary.json")
    assert "not UTF-8" in view.problem


def test_json_of_the_settings_is_what_the_page_downloads(tab):
    ctrl, view = tab()
    doc = json.loads(_fetch(view.downloads["config"]))
    assert doc["ModelConfig"]["latent_dim"] == ctrl.model.latent_dim


def _zip(members: dict) -> bytes:
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("name, data, fragment", [
    ("x.keras", bytes(range(256)) * 4, "x.keras: not a Keras model file (a .keras file is a zip"),
    ("empty.keras", b"", "empty.keras: the file is empty"),
    ("notes.keras", _zip({"notes.txt": "hi"}), "notes.keras: a zip archive, but not a Keras "
                                               "model file (it has no config.json or "),
    ("half.keras", _zip({"config.json": "{}", "model.weights.h5": b"junk"}),
     "half.keras: not a readable Keras model (OSError"),
])
def test_each_bad_model_file_gets_its_own_message_without_server_paths(tab, name, data, fragment):
    ctrl, view = tab()
    view.message = "Loaded the settings of earlier.json"  # a previous load's message
    _upload_model(view, data, name)
    assert view.problem.startswith("Cannot load ") and fragment in view.problem, view.problem
    assert view.message == ""                           # replaced, not left standing
    assert "/tmp" not in view.problem and "tsvae-upload" not in view.problem
    assert "/tmp" not in ctrl.state.error and ctrl.state.loaded_model == "" and ctrl.state.can_start
    # the same file again answers again (the widget forgot it)
    view.problem = ""
    _upload_model(view, data, name)
    assert fragment in view.problem


def test_an_empty_or_deeply_nested_settings_file_is_reported(tab):
    ctrl, view = tab()
    _upload(view.config_input, b'{"ModelConfig": {"nonsense": 1}}', "first.json")
    assert "first.json" in view.problem
    _upload(view.config_input, b"", "empty.json")
    assert view.problem == "Cannot load empty.json: the file is empty"
    _upload(view.config_input, b"[" * 100_000, "deep.json")  # json recurses: no crash
    assert view.problem == "Cannot load deep.json: the JSON is nested too deeply"
    _upload(view.config_input, b"  \n", "blank.json")
    assert view.problem == "Cannot load blank.json: the file is empty"


def test_an_empty_file_as_the_browser_sends_it_and_the_clear_echo(tab):
    ctrl, view = tab()
    # Panel turns an empty file's (empty) data into None; only its name arrives
    view.model_input.param.update(filename="empty.keras", value=None)
    assert view.problem == "Cannot load empty.keras: the file is empty"
    view.config_input.param.update(filename="empty.json", value=None)
    assert view.problem == "Cannot load empty.json: the file is empty"
    # the same empty file again: answered again
    view.problem = ""
    view.config_input.param.update(filename="empty.json", value=None)
    assert view.problem == "Cannot load empty.json: the file is empty"
    # the browser's echo of clear() (no name, no data) is no upload
    assert view.config_input.filename is None
    view._on_config_upload()
    assert view.problem == "Cannot load empty.json: the file is empty"


def test_a_failed_runs_model_download_says_last_finite(tab, wait, tmp_path):
    """Issue 22 item 1 on the page: a run that diverges after a finished epoch offers that
    epoch's weights under a name that says so, never the NaN weights."""
    ctrl, view = tab(epochs=6, optimizer="sgd", learning_rate=1e-3, architecture="dense_vae")
    ctrl.param.trigger("step")  # one epoch, then paused
    wait(ctrl, lambda: ctrl.state.status == ev.PAUSED and ctrl.state.epoch >= 1, 120, "one epoch")
    ctrl.train.learning_rate = 1e5  # applies live, at the next batch
    ctrl.param.trigger("pause")     # resume
    wait(ctrl, lambda: ctrl.state.status == ev.FAILED, 120, "the loss to become NaN")
    assert view.downloads["model"].filename == f"tsvae-{ctrl.state.run_id}.last-finite.keras"
    data = _fetch(view.downloads["model"])
    assert view.problem == "", view.problem
    path = tmp_path / "m.keras"
    path.write_bytes(data)
    weights = keras.saving.load_model(path, compile=False).get_weights()
    assert all(np.isfinite(w).all() for w in weights)
