"""Engines benchmark: gensim's variational LDA against tomotopy's Gibbs sampler, both through the toolkit's sweep.

On the bench-corpus sample of RESULTS.md (every N-th document of fudan-cn-textclass-9, whole
documents as units, built as ``bench_sweep.py --bench-every N`` builds it), both engines run the
same K × seed grid through :func:`topics.experiment.run_on_corpus` (so the same scoring, the same
stability, the same θ tables), and tomotopy also runs standalone on the same tokens (its own
``LDAModel`` fed each document's in-vocabulary tokens in text order, α = η = 1/K, one thread, the
same sweeps; its own document–topic estimates) as the reference the issue sets. "The same tokens"
matters: ``tokens.txt`` keeps every token of a unit, also the words the vocabulary filter removed
(``no_below``, ``no_above``), which the engines never see; fed those, tomotopy's topics score far
lower (RESULTS.md). Per engine and K: seconds per fit, c_npmi, stability and the normalised
mutual information (NMI, arithmetic mean of the entropies, as scikit-learn's default) between each
document's most probable topic and its category. The 9 category labels come from the file names
(``C11-Space0002.txt`` → ``C11-Space``); they are read here only, never by the toolkit.

``--gibbs-sweeps`` measures instead what the Gibbs settings' defaults rest on: the same chain
observed every 250 sweeps (a chain of N sweeps is the first N sweeps of a longer one with the same
seed), with α fixed (1/K) and learned (``alpha = "auto"``) for two burn-in / interval pairs.

Usage::

    python benchmarks/bench_engines.py --bench-every 5 --k 10 20 30 --seeds 1 2 3 --results
    python benchmarks/bench_engines.py --bench-every 5 --gibbs-sweeps --k 20 --seeds 1 2 --results

Prints tables; with ``--results`` writes them into benchmarks/RESULTS.md. It is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from topics.config import EvaluateConfig, ExperimentConfig, ModelConfig
from topics.evaluate.scoring import score_models
from topics.evaluate.stability import stability
from topics.executor import run_tasks
from topics.experiment import run_on_corpus
from topics.models.tomotopy_lda import Sampler

CATEGORY = re.compile(r"^(C\d+-[A-Za-z]+?)\d+\.txt$")


def nmi(labels, clusters) -> float:
    """Normalised mutual information, ``I(L; C) / mean(H(L), H(C))`` (natural log)."""
    _, a = np.unique(np.asarray(labels), return_inverse=True)
    _, b = np.unique(np.asarray(clusters), return_inverse=True)
    joint = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(joint, (a, b), 1.0)
    joint /= joint.sum()
    pa, pb = joint.sum(axis=1), joint.sum(axis=0)
    nz = joint > 0
    mutual = float((joint[nz] * np.log(joint[nz] / np.outer(pa, pb)[nz])).sum())
    entropy = lambda p: float(-(p[p > 0] * np.log(p[p > 0])).sum())  # noqa: E731
    mean_entropy = (entropy(pa) + entropy(pb)) / 2
    return 1.0 if mean_entropy == 0 else mutual / mean_entropy


def unit_categories(corpus) -> list[str]:
    """The category of each modelling unit, from its document's file name (benchmark only)."""
    source = dict(zip(corpus.speeches["doc_id"].astype(str), corpus.speeches["source_file"].astype(str)))
    names = [Path(source[doc_id]).name for doc_id in corpus.units["doc_id"].astype(str)]
    return [CATEGORY.match(name).group(1) for name in names]


# -- the engines through the sweep ----------------------------------------------------------------
def sweep_engine(corpus, engine: str, ks, seeds, iterations: int | None, passes: int, workers: int, labels):
    """One engine through run_on_corpus; per (k, seed): seconds, c_npmi, stability, NMI."""
    model = ModelConfig(engine=engine, k=tuple(ks), seeds=tuple(seeds), passes=passes, iterations=iterations)
    config = ExperimentConfig(name=f"bench-{engine}", model=model, evaluate=EvaluateConfig(heldout_fraction=0.0))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = run_on_corpus(config, corpus, Path(tmp) / "run", workers=workers, progress=False)
        wall = time.perf_counter() - started
        metrics = pd.read_csv(run_dir / "metrics.csv")
        rows = []
        for item in metrics.itertuples():
            folder = run_dir / "models" / f"k{item.k}_seed{item.seed}"
            fit = json.loads((folder / "fit.json").read_text(encoding="utf-8"))
            gamma = np.load(folder / "gamma.npy", allow_pickle=False)
            rows.append({"engine": engine, "k": item.k, "seed": item.seed, "seconds": fit["seconds"],
                         "c_npmi": item.c_npmi, "stability": item.stability, "nmi": nmi(labels, gamma.argmax(axis=1))})
    return pd.DataFrame(rows), wall


