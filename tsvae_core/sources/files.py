"""The user's file -> a table: CSV (pyarrow's parser when installed, else pandas' C
parser), Parquet (needs pyarrow), NPY and NPZ. Every failure is a ValueError naming the
file's problem and, where there is one, the row or column.

NPY: a 1-D array (one channel) or 2-D (rows, channels), columns c0, c1, ... NPZ: the
array ``values`` (or the only array) as NPY, plus optional 1-D ``labels`` and ``time``.
"""
from __future__ import annotations

import os
import zipfile

import numpy as np
import pandas as pd

from ..config import DataConfig
from ..source_config import MAX_FILE_BYTES  # noqa: F401  (the readers' limit, kept light)
from ..data import Dataset
from .file_splits import file_dataset, joined
from .table import columns_of

FORMATS = (".csv", ".txt", ".parquet", ".npy", ".npz")


def load_file(cfg: DataConfig) -> Dataset:
    """The Dataset of ``cfg.data_path`` (and ``cfg.test_path``): split as ``file_splits``
    says by the columns' roles."""
    name = os.path.basename(cfg.data_path)
    cols = columns_of(read_table(cfg.data_path), cfg)
    if cfg.test_path.strip():
        if cfg.split_column.strip():
            raise ValueError("DataConfig.split_column: give a test_path or a split column, "
                             "not both")
        test = columns_of(read_table(cfg.test_path), cfg)
        cols = joined(cols, test)
    return file_dataset(cfg, cols, name)


def read_table(path: str) -> pd.DataFrame:
    """The file at ``path`` as a DataFrame (ValueError for a bad file)."""
    if not os.path.isfile(path):
        raise ValueError(f"data_path {path!r}: no such file")
    size = os.path.getsize(path)
    name = os.path.basename(path)
    if size > MAX_FILE_BYTES:
        raise ValueError(f"file {name} is {size / 2**20:.0f} MB; allowed: at most "
                         f"{MAX_FILE_BYTES // 2**20} MB")
    if size == 0:
        raise ValueError(f"file {name} is empty")
    ext = os.path.splitext(name)[1].lower()
    if ext in (".csv", ".txt"):
        frame = _read_csv(path, name)
    elif ext == ".parquet":
        frame = _read_parquet(path, name)
    elif ext == ".npy":
        frame = _array_frame(_load_npy(path, name), name)
    elif ext == ".npz":
        frame = _read_npz(path, name)
    else:
        raise ValueError(f"file {name}: unknown format {ext or '(no extension)'}; allowed: "
                         f"{', '.join(FORMATS)}")
    if len(frame) == 0 or len(frame.columns) == 0:
        raise ValueError(f"file {name} is empty (no data rows)")
    return frame


def check_utf8(path: str, name: str) -> None:
    """ValueError naming the line of the first byte that is not UTF-8."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(f"file {name} is not UTF-8 text: byte {exc.start} (line {line}) is "
                         f"{raw[exc.start:exc.start + 1]!r}; save it as UTF-8") from None


def _read_csv(path: str, name: str) -> pd.DataFrame:
    check_utf8(path, name)
    try:
        import pyarrow  # noqa: F401  (the fast parser; optional)
        engine = "pyarrow"
    except ImportError:
        engine = "c"
    try:
        return pd.read_csv(path, engine=engine)
    except pd.errors.EmptyDataError:
        raise ValueError(f"file {name} is empty (no columns)") from None
    except Exception as exc:  # parser errors name the line themselves
        raise ValueError(f"file {name} is not a readable CSV: {exc}") from None


def _read_parquet(path: str, name: str) -> pd.DataFrame:
    with open(path, "rb") as f:
        head = f.read(4)
        f.seek(-4, os.SEEK_END)
        tail = f.read(4)
    if head != b"PAR1" or tail != b"PAR1":
        raise ValueError(f"file {name} is not a Parquet file (no PAR1 marker)")
    try:
        return pd.read_parquet(path)
    except ImportError:
        raise ValueError("reading Parquet needs pyarrow: install tsvae[data]") from None
    except Exception as exc:
        raise ValueError(f"file {name} is not a readable Parquet file: {exc}") from None


def _load_npy(path_or_file, name: str) -> np.ndarray:
    try:
        arr = np.load(path_or_file, allow_pickle=False)
    except ValueError as exc:
        raise ValueError(f"file {name} is not a readable NPY array ({exc})") from None
    return arr


def _read_npz(path: str, name: str) -> pd.DataFrame:
    if not zipfile.is_zipfile(path):
        raise ValueError(f"file {name} is not an NPZ file (not a zip archive)")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception as exc:
        raise ValueError(f"file {name} is not a readable NPZ file ({exc})") from None
    if "values" in arrays:
        values = arrays["values"]
    elif len(arrays) == 1:
        values = next(iter(arrays.values()))
    else:
        raise ValueError(f"file {name}: an NPZ needs an array named 'values' (or just one "
                         f"array); it has {sorted(arrays)}")
    frame = _array_frame(values, name)
    for extra in ("labels", "time"):
        if extra in arrays:
            col = np.asarray(arrays[extra]).ravel()
            if len(col) != len(frame):
                raise ValueError(f"file {name}: '{extra}' has {len(col)} rows, 'values' "
                                 f"{len(frame)}; allowed: the same number")
            frame[extra] = col
    return frame


def _array_frame(arr: np.ndarray, name: str) -> pd.DataFrame:
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"file {name}: the array has shape {arr.shape}; allowed: (rows,) or "
                         f"(rows, channels)")
    return pd.DataFrame(arr, columns=[f"c{i}" for i in range(arr.shape[1])])
