"""Reading an experiment's TOML: the config dataclasses (:mod:`topics.config`) checked against the registries.

Names that select an entry of a registry — the model engine (:data:`topics.models.ENGINES`) and
the coherence measures (:data:`topics.evaluate.coherence.MEASURES`) — are checked here, on load,
so a typo fails before anything is built or fitted, and a new engine or measure needs no change
to the config module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ..config import ConfigError, ExperimentConfig, ModelConfig, anchor_experiment, check_choice, from_mapping, read_toml
from ..analysis.design import formula_variables, parse_formula
from ..corpus import SPEECH_COLUMNS, YEAR_SOURCES
from ..errors import TopicsError
from ..evaluate.coherence import MEASURES
from ..models import ENGINES

__all__ = ["experiment_from_mapping", "inputs_available", "load_experiment_config"]


def experiment_from_mapping(data: Mapping[str, Any], base: str | Path | None = None) -> ExperimentConfig:
    """An :class:`ExperimentConfig` from a mapping (a TOML file's or a manifest's), fully checked.

    ``base``: the folder relative paths are taken from (the TOML file's folder); a manifest's
    config has absolute paths already.
    """
    config = from_mapping(ExperimentConfig, data)
    if base is not None:
        config = anchor_experiment(config, base)
    check_choice("model.engine", config.model.engine, tuple(ENGINES))
    _check_engine_settings(config.model)
    for i, measure in enumerate(config.evaluate.measures):
        check_choice(f"evaluate.measures[{i}]", measure, tuple(MEASURES))
    _check_effects(config)
    return config


def _check_effects(config: ExperimentConfig) -> None:
    """``[effects]``: the formula parses and names columns of speeches.csv; the year sources exist."""
    for variable in formula_variables(parse_formula(config.effects.prevalence)):
        if variable not in SPEECH_COLUMNS:
            raise ConfigError(f"effects.prevalence = {config.effects.prevalence!r} names {variable!r}, not a column of "
                              f"speeches.csv — use e.g. year, genre, admin_level")
    for i, source in enumerate(config.effects.year_sources):
        check_choice(f"effects.year_sources[{i}]", source, YEAR_SOURCES)


def _check_engine_settings(model: ModelConfig) -> None:
    """Settings the chosen engine cannot honour fail here, naming the key and what to do."""
    if model.engine == "tomotopy" and model.eta == "auto":
        raise ConfigError("model.eta = 'auto' is not available with engine = 'tomotopy' (tomotopy keeps η fixed) "
                          "— use 'symmetric' or a number")
    if model.seed_words and model.eta == "auto":
        raise ConfigError("model.eta = 'auto' cannot be combined with [model.seed_words] (seed words are a fixed "
                          "prior) — use 'symmetric' or a number")


def load_experiment_config(path: str | Path) -> ExperimentConfig:
    """Read and check an experiment TOML file; errors name the file and the key.

    Paths in the file are relative to the file's folder, wherever the command runs.
    """
    data = read_toml(path)
    try:
        return experiment_from_mapping(data, base=Path(path).resolve().parent)
    except TopicsError as exc:
        raise type(exc)(f"{path}: {exc}") from None


def inputs_available(path: str | Path) -> bool:
    """True when every input folder or file of the experiment at ``path`` exists (notebooks use it
    to skip an optional part whose data is not on this machine)."""
    config = load_experiment_config(path)
    return all(Path(raw).exists() for raw in config.corpus.raw)
