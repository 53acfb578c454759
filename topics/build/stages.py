"""The per-file stages of the build, run on one raw file wherever the executor puts it.

    ingest → boilerplate → speeches → repair → metadata → word segmentation (jieba) → dedup sketch

Files are independent, so the build hands them to :func:`topics.executor.run_tasks` (local worker
processes or a Dask cluster); a file's result is a :class:`FileResult` that the main process
caches and writes out in order. What needs the whole corpus (metadata overrides, linking
duplicates from the sketches, the vocabulary) happens in the main process
(:mod:`topics.build.pipeline`); stopwords and filters come later still, in stage 2
(:mod:`topics.build.units`).

The cache keys are derived from the code, not from hand-kept lists: :func:`code_fingerprint`
hashes every module of :mod:`topics.build` except the ones named here as corpus-wide or stage-2
code, so a new module is part of the per-file key unless it is declared otherwise.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from isal import isal_zlib

from ..common.fileio import sha256_bytes
from ..config import RESOURCE_KEYS, BuildConfig
from ..errors import InputFileError
from ..resources import Resource, resolve_all
from .boilerplate import load_rules, strip_boilerplate
from .conservation import unassigned_text
from .cache import BuildCache
from .dedup import Sketch, shingles, sketch_shingles
from .ingest import read_source
from .metadata import infer_metadata, load_dated_events
from .places import gazetteer_sha256
from .records import FoundSpeech, Speech
from .remote import PortableSettings, unpack
from .repair import load_repairs, repair_speech
from .speeches import find_speeches
from .tokenize import Tokenizer
from .tokenstore import EncodedTokens, encode_lines

__all__ = ["CORPUS_WIDE_MODULES", "FileProcessor", "FileResult", "STAGE2_MODULES", "code_fingerprint",
           "decode_result", "encode_result", "file_fingerprint", "language_resources", "make_tokenizer",
           "process_file"]

#: modules of topics.build that run once per corpus in stage 1, after the per-file stages
CORPUS_WIDE_MODULES = frozenset({"pipeline", "log", "cache"})
#: modules of topics.build that only stage 2 (token store → corpus files) runs
STAGE2_MODULES = frozenset({"units", "gensim_files", "report"})


def code_fingerprint(exclude: frozenset[str] = frozenset()) -> str:
    """sha256 of the source of every module of :mod:`topics.build` but the ``exclude``d ones."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        if path.stem not in exclude:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass
class FileResult:
    """What the per-file stages made of one raw file."""

    name: str
    encoding: str | None = None
    n_lines: int = 0
    skipped: tuple[str, str] | None = None  # (problem, advice) when the file cannot be used
    removals: list[dict] = field(default_factory=list)
    structure: list[dict] = field(default_factory=list)  # text in no speech and not boilerplate (conservation)
    repairs: list[dict] = field(default_factory=list)
    speeches: list[FoundSpeech] = field(default_factory=list)
    # (segmentation key, speech number) of the speeches segmented now: the main process records them
    # in the cache as stored in this result (BuildCache.put_segmentations)
    new_segmentations: list[tuple[str, int]] = field(default_factory=list)
    segmentation_hits: int = 0
    cpu_seconds: tuple[float, float] = (0.0, 0.0)  # (jieba, everything else) in the worker; not cached
    cache_blob: bytes | None = None  # this result as the file cache stores it (encode_result)
    cache_blob_sha256: str | None = None  # its digest, computed in the worker


# -- the file cache's record of a result: JSON and raw arrays, never a pickle ----------------------
_MAGIC = b"topics-file-result-v2\n"


