"""The build's per-file stages on a Dask cluster: byte-identical to a local build, also on workers
that share no disk with the main process (they get the files' and the resource files' bytes)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest

from topics.build import build_corpus
from topics.config import BuildConfig

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("speeches.csv", "units.csv", "tokens.txt", "corpus.mm", "dictionary.txt", "texts.jsonl")


def tables(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in TABLES}


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as running:
        with distributed.Client(running.scheduler_address) as client:
            yield running, client


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """The embedded corpus with a stopword list and a boilerplate rule of the project's own, every
    path relative to the project folder (the current folder)."""
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "corpus" / "raw", folder / "raw")
    (folder / "my_stopwords.txt").write_text("# project stopwords\n工作\n", encoding="utf-8")
    # a rule that fires in the embedded corpus: workers that cannot read this file would not apply it
    (folder / "my_rules.tsv").write_text("inline\tproject_rule\t计划生育专干\tproject rule\n", encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def settings(out: str, cache: str) -> BuildConfig:
    defaults = BuildConfig()
    return BuildConfig(raw=("raw",), out=out, cache_dir=cache, split="auto",
                       stopwords=(*defaults.stopwords, "my_stopwords.txt"),
                       boilerplate=(*defaults.boilerplate, "my_rules.tsv"))


@pytest.mark.slow
def test_dask_build_equals_a_local_build_on_workers_that_share_no_disk(project, tmp_path, cluster):
    running, client = cluster
    local = build_corpus(settings("local", "cache-local"), progress=False, workers=1)
    elsewhere = tmp_path / "worker-machine"
    elsewhere.mkdir()
    before = client.run(os.getcwd)
    # the workers' relative paths now point into an empty folder: no raw file, rule file or cache
    client.run(os.chdir, str(elsewhere))
    try:
        remote = build_corpus(settings("dask", "cache-dask"), progress=False, scheduler=running.scheduler_address)
    finally:
        for cwd in set(before.values()):
            client.run(os.chdir, cwd)
    assert tables(remote.path) == tables(local.path)
    report = json.loads((remote.path / "report.json").read_text(encoding="utf-8"))
    assert report["execution"]["backend"] == "dask" and report["execution"]["files_processed"] == 5
    assert report["boilerplate"]["by_rule"].get("project_rule", 0) > 0
    assert list(elsewhere.iterdir()) == []  # the workers wrote nothing in their folder either


@pytest.mark.slow
def test_dask_rebuild_with_a_reachable_segmentation_cache_is_identical(project, cluster):
    running, _ = cluster
    config = settings("dask", str(project / "cache"))  # absolute: the workers (same machine) can open it
    first = tables(build_corpus(config, progress=False, scheduler=running.scheduler_address).path)
    # a changed rule: every file is processed again, on workers that can read this machine's cache
    Path("my_rules.tsv").write_text("inline\tproject_rule\t计划生育专干会\tproject rule\n", encoding="utf-8")
    again = build_corpus(config, progress=False, scheduler=running.scheduler_address)
    local = build_corpus(dataclasses.replace(config, out="local", cache_dir="cache-local"), progress=False, workers=1)
    assert tables(again.path) == tables(local.path)
    cache = json.loads((again.path / "report.json").read_text(encoding="utf-8"))["segmentation_cache"]
    assert cache["files_read"] == 5 and cache["hits"] > 0  # unchanged speeches: segmentation from the cache
    assert tables(again.path) != first  # the rule changed the text


def test_an_edited_rule_file_is_read_again_by_the_same_process(project):
    """Worker state kept between builds (this process, a Dask worker) must follow the resource files."""
    first = tables(build_corpus(settings("one", "cache"), progress=False, workers=1).path)
    Path("my_rules.tsv").write_text("inline\tproject_rule\t计划生育\tproject rule\n", encoding="utf-8")
    again = tables(build_corpus(settings("one", "cache"), progress=False, workers=1).path)
    fresh = tables(build_corpus(settings("fresh", "other-cache"), progress=False, workers=1).path)
    assert again == fresh != first
