"""Scores against per-row anomaly labels, by aeon's anomaly-detection metrics.

aeon is an optional extra (``tsvae[data]``): it is imported only here, inside the
function, and without it the scores and flagged ranges still work and the metrics say
what to install.
"""
from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)

#: metric key -> what the page calls it; the order of the card's curves.
METRIC_NAMES = {"roc_auc": "ROC-AUC", "pr_auc": "PR-AUC", "range_pr_auc": "range PR-AUC",
                "vus_pr": "VUS-PR", "range_f1": "range F1"}
NO_AEON = "metrics need aeon: pip install tsvae[data]"
#: VUS-PR's largest label buffer: aeon's default (500) costs seconds on 10,000 rows every
#: epoch; 100 rows keeps it well under a second and still credits near misses.
VUS_MAX_BUFFER = 100
#: VUS-PR's cost grows with the rows too: above this many it is left out of the per-epoch
#: metrics (the note says so); the benchmark computes it on any length.
VUS_MAX_ROWS = 20_000


def label_metrics(labels: np.ndarray | None, score: np.ndarray, threshold: float,
                  vus_buffer: int = VUS_MAX_BUFFER,
                  vus_max_rows: int | None = VUS_MAX_ROWS) -> tuple[dict[str, float], str]:
    """({metric key: value}, note) of a per-row ``score`` against 0/1 ``labels``; range F1
    uses the rows above ``threshold``; ``vus_buffer``: VUS-PR's largest buffer, computed
    up to ``vus_max_rows`` rows (None: any). Empty with a note when there are no labels, when
    they hold one class only, or when aeon is missing."""
    if labels is None:
        return {}, ""
    labels = np.asarray(labels, dtype=int)
    if labels.min() == labels.max():
        return {}, "the labels of the scored part hold one class only: no metrics"
    try:
        from aeon.benchmarking.metrics import anomaly_detection as ad
    except ImportError:
        return {}, NO_AEON
    # rows no window covered get the smallest score (never flagged, ranked last)
    s = np.nan_to_num(np.asarray(score, dtype=np.float64), nan=float(np.nanmin(score)))
    flagged = (s > threshold).astype(int)
    out = {"roc_auc": float(ad.roc_auc_score(labels, s)),
           "pr_auc": float(ad.pr_auc_score(labels, s)),
           "range_pr_auc": float(ad.range_pr_auc_score(labels, s))}
    note = ""
    if vus_max_rows is None or len(s) <= vus_max_rows:
        out["vus_pr"] = float(ad.range_pr_vus_score(labels, s, max_buffer_size=vus_buffer))
    else:
        note = f"VUS-PR left out: {len(s)} rows, more than {vus_max_rows} per epoch"
    # nothing flagged: F1 is 0 (aeon would say so with a warning every epoch)
    out["range_f1"] = float(ad.range_f_score(labels, flagged)) if flagged.any() else 0.0
    return out, note
