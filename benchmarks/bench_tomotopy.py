"""Our LDA (gensim LdaModel, variational Bayes) against tomotopy's LDAModel (collapsed Gibbs).

Same tokens, same K, same seeds; both scored with the same c_npmi (gensim's definition, top
5/10/15/20 words, counts shared). Prints training time and mean c_npmi per K. Not a test.

Usage::

    python benchmarks/bench_tomotopy.py [--corpus DIR] [--k 4 8 12] [--seeds 1 2] [--iterations 1000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from topics.config import BuildConfig
from topics.corpus import load_corpus
from topics.config import ModelConfig
from topics.evaluate.coherence import coherence
from topics.evaluate.scores import top_words
from topics.evaluate.scoring import gather_counts
from topics.models import GensimLda

TOPN = (5, 10, 15, 20)


def fit_tomotopy(tokens, k: int, seed: int, iterations: int) -> np.ndarray:
    """tomotopy LDA with symmetric priors like ours (α = 1/K, η = 1/K); one thread for fairness."""
    import tomotopy as tp

    model = tp.LDAModel(k=k, alpha=1.0 / k, eta=1.0 / k, seed=seed)
    for doc in tokens:
        if doc:
            model.add_doc(doc)
    model.train(iterations, workers=1)
    return model


def tomotopy_top_words(model, n: int) -> list[list[str]]:
    return [[word for word, _ in model.get_topic_words(t, top_n=n)] for t in range(model.k)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=None, help="built corpus folder (default: build the embedded corpus into build/corpus)")
    parser.add_argument("--k", type=int, nargs="+", default=[4, 6, 8, 10])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--passes", type=int, default=30)
    parser.add_argument("--iterations", type=int, default=1000, help="tomotopy Gibbs sweeps")
    args = parser.parse_args(argv)
    if args.corpus:
        corpus = load_corpus(args.corpus)
    else:
        from topics.build import build_corpus

        corpus = build_corpus(BuildConfig(raw=("corpus/raw",), out="build/corpus"), progress=False)
    tokens, bow, dictionary = corpus.tokens(), corpus.bow(), corpus.dictionary
    words = [dictionary[i] for i in range(len(dictionary))]
    config = ModelConfig(engine="gensim", passes=args.passes)

    results = []
    for k in args.k:
        for seed in args.seeds:
            t0 = time.perf_counter()
            ours = top_words(GensimLda.fit(bow, words, k, seed, config).topic_word(), words, max(TOPN))
            t_ours = time.perf_counter() - t0
            t0 = time.perf_counter()
            theirs = tomotopy_top_words(fit_tomotopy(tokens, k, seed, args.iterations), max(TOPN))
            t_theirs = time.perf_counter() - t0
            results.append((k, seed, ours, t_ours, theirs, t_theirs))

    counts = gather_counts(tokens, [r[2] for r in results] + [r[4] for r in results], ["c_npmi"])[10]
    npmi = lambda tops: float(np.mean([coherence(counts, [t[:n] for t in tops], "c_npmi").mean() for n in TOPN]))  # noqa: E731
    print(f"corpus: {corpus.n_units} units, {len(words)} words; ours: LdaModel passes={args.passes}; "
          f"tomotopy {__import__('tomotopy').__version__}: {args.iterations} Gibbs iterations, 1 thread")
    print(f"{'K':>3} {'ours s':>8} {'tomotopy s':>11} {'ours c_npmi':>12} {'tomotopy c_npmi':>16}")
    for k in args.k:
        rows = [r for r in results if r[0] == k]
        print(f"{k:>3} {np.mean([r[3] for r in rows]):8.2f} {np.mean([r[5] for r in rows]):11.2f} "
              f"{np.mean([npmi(r[2]) for r in rows]):12.4f} {np.mean([npmi(r[4]) for r in rows]):16.4f}")
    total_ours, total_theirs = sum(r[3] for r in results), sum(r[5] for r in results)
    print(f"total training time: ours {total_ours:.1f} s, tomotopy {total_theirs:.1f} s "
          f"(ratio ours/tomotopy {total_ours / total_theirs:.2f})")


if __name__ == "__main__":
    main()
