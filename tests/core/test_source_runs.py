"""Real training on each real-data source (tiny configs, one epoch), the optional aeon
engine, and the session's window shape taken from the data."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tsvae_core.probes import ProbeConfig, make_probes
from tsvae_core.sources import build_dataset
from tsvae_core.session.training import TrainingSession

from .sources_files import series_frame, write_cmapss
from .tiny import tiny_configs


def run(**kw) -> TrainingSession:
    s = TrainingSession(*tiny_configs(epochs=1, **kw))
    s.set_recon_indices([3])
    s.start()
    s.join(240)
    assert s.status == "finished", s.message
    return s


@pytest.mark.slow
def test_file_run_takes_its_shape_from_the_data(tmp_path):
    path = tmp_path / "s.csv"
    series_frame().to_csv(path, index=False)
    s = run(architecture="dense_vae", source="file", data_path=str(path),
            value_columns="a", label_column="label", time_channel="none")
    assert s.snapshot.window_shape == (16, 1)                   # one value channel, no time
    z = s.encode(s.dataset.x_val[:4])
    assert z.shape == (4, 2) and np.isfinite(z).all()
    assert s.history and np.isfinite(s.history[0]["val_loss"])


@pytest.mark.slow
def test_cmapss_regressor_learns_remaining_life_as_its_target(tmp_path):
    path = write_cmapss(tmp_path / "train_FD999.txt", engines=(60, 70, 50, 65))
    s = run(architecture="vae_regressor", source="cmapss", data_path=str(path), rul_cap=40,
            val_fraction=0.25, stride=2)
    true = s.model.target(s.dataset.start_val)
    end = s.dataset.start_val + 16 - 1
    assert np.allclose(true, s.dataset.row_target[end])          # the window's last row's
    assert "val_regression_mae" in s.history[0]


@pytest.mark.slow
def test_collection_classifier_has_one_output_per_class():
    pytest.importorskip("aeon")
    s = run(architecture="vae_classifier", source="aeon_collection", collection="ArrowHead")
    assert s.model.head.output_shape[-1] == 3                    # ArrowHead's 3 classes
    assert 0.0 <= s.history[0]["val_classifier_accuracy"] <= 1.0


def test_probes_are_refused_for_real_data(tmp_path):
    path = tmp_path / "s.csv"
    series_frame().to_csv(path, index=False)
    data = tiny_configs(source="file", data_path=str(path))[0]
    with pytest.raises(ValueError, match="only for the synthetic source"):
        make_probes(data, ProbeConfig(), build_dataset(data))


def test_bad_file_fails_the_run_with_its_message_in_one_log_line(tmp_path, caplog):
    """Bad input is named in one warning line, no traceback (issue 22 item 4)."""
    path = tmp_path / "words.csv"
    path.write_text("a,b\nx,y\n")
    s = TrainingSession(*tiny_configs(source="file", data_path=str(path)))
    with caplog.at_level("INFO", logger="tsvae_core"):
        s.start()
        s.join(60)
    assert s.status == "failed" and "no numeric column" in s.message
    logged = [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert len(logged) == 1 and logged[0].levelname == "WARNING" and not logged[0].exc_info
    assert "no numeric column" in logged[0].getMessage()


def test_without_aeon_the_aeon_sources_say_what_to_install():
    code = ("import sys; sys.modules['aeon'] = None\n"
            "from tsvae_core.config import DataConfig\n"
            "from tsvae_core.sources import build_dataset\n"
            "try:\n"
            "    build_dataset(DataConfig(source='aeon_collection'))\n"
            "except ValueError as exc:\n"
            "    print('MSG', exc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "MSG the aeon sources need aeon: install tsvae[data]" in out.stdout, out.stderr
