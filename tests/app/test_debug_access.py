"""Who the /debug/* routes answer (app.server.debug_access), through a real tornado server with
the real routes, run on its own thread. ``xheaders`` lets a request state its client
address (X-Real-Ip), so IPv6 and mapped addresses are tried without those interfaces; tests/e2e/test_debug_routes_remote.py
asks a real `tsvae` server from the machine's own address."""
from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request

import pytest
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application

from app.server.debug_access import DEBUG_TOKEN_ENV, TOKEN_HEADER, is_loopback
from app.server.debug_routes import ROUTES

TOKEN = "s3cret-token"


@pytest.mark.parametrize("ip, loopback", [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("192.0.2.2", False), ("10.0.0.1", False), ("fd00::2", False), ("::ffff:10.0.0.1", False),
    ("0.0.0.0", False), ("", False), ("not an address", False)])
def test_loopback_is_127_slash_8_and_ipv6_one(ip, loopback):
    assert is_loopback(ip) is loopback


class _Server:
    """The real routes behind a real tornado server on its own thread and event loop, asked
    with a plain HTTP client: whatever loop an earlier test left on this worker's main
    thread (Playwright's, Panel's) cannot get in the way."""

    def __init__(self):
        self.port = None
        self._ready = threading.Event()
        self._loop = None
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        assert self._ready.wait(60), "the test server did not start"

    def _serve(self):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        server = HTTPServer(Application(ROUTES), xheaders=True)
        sock, = bind_sockets(0, "127.0.0.1")
        self.port = sock.getsockname()[1]
        server.add_sockets([sock])
        self._ready.set()
        self._loop.run_forever()
        server.stop()
        self._loop.close()

    def stop(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)

    def ask(self, route: str, ip: str, token: str | None = None) -> tuple[int, bytes]:
        headers = {"X-Real-Ip": ip}
        if token is not None:
            headers[TOKEN_HEADER] = token
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{route}",
                                         headers=headers)
        # a route's first answer can take seconds (the run limit counts GPUs through
        # TensorFlow; /debug/memory imports Keras) on a loaded machine
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read()


@pytest.fixture(scope="module")
def server():
    running = _Server()
    yield running
    running.stop()


@pytest.fixture
def no_token(monkeypatch):
    monkeypatch.delenv(DEBUG_TOKEN_ENV, raising=False)


@pytest.fixture
def with_token(monkeypatch):
    monkeypatch.setenv(DEBUG_TOKEN_ENV, TOKEN)


def test_loopback_clients_are_answered(server, no_token):
    for ip in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        code, body = server.ask("/debug/sessions", ip)
        assert code == 200, (ip, body)
        assert "runs" in json.loads(body)


def test_other_clients_are_refused_with_a_one_line_reason(server, no_token):
    for route in ("/debug/sessions", "/debug/memory", "/debug/models?tab=a&css=b"):
        code, body = server.ask(route, "192.0.2.7", token="anything")
        text = body.decode()
        assert code == 403 and text.count("\n") == 1, (route, code, text)
        assert "loopback clients only (192.0.2.7" in text and DEBUG_TOKEN_ENV in text


def test_a_remote_client_needs_the_token(server, with_token):
    code, body = server.ask("/debug/sessions", "fd00::2")
    assert code == 403 and TOKEN_HEADER in body.decode()
    for wrong in ("", TOKEN[:-1], TOKEN + "x", "sécret"):
        answer = server.ask("/debug/sessions", "fd00::2", token=wrong)
        assert answer == (403, b"wrong debug token\n"), wrong


def test_the_token_in_the_header_or_the_query_is_accepted(server, with_token):
    code, body = server.ask("/debug/sessions", "192.0.2.7", token=TOKEN)
    assert code == 200 and "active" in json.loads(body)
    code, body = server.ask(f"/debug/memory?token={TOKEN}", "192.0.2.7")
    assert code == 200 and "threads" in json.loads(body)


def test_loopback_still_needs_no_token(server, with_token):
    assert server.ask("/debug/sessions", "127.0.0.1")[0] == 200
