"""A file source's data for a run on another machine.

A run on a Ray cluster builds its windows on the node it trains on, where the server's
``data_path`` (an upload in the server's folder, a file on its disk) does not exist. The
server reads the file's bytes (``data_file_bytes``) and they travel with the run, as a
loaded model's bytes do; the worker makes the Dataset from them
(``dataset_from_file_bytes``) through a temporary copy that keeps the file's name, so the
same reader is picked by its suffix and messages name the file as on the server.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from ..config import DataConfig, copy_config
from ..data import Dataset
from ..source_config import SOURCE_FIELDS
from . import build_dataset


def reads_a_file(cfg: DataConfig) -> bool:
    """Whether ``cfg``'s source reads ``data_path``."""
    return "data_path" in SOURCE_FIELDS.get(cfg.source, [])


def data_file_bytes(cfg: DataConfig) -> bytes | None:
    """The bytes of ``cfg.data_path`` for a source that reads a file, else None;
    ValueError naming data_path when it cannot be read here."""
    if not reads_a_file(cfg):
        return None
    try:
        return Path(cfg.data_path).read_bytes()
    except OSError as exc:
        raise ValueError(f"data_path {cfg.data_path!r}: cannot read the file "
                         f"({exc.strerror or exc})") from None


def dataset_from_file_bytes(cfg: DataConfig, payload: bytes) -> Dataset:
    """The Dataset ``cfg`` describes, read from ``payload`` instead of ``cfg.data_path``
    (the copy is deleted once read: the Dataset holds arrays, not the file)."""
    with tempfile.TemporaryDirectory(prefix="tsvae-data-") as tmp:
        path = Path(tmp) / (Path(cfg.data_path).name or "data")
        path.write_bytes(payload)
        local = copy_config(cfg)
        local.data_path = str(path)
        return build_dataset(local)
