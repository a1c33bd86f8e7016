"""The /debug/* routes of a real `tsvae --debug-endpoint` server bound on all interfaces:
a client at the machine's own non-loopback address is refused without the debug token
and answered with it; a loopback client needs none (the suite's servers rely on that)."""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest

from app.server.debug_access import TOKEN_HEADER

from conftest import start_server, stop_server  # noqa: E402

TOKEN = "e2e-debug-token-7f3a"


def _own_address() -> str | None:
    """This machine's first non-loopback IPv4 address (what `hostname -I` lists first)."""
    candidates = []
    try:
        candidates += socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:  # a UDP "connect" sends nothing: it only picks the outgoing interface
            s.connect(("192.0.2.123", 9))
            candidates.append(s.getsockname()[0])
        except OSError:
            pass
    return next((ip for ip in candidates if not ip.startswith("127.")), None)


def _get(url: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture(scope="module")
def open_server():
    srv = start_server(max_runs=1, name="-debug-access",
                       args=("--address", "0.0.0.0", "--debug-token", TOKEN))
    yield srv
    stop_server(srv)


def test_debug_routes_refuse_a_remote_client_without_the_token(open_server):
    ip = _own_address()
    if ip is None:
        pytest.skip("no non-loopback address here (tests/app/test_debug_access.py "
                    "covers the rule through a real tornado server)")
    base = f"http://{ip}:{open_server.port}/debug/"
    for route in ("sessions", "memory", "models?tab=x&css=y"):
        status, body = _get(base + route)
        assert status == 403, (route, status, body)
        assert body.count("\n") == 1 and "debug token" in body and ip in body, body
    status, body = _get(base + "sessions", {TOKEN_HEADER: TOKEN + "x"})
    assert (status, body) == (403, "wrong debug token\n")

    status, body = _get(base + "sessions", {TOKEN_HEADER: TOKEN})
    assert status == 200 and "runs" in json.loads(body)
    status, body = _get(base + f"sessions?token={TOKEN}")
    assert status == 200 and json.loads(body)["max_runs"] == 1
    # a loopback client (the suite's fixtures, the benchmarks) needs no token
    status, body = _get(f"http://127.0.0.1:{open_server.port}/debug/sessions")
    assert status == 200 and json.loads(body)["max_runs"] == 1
