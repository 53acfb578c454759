"""Scores of fitted topic models: coherence, diversity, exclusivity, held-out fit, stability.

stm's ``searchK`` puts several criteria side by side because each can be gamed alone: coherence
rewards a few frequent-word topics, exclusivity rewards many narrow ones, held-out likelihood keeps
improving with K. Here every model of a sweep gets

* coherence ``c_npmi`` (headline), ``c_v``, ``u_mass``, ``c_uci``, each the mean over topics of
  the coherence of the top 5, 10, 15 and 20 words, averaged over those four lengths
  (Lau & Baldwin 2016, "The sensitivity of topic coherence evaluation to topic cardinality",
  NAACL, recommend averaging over several N) — see :mod:`topics.coherence`;
* topic diversity (Dieng, Ruiz & Blei 2020, "Topic modeling in embedding spaces", TACL; OCTIS);
* exclusivity (stm ``exclusivity``: mean over topics of the summed FREX of the top 10 words,
  FREX weight 0.7; Roberts, Stewart & Airoldi 2016; Bischof & Airoldi 2012);
* held-out perplexity on whole held-out speeches (:func:`heldout_split`);
* stability across seeds (:func:`matched_jaccard`; Greene, O'Callaghan & Cunningham 2014,
  "How many topics? Stability analysis for topic models", ECML PKDD).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from .coherence import MEASURES, WINDOWS, CooccurrenceCounts, coherence, count_cooccurrence
from .config import check_choice, check_range
from .corpus import BuiltCorpus
from .errors import ConfigError
from .fileio import sha256_json, write_json
from .labels import frex, top_ids
from .model import topic_word as model_topic_word
from .sweep import fit_dir, load_fit_model

SCORES_FILE = "scores.json"
METRIC_MEASURES = ("c_npmi", "c_v", "u_mass", "c_uci")  # column order of metrics.csv


@dataclass(frozen=True)
class EvaluateConfig:
    """The ``[evaluate]`` table of an experiment.

    Parameters
    ----------
    measures : coherence measures to compute (any of ``c_npmi, c_v, u_mass, c_uci``).
    topn : numbers of top words each coherence is averaged over.
    diversity_topn : top words per topic for topic diversity (OCTIS uses 25).
    exclusivity_topn, exclusivity_weight : top words summed and FREX weight of stm's exclusivity.
    stability_topn : top words per topic compared across seeds (Jaccard).
    heldout_fraction : share of units (whole speeches) held out of training for perplexity;
        0 trains on everything and reports no perplexity.
    heldout_seed : seed of the held-out draw (kept apart from the model seeds, so every fit of
        the sweep sees the same split).
    relevance_lambda, frex_weight : labelling settings of ``topics.csv`` (see :mod:`topics.labels`).
    label_topn : words per topic in ``topics.csv``.
    """

    measures: tuple[str, ...] = MEASURES
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
        for i, measure in enumerate(self.measures):
            check_choice(f"evaluate.measures[{i}]", measure, MEASURES)
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

    def coherence_settings(self) -> dict:
        """The settings that change per-model scores (the cache key of scores includes them)."""
        return {"measures": list(self.measures), "topn": list(self.topn),
                "diversity_topn": self.diversity_topn, "exclusivity_topn": self.exclusivity_topn,
                "exclusivity_weight": self.exclusivity_weight, "windows": WINDOWS}


# --------------------------------------------------------------------------------------------
# Held-out split
# --------------------------------------------------------------------------------------------


def heldout_split(doc_ids: Sequence[str], fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of held-out units: whole speeches, drawn with ``RandomState(seed)``.

    Speeches (not single chunks) are held out so that no paragraph of a held-out speech is seen
    in training. Speeches are taken in a seeded random order until at least ``fraction`` of the
    units are held out; at least one speech always stays in training, and a corpus of a single
    speech gets no held-out part.

    >>> heldout_split(["a#0", "a#0", "b#0", "c#0"], 0.25, seed=0).tolist()
    [False, False, False, True]
    """
    doc_ids = np.asarray([str(d) for d in doc_ids])
    mask = np.zeros(len(doc_ids), dtype=bool)
    speeches = list(dict.fromkeys(doc_ids))
    if fraction <= 0 or len(speeches) < 2:
        return mask
    target = fraction * len(doc_ids)
    for index in np.random.RandomState(seed).permutation(len(speeches))[: len(speeches) - 1]:
        if mask.sum() >= target:
            break
        mask |= doc_ids == speeches[index]
    return mask


