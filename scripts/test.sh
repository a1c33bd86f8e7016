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
# Two workers on two cores, each with its servers and subprocesses: one thread per
# TensorFlow pool and per OpenMP/BLAS pool, so that busy processes do not oversubscribe
# the cores with spinning thread pools (set them yourself to override).
export TF_NUM_INTRAOP_THREADS=${TF_NUM_INTRAOP_THREADS:-1}
export TF_NUM_INTEROP_THREADS=${TF_NUM_INTEROP_THREADS:-1}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
# Two workers (pytest-xdist): the browser tests are two units, one per worker, each
# worker with its own server and browser; the other modules are shared out one module at a time (see
# tests/conftest.py). One process: scripts/test.sh -n 0.
# Fast loop: scripts/test.sh -m "not e2e".
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
