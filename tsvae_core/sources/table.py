"""A table (DataFrame) -> the value channels, row labels and times a series source needs,
with every problem named by column and data row (0-based, the file's order: a CSV's
data row r is line r + 2, after the header)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import DataConfig
from ..short_text import shorten

#: A step between timestamps above this many times the median step counts as a gap.
GAP_FACTOR = 1.5


@dataclass
class Columns:
    values: np.ndarray               # (rows, channels) float64, finite
    names: list[str]
    labels: np.ndarray | None        # (rows,) int32 class id, -1 for none
    times: np.ndarray | None         # (rows,) float64, sorted
    notes: list[str]
    label_names: list[str]
    anomaly: np.ndarray | None = None    # (rows,) int8 0/1, from the anomaly column
    groups: np.ndarray | None = None     # (rows,) the instance column's values
    split: np.ndarray | None = None      # (rows,) bool, True for a test row (split column)


#: DataConfig field -> what the page and messages call the column's role
ROLE_FIELDS = {"label_column": "label", "anomaly_column": "anomaly", "time_column": "time",
               "split_column": "split", "instance_column": "instance"}


def role_columns(cfg: DataConfig) -> dict[str, str]:
    """field -> column name of every role column set (not values); ValueError when one
    column is given two roles."""
    roles = {f: getattr(cfg, f).strip() for f in ROLE_FIELDS if getattr(cfg, f).strip()}
    seen: dict[str, str] = {}
    for f, col in roles.items():
        if col in seen:
            raise ValueError(f"column {col!r} is both the {ROLE_FIELDS[seen[col]]} column "
                             f"({seen[col]}) and the {ROLE_FIELDS[f]} column ({f}); allowed: "
                             f"one role a column")
        seen[col] = f
    values = {n.strip() for n in cfg.value_columns.split(",") if n.strip()}
    for col in values & set(seen):
        raise ValueError(f"column {col!r} is in value_columns and is the "
                         f"{ROLE_FIELDS[seen[col]]} column ({seen[col]}); allowed: one role "
                         f"a column")
    return roles


def columns_of(frame: pd.DataFrame, cfg: DataConfig) -> Columns:
    notes: list[str] = []
    roles = role_columns(cfg)
    _require(frame, list(roles.values()), "")
    times = None
    if cfg.time_column:
        times = _times(frame[cfg.time_column], cfg.time_column)
        order = np.argsort(times, kind="stable")
        if (order != np.arange(len(order))).any():
            notes.append(f"rows sorted by time column '{cfg.time_column}'")
            frame, times = frame.iloc[order], times[order]
        notes.extend(_time_report(times))
    labels, label_names = None, []
    if cfg.label_column:
        labels, label_names = _labels(frame[cfg.label_column], cfg.label_column)
    anomaly = _anomaly(frame[cfg.anomaly_column], cfg.anomaly_column) \
        if "anomaly_column" in roles else None
    groups = frame[cfg.instance_column].to_numpy() if "instance_column" in roles else None
    split = _split(frame[cfg.split_column], cfg.split_column) if "split_column" in roles else None
    names = _value_names(frame, cfg, set(roles.values()))
    values = np.column_stack([_numeric(frame[n], n) for n in names])   # (rows, channels)
    notes.extend(fill_gaps(values, names, cfg.max_fill, frame.index.to_numpy()))
    return Columns(values, names, labels, times, notes, label_names, anomaly, groups, split)


def _anomaly(col: pd.Series, name: str) -> np.ndarray:
    """0/1 per row (bools and 0.0/1.0 too); ValueError naming the first other value."""
    if pd.api.types.is_bool_dtype(col):
        return col.to_numpy().astype(np.int8)
    num = pd.to_numeric(col, errors="coerce")
    bad = ~num.isin([0, 1])
    if bad.any():
        at = bad.to_numpy().argmax()
        raise ValueError(f"anomaly column {name!r} has {shorten(col.iloc[at], 40)!r} at data row "
                         f"{col.index[at]}; allowed: 0 or 1 in every row (1 = anomalous); a "
                         f"class label belongs in label_column")
    return num.to_numpy().astype(np.int8)


#: a split column's test values (any case); every other value must be a training one
TEST_WORDS, TRAIN_WORDS = {"test", "1", "true", "val", "validation"}, {"train", "0", "false"}


def _split(col: pd.Series, name: str) -> np.ndarray:
    words = col.astype(str).str.strip().str.lower()
    bad = ~words.isin(TEST_WORDS | TRAIN_WORDS)
    if bad.any():
        at = bad.to_numpy().argmax()
        raise ValueError(f"split column {name!r} has {shorten(col.iloc[at], 40)!r} at data row "
                         f"{col.index[at]}; allowed: train or test (also 0/1)")
    test = words.isin(TEST_WORDS).to_numpy()
    if test.all() or not test.any():
        raise ValueError(f"split column {name!r}: every row is "
                         f"{'test' if test.all() else 'train'}; allowed: both train and test "
                         f"rows")
    return test


def _require(frame: pd.DataFrame, names: list[str], kind: str) -> None:
    for n in names:
        if n not in frame.columns:
            raise ValueError(f"{kind}column {n!r} is not in the file; its columns: "
                             f"{', '.join(map(str, frame.columns))}")


def _value_names(frame: pd.DataFrame, cfg: DataConfig, skip: set[str]) -> list[str]:
    if cfg.value_columns.strip():
        names = [n.strip() for n in cfg.value_columns.split(",") if n.strip()]
        _require(frame, names, "value ")
        return names
    # a column of numbers with a stray word in it is meant as values: _numeric names the row
    names = [c for c in frame.columns if c not in skip and _mostly_numbers(frame[c])]
    if not names:
        kinds = ", ".join(f"{c} ({frame[c].dtype})" for c in frame.columns)
        raise ValueError(f"the file has no numeric column to use as values; its columns: "
                         f"{kinds}")
    return [str(n) for n in names]


def _mostly_numbers(col: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(col):
        return False
    if pd.api.types.is_numeric_dtype(col):
        return True
    head = col.iloc[:1000].dropna()
    return len(head) > 0 and pd.to_numeric(head, errors="coerce").notna().mean() > 0.5


def _numeric(col: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return col.to_numpy(dtype=np.float64)
    num = pd.to_numeric(col, errors="coerce")
    bad = num.isna() & col.notna()
    if bad.any():
        at = bad.to_numpy().argmax()
        raise ValueError(f"value column {name!r} has text at data row {col.index[at]}: "
                         f"{shorten(col.iloc[at], 40)!r}; allowed: numbers")
    return num.to_numpy(dtype=np.float64)


def _times(col: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(col):
        t = col.to_numpy(dtype=np.float64)
    else:
        parsed = pd.to_datetime(col, errors="coerce", utc=True)
        if parsed.isna().any():
            at = parsed.isna().to_numpy().argmax()
            raise ValueError(f"time column {name!r}: data row {col.index[at]} is "
                             f"{shorten(col.iloc[at], 40)!r}, neither a number nor a date")
        t = (parsed - parsed.min()).dt.total_seconds().to_numpy()
    if not np.isfinite(t).all():
        at = int(np.argmax(~np.isfinite(t)))
        raise ValueError(f"time column {name!r}: data row {col.index[at]} is missing")
    return t


def _time_report(t: np.ndarray) -> list[str]:
    steps = np.diff(t)
    notes = []
    dup = int((steps == 0).sum())
    if dup:
        notes.append(f"{dup} duplicate timestamps (kept, in file order)")
    positive = steps[steps > 0]
    if positive.size:
        median = float(np.median(positive))
        gaps = int((steps > GAP_FACTOR * median).sum())
        if gaps:
            notes.append(f"{gaps} gaps longer than {GAP_FACTOR}x the median step ({median:g})")
    return notes


def _labels(col: pd.Series, name: str) -> tuple[np.ndarray, list[str]]:
    codes, classes = pd.factorize(col, sort=True)       # NaN -> -1
    if len(classes) < 2:
        only = f"only {classes[0]!r}" if len(classes) else "no values"
        raise ValueError(f"label column {name!r} has one class ({only}); allowed: at least "
                         f"2 classes, or no label column")
    return codes.astype(np.int32), [str(c) for c in classes]


def fill_gaps(values: np.ndarray, names: list[str], max_fill: int, rows: np.ndarray
              ) -> list[str]:
    """Fill runs of at most ``max_fill`` non-finite values per column in place (linear
    interpolation, the nearest value at the ends); ValueError for a longer run."""
    bad = ~np.isfinite(values)
    if not bad.any():
        return []
    for j, name in enumerate(names):
        m = bad[:, j]
        if not m.any():
            continue
        edges = np.diff(np.concatenate([[0], m.astype(np.int8), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        longest = int(np.argmax(ends - starts))
        run = int(ends[longest] - starts[longest])
        if run > max_fill or m.all():
            raise ValueError(f"value column {name!r}: {run} missing or infinite values in a "
                             f"row from data row {rows[starts[longest]]}; refused: at most "
                             f"max_fill={max_fill} in a row are filled by interpolation")
        good = np.flatnonzero(~m)
        values[m, j] = np.interp(np.flatnonzero(m), good, values[good, j])
    return [f"filled {int(bad.sum())} missing or infinite values by linear interpolation "
            f"(runs of at most max_fill={max_fill})"]
