"""The ``[run]`` table and a whole experiment (:class:`ExperimentConfig`: every table of the TOML)."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from .analysis import DynamicConfig, EffectsConfig
from .build import BuildConfig, anchor_paths
from .evaluation import EvaluateConfig, SelectConfig
from .loading import check_range
from .model import ModelConfig

__all__ = ["ExperimentConfig", "RunConfig", "anchor_experiment"]


@dataclass(frozen=True)
class RunConfig:
    """The ``[run]`` table: where the build and the fits run. Changing it never changes a number.

    Parameters
    ----------
    workers : local worker processes (0 = one per CPU core; 1 = everything in the main process).
    scheduler : address of a Dask scheduler (``tcp://host:8786``); empty = local processes.
    """

    workers: int = 0
    scheduler: str = ""

    def __post_init__(self) -> None:
        check_range("run.workers", self.workers, low=0)

@dataclass(frozen=True)
class ExperimentConfig:
    """A whole experiment: ``name``, ``out`` and the ``[corpus]``, ``[model]``, ``[evaluate]``,
    ``[select]``, ``[effects]``, ``[dynamic]`` and ``[run]`` tables (each a frozen dataclass;
    unknown keys are errors)."""

    name: str = "experiment"
    out: str = ""
    corpus: BuildConfig = field(default_factory=BuildConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    evaluate: EvaluateConfig = field(default_factory=EvaluateConfig)
    select: SelectConfig = field(default_factory=SelectConfig)
    effects: EffectsConfig = field(default_factory=EffectsConfig)
    dynamic: DynamicConfig = field(default_factory=DynamicConfig)
    run: RunConfig = field(default_factory=RunConfig)

    def __post_init__(self) -> None:
        if self.select.rule == "fixed" and self.select.k not in self.model.k:
            raise ConfigError(f"select.k = {self.select.k} is not in model.k = {list(self.model.k)} — add it to the grid")

    @property
    def run_dir(self) -> Path:
        return Path(self.out or f"runs/{self.name}")

def anchor_experiment(config: ExperimentConfig, base: str | Path) -> ExperimentConfig:
    """An experiment's paths made absolute against ``base`` (its TOML file's folder); an empty
    ``out`` becomes ``runs/NAME`` there."""
    base = Path(base)
    out = config.out or f"runs/{config.name}"
    out = os.path.abspath(Path(out).expanduser() if Path(out).expanduser().is_absolute() else base / out)
    return dataclasses.replace(config, out=out, corpus=anchor_paths(config.corpus, base))
