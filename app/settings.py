"""Initial settings of a tab: preset and field overrides from the environment and the URL.

Precedence (later wins): the preset's values, ``TSVAE_DEFAULT_OVERRIDES`` (JSON object of
field -> value, server-wide), then URL query arguments (``?preset=paper&latent_dim=3``).
Tests use both to shrink runs; people can share a link to a configuration.
"""
from __future__ import annotations

import json
import logging
import os

import param

from tsvae_core.config import PRESETS, field_owner, make_configs

log = logging.getLogger(__name__)

PRESET_ENV = "TSVAE_PRESET"
OVERRIDES_ENV = "TSVAE_DEFAULT_OVERRIDES"
DEFAULT_PRESET = "quick"  # the paper preset takes hours on a CPU


def parse_value(name: str, text: str):
    """Convert a URL argument to the type of the config field ``name``."""
    p = field_owner(name).param[name]
    if isinstance(p, param.Boolean):
        low = text.strip().lower()
        if low not in ("1", "0", "true", "false", "on", "off", "yes", "no"):
            raise ValueError(f"{name}={text!r}: expected true or false")
        return low in ("1", "true", "on", "yes")
    if isinstance(p, param.Integer):
        return int(text)
    if isinstance(p, param.Number):
        return float(text)
    if isinstance(p, param.List):
        return json.loads(text)
    return text


def requested_settings(url_args: dict | None = None, environ=os.environ) -> tuple[str, dict]:
    """(preset, overrides) from the environment and ``url_args`` (name -> list of bytes,
    as ``pn.state.session_args`` gives them). Unknown fields raise ValueError."""
    preset = environ.get(PRESET_ENV, DEFAULT_PRESET)
    overrides = json.loads(environ.get(OVERRIDES_ENV) or "{}")
    if not isinstance(overrides, dict):
        raise ValueError(f"{OVERRIDES_ENV} must be a JSON object of field -> value")
    for key, values in (url_args or {}).items():
        text = values[-1].decode() if isinstance(values[-1], bytes) else str(values[-1])
        if key == "preset":
            preset = text
        else:
            overrides[key] = parse_value(key, text)
    if preset not in PRESETS:
        raise ValueError(f"preset={preset!r} is not one of {sorted(PRESETS)}")
    return preset, overrides


def initial_configs(url_args: dict | None = None, environ=os.environ):
    """(preset, configs, problem): falls back to the plain preset when the requested
    settings are invalid, and says why in ``problem`` so the page can show it."""
    try:
        preset, overrides = requested_settings(url_args, environ)
        return preset, make_configs(preset, **overrides), ""
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        log.warning("ignoring requested settings: %s", exc)
        return DEFAULT_PRESET, make_configs(DEFAULT_PRESET), f"Ignored requested settings: {exc}"
