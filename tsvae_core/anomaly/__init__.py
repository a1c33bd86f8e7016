"""Anomaly detection on a continuous series (numpy only; the metrics use aeon's when the
``data`` extra is installed):

- ``scores``: per-row anomaly scores from a model's reconstructions, thresholds and
  flagged ranges.
- ``metrics``: scores against per-row labels (PR-AUC, range PR-AUC, VUS-PR, F1).
- ``export``: an anomaly run's final report and the per-row CSV (row, score, flagged, label).
- ``series``: the labelled continuous series the tests and benchmarks score, built by
  ``tsvae_core.sources``.
"""
