"""The semi-supervised VAE with a classifier head (``tsvae_core.models.classifier``)."""
from ..families import FamilySpec, FamilyView, register
from .vae import BODY, KL_VIEW

register(FamilySpec(
    "vae_classifier", "tsvae_core.models.classifier:build", rank=40,
    doc="semi-supervised: a classifier head on z, labels for labelled_fraction of windows",
    fields=("labelled_fraction", "head_weight", "beta", *BODY),
    views=(KL_VIEW, FamilyView("confusion_matrix", "Confusion matrix", "confusion_count",
                               kind="confusion_matrix")),
    logs={"classifier_accuracy": "accuracy", "classifier_loss": "classifier loss"},
    objective=("val_classifier_accuracy", "maximize"), cost_ratio=0.90 / 3.26))
