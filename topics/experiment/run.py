"""Experiments: a TOML config → corpus build → (K, seed) sweep → scores → selection → run folder.

``run_experiment`` is what ``topics run CONFIG`` calls; :func:`topics.experiment.runfolder.load_run`
gives the analysis a :class:`RunResult`. The build and the fits run on the same executor, driven
by ``[run] workers`` and ``scheduler`` (or ``--workers`` / ``--scheduler``). The run-folder
contract is in docs/ARCHITECTURE.md.

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

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..common.outputs import claim_output, write_marker
from ..config import ExperimentConfig
from ..corpus import BuiltCorpus
from ..errors import TopicsError
from ..evaluate.heldout import heldout_split
from ..evaluate.scoring import metrics_table, topic_table
from ..evaluate.select import select_model
from ..executor import plan, resolve_workers
from ..models.seed_words import seed_prior
from . import uptodate
from .derived import write_derived_tables
from .runfolder import load_run, write_manifest, write_tables
from .settings import load_experiment_config
from .sweep import SweepData, fit_key, run_fits, score_fits, versions

__all__ = ["run_config", "run_experiment", "run_on_corpus"]


def run_experiment(config_path: str | Path, out: str | Path | None = None, workers: int | None = None,
                   scheduler: str | None = None, progress: bool = True, report: bool = True) -> Path:
    """Build the corpus, run the sweep, write the run folder and return its path.

    Parameters
    ----------
    config_path : experiment TOML file.
    out : run folder (default: the config's ``out``, else ``runs/NAME``).
    workers, scheduler : override ``[run]`` (None keeps the config's value); they drive the
        build and the fits alike.
    progress : show progress bars.
    report : also write ``report.md`` with its figures and the LDAvis page (:mod:`topics.report`).
    """
    config = load_experiment_config(config_path)
    facts = uptodate.snapshot(config_path, config) if report else None
    run_dir = run_config(config, out=out, workers=workers, scheduler=scheduler, progress=progress, report=report)
    if facts is not None:  # the next `topics run` with nothing changed answers before the heavy imports
        uptodate.record(config, facts, run_dir)
    return run_dir


def run_config(config: ExperimentConfig, out: str | Path | None = None, workers: int | None = None,
               scheduler: str | None = None, progress: bool = True, corpus: BuiltCorpus | None = None,
               report: bool = False) -> Path:
    """:func:`run_experiment` for a config object; ``corpus`` skips the build (tests, notebooks).

    ``report`` is off by default here (tests and sweeps in notebooks need only the tables).
    """
    started = time.perf_counter()
    timings: dict[str, Any] = {}
    workers = config.run.workers if workers is None else workers
    scheduler = config.run.scheduler if scheduler is None else scheduler
    if corpus is None:
        from ..build import build_corpus  # imported late: the builder pulls in jieba

        corpus = build_corpus(config.corpus, progress=progress, workers=workers, scheduler=scheduler)
    timings["build"] = round(time.perf_counter() - started, 3)
    run_dir = Path(out) if out is not None else config.run_dir
    run_dir = run_on_corpus(config, corpus, run_dir, workers=workers, scheduler=scheduler,
                            progress=progress, timings=timings, started=started)
    if report:
        from ..report.run_report import write_run_report  # late: plotting pulls in matplotlib

        write_run_report(load_run(run_dir, corpus=corpus if corpus.path is None else None))
    return run_dir


def run_on_corpus(config: ExperimentConfig, corpus: BuiltCorpus, run_dir: str | Path, workers: int | None = None,
                  scheduler: str | None = None, progress: bool = True, timings: dict | None = None,
                  started: float | None = None) -> Path:
    """Sweep, score, select and write every table of ``run_dir`` for an already built corpus."""
    started = started if started is not None else time.perf_counter()
    timings = dict(timings or {})
    inputs = [*config.corpus.raw, *([corpus.path] if corpus.path is not None else [])]
    run_dir = claim_output(run_dir, "run", inputs, what="--out, or out in the experiment")
    run_dir.mkdir(parents=True, exist_ok=True)
    write_marker(run_dir, "run", __version__)
    requested = config.model.k
    config = _checked_against(config, corpus)
    workers = resolve_workers(config.run.workers if workers is None else workers)
    scheduler = config.run.scheduler if scheduler is None else scheduler

    ev = config.evaluate
    heldout = heldout_split(corpus.units["doc_id"].astype(str).tolist(), ev.heldout_fraction, ev.heldout_seed)
    vocabulary = [corpus.dictionary[i] for i in range(len(corpus.dictionary))]
    data = SweepData(vocabulary=vocabulary, bow=corpus.bow(), heldout=heldout)
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
    scores = score_fits(corpus.tokens(), vocabulary, run_dir, keys, ev, config.model.engine, models=fresh)
    metrics, topic_scores = metrics_table(scores, fits, ev), topic_table(scores)
    selection = select_model(metrics, config.select)
    timings["scoring"] = round(time.perf_counter() - t0, 3)

    write_tables(run_dir, corpus, metrics, topic_scores, selection, config)
    timings.update(write_derived_tables(run_dir, corpus, selection, config))  # effects, dynamic topics
    timings["total"] = round(time.perf_counter() - started, 3)
    timings["per_fit_seconds"] = {f"k{k}_seed{s}": info["seconds"] for (k, s), info in sorted(fits.items())}
    where = plan(len(keys) - timings["fits_cached"], workers, scheduler)
    execution = {"workers": workers, "scheduler": scheduler or None, "fits_ran_on": where.describe(),
                 "k_skipped_too_few_units": [k for k in requested if k not in config.model.k]}
    write_manifest(run_dir, config, corpus, fits, selection, heldout, timings, versions(config.model.engine), execution)
    return run_dir


def _checked_against(config: ExperimentConfig, corpus: BuiltCorpus) -> ExperimentConfig:
    """Stop before fitting what the corpus cannot support; leave out the K it is too small for.

    A K larger than the number of modelling units is skipped with a message (and recorded in the
    manifest's config); a corpus without units or without vocabulary is an error naming the
    setting to change.
    """
    where = f"{corpus.path}" if corpus.path is not None else "the corpus"
    if corpus.n_units == 0:
        raise TopicsError(f"{where}: no modelling units — every speech is empty or a duplicate; "
                          "see the build report (report.md), or set corpus.exclude_duplicates = false")
    if len(corpus.dictionary) == 0:
        c = config.corpus
        raise TopicsError(f"{where}: the vocabulary filters left no word (no_below = {c.no_below}, no_above = {c.no_above}, "
                          f"keep_n = {c.keep_n or 'all'}, over {corpus.n_units} units) — lower corpus.no_below or raise "
                          "corpus.no_above")
    if config.model.seed_words:  # not fatal: the seeds that are in the vocabulary still steer their topics
        unknown = seed_prior(config.model.seed_words, [corpus.dictionary[i] for i in range(len(corpus.dictionary))],
                             config.model.seed_weight).unknown
        for name, missing in unknown.items():
            print(f"warning: seed words of topic {name!r} not in the vocabulary (left out): {', '.join(missing)}",
                  file=sys.stderr)
    usable = tuple(k for k in config.model.k if k <= corpus.n_units)
    skipped = [k for k in config.model.k if k not in usable]
    if not usable:
        raise TopicsError(f"{where}: {corpus.n_units} modelling unit(s) cannot support any K in model.k = "
                          f"{list(config.model.k)} — use fewer topics, more documents, or corpus.unit = \"paragraph\"")
    if skipped:
        print(f"warning: K = {', '.join(map(str, skipped))} skipped: more topics than the corpus' "
              f"{corpus.n_units} modelling units", file=sys.stderr)
        if config.select.rule == "fixed" and config.select.k in skipped:
            raise TopicsError(f"select.k = {config.select.k} is larger than the corpus' {corpus.n_units} modelling units "
                              "— choose a smaller K")
        config = replace(config, model=replace(config.model, k=usable))
    return config
