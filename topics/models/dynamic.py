"""Dynamic topic models: K topics whose word distributions drift from one time slice to the next.

A dynamic topic model (Blei & Lafferty 2006, "Dynamic topic models", ICML) gives every topic one
word distribution per time slice, tied to its neighbours by a random walk, so a topic keeps its
identity while its vocabulary changes (计划生育 → 人口发展). Two engines fit it:

``tomotopy``
    tomotopy's ``DTModel`` (Bhadury et al. 2016, "Scaling up dynamic topic models", WWW): Gibbs
    sampling of the assignments with stochastic-gradient Langevin dynamics for the drifting
    parameters, in compiled code, on one thread and in a child process with tomotopy's SSE2 code
    path (:mod:`.tomotopy_dtm` says why), so that a seed gives the same topics bit for bit.
``gensim``
    gensim's ``LdaSeqModel``: Blei & Lafferty's variational Kalman filter, in Python.

Which is the default was measured (benchmarks/bench_dynamic.py, benchmarks/RESULTS.md: time and
coherence on the Government Work Reports). Both take the same bag of words and a time slice per
document, and give a :class:`DynamicFit`: plain arrays, saved as ``.npy`` and JSON (no pickle).
This engine wrapper is not part of the sweep's registry (:data:`topics.models.ENGINES`): the
dynamic model is fitted once, on the selected K (:mod:`topics.analysis.dynamic`).
"""

from __future__ import annotations

import importlib.metadata
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from ..common.fileio import staging_folder, write_json
from .base import Bow
from .tomotopy_dtm import DTM_ISA, DTM_PARAMS, fit_dtmodel

__all__ = ["DYNAMIC_ENGINES", "DynamicFit", "dynamic_engine_version", "fit_dynamic", "load_dynamic", "save_dynamic"]

DYNAMIC_ENGINES = ("tomotopy", "gensim")
_TOPIC_WORD = "dynamic_topic_word.npy"
_DOC_TOPIC = "dynamic_doc_topic.npy"
_INFO = "dynamic.json"


@dataclass
class DynamicFit:
    """A fitted dynamic topic model, as arrays.

    Attributes
    ----------
    topic_word : (K, T, V) word probabilities of each topic in each slice (rows sum to 1), over
        the vocabulary given to :func:`fit_dynamic`.
    doc_topic : (documents, K) topic proportions of the documents fitted, in the order given.
    engine, version : the engine and its library version.
    settings : what the fit read (iterations, seed, the engine's own parameters).
    seconds : time the fit took (not part of any compared table).
    """

    topic_word: np.ndarray
    doc_topic: np.ndarray
    engine: str
    version: str
    settings: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def k(self) -> int:
        return self.topic_word.shape[0]

    @property
    def n_slices(self) -> int:
        return self.topic_word.shape[1]


def dynamic_engine_version(engine: str) -> str:
    """The library version of ``engine`` (part of the fit's cache key)."""
    if engine == "tomotopy":  # the fit's child process loads DTM_ISA (tomotopy_dtm), whatever this one loaded
        return f"tomotopy {importlib.metadata.version('tomotopy')} ({DTM_ISA})"
    if engine == "gensim":
        import gensim

        return f"gensim {gensim.__version__}"
    raise ValueError(f"unknown dynamic engine {engine!r}; use one of {DYNAMIC_ENGINES}")


