"""Which files a page may read as data: those uploaded through it (kept under
``UPLOAD_ROOT``) and those under the directories an operator lists in ``TSVAE_DATA_DIRS``
(``os.pathsep``-separated). A link's ``data_path`` elsewhere is refused, so a link cannot
make the server read and draw an arbitrary file of its disk.
"""
from __future__ import annotations

import os
import re
import tempfile
import uuid
from pathlib import Path

from tsvae_core.config import DataConfig
from tsvae_core.sources.files import FORMATS, MAX_FILE_BYTES

DATA_DIRS_ENV = "TSVAE_DATA_DIRS"
UPLOAD_ROOT = Path(tempfile.gettempdir()) / "tsvae-data-uploads"


def allowed_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get(DATA_DIRS_ENV, "").split(os.pathsep) if p]
    return [UPLOAD_ROOT, *extra]


def data_file_name(source: str, data_path: str) -> str:
    """The name of the file a source with these settings reads ('' for generated data)."""
    return Path(data_path).name if source in ("file", "cmapss") and data_path else ""


def path_problem(data: DataConfig) -> str:
    """Why the page may not read ``data.data_path`` or ``data.test_path`` ('' when it may,
    or no file is used)."""
    if data.source not in ("file", "cmapss"):
        return ""
    for field in ("data_path", "test_path"):
        value = getattr(data, field)
        if not value or (field == "test_path" and data.source != "file"):
            continue
        path = Path(value).resolve()
        if not any(path.is_relative_to(d.resolve()) for d in allowed_dirs()):
            return (f"DataConfig.{field}={value!r}: the page reads only files uploaded in it "
                    f"(or under ${DATA_DIRS_ENV}); upload the file")
    return ""


def save_upload(filename: str, content: bytes) -> Path:
    """Write an uploaded file under UPLOAD_ROOT (a fresh folder, a safe name); ValueError
    for a file over the limit or of an unknown format."""
    if len(content) > MAX_FILE_BYTES:
        raise ValueError(f"{filename} is {len(content) / 2**20:.0f} MB; allowed: at most "
                         f"{MAX_FILE_BYTES // 2**20} MB")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(filename or "upload")) or "upload"
    if not name.lower().endswith(FORMATS):
        raise ValueError(f"{filename}: unknown format; allowed: {', '.join(FORMATS)}")
    folder = UPLOAD_ROOT / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path
