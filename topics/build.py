"""Build a speech-level corpus from raw documents: the orchestration of the builder stages.

Stage 1 — from raw files to a token store (:mod:`topics.tokenstore`), kept in the build cache:

1. files, in parallel worker processes (:mod:`topics.fileworker`): ingest → boilerplate →
   segment → repair → metadata → jieba segmentation and duplicate-finder sketch of each speech.
   Each file's result is cached by content hash (:mod:`topics.buildcache`), and so is the
   segmentation of each speech;
2. corpus-wide, in the main process: metadata overrides, duplicate links (from the workers'
   sketches; cached by the texts' hashes), the clean texts and every speech's token ids.

Stage 2 (:mod:`topics.buildunits`) — from the token store to the corpus: stopwords and filters,
modelling units (whole speeches or paragraph chunks), tokens, dictionary and bag-of-words.

The token store is keyed by everything stage 1 depends on (inputs, builder code and rules,
segmenter, metadata overrides, duplicate threshold), so a rebuild after changing only stopwords,
filters, units or vocabulary settings reads no raw file and no cached file result: it goes
straight to stage 2, which works on integer arrays.

Results stream to disk file by file and speech by speech, so memory holds the per-speech table,
the duplicate finder's sketches (512 bytes a speech), the vocabulary and one block of token ids,
never the corpus text.
Everything is written into a temporary folder that replaces ``config.out`` only when the build succeeds, so a failed
build never leaves a half-written corpus. Building again with the same inputs and settings (same
content hash) returns the existing corpus at once.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from . import __version__, bow, buildunits, dedup
from . import tokenstore as tokenstore_module
from .buildcache import BuildCache
from .buildreport import write_reports
from .buildunits import build_units
from .config import BuildConfig, to_dict
from .corpus import SPEECH_COLUMNS, BuiltCorpus, load_corpus, write_speeches_csv
from .dedup import Sketch, link_duplicates, shingles
from .errors import InputFileError, TopicsError
from .fileio import dumps_readable, sha256_bytes, sha256_file, sha256_json
from .fileworker import FileProcessor, FileResult, init_worker, process_in_worker, processing_fingerprint
from .ingest import discover
from .metadata import apply_overrides, load_overrides
from .tokenize import Tokenizer
from .tokenstore import TokenStore, TokenStoreWriter, prune_stores


@dataclass
class BuildLog:
    """What the build saw and did; becomes report.md / report.json."""

    inputs: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    removals: list[dict[str, Any]] = field(default_factory=list)
    repairs: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=lambda: {"files_cached": 0, "files_read": 0, "hits": 0, "misses": 0})

    _STAGE1 = ("inputs", "skipped", "removals", "repairs", "duplicates", "overrides", "notes")

    def stage1_state(self) -> dict[str, Any]:
        """What stage 1 logged, to keep with the token store."""
        return {name: list(getattr(self, name)) for name in self._STAGE1}

    def restore(self, state: dict[str, Any]) -> None:
        """Take over what stage 1 logged (when the token store comes from the cache, or was just built)."""
        for name in self._STAGE1:
            setattr(self, name, list(state[name]))


def _resource_hashes(config: BuildConfig) -> dict[str, str | None]:
    """Hash every language resource, so that editing one changes the content hash."""
    paths = {"userdict": config.userdict, "repairs": config.repairs,
             "boilerplate": config.boilerplate, "metadata": config.metadata}
    for i, path in enumerate(config.stopwords):
        paths[f"stopwords[{i}]"] = path
    hashes: dict[str, str | None] = {}
    for key, path in paths.items():
        if Path(path).is_file():
            hashes[key] = sha256_file(path)
        elif key == "metadata":
            hashes[key] = None  # overrides are optional
        else:
            raise TopicsError(f"{path}: {key} file not found — run from the project root or set "
                              f"corpus.{key.split('[')[0]} in the config")
    return hashes


def content_hash(config: BuildConfig, inputs: list[tuple[Path, str]], processing: str) -> tuple[str, list[dict[str, str]]]:
    """Hash of everything that determines the built corpus, and the per-input hashes."""
    cache = BuildCache(config.cache_dir)
    try:
        digests = cache.file_sha256s([path for path, _ in inputs])
    finally:
        cache.close()
    files = [{"source_file": name, "sha256": digest} for (_, name), digest in zip(inputs, digests)]
    payload = {
        "inputs": files,
        "settings": config.settings_for_hash(),
        "resources": _resource_hashes(config),
        "processing": processing,  # builder code, rules and segmenter (see fileworker)
        "dedup": sha256_bytes(Path(dedup.__file__).read_bytes()),
        "stage2": [sha256_bytes(Path(module.__file__).read_bytes()) for module in (buildunits, bow, tokenstore_module)],
        "topics": __version__,
    }
    return sha256_json(payload), files


def _stage1_key(config: BuildConfig, input_hashes: list[dict[str, str]], processing: str) -> str:
    """Hash of everything the token store depends on (and nothing that only stage 2 uses)."""
    metadata = sha256_file(config.metadata) if Path(config.metadata).is_file() else None
    code = [sha256_bytes(Path(module.__file__).read_bytes()) for module in (dedup, tokenstore_module)]
    return sha256_json(["token-store", input_hashes, processing, metadata, config.duplicate_threshold,
                        config.strict, code, sha256_bytes(Path(__file__).read_bytes()), __version__])


def _token_store(config: BuildConfig, inputs, input_hashes, processing: str, tokenizer: Tokenizer, log: "BuildLog",
                 progress: bool) -> TokenStore:
    """The token store of this build's stage 1: from the cache, else built (and cached) now."""
    stores = Path(config.cache_dir) / "token-stores"
    folder = stores / _stage1_key(config, input_hashes, processing)
    if TokenStore.is_complete(folder):
        store = TokenStore(folder)
        log.cache.update(files_cached=len(store.log_state["inputs"]), token_store="reused")
        for entry in store.log_state["skipped"]:
            print(f"warning: skipped {entry['source_file']}: {entry['reason']}", file=sys.stderr)
        return store
    stores.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=stores))
    try:
        writer = TokenStoreWriter(building)
        try:
            speeches, sketches, spool = _read_files(config, inputs, input_hashes, processing, writer, building, log,
                                                    progress)
            _mark_duplicates(config, speeches, sketches, spool, building, log)
        except BaseException:
            writer.abort()
            raise
        (building / "shingles.tmp").unlink()
        writer.close(speeches, log.stage1_state(), tokenizer.word_flags)
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


