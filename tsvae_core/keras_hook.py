"""Registers the model classes with Keras as soon as Keras is imported, without
importing it: ``import tsvae_core`` then suffices for ``keras.saving.load_model`` to find
``tsvae>VAE`` and the other classes in a saved ``.keras`` file (Keras imports the module
named in a file only for its own classes).

``import tsvae_core`` must stay light (the command lines check their flags before Keras
loads), so it calls ``install``: with Keras already imported the models are imported
at once; otherwise a finder on ``sys.meta_path`` waits for ``import keras``, lets Keras
load as usual and imports ``tsvae_core.models`` right after, then leaves ``meta_path``.
"""
from __future__ import annotations

import importlib
import importlib.abc
import logging
import sys
import threading

log = logging.getLogger(__name__)
_lock = threading.Lock()


def register_models() -> None:
    """Import the model registry, whose classes register themselves with Keras."""
    try:
        importlib.import_module("tsvae_core.models")
    except Exception:  # a broken backend: loading a file says so later, import keras must not fail
        log.exception("registering tsvae's model classes with Keras failed")


class _LoaderThenRegister(importlib.abc.Loader):
    """Keras' own loader, followed by ``register_models`` once Keras has executed."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _uninstall()
        register_models()

    def __getattr__(self, name):  # resource readers and the like: Keras' loader answers
        return getattr(self._loader, name)


class _KerasWatcher(importlib.abc.MetaPathFinder):
    """Finds Keras through the finders after it and wraps its loader. It stays until Keras
    has executed: a ``find_spec`` without an import (TensorFlow asks so) must not end it."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "keras":
            return None
        for finder in list(sys.meta_path):
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _LoaderThenRegister(spec.loader)
                return spec
        return None


def _uninstall() -> None:
    with _lock:
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _KerasWatcher)]


def install() -> None:
    """Make sure the model classes are registered whenever Keras is (or is already) loaded."""
    if "keras" in sys.modules:
        register_models()
        return
    with _lock:
        if not any(isinstance(f, _KerasWatcher) for f in sys.meta_path):
            sys.meta_path.insert(0, _KerasWatcher())
