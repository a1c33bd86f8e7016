"""`tsvae`: serve the dashboard with `panel serve` and sensible defaults.

    tsvae                        # http://localhost:5006/
    tsvae --show                 # ... and open a browser
    tsvae --address 0.0.0.0 --allow-websocket-origin myhost:5006   # reachable from others
    tsvae --ray HOST:6379        # each tab's run is a Ray actor on that cluster ("local":
                                 # a Ray instance started here); needs the `ray` extra

Anything after `--` goes to `panel serve` unchanged.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from tsvae_core.ray.cluster import RAY_ENV
from tsvae_core.source_config import MAX_FILE_BYTES

from .debug_access import DEBUG_TOKEN_ENV, TOKEN_ARGUMENT, TOKEN_HEADER
from .runs import MAX_RUNS_ENV

log = logging.getLogger(__name__)

APP = Path(__file__).resolve().parents[1] / "main.py"  # app/main.py
ORIGIN_ENV = "TSVAE_ALLOW_ORIGIN"
DATA_DIR_ENV = "TSVAE_DATA_DIR"
# A closed tab's session is destroyed (and its run stopped) within about
# CHECK + LIFETIME ms; Bokeh's defaults (17 s + 15 s) would keep a thread training
# for half a minute after the tab is gone.
CHECK_UNUSED_MS, UNUSED_LIFETIME_MS = 1000, 3000
#: An upload travels base64-encoded in one websocket message (4/3 of the file) plus its
#: JSON wrapping: the limit is raised to carry the largest file the sources read, where
#: Bokeh's default of 20 MB would drop a larger upload without a word.
WEBSOCKET_MAX_BYTES = MAX_FILE_BYTES * 4 // 3 + 2**20


def parse_args(argv: list[str] | None = None) -> tuple[argparse.Namespace, list[str]]:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    p = argparse.ArgumentParser(prog="tsvae", description="Serve the tsvae live dashboard.")
    p.add_argument("--port", type=int, default=5006, help="port to listen on (default 5006)")
    p.add_argument("--address", default="localhost",
                   help="address to bind (default localhost; 0.0.0.0 for all interfaces)")
    p.add_argument("--show", action="store_true", help="open the page in a browser")
    p.add_argument("--allow-websocket-origin", action="append", default=None, metavar="HOST[:PORT]",
                   help=f"origin allowed to connect (repeatable; default from ${ORIGIN_ENV}, "
                        "comma-separated, else the served address)")
    p.add_argument("--max-runs", type=int, default=None,
                   help=f"concurrent trainings on this server (default ${MAX_RUNS_ENV}, "
                        "else 1 per GPU, 2 on CPU)")
    p.add_argument("--ray", default=os.environ.get(RAY_ENV) or None, metavar="ADDRESS",
                   help=f"train each tab's run as an actor on this Ray cluster (HOST:6379, "
                        f"or 'local' to start one here; default ${RAY_ENV}, else in this "
                        "process); needs pip install 'tsvae[ray]'")
    p.add_argument("--data-dir", default=None,
                   help=f"where sweeps keep their studies and models (default ${DATA_DIR_ENV}, "
                        "else ~/.tsvae)")
    p.add_argument("--debug-endpoint", action="store_true",
                   help="serve GET /debug/sessions, /debug/models and /debug/memory (run "
                        "states, for tests and operators) to loopback clients")
    p.add_argument("--debug-token", default=None, metavar="TOKEN",
                   help="with --debug-endpoint: other clients that send this token (header "
                        f"{TOKEN_HEADER} or ?{TOKEN_ARGUMENT}=) may use the debug routes too "
                        f"(default ${DEBUG_TOKEN_ENV}; the variable keeps it out of `ps`)")
    p.add_argument("--log-level", default="info",
                   choices=["trace", "debug", "info", "warning", "error", "critical"])
    args = p.parse_args(argv)
    if args.max_runs is not None and args.max_runs < 1:
        p.error(f"--max-runs={args.max_runs}: must be >= 1")
    if args.debug_token is not None and not args.debug_endpoint:
        p.error("--debug-token: only with --debug-endpoint (it guards the debug routes)")
    if args.debug_token is not None and not args.debug_token.strip():
        p.error("--debug-token: must not be empty")
    if args.allow_websocket_origin is None and os.environ.get(ORIGIN_ENV):
        args.allow_websocket_origin = [o.strip() for o in os.environ[ORIGIN_ENV].split(",")
                                       if o.strip()]
    return args, extra


def serve_argv(args: argparse.Namespace, extra: list[str]) -> list[str]:
    """The `panel serve` command line for ``args``."""
    cmd = ["panel", "serve", str(APP), "--port", str(args.port), "--address", args.address,
           "--index", APP.stem, "--log-level", args.log_level,
           "--check-unused-sessions", str(CHECK_UNUSED_MS),
           "--unused-session-lifetime", str(UNUSED_LIFETIME_MS),
           "--websocket-max-message-size", str(WEBSOCKET_MAX_BYTES)]
    for origin in args.allow_websocket_origin or []:
        cmd += ["--allow-websocket-origin", origin]
    if args.show:
        cmd.append("--show")
    if args.debug_endpoint:
        cmd += ["--plugins", "app.server.debug_routes"]
    return cmd + extra


def main(argv: list[str] | None = None) -> None:
    args, extra = parse_args(argv)
    if args.max_runs is not None:
        os.environ[MAX_RUNS_ENV] = str(args.max_runs)  # read by app.server.runs in this process
    if args.ray:
        connect_ray(args.ray)
    if args.data_dir is not None:
        os.environ[DATA_DIR_ENV] = args.data_dir  # read by tsvae_core.sweep.study in this process
    if args.debug_token is not None:
        os.environ[DEBUG_TOKEN_ENV] = args.debug_token  # read by app.server.debug_routes per request
    # Serve Bokeh/Panel JS and CSS from this server, never from a CDN.
    os.environ.setdefault("BOKEH_RESOURCES", "server")
    from panel.command import main as panel_main

    sys.argv = serve_argv(args, extra)
    host = "localhost" if args.address in ("0.0.0.0", "::", "") else args.address
    print(f"tsvae: serving on http://{host}:{args.port}/", flush=True)
    panel_main()


def connect_ray(address: str) -> None:
    """Join the cluster before serving (ray.init takes seconds: never in a page's
    callback); the app's runs read the address from the environment."""
    os.environ[RAY_ENV] = address
    try:
        from tsvae_core.ray.cluster import connect, inspection_hint
        cluster = connect(address)
    except ImportError:
        sys.exit(f"tsvae: --ray {address}: Ray is not installed (pip install 'tsvae[ray]')")
    except Exception as exc:  # a wrong address, a cluster that is down
        sys.exit(f"tsvae: --ray {address}: cannot join the Ray cluster: {exc}")
    print(f"tsvae: runs train on the Ray cluster {address} "
          f"({cluster['gpus']:g} GPUs; one per run when there are any)", flush=True)
    if inspection_hint():
        print(f"tsvae: {inspection_hint()}", flush=True)


if __name__ == "__main__":
    main()
