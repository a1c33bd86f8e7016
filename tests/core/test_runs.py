import csv
import io
import json
import math

import numpy as np
import pytest

from tsvae_core import events as ev
from tsvae_core.config import config_values, make_configs
from tsvae_core.runs import (RunHistory, RunRecord, config_from_json, config_to_json,
                             differences, history_csv, latent_csv)


def epoch_event(epoch, loss, knn, extra_logs=None):
    logs = {"loss": loss, "val_loss": loss * 1.1, **(extra_logs or {})}
    z = np.zeros((4, 2), np.float32)
    return ev.EpochEnd(epoch, 3, logs, z, np.zeros(4, np.int32), np.array([0]),
                       np.zeros((1, 8, 2)), np.zeros((1, 8, 2)), 0.5 * epoch, knn, 0.25,
                       1.5 * epoch)


# ---- configuration JSON ----
def test_config_json_round_trips_exactly():
    configs = make_configs("quick", seq_len=64, latent_dim=3, time_wavelengths=[1.0, 2.5],
                           learning_rate=0.00123456789, architecture="vq_vae", time_bypass=True,
                           optimizer="nadam", beta=0.1 + 0.2)
    text = config_to_json(*configs)
    back = config_from_json(text)
    assert [type(c) for c in back] == [type(c) for c in configs]
    assert config_values(*back) == config_values(*configs)
    assert config_to_json(*back) == text
    assert back[2].learning_rate == 0.00123456789 and back[1].beta == 0.1 + 0.2
    assert back[0].time_wavelengths == [1.0, 2.5] and isinstance(back[0].seq_len, int)


def test_config_json_defaults_for_missing_fields():
    data, model, train = config_from_json(json.dumps({"DataConfig": {"seq_len": 64}}))
    assert data.seq_len == 64 and data.n_patterns == 30 and model.latent_dim == 2


def doc_with(section, key, value):
    doc = json.loads(config_to_json(*make_configs("quick")))
    doc[section][key] = value
    return json.dumps(doc)


@pytest.mark.parametrize("section,key,value,pattern", [
    ("DataConfig", "seq_len", 4096, r"DataConfig\.seq_len=4096: allowed range: an integer in 8\.\.1024"),
    ("TrainConfig", "learning_rate", -1.0, r"TrainConfig\.learning_rate=-1\.0: allowed range: .*1e-08\.\.100000"),
    ("ModelConfig", "architecture", "gan", r"ModelConfig\.architecture='gan': allowed: conv_attention_gru, "),
    ("ModelConfig", "time_bypass", "yes", r"ModelConfig\.time_bypass='yes': allowed: true or false"),
    ("DataConfig", "n_patterns", 2.5, r"DataConfig\.n_patterns=2\.5: allowed range: an integer"),
])
def test_config_json_out_of_range_names_field_and_range(section, key, value, pattern):
    with pytest.raises(ValueError, match=pattern):
        config_from_json(doc_with(section, key, value))


def test_config_json_unknown_field_and_section_are_refused():
    with pytest.raises(ValueError, match=r"ModelConfig\.seq_len: unknown field; allowed fields: .*latent_dim"):
        config_from_json(doc_with("ModelConfig", "seq_len", 32))
    with pytest.raises(ValueError, match=r"DataConfig\.colour: unknown field"):
        config_from_json(doc_with("DataConfig", "colour", "red"))
    with pytest.raises(ValueError, match="unknown section 'Extra'"):
        config_from_json(json.dumps({"Extra": {}}))
    with pytest.raises(ValueError, match="does not parse"):
        config_from_json("{not json")


def test_config_json_cross_field_rule_is_checked():
    doc = json.loads(config_to_json(*make_configs("quick")))
    doc["DataConfig"]["seq_len"] = 36          # in range, and so is scale_steps 3,
    doc["ModelConfig"]["scale_steps"] = 3      # but 36 does not divide by 2**3
    with pytest.raises(ValueError, match=r"ModelConfig\.scale_steps=3: .*allowed scale_steps"):
        config_from_json(json.dumps(doc))


