"""Configuration: one ``param.Parameterized`` class per concern, presets.

Bounds live here once; the dashboard turns these parameters into widgets and the
command line turns them into flags, so neither repeats a limit. Rules that span fields
are checked in ``config_rules``.
"""
from __future__ import annotations


import param

from . import families
from . import family_specs  # noqa: F401  (importing it registers the built-in families)
from .config_rules import validate
from .source_config import (AEON_ANOMALY_SERIES, AEON_COLLECTIONS, SOURCE_FIELDS,  # noqa: F401
                            SOURCES, TIME_CHANNELS, SourceConfig)

#: Encoder/decoder bodies shared by the families that take a ``backbone`` field.
BACKBONES = ["dense", "conv", "recurrent"]
#: beta_vae's KL weight when ``beta`` is left at 1 (the plain VAE's value): Higgins et al.'s 4.
BETA_VAE_DEFAULT = 4.0

#: Keras activations that make sense for hidden layers of these models.
ACTIVATIONS = ["relu", "leaky_relu", "elu", "selu", "gelu", "silu", "mish", "tanh",
               "sigmoid", "softplus"]
OUTPUT_ACTIVATIONS = ["relu", "sigmoid", "linear"]
OPTIMIZERS = ["adamw", "adam", "nadam", "rmsprop", "sgd", "adagrad"]

#: Most validation windows the session encodes after each epoch for the latent plot.
LATENT_SUBSET_CAP = 10_000


class DataConfig(SourceConfig):
    """Where the windows come from (``source``) and how they are cut; the synthetic
    multichannel series of the original demo is the default source."""

    n_patterns = param.Integer(30, bounds=(1, 200), doc="Distinct repeating patterns.")
    repeats = param.Integer(10, bounds=(1, 1000), doc="How often the block of all patterns repeats.")
    seq_len = param.Integer(128, bounds=(8, 1024), doc="Samples per window (every source); synthetic: also per pattern.")
    n_features = param.Integer(7, bounds=(1, 64), doc="Signal channels (the time channel comes on top).")
    noise_size = param.Integer(10_000, bounds=(0, 1_000_000), doc="Rows of pure noise appended to the series.")
    time_wavelengths = param.List([1.0], item_type=(int, float), bounds=(1, 8), precedence=0.9,
                                  doc="Time-encoding cosines, each 0.5*(cos(2*pi*w*t/seq_len)+1): w=1 repeats every seq_len rows, w=2 every seq_len/2.")
    noise_amplitude = param.Number(0.25, bounds=(0.0, 10.0), precedence=0.9,
                                   doc="Window noise scale, as a fraction of the signal's standard deviation.")
    val_fraction = param.Number(0.2, bounds=(0.05, 0.9), precedence=0.9,
                                doc="Validation share: synthetic, of the shuffled windows (the last "
                                    "ones); file, unlabelled aeon_anomaly: of the series' rows (a "
                                    "time split: training first, a gap of one window, then "
                                    "validation); cmapss: of the engines (the last ones).")
    seed = param.Integer(85, bounds=(0, 2**31 - 1), doc="Seed for the data, the weights and the sampling noise.")
    def n_rows(self) -> int:
        return self.n_patterns * self.seq_len * self.repeats + self.noise_size

    def n_windows(self) -> int:
        return max(0, self.n_rows() - self.seq_len + 1)

    def n_train(self) -> int:
        return int(self.n_windows() * (1.0 - self.val_fraction))

    def window_bytes(self) -> int:
        """Memory of all windows as float32 (train and validation share one array)."""
        return self.n_windows() * self.seq_len * (self.n_features + 1) * 4


