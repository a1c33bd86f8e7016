"""The VAEs that differ only in their body (``tsvae_core.models.vae``)."""
from ..families import FamilySpec, FamilyView, register

#: Every variational family sends it (the heads' VAEs too).
KL_VIEW = FamilyView("kl_per_dim", "KL per latent dimension", "kl_nats", kind="kl_per_dim")
#: Encoder/decoder body fields of the families built on ``models.backbones``.
BODY = ("backbone", "hidden_units", "conv_filters", "scale_steps")
_MODEL = "tsvae_core.models.vae"

register(FamilySpec(
    "dense_vae", f"{_MODEL}:build_dense", rank=10,
    doc="the plainest VAE: an MLP on the flattened window; a baseline, fastest per epoch",
    fields=("beta", "hidden_units"), views=(KL_VIEW,), cost_ratio=0.36 / 3.26))
register(FamilySpec(
    "conv_vae", f"{_MODEL}:build_conv", rank=11,
    doc="Conv1D / Conv1DTranspose VAE, no attention, no GRU: shape-local patterns",
    fields=("beta", "conv_filters", "scale_steps"), views=(KL_VIEW,),
    cost_ratio=0.47 / 3.26, strided=True))
register(FamilySpec(
    "recurrent_vae", f"{_MODEL}:build_recurrent", rank=12,
    doc="bidirectional LSTM encoder, LSTM decoder (RVAE): order and phase over shape",
    fields=("beta", "hidden_units"), views=(KL_VIEW,), cost_ratio=2.45 / 3.26))
register(FamilySpec(
    "beta_vae", f"{_MODEL}:build_beta", rank=13,
    doc="the KL weight as a dial (4 when beta is left at 1): a smoother latent",
    fields=("beta", *BODY), views=(KL_VIEW,), cost_ratio=0.42 / 3.26))