def encode_result(result: FileResult) -> bytes:
    """The stored form of a file's result: a JSON header, then each speech's text and arrays, compressed.

    The texts follow the header as UTF-8 (escaping them inside the JSON header cost more than
    compressing them); token ids are stored in 16 bits when the speech has fewer than 65,536
    distinct tokens, which halves what zlib has to read. Worker processes encode their own
    results, sparing the main process. What is only needed now (shingles, segmentation
    bookkeeping, CPU times) is not stored.
    """
    speeches = result.speeches
    texts = [item.text_json.encode("utf-8") for item in speeches]
    wide = [len(item.tokens.types) > 0xFFFF for item in speeches]
    header = {
        "name": result.name, "encoding": result.encoding, "n_lines": result.n_lines,
        "removals": result.removals, "structure": result.structure, "repairs": result.repairs,
        "speeches": [{"speech": item.speech.row(), "text_bytes": len(text), "line_numbers": item.line_numbers,
                      "types": item.tokens.types, "n_ids": int(len(item.tokens.ids)), "wide_ids": is_wide,
                      "n_lines": int(len(item.tokens.line_lengths)), "sketch_size": item.sketch.size,
                      "n_signature": int(len(item.sketch.signature)), "text_sha256": item.text_sha256}
                     for item, text, is_wide in zip(speeches, texts, wide)],
    }
    encoded = json.dumps(header, ensure_ascii=False).encode("utf-8")
    parts = [_MAGIC, len(encoded).to_bytes(8, "little"), encoded]
    for item, text, is_wide in zip(speeches, texts, wide):
        parts += [text, np.asarray(item.tokens.ids, dtype="<i4" if is_wide else "<u2").tobytes(),
                  np.asarray(item.tokens.line_lengths, dtype="<i4").tobytes(),
                  np.asarray(item.sketch.signature, dtype="<u4").tobytes()]
    # ISA-L's fastest level writes a standard zlib stream 6x faster than zlib's level 1 (0.44 vs
    # 2.63 CPU-s for the bench corpus's 80 MB of records; 49 vs 41 MB) and reads it back 2x faster
    return isal_zlib.compress(b"".join(parts), 0)


def decode_result(blob: bytes) -> FileResult:
    """Read :func:`encode_result`'s bytes back (ValueError when they are not such a record)."""
    try:
        data = isal_zlib.decompress(blob)
    except isal_zlib.error as exc:
        raise ValueError(f"not a stored file result ({exc})") from None
    if not data.startswith(_MAGIC):
        raise ValueError("not a stored file result")
    start = len(_MAGIC) + 8
    size = int.from_bytes(data[len(_MAGIC):start], "little")
    header = json.loads(data[start:start + size].decode("utf-8"))
    offset = start + size

    def take(n: int, dtype: str, as_type: str) -> np.ndarray:
        nonlocal offset
        array = np.frombuffer(data, dtype=dtype, count=n, offset=offset).astype(as_type)
        offset += np.dtype(dtype).itemsize * n
        return array

    speeches = []
    for entry in header["speeches"]:
        text_json = data[offset:offset + entry["text_bytes"]].decode("utf-8")
        offset += entry["text_bytes"]
        ids = take(entry["n_ids"], "<i4" if entry["wide_ids"] else "<u2", "int32")
        lengths = take(entry["n_lines"], "<i4", "int32")
        signature = take(entry["n_signature"], "<u4", "uint32")
        speeches.append(FoundSpeech(
            speech=Speech(**entry["speech"]), text_json=text_json, line_numbers=entry["line_numbers"],
            tokens=EncodedTokens(entry["types"], ids, lengths), sketch=Sketch(entry["sketch_size"], signature),
            text_sha256=entry["text_sha256"]))
    if offset != len(data):
        raise ValueError("stored file result has trailing bytes")
    return FileResult(name=header["name"], encoding=header["encoding"], n_lines=header["n_lines"],
                      removals=header["removals"], structure=header["structure"], repairs=header["repairs"],
                      speeches=speeches)


def language_resources(config: BuildConfig) -> dict[str, list[Resource]]:
    """The resource files the build reads, per setting (:mod:`topics.resources`: packaged or the project's)."""
    return {key: resolve_all(getattr(config, key), key) for key in RESOURCE_KEYS}


