"""Every setting of the toolkit: one frozen dataclass per TOML table, loaded with strict checking.

An experiment TOML has the tables ``[corpus]`` (:class:`BuildConfig`), ``[model]``
(:class:`ModelConfig`), ``[evaluate]`` (:class:`EvaluateConfig`), ``[select]``
(:class:`SelectConfig`), ``[effects]`` (:class:`EffectsConfig`), ``[dynamic]``
(:class:`DynamicConfig`) and ``[run]`` (:class:`RunConfig`), gathered in
:class:`ExperimentConfig`. An unknown key fails naming the key and the allowed ones; a value of the
wrong type or outside its allowed set fails naming key, value and what is allowed.

Values that name an entry of a registry (a coherence measure, a model engine) are checked against
that registry by :func:`topics.experiment.settings.load_experiment_config`, so that adding a
measure or an engine is a change in one module; this package stays near the bottom of the package
and imports nothing of it but :mod:`topics.errors` and :mod:`topics.resources`.

Paths in a TOML file are relative to that file's folder (:func:`anchor_paths`); paths on the command
line are relative to the current folder. ``topics:NAME`` names a resource file shipped in the
package (:mod:`topics.resources`).

One module per part of the TOML: :mod:`.build` (``[corpus]``), :mod:`.model` (``[model]``),
:mod:`.evaluation` (``[evaluate]``, ``[select]``), :mod:`.analysis` (``[effects]``, ``[dynamic]``),
:mod:`.experiment` (``[run]`` and the whole experiment); the checking and loading machinery in
:mod:`.loading`.
"""

from __future__ import annotations

from ..errors import ConfigError
from .analysis import DYNAMIC_ENGINES, SLICE_MODES, DynamicConfig, EffectsConfig, year_span
from .build import RESOURCE_KEYS, SPLIT_MODES, UNIT_MODES, BuildConfig, anchor_paths, load_build_config
from .evaluation import DEFAULT_MEASURES, SEED_BY, SELECT_RULES, EvaluateConfig, SelectConfig
from .experiment import ExperimentConfig, RunConfig, anchor_experiment
from .loading import check_choice, check_range, from_mapping, read_toml, to_dict
from .model import ALPHAS, ETAS, ModelConfig

__all__ = [
    "ALPHAS", "DEFAULT_MEASURES", "DYNAMIC_ENGINES", "ETAS", "RESOURCE_KEYS", "SEED_BY", "SELECT_RULES", "SLICE_MODES",
    "SPLIT_MODES", "UNIT_MODES", "BuildConfig", "ConfigError", "DynamicConfig", "EffectsConfig", "EvaluateConfig",
    "ExperimentConfig", "ModelConfig", "RunConfig", "SelectConfig", "anchor_experiment", "anchor_paths",
    "check_choice", "check_range", "from_mapping", "load_build_config", "read_toml", "to_dict", "year_span",
]
