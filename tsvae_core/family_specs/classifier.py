"""The semi-supervised VAE with a classifier head (``tsvae_core.models.classifier``)."""
import param

from ..families import FamilySpec, FamilyView, register
from .vae import BODY, KL_VIEW

register(FamilySpec(
    "vae_classifier", "tsvae_core.models.classifier:build", rank=40,
    doc="semi-supervised: a classifier head on z, labels for labelled_fraction of windows",
    fields=("head_weight", "beta", *BODY),
    params={"labelled_fraction": param.Number(
        0.1, bounds=(0.0, 1.0),
        doc="Classifier: share of training windows whose pattern label the classifier may "
            "see (fixed by the seed); those windows are repeated in training until they make "
            "about a third of an epoch.")},
    views=(KL_VIEW, FamilyView("confusion_matrix", "Confusion matrix", "confusion_count",
                               kind="confusion_matrix")),
    logs={"classifier_accuracy": "accuracy", "classifier_loss": "classifier loss"},
    objective=("val_classifier_accuracy", "maximize"), cost_ratio=0.90 / 3.26))
