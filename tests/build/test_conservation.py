"""Conservation: every character of every decoded input is in exactly one speech, or listed in the
build report (boilerplate or structure) with its rule — over every corpus the suite has."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import RAW, shared_path
from topics.build import build_corpus
from topics.build.conservation import check_conservation
from topics.build.ingest import read_source
from topics.config import BuildConfig


def _problems(corpus, inputs: dict[str, Path]) -> dict[str, list[str]]:
    report = json.loads((corpus.path / "report.json").read_text(encoding="utf-8"))
    listed = report["boilerplate"]["removed"] + report["structure"]["pieces"]
    problems = {}
    for name, path in inputs.items():
        lines = read_source(path, name).lines()
        rows = corpus.speeches[corpus.speeches["source_file"] == name]
        mine = [item for item in listed if item["source_file"] == name]
        found = check_conservation(lines, [row for row in rows.itertuples()], mine)
        if found:
            problems[name] = found[:5]
    return problems


def _build(tmp_path, raw: Path | list[Path], split: str):
    paths = raw if isinstance(raw, list) else [raw]
    config = BuildConfig(raw=tuple(map(str, paths)), out=str(tmp_path / f"c-{split}"), cache_dir=str(tmp_path / "cache"),
                         split=split)
    return build_corpus(config, progress=False)


@pytest.mark.parametrize("split", ["auto", "none"])
def test_embedded_corpus(tmp_path, split):
    corpus = _build(tmp_path, RAW, split)
    assert _problems(corpus, {p.name: p for p in RAW.iterdir()}) == {}
    report = json.loads((corpus.path / "report.json").read_text(encoding="utf-8"))
    if split == "auto":  # the compilation titles before the first speech are listed, not lost
        assert any(r["rule"] == "structure: before the first speech" for r in report["structure"]["pieces"])


def test_bad_and_odd_inputs(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "gbk.txt").write_bytes("同志们：\n今天我们召开全县人口和计划生育工作会议。\n谢谢大家！\n".encode("gbk"))
    (raw / "crlf.txt").write_bytes("第一篇：在全镇会议上的讲话\r\n同志们：\r\n要做好计划生育工作。\r\n".encode("utf-8"))
    (raw / "only-title.md").write_text("# 领导讲话稿(优秀5篇)\n", encoding="utf-8")
    (raw / "page.txt").write_text("下载文档\n同志们：\n今天开会。 第1页 共2页\n分享到：\n", encoding="utf-8")
    (raw / "empty.txt").write_bytes(b"")
    corpus = _build(tmp_path, raw, "auto")
    inputs = {p.name: p for p in raw.iterdir() if p.stat().st_size}
    assert _problems(corpus, inputs) == {}


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("split", ["none", "auto"])
def test_government_work_reports(tmp_path, split):
    folder = shared_path("corpora", "cn-gov-work-reports")
    files = sorted(folder.glob("gwr_*.txt"))
    corpus = _build(tmp_path, files, split)
    assert _problems(corpus, {p.name: p for p in files}) == {}


@pytest.mark.shared
@pytest.mark.slow
def test_bench_corpus_sample(tmp_path):
    folder = shared_path("bench-corpus", "fudan-cn-textclass-9")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix == ".txt")[::60][:40]
    corpus = _build(tmp_path, files, "auto")
    assert _problems(corpus, {p.name: p for p in files}) == {}
