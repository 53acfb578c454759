"""Sweep benchmark: the gensim-tutorial loop against ``topics`` on the same fits.

The tutorial way (gensim's "Topic coherence" and LDA tutorials): fit each (K, seed) model, then
build one ``CoherenceModel`` per measure per model, each walking the whole corpus again, all
serially. Ours: the same fits in parallel processes, co-occurrences counted once for the union
of every model's top words and every model scored against them.

Both sides fit the same models (same settings and seeds), so the ratio measures the sweep
machinery, and the script checks that both give the same coherence (to 1e-6).

Usage::

    python benchmarks/bench_sweep.py                       # embedded corpus at build/corpus
    python benchmarks/bench_sweep.py --corpus DIR --k 4 8 12 --seeds 1 2 --workers 2

Prints figures and ratios; it is not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from topics.coherence import WINDOWS
from topics.config import BuildConfig
from topics.corpus import load_corpus
from topics.evaluate import top_words
from topics.experiment import ExperimentConfig, run_on_corpus
from topics.model import ModelConfig, fit_lda, topic_word


def tutorial_sweep(corpus, model_config: ModelConfig, topn: tuple[int, ...]) -> tuple[pd.DataFrame, float, float]:
    """Fit every model on all units, then one CoherenceModel per measure, topn and model.

    Returns the coherence table, the total time and the time spent in CoherenceModel.
    """
    from gensim.models import CoherenceModel

    started = time.perf_counter()
    coherence_seconds = 0.0
    texts, dictionary, bow = corpus.tokens(), corpus.dictionary, corpus.bow()
    words = [dictionary[i] for i in range(len(dictionary))]
    rows = []
    for k in model_config.k:
        for seed in model_config.seeds:
            model = fit_lda(bow, dictionary, k, seed, model_config)
            tops = top_words(topic_word(model), words, max(topn))
            row = {"k": k, "seed": seed}
            t0 = time.perf_counter()
            for measure in WINDOWS:
                values = [CoherenceModel(topics=tops, texts=texts, dictionary=dictionary, coherence=measure,
                                         topn=n, processes=1).get_coherence() for n in topn]
                row[measure] = float(np.mean(values))
            coherence_seconds += time.perf_counter() - t0
            rows.append(row)
    return pd.DataFrame(rows), time.perf_counter() - started, coherence_seconds


def our_sweep(corpus, config: ExperimentConfig, workers: int) -> tuple[pd.DataFrame, float]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = run_on_corpus(config, corpus, Path(tmp) / "run", workers=workers, progress=False)
        metrics = pd.read_csv(run_dir / "metrics.csv")
    return metrics, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=None, help="built corpus folder (default: build the embedded corpus into build/corpus)")
    parser.add_argument("--k", type=int, nargs="+", default=[3, 4, 5, 6, 8, 10])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--passes", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    if args.corpus:
        corpus = load_corpus(args.corpus)
    else:
        from topics.build import build_corpus

        corpus = build_corpus(BuildConfig(out="build/corpus"), progress=False)
    # held-out split off: the tutorial loop trains on everything, so must we for equal models
    config = ExperimentConfig(name="bench", model=ModelConfig(k=tuple(args.k), seeds=tuple(args.seeds), passes=args.passes))
    config = dataclasses.replace(config, evaluate=dataclasses.replace(config.evaluate, heldout_fraction=0.0))
    n_fits = len(args.k) * len(args.seeds)
    print(f"corpus: {corpus.n_units} units, {len(corpus.dictionary)} words; "
          f"{n_fits} fits (K = {args.k}, seeds = {args.seeds}, passes = {args.passes})")

    theirs, t_theirs, t_coherence = tutorial_sweep(corpus, config.model, config.evaluate.topn)
    ours, t_ours = our_sweep(corpus, config, args.workers)
    # separately: our scoring alone (fits cached; scores.json removed so they are recomputed)
    with tempfile.TemporaryDirectory() as tmp:
        run_on_corpus(config, corpus, Path(tmp) / "run", workers=args.workers, progress=False)
        for scores in Path(tmp).glob("run/models/*/scores.json"):
            scores.unlink()
        t0 = time.perf_counter()
        run_on_corpus(config, corpus, Path(tmp) / "run", workers=args.workers, progress=False)
        t_score = time.perf_counter() - t0

    merged = theirs.merge(ours, on=["k", "seed"], suffixes=("_tutorial", "_ours"))
    worst = max(float((merged[f"{m}_tutorial"] - merged[f"{m}_ours"]).abs().max()) for m in WINDOWS)
    print(f"tutorial loop (serial fits + {4 * len(config.evaluate.topn)} CoherenceModels per model): {t_theirs:8.2f} s")
    print(f"topics sweep ({args.workers} workers, shared counts, all tables written):        {t_ours:8.2f} s")
    print(f"speed-up: {t_theirs / t_ours:.2f}x")
    print(f"scoring alone: tutorial CoherenceModels {t_coherence:.2f} s, ours (fits cached, incl. tables) "
          f"{t_score:.2f} s → {t_coherence / t_score:.1f}x")
    print(f"largest coherence difference (ours − CoherenceModel, 4 measures, {n_fits} models): {worst:.2e}"
          f" {'OK (≤ 1e-6)' if worst <= 1e-6 else 'MISMATCH'}")


if __name__ == "__main__":
    main()