def build_corpus(config: BuildConfig | None = None, progress: bool = True, force: bool = False) -> BuiltCorpus:
    """Build the corpus described by ``config`` into ``config.out`` and return it.

    Parameters
    ----------
    config : build settings (defaults: ``corpus/raw`` → ``build/corpus``).
    progress : show progress bars (on stderr).
    force : rebuild even when ``config.out`` already holds a corpus with the same content hash.

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
    inputs = discover(config.raw)
    if not inputs:
        raise TopicsError(f"{', '.join(config.raw)}: no .txt, .md or .docx files found — check the input path")
    tokenizer = Tokenizer(config.userdict, config.stopwords, drop_single_chars=config.drop_single_chars)
    processing = processing_fingerprint(config, tokenizer.fingerprint)
    digest, input_hashes = content_hash(config, inputs, processing)
    if not force and _is_current(out, digest):
        return load_corpus(out)

    out.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        log = BuildLog()
        store = _token_store(config, inputs, input_hashes, processing, tokenizer, log, progress)
        log.restore(store.log_state)
        speeches = [dict(row, n_tokens=0, n_units=0) for row in store.speeches]
        for row in speeches:  # duplicates stay in the table; in the model only if asked for
            row["in_model"] = not (row["duplicate_of"] is not None and config.exclude_duplicates)
        dictionary = build_units(config, store, speeches, tokenizer, workdir, log)
        shutil.copyfile(store.folder / "texts.jsonl", workdir / "texts.jsonl")
        del store
        log.timings["total"] = round(time.perf_counter() - started, 3)
        log.timings["cpu_main_process"] = round(time.process_time() - started_cpu, 3)
        _write_tables(speeches, workdir)
        manifest = {
            "content_hash": digest,
            "inputs": _inputs_with_encodings(input_hashes, log),
            "settings": to_dict(config),
            "resources": _resource_hashes(config),
            "segmenter_fingerprint": tokenizer.fingerprint,
            "topics_version": __version__,
        }
        (workdir / "manifest.json").write_text(dumps_readable(manifest, sort_keys=True) + "\n",
                                               encoding="utf-8")
        write_reports(workdir, speeches, dictionary, log)
        _replace_dir(workdir, out)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return load_corpus(out, dictionary)


def _inputs_with_encodings(hashes: list[dict[str, str]], log: BuildLog) -> list[dict[str, Any]]:
    encodings = {entry["source_file"]: entry["encoding"] for entry in log.inputs}
    skipped = {entry["source_file"]: entry["reason"] for entry in log.skipped}
    return [dict(h, encoding=encodings.get(h["source_file"]), skipped=skipped.get(h["source_file"])) for h in hashes]


def _is_current(out: Path, digest: str) -> bool:
    manifest = out / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("content_hash") == digest
    except (OSError, json.JSONDecodeError):
        return False


def _replace_dir(new: Path, out: Path) -> None:
    """Swap the finished build into place; the old corpus is removed only after the swap."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(new, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Stage 1: files → speeches (parallel, cached)