class ModelConfig(param.Parameterized):
    """Architecture and its size; shared by every family in the registry."""

    # objects: every registered family (``tsvae_core.families``), kept in step by _adopt
    architecture = param.Selector(objects=families.names(), default=families.DEFAULT,
                                  doc="Model family (tsvae_core.families; docs/models.md).")
    activation = param.Selector(objects=ACTIVATIONS, default="relu",
                                doc="Activation of the hidden layers (the original used relu).")
    output_activation = param.Selector(objects=OUTPUT_ACTIVATIONS, default="relu", precedence=0.9,
                                       doc="Activation of the decoder's last layer (the original used relu).")
    latent_dim = param.Integer(2, bounds=(1, 64), doc="Size of the latent space.")
    time_bypass = param.Boolean(False, doc="Route the time channel around the encoder and give it to the decoder.")
    loss_reduction = param.Selector(
        objects=["mean", "sum"], default="mean",
        doc="How the reconstruction term is reduced over a batch: mean (per window: each "
            "window's squared error averaged over channels and summed over time, averaged "
            "over the batch; the loss does not depend on batch_size) or sum (summed over the "
            "batch's windows as in the original notebook, so the loss is per batch and grows "
            "with batch_size). The page's loss axis says which.")
    beta = param.Number(1.0, bounds=(0.0, 100.0),
                        doc="Weight of the KL term in the loss of every variational family: "
                            "loss = reconstruction + beta * KL, KL being the batch mean of each "
                            "window's KL divergence summed over the latent dimensions. With "
                            "loss_reduction=sum the reconstruction is summed over the batch, so "
                            "per window the KL weighs beta / batch_size (the original: beta 1, "
                            "batch 256).")
    conv_filters = param.Integer(16, bounds=(1, 256), precedence=0.9, doc="Filters of every convolution.")
    num_heads = param.Integer(4, bounds=(1, 16), precedence=0.9, doc="Heads of each attention gate.")
    key_dim = param.Integer(8, bounds=(1, 128), precedence=0.9, doc="Key size of each attention head.")
    batchnorm_stats = param.Selector(
        objects=["batch", "fixed"], default="batch", precedence=0.9,
        doc="BatchNormalization while training: batch (normalise by each batch's statistics, "
            "validate with their moving averages: Keras' usual) or fixed (inference mode "
            "throughout, so the layers are a learned scale and offset: what the original "
            "notebook's code computes, and the paper preset's; see docs/learning.md).")
    attention_gate = param.Selector(
        objects=["residual", "multiply"], default="residual", precedence=0.9,
        doc="How each attention output gates its input x: residual, (1 + LN(att)) * x with "
            "the normalisation's scale starting at 0, a gate that starts open; or multiply, "
            "LN(att) * x, the original notebook's literal form and the paper preset's, closer "
            "to a dead start on some seeds (same weights either way; docs/learning.md).")
    scale_steps = param.Integer(4, bounds=(1, 8), precedence=0.9,
                                doc="Decoder upsampling steps; seq_len must divide by 2**scale_steps.")
    gru_unroll = param.Boolean(False, precedence=0.9,
                               doc="Unroll the decoder GRU over time: the same function as one "
                                   "larger graph (compiles slower, may step faster on CPU).")
    # ---- fields some families share (each FamilySpec's ``fields`` says which; a field
    # of one family only is in its spec's ``params``) ----
    backbone = param.Selector(objects=BACKBONES, default="dense",
                              doc="Encoder/decoder body: dense (MLP on the flattened window), conv "
                                  "(strided Conv1D / Conv1DTranspose) or recurrent (bidirectional "
                                  "LSTM encoder, LSTM decoder).")
    hidden_units = param.Integer(64, bounds=(2, 1024), precedence=0.9,
                                 doc="Units of each dense layer (dense body) or LSTM (recurrent body).")
    head_weight = param.Number(1.0, bounds=(0.0, 1000.0), precedence=0.9,
                               doc="Classifier/regressor: weight of the head's loss in the total.")


class TrainConfig(param.Parameterized):
    """How the model is trained and what the session reports after each epoch."""

    optimizer = param.Selector(objects=OPTIMIZERS, default="adamw", doc="Optimizer (sgd uses momentum).")
    learning_rate = param.Number(1e-3, bounds=(1e-8, 1e5), doc="Step size; changes apply live at the next batch.")
    momentum = param.Number(0.9, bounds=(0.0, 0.999), precedence=0.9, doc="Momentum of sgd (ignored by the others).")
    batch_size = param.Integer(256, bounds=(1, 65_536), doc="Windows per training step.")
    epochs = param.Integer(400, bounds=(1, 100_000), doc="Epochs to train.")
    latent_subset = param.Integer(0, bounds=(0, LATENT_SUBSET_CAP), precedence=0.9,
                                  doc=f"Validation windows encoded for the latent plot after each epoch "
                                      f"(0: all of them, at most {LATENT_SUBSET_CAP}).")
    batch_feed = param.Selector(
        objects=["auto", "keras"], default="auto", precedence=0.9,
        doc="How training batches reach fit: auto (windows above 64 MB are gathered batch by "
            "batch from the one window array in tsvae's own shuffled order, smaller sets go "
            "through Keras' array pipeline) or keras (always Keras' array pipeline, which "
            "shuffles as the original notebook's fit does, so a seed gives its batches; it "
            "holds a backend copy of the training windows, 0.16 GB on paper).")
    jit_compile = param.Selector(objects=["auto", "on", "off"], default="auto", precedence=0.9,
                                 doc="XLA compilation of the training step on tensorflow and jax (auto: Keras "
                                     "decides: off on CPUs for tensorflow, on for jax, where off runs op "
                                     "by op and is very slow; torch always runs eagerly).")


