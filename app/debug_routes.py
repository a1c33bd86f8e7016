"""`panel serve --plugins app.debug_routes`: GET /debug/sessions lists the server's runs.

JSON: {"max_runs", "active", "runs": [{"run", "tab", "closed", "alive", "status",
"epoch"}]}. Tests use it to check, on the server side, that closing a tab stopped its
training thread. It shows no data or settings, only run states.
"""
from __future__ import annotations

import json

from tornado.web import RequestHandler

from .server_runs import REGISTRY


class SessionsHandler(RequestHandler):
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.write(json.dumps(REGISTRY.snapshot()))


ROUTES = [("/debug/sessions", SessionsHandler, {})]
