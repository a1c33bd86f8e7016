"""A real `tsvae` server (panel serve) on a free port and Debian's chromium via Playwright.

Every test here is marked ``e2e`` (select with ``-m e2e``, skip with ``-m "not e2e"``).
A missing chromium fails the tests: install it with ``apt-get install -y chromium``.
Runs are shrunk with TSVAE_DEFAULT_OVERRIDES; pages can shrink them further with URL
arguments (``?n_patterns=4``).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# The quick preset shrunk: one epoch is a fraction of a second; epochs high enough that
# no run finishes during a test. dense_vae: its first step traces in about a second, the
# default model's in 5-8 s on a loaded machine, and these tests are about the page; the
# default model trains in the browser in test_families and test_slow_page.
OVERRIDES = dict(n_patterns=3, repeats=6, seq_len=16, n_features=2, noise_size=50,
                 scale_steps=2, batch_size=16, epochs=1000, conv_filters=4,
                 architecture="dense_vae",
                 jit_compile="off")  # XLA compiles outlast these tiny runs
SERVER_START_S = 120
# Playwright's bound on an action or auto-wait (a click, a locator's wait_for): it only
# ends a hang, so it is generous (a busy machine serves the page slowly, not wrongly).
PAGE_TIMEOUT_MS = 90_000


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: real server and real browser (slow, needs chromium)")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    browser_tests = []
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            # with pytest-xdist, tests/conftest.py schedules them as two units (it reads
            # them from the path, not from this mark); each worker that runs one starts
            # its own server and browser
            item.add_marker(pytest.mark.xdist_group("e2e"))
            browser_tests.append(item)
    # First: with two workers the two long browser units start at once, one on each
    # worker, and the other modules fill in after them.
    others = [item for item in items if item not in browser_tests]
    items[:] = browser_tests + others


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, port: int, proc: subprocess.Popen, log: Path):
        self.port, self.proc, self.log = port, proc, log
        self.url = f"http://localhost:{port}/"

    def sessions(self) -> dict:
        with urllib.request.urlopen(f"{self.url}debug/sessions", timeout=30) as r:
            return json.load(r)

    def wait_idle(self, timeout: float = 120.0) -> None:
        """Runs of earlier tests end once their tabs' sessions are destroyed."""
        deadline = time.monotonic() + timeout
        while self.sessions()["active"]:
            if time.monotonic() > deadline:
                raise AssertionError(f"runs still active: {self.sessions()}")
            time.sleep(0.25)


def start_server(max_runs: int = 2, name: str = "", args: tuple[str, ...] = ()):
    """A `tsvae` server with the suite's shrunk runs; ``stop_server`` ends it. ``args``:
    more `tsvae` options (the server is asked on localhost, so bind it there too)."""
    OUTPUT.mkdir(exist_ok=True)
    port = _free_port()
    # one server per worker that runs browser tests (tests/conftest.py: two units)
    log = OUTPUT / f"e2e-server-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}{name}.log"
    env = dict(os.environ, TSVAE_DEFAULT_OVERRIDES=json.dumps(OVERRIDES),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               TF_CPP_MIN_LOG_LEVEL="2",
               TSVAE_DATA_DIR=tempfile.mkdtemp(prefix="tsvae-e2e-data-"))  # sweeps' studies
    env.pop("TSVAE_MAX_RUNS", None)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.server.cli", "--port", str(port), "--debug-endpoint",
             "--max-runs", str(max_runs), *args], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT)
    srv = Server(port, proc, log)
    deadline = time.monotonic() + SERVER_START_S
    while True:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}; see {log}")
        try:
            srv.sessions()
            return srv
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"server did not answer within {SERVER_START_S} s; see {log}")
            time.sleep(0.5)


def stop_server(srv: Server) -> None:
    srv.proc.terminate()
    try:
        srv.proc.wait(15)
    except subprocess.TimeoutExpired:
        srv.proc.kill()
        srv.proc.wait(5)


@pytest.fixture(scope="session")
def server():
    srv = start_server(max_runs=2)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_app_page(browser, server, contexts: list, query: str = "", on_page=None):
    """Open the app in a fresh browser context (its own Bokeh session and run), kept in
    ``contexts`` for ``close_pages``. ``on_page(page)`` runs before the page loads (e.g. to
    add event handlers)."""
    ctx = browser.new_context(viewport={"width": 1500, "height": 1300})
    contexts.append(ctx)
    page = ctx.new_page()
    # The browser's own errors (a patch from the server it could not apply, a script
    # error): pagetools.model_states reports them beside a stale widget.
    page.tsvae_errors = []
    page.on("console", lambda m: m.type == "error" and page.tsvae_errors.append(m.text))
    page.on("pageerror", lambda exc: page.tsvae_errors.append(f"pageerror: {exc}"))
    if on_page is not None:
        on_page(page)
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(server.url + (f"?{query}" if query else ""))
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0",
                           timeout=2 * PAGE_TIMEOUT_MS)
    page.locator(".tsvae-status").wait_for(state="attached")
    return page


def close_pages(contexts: list) -> None:
    for ctx in contexts:
        try:
            # Stop what still trains: the thread ends within a batch, and the next test
            # need not wait for the closed tab's session to expire (seconds, training).
            for page in ctx.pages:
                stop = page.locator(".tsvae-stop button")
                if stop.count() and stop.is_enabled():
                    stop.click(timeout=10_000)
        except Exception:  # closed by the test, or the page is gone
            pass
        try:
            ctx.close()
        except Exception:  # already closed by the test
            pass


@pytest.fixture
def new_page(browser, server):
    """``new_page(query="", on_page=None)`` opens the app in a fresh context (open_app_page);
    the test's contexts close when it ends."""
    server.wait_idle()
    contexts = []
    yield lambda query="", on_page=None: open_app_page(browser, server, contexts, query, on_page)
    close_pages(contexts)


@pytest.fixture(scope="module")
def module_page(browser, server):
    """One page shared by a module's tests, for tests that each start from a reset page
    (a page load is 5-10 s on a loaded machine)."""
    server.wait_idle()
    contexts = []
    yield open_app_page(browser, server, contexts)
    close_pages(contexts)


def _load_pagetools():
    # Loaded by path so the helpers work under any pytest import mode.
    import importlib.util
    spec = importlib.util.spec_from_file_location("tsvae_e2e_pagetools",
                                                  Path(__file__).with_name("pagetools.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def ui():
    """Helpers that read the page's state (tests/e2e/pagetools.py)."""
    return _load_pagetools()
