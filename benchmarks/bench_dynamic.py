"""Dynamic topic model benchmark: tomotopy ``DTModel`` against gensim ``LdaSeqModel`` on the same slices.

Both engines fit K drifting topics on the same bag of words (the built corpus of an experiment,
its units sliced by ``[dynamic]``), each on one core; the script reports the time, the mean NPMI
coherence (top 10 words, sliding window 10, counted on the corpus as the sweep counts it) of every
topic in every slice, how many top words a topic replaces from slice to slice, and whether a second
fit with the same seed gives the same arrays.

Usage::

    python benchmarks/bench_dynamic.py                               # the work reports, K of its run
    python benchmarks/bench_dynamic.py --k 6 --tomotopy-iterations 200 500 1000 --gensim-iterations 5 --repeat
    python benchmarks/bench_dynamic.py --results      # also write the section of benchmarks/RESULTS.md

Prints a table; it is not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from topics.analysis.dynamic import dynamic_topics_table, time_slices, vocabulary_change  # noqa: E402
from topics.evaluate.coherence import coherence  # noqa: E402
from topics.evaluate.cooccurrence import count_cooccurrence  # noqa: E402
from topics.experiment import load_experiment_config  # noqa: E402
from topics.models.dynamic import fit_dynamic  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default=str(ROOT / "experiments" / "gov_work_reports.toml"))
    parser.add_argument("--k", type=int, default=0, help="topics (default: the K selected by the experiment's run)")
    parser.add_argument("--tomotopy-iterations", type=int, nargs="*", default=[1000])
    parser.add_argument("--gensim-iterations", type=int, nargs="*", default=[10])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", action="store_true", help="fit each setting twice and compare the arrays")
    parser.add_argument("--results", action="store_true", help="write the section of benchmarks/RESULTS.md")
    args = parser.parse_args()

    from topics.build import build_corpus

    config = load_experiment_config(args.experiment)
    if not all(Path(p).exists() for p in config.corpus.raw):
        print(f"{args.experiment}: its input folder is absent — nothing to measure")
        return
    dynamic = config.dynamic if config.dynamic.enabled else dataclasses.replace(config.dynamic, slices="year")
    corpus = build_corpus(config.corpus, progress=False, workers=1)
    k = args.k or _selected_k(config)
    slices = time_slices(corpus.units, corpus.speeches, dynamic, config.effects.year_sources)
    kept = np.flatnonzero(slices.unit_slice >= 0)
    bow = corpus.bow()
    vocabulary = [corpus.dictionary[i] for i in range(len(corpus.dictionary))]
    print(f"{len(kept)} units in {len(slices.labels)} slices ({dynamic.slices}); K = {k}; "
          f"vocabulary {len(vocabulary)}", flush=True)
    rows, tables = [], {}
    plan = [("tomotopy", n) for n in args.tomotopy_iterations] + [("gensim", n) for n in args.gensim_iterations]
    for engine, iterations in plan:
        fit = fit_dynamic([bow[i] for i in kept], vocabulary, slices.unit_slice[kept], k, args.seed, engine=engine,
                          iterations=iterations)
        same = None
        if args.repeat:
            again = fit_dynamic([bow[i] for i in kept], vocabulary, slices.unit_slice[kept], k, args.seed,
                                engine=engine, iterations=iterations)
            same = bool(np.array_equal(fit.topic_word, again.topic_word) and np.array_equal(fit.doc_topic, again.doc_topic))
        table = dynamic_topics_table(fit.topic_word, vocabulary, slices.labels, top_n=10)
        tables[(engine, iterations)] = table
        rows.append({"engine": engine, "iterations": iterations, "seconds": fit.seconds,
                     "c_npmi": _mean_npmi(corpus, table), "turnover": vocabulary_change(table)["turnover"].mean(),
                     "identical_rerun": same})
        print(pd.DataFrame(rows[-1:]).to_string(index=False, header=len(rows) == 1), flush=True)
    summary = pd.DataFrame(rows)
    print(summary.to_string(index=False))
    for (engine, iterations), table in tables.items():
        change = vocabulary_change(table).sort_values("jaccard").head(2)
        for row in change.itertuples():
            print(f"{engine} {iterations}: topic {row.topic} {row.first} → {row.last} (Jaccard {row.jaccard:.2f}); "
                  f"left {row.left}; entered {row.entered}")
    if args.results:
        from results_file import update_section

        lines = [f"`python benchmarks/bench_dynamic.py {' '.join(sys.argv[1:])}` — {len(kept)} units of "
                 f"`{Path(args.experiment).name}` in {len(slices.labels)} slices ({dynamic.slices}), K = {k}, one core "
                 "each; c_npmi: mean over topics × slices of the top-10 NPMI (window 10) on the whole corpus; turnover: "
                 "mean share of a topic's top 10 replaced from one slice to the next.", "",
                 "| engine | iterations | seconds | c_npmi | turnover | identical rerun |", "|---|---|---|---|---|---|"]
        lines += [f"| {r.engine} | {r.iterations} | {r.seconds:.1f} | {r.c_npmi:.4f} | {r.turnover:.2f} | "
                  f"{'—' if r.identical_rerun is None else ('yes' if r.identical_rerun else 'no')} |"
                  for r in summary.itertuples()]
        update_section("Dynamic topic model: tomotopy DTModel vs gensim LdaSeqModel", "\n".join(lines))


def _selected_k(config) -> int:
    import json

    selection = Path(config.run_dir) / "selection.json"
    if selection.is_file():
        return int(json.loads(selection.read_text(encoding="utf-8"))["k"])
    return min(config.model.k)


def _mean_npmi(corpus, table: pd.DataFrame) -> float:
    tops = [list(part.sort_values("rank")["word"]) for _, part in table.groupby(["topic", "period"], sort=False)]
    words = sorted({w for top in tops for w in top})
    counts = count_cooccurrence(corpus.tokens(), words, window=10)
    return float(np.nanmean(coherence(counts, tops, "c_npmi")))


if __name__ == "__main__":
    main()
