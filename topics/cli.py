"""The ``topics`` command: a thin argparse shell over functions a notebook can call.

    topics init DIR
    topics build [RAW ...] --out DIR [--split auto|none] [--metadata FILE] [--config FILE]
    topics run CONFIG [--out DIR] [--workers N] [--scheduler tcp://HOST:PORT]
    topics reproduce RUN_DIR [--out DIR]

User errors (bad input, bad config) print one message naming the file and what to do, and
exit with status 2; they never show a traceback.
"""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from . import __version__
from .errors import TopicsError

HINT = """Start a project of your own:
  topics init myproject               # a folder with experiment.toml, raw/, notebooks/
  (put your .txt/.md/.docx speeches into myproject/raw/)
  topics run myproject/experiment.toml
Then open myproject/runs/myproject/report.md. Help on a command: topics COMMAND --help"""


def _init(args: argparse.Namespace) -> int:
    from .experiment.project import init_project

    toml = init_project(args.folder)
    folder = toml.parent
    print(f"created {folder}: experiment.toml, metadata.csv, raw/, notebooks/\n"
          f"next: put your speeches into {folder / 'raw'}, then run: topics run {toml}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from .config import load_build_config

    config = load_build_config(
        args.config,
        raw=tuple(args.raw) if args.raw else None,
        out=args.out,
        split=args.split,
        metadata=args.metadata,
        unit=args.unit,
        cache_dir=args.cache,
        strict=True if args.strict else None,
    )
    if args.metadata and not Path(args.metadata).is_file():
        raise TopicsError(f"{args.metadata}: metadata file not found — check the path given to --metadata")
    if not args.force:  # nothing changed since the last build? decided without importing the builder
        from .build.uptodate import check

        summary = check(config)
        if summary is not None:
            print(_built_line(Path(config.out), summary))
            return 0
    from .build import build_corpus

    corpus = build_corpus(config, progress=not args.quiet, force=args.force,
                          workers=1 if args.workers is None else args.workers, scheduler=args.scheduler or "")
    summary = {"speeches": len(corpus.speeches), "in_model": int(corpus.speeches["in_model"].sum()),
               "units": corpus.n_units, "vocabulary": corpus.vocabulary_size}
    print(_built_line(corpus.path, summary))
    return 0


def _built_line(path: Path, summary: dict[str, int]) -> str:
    return (f"built {path}: {summary['speeches']} speeches ({summary['in_model']} in the model), "
            f"{summary['units']} units, vocabulary {summary['vocabulary']:,}; see {path}/report.md")


def _run(args: argparse.Namespace) -> int:
    if not args.force:  # nothing changed since this run was written? decided before the heavy imports
        from .experiment.uptodate import check

        current = check(args.config, out=args.out)
        if current is not None:
            print(f"run is current: nothing changed since {current} was written; see {current / 'report.md'} "
                  "(--force runs it again)")
            return 0
    from .experiment.run import run_experiment

    run_dir = run_experiment(args.config, out=args.out, workers=args.workers, scheduler=args.scheduler,
                             progress=not args.quiet)
    print(f"run written to {run_dir}; see {Path(run_dir) / 'report.md'}")
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    from .experiment.reproduction import reproduce

    result = reproduce(args.run_dir, out=args.out)
    if result.identical:
        print(f"reproduced: every table in {result.fresh_dir} is identical to {args.run_dir}")
        return 0
    print(result.diff)
    print(f"NOT reproduced: tables in {result.fresh_dir} differ from {args.run_dir} (see above)")
    return 1


def os_error_message(exc: OSError) -> str:
    """``PATH: what happened — what to do`` for an error of the file system."""
    where = exc.filename or exc.filename2 or "(a file being written)"
    what = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        advice = "free some space, or write the output elsewhere (--out)"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        advice = "choose an output folder you can write to (--out), or fix its permissions"
    elif exc.errno == errno.ENOENT:
        advice = "check the path"
    else:
        advice = "check the disk and the path, then run the command again"
    return f"{where}: {what} — {advice}; nothing half-written was kept"


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="topics", description="Topic modelling of Chinese policy speeches.",
                                     epilog=HINT, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--version", action="version", version=f"topics {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    # --quiet is accepted before or after the command name
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress bars")

    init = commands.add_parser("init", help="start a research project: experiment.toml, raw/, notebooks/")
    init.add_argument("folder", help="the project folder to create (it may exist, but must not hold the files init writes)")
    init.set_defaults(func=_init)

    build = commands.add_parser("build", parents=[common], help="build a clean speech-level corpus from raw documents")
    build.add_argument("raw", nargs="*", help="input files or folders (default: ./raw)")
    build.add_argument("--out", help="output folder (default: build/corpus)")
    build.add_argument("--split", choices=["auto", "none"], help="auto: find speeches inside files; none: one document per file")
    build.add_argument("--unit", choices=["speech", "paragraph"], help="modelling unit (default: speech)")
    build.add_argument("--metadata", help="CSV of metadata overrides (default: none, or the config's corpus.metadata)")
    build.add_argument("--cache", help="build cache folder, outside the inputs (default: build/cache)")
    build.add_argument("--config", help="TOML file with build settings (top level or a [corpus] table)")
    build.add_argument("--strict", action="store_true", help="unreadable input files are errors, not warnings")
    build.add_argument("--workers", type=int, help="worker processes for reading and segmenting (0 = one per core; default 1)")
    build.add_argument("--scheduler", help="Dask scheduler address for reading and segmenting, e.g. tcp://127.0.0.1:8786")
    build.add_argument("--force", action="store_true", help="rebuild even if the corpus is up to date")
    build.set_defaults(func=_build)

    run = commands.add_parser("run", parents=[common], help="build if needed, sweep K x seeds, score, select, write a run folder")
    run.add_argument("config", help="experiment TOML (e.g. experiments/default.toml)")
    run.add_argument("--out", help="run folder (default: the config's `out`)")
    run.add_argument("--workers", type=int, help="worker processes for the build and the fits (default: the config's [run] workers)")
    run.add_argument("--scheduler", help="Dask scheduler address for the build and the fits, e.g. tcp://127.0.0.1:8786")
    run.add_argument("--force", action="store_true", help="run even if nothing changed since the run folder was written")
    run.set_defaults(func=_run)

    rep = commands.add_parser("reproduce", parents=[common], help="rerun a finished experiment from its manifest and compare every table")
    rep.add_argument("run_dir")
    rep.add_argument("--out", help="where to write the fresh run (default: a new folder beside RUN_DIR)")
    rep.set_defaults(func=_reproduce)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # a bare `topics`: what it can do, and how to start
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except TopicsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the disk, not the user's data: one line, and what was written is rolled back
        print(f"error: {os_error_message(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; finished work is cached and the next run resumes", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
