"""Process one raw file through the builder stages, in a worker process.

ingest → boilerplate → segment → repair → metadata → jieba segmentation (encoded as ids, see
:mod:`topics.tokenstore`) and duplicate-finder sketch of each speech. Files are independent, so
the build spreads them over worker processes; the result of a file is a plain picklable
:class:`FileResult` that the main process caches and writes out in order. What needs the whole
corpus (linking duplicates from the sketches, metadata overrides, the vocabulary) happens in the
main process; stopwords and filters come later still, in stage 2 (:mod:`topics.buildunits`).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import boilerplate, dedup, ingest, metadata, repair, segment, segmenter, tokenize, tokenstore
from .boilerplate import load_rules, strip_boilerplate
from .buildcache import BuildCache
from .config import BuildConfig
from .dedup import Sketch, shingles, sketch_shingles
from .errors import InputFileError
from .fileio import sha256_bytes, sha256_file
from .ingest import read_source
from .metadata import SpeechMeta, infer_metadata
from .repair import load_repairs, repair_segment
from .segment import segment as find_speeches
from .tokenize import Tokenizer
from .tokenstore import EncodedTokens, encode_lines, encode_segmented


@dataclass
class SpeechRecord:
    """One speech as found in its file: metadata, clean text (as its texts.jsonl line), raw jieba tokens."""

    doc_id: str
    source_file: str
    start_line: int
    end_line: int
    start_char: int | None
    end_char: int | None
    heading: str | None
    boundary: str
    meta: SpeechMeta
    text_json: str  # the speech's line of texts.jsonl (doc_id, clean text, line numbers), without newline
    n_chars: int  # non-space characters of the clean text
    line_numbers: list[int]
    tokens: EncodedTokens | None  # raw jieba tokens, line by line
    sketch: Sketch  # for the duplicate finder (topics.dedup)
    text_sha256: str  # of the clean text (key of the cached duplicate links)
    shingles: np.ndarray | None = None  # for the duplicate finder's exact check; never cached


@dataclass
class FileResult:
    name: str
    encoding: str | None = None
    n_lines: int = 0
    skipped: tuple[str, str] | None = None  # (problem, advice) when the file cannot be used
    removals: list[dict] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)
    speeches: list[SpeechRecord] = field(default_factory=list)
    new_segmentations: list[tuple[str, str]] = field(default_factory=list)  # for the main process to cache
    segmentation_hits: int = 0
    cpu_seconds: tuple[float, float] = (0.0, 0.0)  # (jieba, everything else) in the worker; not cached
    cache_blob: bytes | None = None  # this result as the file cache stores it (BuildCache.encode)


def processing_fingerprint(config: BuildConfig, segmenter_fingerprint: str) -> str:
    """Hash of everything that shapes a FileResult: builder code, rules, split mode, segmenter."""
    digest = hashlib.sha256()
    for module in (ingest, boilerplate, segment, repair, metadata, tokenize, segmenter, tokenstore, dedup):
        digest.update(inspect.getsource(module).encode("utf-8"))
    digest.update(Path(__file__).read_bytes())
    for path in (config.boilerplate, config.repairs, metadata.DATED_EVENTS):
        digest.update(sha256_file(path).encode() if Path(path).is_file() else b"-")
    digest.update(f"{config.split}\0{segmenter_fingerprint}".encode("utf-8"))
    return digest.hexdigest()


class FileProcessor:
    """Callable that turns ``(path, name)`` into a :class:`FileResult`; one per worker process."""

    def __init__(self, config: BuildConfig):
        self.split = config.split
        self.rules = load_rules(config.boilerplate)
        self.repairs = load_repairs(config.repairs)
        self.tokenizer = Tokenizer(config.userdict, config.stopwords, drop_single_chars=config.drop_single_chars)
        self.cache = BuildCache(config.cache_dir, readonly=True)

    def __call__(self, job: tuple[str, str]) -> FileResult:
        started = time.process_time()
        self._jieba_seconds = 0.0
        result = self._process(job)
        if result.skipped is None:  # an unusable file is checked again next time
            result.cache_blob = _cache_blob(result)
        total = time.process_time() - started
        result.cpu_seconds = (self._jieba_seconds, total - self._jieba_seconds)
        return result

    def _process(self, job: tuple[str, str]) -> FileResult:
        path, name = job
        try:
            source = read_source(path, name)
        except InputFileError as exc:
            return FileResult(name=name, skipped=(exc.problem, exc.advice))
        result = FileResult(name=name, encoding=source.encoding, n_lines=len(source.lines()))
        lines, removals = strip_boilerplate(source, self.rules)
        result.removals = [{"source_file": r.source_file, "line": r.line, "start": r.start, "end": r.end,
                            "rule": r.rule, "text": r.text} for r in removals]
        speeches, texts = [], []
        for found in find_speeches(lines, source.name, mode=self.split):
            fixed, applied = repair_segment(found, self.repairs)
            result.repairs.extend({"source_file": r.source_file, "line": r.line, "kind": r.kind, "rule": r.rule,
                                   "before": r.before, "after": r.after, "count": r.count} for r in applied)
            doc_id, text, numbers = f"{Path(source.name).stem}#{found.index}", fixed.text, [line.number for line in fixed.lines]
            texts.append(text)
            shingled = shingles(text)
            speeches.append(SpeechRecord(
                doc_id=doc_id, source_file=source.name,
                start_line=found.start_line, end_line=found.end_line, start_char=found.start_char,
                end_char=found.end_char, heading=found.heading, boundary=found.boundary,
                meta=infer_metadata(fixed),
                # line_numbers[i] is the source line of text.split("\n")[i]: units keep their provenance
                text_json=json.dumps({"doc_id": doc_id, "text": text, "line_numbers": numbers}, ensure_ascii=False),
                n_chars=len("".join(text.split())), line_numbers=numbers, tokens=None,
                sketch=sketch_shingles(shingled), text_sha256=sha256_bytes(text.encode("utf-8")), shingles=shingled,
            ))
        self._segment(speeches, texts, result)
        result.speeches = speeches
        return result

    def _segment(self, speeches: list[SpeechRecord], texts: list[str], result: FileResult) -> None:
        """jieba tokens per line, from the segmentation cache where the same text was seen before."""
        fingerprint = self.tokenizer.fingerprint
        keys = [BuildCache.segmentation_key(fingerprint, text) for text in texts]
        known = self.cache.get_segmentations(keys)
        for speech, text, key in zip(speeches, texts, keys):
            if key in known:
                speech.tokens = encode_segmented(known[key])
                result.segmentation_hits += 1
            else:
                t0 = time.process_time()
                lines = [self.tokenizer.segment(line) for line in text.split("\n")]
                self._jieba_seconds += time.process_time() - t0
                # cached as one line per text line, tokens separated by single spaces (tokens hold no whitespace)
                result.new_segmentations.append((key, "\n".join(map(" ".join, lines))))
                speech.tokens = encode_lines(lines)


def _cache_blob(result: FileResult) -> bytes:
    """``result`` as the file cache keeps it: without what is only needed now (shingles, cache bookkeeping)."""
    kept = (result.new_segmentations, result.segmentation_hits, [speech.shingles for speech in result.speeches])
    result.new_segmentations, result.segmentation_hits = [], 0
    for speech in result.speeches:
        speech.shingles = None
    try:
        return BuildCache.encode(result)
    finally:
        result.new_segmentations, result.segmentation_hits = kept[0], kept[1]
        for speech, shingled in zip(result.speeches, kept[2]):
            speech.shingles = shingled


_PROCESSOR: FileProcessor | None = None


def init_worker(config: BuildConfig) -> None:
    global _PROCESSOR
    _PROCESSOR = FileProcessor(config)


def process_in_worker(job: tuple[str, str]) -> FileResult:
    assert _PROCESSOR is not None, "init_worker was not called"
    return _PROCESSOR(job)
