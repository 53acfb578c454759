"""One huge input file: a compilation of thousands of speeches in a single file, built with ``--split auto``.

Two compilations, made in a temporary folder (never in the repository) and joined with
``第N篇：NAME`` headings like a scraped collection:

* ``distinct``: the embedded corpus and the bench corpus's documents one after another (about 2,500
  different texts, then the first ones again until the size is reached);
* ``repeated``: the embedded corpus over and over (every speech ~200 times in 50 MB): the case that
  made duplicate finding quadratic (every pair of copies a candidate).

Each is built by ``topics build FILE --out … --split auto`` in a child process; the figures are the
child's wall time, CPU time (user + system, workers included) and the peak RSS of its largest
process (``wait4``), and the stage times of the build report. Run it on a quiet machine: the
figures are for one process tree, not a median.

Usage:
    python benchmarks/bench_bigfile.py                       # 50 MB, both shapes, 2 workers
    python benchmarks/bench_bigfile.py --mb 10 --shape repeated
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench-corpus" / "fudan-cn-textclass-9"
EMBEDDED = ROOT / "corpus" / "raw"


def compilation(path: Path, megabytes: float, shape: str) -> int:
    """Write the compilation; returns the number of pieces joined."""
    sources = sorted(EMBEDDED.glob("*.txt"))
    if shape == "distinct":
        sources += sorted(BENCH.glob("*.txt"))
    texts = [p.read_text(encoding="utf-8", errors="replace").strip() for p in sources]
    target, size, pieces = int(megabytes * 1e6), 0, 0
    with open(path, "w", encoding="utf-8") as out:
        while size < target:
            for source, text in zip(sources, texts):
                pieces += 1
                piece = f"第{pieces}篇：{source.stem}\n{text}\n\n"
                out.write(piece)
                size += len(piece.encode("utf-8"))
                if size >= target:
                    break
    return pieces


def build(file: Path, work: Path, workers: int) -> dict:
    """Build in a child process; its wall, CPU and peak RSS (largest process of its tree)."""
    out = work / "corpus"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(work / "build", ignore_errors=True)  # the build cache (build/cache under the working folder)
    command = [sys.executable, "-m", "topics", "build", str(file), "--out", str(out), "--split", "auto",
               "--quiet", "--workers", str(workers)]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    errors = child.stderr.read().decode("utf-8", "replace")
    if status:
        raise SystemExit(f"build failed ({status}):\n{errors}")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {"wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "speeches": sum(1 for _ in open(out / "speeches.csv", encoding="utf-8")) - 1,
            "duplicates": len(report.get("duplicates", [])), "timings": report.get("timings_seconds", {})}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of each compilation (MB of UTF-8)")
    parser.add_argument("--shape", choices=["distinct", "repeated", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    shapes = ["distinct", "repeated"] if args.shape == "both" else [args.shape]
    if "distinct" in shapes and not BENCH.is_dir():
        print(f"skipped: {BENCH} is absent (the bench corpus lives in ../shared beside the checkout)")
        return 0
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    with tempfile.TemporaryDirectory(prefix="topics-bigfile-") as tmp:
        for shape in shapes:
            work = Path(tmp) / shape
            work.mkdir()
            file = work / f"{shape}.txt"
            pieces = compilation(file, args.mb, shape)
            result = build(file, work, args.workers)
            print(f"{shape}: {file.stat().st_size / 1e6:.1f} MB, {pieces} pieces joined -> "
                  f"{json.dumps(result, ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
