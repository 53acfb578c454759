"""Near-duplicate and preview detection."""

from __future__ import annotations

import random

import pytest

from topics.build.dedup import DuplicateLink, containment, find_duplicates, shingles


def random_text(seed: int, n: int = 800) -> str:
    rng = random.Random(seed)
    return "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(n))


def test_shingles_ignore_spacing_and_punctuation():
    assert (shingles("同志们：今天 开会。") == shingles("同志们今天开会")).all()
    assert shingles("").size == 0 and shingles("短").size == 1


def test_containment():
    a, b = shingles(random_text(1)[:200]), shingles(random_text(1))
    assert containment(a, b) == 1.0 and containment(b, a) < 0.3


def test_near_verbatim_duplicate_points_to_earlier():
    text = random_text(1)
    changed = text[:300] + "改" + text[301:500] + "动" + text[501:]
    links = find_duplicates([("x#0", random_text(2)), ("x#1", text), ("y#0", changed)])
    assert links == {"y#0": DuplicateLink("y#0", "x#1", "duplicate", links["y#0"].similarity)}
    assert links["y#0"].similarity > 0.95


def test_preview_points_to_full_text_even_if_it_comes_first():
    full = random_text(3)
    links = find_duplicates([("p#0", full[:150]), ("p#1", full), ("p#2", random_text(4))])
    assert set(links) == {"p#0"}
    assert (links["p#0"].duplicate_of, links["p#0"].kind) == ("p#1", "preview")


def test_chains_resolve_to_canonical_and_unrelated_texts_are_not_linked():
    full = random_text(5)
    docs = [("a", full), ("b", full + "。"), ("c", full[:100]), ("d", random_text(6))]
    links = find_duplicates(docs)
    assert {k: (v.duplicate_of, v.kind) for k, v in links.items()} == {
        "b": ("a", "duplicate"), "c": ("a", "preview")}


def test_threshold_is_configurable():
    text = random_text(7)
    half_changed = text[:400] + random_text(8, 400)
    docs = [("a", text), ("b", half_changed)]
    assert find_duplicates(docs) == {}
    assert set(find_duplicates(docs, threshold=0.45)) == {"b"}
    with pytest.raises(ValueError, match="threshold"):
        find_duplicates(docs, threshold=0)


def test_deterministic_and_accepts_generators():
    texts = [random_text(s) for s in range(20)]
    docs = [(f"d{i}", t) for i, t in enumerate(texts)] + [("copy", texts[3] + "！"), ("prev", texts[9][50:200])]
    first = find_duplicates(iter(docs))
    assert first == find_duplicates(list(docs))
    assert {k: v.duplicate_of for k, v in first.items()} == {"copy": "d3", "prev": "d9"}


def test_empty_and_tiny_inputs():
    assert find_duplicates([]) == {}
    assert find_duplicates([("a", "")]) == {}
    assert find_duplicates([("a", ""), ("b", "")]) == {}


def test_links_from_precomputed_sketches_equal_find_duplicates():
    from topics.build.dedup import link_duplicates, sketch

    full, other = random_text(11), random_text(12)
    docs = [("a", full), ("b", other), ("c", full[:120]), ("d", "今天开会。" + full), ("e", other[200:600]), ("f", "")]
    expected = find_duplicates(docs)
    asked: list[set[int]] = []

    def shingles_of(wanted):
        asked.append(set(wanted))
        return {i: shingles(docs[i][1]) for i in wanted}

    sketches = [sketch(text) for _, text in docs]  # as the build's workers compute them
    assert link_duplicates([d for d, _ in docs], sketches, shingles_of) == expected
    assert len(asked) == 1 and 5 not in asked[0]  # only candidates' shingles are read; never empty texts
    assert {k: v.kind for k, v in expected.items()} == {"c": "preview", "d": "duplicate", "e": "preview"}
    again = sketch(full)
    assert again.size == sketches[0].size and (again.signature == sketches[0].signature).all()


def test_lsh_ensemble_candidates_include_repeats_and_not_every_pair():
    import numpy as np

    from topics.build.dedup import sketch
    from topics.build.lshensemble import candidate_pairs

    texts = [random_text(seed) for seed in range(30)]
    texts += [texts[3] + "。", texts[7][:150], texts[12][100:700]]  # 30: duplicate, 31, 32: previews
    sketches = [sketch(text) for text in texts]
    pairs = candidate_pairs(np.stack([s.signature for s in sketches]), np.array([s.size for s in sketches]), 0.5)
    found = {tuple(p) for p in pairs.tolist()}
    assert {(3, 30), (7, 31), (12, 32)} <= found
    assert len(found) < 30 * 33 / 2 / 4  # unrelated random texts are rarely candidates
    assert (pairs[:, 0] < pairs[:, 1]).all() and (candidate_pairs(
        np.stack([s.signature for s in sketches]), np.array([s.size for s in sketches]), 0.5) == pairs).all()


def _all_pairs_reference(docs, threshold=0.8, duplicate_ratio=0.8):
    """The links an exact check of every pair gives: what the grouped candidate search must reproduce."""
    from topics.build.dedup import _resolve

    sets = [shingles(text) for _, text in docs]
    best: dict[int, tuple[int, str, float]] = {}
    for i in range(len(docs)):
        for j in range(i + 1, len(docs)):
            if not sets[i].size or not sets[j].size:
                continue
            short, long_ = (i, j) if (sets[i].size, i) <= (sets[j].size, j) else (j, i)
            similarity = containment(sets[short], sets[long_])
            if similarity < threshold:
                continue
            if sets[short].size >= duplicate_ratio * sets[long_].size:
                copy, original, kind = max(i, j), min(i, j), "duplicate"
            else:
                copy, original, kind = short, long_, "preview"
            current = best.get(copy)
            if current is None or (similarity, -original) > (current[2], -current[0]):
                best[copy] = (original, kind, similarity)
    return _resolve([doc_id for doc_id, _ in docs], best)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_repeated_texts_are_linked_as_a_check_of_every_pair_links_them(seed):
    rng = random.Random(seed)
    base = [random_text(s) for s in range(30, 36)]
    # copies, previews of copies, near-duplicates of copies, and texts that differ only in punctuation
    edited = [t[:300] + "改" + t[301:600] + "动" + t[601:] for t in base[:3]]  # containment < 1 both ways
    variants = (base + edited + [t[:150] for t in base[:2]] + [t[100:260] + "补" for t in edited[:2]]
                + [t + "增补" for t in base[2:4]] + [base[4] + "。", ""])
    docs = [(f"d{i}", rng.choice(variants)) for i in range(150)]
    links = find_duplicates(docs)
    assert links == _all_pairs_reference(docs)
    assert len(links) >= 100


def test_identical_copies_are_searched_once(monkeypatch):
    import topics.build.dedup as dedup

    seen: list[int] = []
    search = dedup._candidate_pairs
    monkeypatch.setattr(dedup, "_candidate_pairs", lambda sketches, *a: seen.append(len(sketches)) or search(sketches, *a))
    text, other = random_text(40), random_text(41)
    docs = [(f"c{i}", text if i % 3 else other) for i in range(600)]  # 400 + 200 copies: 100,000 pairs of copies
    links = find_duplicates(docs)
    assert seen == [2]
    assert {link.duplicate_of for link in links.values()} == {"c0", "c1"} and len(links) == 598
