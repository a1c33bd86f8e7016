"""Run history and export: what each run was set to, how it went, and text formats for both.

- ``RunRecord``: one run's configuration (every field of the three configs), one history
  row per epoch (the epoch's logs plus knn_accuracy, silhouette, epoch_seconds), its start
  time, status, best k-NN accuracy, last loss and training time. ``observe`` feeds it the
  session's events, so a reader that drains a session can keep its record current.
- ``RunHistory``: the records of several runs in the order they started, and
  ``differences`` - the configuration fields in which some of them differ.
- ``config_to_json`` / ``config_from_json``: the three configs as JSON, read back exactly;
  unknown fields and out-of-range values are refused with a ValueError that names the
  field and what is allowed.
- ``history_csv`` / ``latent_csv``: CSV text of a run's history and of latent points;
  ``format_duration``: a run's training time as text.

Plain Python and numpy; not thread-safe (one reader thread owns a RunHistory).
"""
from __future__ import annotations

import csv
import io
import json
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import param

from . import events as ev
from .config import (CONFIG_CLASSES, DataConfig, ModelConfig, TrainConfig, config_values,
                     field_names)
from .config_rules import validate
from .fields import allowed

FORMAT, VERSION = "tsvae-config", 1
#: Columns every history row has after the epoch's own logs.
METRIC_COLUMNS = ("knn_accuracy", "silhouette", "epoch_seconds")


# ---- one run ----
@dataclass
class RunRecord:
    run_id: str
    config: dict[str, Any]                   # field -> value, all three configs
    history: list[dict[str, float]] = field(default_factory=list)  # one row per epoch
    started: float = field(default_factory=time.time)  # wall clock, seconds since 1970
    status: str = ev.IDLE
    best_knn: float = math.nan               # highest k-NN accuracy of any epoch
    final_loss: float = math.nan             # training loss of the last epoch
    elapsed_s: float = 0.0                   # training time, pauses excluded

    @classmethod
    def new(cls, data: DataConfig, model: ModelConfig, train: TrainConfig,
            run_id: str | None = None) -> RunRecord:
        """A record of a run about to start with these configs (a random id if none)."""
        return cls(run_id or uuid.uuid4().hex[:8], config_values(data, model, train))

    def observe(self, event) -> None:
        """Update from one session event (EpochEnd, StatusChanged, BatchProgress)."""
        if isinstance(event, ev.EpochEnd):
            row = {"epoch": event.epoch, **{k: float(v) for k, v in event.logs.items()},
                   "knn_accuracy": float(event.knn_accuracy),
                   "silhouette": float(event.silhouette),
                   "epoch_seconds": float(event.epoch_seconds)}
            self.history.append(row)
            knn = row["knn_accuracy"]
            if math.isfinite(knn) and (math.isnan(self.best_knn) or knn > self.best_knn):
                self.best_knn = knn
            self.final_loss = row.get("loss", math.nan)
            self.elapsed_s = float(event.elapsed_s)
        elif isinstance(event, ev.StatusChanged):
            self.status = event.status
        elif isinstance(event, ev.BatchProgress):
            self.elapsed_s = float(event.elapsed_s)


class RunHistory:
    """Records of several runs, in the order they were added."""

    def __init__(self):
        self._records: dict[str, RunRecord] = {}

    def add(self, record: RunRecord) -> RunRecord:
        if record.run_id in self._records:
            raise ValueError(f"run_id={record.run_id!r} is already in the history")
        self._records[record.run_id] = record
        return record

    def get(self, run_id: str) -> RunRecord:
        try:
            return self._records[run_id]
        except KeyError:
            raise ValueError(f"run_id={run_id!r}: allowed: {', '.join(self._records)}") from None

    def update(self, run_id: str, events) -> RunRecord:
        """Feed one event or a list of them (what ``session.drain()`` returns) to a record."""
        record = self.get(run_id)
        for event in events if isinstance(events, (list, tuple)) else [events]:
            record.observe(event)
        return record

    def remove(self, run_id: str) -> None:
        self._records.pop(run_id, None)

    def list(self) -> list[RunRecord]:
        return list(self._records.values())

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, run_id) -> bool:
        return run_id in self._records

    def differences(self, records: Iterable[RunRecord] | None = None) -> set[str]:
        """Config fields whose value is not the same in all ``records`` (default: all)."""
        records = self.list() if records is None else list(records)
        return differences(records)


