"""`tsvae --ray local` and `tsvae-sweep --ray local` start a real local Ray instance and
print how to inspect it; the printed `ray status` command, run from another process as a
user's shell would, reaches that instance (Ray's CLI needs the printed RAY_AUTH_MODE)."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ray")

ROOT = Path(__file__).resolve().parents[2]
RAY_CLI = Path(sys.executable).with_name("ray")
# The process that starts Ray the way each command does, prints the hint, and keeps Ray
# up until its stdin closes.
STARTERS = {
    "tsvae": "from app.server.cli import connect_ray; connect_ray('local')",
    "tsvae-sweep": ("from tsvae_core.ray.cluster import connect, inspection_hint; "
                    "connect('local'); print(inspection_hint())"),
}


def _hint_lines(proc) -> list[str]:
    """stdout lines up to and including the hint's last line (the `ray list` one)."""
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if "ray list" in line:
            return lines
    raise AssertionError(f"no inspection hint; printed {lines}; "
                         f"stderr {proc.stderr.read()[-2000:]}")


@pytest.mark.parametrize("command", sorted(STARTERS))
def test_a_local_ray_instance_prints_commands_that_reach_it(command):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    code = STARTERS[command] + "; import sys; sys.stdin.read()"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        lines = _hint_lines(proc)
        status_line = next(ln for ln in lines if " ray status --address " in ln)
        words = shlex.split(status_line.split("#")[0])
        assignments = dict(w.split("=", 1) for w in words if "=" in w and w[0].isupper())
        argv = [str(RAY_CLI)] + words[words.index("ray") + 1:]
        address = argv[argv.index("--address") + 1]
        assert any(f"a local Ray instance at {address}" in ln for ln in lines), lines
        shell_env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
        deadline = time.monotonic() + 60
        while True:  # Ray's monitor reports the first status a few seconds after the start
            done = subprocess.run(argv, env={**shell_env, **assignments},
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr[-2000:]
            if "No cluster status" not in done.stdout or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert "Node status" in done.stdout and "Active:" in done.stdout, done.stdout
        assert " CPU" in done.stdout, done.stdout
    finally:
        proc.stdin.close()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
