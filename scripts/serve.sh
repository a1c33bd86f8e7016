#!/usr/bin/env bash
# Set up and serve the dashboard at http://localhost:5006/ (extra flags go to `tsvae`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/tsvae "$@"