#: Named presets: field -> value, applied on top of the defaults.
PRESETS: dict[str, dict] = {
    # The original notebook, exactly: its data draws (data.generate), its loss summed over
    # the batch, its literal attention gate, its BatchNormalization in inference mode, its
    # batches in Keras' order. Seeds 85 and 1 give the original's own epochs; some seeds
    # lose the whole bottleneck in epoch 1 and never learn (docs/learning.md).
    "paper": {"loss_reduction": "sum", "attention_gate": "multiply", "batchnorm_stats": "fixed",
              "batch_feed": "keras"},
    # paper's data and loss with tsvae's two changes to the model: the open attention gate
    # and BatchNormalization on batch statistics; it left the plateau on every seed tried
    # (docs/learning.md, "paper against paper-stable").
    "paper-stable": {"loss_reduction": "sum"},
    # Small enough that a 2-core CPU separates the patterns within about a minute; values
    # chosen by measurement (docs/benchmarks.md "The quick preset", docs/learning.md).
    # jit_compile stays auto (no XLA on a CPU): XLA steps ~1.5x faster there, but its
    # ~22 s compile delays the first epoch, and Start to k-NN 0.9 measured shorter
    # without it (90-112 s against 132-141 s, loaded machine).
    # elu: k-NN 0.9 in 10 / 7 / 14 / 12 epochs on seeds 85 / 1 / 2 / 3 against relu's
    # 14 / 12 / >21 / 14 (docs/learning.md).
    "quick": dict(n_patterns=5, repeats=40, seq_len=32, n_features=6, noise_size=500,
                  scale_steps=2, beta=0.01, batch_size=32, learning_rate=3e-3, epochs=40,
                  activation="elu"),
    # Anomaly runs on a series (a file with an anomaly column, an aeon anomaly series): the
    # settings benchmarks/bench_real_anomaly.py measured best (a plain dense autoencoder,
    # latent 16, linear output: VUS-PR 0.970 on the ECG against the default model's much
    # slower and weaker run), stride-1 windows of window_periods dominant periods (the
    # ECG's best, w120, is 6 of its 20-row beats). docs/your-data.md says what it scored.
    "anomaly": dict(architecture="autoencoder", hidden_units=128, latent_dim=16,
                    activation="elu", output_activation="linear", scale_steps=2,
                    batch_size=64, learning_rate=2e-3, epochs=10, seed=7, stride=1,
                    time_channel="cosine", window_periods=6.0),
}

CONFIG_CLASSES = (DataConfig, ModelConfig, TrainConfig)


# ---- fields and values: param's own ``name`` is no field of a config ----
def field_names(cfg) -> list[str]:
    """The fields of a config (a Parameterized class or instance), in declaration order."""
    return [n for n in cfg.param if n != "name"]


def config_values(*configs) -> dict:
    """field -> value of every config (field names are unique across the config classes).
    Lists are copied, so the values may be kept, compared and written as JSON."""
    values = {}
    for cfg in configs:
        for n in field_names(cfg):
            v = getattr(cfg, n)
            values[n] = list(v) if isinstance(v, (list, tuple)) else v
    return values


def copy_config(cfg: param.Parameterized) -> param.Parameterized:
    """A new config of the same class with the same values."""
    return type(cfg)(**config_values(cfg))


#: Every config field, in the configs' order (refreshed in place when a family adds fields).
FIELDS = [n for cls in CONFIG_CLASSES for n in field_names(cls)]


def _adopt(spec: families.FamilySpec) -> None:
    """A registered family becomes an architecture choice; its own fields (``params``)
    become ModelConfig fields, so widgets, flags and sweep ranges have them."""
    for name, parameter in spec.params.items():
        if name in FIELDS:
            raise ValueError(f"family {spec.name!r}: field {name!r} exists already")
        ModelConfig.param.add_parameter(name, parameter)
    ModelConfig.param.architecture.objects = families.names()
    FIELDS[:] = [n for cls in CONFIG_CLASSES for n in field_names(cls)]


families.on_register(_adopt)


def field_owner(name: str) -> type[param.Parameterized]:
    """The config class that holds the field ``name``."""
    for cls in CONFIG_CLASSES:
        if name in field_names(cls):
            return cls
    raise ValueError(f"unknown field {name!r}; known fields: {', '.join(sorted(FIELDS))}")


def make_configs(preset: str = "paper", **overrides) -> tuple[DataConfig, ModelConfig, TrainConfig]:
    """Fresh configs from a preset plus field overrides, validated."""
    if preset not in PRESETS:
        raise ValueError(f"preset={preset!r} is not one of {sorted(PRESETS)}")
    data, model, train = DataConfig(), ModelConfig(), TrainConfig()
    apply_values((data, model, train), {**PRESETS[preset], **overrides})
    validate(data, model, train)
    return data, model, train


def apply_values(configs, values: dict) -> None:
    """Set ``values`` (field -> value) on whichever of ``configs`` owns each field."""
    by_class = {type(c): c for c in configs}
    for name, value in values.items():
        cfg = by_class[field_owner(name)]
        cfg.param.update(**{name: value})