# --------------------------------------------------------------------------------------------


def _file_results(config: BuildConfig, inputs, input_hashes, processing: str, cache: BuildCache,
                  log: BuildLog) -> Iterator[FileResult]:
    """FileResults in input order: from the cache, else from worker processes."""
    keys = [sha256_json([processing, h["sha256"]]) for h in input_hashes]
    present = cache.has_files(keys)  # results load lazily, one at a time
    cached = [key in present for key in keys]
    jobs = [(str(path), name) for (path, name), hit in zip(inputs, cached) if not hit]
    workers = min(config.workers or os.cpu_count() or 1, max(1, len(jobs)))
    pool = None
    if jobs and workers > 1:
        ctx = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
        pool = ctx.Pool(workers, initializer=init_worker, initargs=(config,))
        # small chunks: files differ a lot in size, and the last chunks decide when the pool ends
        fresh: Iterator[FileResult] = pool.imap(process_in_worker, jobs, chunksize=max(1, min(4, len(jobs) // (16 * workers))))
    else:
        processor = FileProcessor(config) if jobs else None
        fresh = map(processor, jobs) if processor else iter(())
    try:
        for key, hit in zip(keys, cached):
            if hit:
                log.cache["files_cached"] += 1
                yield cache.get_file(key)
                continue
            result = next(fresh)
            log.cache["files_read"] += 1
            for label, seconds in zip(("cpu_workers_jieba", "cpu_workers_other"), result.cpu_seconds):
                log.timings[label] = round(log.timings.get(label, 0.0) + seconds, 3)
            if result.new_segmentations:
                cache.put_segmentations(result.new_segmentations)
            log.cache["hits"] += result.segmentation_hits
            log.cache["misses"] += len(result.new_segmentations)
            result.new_segmentations = []
            result.segmentation_hits = 0
            if result.cache_blob is not None:  # encoded by the worker (skipped files are not cached)
                cache.put_file_blob(key, result.cache_blob)
                result.cache_blob = None
            yield result
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _read_files(config, inputs, input_hashes, processing, store: TokenStoreWriter, folder: Path, log: BuildLog,
                progress: bool) -> tuple[list[dict[str, Any]], list[tuple[Sketch, str]], ShingleSpool]:
    """Speech rows in corpus order, each speech's duplicate-finder sketch and text hash, and their shingles.

    Writes every speech's clean text and tokens into the token store.
    """
    t0 = time.perf_counter()
    overrides = load_overrides(config.metadata) if Path(config.metadata).is_file() else None
    paths = {name: path for path, name in inputs}
    rows: list[dict[str, Any]] = []
    sketches: list[tuple[Sketch, str]] = []
    cache = BuildCache(config.cache_dir)
    spool = ShingleSpool(folder / "shingles.tmp")
    try:
        texts = store.texts
        results = _file_results(config, inputs, input_hashes, processing, cache, log)
        for result in tqdm(results, total=len(inputs), desc="reading", unit="file", disable=not progress,
                           file=sys.stderr):
            if result.skipped is not None:
                problem, advice = result.skipped
                if config.strict:
                    raise InputFileError(paths[result.name], problem, advice)
                log.skipped.append({"source_file": result.name, "reason": f"{problem} — {advice}"})
                print(f"warning: skipped {paths[result.name]}: {problem} — {advice}", file=sys.stderr)
                continue
            log.inputs.append({"source_file": result.name, "encoding": result.encoding,
                               "n_lines": result.n_lines, "n_speeches": len(result.speeches)})
            log.removals.extend(result.removals)
            log.repairs.extend(result.repairs)
            if not result.speeches:
                log.notes.append(f"{result.name}: no speech text left after boilerplate removal")
            for speech in result.speeches:
                rows.append(_speech_row(speech, result.encoding, overrides))
                sketches.append((speech.sketch, speech.text_sha256))
                texts.write(speech.text_json + "\n")
                spool.add(len(rows) - 1, speech.shingles)
                store.add(speech.tokens, speech.line_numbers)
        texts.flush()  # the duplicate finder may read texts back
    finally:
        spool.close()
        cache.close()
    if overrides is not None:
        log.overrides.extend(str(item) for item in overrides.unmatched())
        if overrides.ignored_columns:
            log.notes.append(f"{config.metadata}: columns ignored: {', '.join(overrides.ignored_columns)}")
    if not rows:
        raise TopicsError(f"{', '.join(config.raw)}: no speech text found in any input file — see the warnings above")
    log.timings["read_segment_repair_metadata_jieba"] = round(time.perf_counter() - t0, 3)
    return rows, sketches, spool


def _speech_row(speech, encoding: str, overrides) -> dict[str, Any]:
    meta = speech.meta if overrides is None else apply_overrides(speech.meta, speech, overrides)
    return {
        "doc_id": speech.doc_id, "source_file": speech.source_file,
        "start_line": speech.start_line, "end_line": speech.end_line,
        "start_char": speech.start_char, "end_char": speech.end_char, "heading": speech.heading,
        "title": meta.title, "year": meta.year, "year_source": meta.year_source,
        "year_evidence": meta.year_evidence, "genre": meta.genre, "admin_level": meta.admin_level,
        "place": meta.place, "duplicate_of": None, "duplicate_kind": None, "in_model": True,
        "encoding": encoding, "boundary": speech.boundary,
        "n_chars": speech.n_chars, "n_tokens": 0, "n_units": 0,
    }


class ShingleSpool:
    """``shingles.tmp``: the workers' shingle arrays, kept on disk for the duplicate finder's exact check.

    Results from the file cache carry no shingles; those speeches are shingled again from
    ``texts.jsonl`` if they turn out to be candidates.
    """

    def __init__(self, path: Path):
        self.path = path
        self._out = open(path, "wb")
        self._where: dict[int, tuple[int, int]] = {}  # position -> (offset, length)
        self._offset = 0

    def add(self, position: int, values: Any) -> None:
        if values is not None:
            self._out.write(values.tobytes())
            self._where[position] = (self._offset, len(values))
            self._offset += values.nbytes

    def close(self) -> None:
        self._out.close()

    def shingles_of(self, wanted: set[int], texts: Path) -> dict[int, Any]:
        """Shingles of the speeches at the positions ``wanted``."""
        found = {}
        with open(self.path, "rb") as handle:
            for position in sorted(wanted & self._where.keys()):
                offset, length = self._where[position]
                handle.seek(offset)
                found[position] = np.frombuffer(handle.read(length * 4), dtype=np.uint32)
        missing = wanted - found.keys()
        if missing:
            with open(texts, encoding="utf-8") as handle:
                for position, line in enumerate(handle):
                    if position in missing:
                        found[position] = shingles(json.loads(line)["text"])
        return found


def _mark_duplicates(config: BuildConfig, speeches: list[dict[str, Any]], sketches: list[tuple[Sketch, str]],
                     spool: ShingleSpool, workdir: Path, log: BuildLog) -> None:
    """Link near-duplicates and previews from the workers' sketches; the links are cached by the texts' hash."""
    t0 = time.perf_counter()
    cache = BuildCache(config.cache_dir)
    try:
        key = sha256_json(["dedup", config.duplicate_threshold, sha256_bytes(Path(dedup.__file__).read_bytes()),
                           [(row["doc_id"], text_hash) for row, (_, text_hash) in zip(speeches, sketches)]])
        links = cache.get_file(key)
        if links is None:
            links = link_duplicates([row["doc_id"] for row in speeches], [sketch for sketch, _ in sketches],
                                    lambda wanted: spool.shingles_of(wanted, workdir / "texts.jsonl"),
                                    threshold=config.duplicate_threshold)
            cache.put_file(key, links)
    finally:
        cache.close()
    for row in speeches:
        link = links.get(row["doc_id"])
        if link is None:
            continue
        row["duplicate_of"] = link.duplicate_of
        row["duplicate_kind"] = link.kind
        log.duplicates.append({"doc_id": link.doc_id, "duplicate_of": link.duplicate_of,
                               "kind": link.kind, "similarity": round(link.similarity, 4)})
    log.timings["dedup"] = round(time.perf_counter() - t0, 3)


def _write_tables(speeches: list[dict[str, Any]], workdir: Path) -> None:
    frame = pd.DataFrame(speeches, columns=SPEECH_COLUMNS)
    for column in ("start_char", "end_char", "year"):
        frame[column] = frame[column].astype("Int64")
    with open(workdir / "speeches.csv", "w", encoding="utf-8", newline="") as handle:
        write_speeches_csv(frame, handle)


__all__ = ["build_corpus", "content_hash", "BuildLog", "InputFileError"]
