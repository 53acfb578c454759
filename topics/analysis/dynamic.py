"""How do a topic's words change over time? A dynamic topic model over time slices, read as tables.

The question LDA cannot answer: LDA gives each topic one vocabulary for the whole corpus, so a
topic that speaks of 计划生育 and 独生子女 in the 1990s and of 人口发展 and 三孩 in the 2020s shows a
mixture of both. A dynamic topic model (:mod:`topics.models.dynamic`) lets each topic's words
drift from one time slice to the next. This module

* groups the dated documents into slices (:func:`time_slices`: years, fixed-width bins or named
  periods, ``[dynamic] slices``); undated documents have no slice and stay out;
* fits the model once, on the selected K, and caches it in the run folder (``dynamic/``, arrays
  and JSON) under a key of everything that determines it (:func:`dynamic_fit`);
* numbers its topics after the selected LDA model's (Hungarian matching of top words,
  :func:`topics.common.matching.match_topics`), so dynamic topic 3 is the drifting form of T3;
* reads off ``dynamic_topics.csv`` (topic, period, rank, word, weight; :func:`dynamic_topics_table`),
  how much each topic's vocabulary changed (:func:`vocabulary_change`) and the trajectories of
  chosen words (:func:`word_trajectories`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.fileio import sha256_json
from ..common.matching import match_topics
from ..config import DynamicConfig, EffectsConfig
from ..models.dynamic import DynamicFit, dynamic_engine_version, fit_dynamic, load_dynamic, save_dynamic

__all__ = ["DYNAMIC_COLUMNS", "NOT_DISTINCT", "WEAK_MATCH", "DynamicResult", "TimeSlices", "dynamic_fit", "dynamic_run",
           "dynamic_topics_table", "overlap_warning", "time_slices", "topic_overlap", "vocabulary_change", "word_trajectories"]

DYNAMIC_COLUMNS = ["topic", "period", "rank", "word", "weight"]
#: a dynamic topic whose top 30 words share less than this Jaccard with its LDA topic's (fewer than
#: 10 of 30 words) is not called that theme
WEAK_MATCH = 0.2
#: dynamic topics of one period sharing more than this mean Jaccard of their top 10 words are not distinct
#: (LDA topics of a good model share ~0.05; 0.3 is 5 of 10 words in common, pair after pair)
NOT_DISTINCT = 0.3
FOLDER = "dynamic"


@dataclass(frozen=True)
class TimeSlices:
    """Which slice each unit belongs to.

    Attributes
    ----------
    labels : slice names in time order (``"1954"``, ``"1954–1963"`` or a period's name).
    spans : ``(first year, last year)`` of each slice.
    unit_slice : the slice of each unit (``units`` order), -1 for a unit left out.
    notes : what was left out: ``undated_units``, ``outside_units`` (dated, in no period),
        ``empty`` (slices without documents, dropped).
    """

    labels: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    unit_slice: np.ndarray
    notes: dict

    def table(self) -> pd.DataFrame:
        """One row per slice: ``period, first, last, n_units``."""
        counts = np.bincount(self.unit_slice[self.unit_slice >= 0], minlength=len(self.labels))
        return pd.DataFrame({"period": list(self.labels), "first": [a for a, _ in self.spans],
                             "last": [b for _, b in self.spans], "n_units": counts})


def time_slices(units: pd.DataFrame, speeches: pd.DataFrame, config: DynamicConfig,
                year_sources=EffectsConfig().year_sources) -> TimeSlices:
    """Assign every unit to a time slice by its speech's year (see ``[dynamic] slices``).

    A unit whose speech has no year from ``year_sources`` is left out (``-1``); so is a dated
    unit outside every named period. Slices without documents are dropped, and the notes say so.
    """
    meta = speeches.drop_duplicates("doc_id").set_index("doc_id")
    year = pd.to_numeric(units["doc_id"].map(meta["year"]), errors="coerce").to_numpy(float)
    source = units["doc_id"].map(meta["year_source"]).astype("string").fillna("unknown").to_numpy()
    dated = np.isfinite(year) & np.isin(source, list(year_sources))
    years = np.where(dated, year, -1).astype(int)
    if config.slices == "periods":
        candidates = [(name, span) for name, span in config.periods.items()]
    elif not dated.any():
        candidates = []
    elif config.slices == "width":
        first, last = int(years[dated].min()), int(years[dated].max())  # Python ints: spans go into JSON keys
        starts = range(first, last + 1, config.width)
        candidates = [(_span_label(a, min(a + config.width - 1, last)), (a, min(a + config.width - 1, last)))
                      for a in starts]
    else:  # one slice per year with documents
        candidates = [(str(y), (y, y)) for y in sorted(set(years[dated].tolist()))]
    slice_of = np.full(len(units), -1)
    for i, (_, (first, last)) in enumerate(candidates):
        slice_of[dated & (years >= first) & (years <= last)] = i
    present = sorted(set(slice_of[slice_of >= 0].tolist()))
    renumber = {old: new for new, old in enumerate(present)}
    unit_slice = np.array([renumber.get(s, -1) for s in slice_of], dtype=int)
    notes = {"undated_units": int((~dated).sum()), "outside_units": int((dated & (slice_of < 0)).sum()),
             "empty": [candidates[i][0] for i in range(len(candidates)) if i not in renumber]}
    return TimeSlices(labels=tuple(candidates[i][0] for i in present), spans=tuple(candidates[i][1] for i in present),
                      unit_slice=unit_slice, notes=notes)


def _span_label(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


@dataclass
class DynamicResult:
    """A dynamic model of a run: the fit (topics numbered after the selected model's), its slices,
    the match to the selected model, and whether it came from the cache."""

    fit: DynamicFit
    slices: TimeSlices
    vocabulary: list[str]
    match_similarity: np.ndarray
    cached: bool
    key: str

    def topics_table(self, top_n: int = 15) -> pd.DataFrame:
        return dynamic_topics_table(self.fit.topic_word, self.vocabulary, self.slices.labels, top_n)

    def labels(self, topic_labels: dict) -> dict:
        """``{t: "D5 ≈ T5 市场·管理 (match 0.36)"}``: dynamic topic t and the selected model's topic it
        was matched to, with the top-30 Jaccard of the match. Below :data:`WEAK_MATCH` the dynamic
        topic is not said to be that theme: ``"D5, weak match to T5 市场·管理 (0.12)"``."""
        return {t: (f"D{t} ≈ {topic_labels.get(t, f'T{t}')} (match {float(m):.2f})" if m >= WEAK_MATCH
                    else f"D{t}, weak match to {topic_labels.get(t, f'T{t}')} ({float(m):.2f})")
                for t, m in enumerate(self.match_similarity)}


def dynamic_fit(corpus, config: DynamicConfig, k: int, reference_topic_word: np.ndarray, folder: str | Path | None,
                year_sources=EffectsConfig().year_sources) -> DynamicResult:
    """Fit (or read from ``folder``) the dynamic model of ``config`` with ``k`` topics on ``corpus``.

    Parameters
    ----------
    corpus : the built corpus (its units, speeches and bag of words).
    config : ``[dynamic]``; must have ``slices`` set.
    k : number of topics (the selected model's K).
    reference_topic_word : the selected model's K × V φ; dynamic topics are numbered after it.
    folder : cache folder (the run's ``dynamic/``), or None not to cache.
    year_sources : the ``year_source`` values whose year is used.

    Raises
    ------
    ValueError : fewer than two slices with documents.
    """
    slices = time_slices(corpus.units, corpus.speeches, config, year_sources)
    if len(slices.labels) < 2:
        raise ValueError(f"{len(slices.labels)} time slice(s) with dated documents — a dynamic model needs two or more "
                         f"(slices = {config.slices!r}; {slices.notes['undated_units']} undated units)")
    vocabulary = [corpus.dictionary[i] for i in range(len(corpus.dictionary))]
    kept = np.flatnonzero(slices.unit_slice >= 0)
    key = sha256_json({"corpus": corpus.content_hash, "k": k, "engine": config.engine,
                       "version": dynamic_engine_version(config.engine), "iterations": config.engine_iterations,
                       "seed": config.seed, "slices": list(slices.labels), "spans": [list(s) for s in slices.spans],
                       "units": slices.unit_slice.tolist()})
    found = load_dynamic(Path(folder), key) if folder is not None else None
    if found is not None:
        fit, info = found
        return DynamicResult(fit, slices, vocabulary, np.asarray(info["match_similarity"]), True, key)
    bow = corpus.bow()
    fit = fit_dynamic([bow[i] for i in kept], vocabulary, slices.unit_slice[kept], k, config.seed,
                      engine=config.engine, iterations=config.engine_iterations)
    fit, similarity = _numbered_after(fit, reference_topic_word, vocabulary)
    if folder is not None:
        save_dynamic(fit, Path(folder), key, extra={"match_similarity": [round(float(x), 6) for x in similarity],
                                                    "periods": list(slices.labels)})
    return DynamicResult(fit, slices, vocabulary, similarity, False, key)


def _numbered_after(fit: DynamicFit, reference: np.ndarray, vocabulary: list[str], n: int = 30):
    """``fit`` with its topics reordered so that topic i best matches the reference's topic i."""
    words = np.asarray(vocabulary)
    mean = fit.topic_word.mean(axis=1)
    ours = [words[np.argsort(-row, kind="stable")[:n]] for row in mean]
    theirs = [words[np.argsort(-row, kind="stable")[:n]] for row in np.asarray(reference)]
    match, similarity = match_topics(theirs, ours)  # reference topic i ↔ dynamic topic match[i]
    order = np.array([m if m >= 0 else i for i, m in enumerate(match)])
    fit.topic_word, fit.doc_topic = fit.topic_word[order], fit.doc_topic[:, order]
    return fit, similarity


def dynamic_topics_table(topic_word: np.ndarray, vocabulary, periods, top_n: int = 15) -> pd.DataFrame:
    """Top ``top_n`` words of every topic in every slice: ``topic, period, rank, word, weight``.

    Ties in weight are broken by the word's position in the vocabulary, so the table is the same
    on every run.
    """
    words = np.asarray(vocabulary)
    rows = []
    for topic in range(topic_word.shape[0]):
        for t, period in enumerate(periods):
            weights = topic_word[topic, t]
            for rank, j in enumerate(np.argsort(-weights, kind="stable")[:top_n]):
                rows.append((topic, period, rank, words[j], float(weights[j])))
    return pd.DataFrame(rows, columns=DYNAMIC_COLUMNS)


def vocabulary_change(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """How much each topic's top ``n`` words changed from its first slice to its last.

    Returns ``topic, first, last, kept`` (how many of the first slice's top ``n`` are in the last's),
    ``jaccard`` (overlap of the two top-``n`` sets: 1 = the same words), ``turnover`` (mean share of
    top words replaced from one slice to the next), ``left`` (words of the first slice not in the
    last, by weight) and ``entered`` (the reverse).
    """
    rows = []
    for topic, part in table[table["rank"] < n].groupby("topic", sort=True):
        periods = list(dict.fromkeys(part["period"]))
        tops = [list(part[part["period"] == p].sort_values("rank")["word"]) for p in periods]
        first, last = tops[0], tops[-1]
        shared = len(set(first) & set(last))
        turnover = np.mean([1 - len(set(a) & set(b)) / n for a, b in zip(tops, tops[1:])]) if len(tops) > 1 else 0.0
        rows.append({"topic": int(topic), "first": periods[0], "last": periods[-1],
                     "kept": shared, "jaccard": shared / len(set(first) | set(last)), "turnover": turnover,
                     "left": "、".join(w for w in first if w not in last),
                     "entered": "、".join(w for w in last if w not in first)})
    return pd.DataFrame(rows, columns=["topic", "first", "last", "kept", "jaccard", "turnover", "left", "entered"])


def topic_overlap(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """How alike the dynamic topics of each period are: ``period, overlap``, the mean Jaccard of
    the top ``n`` words over all pairs of topics (0: no word shared; above :data:`NOT_DISTINCT`
    the topics are not distinct themes, and reading each as the drift of one LDA topic misleads)."""
    rows = []
    for period, part in table[table["rank"] < n].groupby("period", sort=False):
        tops = [set(words["word"]) for _, words in part.groupby("topic", sort=True)]
        pairs = [len(a & b) / len(a | b) for i, a in enumerate(tops) for b in tops[i + 1:]]
        rows.append({"period": period, "overlap": float(np.mean(pairs)) if pairs else 0.0})
    return pd.DataFrame(rows, columns=["period", "overlap"])


def overlap_warning(overlap: pd.DataFrame) -> str | None:
    """What the report and the figure say when :func:`topic_overlap` exceeds :data:`NOT_DISTINCT` in some period."""
    crowded = int((overlap["overlap"] > NOT_DISTINCT).sum())
    if not crowded:
        return None
    return (f"in {crowded} of {len(overlap)} periods the dynamic topics share more than {NOT_DISTINCT} of their top "
            "words: they are not distinct themes there, and their word changes describe the corpus's vocabulary over "
            "time rather than the drift of one theme")


def word_trajectories(topic_word: np.ndarray, vocabulary, periods, words=(), per_topic: int = 4,
                      topics=None) -> pd.DataFrame:
    """The probability of chosen words in their topic over the slices: ``topic, word, period, probability``.

    ``words`` given: each word is followed in the topic where it is most probable on average.
    Otherwise, for each topic, the ``per_topic`` words (among its top 15 in any slice) whose
    probability moves the most (largest max − min), so the figure shows what changed.
    """
    vocabulary = list(vocabulary)
    index = {w: i for i, w in enumerate(vocabulary)}
    pairs = []
    if words:
        for word in words:
            if word in index:
                j = index[word]
                pairs.append((int(np.argmax(topic_word[:, :, j].mean(axis=1))), j))
    else:
        for topic in (range(topic_word.shape[0]) if topics is None else topics):
            tops = np.unique(np.argsort(-topic_word[topic], axis=1, kind="stable")[:, :15])
            movement = topic_word[topic][:, tops].max(axis=0) - topic_word[topic][:, tops].min(axis=0)
            chosen = tops[np.argsort(-movement, kind="stable")[:per_topic]]
            pairs += [(topic, int(j)) for j in chosen]
    rows = [(topic, vocabulary[j], period, float(topic_word[topic, t, j]))
            for topic, j in pairs for t, period in enumerate(periods)]
    return pd.DataFrame(rows, columns=["topic", "word", "period", "probability"])


def dynamic_run(run) -> DynamicResult | None:
    """The dynamic model of a run (from its ``dynamic/`` cache, fitted there if absent), or None
    when the run's ``[dynamic]`` is off or the data cannot support it."""
    config = getattr(getattr(run, "config", None), "dynamic", None)
    if config is None or not config.enabled:
        return None
    folder = Path(run.path) / FOLDER if getattr(run, "path", None) is not None else None
    try:
        return dynamic_fit(run.corpus, config, run.selection["k"], run.topic_word, folder, run.config.effects.year_sources)
    except ValueError:
        return None
