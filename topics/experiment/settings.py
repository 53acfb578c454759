"""Reading an experiment's TOML: the config dataclasses (:mod:`topics.config`) checked against the registries.

Names that select an entry of a registry — the model engine (:data:`topics.models.ENGINES`) and
the coherence measures (:data:`topics.evaluate.coherence.MEASURES`) — are checked here, on load,
so a typo fails before anything is built or fitted, and a new engine or measure needs no change
to the config module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ..config import ExperimentConfig, check_choice, from_mapping, read_toml
from ..errors import TopicsError
from ..evaluate.coherence import MEASURES
from ..models import ENGINES

__all__ = ["experiment_from_mapping", "load_experiment_config"]


def experiment_from_mapping(data: Mapping[str, Any]) -> ExperimentConfig:
    """An :class:`ExperimentConfig` from a mapping (a TOML file's or a manifest's), fully checked."""
    config = from_mapping(ExperimentConfig, data)
    check_choice("model.engine", config.model.engine, tuple(ENGINES))
    for i, measure in enumerate(config.evaluate.measures):
        check_choice(f"evaluate.measures[{i}]", measure, tuple(MEASURES))
    return config


def load_experiment_config(path: str | Path) -> ExperimentConfig:
    """Read and check an experiment TOML file; errors name the file and the key."""
    data = read_toml(path)
    try:
        return experiment_from_mapping(data)
    except TopicsError as exc:
        raise type(exc)(f"{path}: {exc}") from None
