"""Optuna sweeps (the optional ``tsvae[sweep]`` extra; importing this package loads
neither Optuna nor Keras):

- ``space``: which config fields vary and over what (ranges read by ``tsvae_core.fields``).
- ``study``: ``Sweep``, a study's trials of a preset, each with the settings a sampler
  chose, and what a tab or the command line reads of them.
- ``run``: running the trials, as local ``TrainingSession`` runs or Ray trials, told to
  the Optuna study.
- ``cli``: the ``tsvae-sweep`` command, one line per finished trial.
"""
