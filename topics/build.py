"""Build a speech-level corpus from raw documents: the orchestration of the builder stages.

Two streaming passes keep memory flat as the corpus grows (only the per-speech metadata rows,
the duplicate finder's sketches and the vocabulary stay in memory):

1. per file: ingest → boilerplate → segment → repair → metadata; clean texts go to disk.
   Then near-duplicates are found over the clean texts.
2. per speech: jieba segmentation (parallel worker processes, cached by content hash so that a
   rebuild after changing stopwords or filters does not segment again) → filters → modelling
   units (whole speeches or paragraph chunks) → tokens, dictionary and bag-of-words on disk.

Everything is written into a temporary folder that replaces ``config.out`` only when the build
succeeds, so a failed build never leaves a half-written corpus. Building again with the same
inputs and settings (same content hash) returns the existing corpus at once.
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

import pandas as pd
from gensim.corpora import Dictionary, MmCorpus
from tqdm.auto import tqdm

from . import __version__
from .boilerplate import load_rules, strip_boilerplate
from .buildreport import write_reports
from .config import BuildConfig, to_dict
from .corpus import SPEECH_COLUMNS, UNIT_COLUMNS, BuiltCorpus, load_corpus, write_speeches_csv
from .dedup import find_duplicates
from .errors import InputFileError, TopicsError
from .fileio import sha256_file, sha256_json
from .ingest import SkippedFile, discover, ingest
from .metadata import apply_overrides, infer_metadata, load_overrides
from .repair import load_repairs, repair_segment
from .segcache import SegmentationCache
from .segment import segment
from .tokenize import Tokenizer


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
    cache: dict[str, int] = field(default_factory=lambda: {"hits": 0, "misses": 0})


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
            raise TopicsError(f"{path}: {key} file not found — run from the project root or set corpus.{key.split('[')[0]} in the config")
    return hashes


def content_hash(config: BuildConfig, inputs: list[tuple[Path, str]]) -> tuple[str, list[dict[str, str]]]:
    """Hash of everything that determines the built corpus, and the per-input hashes."""
    files = [{"source_file": name, "sha256": sha256_file(path)} for path, name in inputs]
    import jieba  # the segmenter's version changes the tokens

    payload = {
        "inputs": files,
        "settings": config.settings_for_hash(),
        "resources": _resource_hashes(config),
        "topics": __version__,
        "jieba": jieba.__version__,
    }
    return sha256_json(payload), files


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
    started = time.perf_counter()
    out = Path(config.out)
    inputs = discover(config.raw)
    if not inputs:
        raise TopicsError(f"{', '.join(config.raw)}: no .txt, .md or .docx files found — check the input path")
    digest, input_hashes = content_hash(config, inputs)
    if not force and _is_current(out, digest):
        return load_corpus(out)

    out.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        log = BuildLog()
        speeches = _pass_one(config, inputs, workdir, log, progress)
        _mark_duplicates(config, speeches, workdir, log)
        tokenizer = Tokenizer(config.userdict, config.stopwords, drop_single_chars=config.drop_single_chars)
        _pass_two(config, speeches, tokenizer, workdir, log, progress)
        dictionary = _write_dictionary_and_bow(config, workdir, log)
        log.timings["total"] = round(time.perf_counter() - started, 3)
        _write_tables(speeches, workdir)
        manifest = {
            "content_hash": digest,
            "inputs": _inputs_with_encodings(input_hashes, log),
            "settings": to_dict(config),
            "resources": _resource_hashes(config),
            "segmenter_fingerprint": tokenizer.fingerprint,
            "topics_version": __version__,
        }
        (workdir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        write_reports(workdir, speeches, dictionary, log)
        _replace_dir(workdir, out)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return load_corpus(out)


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
# Pass 1: files → clean speeches with metadata
# --------------------------------------------------------------------------------------------


def _pass_one(config: BuildConfig, inputs, workdir: Path, log: BuildLog, progress: bool) -> list[dict[str, Any]]:
    t0 = time.perf_counter()
    rules = load_rules(config.boilerplate)
    repairs = load_repairs(config.repairs)
    overrides = load_overrides(config.metadata) if Path(config.metadata).is_file() else None
    rows: list[dict[str, Any]] = []
    with open(workdir / "texts.jsonl", "w", encoding="utf-8", newline="\n") as texts:
        stream = ingest(config.raw, strict=config.strict)
        for source in tqdm(stream, total=len(inputs), desc="reading", unit="file", disable=not progress, file=sys.stderr):
            if isinstance(source, SkippedFile):
                log.skipped.append({"source_file": source.name, "reason": source.reason})
                print(f"warning: skipped {source.path}: {source.reason}", file=sys.stderr)
                continue
            lines, removals = strip_boilerplate(source, rules)
            log.removals.extend({"source_file": r.source_file, "line": r.line, "start": r.start, "end": r.end,
                                 "rule": r.rule, "text": r.text} for r in removals)
            segments = segment(lines, source.name, mode=config.split)
            log.inputs.append({"source_file": source.name, "encoding": source.encoding,
                               "n_lines": len(source.lines()), "n_speeches": len(segments)})
            if not segments:
                log.notes.append(f"{source.name}: no speech text left after boilerplate removal")
            for seg in segments:
                fixed, applied = repair_segment(seg, repairs)
                log.repairs.extend({"source_file": r.source_file, "line": r.line, "kind": r.kind, "rule": r.rule,
                                    "before": r.before, "after": r.after, "count": r.count} for r in applied)
                meta = infer_metadata(fixed)
                if overrides is not None:
                    meta = apply_overrides(meta, fixed, overrides)
                doc_id = f"{Path(source.name).stem}#{seg.index}"
                text = fixed.text
                # line_numbers[i] is the source line of text.split("\n")[i]: units keep their provenance
                texts.write(json.dumps({"doc_id": doc_id, "text": text,
                                        "line_numbers": [line.number for line in fixed.lines]},
                                       ensure_ascii=False) + "\n")
                rows.append({
                    "doc_id": doc_id, "source_file": source.name,
                    "start_line": seg.start_line, "end_line": seg.end_line,
                    "start_char": seg.start_char, "end_char": seg.end_char, "heading": seg.heading,
                    "title": meta.title, "year": meta.year, "year_source": meta.year_source,
                    "year_evidence": meta.year_evidence, "genre": meta.genre, "admin_level": meta.admin_level,
                    "place": meta.place, "duplicate_of": None, "duplicate_kind": None, "in_model": True,
                    "encoding": source.encoding, "boundary": seg.boundary,
                    "n_chars": sum(1 for ch in text if not ch.isspace()), "n_tokens": 0, "n_units": 0,
                })
    if overrides is not None:
        log.overrides.extend(str(item) for item in overrides.unmatched())
        if overrides.ignored_columns:
            log.notes.append(f"{config.metadata}: columns ignored: {', '.join(overrides.ignored_columns)}")
    if not rows:
        raise TopicsError(f"{', '.join(config.raw)}: no speech text found in any input file — see the warnings above")
    log.timings["read_segment_repair"] = round(time.perf_counter() - t0, 3)
    return rows


def _iter_texts(path: Path) -> Iterator[tuple[str, str]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            yield record["doc_id"], record["text"]


def _mark_duplicates(config: BuildConfig, speeches: list[dict[str, Any]], workdir: Path, log: BuildLog) -> None:
    t0 = time.perf_counter()
    links = find_duplicates(_iter_texts(workdir / "texts.jsonl"), threshold=config.duplicate_threshold)
    for row in speeches:
        link = links.get(row["doc_id"])
        if link is None:
            continue
        row["duplicate_of"] = link.duplicate_of
        row["duplicate_kind"] = link.kind
        row["in_model"] = not config.exclude_duplicates
        log.duplicates.append({"doc_id": link.doc_id, "duplicate_of": link.duplicate_of,
                               "kind": link.kind, "similarity": round(link.similarity, 4)})
    log.timings["dedup"] = round(time.perf_counter() - t0, 3)


# --------------------------------------------------------------------------------------------
# Pass 2: speeches → tokens → modelling units
# --------------------------------------------------------------------------------------------

_WORKER_TOKENIZER: Tokenizer | None = None


def _init_worker(userdict: str, stopwords: tuple[str, ...], drop_single_chars: bool) -> None:
    global _WORKER_TOKENIZER
    _WORKER_TOKENIZER = Tokenizer(userdict, stopwords, drop_single_chars=drop_single_chars)


def _segment_lines(lines: list[str]) -> str:
    """Segment a speech's lines in a worker; returns one line of space-joined tokens per input line.

    A single string crosses the process boundary instead of nested lists: far cheaper to pickle.
    """
    assert _WORKER_TOKENIZER is not None
    return "\n".join(" ".join(_WORKER_TOKENIZER.segment(line)) for line in lines)


def _iter_records(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _segmented_speeches(config, records: Iterator[dict[str, Any]], tokenizer, log, progress, total: int,
                        batch_size: int = 256) -> Iterator[list[list[str]]]:
    """Raw jieba tokens per line of every speech, in order: from the cache, else from workers.

    Speeches are streamed in batches, so memory holds one batch of texts, never the corpus.
    """
    cache = SegmentationCache(Path(config.cache_dir), tokenizer.fingerprint)
    workers = config.workers or os.cpu_count() or 1
    pool = None
    bar = tqdm(total=total, desc="segmenting", unit="speech", disable=not progress, file=sys.stderr)
    try:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(record)
            if len(batch) < batch_size:
                continue
            pool = yield from _segment_batch(batch, cache, tokenizer, config, workers, pool, log, bar)
            batch = []
        if batch:
            pool = yield from _segment_batch(batch, cache, tokenizer, config, workers, pool, log, bar)
    finally:
        bar.close()
        if pool is not None:
            pool.close()
            pool.join()
        cache.close()


def _segment_batch(batch, cache, tokenizer, config, workers, pool, log, bar):
    """Yield one batch's segmented speeches; starts the worker pool the first time it is needed."""
    global _WORKER_TOKENIZER
    keys = [cache.key(record["text"]) for record in batch]
    cached = cache.get_many(keys)
    missing = [i for i, key in enumerate(keys) if key not in cached]
    log.cache["hits"] += len(batch) - len(missing)
    log.cache["misses"] += len(missing)
    jobs = [batch[i]["text"].split("\n") for i in missing]
    if jobs and workers > 1:
        if pool is None:
            ctx = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
            pool = ctx.Pool(workers, initializer=_init_worker,
                            initargs=(config.userdict, tuple(config.stopwords), config.drop_single_chars))
        fresh = pool.imap(_segment_lines, jobs, chunksize=max(1, len(jobs) // (4 * workers)))
    else:
        _WORKER_TOKENIZER = tokenizer
        fresh = map(_segment_lines, jobs)
    fresh_by_index = dict(zip(missing, fresh))
    cache.put_many((keys[i], joined) for i, joined in fresh_by_index.items())
    for i, key in enumerate(keys):
        joined = fresh_by_index[i] if i in fresh_by_index else cached[key]
        bar.update(1)
        yield [line.split(" ") if line else [] for line in joined.split("\n")]
    return pool


def _chunks(line_numbers: list[int], line_tokens: list[list[str]], unit: str, min_tokens: int):
    """Group a speech's lines into modelling units: (start_line, end_line, tokens)."""
    if unit == "speech":
        tokens = [tok for toks in line_tokens for tok in toks]
        return [(line_numbers[0], line_numbers[-1], tokens)] if line_numbers else []
    chunks: list[tuple[int, int, list[str]]] = []
    current: list[str] = []
    start = None
    for number, toks in zip(line_numbers, line_tokens):
        if start is None:
            start = number
        current.extend(toks)
        if len(current) >= min_tokens:
            chunks.append((start, number, current))
            current, start = [], None
    if current:
        if chunks:  # a short tail joins the previous chunk rather than standing alone
            s, _, toks = chunks[-1]
            chunks[-1] = (s, line_numbers[-1], toks + current)
        else:
            chunks.append((start, line_numbers[-1], current))
    return chunks


def _pass_two(config: BuildConfig, speeches, tokenizer: Tokenizer, workdir: Path, log: BuildLog, progress: bool) -> None:
    t0 = time.perf_counter()
    with open(workdir / "tokens.txt", "w", encoding="utf-8", newline="\n") as tokens_out, \
            open(workdir / "units.csv", "w", encoding="utf-8", newline="\n") as units_out:
        units_out.write(",".join(UNIT_COLUMNS) + "\n")
        records = _iter_records(workdir / "texts.jsonl")
        numbers_by_doc = (record["line_numbers"] for record in _iter_records(workdir / "texts.jsonl"))
        segmented = _segmented_speeches(config, records, tokenizer, log, progress, total=len(speeches))
        for row, raw_lines, numbers in zip(speeches, segmented, numbers_by_doc):
            filtered = [tokenizer.filter(toks) for toks in raw_lines]
            row["n_tokens"] = sum(len(toks) for toks in filtered)
            if not row["in_model"]:
                continue
            chunks = [c for c in _chunks(numbers, filtered, config.unit, config.chunk_min_tokens) if c[2]]
            row["n_units"] = len(chunks)
            if not chunks:
                row["in_model"] = False
                log.notes.append(f"{row['doc_id']}: no tokens left after filtering; left out of the model")
            for chunk_index, (start, end, toks) in enumerate(chunks):
                units_out.write(f"{row['doc_id']}/{chunk_index},{row['doc_id']},{chunk_index},{start},{end},{len(toks)}\n")
                tokens_out.write(" ".join(toks) + "\n")
    log.timings["tokenize"] = round(time.perf_counter() - t0, 3)


def _iter_token_file(path: Path) -> Iterator[list[str]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            yield line.split(" ") if line else []


def _write_dictionary_and_bow(config: BuildConfig, workdir: Path, log: BuildLog) -> Dictionary:
    t0 = time.perf_counter()
    dictionary = Dictionary()
    batch: list[list[str]] = []
    for tokens in _iter_token_file(workdir / "tokens.txt"):
        batch.append(tokens)
        if len(batch) >= 2000:
            dictionary.add_documents(batch)
            batch = []
    dictionary.add_documents(batch)
    size_before = len(dictionary)
    if config.no_below > 1 or config.no_above < 1.0 or config.keep_n:
        dictionary.filter_extremes(no_below=config.no_below, no_above=config.no_above,
                                   keep_n=config.keep_n or None)
    log.notes.append(f"vocabulary: kept {len(dictionary):,} of {size_before:,} words "
                     f"(no_below={config.no_below}, no_above={config.no_above}, keep_n={config.keep_n or 'all'})")
    dictionary.save(str(workdir / "dictionary.gensim"))
    dictionary.save_as_text(str(workdir / "dictionary.txt"), sort_by_word=True)
    MmCorpus.serialize(str(workdir / "corpus.mm"),
                       (dictionary.doc2bow(tokens) for tokens in _iter_token_file(workdir / "tokens.txt")),
                       id2word=dictionary)
    for extra in ("corpus.mm.index",):
        (workdir / extra).unlink(missing_ok=True)  # the index holds file offsets only; not needed
    log.timings["dictionary_bow"] = round(time.perf_counter() - t0, 3)
    return dictionary


def _write_tables(speeches: list[dict[str, Any]], workdir: Path) -> None:
    frame = pd.DataFrame(speeches, columns=SPEECH_COLUMNS)
    for column in ("start_char", "end_char", "year"):
        frame[column] = frame[column].astype("Int64")
    with open(workdir / "speeches.csv", "w", encoding="utf-8", newline="") as handle:
        write_speeches_csv(frame, handle)


__all__ = ["build_corpus", "content_hash", "BuildLog", "InputFileError"]