def make_tokenizer(config: BuildConfig, resources: dict[str, list[Resource]]) -> Tokenizer:
    return Tokenizer([r.path for r in resources["userdict"]], [r.path for r in resources["stopwords"]],
                     drop_single_chars=config.drop_single_chars)


def file_fingerprint(config: BuildConfig, resources: dict[str, list[Resource]], segmenter_fingerprint: str) -> str:
    """Hash of everything that shapes a FileResult: the per-file code, rules, split mode, segmenter."""
    digest = hashlib.sha256()
    digest.update(code_fingerprint(CORPUS_WIDE_MODULES | STAGE2_MODULES).encode())
    for key in ("boilerplate", "repairs", "dated_events"):
        for resource in resources[key]:
            digest.update(f"{key}\0{resource.sha256()}\0".encode())
    digest.update(f"gazetteer\0{gazetteer_sha256()}\0".encode())
    digest.update(f"{config.split}\0{segmenter_fingerprint}".encode("utf-8"))
    return digest.hexdigest()


class FileProcessor:
    """Callable that turns ``(path, name, doc_base)`` into a :class:`FileResult`; one per worker process.

    ``doc_base`` is the speeches' ``doc_id`` prefix (:func:`topics.build.pipeline.doc_bases`).
    """

    def __init__(self, config: BuildConfig):
        resources = language_resources(config)
        self.split = config.split
        self.rules = load_rules([r.path for r in resources["boilerplate"]])
        self.repairs = load_repairs([r.path for r in resources["repairs"]])
        self.events = load_dated_events([r.path for r in resources["dated_events"]])
        self.tokenizer = make_tokenizer(config, resources)
        self.cache = BuildCache(config.cache_dir, readonly=True)

    def __call__(self, job: tuple[str, str, str]) -> FileResult:
        started = time.process_time()
        self._jieba_seconds = 0.0
        result = self._process(job)
        if result.skipped is None:  # an unusable file is checked again next time
            result.cache_blob = encode_result(result)
            result.cache_blob_sha256 = sha256_bytes(result.cache_blob)
        total = time.process_time() - started
        result.cpu_seconds = (self._jieba_seconds, total - self._jieba_seconds)
        return result

    def _process(self, job: tuple) -> FileResult:
        path, name, doc_base, *data = job  # data: the file's bytes, sent to a worker that may not see path
        try:
            source = read_source(path, name, *data)
        except InputFileError as exc:
            return FileResult(name=name, skipped=(exc.problem, exc.advice))
        result = FileResult(name=name, encoding=source.encoding, n_lines=len(source.lines()))
        lines, removals = strip_boilerplate(source, self.rules, self.tokenizer.is_word)
        result.removals = [{"source_file": r.source_file, "line": r.line, "start": r.start, "end": r.end,
                            "rule": r.rule, "text": r.text} for r in removals]
        found, texts = [], []
        spans = find_speeches(lines, source.name, mode=self.split)
        result.structure = unassigned_text(source.name, source.lines(), result.removals, spans)
        for span in spans:
            fixed, applied = repair_speech(span, self.repairs)
            result.repairs.extend(dataclasses.asdict(r) for r in applied)
            doc_id, text = f"{doc_base}#{span.index}", fixed.text
            numbers = [line.number for line in fixed.lines]
            meta = infer_metadata(fixed, self.events)
            texts.append(text)
            shingled = shingles(text)
            speech = Speech(
                doc_id=doc_id, source_file=source.name, start_line=span.start_line, end_line=span.end_line,
                start_char=span.start_char, end_char=span.end_char, heading=span.heading,
                title=meta.title, year=meta.year, year_min=meta.year_min, year_max=meta.year_max,
                year_source=meta.year_source, year_evidence=meta.year_evidence,
                genre=meta.genre, admin_level=meta.admin_level, place=meta.place,
                genre_evidence=meta.genre_evidence, level_evidence=meta.level_evidence,
                place_evidence=meta.place_evidence, duplicate_of=None, duplicate_kind=None, in_model=True, encoding=source.encoding,
                boundary=span.boundary, n_chars=len("".join(text.split())), n_tokens=0, n_units=0)
            found.append(FoundSpeech(
                speech=speech,
                # line_numbers[i] is the source line of text.split("\n")[i]: units keep their provenance
                text_json=json.dumps({"doc_id": doc_id, "text": text, "line_numbers": numbers}, ensure_ascii=False),
                line_numbers=numbers, tokens=None, sketch=sketch_shingles(shingled),
                text_sha256=sha256_bytes(text.encode("utf-8")), shingles=shingled))
        self._segment_words(found, texts, result)
        result.speeches = found
        return result

    def _segment_words(self, found: list[FoundSpeech], texts: list[str], result: FileResult) -> None:
        """jieba tokens per line, from the cache where a speech with the same text was segmented before."""
        fingerprint = self.tokenizer.fingerprint
        keys = [BuildCache.segmentation_key(fingerprint, item.text_sha256) for item in found]
        known = self._stored_tokens(self.cache.get_segmentations(keys))
        for number, (item, text, key) in enumerate(zip(found, texts, keys)):
            stored = known.get(key)
            if stored is not None and stored[0] == item.text_sha256:
                item.tokens = stored[1]
                result.segmentation_hits += 1
            else:
                t0 = time.process_time()
                lines = [self.tokenizer.cut(line) for line in text.split("\n")]
                self._jieba_seconds += time.process_time() - t0  # the cut alone, not the encoding
                item.tokens = encode_lines(lines)
                result.new_segmentations.append((key, number))

    def _stored_tokens(self, places: dict[str, tuple[str, int]]) -> dict[str, tuple[str, EncodedTokens]]:
        """``{key: (text sha256, tokens)}`` read from the cached file results ``places`` point to
        (each result decoded once); a missing or damaged result is a miss."""
        by_file: dict[str, list[tuple[str, int]]] = {}
        for key, (file_key, number) in places.items():
            by_file.setdefault(file_key, []).append((key, number))
        tokens = {}
        for file_key, wanted in by_file.items():
            blob = self.cache.get_file_blob(file_key)
            try:
                speeches = decode_result(blob).speeches if blob is not None else []
            except (ValueError, KeyError, TypeError):
                continue
            for key, number in wanted:
                if number < len(speeches):
                    tokens[key] = (speeches[number].text_sha256, speeches[number].tokens)
        return tokens


