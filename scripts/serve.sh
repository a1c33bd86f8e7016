#!/usr/bin/env bash
# Set up and serve the dashboard at http://localhost:5006/ (extra flags go to `tsvae`).
set -euo pipefail
cd "$(dirname "$0")/.."
# data: aeon's bundled sets and fast CSV/Parquet; sweep: the Sweep card (Optuna). Ray,
# for runs on a cluster, is the `ray` extra: bash scripts/setup.sh "data,sweep,ray".
bash scripts/setup.sh "data,sweep"
exec .venv/bin/tsvae "$@"