# ---- records and history ----
def test_record_follows_session_events():
    rec = RunRecord.new(*make_configs("quick"), run_id="a")
    assert rec.config["seq_len"] == 32 and rec.status == ev.IDLE and math.isnan(rec.best_knn)
    for e in [ev.StatusChanged(ev.RUNNING), epoch_event(1, 9.0, math.nan),
              epoch_event(2, 7.0, 0.6), ev.BatchProgress(3, 1, 10, 100.0, 6.5, 3.3),
              epoch_event(3, 6.0, 0.5), ev.StatusChanged(ev.FINISHED, "done")]:
        rec.observe(e)
    assert rec.status == ev.FINISHED
    assert [r["epoch"] for r in rec.history] == [1, 2, 3]
    assert rec.best_knn == 0.6 and rec.final_loss == 6.0 and rec.elapsed_s == 4.5
    assert rec.history[1] == {"epoch": 2, "loss": 7.0, "val_loss": 7.0 * 1.1,
                              "knn_accuracy": 0.6, "silhouette": 0.25, "epoch_seconds": 1.0}


def test_history_container_and_differences():
    h = RunHistory()
    a = h.add(RunRecord.new(*make_configs("quick"), run_id="a"))
    b = h.add(RunRecord.new(*make_configs("quick", latent_dim=3, learning_rate=1e-2), run_id="b"))
    c = h.add(RunRecord.new(*make_configs("quick", latent_dim=3), run_id="c"))
    assert [r.run_id for r in h.list()] == ["a", "b", "c"] and len(h) == 3 and "b" in h
    assert h.differences() == {"latent_dim", "learning_rate"}
    assert h.differences([b, c]) == {"learning_rate"}
    assert differences([a]) == set()
    h.update("a", [ev.StatusChanged(ev.RUNNING), epoch_event(1, 5.0, 0.4)])
    assert h.get("a").status == ev.RUNNING and h.get("a").final_loss == 5.0
    with pytest.raises(ValueError, match="run_id='a' is already"):
        h.add(RunRecord.new(*make_configs("quick"), run_id="a"))
    with pytest.raises(ValueError, match="run_id='zz'"):
        h.get("zz")
    h.remove("b")
    assert [r.run_id for r in h.list()] == ["a", "c"]


# ---- CSV ----
def test_history_csv_has_epochs_logs_and_metrics():
    rec = RunRecord("r", {})
    rec.observe(epoch_event(1, 9.25, math.nan))
    rec.observe(epoch_event(2, 7.0, 0.6, {"kl_loss": 0.125}))
    text = history_csv(rec)
    lines = text.splitlines()
    assert lines[0] == "epoch,kl_loss,loss,val_loss,knn_accuracy,silhouette,epoch_seconds"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    assert rows[0]["epoch"] == "1" and rows[0]["kl_loss"] == "" and rows[0]["knn_accuracy"] == "nan"
    assert float(rows[0]["loss"]) == 9.25 and float(rows[1]["val_loss"]) == 7.0 * 1.1
    assert rows[1]["kl_loss"] == "0.125" and rows[1]["epoch_seconds"] == "1.0"
    assert history_csv(RunRecord("empty", {})) == "epoch,knn_accuracy,silhouette,epoch_seconds\n"


def test_latent_csv_columns_and_rows():
    z = np.array([[0.5, -1.25, 3.0], [1e-7, 2.0, 0.0]], np.float32)
    text = latent_csv(z, np.array([2, -1]))
    assert text.splitlines() == ["label,z0,z1,z2", "2,0.5,-1.25,3", "-1,1e-07,2,0"]
    with pytest.raises(ValueError, match="latent_csv"):
        latent_csv(z, np.array([1]))
