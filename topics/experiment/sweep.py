"""Run the (K, seed) fits of a sweep and score them: cached, resumable, on the shared executor.

Each fit is one call of :func:`fit_one`, a pure function of (training units, K, seed, settings)
that asks the configured engine (:mod:`topics.models`) for a fit; where it runs (this process,
a local worker process, a Dask worker; :mod:`topics.executor`) cannot change its result. Only
the main process writes to the run folder (:mod:`topics.experiment.runfolder`): every finished
fit is saved by writing a hidden temporary folder and renaming it, so a killed sweep leaves only
complete fits behind and the next run resumes from them. A fit folder is reused when its
``fit.json`` carries the same cache key (a hash of the corpus content hash, engine and its
version, the settings that engine reads, seed words, held-out settings, K, seed and package
versions).

Scores (:mod:`topics.evaluate.scoring`) are cached beside each fit (``scores.json``), keyed by
the fit's key and the scoring settings.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
from tqdm import tqdm  # plain bars on stderr: tqdm.auto warns in notebooks without ipywidgets

from .. import __version__
from ..common.checksums import mismatches, write_sums
from ..common.fileio import sha256_json, write_json
from ..config import EvaluateConfig, ModelConfig
from ..evaluate.scoring import score_models, scoring_settings
from ..executor import run_tasks
from ..models import TopicModel, engine
from .runfolder import SCORES_FILE, fit_dir, load_fit_model, read_fit, save_fit

__all__ = ["FitOutput", "SweepData", "fit_key", "fit_one", "run_fits", "score_fits", "versions"]


@dataclass
class SweepData:
    """What every fit needs: the units' bag of words split into training and held-out parts."""

    vocabulary: list[str]    # word of each id
    bow: list                # every unit, in corpus order (θ is inferred for all of them)
    heldout: np.ndarray      # boolean mask over ``bow``: units held out of training

    def train_bow(self) -> list:
        return [doc for doc, out in zip(self.bow, self.heldout) if not out]

    def heldout_bow(self) -> list:
        return [doc for doc, out in zip(self.bow, self.heldout) if out]


@dataclass
class FitOutput:
    """Result of one fit, as returned by a task."""

    k: int
    seed: int
    model: TopicModel
    gamma: np.ndarray             # units × K posterior Dirichlet parameters, all units in corpus order
    heldout_log_perplexity: float  # per-word bound on held-out units (nan without them)
    alpha: list[float]
    seconds: float


def versions(engine_name: str = "gensim") -> dict[str, str]:
    """Versions that can change a fit's numbers (part of every cache key and of the manifest)."""
    import scipy

    return {"topics": __version__, "engine": engine(engine_name).engine_version(), "numpy": np.__version__,
            "scipy": scipy.__version__, "python": ".".join(map(str, sys.version_info[:3]))}


def fit_key(corpus_hash: str, model: ModelConfig, split: dict[str, Any], k: int, seed: int) -> str:
    """Cache key of one fit: the settings the engine reads (not the others), and the seed words when set."""
    parts = {"corpus": corpus_hash, "engine": model.engine, "model": model.fit_settings(),
             "split": split, "k": k, "seed": seed, "versions": versions(model.engine)}
    if model.seed_words:  # absent otherwise, so keys made before seed words existed stay valid
        parts["seed_words"] = model.seed_settings()
    return sha256_json(parts)


def fit_one(data: SweepData, k: int, seed: int, config: ModelConfig) -> FitOutput:
    """Fit on the training units, score the held-out ones, infer the posterior of every unit."""
    started = time.perf_counter()
    model = engine(config.engine).fit(data.train_bow(), data.vocabulary, k, seed, config)
    bound = model.heldout_log_perplexity(data.heldout_bow(), seed)
    gamma = model.unit_posterior(data.bow, seed)
    return FitOutput(k=k, seed=seed, model=model, gamma=gamma, heldout_log_perplexity=bound,
                     alpha=model.resolved_alpha(), seconds=time.perf_counter() - started)


def _fit_task(shared: tuple[SweepData, ModelConfig], task: tuple[int, int]) -> FitOutput:
    data, config = shared
    return fit_one(data, task[0], task[1], config)


def run_fits(data: SweepData, config: ModelConfig, keys: dict[tuple[int, int], str], run_dir: Path,
             workers: int = 1, scheduler: str = "", progress: bool = True,
             on_fit: Callable[[FitOutput], None] | None = None) -> dict[tuple[int, int], dict]:
    """Fit every (k, seed) of ``keys`` that is not cached yet; return every fit's ``fit.json``.

    Parameters
    ----------
    data : the units' bag of words and held-out mask.
    config : model settings.
    keys : cache key of each (k, seed) to fit.
    workers, scheduler : where the fits run (:func:`topics.executor.run_tasks`).
    on_fit : called in this process with every new fit (the experiment keeps them in memory).
    """
    done = {task: info for task, key in keys.items()
            if (info := read_fit(fit_dir(run_dir, *task), key)) is not None}
    # large K first: the longest fits start early, so workers finish together
    todo = sorted((task for task in keys if task not in done), key=lambda t: (-t[0], t[1]))
    bar = tqdm(total=len(keys), initial=len(done), desc="fits", unit="fit", disable=not progress)
    outputs = run_tasks(_fit_task, todo, shared=(data, config), workers=workers, scheduler=scheduler, ordered=False)
    try:
        for output in outputs:
            task = (output.k, output.seed)
            save_fit(run_dir, output, keys[task])
            done[task] = read_fit(fit_dir(run_dir, *task))
            if on_fit is not None:
                on_fit(output)
            bar.set_postfix_str(f"K={output.k} seed={output.seed} {output.seconds:.1f}s")
            bar.update(1)
    finally:
        outputs.close()
        bar.close()
    return done


def score_fits(texts, vocabulary: list[str], run_dir: Path, keys: Mapping[tuple[int, int], str],
               config: EvaluateConfig, engine_name: str,
               models: Mapping[tuple[int, int], TopicModel] | None = None) -> dict[tuple[int, int], dict]:
    """The scores of every fit: from its ``scores.json`` when current, else computed and cached.

    Co-occurrences are counted once, for the union of the top words of the fits that still need
    scoring, and only when at least one does. ``models``: fits already in memory (others are
    loaded from their folders).
    """
    models = models or {}
    settings = scoring_settings(config)
    scores: dict[tuple[int, int], dict] = {}
    pending: dict[tuple[int, int], np.ndarray] = {}
    score_keys = {}
    for task, key in sorted(keys.items()):
        score_keys[task] = sha256_json({"fit": key, "evaluate": settings})
        path = fit_dir(run_dir, *task) / SCORES_FILE
        try:
            cached = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except (OSError, ValueError):  # truncated or damaged: scored again
            cached = {}
        if cached.get("key") == score_keys[task] and not mismatches(fit_dir(run_dir, *task), [SCORES_FILE]):
            scores[task] = cached
        else:
            model = models[task] if task in models else load_fit_model(run_dir, *task, engine_name)
            pending[task] = model.topic_word()
    for task, computed in score_models(texts, vocabulary, pending, config).items():
        scores[task] = {"key": score_keys[task], **computed}
        write_json(fit_dir(run_dir, *task) / SCORES_FILE, scores[task])
        write_sums(fit_dir(run_dir, *task))  # the fit folder's sums now cover its scores too
    return scores
