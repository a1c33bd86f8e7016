"""tsvae_core: data, models and training for the tsvae dashboard. No UI imports here."""
from .config import DataConfig, ModelConfig, TrainConfig, PRESETS, make_configs
from .config_rules import validate

__all__ = ["DataConfig", "ModelConfig", "TrainConfig", "PRESETS", "make_configs", "validate"]
__version__ = "0.1.0"
