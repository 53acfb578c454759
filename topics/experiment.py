"""Experiments: a TOML config → corpus build → (K, seed) sweep → scores → selection → run folder.

``run_experiment`` is what ``topics run CONFIG`` calls; ``load_run`` gives the analysis a
:class:`RunResult`; ``reproduce`` reruns a finished run from its manifest into a fresh folder and
compares every table byte for byte. The run-folder contract is in docs/ARCHITECTURE.md.

Held-out design: whole speeches (``evaluate.heldout_fraction`` of the units, drawn with
``evaluate.heldout_seed``) are left out of training and score the held-out perplexity; every
model is then used to infer θ for *all* units, so ``doc_topics.csv`` covers every speech.
Coherence is counted on all units.

Example config::

    name = "default"
    out = "runs/default"
    [corpus]
    unit = "paragraph"
    [model]
    k = [4, 6, 8, 10, 12, 15]
    seeds = [1, 2, 3]
    [select]
    rule = "max_npmi_stable"
    min_stability = 0.5
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .config import BuildConfig, check_range, from_mapping, read_toml
from .corpus import BuiltCorpus
from .errors import ReproductionError, TopicsError
from .evaluate import EvaluateConfig, heldout_split, score_sweep
from .model import ModelConfig
from .runfiles import (TABLES, RunResult, compare_tables, load_run, read_manifest, write_manifest,
                       write_tables)
from .select import SelectConfig, select_model
from .sweep import SweepData, fit_key, run_fits


@dataclass(frozen=True)
class RunConfig:
    """The ``[run]`` table: where fits run. Changing it never changes a number.

    Parameters
    ----------
    workers : local worker processes (0 = one per CPU core; 1 = fit in the main process).
    scheduler : address of a Dask scheduler (``tcp://host:8786``); empty = local processes.
    """

    workers: int = 0
    scheduler: str = ""

    def __post_init__(self) -> None:
        check_range("run.workers", self.workers, low=0)


@dataclass(frozen=True)
class ExperimentConfig:
    """A whole experiment: ``name``, ``out`` and the ``[corpus]``, ``[model]``, ``[evaluate]``,
    ``[select]`` and ``[run]`` tables (each a frozen dataclass; unknown keys are errors)."""

    name: str = "experiment"
    out: str = ""
    corpus: BuildConfig = field(default_factory=BuildConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    evaluate: EvaluateConfig = field(default_factory=EvaluateConfig)
    select: SelectConfig = field(default_factory=SelectConfig)
    run: RunConfig = field(default_factory=RunConfig)

    def __post_init__(self) -> None:
        if self.select.rule == "fixed" and self.select.k not in self.model.k:
            raise TopicsError(f"select.k = {self.select.k} is not in model.k = {list(self.model.k)} — add it to the grid")

    @property
    def run_dir(self) -> Path:
        return Path(self.out or f"runs/{self.name}")


def load_experiment_config(path: str | Path) -> ExperimentConfig:
    """Read and check an experiment TOML file; errors name the file and the key."""
    data = read_toml(path)
    try:
        return from_mapping(ExperimentConfig, data)
    except TopicsError as exc:
        raise type(exc)(f"{path}: {exc}") from None


def run_experiment(config_path: str | Path, out: str | Path | None = None, workers: int | None = None,
                   scheduler: str | None = None, progress: bool = True, report: bool = True) -> Path:
    """Build the corpus, run the sweep, write the run folder and return its path.

    Parameters
    ----------
    config_path : experiment TOML file.
    out : run folder (default: the config's ``out``, else ``runs/NAME``).
    workers, scheduler : override ``[run]`` (None keeps the config's value).
    progress : show progress bars.
    report : also write ``report.md`` with its figures and the LDAvis page (:mod:`topics.report`).
    """
    config = load_experiment_config(config_path)
    return run_config(config, out=out, workers=workers, scheduler=scheduler, progress=progress, report=report)


def run_config(config: ExperimentConfig, out: str | Path | None = None, workers: int | None = None,
               scheduler: str | None = None, progress: bool = True, corpus: BuiltCorpus | None = None,
               report: bool = False) -> Path:
    """:func:`run_experiment` for a config object; ``corpus`` skips the build (tests, notebooks).

    ``report`` is off by default here (tests and sweeps in notebooks need only the tables).
    """
    started = time.perf_counter()
    timings: dict[str, Any] = {}
    if corpus is None:
        from .build import build_corpus  # imported late: the builder pulls in jieba

        corpus = build_corpus(config.corpus, progress=progress)
    timings["build"] = round(time.perf_counter() - started, 3)
    run_dir = Path(out) if out is not None else config.run_dir
    run_dir = run_on_corpus(config, corpus, run_dir, workers=workers, scheduler=scheduler,
                            progress=progress, timings=timings, started=started)
    if report:
        from .report import write_run_report  # late: plotting pulls in matplotlib

        write_run_report(run_dir, corpus=corpus if corpus.path is None else None)
    return run_dir


def run_on_corpus(config: ExperimentConfig, corpus: BuiltCorpus, run_dir: str | Path, workers: int | None = None,
                  scheduler: str | None = None, progress: bool = True, timings: dict | None = None,
                  started: float | None = None) -> Path:
    """Sweep, score, select and write every table of ``run_dir`` for an already built corpus."""
    started = started if started is not None else time.perf_counter()
    timings = dict(timings or {})
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    if corpus.n_units == 0:
        raise TopicsError("the corpus has no modelling units — check the build report (all speeches empty or duplicates?)")
    workers = config.run.workers if workers is None else workers
    workers = workers or os.cpu_count() or 1
    scheduler = config.run.scheduler if scheduler is None else scheduler

    ev = config.evaluate
    heldout = heldout_split(corpus.units["doc_id"].astype(str).tolist(), ev.heldout_fraction, ev.heldout_seed)
    data = SweepData(dictionary=corpus.dictionary, bow=corpus.bow(), heldout=heldout)
    split = {"fraction": ev.heldout_fraction, "seed": ev.heldout_seed}
    keys = {(k, seed): fit_key(corpus.content_hash, config.model, split, k, seed)
            for k in config.model.k for seed in config.model.seeds}

    t0 = time.perf_counter()
    fresh: dict[tuple[int, int], Any] = {}
    fits = run_fits(data, config.model, keys, run_dir, workers=workers, scheduler=scheduler,
                    progress=progress, on_fit=lambda o: fresh.__setitem__((o.k, o.seed), o.model))
    timings["fits"] = round(time.perf_counter() - t0, 3)
    timings["fits_cached"] = len(keys) - len(fresh)

    t0 = time.perf_counter()
    metrics, topic_scores = score_sweep(corpus, run_dir, fits, keys, ev, models=fresh)
    selection = select_model(metrics, config.select)
    timings["scoring"] = round(time.perf_counter() - t0, 3)

    write_tables(run_dir, corpus, metrics, topic_scores, selection, ev)
    timings["total"] = round(time.perf_counter() - started, 3)
    timings["per_fit_seconds"] = {f"k{k}_seed{s}": info["seconds"] for (k, s), info in sorted(fits.items())}
    write_manifest(run_dir, config, corpus, fits, selection, heldout, timings,
                   workers=workers, scheduler=scheduler)
    return run_dir


@dataclass(frozen=True)
class ReproduceResult:
    """Outcome of :func:`reproduce`: ``identical`` tables, else a readable ``diff``.

    ``notes`` reports provenance changes that did not change any table (e.g. a new corpus
    content hash because a resource file the tokens do not depend on was edited).
    """

    identical: bool
    diff: str
    fresh_dir: Path
    notes: str = ""


def reproduce(run_dir: str | Path, out: str | Path | None = None, corpus: BuiltCorpus | None = None,
              progress: bool = False) -> ReproduceResult:
    """Rerun a finished run from its manifest into a fresh folder and compare every table.

    The corpus is rebuilt from the manifest's ``[corpus]`` settings (``corpus`` overrides it,
    for in-memory test corpora); no cached fit is reused. Tables compared: ``TABLES``.
    """
    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    config = from_mapping(ExperimentConfig, manifest["config"])
    if out is None:
        fresh = Path(tempfile.mkdtemp(prefix=f"{run_dir.name}-reproduce-", dir=run_dir.parent))
    else:
        fresh = Path(out)
        if fresh.exists() and any(fresh.iterdir()):
            raise ReproductionError(f"{fresh}: folder is not empty — give a new folder to reproduce into")
    if corpus is None and manifest["corpus"].get("path") is None:
        raise ReproductionError(f"{run_dir}: this run used an in-memory corpus — pass corpus= to reproduce it")
    run_config(replace(config, out=str(fresh)), out=fresh, progress=progress, corpus=corpus)
    diff = compare_tables(run_dir, fresh)
    fresh_hash = read_manifest(fresh)["corpus"]["content_hash"]
    notes = ""
    if fresh_hash != manifest["corpus"]["content_hash"]:
        notes = (f"corpus content hash differs: {manifest['corpus']['content_hash']} (run) vs {fresh_hash} "
                 f"(now) — inputs, settings, resources or package versions changed")
        if diff:
            diff = notes + "\n" + diff
    return ReproduceResult(identical=not diff, diff=diff, fresh_dir=fresh, notes=notes)


__all__ = ["TABLES", "ExperimentConfig", "ReproduceResult", "RunConfig", "RunResult",
           "load_experiment_config", "load_run", "reproduce", "run_config", "run_experiment",
           "run_on_corpus"]
