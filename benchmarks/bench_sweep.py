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
    python benchmarks/bench_sweep.py --bench-every 10 --k 10 20 30 --seeds 1 2 --topn 10 --results
        # every 10th document of ../shared/bench-corpus (skips if absent), whole documents as units

On the whole 38 MB bench corpus the tutorial side alone would take hours (every CoherenceModel
walks ~3.5 M tokens again; c_v slides a 110-token window), hence ``--bench-every``.

Prints figures and ratios; it is not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from topics.evaluate.coherence import MEASURES
from topics.config import BuildConfig
from topics.corpus import load_corpus
from topics.evaluate.scores import top_words
from topics.experiment import ExperimentConfig, run_on_corpus
from topics.config import ModelConfig
from topics.models import GensimLda


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
            model = GensimLda.fit(bow, words, k, seed, model_config)
            tops = top_words(model.topic_word(), words, max(topn))
            row = {"k": k, "seed": seed}
            t0 = time.perf_counter()
            for measure in MEASURES:
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
    parser.add_argument("--topn", type=int, nargs="+", default=None, help="top-N words coherence is averaged over "
                        "(default: the experiment default, 5 10 15 20)")
    parser.add_argument("--bench-every", type=int, default=0,
                        help="build every N-th document of ../shared/bench-corpus (whole documents, no_below 5, no_above 0.5)")
    parser.add_argument("--results", action="store_true", help="write the figures into benchmarks/RESULTS.md")
    args = parser.parse_args(argv)

    if args.bench_every:
        corpus = bench_corpus_sample(args.bench_every)
        if corpus is None:
            print(f"skipped: {BENCH_CORPUS} is absent (the benchmark corpus lives in ../shared beside the checkout)")
            return
    elif args.corpus:
        corpus = load_corpus(args.corpus)
    else:
        from topics.build import build_corpus

        corpus = build_corpus(BuildConfig(raw=("corpus/raw",), out="build/corpus"), progress=False)
    # held-out split off: the tutorial loop trains on everything, so must we for equal models
    config = ExperimentConfig(name="bench", model=ModelConfig(engine="gensim", k=tuple(args.k), seeds=tuple(args.seeds), passes=args.passes))
    config = dataclasses.replace(config, evaluate=dataclasses.replace(
        config.evaluate, heldout_fraction=0.0, topn=tuple(args.topn) if args.topn else config.evaluate.topn))
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
    worst = max(float((merged[f"{m}_tutorial"] - merged[f"{m}_ours"]).abs().max()) for m in MEASURES)
    lines = [
        f"corpus: {corpus.n_units} units, {len(corpus.dictionary):,} words, {sum(corpus.units['n_tokens']):,} tokens; "
        f"{n_fits} fits (K = {args.k}, seeds = {args.seeds}, passes = {args.passes}); coherence c_npmi, c_v, u_mass, "
        f"c_uci averaged over top {list(config.evaluate.topn)}",
        "",
        "| | seconds |", "|---|---|",
        f"| tutorial loop (serial fits + {4 * len(config.evaluate.topn)} CoherenceModels per model) | {t_theirs:.2f} |",
        f"| topics sweep ({args.workers} workers, shared counts, all tables written) | {t_ours:.2f} |",
        "",
        f"- speed-up: {t_theirs / t_ours:.2f}×",
        f"- scoring alone: tutorial CoherenceModels {t_coherence:.2f} s, ours (fits cached, incl. tables) "
        f"{t_score:.2f} s → {t_coherence / t_score:.1f}×",
        f"- largest coherence difference (ours − CoherenceModel, 4 measures, {n_fits} models): {worst:.2e} "
        f"({'OK, ≤ 1e-6' if worst <= 1e-6 else 'MISMATCH'}; metrics.csv keeps 6 decimals)",
    ]
    text = "\n".join(lines)
    print(text)
    if args.results:
        from results_file import update_section

        title = "Sweep on the bench corpus" if args.bench_every else "Sweep on a built corpus"
        source = (f"every {args.bench_every}th document of fudan-cn-textclass-9" if args.bench_every
                  else str(args.corpus or "the embedded corpus"))
        command = " ".join(["benchmarks/bench_sweep.py", *(argv if argv is not None else sys.argv[1:])])
        update_section(title, f"Script: `{command}`, input: {source}.\n\n{text}")


BENCH_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "bench-corpus" / "fudan-cn-textclass-9"


def bench_corpus_sample(every: int):
    """Build every ``every``-th document of the bench corpus (whole documents as units), or None if absent."""
    if not BENCH_CORPUS.is_dir():
        return None
    from topics.build import build_corpus

    import shutil

    raw = Path("build") / f"bench-sweep-raw-every{every}"  # links to the documents, not copies
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    for path in sorted(BENCH_CORPUS.glob("*.txt"))[::every]:
        (raw / path.name).symlink_to(path)
    out = Path("build") / f"bench-sweep-every{every}"
    return build_corpus(BuildConfig(raw=(str(raw),), out=str(out), cache_dir="build/cache", split="none", unit="speech",
                                    no_below=5, no_above=0.5), progress=False)


if __name__ == "__main__":
    main()