def fit_dynamic(bow: Bow, vocabulary: Sequence[str], slices: Sequence[int], k: int, seed: int,
                engine: str = "tomotopy", iterations: int = 1000) -> DynamicFit:
    """Fit ``k`` drifting topics on ``bow``; document ``d`` belongs to time slice ``slices[d]`` (0, 1, …).

    Parameters
    ----------
    bow : documents as (word id, count) pairs, word ids indexing ``vocabulary``.
    slices : the time slice of each document; every slice from 0 to max must hold a document.
    k, seed : number of topics and random seed.
    engine : ``"tomotopy"`` or ``"gensim"``.
    iterations : tomotopy: Gibbs sweeps; gensim: the maximum number of EM iterations.
    """
    slices = np.asarray(slices, dtype=int)
    if len(slices) != len(bow):
        raise ValueError(f"{len(bow)} documents but {len(slices)} slices")
    n_slices = int(slices.max()) + 1 if len(slices) else 0
    empty = sorted(set(range(n_slices)) - set(slices.tolist()))
    if n_slices < 2 or empty:
        raise ValueError(f"a dynamic model needs two or more time slices, each with documents (empty: {empty})")
    started = time.perf_counter()
    if engine == "tomotopy":
        topic_word, doc_topic, settings = _fit_tomotopy(bow, vocabulary, slices, n_slices, k, seed, iterations)
    elif engine == "gensim":
        topic_word, doc_topic, settings = _fit_gensim(bow, vocabulary, slices, n_slices, k, seed, iterations)
    else:
        raise ValueError(f"unknown dynamic engine {engine!r}; use one of {DYNAMIC_ENGINES}")
    return DynamicFit(topic_word=topic_word, doc_topic=doc_topic, engine=engine,
                      version=dynamic_engine_version(engine), settings=settings,
                      seconds=round(time.perf_counter() - started, 3))


def _fit_tomotopy(bow, vocabulary, slices, n_slices, k, seed, iterations):
    topic_word, doc_topic, isa = fit_dtmodel(bow, vocabulary, slices, n_slices, k, seed, iterations)
    settings = {"iterations": iterations, "seed": seed, "workers": 1, "isa": isa, **DTM_PARAMS}
    return topic_word, doc_topic, settings


def _fit_gensim(bow, vocabulary, slices, n_slices, k, seed, iterations):
    import logging

    from gensim.corpora import Dictionary
    from gensim.models import LdaSeqModel

    order = np.argsort(slices, kind="stable")  # LdaSeqModel reads documents slice by slice
    id2word = Dictionary()
    id2word.token2id = {word: i for i, word in enumerate(vocabulary)}
    id2word.id2token = dict(enumerate(vocabulary))
    quiet = logging.getLogger("gensim")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        model = LdaSeqModel(corpus=[list(bow[i]) for i in order], id2word=id2word,
                            time_slice=np.bincount(slices, minlength=n_slices).tolist(), num_topics=k,
                            random_state=seed, em_min_iter=min(6, iterations), em_max_iter=iterations,
                            chunksize=len(bow))
    finally:
        quiet.setLevel(level)
    topic_word = np.stack([np.exp(chain.e_log_prob).T for chain in model.topic_chains])  # (K, T, V)
    topic_word /= topic_word.sum(axis=2, keepdims=True)
    gammas = np.asarray(model.gammas, dtype=float)
    doc_topic = np.empty_like(gammas)
    doc_topic[order] = gammas / gammas.sum(axis=1, keepdims=True)
    settings = {"iterations": iterations, "seed": seed, "em_min_iter": min(6, iterations)}
    return topic_word, doc_topic, settings


def save_dynamic(fit: DynamicFit, folder: Path, key: str, extra: dict | None = None) -> None:
    """Write ``fit`` into ``folder`` (arrays and JSON, no pickle) under the cache ``key``."""
    info = {"key": key, "engine": fit.engine, "version": fit.version, "settings": fit.settings,
            "seconds": fit.seconds, **(extra or {})}
    with staging_folder(folder) as tmp:  # a reader sees the old fit or the new one, never half of one
        np.save(tmp / _TOPIC_WORD, fit.topic_word, allow_pickle=False)
        np.save(tmp / _DOC_TOPIC, fit.doc_topic, allow_pickle=False)
        write_json(tmp / _INFO, info)


def load_dynamic(folder: Path, key: str | None = None) -> tuple[DynamicFit, dict] | None:
    """The fit saved in ``folder`` and its JSON, or None when absent or saved under another ``key``."""
    folder = Path(folder)
    if not all((folder / name).is_file() for name in (_TOPIC_WORD, _DOC_TOPIC, _INFO)):
        return None
    info = json.loads((folder / _INFO).read_text(encoding="utf-8"))
    if key is not None and info.get("key") != key:
        return None
    fit = DynamicFit(topic_word=np.load(folder / _TOPIC_WORD, allow_pickle=False),
                     doc_topic=np.load(folder / _DOC_TOPIC, allow_pickle=False), engine=info["engine"],
                     version=info["version"], settings=info["settings"], seconds=info["seconds"])
    return fit, info
