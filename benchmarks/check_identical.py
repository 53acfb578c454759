"""Check that a change of code leaves every table of a build and of a run byte-identical.

Runs each experiment given (default: the embedded corpus and, when ../shared is present, the 57
Government Work Reports) into a fresh folder, with a fresh build cache, and hashes every table of
the built corpus and of the run folder. ``--save FILE`` writes the hashes; ``--compare FILE``
compares them with hashes saved earlier (e.g. before a refactoring) and exits 1 on any difference.

    python benchmarks/check_identical.py --save /tmp/before.json     # on the old code
    python benchmarks/check_identical.py --compare /tmp/before.json  # on the new code

Tables: speeches.csv, units.csv, tokens.txt, corpus.mm, dictionary.txt (build) and metrics.csv,
topic_scores.csv, topics.csv, doc_topics.csv, selection.json (run). The figures and reports are not
compared (they carry timings).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD_TABLES = ("speeches.csv", "units.csv", "tokens.txt", "corpus.mm", "dictionary.txt")
RUN_TABLES = ("metrics.csv", "topic_scores.csv", "topics.csv", "doc_topics.csv", "selection.json")


def table_hashes(config_path: Path, workdir: Path) -> dict[str, str]:
    from topics.experiment import load_experiment_config, run_config

    config = load_experiment_config(config_path)
    corpus_out = workdir / f"{config.name}-corpus"
    config = dataclasses.replace(
        config, out=str(workdir / config.name),
        corpus=dataclasses.replace(config.corpus, out=str(corpus_out), cache_dir=str(workdir / "cache")))
    run_dir = run_config(config, progress=False)
    hashes = {}
    for folder, names in ((corpus_out, BUILD_TABLES), (Path(run_dir), RUN_TABLES)):
        for name in names:
            hashes[f"{config.name}/{name}"] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    return hashes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("experiments", nargs="*", type=Path,
                        default=[ROOT / "experiments" / "default.toml", ROOT / "experiments" / "gov_work_reports.toml"])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the hashes to this JSON file")
    group.add_argument("--compare", type=Path, help="compare with hashes saved by --save")
    args = parser.parse_args(argv)
    shared = ROOT.parent / "shared" / "corpora" / "cn-gov-work-reports"
    experiments = [p for p in args.experiments if "gov_work_reports" not in p.name or shared.is_dir()]
    hashes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="topics-identical-") as tmp:
        for path in experiments:
            started = time.perf_counter()
            hashes.update(table_hashes(path.resolve(), Path(tmp)))
            print(f"{path.name}: built and run in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if args.save:
        args.save.write_text(json.dumps(hashes, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(hashes)} table hashes written to {args.save}")
        return 0
    before = json.loads(args.compare.read_text(encoding="utf-8"))
    differ = sorted(name for name in before.keys() | hashes.keys() if before.get(name) != hashes.get(name))
    for name in sorted(before.keys() | hashes.keys()):
        print(f"{'same   ' if name not in differ else 'DIFFERS'} {name}")
    print(f"{len(before.keys() | hashes.keys()) - len(differ)} identical, {len(differ)} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
