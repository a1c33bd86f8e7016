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
exec .venv/bin/python -m pytest "$@"
