"""Run the (K, seed) fits of a sweep: cached, resumable, in parallel processes or on Dask.

Each fit is one call of :func:`fit_one`, a pure function of (training units, K, seed,
settings); where it runs (this process, a spawned worker process, a Dask worker) cannot change
its result (see :mod:`topics.model`). Only the main process writes to the run directory: every
finished fit is saved as ``RUN/models/k{K}_seed{S}/`` by writing a hidden temporary folder and
renaming it, so a killed sweep leaves only complete fits behind and the next run resumes from
them. A fit folder is reused when its ``fit.json`` carries the same cache key (a hash of the
corpus content hash, model and held-out settings, K, seed and package versions).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import LdaModel
from tqdm.auto import tqdm

from . import __version__
from .errors import TopicsError
from .fileio import sha256_json, write_json
from .model import (ModelConfig, fit_lda, heldout_log_perplexity, infer_gamma, load_model,
                    resolved_alpha, save_model)

FIT_FILE = "fit.json"
GAMMA_FILE = "gamma.npy"


@dataclass
class SweepData:
    """What every fit needs: the units' bag of words split into training and held-out parts."""

    dictionary: Dictionary
    bow: list                # every unit, in corpus order (θ is inferred for all of them)
    heldout: np.ndarray      # boolean mask over ``bow``: units held out of training

    def train_bow(self) -> list:
        return [doc for doc, out in zip(self.bow, self.heldout) if not out]

    def heldout_bow(self) -> list:
        return [doc for doc, out in zip(self.bow, self.heldout) if out]


@dataclass
class FitOutput:
    """Result of one fit, as returned by a worker and as loaded back from its folder."""

    k: int
    seed: int
    model: LdaModel
    gamma: np.ndarray             # units × K, all units in corpus order
    heldout_log_perplexity: float  # per-word bound on held-out units (nan without them)
    alpha: list[float]
    seconds: float


def versions() -> dict[str, str]:
    """Versions that can change a fit's numbers (part of every cache key and of the manifest)."""
    import gensim
    import scipy

    return {"topics": __version__, "gensim": gensim.__version__, "numpy": np.__version__,
            "scipy": scipy.__version__, "python": ".".join(map(str, sys.version_info[:3]))}


def fit_key(corpus_hash: str, model: ModelConfig, split: dict[str, Any], k: int, seed: int) -> str:
    """Cache key of one fit."""
    return sha256_json({"corpus": corpus_hash, "model": model.lda_settings(), "split": split,
                        "k": k, "seed": seed, "versions": versions()})


def fit_dir(run_dir: Path, k: int, seed: int) -> Path:
    return Path(run_dir) / "models" / f"k{k}_seed{seed}"


# --------------------------------------------------------------------------------------------
# The task (runs wherever the backend puts it)
# --------------------------------------------------------------------------------------------


def fit_one(data: SweepData, k: int, seed: int, config: ModelConfig) -> FitOutput:
    """Fit on the training units, score the held-out ones, infer γ for every unit."""
    started = time.perf_counter()
    model = fit_lda(data.train_bow(), data.dictionary, k, seed, config)
    bound = heldout_log_perplexity(model, data.heldout_bow(), seed)
    gamma = infer_gamma(model, data.bow, seed)
    return FitOutput(k=k, seed=seed, model=model, gamma=gamma, heldout_log_perplexity=bound,
                     alpha=resolved_alpha(model), seconds=time.perf_counter() - started)


_WORKER_DATA: SweepData | None = None


def _init_worker(data: SweepData) -> None:
    """Process-pool initializer: receive the sweep data once per worker, not once per task."""
    global _WORKER_DATA
    _WORKER_DATA = data


def _fit_in_worker(k: int, seed: int, config: ModelConfig) -> FitOutput:
    return fit_one(_WORKER_DATA, k, seed, config)


# --------------------------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------------------------


def read_fit(directory: Path, key: str | None = None) -> dict | None:
    """The ``fit.json`` of a fit folder, or None when absent or made with another cache key."""
    path = Path(directory) / FIT_FILE
    if not path.is_file():
        return None
    info = json.loads(path.read_text(encoding="utf-8"))
    return info if key is None or info.get("key") == key else None


