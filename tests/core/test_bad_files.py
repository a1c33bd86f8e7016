"""Bad input files: each gives a ValueError that names the problem and, where there is
one, the column and the row; made from small files the test writes."""
from __future__ import annotations

import numpy as np
import pytest

from tsvae_core.config import DataConfig
from tsvae_core.sources import build_dataset
from tsvae_core.sources import files as files_mod

from .sources_files import series_frame


def load(path, **kw):
    return build_dataset(DataConfig(source="file", data_path=str(path), seq_len=16, **kw))


def write(tmp_path, name, text: str | bytes):
    path = tmp_path / name
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return path


@pytest.mark.parametrize("name, content, kw, expected", [
    ("empty.csv", "", {}, r"empty\.csv is empty"),
    ("header.csv", "a,b\n", {}, r"is empty"),
    ("words.csv", "a,b\nx,y\nz,w\n", {}, r"no numeric column.*a \(.*\), b"),
    ("text.csv", "a,b\n" + "1,2\n" * 5 + "1,oops\n" + "1,2\n" * 60, {"value_columns": "a,b"},
     r"value column 'b' has text at data row 5: 'oops'"),
    ("missing_col.csv", "a,b\n1,2\n", {"value_columns": "a,c"}, r"value column 'c' is not in the file; its columns: a, b"),
    ("short.csv", "a\n" + "1\n" * 20, {}, r"20 rows, too few for seq_len=16"),
    ("oneclass.csv", "a,lab\n" + "1,x\n" * 80, {"label_column": "lab"},
     r"label column 'lab' has one class \(only 'x'\)"),
    ("latin1.csv", "a,name\n1,caf\xe9\n".encode("latin-1"), {},
     r"not UTF-8 text: byte 12 \(line 2\)"),
    ("fake.parquet", "a,b\n1,2\n", {}, r"fake\.parquet is not a Parquet file"),
    ("fake.npz", "a,b\n1,2\n", {}, r"fake\.npz is not an NPZ file"),
    ("fake.npy", "a,b\n1,2\n", {}, r"fake\.npy is not a readable NPY array"),
    ("data.xlsx", "a\n1\n", {}, r"unknown format \.xlsx"),
])
def test_bad_file_is_named(tmp_path, name, content, kw, expected):
    path = write(tmp_path, name, content)
    with pytest.raises(ValueError, match=expected):
        load(path, **kw)


def test_short_gaps_are_interpolated_long_ones_refused(tmp_path):
    frame = series_frame()[["a", "b"]]
    frame.loc[10:12, "a"] = np.nan          # 3 in a row: filled (max_fill 3)
    frame.loc[40, "b"] = np.inf
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)
    ds = load(path)
    assert np.isfinite(ds.series).all()
    assert any("filled 4 missing or infinite values" in n for n in ds.notes)
    frame.loc[100:104, "b"] = np.nan        # 5 in a row: refused
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"'b': 5 missing or infinite values in a row from "
                                         r"data row 100; refused: at most max_fill=3"):
        load(path)


def test_file_over_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(files_mod, "MAX_FILE_BYTES", 1000)  # the real limit is 200 MB
    path = tmp_path / "big.csv"
    series_frame().to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"big\.csv is .* MB; allowed: at most 0 MB"):
        load(path)


def test_window_longer_than_a_collection_is_resampled_not_refused():
    pytest.importorskip("aeon")
    # ItalyPowerDemand's series have 24 samples: a window of 64 resamples them (stated)
    ds = build_dataset(DataConfig(source="aeon_collection", collection="ItalyPowerDemand",
                                  seq_len=64))
    assert ds.x_train.shape[1] == 64 and "lengths" not in ds.split
    assert "length 24, resampled to seq_len=64" in ds.split


def test_cmapss_bad_files(tmp_path):
    path = write(tmp_path, "bad_FD.txt", "1 1 0.1 0.2\n")
    with pytest.raises(ValueError, match=r"has 4 columns; a CMAPSS file has 26"):
        build_dataset(DataConfig(source="cmapss", data_path=str(path)))
    with pytest.raises(ValueError, match=r"data_path .*nope.txt.*no such file"):
        build_dataset(DataConfig(source="cmapss", data_path=str(tmp_path / "nope.txt")))
