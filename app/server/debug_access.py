"""Who may use the /debug/* routes (app.server.debug_routes): loopback clients (127.0.0.0/8,
::1) always; any other client only with the token of ``TSVAE_DEBUG_TOKEN`` (``tsvae
--debug-token``) in the X-TSVAE-Debug-Token header or the ``token`` query argument.
Without a token set, other clients are refused: the routes name the server's sessions and
let a caller force garbage collections.

Kept apart from the routes so that ``tsvae --help`` names these without importing
tornado.web.
"""
from __future__ import annotations

import hmac
import ipaddress
import os

DEBUG_TOKEN_ENV = "TSVAE_DEBUG_TOKEN"
TOKEN_HEADER = "X-TSVAE-Debug-Token"
TOKEN_ARGUMENT = "token"


def is_loopback(remote_ip: str) -> bool:
    """True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.0.0.1); False for
    anything else, including what is not an IP address (a unix socket's peer)."""
    try:
        ip = ipaddress.ip_address(remote_ip)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def refusal(remote_ip: str, given: str | None) -> str | None:
    """Why a client at ``remote_ip`` that sent ``given`` (or no token) may not use the
    debug routes, in one line; None when it may."""
    if is_loopback(remote_ip):
        return None
    token = os.environ.get(DEBUG_TOKEN_ENV, "")
    if not token:
        return (f"debug routes answer loopback clients only ({remote_ip} is not one); "
                f"start the server with --debug-token or {DEBUG_TOKEN_ENV} to allow others")
    if given is None:
        return (f"debug routes need the debug token from {remote_ip}: send it in the "
                f"{TOKEN_HEADER} header or the '{TOKEN_ARGUMENT}' query argument")
    # compare bytes: compare_digest refuses non-ASCII str
    if not hmac.compare_digest(given.encode(), token.encode()):
        return "wrong debug token"
    return None
