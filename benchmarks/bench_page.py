"""How long a new tab takes: time to first byte, to Start visible, to the first plot drawn;
on a warm server that is idle, while N runs train, and for M tabs opened at once.

    PYTHONPATH=. python benchmarks/bench_page.py                       # all three, ~3-5 min
    PYTHONPATH=. python benchmarks/bench_page.py --scenarios idle --repeats 5

A real `tsvae` server (app.server.cli: panel serve) on a free port and Debian's chromium through
Playwright (one browser context, i.e. one Bokeh session, per tab). The server is warmed by
one page load first. Each figure is measured in the page, from its navigation start:
  ttfb     the HTML's first byte (the server built the tab's session before answering);
  start    the Start button visible;
  plot     the first plot drawn (a Bokeh canvas of non-zero size);
  ready    Start visible and enabled, a plot drawn, and every deferred part of the page
           loaded ("interactive": nothing on the page is still a placeholder).
Scenarios:
  idle     --repeats tabs, one after the other, nothing training;
  runs     the same while --runs tabs train (each pressed Start; the quick preset with
           many epochs, so that none ends during the measurement);
  burst    --burst tabs opened at once while --burst-runs tabs train; the slowest counts.
Runs are the server's own (each in a tab that pressed Start); the figures include their
pages' rendering, as they would for a user. Results go to stdout and
bench-output/page.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-output"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The runs of the 'runs' and 'burst' scenarios must outlast the measurement.
TRAIN_OVERRIDES = {"epochs": 1000}
LIMIT_S = 600  # a bound on any one wait: it only ends a hang

# Each returns performance.now() (ms since the navigation started) once its condition holds.
# Bokeh's views live in shadow roots: walk them.
FIND_JS = """
window.__tsvae_find = (sel, pred) => {
  const stack = [document];
  while (stack.length) {
    const root = stack.pop();
    for (const el of root.querySelectorAll(sel)) if (!pred || pred(el)) return el;
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) stack.push(el.shadowRoot);
  }
  return null;
};
// a Panel widget's css class is on its host element; the <button> is in its shadow root
window.__tsvae_start = () => { const h = __tsvae_find('.tsvae-start');
  return h && h.shadowRoot && h.shadowRoot.querySelector('button'); };
