"""Small files the source tests write: a labelled two-channel CSV series and a CMAPSS-format
file, plus where the shared CMAPSS data lie relative to the repository."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

def _shared_cmapss() -> Path:
    """``shared/data/cmapss`` beside the repository or beside one of its parents (from
    /work/main: /work/shared/data/cmapss); a clone elsewhere may have none."""
    repo = Path(__file__).resolve().parents[2]
    for up in repo.parents:
        if (up / "shared" / "data" / "cmapss").is_dir():
            return up / "shared" / "data" / "cmapss"
    return repo.parent / "shared" / "data" / "cmapss"


SHARED_CMAPSS = _shared_cmapss()


def series_frame(rows: int = 600, seed: int = 0) -> pd.DataFrame:
    """Two channels with a label that switches every 50 rows, and a time column."""
    rng = np.random.default_rng(seed)
    t = np.arange(rows)
    return pd.DataFrame({"time": t * 0.5, "a": np.sin(t / 5) + rng.normal(0, 0.05, rows),
                         "b": 3.0 * np.cos(t / 9) + 10.0, "label": np.where((t // 50) % 2, "up", "down")})


def write_cmapss(path: os.PathLike, engines=(30, 40, 25, 35), seed: int = 0) -> Path:
    """A CMAPSS-format file: engine i runs engines[i] cycles; sensors drift with wear;
    setting3 and s1 are constant (they are dropped)."""
    rng = np.random.default_rng(seed)
    lines = []
    for unit, cycles in enumerate(engines, start=1):
        for c in range(1, cycles + 1):
            wear = c / cycles
            sensors = [500.0] + list(600 + 20 * wear + rng.normal(0, 0.5, 20))
            row = [unit, c, rng.normal(0, 1e-3), rng.normal(0, 1e-3), 100.0, *sensors]
            lines.append(" ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in row))
    Path(path).write_text("\n".join(lines) + "\n")
    return Path(path)
