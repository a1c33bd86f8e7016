"""The denoising autoencoder (``tsvae_core.models.denoising``)."""
import param

from ..families import FamilySpec, FamilyView, register
from .vae import BODY

register(FamilySpec(
    "denoising_ae", "tsvae_core.models.denoising:build", rank=21,
    doc="corrupt the input (noise_level), reconstruct the clean window",
    fields=BODY,
    params={"noise_level": param.Number(
        0.1, bounds=(0.0, 1.0), doc="Denoising: standard deviation of the Gaussian noise "
                                    "added to the inputs while training (the data lie in [0, 1]).")},
    views=(FamilyView("noisy_input", "Denoising: noisy input, clean target, output",
                      "noisy_value", kind="noisy_input"),),
    cost_ratio=0.66 / 3.26))
