"""Places and administrative levels: only names of real PRC divisions are places.

The gazetteer (``topics/resources/gazetteer/divisions.tsv``, every GB/T 2260 name from 1980 to
2019, see its README) decides what a place is, so generic phrases that end like one (加强市场 →
“加强市”, 合理区域 → “合理区”) never become places. :func:`find_places` lists the division names
in a text; :func:`admin_level` and :func:`place` pick the level and the place of the body holding
the meeting, each with the evidence for it (or the reason it is ``unknown`` / None):

* level: a national body in the title or heading (国务院, 全国人民代表大会, 党中央, 全国…) or a
  speaker who reports for one (我代表国务院, 代表第十八届中央委员会) ⇒ ``national``; a level named
  in the title (全县…, 县委…) or a gazetteer name in it (晴隆县… ⇒ county); else the level the
  speaker addresses most often (全市, 我县, 县委、县政府), if one level leads;
* place: a division named in the title; else the division of the speech's own level named most
  often (at least twice). National speeches have no place.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["GAZETTEER", "PlaceMention", "admin_level", "find_places", "gazetteer", "gazetteer_sha256", "place"]

#: the packaged gazetteer, relative to ``topics.resources``
GAZETTEER = "gazetteer/divisions.tsv"
_ORDER = {"district": 0, "county": 1, "city": 2, "province": 3}
_LEVEL = {"省": "province", "市": "city", "县": "county", "区": "district", "镇": "township", "乡": "township"}
# Names that are also everyday words (urban area, mining area, suburbs, new/old town): places only
# right after their parent's name (洛阳市老城区).
_EVERYDAY = {"城区", "矿区", "郊区", "新区", "新城区", "老城区", "东区", "西区", "南区", "北区", "中区", "城关区", "市区",
             "解放区"}  # 解放区: also the “liberated areas” of the 1940s
# A name glued to the next character can be part of a word: 市场, 区域, 区位, 县域 ...
_GLUED = {"市": set("场值价井面容"), "区": set("域位间块分别划"), "县": set("域"), "州": set(), "省": set("份"),
          "旗": set("帜号"), "盟": set("友员国")}
_LAST_CHARS = re.compile("[" + "".join(_GLUED) + "]")

_NATIONAL_TITLE = re.compile(r"国务院|全国人民代表大会|全国人大|党中央|中共中央|中国共产党第.{1,4}次全国代表大会|^在?全国")
# A speaker who reports for (or to) a national body, or the national congress at which he speaks.
_NATIONAL_TEXT = re.compile(r"代表(?:中华人民共和国)?国务院|代表第.{1,4}届中央委员会向大会|受[^。]{0,8}国务院的?委托"
                            r"|根据国务院的决定|向(?:第.{1,4}届)?全国人民代表大会|总理在(?:政府工作)?报告中"
                            r"|在[^。]{0,12}第.{1,4}届全国人民代表大会第.{1,4}次会[议議]上")
_TITLE_LEVEL = re.compile(r"全(省|市|县|区|镇|乡)|^在?(省|市|县|区|镇|乡)(?![长委])|(省|市|县|区|镇|乡)(?:委|政府|党委)")
_OWN_LEVEL = re.compile(r"(?:全|我|本)(省|市|县|区|镇|乡)|(省|市|县|区|镇|乡)(?:委|党委)[、，,]\s*\2?政府")


@dataclass(frozen=True)
class PlaceMention:
    """A gazetteer name found in a text at ``start``–``end``, with its level."""

    name: str
    level: str
    start: int
    end: int


def _resource_path():
    return resources.files("topics.resources") / GAZETTEER


@lru_cache(maxsize=None)
def gazetteer() -> dict[str, str]:
    """Division name → level (the lowest level when one name has several, e.g. a city and a district)."""
    levels: dict[str, str] = {}
    for raw in _resource_path().read_text(encoding="utf-8").splitlines():
        if raw.startswith("#") or not raw.strip():
            continue
        _, name, level, *_ = raw.split("\t")
        if name not in levels or _ORDER[level] < _ORDER[levels[name]]:
            levels[name] = level
    return levels


def gazetteer_sha256() -> str:
    """Hash of the gazetteer file (part of the build's per-file cache key)."""
    import hashlib
    return hashlib.sha256(_resource_path().read_bytes()).hexdigest()


@lru_cache(maxsize=None)
def _index() -> tuple[frozenset[str], int, frozenset[str]]:
    names = gazetteer()
    shorts = set()
    for name, level in names.items():
        if level == "province":  # 甘肃省 → 甘肃, 广西壮族自治区 → 广西: parents written short
            shorts.add(re.sub(r"(?:壮族|回族|维吾尔)?自治区$|特别行政区$|省$|市$", "", name))
    return frozenset(names), max(map(len, names)), frozenset(shorts)


def find_places(text: str) -> list[PlaceMention]:
    """Every gazetteer name in ``text``, longest first at each end position, left to right.

    A name is skipped when glued to a following character that makes a word of it (加强市场),
    and an everyday word (城区) or a one-character name (岷县) counts only after its parent's
    name, a punctuation mark or the start of the text.
    """
    names, longest, shorts = _index()
    levels = gazetteer()
    found: list[PlaceMention] = []
    for match in _LAST_CHARS.finditer(text):
        end, last = match.end(), match.group(0)
        if end < len(text) and text[end] in _GLUED[last]:
            continue
        for size in range(min(longest, end), 1, -1):
            name = text[end - size:end]
            if name not in names:
                continue
            start = end - size
            if (name in _EVERYDAY or size == 2) and not _after_parent(text, start, found, shorts):
                break
            found.append(PlaceMention(name, levels[name], start, end))
            break
    return found


def _after_parent(text: str, start: int, found: list[PlaceMention], shorts: frozenset[str]) -> bool:
    if start == 0 or not ("\u4e00" <= text[start - 1] <= "\u9fff"):
        return True
    if found and found[-1].end == start:
        return True
    return any(text[start - size:start] in shorts for size in _short_sizes(shorts) if size <= start)


@lru_cache(maxsize=None)
def _short_sizes(shorts: frozenset[str]) -> tuple[int, ...]:
    return tuple(sorted({len(s) for s in shorts}))


def admin_level(title: str | None, heading: str | None, text: str) -> tuple[str, str]:
    """(level, evidence) of the body holding the meeting; ``unknown`` with the reason."""
    for label, where in ((title, "title"), (heading, "heading")):
        label = label or ""
        match = _NATIONAL_TITLE.search(label)
        if match:
            return "national", f"{where} names a national body: “{match.group(0)}”"
        match = _TITLE_LEVEL.search(label)
        if match:
            key = next(g for g in match.groups() if g)
            return _LEVEL[key], f"{where}: “{match.group(0)}”"
        mentions = [m for m in find_places(label) if m.level != "province" or "省" in m.name]
        if mentions:
            lowest = min(mentions, key=lambda m: _ORDER[m.level])
            return lowest.level, f"{where} names {lowest.name} ({lowest.level})"
    match = _NATIONAL_TEXT.search(text[:3000])
    if match:
        return "national", f"speaker reports for a national body: “{match.group(0)}”"
    counts = Counter(_LEVEL[m.group(1) or m.group(2)] for m in _OWN_LEVEL.finditer(text))
    if not counts:
        return "unknown", "no level named in the title, by the speaker or to the audience"
    (best, n), *rest = counts.most_common()
    if rest and rest[0][1] == n:
        return "unknown", f"the text addresses {best} and {rest[0][0]} equally often ({n}×)"
    if n < 2 and len(text) > 3000:  # one 我区 in a long national report is no evidence
        return "unknown", f"the text addresses a {best} only once in {len(text):,} characters"
    return best, f"addresses the {best} {n}× (全/我/本…, …委、…政府)" + (
        f"; {rest[0][0]} {rest[0][1]}×" if rest else "")


# A place's short name where only a place fits: 我们晴隆人, 来平鲁调研, 平鲁分局.
_SHORT_NAME = re.compile(r"(?:我们|来|到|赴)([\u4e00-\u9fff]{2,3}?)(?:人(?![民员口大])|调研|考察|视察)"
                         r"|([\u4e00-\u9fff]{2})(?:分局|籍)")
_SUFFIX = {"county": ("县", "自治县", "旗"), "district": ("区",), "city": ("市",)}


def _short_names(text: str, level: str) -> Counter:
    """Divisions of ``level`` named by their short name in a context that only a place fits."""
    names = gazetteer()
    found: Counter = Counter()
    for match in _SHORT_NAME.finditer(text):
        short = match.group(1) or match.group(2)
        for suffix in _SUFFIX.get(level, ()):
            if names.get(short + suffix) == level and short + suffix not in _EVERYDAY:
                found[short + suffix] += 1
                break
    return found


def place(title: str | None, heading: str | None, text: str, level: str) -> tuple[str | None, str]:
    """(place, evidence): a gazetteer name for the body holding the meeting, or None and why."""
    if level == "national":
        return None, "national: no place"
    for label, where in ((title, "title"), (heading, "heading")):
        mentions = find_places(label or "")
        if mentions:
            lowest = min(mentions, key=lambda m: _ORDER[m.level])
            return lowest.name, f"{where} names {lowest.name} ({lowest.level})"
    if level not in _ORDER:
        return None, f"admin level {level}: no place is looked for in the text"
    mentions = [m for m in find_places(text) if m.level == level]
    counts = Counter(m.name for m in mentions) + _short_names(text, level)
    if not counts:
        return None, f"no {level} of the gazetteer named"
    (best, n), *rest = counts.most_common()
    if n < 2 or (rest and rest[0][1] == n):
        return None, f"no division named more often than the others and at least twice ({best} {n}×)"
    return best, f"named {n}× ({level}; full or short name)"
