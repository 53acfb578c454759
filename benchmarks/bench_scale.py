"""How the build and a sweep grow with the corpus: 10^3, 10^4 and 10^5 documents, locally and on Dask.

Synthetic corpora are made from the bench corpus (``../shared/bench-corpus/fudan-cn-textclass-9``,
9 news categories): document *i* takes its category from source document *i* mod 2,449 and is
5–20 sentences drawn at random (seed *i*) from all sentences of that category. So the topics
stay those of the bench corpus, lengths vary like real documents (~1.9 KB on average), and no
two documents share enough sentences to be duplicates (dedup does not collapse them; the build
report's duplicate count says so). Files go into folders of 1,000 under a temporary folder
(never into the repository).

For each size the build runs in a child process (so every figure is of that build alone):

* ``local``: 2 worker processes (``workers=2``);
* ``dask``: a ``distributed.LocalCluster`` of 2 single-threaded worker processes.

and on the 10^4 corpus one sweep (K = 20, 50 × seeds 1, 2; 2 worker processes). Figures: wall
time, CPU time and peak RSS of the main process (``getrusage``) and of the worker processes
(sampled from ``/proc`` every 0.25 s: their ``VmHWM`` peak and CPU time; Linux), the build
report's stage times and the numbers of speeches, duplicates and vocabulary.

Usage:
    python benchmarks/bench_scale.py --sizes 1000 10000          # a few minutes on 2 idle cores
    python benchmarks/bench_scale.py --sizes 100000 --modes local  # long: run it once, in the background
    python benchmarks/bench_scale.py --sweep                       # the sweep on the 10^4 corpus
Each result is printed as one JSON line (and appended to --log FILE if given).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench-corpus" / "fudan-cn-textclass-9"
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]")


def make_corpus(folder: Path, n_docs: int) -> tuple[int, float]:
    """Write ``n_docs`` synthetic documents under ``folder``; returns (files, MB)."""
    sources = sorted(BENCH.glob("*.txt"))
    pools: dict[str, list[str]] = {}
    category_of = []
    for path in sources:
        category = path.name.split("-", 1)[0]
        category_of.append(category)
        text = path.read_text(encoding="utf-8", errors="replace")
        pools.setdefault(category, []).extend(s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) >= 8)
    size = 0
    for i in range(n_docs):
        rng = random.Random(i)
        pool = pools[category_of[i % len(sources)]]
        sentences = [pool[rng.randrange(len(pool))] for _ in range(rng.randint(5, 20))]
        paragraphs = ["".join(sentences[j:j + 5]) for j in range(0, len(sentences), 5)]
        target = folder / f"{i // 1000:04d}" / f"doc{i:07d}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = "\n".join(paragraphs).encode("utf-8")
        target.write_bytes(data)
        size += len(data)
    return n_docs, size / 1e6


WATCH = r"""
import os, threading, time

def _descendants():
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found

WATCHED = {}  # pid -> (peak RSS MB from VmHWM, CPU seconds, command)

def _watch(stop):
    tick = os.sysconf("SC_CLK_TCK")
    while not stop.wait(0.25):
        for pid in _descendants():
            try:
                status = open(f"/proc/{pid}/status").read()
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
                command = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            hwm = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")), 0)
            before = WATCHED.get(pid, (0.0, 0.0, command))  # an ended process (zombie) shows no VmHWM
            WATCHED[pid] = (max(before[0], hwm / 1024), max(before[1], (int(fields[11]) + int(fields[12])) / tick),
                            command or before[2])

STOP = threading.Event()
threading.Thread(target=_watch, args=(STOP,), daemon=True).start()

def workers():
    # the processes that ran tasks (pool workers, Dask workers), not the fork server, tracker or nanny
    return [v for v in WATCHED.values() if v[1] > 1.0 and "resource_tracker" not in v[2]]
"""

BUILD = WATCH + r"""
import json, resource, sys
from topics.build import build_corpus
from topics.config import BuildConfig
raw, out, cache, mode = sys.argv[1:5]
config = BuildConfig(raw=(raw,), out=out, cache_dir=cache, split="none")
started = time.perf_counter()
if mode == "dask":
    import distributed
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        corpus = build_corpus(config, progress=False, scheduler=cluster.scheduler_address)
        time.sleep(0.5)  # one more look at the workers
