"""The ``[evaluate]`` and ``[select]`` tables: how models are scored, and the rule that picks K."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError
from .loading import check_choice, check_range

__all__ = ["DEFAULT_MEASURES", "SEED_BY", "SELECT_RULES", "EvaluateConfig", "SelectConfig"]

SELECT_RULES = ("max_npmi_stable", "max_npmi_relative_stable", "pareto", "max_npmi", "fixed")

SEED_BY = ("stability", "c_npmi")

DEFAULT_MEASURES = ("u_mass", "c_v", "c_uci", "c_npmi")


@dataclass(frozen=True)
class EvaluateConfig:
    """The ``[evaluate]`` table of an experiment.

    Parameters
    ----------
    measures : coherence measures to compute (names registered in :mod:`topics.evaluate.coherence`:
        ``c_npmi, c_v, u_mass, c_uci``).
    topn : numbers of top words each coherence is averaged over.
    diversity_topn : top words per topic for topic diversity (OCTIS uses 25).
    exclusivity_topn, exclusivity_weight : top words summed and FREX weight of stm's exclusivity.
    stability_topn : top words per topic compared across seeds (Jaccard).
    heldout_fraction : share of units (whole speeches) held out of training for perplexity;
        0 trains on everything and reports no perplexity.
    heldout_seed : seed of the held-out draw (kept apart from the model seeds, so every fit of
        the sweep sees the same split).
    relevance_lambda, frex_weight : labelling settings of ``topics.csv`` (see
        :mod:`topics.evaluate.word_scores`).
    label_topn : words per topic in ``topics.csv``.
    """

    measures: tuple[str, ...] = DEFAULT_MEASURES
    topn: tuple[int, ...] = (5, 10, 15, 20)
    diversity_topn: int = 25
    exclusivity_topn: int = 10
    exclusivity_weight: float = 0.7
    stability_topn: int = 10
    heldout_fraction: float = 0.1
    heldout_seed: int = 0
    relevance_lambda: float = 0.6
    frex_weight: float = 0.5
    label_topn: int = 30

    def __post_init__(self) -> None:
        if not self.measures:
            raise ConfigError("evaluate.measures is empty — list at least 'c_npmi'")
        if len(set(self.measures)) != len(self.measures):
            raise ConfigError(f"evaluate.measures = {list(self.measures)} repeats a value — list each measure once")
        if not self.topn:
            raise ConfigError("evaluate.topn is empty — list the top-word counts, e.g. topn = [5, 10, 15, 20]")
        for i, n in enumerate(self.topn):
            check_range(f"evaluate.topn[{i}]", n, low=2)
        for key in ("diversity_topn", "exclusivity_topn", "stability_topn", "label_topn"):
            check_range(f"evaluate.{key}", getattr(self, key), low=1)
        check_range("evaluate.heldout_fraction", self.heldout_fraction, low=0.0, high=0.5)
        check_range("evaluate.heldout_seed", self.heldout_seed, low=0, high=2**32 - 1)
        for key in ("exclusivity_weight", "relevance_lambda", "frex_weight"):
            check_range(f"evaluate.{key}", getattr(self, key), low=0.0, high=1.0)

@dataclass(frozen=True)
class SelectConfig:
    """The ``[select]`` table: the rule that picks K and a seed (see :mod:`topics.evaluate.select`).

    The default rule, ``pareto``, applies whenever stability is known (two seeds or more): an
    absolute stability floor (``max_npmi_stable``) is rarely reached on real corpora and then
    falls back to coherence alone (measured in the README, "Choosing K").
    """

    rule: str = "pareto"
    min_stability: float = 0.5
    relative_stability: float = 0.9
    k: int = 0
    seed_by: str = "stability"

    def __post_init__(self) -> None:
        check_choice("select.rule", self.rule, SELECT_RULES)
        check_choice("select.seed_by", self.seed_by, SEED_BY)
        check_range("select.min_stability", self.min_stability, low=0.0, high=1.0)
        check_range("select.relative_stability", self.relative_stability, low=0.0, high=1.0)
        if self.rule == "fixed" and self.k < 2:
            raise ConfigError("select.k must be set (>= 2) when select.rule = 'fixed' — e.g. k = 8")
