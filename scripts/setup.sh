#!/usr/bin/env bash
# Set up everything tsvae needs in ./.venv (idempotent). Usage: scripts/setup.sh [EXTRAS]
# EXTRAS: comma-separated pip extras, e.g. "test,jax,torch". Needs Python 3.11+.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=${1:-}
python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
spec="."
[[ -n $extras ]] && spec=".[$extras]"
echo "setup: installing tsvae${extras:+ with [$extras]} into .venv (first time: several minutes)"
# pip prints one harmless warning per package about optional local mirrors; hide those.
set +o pipefail
.venv/bin/python -m pip install --disable-pip-version-check -q -e "$spec" 2>&1 \
  | { grep -v "is ignored: it is neither a file nor a directory" || true; }
status=${PIPESTATUS[0]}
set -o pipefail
if [[ $status -ne 0 ]]; then echo "setup: pip install failed ($status)" >&2; exit "$status"; fi
