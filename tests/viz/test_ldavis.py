"""Tests for topics.viz.ldavis: an offline, self-contained pyLDAvis page."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile

import numpy as np
import pytest
from pyLDAvis import urls

from topics.viz import ldavis

VOCAB = ["计划生育", "流动人口", "社会抚养费", "出生人口性别比", "优质服务", "人口老龄化", "独生子女", "避孕节育",
         "综合治理", "服务管理", "奖励扶助", "生殖健康", "未用词"]
K = 4


@pytest.fixture(scope="module")
def prepared():
    rng = np.random.default_rng(0)
    topic_word = rng.dirichlet(np.ones(len(VOCAB)), size=K)
    doc_topic = rng.dirichlet(np.ones(K), size=20)
    frequency = rng.integers(5, 50, size=len(VOCAB)).astype(float)
    frequency[-1] = 0  # a word that never occurs must not break the page
    return ldavis.prepare(topic_word, doc_topic, rng.integers(20, 100, size=20), VOCAB, frequency, R=10)


@pytest.fixture(scope="module")
def page(prepared, tmp_path_factory):
    labels = {t: f"T{t} {VOCAB[t]}·{VOCAB[t + 4]}" for t in range(K)}
    path = tmp_path_factory.mktemp("ldavis") / "ldavis.html"
    ldavis.save_html(prepared, path, title="人口计划生育讲话", labels=labels)
    return path


def test_page_has_no_network_references(page):
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.I)  # every script is inline
    assert not re.search(r"<link\b", text, re.I)  # and every stylesheet
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert not re.search(r"@import", text)
    # pyLDAvis's own CDN addresses (d3's licence comment may still name its home page)
    for url in (urls.D3_URL, urls.LDAVIS_URL, urls.LDAVIS_CSS_URL, "cdn.jsdelivr.net"):
        assert url not in text


def test_page_inlines_d3_ldavis_and_a_chinese_font(page):
    text = page.read_text(encoding="utf-8")
    assert "function LDAvis" in text or "LDAvis = function" in text
    assert "forceSimulation" in text  # d3 v5 itself
    assert "@font-face" in text and "data:font/woff;base64," in text
    assert "1 = T0 计划生育·优质服务" in text


def test_topics_keep_our_order_and_layout_is_reproducible(prepared):
    rng = np.random.default_rng(0)
    topic_word = rng.dirichlet(np.ones(len(VOCAB)), size=K)
    assert prepared.topic_order == [1, 2, 3, 4]  # not re-sorted by size
    again = ldavis.prepare(*_same_inputs())
    assert again.to_json() == prepared.to_json()
    coords = ldavis.principal_coordinates(topic_word)
    assert coords.shape == (K, 2)
    assert (coords[np.abs(coords).argmax(axis=0), [0, 1]] > 0).all()  # signs fixed


def _same_inputs():
    rng = np.random.default_rng(0)
    topic_word = rng.dirichlet(np.ones(len(VOCAB)), size=K)
    doc_topic = rng.dirichlet(np.ones(K), size=20)
    frequency = rng.integers(5, 50, size=len(VOCAB)).astype(float)
    frequency[-1] = 0
    return topic_word, doc_topic, rng.integers(20, 100, size=20), VOCAB, frequency, 10


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_page_renders_topic_circles_in_headless_chromium(page):
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120)
    dom = result.stdout
    assert "<svg" in dom
    circles = re.findall(r'<circle class="dot"[^>]*id="ldavis_topics-topic(\d+)"', dom)
    assert sorted(int(c) for c in circles) == [1, 2, 3, 4]
    assert "计划生育" in dom  # the term bars were drawn