def differences(records: Iterable[RunRecord]) -> set[str]:
    """Config fields whose value is not the same in all records (a field only some have
    counts as differing)."""
    records = list(records)
    if len(records) < 2:
        return set()
    names = set().union(*(r.config for r in records))
    missing = object()
    return {n for n in names
            if any(r.config.get(n, missing) != records[0].config.get(n, missing)
                   for r in records[1:])}


# ---- configuration as JSON ----
def config_to_json(data: DataConfig, model: ModelConfig, train: TrainConfig) -> str:
    """The three configs as JSON: {"format", "version", "DataConfig": {...}, ...}."""
    doc = {"format": FORMAT, "version": VERSION}
    for cfg in (data, model, train):
        doc[type(cfg).__name__] = config_values(cfg)
    return json.dumps(doc, indent=2)


def config_from_json(text: str) -> tuple[DataConfig, ModelConfig, TrainConfig]:
    """Configs from ``config_to_json``'s text; fields left out keep their defaults.

    ValueError for text that is not such JSON, an unknown section or field, a value out
    of its range (naming the field and the allowed range), or a cross-field rule
    (``config_rules.validate``).
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"configuration JSON does not parse: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError("configuration JSON must be an object with the sections "
                         + ", ".join(c.__name__ for c in CONFIG_CLASSES))
    if doc.get("format", FORMAT) != FORMAT or doc.get("version", VERSION) != VERSION:
        raise ValueError(f"format={doc.get('format')!r}, version={doc.get('version')!r}: "
                         f"allowed: format {FORMAT!r}, version {VERSION}")
    sections = {cls.__name__: cls for cls in CONFIG_CLASSES}
    unknown = set(doc) - set(sections) - {"format", "version"}
    if unknown:
        raise ValueError(f"unknown section {sorted(unknown)[0]!r}; allowed: "
                         f"format, version, {', '.join(sections)}")
    configs = []
    for name, cls in sections.items():
        cfg = cls()
        values = doc.get(name, {})
        if not isinstance(values, dict):
            raise ValueError(f"{name} must be an object of field: value, got {values!r}")
        for key, value in values.items():
            _set_field(cfg, key, value)
        configs.append(cfg)
    validate(*configs)
    return tuple(configs)


def _set_field(cfg: param.Parameterized, key: str, value) -> None:
    cls = type(cfg).__name__
    if key not in field_names(cfg):
        known = ", ".join(field_names(cfg))
        raise ValueError(f"{cls}.{key}: unknown field; allowed fields: {known}")
    try:
        cfg.param.update(**{key: value})
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{cls}.{key}={value!r}: {allowed(cfg.param[key])} ({exc})") from None


def format_duration(seconds: float) -> str:
    """A training time (``RunRecord.elapsed_s``, ``EpochEnd.elapsed_s``) as m:ss or h:mm:ss."""
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


# ---- CSV ----
def history_csv(record: RunRecord) -> str:
    """One row per epoch: epoch, the logs (sorted by name), knn_accuracy, silhouette,
    epoch_seconds; numbers as Python writes them (round-trip exact), empty if absent."""
    logs = sorted({k for row in record.history for k in row}
                  - {"epoch", *METRIC_COLUMNS})
    columns = ["epoch", *logs, *METRIC_COLUMNS]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    for row in record.history:
        w.writerow([row.get(k, "") for k in columns])
    return out.getvalue()


def latent_csv(z: np.ndarray, labels: np.ndarray) -> str:
    """Columns label, z0, z1, ...: one row per point (labels -1 for noise)."""
    z = np.asarray(z)
    if z.ndim != 2 or len(z) != len(labels):
        raise ValueError(f"latent_csv: z must be (n, latent) with n = len(labels) = "
                         f"{len(labels)}, got {z.shape}")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["label", *(f"z{i}" for i in range(z.shape[1]))])
    for label, point in zip(labels, z):
        w.writerow([int(label), *(f"{v:.6g}" for v in point)])
    return out.getvalue()


def windows_latent_csv(z_train: np.ndarray, z_val: np.ndarray, ds) -> str:
    """Columns split, start_row, label, z0, z1, ...: every training then every validation
    window of ``ds`` with its latent point (labels -1 where there are none)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["split", "start_row", "label", *(f"z{i}" for i in range(z_train.shape[1]))])
    for split, z, starts, labels in (("train", z_train, ds.start_train, ds.y_train),
                                     ("validation", z_val, ds.start_val, ds.y_val)):
        for point, start, label in zip(z, starts, labels):
            w.writerow([split, int(start), int(label), *(f"{v:.6g}" for v in point)])
    return out.getvalue()
