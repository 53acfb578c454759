"""Which passages typify a topic? stm's ``findThoughts`` over the modelling units."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import TopicsError
from .theta import run_unit_theta

__all__ = ["find_thoughts", "find_thoughts_run", "unit_texts"]


def find_thoughts(theta: np.ndarray, units: pd.DataFrame, speeches: pd.DataFrame, topics=None, n: int = 3,
                  texts=None, max_per_speech: int = 1, excerpt_chars: int = 160) -> pd.DataFrame:
    """The passages (modelling units) with the highest proportion of each topic, as ``stm::findThoughts``.

    Parameters
    ----------
    theta : (n_units, K) unit proportions in ``units`` order.
    units : ``unit_id, doc_id, chunk, start_line, end_line`` per unit.
    speeches : for ``year`` and ``year_source`` (and ``source_file`` when present).
    topics : topics to report (default all).
    n : passages per topic.
    texts : optional sequence of passage texts aligned with ``units`` (see :func:`unit_texts`).
    max_per_speech : at most this many passages per speech and topic, so one long speech does
        not fill the list.
    excerpt_chars : length of the excerpt.
    """
    theta = np.asarray(theta, dtype=float)
    topics = range(theta.shape[1]) if topics is None else topics
    meta = speeches.set_index("doc_id")
    rows = []
    for topic in topics:
        taken: dict[str, int] = {}
        found = 0
        for i in np.argsort(-theta[:, topic], kind="stable"):
            if found >= n:
                break
            unit = units.iloc[i]
            if taken.get(unit["doc_id"], 0) >= max_per_speech:
                continue
            taken[unit["doc_id"]] = taken.get(unit["doc_id"], 0) + 1
            found += 1
            info = meta.loc[unit["doc_id"]] if unit["doc_id"] in meta.index else {}
            text = "" if texts is None else " ".join(str(texts[i]).split())
            rows.append({"topic": topic, "rank": found, "theta": theta[i, topic],
                         "unit_id": unit.get("unit_id"), "doc_id": unit["doc_id"], "chunk": unit.get("chunk"),
                         "source_file": info.get("source_file", pd.NA),
                         "start_line": unit.get("start_line"), "end_line": unit.get("end_line"),
                         "year": info.get("year", pd.NA), "year_source": info.get("year_source", "unknown"),
                         "excerpt": text[:excerpt_chars] + ("…" if len(text) > excerpt_chars else "")})
    return pd.DataFrame(rows)


def unit_texts(speeches: pd.DataFrame, units: pd.DataFrame, texts: dict, tokens=None) -> list[str]:
    """Text of each unit, cut from its speech's clean text by the unit's line span.

    When a speech's text does not have one line per source line (so the span cannot be mapped),
    the unit's tokens joined together stand in for the passage.
    """
    meta = speeches.set_index("doc_id")
    out = []
    for i, unit in enumerate(units.itertuples(index=False)):
        text = texts.get(unit.doc_id)
        lines = text.split("\n") if text is not None else []
        start, end = meta.at[unit.doc_id, "start_line"], meta.at[unit.doc_id, "end_line"]
        spans_known = not any(pd.isna(x) for x in (start, end, unit.start_line, unit.end_line))
        if spans_known and len(lines) == int(end) - int(start) + 1:
            out.append("\n".join(lines[int(unit.start_line) - int(start): int(unit.end_line) - int(start) + 1]))
        elif tokens is not None:
            out.append("".join(tokens[i]))
        else:
            out.append(text or "")
    return out


def find_thoughts_run(run, topics=None, n: int = 3, **kwargs) -> pd.DataFrame:
    """:func:`find_thoughts` for a run, with passage excerpts cut from the speeches' clean text."""
    corpus = run.corpus
    try:
        texts = unit_texts(corpus.speeches, corpus.units, corpus.texts(), corpus.tokens())
    except TopicsError:  # an in-memory corpus without texts: report line spans only
        texts = None
    return find_thoughts(run_unit_theta(run), corpus.units, corpus.speeches, topics=topics, n=n, texts=texts, **kwargs)
