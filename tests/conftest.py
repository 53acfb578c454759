"""Shared test fixtures: project paths and the ../shared folder (skipped with a reason when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RAW = ROOT / "corpus" / "raw"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with a clear message when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: this test needs the shared data folder beside the checkout")
    return path


@pytest.fixture(autouse=True)
def _run_from_project_root(monkeypatch):
    """Resource paths in configs are relative to the project root, as when run through `make`."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def built_corpus(tmp_path_factory):
    """The embedded corpus built once per test session (speech units)."""
    from topics.build import build_corpus
    from topics.config import BuildConfig

    os.chdir(ROOT)
    out = tmp_path_factory.mktemp("corpus") / "corpus"
    cache = tmp_path_factory.mktemp("cache")
    return build_corpus(BuildConfig(raw=(str(RAW),), out=str(out), cache_dir=str(cache)), progress=False)
