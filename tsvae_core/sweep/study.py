"""Optuna sweeps: many trainings of a preset, each with settings a sampler chooses.

``SweepSpec`` says what to sweep (preset, fixed fields, the search space of
``tsvae_core.sweep.space``, trials, objective and direction, sampler, pruner);
``Sweep`` runs it: each trial is a real ``TrainingSession`` whose per-epoch objective
is reported to Optuna (so a pruner can stop a poor trial after any epoch). The study
lives in an Optuna journal file under the data directory (``--data-dir``, default
``~/.tsvae``): a sweep survives a restart, resumes where it was, and
``optuna-dashboard <data dir>/sweeps/journal.log`` opens it. Finished trials save their
model there as ``.keras``.

Optuna is an optional extra (``tsvae[sweep]``), imported inside the functions that need it.
"""
from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import events as ev
from .. import families
from ..config import FIELDS, PRESETS, config_values, make_configs
from .space import FieldRange, check_space

log = logging.getLogger(__name__)

#: objective -> (what it reads, default direction). "family" reads the family's spec.
OBJECTIVES = {"val_loss": ("val_loss", "minimize"),
              "knn_accuracy": ("knn_accuracy", "maximize"),
              "family": ("", ""),
              # the anomaly card's metrics against a labelled series (source=aeon_anomaly)
              "anomaly_vus_pr": ("anomaly:vus_pr", "maximize"),
              "anomaly_roc_auc": ("anomaly:roc_auc", "maximize")}
#: The source whose series carry anomaly labels (tsvae_core.sources.aeon_sets).
ANOMALY_SOURCE = "aeon_anomaly"
SAMPLERS = ["tpe", "random", "grid"]
PRUNERS = ["none", "median", "halving"]
DIRECTIONS = ["minimize", "maximize"]
#: What a resumed study may change: how many trials and how they are chosen. The rest
#: says what a trial is; trials of two meanings in one study would compare nothing.
RESUMABLE = ("n_trials", "sampler", "pruner", "seed", "grid_points")
#: Why a trial failed without a fault of its settings: Stop was pressed.
STOPPED_NOTE = "stopped by the user"


def default_data_dir() -> Path:
    return Path(os.environ.get("TSVAE_DATA_DIR") or Path.home() / ".tsvae")


def missing_optuna() -> str:
    """'' when Optuna is importable, else what to install."""
    try:
        import optuna  # noqa: F401
    except ImportError:
        return "sweeps need Optuna: pip install 'tsvae[sweep]'"
    return ""


@dataclass
class SweepSpec:
    """Everything a sweep needs; stored with its study so a resume needs only the name."""
    study: str
    space: list[FieldRange]
    preset: str = "quick"
    fixed: dict = field(default_factory=dict)       # field -> value on top of the preset
    n_trials: int = 8
    objective: str = "val_loss"
    direction: str = ""                             # '' : the objective's own
    sampler: str = "tpe"
    pruner: str = "median"
    seed: int = 0
    grid_points: int = 3                            # values of a number under "grid"

    def check(self) -> SweepSpec:
        """ValueError naming the setting at fault; fills in the direction."""
        if not self.study or any(c in self.study for c in "/\\") or self.study.startswith("."):
            raise ValueError(f"study={self.study!r}: a name without slashes")
        if self.preset not in PRESETS:
            raise ValueError(f"preset={self.preset!r}: allowed {sorted(PRESETS)}")
        for name, allowed, value in (("objective", list(OBJECTIVES), self.objective),
                                     ("sampler", SAMPLERS, self.sampler),
                                     ("pruner", PRUNERS, self.pruner),
                                     ("direction", ["", *DIRECTIONS], self.direction)):
            if value not in allowed:
                raise ValueError(f"{name}={value!r}: allowed {allowed}")
        if not 1 <= self.n_trials <= 10_000:
            raise ValueError(f"n_trials={self.n_trials}: allowed 1..10000")
        if not 2 <= self.grid_points <= 100:
            raise ValueError(f"grid_points={self.grid_points}: allowed 2..100")
        check_space(self.space)
        varied = {r.name for r in self.space}
        if self.objective == "family" and "architecture" in varied:
            raise ValueError("objective=family: the family's own metric needs one "
                             "architecture; vary architecture with val_loss or knn_accuracy")
        if self.objective.startswith("anomaly_"):
            source = make_configs(self.preset, **{k: v for k, v in self.fixed.items()
                                                  if k in FIELDS})[0].source
            if source != ANOMALY_SOURCE or "source" in varied:
                raise ValueError(f"objective={self.objective}: needs a labelled anomaly series: "
                                 f"fix source={ANOMALY_SOURCE} (and choose anomaly_series), "
                                 f"not source={source!r}")
        unknown = [k for k in self.fixed if k not in FIELDS]
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r} among the fixed settings")
        make_configs(self.preset, **self.fixed)  # the fixed settings alone must be valid
        if not self.direction:
            self.direction = self.metric()[1]
        return self

    def metric(self) -> tuple[str, str]:
        """(what the objective reads, its natural direction)."""
        if self.objective != "family":
            return OBJECTIVES[self.objective]
        arch = self.fixed.get("architecture") or make_configs(self.preset)[1].architecture
        return families.objective(arch)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SweepSpec:
        raw = json.loads(text)
        raw["space"] = [FieldRange(**r) for r in raw["space"]]
        return cls(**raw)