window.__tsvae_visible = el => { const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0; };"""
VISIBLE = "__tsvae_visible"
START_VISIBLE_JS = f"""() => {{ {FIND_JS}
  const b = __tsvae_start(); if (!b || !__tsvae_visible(b)) return 0;
  return performance.now(); }}"""
PLOT_DRAWN_JS = f"""() => {{ {FIND_JS}
  const c = __tsvae_find('canvas', {VISIBLE});
  return c ? performance.now() : 0; }}"""
READY_JS = f"""() => {{ {FIND_JS}
  const b = __tsvae_start(); if (!b || !__tsvae_visible(b) || b.disabled) return 0;
  const c = __tsvae_find('canvas', {VISIBLE});
  const pending = __tsvae_find('.tsvae-deferred', {VISIBLE});  // a folded card's is hidden
  return c && !pending && window.Bokeh && Bokeh.documents.length ? performance.now() : 0; }}"""
TTFB_JS = "() => performance.getEntriesByType('navigation')[0].responseStart"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(max_runs: int, root: Path = ROOT, name: str = "this"
                 ) -> tuple[subprocess.Popen, str]:
    """A `tsvae` server of the code in ``root`` (this checkout, or --compare's)."""
    port = _free_port()
    env = dict(os.environ, TSVAE_DEFAULT_OVERRIDES=json.dumps(TRAIN_OVERRIDES),
               PYTHONPATH=str(root), TF_CPP_MIN_LOG_LEVEL="2")
    OUT.mkdir(exist_ok=True)
    log = open(OUT / f"page-server-{name}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "app.server.cli", "--port", str(port),
                             "--max-runs", str(max_runs), "--debug-endpoint",
                             "--log-level", "warning"],
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(url + "debug/sessions", timeout=10).read()
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {log.name}")
            time.sleep(0.5)


async def open_tab(browser, url: str) -> tuple[dict, object]:
    """One new tab's figures (seconds from its navigation start) and its context."""
    ctx = await browser.new_context(viewport={"width": 1500, "height": 1300})
    page = await ctx.new_page()
    page.set_default_timeout(LIMIT_S * 1000)
    await page.goto(url, wait_until="commit")
    figures = {}

    async def when(name, js):
        handle = await page.wait_for_function(js, polling=20, timeout=LIMIT_S * 1000)
        figures[name] = round(await handle.json_value() / 1000, 3)

    await asyncio.gather(when("start", START_VISIBLE_JS), when("plot", PLOT_DRAWN_JS),
                         when("ready", READY_JS))
    figures["ttfb"] = round(await page.evaluate(TTFB_JS) / 1000, 3)
    return figures, ctx


async def start_runs(browser, url: str, n: int) -> list:
    """``n`` tabs that pressed Start and are training (their first epoch is done)."""
    contexts = []
    for _ in range(n):
        _figures, ctx = await open_tab(browser, url)
        page = ctx.pages[0]
        await page.locator(".tsvae-start button").click()
        contexts.append(ctx)
    for ctx in contexts:
        await ctx.pages[0].wait_for_function(
            f"() => {{ {FIND_JS} const s = __tsvae_find('.tsvae-status');"
            " return s && +s.dataset.epoch >= 1; }", polling=500, timeout=LIMIT_S * 1000)
    return contexts


async def sequential(browser, urls: dict, repeats: int) -> dict[str, list]:
    """``repeats`` tabs per server, one after the other, the servers taking turns (paired:
    the machine's other work falls on both alike)."""
    rows = {name: [] for name in urls}
    for _ in range(repeats):
        for name, url in urls.items():
            figures, ctx = await open_tab(browser, url)
            rows[name].append(figures)
            await ctx.close()
    return rows


async def burst(browser, url: str, tabs: int) -> list[dict]:
    results = await asyncio.gather(*[open_tab(browser, url) for _ in range(tabs)])
    for _f, ctx in results:
        await ctx.close()
    return [f for f, _ctx in results]


def summary(rows: list[dict]) -> dict:
    return {k: dict(median=round(statistics.median(r[k] for r in rows), 2),
                    max=round(max(r[k] for r in rows), 2))
            for k in ("ttfb", "start", "plot", "ready")}


def line(name: str, rows: list[dict]) -> str:
    s = summary(rows)
    return (f"{name}: " + ", ".join(f"{k} median {v['median']:.2f} s max {v['max']:.2f} s"
                                    for k, v in s.items()) + f" ({len(rows)} tabs)")


async def main_async(args) -> dict:
    from playwright.async_api import async_playwright

    max_runs = max(args.runs, args.burst_runs, 1)
    roots = {"this": ROOT, **({"compare": Path(args.compare).resolve()} if args.compare else {})}
    servers = {name: start_server(max_runs, root, name) for name, root in roots.items()}
    urls = {name: url for name, (_proc, url) in servers.items()}
    results: dict = {name: {} for name in urls}
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium",
                                               headless=True, args=CHROMIUM_ARGS)
            await sequential(browser, urls, 1)  # warm: imports, caches, first compile
            if "idle" in args.scenarios:
                for name, rows in (await sequential(browser, urls, args.repeats)).items():
                    results[name]["idle"] = rows
                    print(line(f"[{name}] idle", rows), flush=True)
            # under load, one server at a time: the runs would otherwise be twice as many
            for name, url in urls.items():
                if "runs" in args.scenarios:
                    runners = await start_runs(browser, url, args.runs)
                    key = f"{args.runs} runs training"
                    rows = (await sequential(browser, {name: url}, args.repeats))[name]
                    results[name][key] = rows
                    print(line(f"[{name}] while {args.runs} runs train", rows), flush=True)
                    for ctx in runners:
                        await ctx.close()
                if "burst" in args.scenarios:
                    runners = await start_runs(browser, url, args.burst_runs)
                    key = f"{args.burst} tabs at once, {args.burst_runs} runs training"
                    results[name][key] = rows = await burst(browser, url, args.burst)
                    print(line(f"[{name}] {key}", rows), flush=True)
                    for ctx in runners:
                        await ctx.close()
            await browser.close()
    finally:
        for proc, _url in servers.values():
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenarios", default="idle,runs,burst")
    p.add_argument("--repeats", type=int, default=3, help="tabs measured one after the other")
    p.add_argument("--runs", type=int, default=4, help="runs training in the 'runs' scenario")
    p.add_argument("--burst", type=int, default=8, help="tabs opened at once in 'burst'")
    p.add_argument("--burst-runs", type=int, default=2, help="runs training during 'burst'")
    p.add_argument("--compare", default=None, metavar="DIR",
                   help="a second checkout (e.g. `git archive main | tar -x -C DIR`) served "
                        "beside this one; idle tabs alternate between the two")
    args = p.parse_args()
    t0 = time.monotonic()
    results = asyncio.run(main_async(args))
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"took {time.monotonic() - t0:.0f} s; load average at the end {' '.join(load)} "
          "(the machine's other work inflates every figure)", flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "page.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
