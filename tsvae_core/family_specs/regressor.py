"""The VAE with a regression head, RVE-style (``tsvae_core.models.regressor``)."""
from ..families import FamilySpec, FamilyView, register
from .vae import BODY, KL_VIEW

register(FamilySpec(
    "vae_regressor", "tsvae_core.models.regressor:build", rank=41,
    doc="a regression head on z trained with the KL (target: the time channel's phase)",
    fields=("head_weight", "beta", *BODY),
    views=(KL_VIEW, FamilyView("predicted", "Predicted vs true target", "predicted_value",
                               kind="predicted")),
    logs={"regression_mae": "mean absolute error", "regression_loss": "regression loss (MSE)"},
    objective=("val_regression_mae", "minimize"), cost_ratio=0.54 / 3.26))
