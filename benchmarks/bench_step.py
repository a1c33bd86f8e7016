"""Milliseconds per training step of a preset's model (paper: batch 256), per compile choice.

    KERAS_BACKEND=tensorflow .venv/bin/python benchmarks/bench_step.py --jit off on
    .venv/bin/python benchmarks/bench_step.py --preset quick --jit off --gru-unroll

The original code took about 310 ms per step on a 2-core CPU (151 steps, 46 s an epoch).
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import keras
import numpy as np

from tsvae_core.config import make_configs
from tsvae_core.models import build_model
from tsvae_core.optimizers import make_optimizer


def time_steps(jit, steps: int, batch: int | None, overrides: dict, preset: str = "paper"):
    data, model, train = make_configs(preset, **overrides)
    batch = batch or train.batch_size
    keras.utils.set_random_seed(0)
    vae = build_model(data, model)
    vae.compile(optimizer=make_optimizer(train), jit_compile=jit)
    x = np.random.default_rng(0).random((batch * steps, data.seq_len, data.n_features + 1),
                                        dtype=np.float32)
    vae.fit(x[:batch * 2], x[:batch * 2], batch_size=batch, epochs=1, verbose=0)  # compile
    times = []

    class Timer(keras.callbacks.Callback):
        def on_train_batch_begin(self, b, logs=None):
            self.t0 = time.perf_counter()

        def on_train_batch_end(self, b, logs=None):
            float(logs["loss"])  # wait for the step to finish
            times.append((time.perf_counter() - self.t0) * 1000)

    vae.fit(x, x, batch_size=batch, epochs=1, verbose=0, shuffle=False, callbacks=[Timer()])
    return times


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--jit", nargs="+", default=["off", "on"])
    p.add_argument("--steps", type=int, default=12)
    p.add_argument("--preset", default="paper")
    p.add_argument("--batch", type=int, default=None, help="default: the preset's batch size")
    p.add_argument("--gru-unroll", action="store_true")
    p.add_argument("--dtype-policy", default="float32", help="e.g. mixed_bfloat16 (not the same numbers)")
    p.add_argument("--flash-attention", choices=["default", "on", "off"], default="default")
    args = p.parse_args()
    keras.config.set_dtype_policy(args.dtype_policy)
    if args.flash_attention == "on":
        keras.config.enable_flash_attention()
    elif args.flash_attention == "off":
        keras.config.disable_flash_attention()
    for jit in args.jit:
        flag = {"on": True, "off": False, "auto": "auto"}[jit]
        t = time_steps(flag, args.steps, args.batch, {"gru_unroll": args.gru_unroll}, args.preset)
        print(f"{args.preset} {os.environ.get('KERAS_BACKEND', 'tensorflow')} jit={jit} gru_unroll={args.gru_unroll} "
              f"flash={args.flash_attention} dtype={args.dtype_policy}: median "
              f"{statistics.median(t):.0f} ms/step over {len(t)} steps "
              + (f"(-> {statistics.median(t) * 151 / 1000:.1f} s for the paper's 151 steps)"
                 if args.preset == "paper" else ""), flush=True)


if __name__ == "__main__":
    main()
