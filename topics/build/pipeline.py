"""Build a speech-level corpus from raw documents: the orchestration of the builder stages.

Stage 1 — from raw files to a token store (:mod:`topics.build.tokenstore`), kept in the build cache:

1. files, as tasks of the shared executor (:mod:`topics.executor`: this process, local worker
   processes or a Dask cluster), through the per-file stages (:mod:`topics.build.stages`):
   ingest → boilerplate → speeches → repair → metadata → jieba segmentation and duplicate-finder
   sketch of each speech. Each file's result is cached by content hash
   (:mod:`topics.build.cache`), and so is the segmentation of each speech;
2. corpus-wide, in the main process: metadata overrides, duplicate links (from the workers'
   sketches; cached by the texts' hashes), the clean texts and every speech's token ids.

Stage 2 (:mod:`topics.build.units`) — from the token store to the corpus: stopwords and filters,
modelling units (whole speeches or paragraph chunks), tokens, dictionary and bag-of-words.

The token store is keyed by everything stage 1 depends on (inputs, builder code and rules,
segmenter, metadata overrides, duplicate threshold), so a rebuild after changing only stopwords,
filters, units or vocabulary settings reads no raw file and no cached file result: it goes
straight to stage 2, which works on integer arrays.

Results stream to disk file by file and speech by speech: while files are read, memory holds each
speech's ``doc_id`` and a few numbers (its row, tokens, text, sketch and shingles go to files in
the staging folder), the log and the vocabulary; the duplicate finder then holds the sketches'
signatures (512 bytes a speech) and a bounded block of candidates; stage 2 holds the speech
table, the vocabulary and one block of token ids — never the corpus text. Only the main
process writes: workers return results.
Everything is written into a temporary folder that replaces ``config.out`` only when the build
succeeds, so a failed build never leaves a half-written corpus. Building again with the same
inputs and settings (same content hash) returns the existing corpus at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Mapping
from functools import partial
from importlib.metadata import version as package_version
from operator import attrgetter
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
from tqdm import tqdm  # plain bars on stderr: tqdm.auto warns in notebooks without ipywidgets

from .. import __version__
from ..common.fileio import dumps_readable, sha256_file, sha256_json, staging_folder, temporary_folder
from ..common.checksums import mismatches, read_sums, write_sums
from ..common.outputs import claim_output, is_topics_output, is_within, write_marker
from ..config import BuildConfig, to_dict
from ..corpus import SPEECH_COLUMNS, BuiltCorpus, load_corpus, write_speeches_csv
from ..errors import InputFileError, TopicsError
from ..executor import plan, run_tasks, start_workers_early
from ..resources import Resource, describe
from . import uptodate
from .cache import BuildCache
from .dedup import DuplicateLink, SketchSpool, link_duplicates
from .lshensemble import BandingTable, banding_table
from .ingest import SkippedInput, survey
from .log import BuildLog
from .metadata import OVERRIDE_COLUMNS, apply_overrides, load_overrides
from .records import FoundSpeech, Speech
from .remote import portable_settings, with_file_bytes
from .report import write_reports
from .stages import (CORPUS_WIDE_MODULES, STAGE2_MODULES, FileResult, code_fingerprint, decode_result,
                     file_fingerprint, language_resources, make_tokenizer, process_file)
from .tokenize import Tokenizer
from .tokenstore import TokenStore, TokenStoreWriter, prune_stores, remove_stale_stores
from .units import build_units

__all__ = ["build_corpus", "content_hash"]


def _metadata_overrides(config: BuildConfig) -> Path | None:
    """The metadata-overrides CSV of the build, if one is set (a missing one is an error)."""
    if not config.metadata:
        return None
    path = Path(config.metadata)
    if not path.is_file():
        raise TopicsError(f"{config.metadata}: metadata file not found — check corpus.metadata (or --metadata)")
    return path


def _resource_record(config: BuildConfig, resources: dict[str, list[Resource]]) -> dict[str, Any]:
    """Every resource file of the build with its sha256: what the manifest and the report show."""
    record: dict[str, Any] = describe(resources)
    overrides = _metadata_overrides(config)
    record["metadata"] = [] if overrides is None else [{"file": str(overrides), "sha256": sha256_file(overrides)}]
    return record


def content_hash(config: BuildConfig, inputs: list[tuple[Path, str]], per_file: str,
                 resources: dict[str, list[Resource]]) -> tuple[str, list[dict[str, str]]]:
    """Hash of everything that determines the built corpus, and the per-input hashes.

    ``per_file`` is :func:`topics.build.stages.file_fingerprint`; the code of every build module
    (stage 1 and stage 2) is part of the hash.
    """
    cache = BuildCache(config.cache_dir)
    try:
        digests = cache.file_sha256s([path for path, _ in inputs])
    finally:
        cache.close()
    files = [{"source_file": name, "sha256": digest} for (_, name), digest in zip(inputs, digests)]
    payload = {
        "inputs": files,
        "settings": config.settings_for_hash(),
        "resources": {key: [entry["sha256"] for entry in files] for key, files in _resource_record(config, resources).items()},
        "per_file": per_file,
        "code": code_fingerprint(),
        "corpus_format": sha256_file(Path(__file__).parents[1] / "corpus.py"),
        "topics": __version__,
    }
    return sha256_json(payload), files


def _stage1_key(config: BuildConfig, input_hashes: list[dict[str, str]], per_file: str) -> str:
    """Hash of everything the token store depends on (and nothing that only stage 2 uses)."""
    overrides = _metadata_overrides(config)
    metadata = sha256_file(overrides) if overrides is not None else None
    return sha256_json(["token-store", input_hashes, per_file, metadata, config.duplicate_threshold,
                        config.strict, code_fingerprint(STAGE2_MODULES), __version__])


def _token_store(config: BuildConfig, inputs, input_hashes, per_file: str, tokenizer: Tokenizer, log: BuildLog,
                 progress: bool, workers: int, scheduler: str) -> TokenStore:
    """The token store of this build's stage 1: from the cache, else built (and cached) now."""
    stores = Path(config.cache_dir) / "token-stores"
    remove_stale_stores(stores)  # what a killed build left
    folder = stores / _stage1_key(config, input_hashes, per_file)
    if TokenStore.is_complete(folder) and not TokenStore.is_intact(folder):
        print(f"warning: {folder}: a cached token store changed since it was written — building it again",
              file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
    if TokenStore.is_complete(folder):
        store = TokenStore(folder)
        log.cache.update(files_cached=len(store.log_state["inputs"]), token_store="reused")
        for entry in store.log_state["skipped"]:
            print(f"warning: skipped {entry['source_file']}: {entry['reason']}", file=sys.stderr)
        return store
    # files must be read: the workers' imports overlap what this process does before the pool starts
    # (not earlier: a rebuild that reuses the token store would pay the server's imports on a busy core)
    start_workers_early(process_file, workers, scheduler)
    stores.mkdir(parents=True, exist_ok=True)
    building = temporary_folder(stores, f".{folder.name}.")
    try:
        writer = TokenStoreWriter(building, tokenizer.word_flags)
        try:
            read = _read_files(config, inputs, input_hashes, per_file, writer, building, log, progress, workers,
                               scheduler)
            links = _mark_duplicates(config, read, log)
        except BaseException:
            writer.abort()
            raise
        read.sketches.remove()
        writer.close(read.row_lines(links), log.stage1_state())
        read.remove()
        if TokenStore.is_complete(folder):  # another build finished the same store meanwhile
            shutil.rmtree(building)
        else:
            shutil.rmtree(folder, ignore_errors=True)  # a store left incomplete (deleted files, say)
            os.replace(building, folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    prune_stores(stores, keep=3)
    log.cache["token_store"] = "new"
    return TokenStore(folder)


def build_corpus(config: BuildConfig | None = None, progress: bool = True, force: bool = False,
                 workers: int = 1, scheduler: str = "") -> BuiltCorpus:
    """Build the corpus described by ``config`` into ``config.out`` and return it.

    Parameters
    ----------
    config : build settings (defaults: ``corpus/raw`` → ``build/corpus``).
    progress : show progress bars (on stderr).
    force : rebuild even when ``config.out`` already holds a corpus with the same content hash.
    workers, scheduler : where the per-file stages run (:func:`topics.executor.run_tasks`):
        worker processes (0 = one per core; 1 = this process) or a Dask scheduler address.
        The corpus is the same whatever they are.

    Returns
    -------
    BuiltCorpus loaded from ``config.out``.

    Examples
    --------
    >>> corpus = build_corpus(BuildConfig(out="build/corpus"))   # doctest: +SKIP
    >>> corpus.speeches[["doc_id", "year", "year_source"]].head()  # doctest: +SKIP
    """
    config = config or BuildConfig()
    started, started_cpu = time.perf_counter(), time.process_time()
    out = Path(config.out)
    found = survey(config.raw, config.metadata)
    facts = uptodate.snapshot(config, found)  # before the inputs are hashed: an edit during the build shows
    inputs = found.found
    claim_output(out, "corpus", [*config.raw, *([config.metadata] if config.metadata else [])],
                 what="--out, or corpus.out in the config", written=read_sums(out) if out.is_dir() else None)
    _check_cache_outside_inputs(config)
    _check_left_out(config, found.skipped)
    if not inputs:
        raise TopicsError(f"{', '.join(config.raw)}: no readable files found (.txt, .md, .docx …) — check the input path")
    resources = language_resources(config)
    tokenizer = make_tokenizer(config, resources)
    per_file = file_fingerprint(config, resources, tokenizer.fingerprint)
    digest, input_hashes = content_hash(config, inputs, per_file, resources)
    if not force and _is_current(out, digest):
        corpus = load_corpus(out)
        uptodate.record(config, facts, corpus)  # the next no-change build is decided before heavy imports
        return corpus

    with staging_folder(out) as workdir:
        write_marker(workdir, "corpus", __version__)
        log = BuildLog()
        store = _token_store(config, inputs, input_hashes, per_file, tokenizer, log, progress, workers, scheduler)
        log.restore(store.log_state)
        store.log_state = {}  # the log has it now, spooled to disk: not held twice, nor in memory
        _say_unused_metadata(config, log)
        log.skipped = [{"source_file": item.name, "reason": item.reason, "problem": item.problem}
                       for item in found.skipped] + log.skipped
        # the speech table as records (a record's attributes share their keys: a third of a dict's size)
        speeches = [Speech(**row) for row in store.speech_rows()]
        for speech in speeches:  # duplicates stay in the table; in the model only if asked for
            speech.in_model = not (speech.duplicate_of is not None and config.exclude_duplicates)
        dictionary = build_units(config, store, speeches, tokenizer, workdir, log)
        shutil.copyfile(store.folder / "texts.jsonl", workdir / "texts.jsonl")
        # the store's files were hashed when it was written, and checked when it was reused
        copied = {name: digest for name, digest in (read_sums(store.folder) or {}).items() if name == "texts.jsonl"}
        del store
        log.timings["total"] = round(time.perf_counter() - started, 3)
        log.timings["cpu_main_process"] = round(time.process_time() - started_cpu, 3)
        _write_speeches(speeches, workdir)
        manifest = {
            "content_hash": digest,
            "inputs": _inputs_with_encodings(input_hashes, log),
            "settings": to_dict(config),
            "resources": _resource_record(config, resources),
            "segmenter_fingerprint": tokenizer.fingerprint,
            "topics_version": __version__,
        }
        (workdir / "manifest.json").write_text(dumps_readable(manifest, sort_keys=True) + "\n",
                                               encoding="utf-8")
        log.resources = manifest["resources"]
        write_reports(workdir, [SpeechRow(speech) for speech in speeches], len(dictionary), log)
        del speeches, log
        write_sums(workdir, known=copied)  # every file's sha256, checked whenever the corpus is opened
    corpus = load_corpus(out, dictionary, verify=False)  # hashed a moment ago, by this process
    uptodate.record(config, facts, corpus)
    return corpus


class SpeechRow(Mapping):
    """A speech's row read from its record (column -> value), without a dict per speech."""

    __slots__ = ("speech",)

    def __init__(self, speech: Speech):
        self.speech = speech

    def __getitem__(self, column: str) -> Any:
        if column not in _COLUMN_SET:
            raise KeyError(column)
        return getattr(self.speech, column)

    def get(self, column: str, default: Any = None) -> Any:  # Mapping.get goes through a KeyError: 3x slower
        return getattr(self.speech, column) if column in _COLUMN_SET else default

    def __iter__(self) -> Iterator[str]:
        return iter(SPEECH_COLUMNS)

    def __len__(self) -> int:
        return len(SPEECH_COLUMNS)


_COLUMN_SET = frozenset(SPEECH_COLUMNS)


def _check_cache_outside_inputs(config: BuildConfig) -> None:
    """A cache inside an input folder would be written into the user's folder and read back as speeches."""
    cache = Path(config.cache_dir).expanduser().resolve()
    for given in config.raw:
        source = Path(given).expanduser().resolve()
        if source.is_dir() and is_within(cache, source):
            raise TopicsError(f"{config.cache_dir}: the build cache would be inside the input folder {given} — its files "
                              f"would be read as input; give a cache folder outside it (--cache, or corpus.cache_dir "
                              f"in the config)")


def _say_unused_metadata(config: BuildConfig, log: BuildLog) -> None:
    """A metadata row that matched no speech, or whose values are all in columns not read, is usually a
    typo whose correction is lost: said on the terminal (and in the report), an error with ``strict``.
    Extra columns beside read ones are not (a corpus's own table carries its source, url, …): the report lists them."""
    problems = list(log.overrides)
    if problems and config.strict:
        raise TopicsError(f"{problems[0]} (strict: fix the metadata table{', and see the rest' if len(problems) > 1 else ''})")
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)


def _check_left_out(config: BuildConfig, skipped: list[SkippedInput]) -> None:
    """Say what in the input folders is not read; with ``strict``, a file that should be is an error."""
    for item in skipped:
        if item.problem:
            if config.strict:
                raise InputFileError(item.path, *item.reason.split(" — ", 1)) if " — " in item.reason \
                    else InputFileError(item.path, item.reason, "remove it from the input folder")
            print(f"warning: skipped {item.path}: {item.reason}", file=sys.stderr)


def doc_bases(inputs: list[tuple[Path, str]]) -> dict[str, str]:
    """Each input's ``doc_id`` base: its name without the suffix (``sub/speech`` for
    ``sub/speech.txt``), or the whole name when two inputs would share it (``a.txt``, ``a.md``).
    A speech's ``doc_id`` is ``BASE#INDEX``, unique in the corpus."""
    bases = {name: name.rsplit(".", 1)[0] if "." in name.rsplit("/", 1)[-1] else name for _, name in inputs}
    counts: dict[str, int] = {}
    for base in bases.values():
        counts[base] = counts.get(base, 0) + 1
    return {name: base if counts[base] == 1 else name for name, base in bases.items()}


def _inputs_with_encodings(hashes: list[dict[str, str]], log: BuildLog) -> list[dict[str, Any]]:
    encodings = {entry["source_file"]: entry["encoding"] for entry in log.inputs}
    skipped = {entry["source_file"]: entry["reason"] for entry in log.skipped}
    return [dict(h, encoding=encodings.get(h["source_file"]), skipped=skipped.get(h["source_file"])) for h in hashes]


def _is_current(out: Path, digest: str) -> bool:
    """Does ``out`` hold this very corpus, intact? (A changed or truncated file means: build again.)"""
    manifest = out / "manifest.json"
    if not manifest.is_file() or not is_topics_output(out, "corpus"):
        return False
    try:
        if json.loads(manifest.read_text(encoding="utf-8")).get("content_hash") != digest:
            return False
    except (OSError, json.JSONDecodeError):
        return False
    changed = mismatches(out)
    if changed:
        print(f"warning: {out / changed[0]} changed since it was built — building the corpus again", file=sys.stderr)
        return False
    return True


# --------------------------------------------------------------------------------------------
# Stage 1: files → speeches (parallel, cached)
# --------------------------------------------------------------------------------------------


def _file_results(config: BuildConfig, inputs, input_hashes, per_file: str, cache: BuildCache,
                  log: BuildLog, workers: int, scheduler: str) -> Iterator[FileResult]:
    """FileResults in input order: from the cache, else from the executor's tasks."""
    # a result is reported under its file's name and doc_id base: both are part of its key, so the
    # same bytes under another name are processed again (their speeches cannot be someone else's)
    bases = doc_bases(inputs)
    keys = [sha256_json([per_file, h["sha256"], name, bases[name]]) for h, (_, name) in zip(input_hashes, inputs)]
    present = cache.has_files(keys)  # results load lazily, one at a time
    cached = [key in present for key in keys]
    jobs = ((str(path), name, bases[name]) for (path, name), hit in zip(inputs, cached) if not hit)  # read lazily
    n_jobs = cached.count(False)
    where = plan(n_jobs, workers, scheduler)
    log.execution = {"where": where.describe(), "backend": where.backend, "workers": where.workers,
                     "scheduler": where.scheduler, "files_processed": n_jobs}
    # small chunks: files differ a lot in size, and the last chunks decide when the pool ends
    chunksize = max(1, min(4, n_jobs // (16 * max(where.workers, 1))))
    shared: Any = config
    if where.backend == "dask":  # a worker there may share no disk with this process: send what it reads
        shared, jobs = portable_settings(config), with_file_bytes(jobs)
    fresh = run_tasks(process_file, jobs, shared=shared, workers=workers, scheduler=scheduler, chunksize=chunksize,
                      n_items=n_jobs)
    try:
        for (path, name), key, hit in zip(inputs, keys, cached):
            if hit:
                blob = cache.get_file_blob(key)
                stored = _decoded(blob, cache) if blob is not None else None
                if stored is not None:
                    log.cache["files_cached"] += 1
                    yield stored
                    continue
                result = process_file(config, (str(path), name, bases[name]))  # a damaged entry: read again
            else:
                result = next(fresh)
            log.cache["files_read"] += 1
            for label, seconds in zip(("cpu_workers_jieba", "cpu_workers_other"), result.cpu_seconds):
                log.timings[label] = round(log.timings.get(label, 0.0) + seconds, 3)
            log.cache["hits"] += result.segmentation_hits
            log.cache["misses"] += len(result.new_segmentations)
            if result.cache_blob is not None:  # encoded by the worker (skipped files are not cached)
                cache.put_file_blob(key, result.cache_blob, result.cache_blob_sha256)
                if result.new_segmentations:  # their tokens are in that blob
                    cache.put_segmentations(key, result.new_segmentations)
                result.cache_blob = None
            result.new_segmentations = []
            result.segmentation_hits = 0
            yield result
    finally:
        fresh.close()


def _decoded(blob: bytes, cache: BuildCache) -> FileResult | None:
    """A cached file result, or None when its bytes are not one (it is then processed again)."""
    try:
        return decode_result(blob)
    except (ValueError, KeyError, TypeError):
        cache.note_damaged("file result")
        return None


class _ReadSpeeches:
    """The speeches of stage 1 as they are read, kept in the staging folder, not in memory.

    Per speech, memory holds its ``doc_id`` and a few numbers (:class:`topics.build.dedup.SketchSpool`);
    its row goes to ``speeches.tmp`` (a JSON line), its sketch and shingles to the spool's files.
    """

    def __init__(self, folder: Path):
        self.path = folder / "speeches.tmp"
        self._out = open(self.path, "w", encoding="utf-8", newline="\n")
        self.doc_ids: list[str] = []
        self.sketches = SketchSpool(folder, folder / "texts.jsonl")
        self._texts = hashlib.sha256()  # of every (doc_id, text sha256): the key of the duplicate links

    def __len__(self) -> int:
        return len(self.doc_ids)

    def add(self, speech: Speech, found: FoundSpeech, text_offset: int) -> None:
        self._out.write(json.dumps(speech.row(), ensure_ascii=False) + "\n")
        self.doc_ids.append(speech.doc_id)
        self.sketches.add(found.sketch, found.shingles, text_offset)
        self._texts.update(json.dumps([speech.doc_id, found.text_sha256], ensure_ascii=False).encode("utf-8") + b"\n")

    def texts_digest(self) -> str:
        return self._texts.hexdigest()

    def close(self) -> None:
        self._out.close()
        self.sketches.close()

    def row_lines(self, links: dict[str, DuplicateLink]) -> Iterator[str]:
        """The rows in corpus order as JSON lines, with their duplicate links (the other lines as written)."""
        self.close()
        with open(self.path, encoding="utf-8") as handle:
            for doc_id, line in zip(self.doc_ids, handle):
                link = links.get(doc_id)
                if link is None:
                    yield line
                    continue
                row = json.loads(line)
                row["duplicate_of"], row["duplicate_kind"] = link.duplicate_of, link.kind
                yield json.dumps(row, ensure_ascii=False) + "\n"

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)
        self.sketches.remove()


def _read_files(config, inputs, input_hashes, per_file, store: TokenStoreWriter, folder: Path, log: BuildLog,
                progress: bool, workers: int, scheduler: str) -> _ReadSpeeches:
    """Speeches in corpus order (rows, sketches and shingles spooled in ``folder``).

    Writes every speech's clean text and tokens into the token store.
    """
    t0 = time.perf_counter()
    overrides_path = _metadata_overrides(config)
    overrides = load_overrides(overrides_path) if overrides_path is not None else None
    read = _ReadSpeeches(folder)
    cache = BuildCache(config.cache_dir)
    try:
        results = _file_results(config, inputs, input_hashes, per_file, cache, log, workers, scheduler)
        for result in tqdm(results, total=len(inputs), desc="reading", unit="file", disable=not progress,
                           file=sys.stderr):
            if result.skipped is not None:
                problem, advice = result.skipped
                path = next(path for path, name in inputs if name == result.name)  # rare: a linear search
                if config.strict:
                    raise InputFileError(path, problem, advice)
                log.skipped.append({"source_file": result.name, "reason": f"{problem} — {advice}"})
                tqdm.write(f"warning: skipped {path}: {problem} — {advice}", file=sys.stderr)  # above the bar, not in it
                continue
            log.inputs.append({"source_file": result.name, "encoding": result.encoding,
                               "n_lines": result.n_lines, "n_speeches": len(result.speeches)})
            log.removals.extend(result.removals)
            log.structure.extend(result.structure)
            log.repairs.extend(result.repairs)
            if not result.speeches:
                log.notes.append(f"{result.name}: no speech text left after boilerplate removal")
            for found in result.speeches:
                speech = found.speech
                if overrides is not None:
                    speech = apply_overrides(speech, speech, overrides)
                read.add(speech, found, store.add_text(found.text_json))
                store.add(found.tokens, found.line_numbers)
        store.flush_texts()  # the duplicate finder may read texts back
    except BaseException:
        read.remove()
        raise
    finally:
        read.close()
        cache.close()
    if overrides is not None:
        log.overrides.extend(list(overrides.idle_rows) + [str(item) for item in overrides.unmatched()])
        if overrides.ignored_columns:
            log.notes.append(f"{config.metadata}: columns ignored: {', '.join(overrides.ignored_columns)} "
                             f"(the columns read: {', '.join(OVERRIDE_COLUMNS)})")
    if not len(read):
        raise TopicsError(f"{', '.join(config.raw)}: no speech text found in any input file — see the warnings above")
    log.timings["read_segment_repair_metadata_jieba"] = round(time.perf_counter() - t0, 3)
    return read


def _mark_duplicates(config: BuildConfig, read: _ReadSpeeches, log: BuildLog) -> dict[str, DuplicateLink]:
    """Link near-duplicates and previews from the workers' sketches (cached by the texts' hash):
    ``doc_id -> link`` for every speech that repeats another, in corpus order; listed in the log."""
    t0 = time.perf_counter()
    cache = BuildCache(config.cache_dir)
    try:
        key = sha256_json(["dedup", config.duplicate_threshold, code_fingerprint(CORPUS_WIDE_MODULES | STAGE2_MODULES),
                           read.texts_digest()])
        stored = cache.get_json(key)
        if stored is not None:
            links = {entry[0]: DuplicateLink(*entry) for entry in stored}
        else:
            links = link_duplicates(read.doc_ids, read.sketches.table(), read.sketches.shingles_of,
                                    threshold=config.duplicate_threshold, banding=partial(_stored_banding, cache))
            cache.put_json(key, [[link.doc_id, link.duplicate_of, link.kind, link.similarity] for link in links.values()])
    finally:
        cache.close()
    log.duplicates = [{"doc_id": link.doc_id, "duplicate_of": link.duplicate_of, "kind": link.kind,
                       "similarity": round(link.similarity, 4)} for link in links.values()]
    log.timings["dedup"] = round(time.perf_counter() - t0, 3)
    return links


def _stored_banding(cache: BuildCache, threshold: float, num_perm: int) -> BandingTable:
    """The LSH Ensemble's banding table (0.23 s to compute in a fresh process, a pure function of its arguments and
    datasketch's version), kept in the build cache."""
    key = sha256_json(["lsh-banding", threshold, num_perm, package_version("datasketch")])
    stored = cache.get_json(key)
    try:  # data only; anything but a well-formed table is computed again
        ratios, bands = np.asarray(stored[0], dtype=np.float64), np.asarray(stored[1], dtype=np.int64)
        if ratios.ndim == 1 and bands.shape == (len(ratios), 2) and len(ratios) and (bands >= 1).all():
            return ratios, bands
    except (TypeError, ValueError, IndexError, KeyError):
        pass
    ratios, bands = banding_table(threshold, num_perm)
    cache.put_json(key, [ratios.tolist(), bands.tolist()])  # floats round-trip exactly through JSON
    return ratios, bands


def _write_speeches(speeches: list[Speech], workdir: Path) -> None:
    # rows as tuples: pandas converts them exactly as it converts dicts (one object array, then a
    # type per column), without a dict per speech
    frame = pd.DataFrame(list(map(attrgetter(*SPEECH_COLUMNS), speeches)), columns=SPEECH_COLUMNS)
    for column in ("start_char", "end_char", "year"):
        frame[column] = frame[column].astype("Int64")
    with open(workdir / "speeches.csv", "w", encoding="utf-8", newline="\n") as handle:
        write_speeches_csv(frame, handle)
