#!/usr/bin/env bash
# Set up and run the whole test suite (core, app, browser). Extra flags go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "test,jax,torch"
if [[ ! -x /usr/bin/chromium ]]; then
  echo "setup: installing Debian's chromium for the browser tests"
  if [[ $(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium >/dev/null
fi
export TF_CPP_MIN_LOG_LEVEL=2
# One process. pytest-xdist is installed and the browser tests keep together on one
# worker (``-n 2 --dist loadgroup``), but on 2 cores the browser tests' timing then
# fails under the other worker's load (measured: 8 of 23 failed), so it is not the default.
exec .venv/bin/python -m pytest "$@"
