"""The real-data sources: every format and source loads into the Dataset contract, the
time split never lets a validation window overlap a training window, scaling is fitted
on training rows only, CMAPSS gives windows per engine with their remaining useful life."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsvae_core.config import DataConfig, SOURCE_FIELDS, make_configs
from tsvae_core.data import generate
from tsvae_core.sources import build_dataset, model_input
from tsvae_core.sources.cmapss import read_cmapss

from .sources_files import SHARED_CMAPSS, series_frame, write_cmapss
from .tiny import TINY


def file_cfg(path, **kw) -> DataConfig:
    return DataConfig(source="file", data_path=str(path), seq_len=16, **kw)


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("src") / "series.csv"
    series_frame().to_csv(path, index=False)
    return path


def test_synthetic_source_is_the_generator_unchanged():
    cfg = make_configs("quick", **TINY)[0]
    a, b = build_dataset(cfg), generate(cfg)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_val, b.y_val)
    assert model_input(cfg, a) is cfg


def test_every_source_field_is_a_data_field():
    for fields in SOURCE_FIELDS.values():
        assert set(fields) <= set(DataConfig.param)


def test_time_split_has_no_overlap_and_a_gap_of_one_window(csv_path):
    ds = build_dataset(file_cfg(csv_path, label_column="label", stride=3))
    seq = 16
    last_train_row = ds.start_train.max() + seq - 1
    assert ds.start_val.min() >= last_train_row + 1 + seq - 1  # a window's gap at least
    assert ds.start_val.min() >= ds.val_row_start > last_train_row
    # no validation window shares a row with any training window
    tr = np.zeros(len(ds.series), bool)
    for s in ds.start_train:
        tr[s:s + seq] = True
    assert not any(tr[s:s + seq].any() for s in ds.start_val)
    assert np.all(np.diff(ds.start_train) == 3)
    assert "time split" in ds.split and ds.source == "file"


def test_scaling_is_fitted_on_training_rows_only(tmp_path):
    frame = series_frame()
    frame.loc[500:, "a"] += 100.0     # only the validation part reaches these values
    path = tmp_path / "shift.csv"
    frame.to_csv(path, index=False)
    ds = build_dataset(file_cfg(path, value_columns="a", time_channel="none"))
    train_rows = ds.series[:ds.start_train.max() + 16, 0]
    assert train_rows.min() == pytest.approx(0.0) and train_rows.max() == pytest.approx(1.0)
    assert ds.x_val.max() > 10.0      # validation lies far outside the training range


def test_labels_are_window_modes_and_names_kept(csv_path):
    ds = build_dataset(file_cfg(csv_path, label_column="label", time_column="time"))
    assert ds.label_names == ("down", "up")
    expected = [np.bincount(ds.row_labels[s:s + 16]).argmax() for s in ds.start_train]
    assert np.array_equal(ds.y_train, expected)
    assert ds.channel_names == ["a", "b", "time"]


def test_time_channel_choices(csv_path):
    cos = build_dataset(file_cfg(csv_path, time_column="time", value_columns="a"))
    none = build_dataset(file_cfg(csv_path, time_column="time", value_columns="a",
                                  time_channel="none"))
    stamps = build_dataset(file_cfg(csv_path, time_column="time", value_columns="a",
                                    time_channel="timestamps"))
    assert cos.x_train.shape[2] == 2 and none.x_train.shape[2] == 1
    t = stamps.series[:, -1]
    assert np.all(np.diff(t) > 0) and t[0] == 0.0      # the timestamps, scaled
    assert model_input(file_cfg(csv_path), none).n_features == 0


def test_time_column_sorts_and_reports_gaps_and_duplicates(tmp_path):
    frame = series_frame()
    frame.loc[300:, "time"] += 40.0                           # a gap
    frame = pd.concat([frame, frame.iloc[[100]]])             # a duplicate time
    frame = frame.iloc[::-1]                                  # file in reverse order
    path = tmp_path / "unsorted.csv"
    frame.to_csv(path, index=False)
    ds = build_dataset(file_cfg(path, time_column="time", value_columns="a"))
    text = " ".join(ds.notes)
    assert "sorted" in text and "1 duplicate" in text and "1 gaps" in text


@pytest.mark.parametrize("fmt", ["parquet", "npy", "npz"])
def test_other_formats_give_the_same_windows_as_csv(csv_path, tmp_path, fmt):
    frame = series_frame()[["a", "b"]]
    path = tmp_path / f"s.{fmt}"
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
        frame.to_parquet(path)
    elif fmt == "npy":
        np.save(path, frame.to_numpy())
    else:
        np.savez(path, values=frame.to_numpy(), labels=(np.arange(600) // 50) % 2)
    ds = build_dataset(file_cfg(path, label_column="labels" if fmt == "npz" else ""))
    ref = build_dataset(file_cfg(csv_path, value_columns="a,b"))
    assert np.allclose(ds.x_train, ref.x_train)
    if fmt == "npz":
        assert set(np.unique(ds.y_train)) == {0, 1}


def test_cmapss_windows_per_engine_and_remaining_life(tmp_path):
    path = write_cmapss(tmp_path / "train_FD999.txt")
    cfg = DataConfig(source="cmapss", data_path=str(path), seq_len=8, rul_cap=20,
                     val_fraction=0.25)
    ds = build_dataset(cfg)
    assert ds.x_train.shape[2] == 26 - 2 - 2              # unit, cycle and 2 constants dropped
    lengths = [30, 40, 25, 35]
    ends = np.cumsum(lengths)
    for s in np.concatenate([ds.start_train, ds.start_val]):   # no window crosses an engine
        engine = np.searchsorted(ends, s, side="right")
        assert s + 8 <= ends[engine]
    assert ds.val_row_start == ends[2]                    # the last engine validates
    assert ds.start_val.min() >= ends[2]
    # engine 1: 30 cycles; its first window ends at cycle 8: RUL 22 -> capped 20 -> 1.0
    spec = model_input(cfg, ds)
    assert ds.row_target[7] == pytest.approx(1.0)
    assert ds.row_target[29] == pytest.approx(0.0)        # the last cycle
    assert ds.row_target[25] == pytest.approx(4 / 20)
    assert spec.row_target is ds.row_target


def test_shared_cmapss_fd001():
    path = SHARED_CMAPSS / "train_FD001.txt"
    if not path.is_file():
        pytest.skip(f"no CMAPSS data at {SHARED_CMAPSS} (the product ships none)")
    frame = read_cmapss(str(path))
    assert frame["unit"].nunique() == 100 and len(frame) == 20631
    ds = build_dataset(DataConfig(source="cmapss", data_path=str(path), seq_len=32, stride=4))
    assert ds.x_train.shape[1:] == (32, 17)               # 7 constant columns dropped
    assert 0.0 <= ds.row_target.min() and ds.row_target.max() == 1.0


def test_aeon_collection_keeps_the_published_split():
    pytest.importorskip("aeon")
    ds = build_dataset(DataConfig(source="aeon_collection", collection="GunPoint", seq_len=64))
    assert (len(ds.x_train), len(ds.x_val)) == (50, 150)  # UCR's train/test
    assert ds.x_train.shape[1:] == (64, 1) and set(ds.y_train) == {0, 1}
    assert "resampled to seq_len=64" in ds.split
    assert np.array_equal(ds.start_val, (50 + np.arange(150)) * 64)


def test_aeon_variable_length_multivariate_collection():
    pytest.importorskip("aeon")
    ds = build_dataset(DataConfig(source="aeon_collection", collection="JapaneseVowels",
                                  seq_len=32))
    assert ds.x_train.shape[1:] == (32, 12) and "lengths 7-29" in ds.split
    assert np.isfinite(ds.x_val).all() and len(ds.label_names) == 9


def test_aeon_anomaly_series_two_parts_with_labels():
    pytest.importorskip("aeon")
    ds = build_dataset(DataConfig(source="aeon_anomaly", anomaly_series="ecg-diff-count-3",
                                  seq_len=32, stride=8))
    assert ds.val_row_start == 10_000 and len(ds.series) == 20_000
    assert ds.row_anomaly[:10_000].sum() == 0 and ds.row_anomaly[10_000:].sum() > 0
    assert ds.start_train.max() + 32 <= 10_000 <= ds.start_val.min()


def test_kdd_tsad_validation_is_the_test_part_only():
    # aeon's "test" split of KDD-TSAD 135 is the whole series, training rows included:
    # validation must start after them, not repeat them
    pytest.importorskip("aeon")
    ds = build_dataset(DataConfig(source="aeon_anomaly", anomaly_series="KDD-TSAD_135",
                                  seq_len=32, stride=8))
    assert ds.val_row_start == 1_200 and len(ds.series) == 7_501
    assert ds.row_anomaly.sum() == 12 and ds.row_anomaly[:1_200].sum() == 0


def test_daphnet_loads_unlabelled():
    pytest.importorskip("aeon")
    ds = build_dataset(DataConfig(source="aeon_anomaly", anomaly_series="Daphnet_S06R02E0",
                                  seq_len=32, stride=16))
    assert ds.row_anomaly is None and ds.x_train.shape[2] == 9 + 1
