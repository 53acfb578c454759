"""Score the models of a sweep: coherence, diversity, exclusivity, held-out fit, stability.

stm's ``searchK`` puts several criteria side by side because each can be gamed alone: coherence
rewards a few frequent-word topics, exclusivity rewards many narrow ones, held-out likelihood keeps
improving with K. Here every model of a sweep gets

* every registered coherence measure asked for (:mod:`topics.evaluate.coherence`; ``c_npmi`` is
  the headline), each the mean over topics of the coherence of the top 5, 10, 15 and 20 words,
  averaged over those four lengths (Lau & Baldwin 2016, "The sensitivity of topic coherence
  evaluation to topic cardinality", NAACL, recommend averaging over several N);
* topic diversity and exclusivity (:mod:`topics.evaluate.scores`);
* held-out perplexity on whole held-out speeches (:mod:`topics.evaluate.heldout`, computed by
  the model engine at fit time);
* stability across seeds (:mod:`topics.evaluate.stability`).

Co-occurrences are counted once per window type for the union of every model's top words.
This module takes topic–word matrices and returns tables; where the scores are cached is the
experiment's business (:mod:`topics.experiment.sweep`).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import EvaluateConfig
from .coherence import MEASURES, coherence
from .cooccurrence import CooccurrenceCounts, count_cooccurrence
from .scores import exclusivity, top_words, topic_diversity
from .stability import stability

__all__ = ["gather_counts", "metrics_table", "score_model", "score_models", "scoring_settings", "topic_table"]


def scoring_settings(config: EvaluateConfig) -> dict:
    """The settings that change per-model scores (part of the cache key of scores)."""
    return {"measures": list(config.measures), "topn": list(config.topn),
            "diversity_topn": config.diversity_topn, "exclusivity_topn": config.exclusivity_topn,
            "exclusivity_weight": config.exclusivity_weight,
            "windows": {name: measure.window for name, measure in MEASURES.items()}}


def gather_counts(texts: Iterable[Sequence[str]] | Sequence[Sequence[str]], topics_of_models: Iterable[Sequence[Sequence[str]]],
                  measures: Sequence[str]) -> dict[int, CooccurrenceCounts]:
    """Count co-occurrences once per window type for the union of every model's top words.

    ``topics_of_models`` yields, per model, its topics' top words (as many as the largest topn).
    ``texts`` must be re-iterable (it is walked once per window type).
    """
    union = {word for topics in topics_of_models for topic in topics for word in topic}
    windows = sorted({MEASURES[m].window for m in measures})
    return {window: count_cooccurrence(texts, union, window) for window in windows}


def score_model(topic_word: np.ndarray, words: Sequence[str], counts: Mapping[int, CooccurrenceCounts],
                config: EvaluateConfig) -> tuple[dict[str, float], pd.DataFrame]:
    """All per-model scores that need only this model and the shared counts.

    Returns
    -------
    metrics : ``{measure: mean over topics and topn, f"{measure}_top{n}": mean over topics,
        "diversity": …, "exclusivity": …}``.
    per_topic : one row per topic: ``topic``, each measure (averaged over topn), ``exclusivity``.
    """
    k = topic_word.shape[0]
    tops = top_words(topic_word, words, max(config.topn))
    metrics: dict[str, float] = {}
    per_topic = pd.DataFrame({"topic": np.arange(k)})
    for measure in config.measures:
        window_counts = counts[MEASURES[measure].window]
        by_n = np.column_stack([coherence(window_counts, [t[:n] for t in tops], measure) for n in config.topn])
        for j, n in enumerate(config.topn):
            metrics[f"{measure}_top{n}"] = float(by_n[:, j].mean())
        per_topic[measure] = by_n.mean(axis=1)
        metrics[measure] = float(per_topic[measure].mean())
    excl = exclusivity(topic_word, config.exclusivity_topn, config.exclusivity_weight)
    per_topic["exclusivity"] = excl
    metrics["diversity"] = topic_diversity(topic_word, config.diversity_topn)
    metrics["exclusivity"] = float(excl.mean())
    return metrics, per_topic


def score_models(texts: Sequence[Sequence[str]], words: Sequence[str], topic_words: Mapping[Any, np.ndarray],
                 config: EvaluateConfig) -> dict[Any, dict]:
    """Score every model of ``topic_words`` (key → K × V matrix) against one set of counts.

    Returns, per key, ``{"metrics": …, "per_topic": {column: [per topic]}, "top_words": [[…]]}``
    (the content of a fit's ``scores.json`` without its cache key). ``texts`` are the modelling
    units' tokens (re-iterable: walked once per window type).
    """
    if not topic_words:
        return {}
    n_top = max(max(config.topn), config.stability_topn)
    tops = [top_words(tw, words, max(config.topn)) for tw in topic_words.values()]
    counts = gather_counts(texts, tops, config.measures)
    scores = {}
    for key, tw in topic_words.items():
        metrics, per_topic = score_model(tw, words, counts, config)
        scores[key] = {"metrics": metrics,
                       "per_topic": {c: [float(v) for v in per_topic[c]] for c in per_topic.columns if c != "topic"},
                       "top_words": top_words(tw, words, n_top)}
    return scores


def metrics_table(scores, fits, config: EvaluateConfig) -> pd.DataFrame:
    """``metrics.csv``: one row per (k, seed) with every criterion (``fits``: each fit's ``fit.json``)."""
    stable = stability({task: [t[: config.stability_topn] for t in info["top_words"]] for task, info in scores.items()})
    rows = []
    for (k, seed), info in sorted(scores.items()):
        m = info["metrics"]
        fit = fits[(k, seed)]
        row = {"k": k, "seed": seed}
        row.update({measure: m.get(measure, np.nan) for measure in MEASURES})
        row.update({"diversity": m["diversity"], "exclusivity": m["exclusivity"],
                    "perplexity": _nan(fit.get("perplexity")), "stability": stable[(k, seed)],
                    "heldout_log_perplexity": _nan(fit.get("heldout_log_perplexity"))})
        row.update({f"{measure}_top{n}": m[f"{measure}_top{n}"] for measure in config.measures for n in config.topn})
        rows.append(row)
    return pd.DataFrame(rows)


def topic_table(scores) -> pd.DataFrame:
    """``topic_scores.csv``: one row per (k, seed, topic) with its coherence and exclusivity."""
    frames = []
    for (k, seed), info in sorted(scores.items()):
        per_topic = info["per_topic"]
        order = [c for c in MEASURES if c in per_topic] + [c for c in per_topic if c not in MEASURES]
        frame = pd.DataFrame({c: per_topic[c] for c in order})
        frame.insert(0, "topic", np.arange(k))
        frame.insert(0, "seed", seed)
        frame.insert(0, "k", k)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _nan(value) -> float:
    return float("nan") if value is None else float(value)
