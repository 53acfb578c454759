"""Benchmark the corpus build against plain single-process ``jieba.lcut`` on the same text.

Prints (and with --results, writes into benchmarks/RESULTS.md):
- throughput in MB/s of plain jieba.lcut (one process) on every input file's text;
- our full build, cold (empty segmentation cache), with 1 and with N worker processes, and the
  CPU seconds of the N-worker build (jieba, the other per-file stages, the main process), which
  bound its wall time from below;
- a cached rebuild after changing only the stopwords (stage 1's token store comes from the cache);
- peak memory (max RSS) of the build on 25 %, 50 % and 100 % of the corpus, to show that it
  does not grow with corpus size.

Usage:
    python benchmarks/bench_build.py                      # ../shared/bench-corpus (skips if absent)
    python benchmarks/bench_build.py --input corpus/raw   # the embedded corpus
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = ROOT.parent / "shared" / "bench-corpus" / "fudan-cn-textclass-9"


def input_files(folder: Path, fraction: float = 1.0) -> list[Path]:
    files = sorted(p for p in folder.rglob("*.txt"))
    return files[: max(1, int(len(files) * fraction))]


def plain_jieba(files: list[Path]) -> float:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    start = time.perf_counter()
    for path in files:
        jieba.lcut(path.read_text(encoding="utf-8", errors="replace"))
    return time.perf_counter() - start


def timed_build(raw: Path, out: Path, cache: Path, workers: int, extra_stopwords: Path | None = None,
                split: str = "none") -> float:
    """Seconds of one ``build_corpus`` call, in a fresh child process (as ``topics build`` runs).

    The timer starts after the child has imported the package and the libraries stage 2 uses
    (numpy, scipy, gensim, pandas): those imports are a fixed cost of any command, not of the
    build. A fresh process also means a fresh fork server for the workers, so no build is timed
    with workers left ready by an earlier one in the same process (a notebook would have them).
    """
    stopwords = ((str(extra_stopwords),) if extra_stopwords else ())
    code = (
        "import sys, time\n"
        "import pandas, gensim.corpora, scipy.sparse\n"
        "from topics.build import build_corpus\nfrom topics.config import BuildConfig\n"
        f"config = BuildConfig(raw=({str(raw)!r},), out={str(out)!r}, cache_dir={str(cache)!r}, split={split!r},\n"
        f"                     stopwords=BuildConfig().stopwords + {stopwords!r})\n"
        "start = time.perf_counter()\n"
        f"build_corpus(config, progress=False, force=True, workers={workers})\n"
        "print(time.perf_counter() - start)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"the build failed:\n{result.stderr}")
    return float(result.stdout.split()[-1])


def peak_memory_mb(raw: Path, workers: int, split: str) -> tuple[float, float]:
    """Max RSS (MB) of the build's main process and of its worker processes, measured in a child."""
    code = (
        "import resource, sys, tempfile\n"
        "from topics.build import build_corpus\nfrom topics.config import BuildConfig\n"
        f"d = tempfile.mkdtemp()\n"
        f"build_corpus(BuildConfig(raw=({str(raw)!r},), out=d + '/c', cache_dir=d + '/cache', split={split!r}), progress=False, workers={workers})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    main, children = result.stdout.split()
    return float(main), float(children)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--split", default="none", choices=["none", "auto"],
                        help="none for clean one-document-per-file corpora such as the bench corpus")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory-scaling runs")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each measurement, alternating plain jieba and our builds; medians are reported "
                             "(a shared 2-core VM drifts by tens of percent between minutes)")
    parser.add_argument("--results", action="store_true", help="write the figures into benchmarks/RESULTS.md")
    args = parser.parse_args()
    if not args.input.exists():
        print(f"skipped: {args.input} is absent (the benchmark corpus lives in ../shared beside the checkout)")
        return 0
    os.chdir(ROOT)
    files = input_files(args.input)
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    work = Path(tempfile.mkdtemp(prefix="topics-bench-"))
    raw = work / "raw"
    raw.mkdir()
    for path in files:  # only the documents: the folder also holds a README and labels
        os.symlink(path.resolve(), raw / path.name)
    try:
        print(f"input: {len(files)} files, {megabytes:.1f} MB, split={args.split}; machine: {platform.machine()}, "
              f"{os.cpu_count()} cores, Python {platform.python_version()}")
        runs: dict[str, list[float]] = {"jieba": [], "cold1": [], "coldN": [], "cached": []}
        for run in range(args.repeat):  # alternating, so that drift of the machine hits every side alike
            runs["jieba"].append(plain_jieba(files))
            runs["cold1"].append(timed_build(raw, work / "c1", work / f"cache1-{run}", workers=1, split=args.split))
            runs["coldN"].append(timed_build(raw, work / "cn", work / f"cacheN-{run}", workers=args.workers,
                                             split=args.split))
            extra = work / f"more_stopwords{run}.txt"
            extra.write_text(f"# benchmark: extra stopwords, force a rebuild that reuses the token store\n研究\n测试{run}\n",
                             encoding="utf-8")
            runs["cached"].append(timed_build(raw, work / "cc", work / f"cacheN-{run}", workers=args.workers,
                                              extra_stopwords=extra, split=args.split))
        t_jieba, t_cold_1, t_cold_n, t_cached = (float(np.median(runs[key])) for key in ("jieba", "cold1", "coldN", "cached"))
        report = json.loads((work / "cc" / "report.json").read_text(encoding="utf-8"))
        cold = json.loads((work / "cn" / "report.json").read_text(encoding="utf-8"))["timings_seconds"]
        rows = [
            ("plain jieba.lcut, 1 process", t_jieba),
            ("topics build, cold, 1 worker", t_cold_1),
            (f"topics build, cold, {args.workers} workers", t_cold_n),
            ("topics build, cached rebuild (stopwords changed)", t_cached),
        ]
        lines = ["| run | seconds | MB/s | vs plain jieba |", "|---|---|---|---|"]
        for name, seconds in rows:
            lines.append(f"| {name} | {seconds:.2f} | {megabytes / seconds:.2f} | {t_jieba / seconds:.2f}× |")
        lines.append("")
        if args.repeat > 1:
            lines.append(f"- medians of {args.repeat} alternating runs; every run (s): " + "; ".join(
                f"{key} " + ", ".join(f"{t:.2f}" for t in values) for key, values in runs.items()))
        lines.append(f"- speed-up of {args.workers} workers over plain jieba: {t_jieba / t_cold_n:.2f}× "
                     f"(over our own 1-worker build: {t_cold_1 / t_cold_n:.2f}×)")
        lines.append(f"- cached rebuild vs cold build ({args.workers} workers): {t_cold_n / t_cached:.1f}× faster "
                     f"({report['segmentation_cache']['files_cached']} of {len(files)} files from the cache)")
        cpu = {key: cold.get(key, 0.0) for key in ("cpu_workers_jieba", "cpu_workers_other", "cpu_main_process")}
        total_cpu = sum(cpu.values())
        lines.append(f"- CPU of the cold {args.workers}-worker build: {total_cpu:.1f} s = segmentation in the workers "
                     f"{cpu['cpu_workers_jieba']:.1f} s (jieba's tokens, computed by jieba-rs; see topics/build/jieba_segmenter.py) "
                     f"+ the rest of the workers' stages {cpu['cpu_workers_other']:.1f} s "
                     f"+ main process {cpu['cpu_main_process']:.1f} s")
        cached_timings = report["timings_seconds"]
        lines.append(f"- the cached rebuild read no file: the token store was {report['segmentation_cache'].get('token_store')}; "
                     "its stages (s): " + ", ".join(f"{key} {value}" for key, value in cached_timings.items()))
        lines.append("- wall-clock stages of the cold build (s): " + ", ".join(
            f"{key} {value}" for key, value in cold.items() if not key.startswith("cpu_")))
        if not args.no_memory:
            lines += ["", "| share of corpus | MB | peak RSS main (MB) | peak RSS workers (MB) |", "|---|---|---|---|"]
            for fraction in (0.25, 0.5, 1.0):
                part = work / f"raw{int(fraction * 100)}"
                part.mkdir()
                subset = input_files(args.input, fraction)
                for path in subset:
                    os.symlink(path, part / path.name)
                main_mb, workers_mb = peak_memory_mb(part, args.workers, args.split)
                size = sum(p.stat().st_size for p in subset) / 1e6
                lines.append(f"| {int(fraction * 100)} % | {size:.1f} | {main_mb:.0f} | {workers_mb:.0f} |")
        text = "\n".join(lines)
        print(text)
        if args.results:
            from results_file import update_section

            update_section("Corpus build", f"Input: {args.input.name}, {len(files)} files, {megabytes:.1f} MB, split={args.split}.\n\n{text}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