def resume_changes(stored: SweepSpec, asked: SweepSpec) -> list[str]:
    """What ``asked`` changes of a stored study's ``stored`` spec that a resume may not
    (anything but RESUMABLE), one "setting: stored -> asked" text each; [] if nothing.
    Fixed settings compare by the values they give (the preset's included)."""
    changes = []
    old_space = {r.name: r.to_text() for r in stored.space}
    new_space = {r.name: r.to_text() for r in asked.space}
    if old_space != new_space:
        show = lambda sp: " ".join(f"{k}={v}" for k, v in sp.items())  # noqa: E731
        changes.append(f"search space: {show(old_space)} -> {show(new_space)}")
    for name in ("preset", "objective", "direction"):
        if getattr(stored, name) != getattr(asked, name):
            changes.append(f"{name}: {getattr(stored, name)} -> {getattr(asked, name)}")
    if not changes:  # the same preset: the fixed fields' values compare
        old_values = config_values(*make_configs(stored.preset, **stored.fixed))
        new_values = config_values(*make_configs(asked.preset, **asked.fixed))
        for name in old_values:
            if name in old_space:
                if name in asked.fixed and asked.fixed[name] != stored.fixed.get(name):
                    changes.append(f"{name}: varied ({old_space[name]}) -> fixed "
                                   f"{asked.fixed[name]}")
            elif old_values[name] != new_values[name]:
                changes.append(f"{name}: {old_values[name]} -> {new_values[name]}")
    return changes


def objective_value(event: ev.EpochEnd, key: str) -> float:
    """The objective ``key`` of one epoch (NaN when it has none)."""
    if key == "knn_accuracy":
        return float(event.knn_accuracy)
    if key.startswith("anomaly:"):
        scores = event.anomaly  # tsvae_core.anomaly.scores.AnomalyScores, or None
        metrics = getattr(scores, "metrics", None) or {}
        return float(metrics.get(key.split(":", 1)[1], math.nan))
    return float(event.logs.get(key, math.nan))


def journal_path(data_dir) -> Path:
    return Path(data_dir) / "sweeps" / "journal.log"


def open_storage(data_dir):
    """The Optuna journal storage of ``data_dir`` (made if missing)."""
    import optuna
    from optuna.storages.journal import JournalFileBackend
    path = journal_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    return optuna.storages.JournalStorage(JournalFileBackend(str(path)))


def study_names(data_dir) -> list[str]:
    """The sweeps stored under ``data_dir``."""
    if not journal_path(data_dir).exists():
        return []
    import optuna
    return [s.study_name for s in optuna.get_all_study_summaries(open_storage(data_dir))]


def load_spec(data_dir, study: str) -> SweepSpec | None:
    """The spec a stored sweep was started with (ValueError if there is no such study,
    None for a study that tsvae did not make)."""
    import optuna
    try:
        stored = optuna.load_study(study_name=study, storage=open_storage(data_dir))
    except KeyError:
        raise ValueError(f"study={study!r}: no such sweep in {journal_path(data_dir)}") from None
    if "tsvae_spec" not in stored.user_attrs:  # made by other code: nothing to keep
        return None
    return SweepSpec.from_json(stored.user_attrs["tsvae_spec"])


def make_sampler(spec: SweepSpec):
    import optuna
    if spec.sampler == "grid":
        grid = {r.name: r.grid(spec.grid_points) for r in spec.space}
        return optuna.samplers.GridSampler(grid, seed=spec.seed)
    if spec.sampler == "random":
        return optuna.samplers.RandomSampler(seed=spec.seed)
    return optuna.samplers.TPESampler(seed=spec.seed, n_startup_trials=min(5, spec.n_trials))


def make_pruner(spec: SweepSpec):
    import optuna
    if spec.pruner == "median":
        # judged from epoch 1 on, once two trials finished: tiny sweeps prune too
        return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0)
    if spec.pruner == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    return optuna.pruners.NopPruner()


def open_study(spec: SweepSpec, data_dir):
    """The spec's study, created or (same name) loaded with its trials. A stored study
    keeps the spec it was started with: a ``spec`` that changes more than RESUMABLE is
    refused (ValueError naming each change), never mixed into its trials."""
    import optuna
    stored = load_spec(data_dir, spec.study) if spec.study in study_names(data_dir) else None
    if stored is not None:
        changes = resume_changes(stored, spec)
        if changes:
            raise ValueError(
                f"study {spec.study!r} exists with other settings ({'; '.join(changes)}); "
                f"resuming keeps its search space and settings (only {', '.join(RESUMABLE)} "
                f"may change): drop the changes, or name a new study")
    study = optuna.create_study(study_name=spec.study, storage=open_storage(data_dir),
                                direction=spec.direction, sampler=make_sampler(spec),
                                pruner=make_pruner(spec), load_if_exists=True)
    if "tsvae_spec" not in study.user_attrs:
        study.set_user_attr("tsvae_spec", spec.to_json())
    return study