def _standalone_fit(shared, task):
    tokens, vocabulary, iterations = shared
    k, seed = task
    import tomotopy as tp

    started = time.perf_counter()
    model = tp.LDAModel(k=k, alpha=1.0 / k, eta=1.0 / k, seed=seed, min_cf=0, rm_top=0)
    kept = [i for i, doc in enumerate(tokens) if doc]
    for i in kept:
        model.add_doc(tokens[i])
    model.train(iterations, workers=1, parallel=tp.ParallelScheme.NONE)
    seconds = time.perf_counter() - started
    index = {word: i for i, word in enumerate(model.used_vocabs)}
    dist = np.array([model.get_topic_word_dist(t) for t in range(k)], dtype=np.float64)
    phi = np.zeros((k, len(vocabulary)))
    for word_id, word in enumerate(vocabulary):
        if word in index:
            phi[:, word_id] = dist[:, index[word]]
    argmax = np.full(len(tokens), -1)
    argmax[kept] = [int(np.argmax(doc.get_topic_dist())) for doc in model.docs]
    return k, seed, seconds, phi, argmax


def standalone_tomotopy(corpus, ks, seeds, iterations: int, workers: int, labels) -> pd.DataFrame:
    """tomotopy's own LDAModel on the same tokens, scored by the same code (c_npmi, stability)."""
    vocabulary = [corpus.dictionary[i] for i in range(len(corpus.dictionary))]
    known = set(vocabulary)
    tokens = [[word for word in doc if word in known] for doc in corpus.tokens()]  # the tokens the engines see
    tasks = [(k, seed) for k in sorted(ks, reverse=True) for seed in seeds]
    fits = {(k, seed): (seconds, phi, argmax) for k, seed, seconds, phi, argmax in run_tasks(
        _standalone_fit, tasks, shared=(tokens, vocabulary, iterations), workers=workers)}
    evaluate = EvaluateConfig(measures=("c_npmi",))
    scores = score_models(corpus.tokens(), vocabulary, {task: fit[1] for task, fit in fits.items()}, evaluate)
    stable = stability({task: [t[:evaluate.stability_topn] for t in info["top_words"]] for task, info in scores.items()})
    rows = []
    for (k, seed), (seconds, _, argmax) in sorted(fits.items()):
        kept = argmax >= 0
        rows.append({"engine": "tomotopy standalone", "k": k, "seed": seed, "seconds": seconds,
                     "c_npmi": scores[(k, seed)]["metrics"]["c_npmi"], "stability": stable[(k, seed)],
                     "nmi": nmi(np.asarray(labels)[kept], argmax[kept])})
    return pd.DataFrame(rows)


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean ± sd over seeds per engine and K."""
    out = []
    for (engine, k), part in rows.groupby(["engine", "k"], sort=False):
        out.append({"engine": engine, "K": k, "seconds per fit": f"{part.seconds.mean():.1f}",
                    **{name: f"{part[col].mean():.3f} ± {part[col].std(ddof=1):.3f}"
                       for name, col in (("c_npmi", "c_npmi"), ("stability", "stability"), ("NMI", "nmi"))}})
    return pd.DataFrame(out)


# -- Gibbs sweeps ---------------------------------------------------------------------------------
def _chain(shared, task):
    """One chain of the tomotopy engine (:class:`topics.models.tomotopy_lda.Sampler`), observed every
    ``step`` sweeps: the engine's topics and θ of every document at that point."""
    bow, vocabulary, labels, total, step = shared
    k, seed, alpha, burn_in, interval = task
    import tomotopy as tp

    config = ModelConfig(engine="tomotopy", alpha=alpha, burn_in=burn_in, optimize_interval=max(interval, 1))
    sampler = Sampler(bow, vocabulary, k, seed, config)
    snapshots = []
    clock = {"start": time.perf_counter(), "observing": 0.0}  # observations are left out of the timing

    def observe(m, done: int, _total: int) -> None:
        if done == 0:
            return
        now = time.perf_counter()
        engine = sampler.state({"gamma_threshold": config.gamma_threshold})
        gamma = engine.unit_posterior(bow, seed)
        snapshots.append({"sweeps": done, "seconds": now - clock["start"] - clock["observing"],
                          "ll_per_word": m.ll_per_word, "phi": engine.topic_word(),
                          "nmi": nmi(labels, gamma.argmax(axis=1))})
        clock["observing"] += time.perf_counter() - now

    sampler.model.train(total, workers=1, parallel=tp.ParallelScheme.NONE, callback_interval=step, callback=observe)
    return k, seed, alpha, burn_in, interval, snapshots


