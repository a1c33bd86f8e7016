"""Who the /debug/* routes answer (app.debug_access), through a real tornado server with
the real routes. ``xheaders`` lets a request state its client address (X-Real-Ip), so
IPv6 and mapped addresses are tried without those interfaces; tests/e2e/test_debug_routes_remote.py
asks a real `tsvae` server from the machine's own address."""
from __future__ import annotations

import json
import os

import pytest
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from app.debug_access import DEBUG_TOKEN_ENV, TOKEN_HEADER, is_loopback
from app.debug_routes import ROUTES

TOKEN = "s3cret-token"


@pytest.mark.parametrize("ip, loopback", [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("192.0.2.2", False), ("10.0.0.1", False), ("fd00::2", False), ("::ffff:10.0.0.1", False),
    ("0.0.0.0", False), ("", False), ("not an address", False)])
def test_loopback_is_127_slash_8_and_ipv6_one(ip, loopback):
    assert is_loopback(ip) is loopback


class _Routes(AsyncHTTPTestCase):
    def get_app(self):
        return Application(ROUTES)

    def get_httpserver_options(self):
        return {"xheaders": True}

    def ask(self, route: str, ip: str, token: str | None = None):
        headers = {"X-Real-Ip": ip}
        if token is not None:
            headers[TOKEN_HEADER] = token
        # a route's first answer can take seconds (the run limit counts GPUs through
        # TensorFlow; /debug/memory imports Keras): more than fetch's 5 s on a loaded machine
        return self.io_loop.run_sync(lambda: self.http_client.fetch(
            self.get_url(route), headers=headers, raise_error=False), timeout=120)


class TestWithoutToken(_Routes):
    def setUp(self):
        super().setUp()
        self._saved = os.environ.pop(DEBUG_TOKEN_ENV, None)

    def tearDown(self):
        if self._saved is not None:
            os.environ[DEBUG_TOKEN_ENV] = self._saved
        super().tearDown()

    def test_loopback_clients_are_answered(self):
        for ip in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
            r = self.ask("/debug/sessions", ip)
            assert r.code == 200, (ip, r.body)
            assert "runs" in json.loads(r.body)

    def test_other_clients_are_refused_with_a_one_line_reason(self):
        for route in ("/debug/sessions", "/debug/memory", "/debug/models?tab=a&css=b"):
            r = self.ask(route, "192.0.2.7", token="anything")
            text = r.body.decode()
            assert r.code == 403 and text.count("\n") == 1, (route, r.code, text)
            assert "loopback clients only (192.0.2.7" in text and DEBUG_TOKEN_ENV in text


class TestWithToken(_Routes):
    def setUp(self):
        super().setUp()
        self._saved = os.environ.get(DEBUG_TOKEN_ENV)
        os.environ[DEBUG_TOKEN_ENV] = TOKEN

    def tearDown(self):
        if self._saved is None:
            os.environ.pop(DEBUG_TOKEN_ENV, None)
        else:
            os.environ[DEBUG_TOKEN_ENV] = self._saved
        super().tearDown()

    def test_a_remote_client_needs_the_token(self):
        r = self.ask("/debug/sessions", "fd00::2")
        assert r.code == 403 and TOKEN_HEADER in r.body.decode()
        for wrong in ("", TOKEN[:-1], TOKEN + "x", "sécret"):
            r = self.ask("/debug/sessions", "fd00::2", token=wrong)
            assert (r.code, r.body) == (403, b"wrong debug token\n"), wrong

    def test_the_token_in_the_header_or_the_query_is_accepted(self):
        r = self.ask("/debug/sessions", "192.0.2.7", token=TOKEN)
        assert r.code == 200 and "active" in json.loads(r.body)
        r = self.ask(f"/debug/memory?token={TOKEN}", "192.0.2.7")
        assert r.code == 200 and "threads" in json.loads(r.body)

    def test_loopback_still_needs_no_token(self):
        assert self.ask("/debug/sessions", "127.0.0.1").code == 200