else:
    corpus = build_corpus(config, progress=False, workers=2)
wall = time.perf_counter() - started
STOP.set()
me = resource.getrusage(resource.RUSAGE_SELF)
report = json.load(open(out + "/report.json", encoding="utf-8"))
busy = workers()
print(json.dumps({
    "wall_s": round(wall, 1),
    "main_cpu_s": round(me.ru_utime + me.ru_stime, 1), "main_peak_rss_mb": round(me.ru_maxrss / 1024),
    "workers": len(busy), "workers_cpu_s": round(sum(c for _, c, _ in busy), 1),
    "worker_peak_rss_mb": round(max((m for m, _, _ in busy), default=0)),
    "speeches": len(corpus.speeches), "duplicates": len(report["duplicates"]), "vocabulary": len(corpus.dictionary),
    "timings": report["timings_seconds"]}))
"""

SWEEP = WATCH + r"""
import json, resource, sys
from topics.config import ModelConfig
from topics.corpus import load_corpus
from topics.experiment import ExperimentConfig, run_on_corpus
corpus_dir, run_dir = sys.argv[1:3]
corpus = load_corpus(corpus_dir)
config = ExperimentConfig(name="scale", model=ModelConfig(k=(20, 50), seeds=(1, 2)))
started = time.perf_counter()
run_on_corpus(config, corpus, run_dir, workers=2, progress=False)
wall = time.perf_counter() - started
STOP.set()
me = resource.getrusage(resource.RUSAGE_SELF)
busy = workers()
print(json.dumps({"wall_s": round(wall, 1),
                  "main_cpu_s": round(me.ru_utime + me.ru_stime, 1), "main_peak_rss_mb": round(me.ru_maxrss / 1024),
                  "workers": len(busy), "workers_cpu_s": round(sum(c for _, c, _ in busy), 1),
                  "worker_peak_rss_mb": round(max((m for m, _, _ in busy), default=0)),
                  "units": int(corpus.n_units), "vocabulary": len(corpus.dictionary)}))
"""


def child(code: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--modes", nargs="*", choices=["local", "dask"], default=["local", "dask"])
    parser.add_argument("--sweep", action="store_true", help="also the sweep (K = 20, 50 x 2 seeds) on the 10^4 corpus")
    parser.add_argument("--keep", type=Path, help="make the corpora here and keep them (default: a temporary folder)")
    parser.add_argument("--log", type=Path, help="append each JSON result line to this file")
    args = parser.parse_args()
    if not BENCH.is_dir():
        print(f"skipped: {BENCH} is absent (the bench corpus lives in ../shared beside the checkout)")
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="topics-scale-"))
    sizes = sorted(set(args.sizes) | ({10000} if args.sweep else set()))
    for n in sizes:
        raw = work / f"raw-{n}"
        if not raw.is_dir():
            files, megabytes = make_corpus(raw, n)
        else:
            megabytes = sum(p.stat().st_size for p in raw.rglob("*.txt")) / 1e6
        runs = [mode for mode in args.modes if n in args.sizes]
        if args.sweep and n == 10000 and "local" not in runs:
            runs.append("local")  # the sweep needs a built corpus
        for mode in runs:
            out = work / f"corpus-{n}-{mode}"
            load = os.getloadavg()[0]
            result = child(BUILD, str(raw), str(out), str(work / f"cache-{n}-{mode}-{time.time_ns()}"), mode)
            line = {"what": "build", "docs": n, "mb": round(megabytes, 1), "mode": mode, "load_before": round(load, 1), **result}
            _emit(line, args.log)
        if args.sweep and n == 10000:
            load = os.getloadavg()[0]
            result = child(SWEEP, str(work / f"corpus-{n}-local"), str(work / f"run-{n}-{time.time_ns()}"))
            _emit({"what": "sweep K=20,50 x 2 seeds", "docs": n, "load_before": round(load, 1), **result}, args.log)
    return 0


def _emit(line: dict, log: Path | None) -> None:
    text = json.dumps(line, ensure_ascii=False)
    print(text, flush=True)
    if log is not None:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
