"""An anomaly run's final report: every row scored (stride 1, as classic detectors score),
the threshold and flagged ranges, the metrics against labels, and the per-row CSV
(row, score, flagged, label) that ``tsvae-train --scores`` writes and the Anomalies card
offers for download.

Per-epoch scores are capped (``AnomalyConfig.max_windows``); these are not, up to
``FINAL_MAX_WINDOWS`` windows a part.
"""
from __future__ import annotations

import csv
import io

import numpy as np

from .scores import AnomalyConfig, AnomalyScores, score_dataset
from .metrics import METRIC_NAMES
from ..data import Dataset

#: windows scored per part for the final report: stride 1 up to this many rows
FINAL_MAX_WINDOWS = 100_000
#: VUS-PR of the final report is computed up to this many scored rows
FINAL_VUS_MAX_ROWS = 200_000


def final_scores(reconstruct, ds: Dataset, seq_len: int, cfg: AnomalyConfig) -> AnomalyScores:
    """Every scored row of ``ds`` by ``reconstruct`` with ``cfg``'s rule and scoring, at
    stride 1 (up to FINAL_MAX_WINDOWS windows a part)."""
    full = AnomalyConfig(**{k: v for k, v in cfg.param.values().items() if k != "name"})
    full.param.update(max_windows=FINAL_MAX_WINDOWS)
    return score_dataset(reconstruct, ds, seq_len, full, vus_max_rows=FINAL_VUS_MAX_ROWS)


def scores_csv(a: AnomalyScores) -> str:
    """Columns row, score, flagged, label (label empty without labels): one line a scored
    row; rows are the series' rows (0-based data rows of the file)."""
    rows = np.arange(a.row_start, a.row_start + len(a.step_error))
    flagged = np.zeros(len(rows), bool)
    for lo, hi in a.ranges:
        flagged[lo - a.row_start:hi - a.row_start] = True
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["row", "score", "flagged", "label"])
    labels = a.labels if a.labels is not None else [""] * len(rows)
    for r, s, f, lab in zip(rows, a.step_error, flagged, labels):
        w.writerow([int(r), "" if not np.isfinite(s) else f"{s:.6g}", int(f),
                    lab if lab == "" else int(lab)])
    return out.getvalue()


#: flagged ranges a summary names (all are in the CSV)
SHOWN_RANGES = 5


def summary_lines(a: AnomalyScores) -> list[str]:
    """Threshold, flagged ranges and metrics, for the command line."""
    flagged = int((a.ranges[:, 1] - a.ranges[:, 0]).sum()) if len(a.ranges) else 0
    lines = [f"scored rows {a.row_start}-{a.row_start + len(a.step_error) - 1} (every "
             f"{a.stride} rows a window); threshold {a.threshold:.4g} ({a.rule}); "
             f"{len(a.ranges)} flagged ranges, {flagged} rows"]
    if len(a.ranges):
        shown = ", ".join(f"{lo}-{hi - 1}" for lo, hi in a.ranges[:SHOWN_RANGES])
        more = f" and {len(a.ranges) - SHOWN_RANGES} more" if len(a.ranges) > SHOWN_RANGES else ""
        lines.append(f"flagged rows: {shown}{more}")
    if a.metrics:
        lines.append(", ".join(f"{METRIC_NAMES[k]} {v:.3f}" for k, v in a.metrics.items()))
    if a.note:
        lines.append(a.note)
    return lines
