"""Soak: a real ``tsvae`` server driven by a real browser; memory, threads, page loads.

    .venv/bin/python benchmarks/bench_soak.py --cycles 50 --tabs 20

Starts ``tsvae --max-runs 4 --debug-endpoint`` on a free loopback port with tiny runs
(TSVAE_DEFAULT_OVERRIDES), then with Playwright and /usr/bin/chromium:
1. loads the page idle (page-load time);
2. ``--cycles`` times Start, first epoch, Stop, in one tab;
3. ``--tabs`` times: open a tab, Start, first epoch, close the tab;
4. ``--bursts`` times: four tabs training at once, a fifth page load and the debug
   listing's answer time, then all closed;
5. closes everything, waits until no run is active and prints the idle figures.
After each step it prints the server process's RSS (MB) and thread count (psutil), so
the curve shows whether runs and tabs leave memory behind. Numbers, not pass/fail.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# tests/e2e's tiny runs: an epoch is a fraction of a second, no run ends by itself
OVERRIDES = dict(n_patterns=3, repeats=6, seq_len=16, n_features=2, noise_size=50,
                 scale_steps=2, batch_size=16, epochs=1000, conv_filters=4, jit_compile="off")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Soak:
    def __init__(self, port: int, proc: subprocess.Popen):
        self.url, self.proc = f"http://127.0.0.1:{port}/", proc
        self.ps = psutil.Process(proc.pid)
        self.t0 = time.monotonic()

    def sessions(self, timeout: float = 60) -> dict:
        with urllib.request.urlopen(f"{self.url}debug/sessions", timeout=timeout) as r:
            return json.load(r)

    def objects(self) -> dict:
        """What is still alive in the server (GET /debug/memory, after a gc)."""
        with urllib.request.urlopen(f"{self.url}debug/memory", timeout=120) as r:
            return json.load(r)

    def report(self, what: str) -> float:
        rss = self.ps.memory_info().rss / 2**20
        print(f"{time.monotonic() - self.t0:7.1f} s  {what:34s} RSS {rss:7.0f} MB  "
              f"threads {self.ps.num_threads():3d}", flush=True)
        return rss

    def wait_idle(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.sessions()["active"]:
            if time.monotonic() > deadline:
                raise RuntimeError(f"runs still active: {self.sessions()}")
            time.sleep(0.25)

    def open(self, browser):
        """A new tab with the page loaded; returns (context, page, seconds)."""
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        page.set_default_timeout(180_000)
        t = time.perf_counter()
        page.goto(self.url)
        page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0")
        page.locator(".tsvae-status").wait_for(state="attached")
        return ctx, page, time.perf_counter() - t


def status(page) -> tuple[str, int]:
    el = page.locator(".tsvae-status")
    return el.get_attribute("data-status"), int(el.get_attribute("data-epoch"))


def wait(page, predicate, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not predicate(*status(page)):
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out at {status(page)}")
        page.wait_for_timeout(50)  # a browser-side poll interval, not a fixed wait


def click(page, action: str) -> None:
    page.locator(f".tsvae-{action} button").click()


def train_one_epoch(page) -> None:
    click(page, "start")
    wait(page, lambda s, e: s == "running" and e >= 1)


def run(args) -> None:
    port = free_port()
    env = dict(os.environ, TSVAE_DEFAULT_OVERRIDES=json.dumps(OVERRIDES),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               TF_CPP_MIN_LOG_LEVEL="2")
    log = open(args.log, "wb")
    proc = subprocess.Popen([sys.executable, "-m", "app.server.cli", "--port", str(port),
                             "--address", "127.0.0.1", "--debug-endpoint", "--max-runs", "4"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    soak = Soak(port, proc)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                soak.sessions(5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start; see {args.log}")
                time.sleep(0.5)
        soak.report("server up")
        from playwright.sync_api import sync_playwright
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            drive(soak, browser, args)
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def drive(soak: Soak, browser, args) -> None:
    ctx, page, load_s = soak.open(browser)
    soak.report(f"page loaded idle in {load_s:.1f} s")
    train_one_epoch(page)
    click(page, "stop")
    wait(page, lambda s, e: s == "stopped")
    soak.wait_idle()
    first = soak.report("after the first run")
    print(f"alive after a gc: {soak.objects()['objects']}", flush=True)
    for i in range(1, args.cycles + 1):
        train_one_epoch(page)
        click(page, "stop")
        wait(page, lambda s, e: s == "stopped")
        if i % max(1, args.cycles // 5) == 0 or i == args.cycles:
            soak.wait_idle()
            soak.report(f"after {i} start/stop cycles")
    ctx.close()
    for i in range(1, args.tabs + 1):
        ctx, page, load_s = soak.open(browser)
        train_one_epoch(page)
        ctx.close()  # the server stops the run once the session is destroyed
        if i % max(1, args.tabs // 5) == 0 or i == args.tabs:
            soak.wait_idle()
            soak.report(f"after {i} tabs (last load {load_s:.1f} s)")
    for burst in range(1, args.bursts + 1):
        four_at_once(soak, browser, burst)
    time.sleep(args.settle)  # let the allocator hand freed memory back
    idle = soak.report("idle at the end")
    print(f"idle RSS - RSS after the first run: {idle - first:+.0f} MB", flush=True)
    alive = soak.objects()
    soak.report("idle, after a gc in the server")
    print(f"alive after a gc: {alive['objects']}", flush=True)
    print(f"threads: {alive['threads']}", flush=True)
    ctx, page, load_s = soak.open(browser)
    soak.report(f"page loaded idle in {load_s:.1f} s")
    ctx.close()


def four_at_once(soak: Soak, browser, burst: int) -> None:
    """Four tabs Start at once (the server's limit), a fifth page loads; all are closed."""
    busy = []
    for _ in range(4):
        ctx, page, _ = soak.open(browser)
        click(page, "start")
        busy.append(ctx)
    t = time.perf_counter()
    active = soak.sessions()["active"]
    listing_s = time.perf_counter() - t
    ctx, page, load_s = soak.open(browser)
    soak.report(f"4 Starts: listing {listing_s:.1f} s ({active} active), 5th load {load_s:.1f} s")
    for c in [*busy, ctx]:
        c.close()
    soak.wait_idle()
    deadline = time.monotonic() + 60  # until every tab's session has been destroyed
    while time.monotonic() < deadline and not all(r["closed"] for r in soak.sessions()["runs"]):
        time.sleep(0.5)
    soak.report(f"after burst {burst} of 4 runs at once")


def main() -> None:
    p = argparse.ArgumentParser(description="Soak a real tsvae server with a real browser.")
    p.add_argument("--cycles", type=int, default=10)
    p.add_argument("--tabs", type=int, default=5)
    p.add_argument("--bursts", type=int, default=1,
                   help="times four tabs train at once and close (does memory come back?)")
    p.add_argument("--settle", type=float, default=5.0,
                   help="seconds idle after the last tab closed, before the last figure")
    p.add_argument("--log", default=str(ROOT / "test-output" / "bench-soak-server.log"))
    args = p.parse_args()
    Path(args.log).parent.mkdir(exist_ok=True)
    run(args)


if __name__ == "__main__":
    main()