# --------------------------------------------------------------------------------------------
# Per-model scores
# --------------------------------------------------------------------------------------------


def top_words(topic_word: np.ndarray, words: Sequence[str], n: int) -> list[list[str]]:
    """The ``n`` most probable words of each topic, best first (ties: smaller word id first)."""
    return [[words[i] for i in ids] for ids in top_ids(topic_word, n)]


def topic_diversity(topic_word: np.ndarray, n: int = 25) -> float:
    """Share of distinct words among all topics' top ``n`` words (1 = no overlap).

    Dieng, Ruiz & Blei (2020); OCTIS ``TopicDiversity``.

    >>> topic_diversity(np.array([[0.5, 0.4, 0.1], [0.4, 0.5, 0.1]]), n=2)
    0.5
    """
    ids = top_ids(topic_word, n)
    return len(np.unique(ids)) / ids.size


def exclusivity(topic_word: np.ndarray, n: int = 10, weight: float = 0.7) -> np.ndarray:
    """stm's exclusivity of each topic: the summed FREX score of its ``n`` most probable words.

    Roberts, Stewart & Airoldi (2016); R ``stm::exclusivity`` (M = 10, frexw = 0.7).
    The maximum is ``n`` (every top word fully frequent and exclusive).
    """
    scores = frex(topic_word, weight)
    ids = top_ids(topic_word, n)
    return np.take_along_axis(scores, ids, axis=1).sum(axis=1)


def gather_counts(texts: Iterable[Sequence[str]] | Sequence[Sequence[str]], topics_of_models: Iterable[Sequence[Sequence[str]]],
                  measures: Sequence[str]) -> dict[int, CooccurrenceCounts]:
    """Count co-occurrences once per window type for the union of every model's top words.

    ``topics_of_models`` yields, per model, its topics' top words (as many as the largest topn).
    ``texts`` must be re-iterable (it is walked once per window type).
    """
    union = {word for topics in topics_of_models for topic in topics for word in topic}
    windows = sorted({WINDOWS[m] for m in measures})
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
        window_counts = counts[WINDOWS[measure]]
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


# --------------------------------------------------------------------------------------------
# Stability across seeds
# --------------------------------------------------------------------------------------------


def matched_jaccard(topics_a: Sequence[Iterable[str]], topics_b: Sequence[Iterable[str]]) -> float:
    """Mean top-word Jaccard similarity of two models' topics after optimal one-to-one matching.

    Topics are paired by the Hungarian method (``scipy.optimize.linear_sum_assignment``) to
    maximise the total Jaccard similarity; Greene, O'Callaghan & Cunningham (2014).

    >>> matched_jaccard([["a", "b"], ["c", "d"]], [["c", "d"], ["a", "e"]])
    0.6666666666666666
    """
    sets_a = [set(t) for t in topics_a]
    sets_b = [set(t) for t in topics_b]
    similarity = np.array([[len(a & b) / len(a | b) for b in sets_b] for a in sets_a])
    rows, cols = linear_sum_assignment(similarity, maximize=True)
    return float(similarity[rows, cols].sum() / max(len(sets_a), len(sets_b)))


def stability(tops: Mapping[tuple[int, int], Sequence[Sequence[str]]]) -> dict[tuple[int, int], float]:
    """Stability of every (k, seed) fit: mean matched Jaccard with the other seeds' fits at the same K.

    Averaging these per-seed values over the seeds of a K gives the mean over all seed pairs.
    A K fitted with one seed only gets ``nan``.
    """
    result = {}
    for (k, seed), topics in tops.items():
        others = [other for (k2, s2), other in sorted(tops.items()) if k2 == k and s2 != seed]
        result[(k, seed)] = float(np.mean([matched_jaccard(topics, o) for o in others])) if others else float("nan")
    return result


