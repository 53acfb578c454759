"""``topics reproduce RUN_DIR``: rerun a finished run from its manifest and compare every table."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .. import __version__
from ..common.outputs import claim_output, write_marker
from ..corpus import BuiltCorpus
from ..errors import ReproductionError
from .run import run_config
from .runfolder import compare_tables, read_manifest
from .settings import experiment_from_mapping

__all__ = ["ReproduceResult", "reproduce"]


@dataclass(frozen=True)
class ReproduceResult:
    """Outcome of :func:`reproduce`: ``identical`` tables, else a readable ``diff``.

    ``notes`` reports provenance changes that did not change any table (e.g. a new corpus
    content hash because a resource file the tokens do not depend on was edited).
    """

    identical: bool
    diff: str
    fresh_dir: Path
    notes: str = ""


def reproduce(run_dir: str | Path, out: str | Path | None = None, corpus: BuiltCorpus | None = None,
              progress: bool = False) -> ReproduceResult:
    """Rerun a finished run from its manifest into a fresh folder and compare every table.

    Everything is written under ``out`` (default: a new folder ``RUN_DIR.reproduce-N`` beside the
    run): the corpus is rebuilt from the manifest's ``[corpus]`` settings into ``out/corpus`` with a
    fresh cache in ``out/cache`` (``corpus`` overrides it, for in-memory test corpora), and the run
    goes to ``out/run``; no cached fit is reused and nothing outside ``out`` is written.
    Tables compared: ``TABLES``.
    """
    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    config = experiment_from_mapping(manifest["config"])
    if corpus is None and manifest["corpus"].get("path") is None:
        raise ReproductionError(f"{run_dir}: this run used an in-memory corpus — pass corpus= to reproduce it")
    if out is None:
        number = 1
        while Path(f"{run_dir}.reproduce-{number}").exists():
            number += 1
        out = Path(f"{run_dir}.reproduce-{number}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ReproductionError(f"{out}: folder is not empty — give a new folder to reproduce into (--out)")
    out = claim_output(out, "reproduction", [*config.corpus.raw, run_dir], what="--out")
    out.mkdir(parents=True, exist_ok=True)
    write_marker(out, "reproduction", __version__)
    fresh = out / "run"
    corpus_config = replace(config.corpus, out=str(out / "corpus"), cache_dir=str(out / "cache"))
    run_config(replace(config, out=str(fresh), corpus=corpus_config), out=fresh, progress=progress, corpus=corpus)
    diff = compare_tables(run_dir, fresh)
    fresh_hash = read_manifest(fresh)["corpus"]["content_hash"]
    notes = ""
    if fresh_hash != manifest["corpus"]["content_hash"]:
        notes = (f"corpus content hash differs: {manifest['corpus']['content_hash']} (run) vs {fresh_hash} "
                 f"(now) — inputs, settings, resources or package versions changed")
        if diff:
            diff = notes + "\n" + diff
    return ReproduceResult(identical=not diff, diff=diff, fresh_dir=fresh, notes=notes)