_PROCESSORS: dict[tuple, FileProcessor] = {}


def _resource_stamp(config: BuildConfig) -> tuple:
    """Path, size and mtime of each resource file: a processor is built again when one was edited
    (a notebook that rebuilds after editing its rules must not use the rules it read before)."""
    stamp = []
    for key in RESOURCE_KEYS:
        for resource in resolve_all(getattr(config, key), key):
            info = resource.path.stat()
            stamp.append((str(resource.path), info.st_size, info.st_mtime_ns))
    return tuple(stamp)


def process_file(config: BuildConfig | PortableSettings, job: tuple) -> FileResult:
    """One file through the per-file stages; a task for :func:`topics.executor.run_tasks`.

    ``job`` is ``(path, name, doc_base)``, or with the file's bytes after them; ``config`` may be
    :class:`topics.build.remote.PortableSettings` (a worker that shares no disk with the main process).
    Each process builds its :class:`FileProcessor` (rules, jieba dictionary) once per config and
    version of the resource files.
    """
    if isinstance(config, PortableSettings):
        config = unpack(config)
    key = (config, _resource_stamp(config))
    processor = _PROCESSORS.get(key)
    if processor is None:
        _PROCESSORS.clear()
        processor = _PROCESSORS[key] = FileProcessor(config)
    return processor(job)