def gibbs_sweeps(corpus, ks, seeds, total: int, step: int, workers: int, labels) -> pd.DataFrame:
    vocabulary = [corpus.dictionary[i] for i in range(len(corpus.dictionary))]
    variants = [("symmetric", 0, 0), ("auto", 100, 10), ("auto", 200, 20)]
    tasks = [(k, seed, *v) for k in ks for seed in seeds for v in variants]
    chains = list(run_tasks(_chain, tasks, shared=(corpus.bow(), vocabulary, labels, total, step), workers=workers,
                            ordered=True))
    phis = {(i, j): snap["phi"] for i, chain in enumerate(chains) for j, snap in enumerate(chain[5])}
    scores = score_models(corpus.tokens(), vocabulary, phis, EvaluateConfig(measures=("c_npmi",)))
    rows = []
    for i, (k, seed, alpha, burn_in, interval, snaps) in enumerate(chains):
        for j, snap in enumerate(snaps):
            rows.append({"k": k, "seed": seed, "alpha": alpha if alpha != "auto" else f"auto ({burn_in}/{interval})",
                         "sweeps": snap["sweeps"], "seconds": snap["seconds"], "ll_per_word": snap["ll_per_word"],
                         "c_npmi": scores[(i, j)]["metrics"]["c_npmi"], "nmi": snap["nmi"]})
    return pd.DataFrame(rows)


def markdown(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_sweep import BENCH_CORPUS, bench_corpus_sample

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench-every", type=int, default=5, help="every N-th document of the bench corpus")
    parser.add_argument("--k", type=int, nargs="+", default=[10, 20, 30])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--passes", type=int, default=30, help="gensim passes")
    parser.add_argument("--iterations", type=int, default=None,
                        help="tomotopy Gibbs sweeps (default: the engine's default); gensim keeps its own")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sides", nargs="+", default=["gensim", "tomotopy", "standalone"],
                        choices=["gensim", "tomotopy", "standalone"], help="which of the three to run")
    parser.add_argument("--gibbs-sweeps", action="store_true", help="measure the Gibbs settings instead")
    parser.add_argument("--total", type=int, default=2000, help="--gibbs-sweeps: length of each chain")
    parser.add_argument("--step", type=int, default=250, help="--gibbs-sweeps: sweeps between observations")
    parser.add_argument("--results", action="store_true", help="write the tables into benchmarks/RESULTS.md")
    args = parser.parse_args(argv)

    corpus = bench_corpus_sample(args.bench_every)
    if corpus is None:
        print(f"skipped: {BENCH_CORPUS} is absent (the benchmark corpus lives in ../shared beside the checkout)")
        return
    labels = unit_categories(corpus)
    load_before = os.getloadavg()
    started = time.perf_counter()
    header = (f"corpus: every {args.bench_every}th document of fudan-cn-textclass-9: {corpus.n_units} documents "
              f"({len(set(labels))} categories), {len(corpus.dictionary):,} words, "
              f"{int(corpus.units['n_tokens'].sum()):,} tokens; {args.workers} worker processes")
    command = " ".join(["benchmarks/bench_engines.py", *(argv if argv is not None else sys.argv[1:])])

    if args.gibbs_sweeps:
        rows = gibbs_sweeps(corpus, args.k, args.seeds, args.total, args.step, args.workers, labels)
        table = (rows.groupby(["k", "alpha", "sweeps"], sort=False)
                 .agg(seconds=("seconds", "mean"), ll_per_word=("ll_per_word", "mean"), c_npmi=("c_npmi", "mean"),
                      nmi=("nmi", "mean")).reset_index())
        table = table.round({"seconds": 1, "ll_per_word": 4, "c_npmi": 4, "nmi": 3})
        title, body = "Gibbs sweeps and α (tomotopy engine)", markdown(table)
    else:
        iterations = ModelConfig(engine="tomotopy", iterations=args.iterations).engine_iterations()
        parts, walls = [], {}
        for engine in ("gensim", "tomotopy"):
            if engine in args.sides:
                rows, walls[engine] = sweep_engine(corpus, engine, args.k, args.seeds, args.iterations, args.passes,
                                                   args.workers, labels)
                parts.append(rows)
        if "standalone" in args.sides:
            t0 = time.perf_counter()
            parts.append(standalone_tomotopy(corpus, args.k, args.seeds, iterations, args.workers, labels))
            walls["tomotopy standalone"] = time.perf_counter() - t0
        rows = pd.concat(parts, ignore_index=True)
        body = markdown(summary(rows)) + "\n\n" + "\n".join(
            f"- {engine}: {walls[engine]:.0f} s wall for {len(args.k) * len(args.seeds)} fits"
            + (" (sweep: fits, θ of every document, scoring, tables)" if engine != "tomotopy standalone" else
               " (fits and c_npmi only)") for engine in walls)
        body += (f"\n- settings: gensim passes = {args.passes}, iterations = 200 (E-step); tomotopy {iterations} Gibbs "
                 "sweeps, 1 thread; α and η symmetric (1/K) on every side; no held-out split (every document trains)")
        title = "Engines on the bench corpus: gensim vs tomotopy"
    load_after = os.getloadavg()
    body = (f"Script: `{command}`.\n\n{header}\n\n{body}\n\n- total {time.perf_counter() - started:.0f} s; "
            f"1-minute load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
            "(other agents share the 2 cores: seconds are an upper bound)")
    print(body)
    if args.results:
        from results_file import update_section

        update_section(title, body)


if __name__ == "__main__":
    main()
