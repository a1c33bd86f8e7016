#!/usr/bin/env bash
# Set up and run the whole test suite (core, app, browser). Extra flags go to pytest
# (``-n 0`` runs everything in this one process).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "test,jax,torch"
if [[ ! -x /usr/bin/chromium ]]; then
  echo "setup: installing Debian's chromium for the browser tests"
  if [[ $(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium >/dev/null
fi
export TF_CPP_MIN_LOG_LEVEL=2
# Two workers (pytest-xdist): most tests use one core, so the suite takes about half the
# time on a 2-core machine. The browser tests stay together on one worker, with one
# server and one browser (their xdist_group); the rest are shared out.
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
