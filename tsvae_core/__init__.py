"""tsvae_core: data, models and training for the tsvae dashboard. No UI imports here.

Importing it loads no Keras; the model classes register with Keras when Keras is
imported (``keras_hook``), so ``keras.saving.load_model`` reads a saved ``.keras`` file
after a plain ``import tsvae_core``, as does ``tsvae_core.load_model``.

Modules: ``config`` and ``source_config`` (a ``param.Parameterized`` per concern, presets),
``config_rules`` (rules across fields), ``fields`` (text to field value and back),
``families`` (one ``FamilySpec`` per model family; the specs in ``family_specs/``),
``data`` (the original demo's synthetic data), ``batches``, ``optimizers``, ``device``,
``events`` (what a run publishes), ``metrics``, ``nearest``, ``probes``, ``diagnostics``
(dead start), ``initial_model``, ``runs`` (run history and export), ``safe_files``,
``short_text``, ``keras_hook``, ``sessions`` (local or Ray), ``cli`` and ``cli_flags``
(``tsvae-train``). Packages: ``sources/`` (data sources), ``models/``, ``session/`` (one
run and its thread), ``ray/`` (runs on a cluster), ``sweep/`` (Optuna), ``anomaly/``.
"""
from .config import DataConfig, ModelConfig, TrainConfig, PRESETS, make_configs
from .config_rules import validate
from . import keras_hook

__all__ = ["DataConfig", "ModelConfig", "TrainConfig", "PRESETS", "make_configs", "validate",
           "load_model"]
__version__ = "0.1.0"


def load_model(path, **kwargs):
    """A model saved by tsvae (``.keras``: the CLI's --save-model, the page's download, a
    sweep trial's file), every family's classes known; ``kwargs`` go to
    ``keras.saving.load_model``."""
    from . import models  # noqa: F401  (registers the classes, whatever the hook did)
    import keras
    return keras.saving.load_model(path, **kwargs)


keras_hook.install()
