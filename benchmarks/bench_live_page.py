"""Overhead of the live page: training throughput headless vs. with one browser watching,
and the delay from an epoch's end to the browser showing it.

    PYTHONPATH=. python benchmarks/bench_live_page.py                 # quick and paper
    PYTHONPATH=. python benchmarks/bench_live_page.py --presets quick --epochs 5

For each preset, two runs with the same configs:
  headless  a TrainingSession drained every 200 ms by a plain loop (no server);
  browser   the dashboard served in this process (pn.serve), one headless chromium tab
            (Playwright, Debian's /usr/bin/chromium) pressing Start and watching.
Throughput: training windows x epochs / wall time from the end of epoch 1 (tracing and
data build excluded) to the end of the last measured epoch; "end of epoch k" is when the
session's ``epoch`` attribute turns k, seen by a 5 ms poller thread present in both runs.
Delay: from that moment to the browser's status line showing epoch k (a 5 ms
setInterval in the page), and to the latent scatter's new data arriving in the page.
Results go to stdout and bench-output/live_page.json; a screenshot to
bench-output/live_page_<preset>.png.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import statistics
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-output"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Installs a 5 ms watcher in the page: first time each epoch shows in the status line,
# and in the latent scatter's title ("..., epoch k").
WATCH_JS = """host => {
  window.__seen = {}; window.__latent = {};
  let title = null;
  for (const m of Bokeh.documents[0].all_models)
    if (typeof m.text === 'string' && m.text.startsWith('Latent space')) title = m;
  setInterval(() => {
    const el = host.shadowRoot && host.shadowRoot.querySelector('.tsvae-status');
    const ep = el && el.dataset.epoch;
    if (ep && !(ep in window.__seen)) window.__seen[ep] = Date.now();
    const hit = title && /epoch (\\d+)/.exec(title.text);
    if (hit && !(hit[1] in window.__latent)) window.__latent[hit[1]] = Date.now();
  }, 5);
}"""


def chromium_cpu_s() -> float:
    """CPU seconds used so far by all chromium processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1:text.rindex(")")]
        if "chrom" in comm:
            fields = text[text.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


class EpochClock(threading.Thread):
    """Wall time (and CPU time of this process and of chromium) at which
    ``session.epoch`` first reaches each value."""

    def __init__(self, get_session):
        super().__init__(daemon=True)
        self.get_session, self.done = get_session, threading.Event()
        self.ends, self.cpu, self.browser_cpu = {}, {}, {}

    def run(self):
        while not self.done.is_set():
            s = self.get_session()
            if s is not None and s.epoch and s.epoch not in self.ends:
                self.ends[s.epoch] = time.time()
                self.cpu[s.epoch] = time.process_time()
                self.browser_cpu[s.epoch] = chromium_cpu_s()
            time.sleep(0.005)

    def per_epoch(self, last: int) -> dict:
        n = last - 1
        return dict(server_cpu_s_per_epoch=round((self.cpu[last] - self.cpu[1]) / n, 3),
                    browser_cpu_s_per_epoch=round(
                        (self.browser_cpu[last] - self.browser_cpu[1]) / n, 3))


class LoopSampler(threading.Thread):
    """Samples the server thread's stack every 10 ms: the share of time its event loop is
    busy (not waiting in select) is the dashboard's own CPU cost, whatever else loads the
    machine. Busy samples are attributed to the package of the innermost known frame."""

    PACKAGES = ("app", "holoviews", "bokeh", "panel", "param", "tornado", "pandas", "numpy")

    def __init__(self, target: int, counting=lambda: True):
        super().__init__(daemon=True)
        self.target, self.done, self.counting = target, threading.Event(), counting
        self.total = self.busy = 0
        self.by_package: dict[str, int] = {}

    def run(self):
        import sys
        while not self.done.is_set():
            frame = sys._current_frames().get(self.target)
            if frame is not None and self.counting():
                self.total += 1
                if not (frame.f_code.co_name == "select"
                        and frame.f_code.co_filename.endswith("selectors.py")):
                    self.busy += 1
                    self.by_package[self._package(frame)] = (
                        self.by_package.get(self._package(frame), 0) + 1)
            time.sleep(0.01)

    def _package(self, frame) -> str:
        while frame is not None:
            parts = Path(frame.f_code.co_filename).parts
            for pkg in self.PACKAGES:
                if pkg in parts[-3:-1] or (pkg == "app" and "app" in parts[-2:-1]):
                    return pkg
            frame = frame.f_back
        return "other"

    def summary(self) -> dict:
        top = sorted(self.by_package.items(), key=lambda kv: -kv[1])[:5]
        return dict(busy_fraction=round(self.busy / max(self.total, 1), 4),
                    busy_by_package={k: round(v / max(self.total, 1), 4) for k, v in top})


def throughput(ends: dict, n_train: int, last: int) -> float:
    return n_train * (last - 1) / (ends[last] - ends[1])


def run_headless(preset: str, epochs: int, overrides: dict) -> dict:
    from tsvae_core.config import make_configs
    from tsvae_core.session.training import TrainingSession

    data, model, train = make_configs(preset, **{**overrides, "epochs": epochs + 1})
    session = TrainingSession(data, model, train)
    clock = EpochClock(lambda: session)
    clock.start()
    session.start()
    while session.is_alive():
        session.drain()          # what the page's periodic callback would do
        time.sleep(0.2)
    clock.done.set()
    last = epochs + 1
    return dict(samples_per_s=throughput(clock.ends, data.n_train(), last),
                status=session.status, device=session.device, **clock.per_epoch(last))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_browser(preset: str, epochs: int, overrides: dict) -> dict:
    import panel as pn
    from playwright.sync_api import sync_playwright

    from app.dashboard import new_tab
    from tsvae_core.config import make_configs

    os.environ["TSVAE_PRESET"] = preset
    os.environ["TSVAE_DEFAULT_OVERRIDES"] = json.dumps({**overrides, "epochs": epochs + 1})
    tabs, sent = [], {}

    def app():
        ctrl, page = new_tab()
        tabs.append(ctrl)
        # when the server sends each epoch's latent data (after the core computed it)
        ctrl.streams.latent_pipe.add_subscriber(
            lambda data: sent.setdefault(data["epoch"], time.time()) if data["epoch"] else None)
        return page

    port = _free_port()
    server = pn.serve({"/": app}, port=port, address="127.0.0.1", show=False, threaded=True,
                      start=True)
    clock = EpochClock(lambda: tabs[0].session if tabs else None)
    last = epochs + 1
    # count only the measured window: from the end of epoch 1 to the end of the last
    sampler = LoopSampler(server.ident, lambda: 1 in clock.ends and last not in clock.ends)
    try:
        clock.start()
        sampler.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                         args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1300})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0",
                                   timeout=120_000)
            # the status pane's host element survives its text updates; its child does not
            page.locator(".tsvae-status").evaluate(f"e => ({WATCH_JS})(e.getRootNode().host)")
            page.locator(".tsvae-start button").click()
            deadline = time.time() + 3600
            while str(last) not in page.evaluate("() => window.__seen"):
                if time.time() > deadline:
                    raise TimeoutError("the run did not reach its last epoch within an hour")
                time.sleep(0.5)
            seen = {int(k): v / 1000 for k, v in page.evaluate("() => window.__seen").items()}
            latent = {int(k): v / 1000 for k, v in page.evaluate("() => window.__latent").items()}
            shot = OUT / f"live_page_{preset}.png"
            page.screenshot(path=str(shot), full_page=True)
            browser.close()
    finally:
        clock.done.set()
        sampler.done.set()
        for ctrl in tabs:
            ctrl.shutdown()
        server.stop()
    data, _, _ = make_configs(preset, **overrides)
    status_delays = [seen[k] - clock.ends[k] for k in range(1, last + 1)
                     if k in seen and k in clock.ends]
    latent_delays = [t - clock.ends[k] for k, t in latent.items() if k in clock.ends]
    # split: epoch end -> server sends (epoch views, queue, poll) and send -> page
    core_delays = [sent[k] - clock.ends[k] for k in sent if k in clock.ends]
    page_delays = [t - sent[k] for k, t in latent.items() if k in sent]
    return dict(samples_per_s=throughput(clock.ends, data.n_train(), last),
                status_delay_s=_summary(status_delays), latent_delay_s=_summary(latent_delays),
                epoch_end_to_server_send_s=_summary(core_delays),
                server_send_to_page_s=_summary(page_delays),
                screenshot=str(shot.relative_to(ROOT)), server_loop=sampler.summary(),
                **clock.per_epoch(last))


