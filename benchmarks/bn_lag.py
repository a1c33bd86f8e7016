"""How much of paper's validation reconstruction is BatchNormalization's moving statistics
trailing the model: after each epoch, decode z_mean of 2,000 training and 2,000
validation windows with the moving statistics (what validation uses) and with each
batch's own statistics (what training uses). See docs/learning.md.

    .venv/bin/python benchmarks/bn_lag.py --seed 1 --epochs 3 [--momentum 0.9]
"""
from __future__ import annotations

import argparse
import time

import keras
import numpy as np

from tsvae_core.batches import WindowBatches
from tsvae_core.config import make_configs
from tsvae_core.data import generate
from tsvae_core.models import build_model
from tsvae_core.optimizers import make_optimizer


def recon_per_window(model, x: np.ndarray, training: bool) -> float:
    """Summed over time of the channel-mean squared error, as the paper loss, per window."""
    total = 0.0
    for i in range(0, len(x), 256):  # batches of 256 so batch statistics match training's
        xb = x[i:i + 256]
        z_mean = model.encoder(xb, training=training)[0]
        x_hat = np.asarray(model.decoder(z_mean, training=training))
        total += float(((x_hat - xb) ** 2).mean(axis=-1).sum())
    return total / len(x)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--momentum", type=float, default=None,
                    help="BatchNormalization momentum (default: Keras' 0.99)")
    args = ap.parse_args()
    d, m, t = make_configs("paper", seed=args.seed)
    ds = generate(d)
    keras.utils.set_random_seed(args.seed)
    model = build_model(d, m)
    if args.momentum is not None:
        for layer in model._flatten_layers():
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.momentum = args.momentum
    model.compile(optimizer=make_optimizer(t), jit_compile=True)
    b, rows = t.batch_size, np.linspace(0, len(ds.x_val) - 1, 2000).astype(int)
    print("epoch  seconds  train_recon(fit)  val_recon(fit)  val/train moving stats  "
          "val/train batch stats   (per window)")
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        h = model.fit(WindowBatches(ds.x_train, ds.x_train, b, shuffle=True, seed=args.seed + epoch),
                      validation_data=WindowBatches(ds.x_val, ds.x_val, b, shuffle=False),
                      epochs=1, verbose=0).history
        xv, xt = ds.x_val[rows], ds.x_train[rows]
        print(f"{epoch:5d}  {time.time() - t0:7.0f}  {h['reconstruction_loss'][-1] / b:16.3f}  "
              f"{h['val_reconstruction_loss'][-1] / b:14.3f}  "
              f"{recon_per_window(model, xv, False):10.3f} / {recon_per_window(model, xt, False):.3f}  "
              f"{recon_per_window(model, xv, True):10.3f} / {recon_per_window(model, xt, True):.3f}",
              flush=True)


if __name__ == "__main__":
    main()