# --------------------------------------------------------------------------------------------
# A whole sweep: shared counts, per-fit score cache, metrics table
# --------------------------------------------------------------------------------------------


def score_sweep(corpus: BuiltCorpus, run_dir: Path, fits: Mapping[tuple[int, int], dict],
                keys: Mapping[tuple[int, int], str], config: EvaluateConfig,
                models: Mapping[tuple[int, int], Any] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every fit of a sweep; return the metrics table and the per-topic scores table.

    Scores are cached in each fit folder (``scores.json``, keyed by the fit's cache key and the
    scoring settings). Co-occurrences are counted once, for the union of the top words of the
    fits that still need scoring, and only when at least one does.

    Parameters
    ----------
    fits : ``fit.json`` content of every (k, seed).
    keys : cache key of every (k, seed).
    models : fitted models already in memory (others are loaded from their folders).
    """
    models = models or {}
    words = [corpus.dictionary[i] for i in range(len(corpus.dictionary))]
    n_top = max(max(config.topn), config.stability_topn)
    scores: dict[tuple[int, int], dict] = {}
    pending: dict[tuple[int, int], tuple[str, np.ndarray]] = {}
    for task, key in sorted(keys.items()):
        score_key = sha256_json({"fit": key, "evaluate": config.coherence_settings()})
        path = fit_dir(run_dir, *task) / SCORES_FILE
        cached = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        if cached.get("key") == score_key:
            scores[task] = cached
        else:
            model = models[task] if task in models else load_fit_model(run_dir, *task)
            pending[task] = (score_key, model_topic_word(model))
    if pending:
        tops = [top_words(tw, words, max(config.topn)) for _, tw in pending.values()]
        counts = gather_counts(corpus.tokens(), tops, config.measures)
        for task, (score_key, tw) in pending.items():
            metrics, per_topic = score_model(tw, words, counts, config)
            scores[task] = {"key": score_key, "metrics": metrics,
                            "per_topic": {c: [float(v) for v in per_topic[c]] for c in per_topic.columns if c != "topic"},
                            "top_words": top_words(tw, words, n_top)}
            write_json(fit_dir(run_dir, *task) / SCORES_FILE, scores[task])
    stable = stability({task: [t[: config.stability_topn] for t in info["top_words"]] for task, info in scores.items()})
    return _metrics_table(scores, fits, stable, config), _topic_table(scores)


def _metrics_table(scores, fits, stable, config: EvaluateConfig) -> pd.DataFrame:
    rows = []
    for (k, seed), info in sorted(scores.items()):
        m = info["metrics"]
        fit = fits[(k, seed)]
        row = {"k": k, "seed": seed}
        row.update({measure: m.get(measure, np.nan) for measure in METRIC_MEASURES})
        row.update({"diversity": m["diversity"], "exclusivity": m["exclusivity"],
                    "perplexity": _nan(fit.get("perplexity")), "stability": stable[(k, seed)],
                    "heldout_log_perplexity": _nan(fit.get("heldout_log_perplexity"))})
        row.update({f"{measure}_top{n}": m[f"{measure}_top{n}"] for measure in config.measures for n in config.topn})
        rows.append(row)
    return pd.DataFrame(rows)


def _topic_table(scores) -> pd.DataFrame:
    frames = []
    for (k, seed), info in sorted(scores.items()):
        per_topic = info["per_topic"]
        order = [c for c in METRIC_MEASURES if c in per_topic] + [c for c in per_topic if c not in METRIC_MEASURES]
        frame = pd.DataFrame({c: per_topic[c] for c in order})
        frame.insert(0, "topic", np.arange(k))
        frame.insert(0, "seed", seed)
        frame.insert(0, "k", k)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _nan(value) -> float:
    return float("nan") if value is None else float(value)


__all__ = ["EvaluateConfig", "exclusivity", "gather_counts", "heldout_split", "matched_jaccard",
           "score_model", "score_sweep", "stability", "top_words", "topic_diversity"]
