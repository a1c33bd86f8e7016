"""The denoising autoencoder (``tsvae_core.models.denoising``)."""
from ..families import FamilySpec, FamilyView, register
from .vae import BODY

register(FamilySpec(
    "denoising_ae", "tsvae_core.models.denoising:build", rank=21,
    doc="corrupt the input (noise_level), reconstruct the clean window",
    fields=("noise_level", *BODY),
    views=(FamilyView("noisy_input", "Denoising: noisy input, clean target, output",
                      "noisy_value", kind="noisy_input"),),
    cost_ratio=0.66 / 3.26))
