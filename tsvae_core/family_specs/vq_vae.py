"""The vector-quantised VAE (``tsvae_core.models.vq_vae``)."""
import param

from ..families import FamilySpec, FamilyView, register

register(FamilySpec(
    "vq_vae", "tsvae_core.models.vq_vae:build", rank=30,
    doc="a codebook (codebook_size, commitment_cost), straight-through quantiser: discrete codes",
    fields=("conv_filters", "scale_steps"),
    params={
        "codebook_size": param.Integer(
            16, bounds=(2, 1024), doc="VQ-VAE: vectors in the codebook (latent_dim is their size)."),
        "commitment_cost": param.Number(
            0.25, bounds=(0.0, 10.0),
            doc="VQ-VAE: weight pulling the encoder's outputs toward their codebook vectors."),
    },
    views=(FamilyView("codebook_usage", "Codebook usage", "code_count", kind="codebook_usage"),
           FamilyView("pre_quantisation", "Pre-quantisation vectors", "preq_x",
                      kind="pre_quantisation")),
    logs={"codebook_loss": "codebook loss", "commitment_loss": "commitment loss",
          "perplexity": "perplexity"},
    objective=("val_perplexity", "maximize"), cost_ratio=0.54 / 3.26, strided=True))
