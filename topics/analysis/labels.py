"""What is each topic about? Top words by probability, relevance and FREX (stm's ``labelTopics``), and short labels.

A topic named by the researcher (``[model.seed_words]``; ``topics.csv`` then has a ``name``
column) keeps its name in its label, ahead of its words: ``T0 enforcement: 社会抚养费·违法生育``.
Every table and figure takes its labels from here.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["label_topics", "label_topics_run", "topic_labels", "topic_names"]


def label_topics(topics_table: pd.DataFrame, n: int = 7) -> pd.DataFrame:
    """Top words of each topic by probability, relevance (and FREX when given), as ``stm::labelTopics``.

    Words are re-ranked among those listed in ``topics_table`` (the model stage lists each
    topic's top words by probability, see :func:`topics.evaluate.word_scores.label_table`). ``relevance`` is λ·log φ + (1−λ)·log(φ / p(w)) (Sievert & Shirley 2014, "LDAvis", ACL
    workshop), computed by the model stage; ranking by it favours words specific to the topic.
    """
    names = topic_names(topics_table)
    rows = []
    for topic, words in topics_table.groupby("topic", sort=True):
        prob = words.sort_values(["weight", "word"], ascending=[False, True])["word"].head(n)
        relevant = words.sort_values(["relevance", "word"], ascending=[False, True])["word"].head(n)
        row = {"topic": int(topic), **({"name": names.get(int(topic), "")} if names else {}),
               "label": _label(int(topic), relevant.tolist(), names.get(int(topic))),
               "prob": "、".join(prob), "relevance": "、".join(relevant)}
        if "frex" in words:
            row["frex"] = "、".join(words.sort_values(["frex", "word"], ascending=[False, True])["word"].head(n))
        rows.append(row)
    return pd.DataFrame(rows)


def topic_labels(topics_table: pd.DataFrame, n_words: int = 3) -> dict[int, str]:
    """Short labels for figures: ``{3: "T3 计划生育·流动人口·社会抚养费"}`` (top words by relevance),
    ``{0: "T0 enforcement: 社会抚养费·…"}`` for a named topic."""
    table = label_topics(topics_table, n=n_words)
    return {row.topic: row.label for row in table.itertuples()}


def topic_names(topics_table: pd.DataFrame) -> dict[int, str]:
    """Names of the named (seeded) topics: ``{0: "enforcement"}``; empty when no topic has one."""
    if "name" not in topics_table:
        return {}
    named = topics_table.dropna(subset=["name"])
    named = named[named["name"].astype(str).str.strip() != ""]
    return {int(topic): str(name) for topic, name in named.groupby("topic", sort=True)["name"].first().items()}


def _label(topic: int, words: list[str], name: str | None = None) -> str:
    return f"T{topic} " + (f"{name}: " if name else "") + "·".join(words)


def label_topics_run(run, n: int = 7) -> pd.DataFrame:
    """:func:`label_topics` for a run."""
    return label_topics(run.topics, n=n)
