"""Does each topic of the selected model come back with other seeds? Per-topic stability of a run."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common.matching import match_topics
from ..evaluate.scores import top_words
from .labels import topic_labels

__all__ = ["topic_stability"]


def topic_stability(run, topn: int | None = None) -> pd.DataFrame:
    """Does each topic of the selected model come back with the other seeds (same K)?

    Each other seed's topics are matched one-to-one to the selected model's by the Hungarian
    method on top-word Jaccard similarity, as the sweep's ``stability`` score does
    (:func:`topics.common.matching.match_topics`; Greene, O'Callaghan & Cunningham 2014), and
    every topic's own Jaccard is reported. A topic that scores low against every seed is one a
    different seed would not have found: read it with care.

    Parameters
    ----------
    run : a :class:`topics.experiment.RunResult`.
    topn : top words compared (default: the run's ``evaluate.stability_topn``).

    Returns
    -------
    DataFrame with ``topic, label, c_npmi, exclusivity``, one column ``seed S`` per other seed
    (``"0.54 (T2)"``: Jaccard and the matched topic there) and ``mean_jaccard``. With a single
    seed there are no seed columns and ``mean_jaccard`` is NaN.
    """
    topn = topn or run.config.evaluate.stability_topn
    k, seed = run.selection["k"], run.selection["seed"]
    words = [run.corpus.dictionary[i] for i in range(len(run.corpus.dictionary))]
    own = top_words(run.topic_word, words, topn)
    labels = topic_labels(run.topics)
    scores = run.topic_scores[(run.topic_scores["k"] == k) & (run.topic_scores["seed"] == seed)].set_index("topic")
    table = pd.DataFrame({"topic": range(k), "label": [labels.get(t, f"T{t}") for t in range(k)]})
    for column in ("c_npmi", "exclusivity"):
        if column in scores:
            table[column] = scores[column].reindex(range(k)).to_numpy()
    others = sorted(int(s) for s in run.metrics.loc[run.metrics["k"] == k, "seed"] if int(s) != seed)
    jaccards = []
    for other in others:
        match, similarity = match_topics(own, top_words(run.fit_topic_word(k, other), words, topn))
        jaccards.append(similarity)
        table[f"seed {other}"] = [f"{similarity[t]:.2f} (T{match[t]})" for t in range(k)]
    table["mean_jaccard"] = np.mean(jaccards, axis=0) if jaccards else np.nan
    return table
