"""``topics reproduce RUN_DIR``: rerun a finished run from its manifest and compare every table."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from ..common.fileio import UMASK
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

    The corpus is rebuilt from the manifest's ``[corpus]`` settings (``corpus`` overrides it,
    for in-memory test corpora); no cached fit is reused. Tables compared: ``TABLES``.
    """
    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    config = experiment_from_mapping(manifest["config"])
    if out is None:
        fresh = Path(tempfile.mkdtemp(prefix=f"{run_dir.name}-reproduce-", dir=run_dir.parent))
        os.chmod(fresh, 0o777 & ~UMASK)
    else:
        fresh = Path(out)
        if fresh.exists() and any(fresh.iterdir()):
            raise ReproductionError(f"{fresh}: folder is not empty — give a new folder to reproduce into")
    if corpus is None and manifest["corpus"].get("path") is None:
        raise ReproductionError(f"{run_dir}: this run used an in-memory corpus — pass corpus= to reproduce it")
    run_config(replace(config, out=str(fresh)), out=fresh, progress=progress, corpus=corpus)
    diff = compare_tables(run_dir, fresh)
    fresh_hash = read_manifest(fresh)["corpus"]["content_hash"]
    notes = ""
    if fresh_hash != manifest["corpus"]["content_hash"]:
        notes = (f"corpus content hash differs: {manifest['corpus']['content_hash']} (run) vs {fresh_hash} "
                 f"(now) — inputs, settings, resources or package versions changed")
        if diff:
            diff = notes + "\n" + diff
    return ReproduceResult(identical=not diff, diff=diff, fresh_dir=fresh, notes=notes)
