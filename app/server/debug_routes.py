"""`panel serve --plugins app.server.debug_routes`: GET /debug/sessions lists the server's runs.

JSON: {"max_runs", "active", "runs": [{"run", "tab", "closed", "alive", "status",
"epoch"}]}. Tests use it to check, on the server side, that closing a tab stopped its
training thread. It shows no data or settings, only run states.

GET /debug/models?tab=ID&css=CLASS: the server's copy of the Bokeh models of tab ID (its
session id) that carry the CSS class, as [{"id", "type", "disabled"}], after an entry
{"stranded": {"queued", "blocked"}} on Panel's queue of unsent messages. A browser test
that sees a widget in a stale state asks it whether the server changed the widget (and
the browser missed the change) or not.

GET /debug/memory: after a garbage collection, how many Controllers, sessions, Keras
models, documents, streams and threads are alive (the soak benchmark's leak check).

Who may ask: app.server.debug_access (loopback clients, others only with the debug token).
"""
from __future__ import annotations

import json

from tornado.web import RequestHandler

from .debug_access import TOKEN_ARGUMENT, TOKEN_HEADER, refusal
from .runs import REGISTRY


class DebugHandler(RequestHandler):
    """Refuses, before any route's work, a client that may not use the debug routes:
    403 with the reason as one line of plain text."""

    def prepare(self):
        given = self.request.headers.get(TOKEN_HEADER)
        if given is None:
            given = self.get_query_argument(TOKEN_ARGUMENT, None)
        reason = refusal(self.request.remote_ip or "", given)
        if reason is not None:
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(reason + "\n")


class SessionsHandler(DebugHandler):
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.write(json.dumps(REGISTRY.snapshot()))


class ModelsHandler(DebugHandler):
    def get(self):
        tab, css = self.get_argument("tab"), self.get_argument("css")
        found = []
        for context in self.application._applications.values():
            for session in context.sessions:
                if session.id != tab:
                    continue
                found.append({"stranded": _stranded(session.document)})
                for m in list(session.document.models):
                    if css in (getattr(m, "css_classes", None) or []):
                        found.append({"id": m.id, "type": type(m).__name__,
                                      "disabled": getattr(m, "disabled", None)})
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.write(json.dumps(found))


def _stranded(doc) -> dict:
    """Panel's queue of messages waiting for the socket (its direct write path): messages
    queued with no writer scheduled would never reach the page."""
    from panel.io import document as pdoc
    queued = getattr(pdoc, "_WRITE_MSGS", {}).get(doc, {})
    return {"queued": sum(len(m) for m in queued.values()),
            "blocked": doc in getattr(pdoc, "_WRITE_BLOCK", {})}


class MemoryHandler(DebugHandler):
    """GET /debug/memory: after a full garbage collection, how many objects of the types a
    closed tab or an ended run could leave behind are still alive (soak benchmark)."""

    def get(self):
        import gc
        import threading
        gc.collect()
        wanted = {"Controller", "TrainingSession", "Document", "ServerSession", "Functional",
                  "Model", "Pipe", "Buffer", "DynamicMap", "FastListTemplate",
                  "ThreadPoolExecutor", "Thread", "SessionContext"}
        import keras
        counts: dict[str, int] = {"keras.Model": 0}
        for obj in gc.get_objects():
            name = type(obj).__name__
            if name in wanted:
                counts[name] = counts.get(name, 0) + 1
            if isinstance(obj, keras.Model):
                counts["keras.Model"] += 1
        threads = sorted(t.name for t in threading.enumerate())
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.write(json.dumps({"objects": counts, "threads": threads}))


ROUTES = [("/debug/sessions", SessionsHandler, {}), ("/debug/models", ModelsHandler, {}),
          ("/debug/memory", MemoryHandler, {})]
