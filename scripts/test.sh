#!/usr/bin/env bash
# Set up and run the whole test suite (core, app, browser). Extra flags go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "test,jax,torch,data,sweep,ray"
if [[ ! -x /usr/bin/chromium ]]; then
  echo "setup: installing Debian's chromium for the browser tests"
  if [[ $(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium >/dev/null
fi
export TF_CPP_MIN_LOG_LEVEL=2
# One process by default. Two workers: scripts/test.sh -n 2 --dist loadgroup (the browser
# tests are one unit on one worker, one server and browser; the other modules are shared
# out one module at a time, see tests/conftest.py): 18 min instead of 30 on a loaded
# 2-core machine, but there 2 of 26 browser tests saw a run's plots stay empty after its
# epochs (a page-update race under load, not a wait), so it is not the default yet.
# Fast loop: scripts/test.sh -m "not e2e" -n 2 --dist loadgroup.
exec .venv/bin/python -m pytest "$@"