def save_fit(run_dir: Path, output: FitOutput, key: str) -> None:
    """Write one fit folder atomically (temporary folder, then rename)."""
    final = fit_dir(run_dir, output.k, output.seed)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    try:
        save_model(output.model, tmp)
        np.save(tmp / GAMMA_FILE, output.gamma)
        bound = output.heldout_log_perplexity
        write_json(tmp / FIT_FILE, {
            "key": key, "k": output.k, "seed": output.seed,
            "heldout_log_perplexity": None if np.isnan(bound) else bound,
            "perplexity": None if np.isnan(bound) else float(np.exp(-bound)),
            "alpha": output.alpha, "seconds": round(output.seconds, 3),
        })
        if final.exists():  # a stale fit made with other settings
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_fit_model(run_dir: Path, k: int, seed: int) -> LdaModel:
    return load_model(fit_dir(run_dir, k, seed))


def load_fit_gamma(run_dir: Path, k: int, seed: int) -> np.ndarray:
    return np.load(fit_dir(run_dir, k, seed) / GAMMA_FILE)


# --------------------------------------------------------------------------------------------
# Running the sweep
# --------------------------------------------------------------------------------------------


def run_fits(data: SweepData, config: ModelConfig, keys: dict[tuple[int, int], str], run_dir: Path,
             workers: int = 1, scheduler: str = "", progress: bool = True,
             on_fit: Callable[[FitOutput], None] | None = None) -> dict[tuple[int, int], dict]:
    """Fit every (k, seed) of ``keys`` that is not cached yet; return every fit's ``fit.json``.

    Parameters
    ----------
    data : the units' bag of words and held-out mask.
    config : model settings.
    keys : cache key of each (k, seed) to fit.
    workers : local worker processes (1 = fit in this process).
    scheduler : Dask scheduler address; when given, fits run on that cluster instead.
    on_fit : called in this process with every new fit (the experiment keeps them in memory).
    """
    done = {task: info for task, key in keys.items()
            if (info := read_fit(fit_dir(run_dir, *task), key)) is not None}
    # large K first: the longest fits start early, so workers finish together
    todo = sorted((task for task in keys if task not in done), key=lambda t: (-t[0], t[1]))
    bar = tqdm(total=len(keys), initial=len(done), desc="fits", unit="fit", disable=not progress)

    def finish(output: FitOutput) -> None:
        task = (output.k, output.seed)
        save_fit(run_dir, output, keys[task])
        done[task] = read_fit(fit_dir(run_dir, *task))
        if on_fit is not None:
            on_fit(output)
        bar.set_postfix_str(f"K={output.k} seed={output.seed} {output.seconds:.1f}s")
        bar.update(1)

    try:
        if not todo:
            pass
        elif scheduler:
            _run_dask(data, config, todo, scheduler, finish)
        elif workers <= 1 or len(todo) == 1:
            for k, seed in todo:
                finish(fit_one(data, k, seed, config))
        else:
            _run_processes(data, config, todo, workers, finish)
    finally:
        bar.close()
    return done


def _run_processes(data: SweepData, config: ModelConfig, todo: Sequence[tuple[int, int]], workers: int,
                   finish: Callable[[FitOutput], None]) -> None:
    # spawn, not fork: a forked child inherits the parent's BLAS thread pools and locks
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=context,
                             initializer=_init_worker, initargs=(data,)) as pool:
        futures = [pool.submit(_fit_in_worker, k, seed, config) for k, seed in todo]
        try:
            for future in as_completed(futures):
                finish(future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _run_dask(data: SweepData, config: ModelConfig, todo: Sequence[tuple[int, int]], address: str,
              finish: Callable[[FitOutput], None]) -> None:
    try:
        from distributed import Client
        from distributed import as_completed as dask_as_completed
    except ImportError:  # pragma: no cover - distributed is a declared dependency
        raise TopicsError("run.scheduler is set but dask.distributed is not installed — pip install distributed") from None
    try:
        client = Client(address, timeout="20s")
    except OSError as exc:
        raise TopicsError(f"run.scheduler = {address!r}: cannot connect ({exc}) — start the Dask scheduler or leave scheduler empty") from None
    with client:
        shared = client.scatter(data, broadcast=True)
        futures = [client.submit(fit_one, shared, k, seed, config, pure=False, key=f"lda-k{k}-seed{seed}-{os.getpid()}-{time.time_ns()}")
                   for k, seed in todo]
        for future in dask_as_completed(futures):
            finish(future.result())


__all__ = ["FitOutput", "SweepData", "fit_dir", "fit_key", "fit_one", "load_fit_gamma",
           "load_fit_model", "read_fit", "run_fits", "save_fit", "versions"]