def _summary(values: list[float]) -> dict:
    if not values:
        return {}
    return dict(median=round(statistics.median(values), 3), max=round(max(values), 3),
                n=len(values))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--presets", default="quick,paper")
    p.add_argument("--epochs", type=int, default=None,
                   help="epochs measured after the first (default: quick 5, paper 1)")
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    OUT.mkdir(exist_ok=True)
    results = {}
    for preset in args.presets.split(","):
        epochs = args.epochs or (5 if preset == "quick" else 1)
        headless = run_headless(preset, epochs, {})
        browser = run_browser(preset, epochs, {})
        loss = 1 - browser["samples_per_s"] / headless["samples_per_s"]
        results[preset] = dict(epochs_measured=epochs, headless=headless, browser=browser,
                               throughput_loss=round(loss, 4))
        print(f"{preset}: headless {headless['samples_per_s']:.0f} samples/s, with browser "
              f"{browser['samples_per_s']:.0f} samples/s (loss {100 * loss:.1f}%), "
              f"epoch end -> status line {browser['status_delay_s']}, "
              f"-> latent plot data {browser['latent_delay_s']} (of which epoch end -> server "
              f"send {browser['epoch_end_to_server_send_s']}, send -> page "
              f"{browser['server_send_to_page_s']}), device {headless['device']}; "
              f"CPU s/epoch: python {headless['server_cpu_s_per_epoch']} -> "
              f"{browser['server_cpu_s_per_epoch']}, chromium "
              f"{browser['browser_cpu_s_per_epoch']}; server loop {browser['server_loop']}",
              flush=True)
    (OUT / "live_page.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
