"""Places and administrative levels: only names of real PRC divisions are places.

The gazetteer (``topics/resources/gazetteer/divisions.tsv``, every GB/T 2260 name from 1980 to
2019, see its README) decides what a place is, so generic phrases that end like one (加强市场 →
“加强市”, 合理区域 → “合理区”) never become places. :func:`find_places` lists the division names
in a text; :func:`admin_level` and :func:`place` pick the level and the place of the body holding
the meeting, each with the evidence for it (or the reason it is ``unknown`` / None):

* level: a national body in the title or heading (国务院, 全国人民代表大会, 党中央, 全国…) or a
  speaker who reports for one (我代表国务院, 代表第十八届中央委员会) ⇒ ``national``; a level named
  in the title (全县…, 县委…) or a gazetteer name in it (晴隆县… ⇒ county); else the level the
  speaker addresses most often (全市, 我县, 县委、县政府), if one level leads and is addressed at
  least once per 3,000 characters (two 我区 in a long national report are quotations, not the
  audience);
* place: a division named in the title; else a division of the speech's own level that the text
  names at least twice and claims as the speaker's own (我们晴隆, 咱们平鲁区; 来平鲁调研: someone
  came *here*; 晴隆县各级要…: orders to its units), or, with no such claim, names at least three
  times and three times as often as any other of its level. Frequency alone is weak: a county's
  report on a study tour names the counties it visited, not its own. So a division named as a
  destination (赴/到/去/前往/考察/参观/学习/借鉴/走访/访问 + the name, possibly after its parents:
  赴浙江省湖州市安吉县) is never the place, and two divisions claimed as own give None. National
  speeches have no place.

全/我/本 + 省/市/县/区/镇/乡 (in the text and as 全X in a title), and a unit word opening a title,
count only as words of their own: jieba's dictionary must not glue them to a neighbour. So
资本|市场, 全|市场, 本|区域, 健全|县|乡村, 基本|县|情 and the titles 市场…, 乡村振兴… are no
hits, while 全市|人民, 我县|乡村, 全市|政法, 提高|本县, 作为|本市, 全省各地 (a longer word that
begins with it) and 县|人大常委会, 县政协 (an organ) are. The cut is jieba-rs with jieba's bundled
dictionary (a private instance, never the project's user dictionary, so the level does not depend
on it; HMM off), made on a few characters around each candidate only (~3 µs each).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import accumulate

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
# In a title: the unit's body (县委, 区政府), 全X, or the unit word opening the title (县人大常委会…).
# The body comes first so that 区政府 at the start is read whole.
_TITLE_LEVEL = re.compile(r"(省|市|县|区|镇|乡)(?:委|政府|党委)|全(省|市|县|区|镇|乡)|^在?(省|市|县|区|镇|乡)(?![长委])")
# Words the opening unit word may form that still name its organs (县政协, 市人大, 县直机关).
_ORGANS = ("政协", "人大", "纪委", "直")
# The own-unit words must be at least this dense in a text that is the only evidence for its level.
_CHARS_PER_HIT = 3000
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


@lru_cache(maxsize=1)
def _segmenter():
    import rjieba  # imported late: the build loads it anyway for word segmentation, light callers need not

    # A private instance (jieba's bundled dictionary), never one another module may add words to:
    # the level must not depend on a user dictionary.
    return rjieba.Jieba()


def _cut_around(text: str, start: int, end: int, window: int = 6) -> tuple[list[str], list[int]]:
    """jieba's cut (dictionary only, HMM off) of ``text[start:end]`` and a few characters either side.

    Returns the tokens and the offsets in ``text`` where they start, plus the end of the last one.
    A word glued across ``start`` or ``end`` (资本|市场) is always within reach of the window.
    """
    left = max(0, start - window)
    tokens = _segmenter().cut(text[left:end + window], hmm=False)
    return tokens, list(accumulate(map(len, tokens), initial=left))


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` a word of its own (全市|人民, 我|县|乡村), not parts of others (资本|市场, 全|市场)?

    A longer dictionary word that begins with it (全省各地) is fine: its start is still cut.
    """
    _, offsets = _cut_around(text, start, end)
    return start in offsets and (end in offsets or not any(start < at < end for at in offsets))


def _own_unit_word(text: str, match: re.Match) -> bool:
    """Is a match of ``_OWN_LEVEL`` the speaker's unit (全市人民), not part of ordinary words?"""
    return bool(match.group(2)) or _stands_alone(text, *match.span())  # 县委、县政府: no ordinary word


def _title_level(label: str) -> re.Match | None:
    """The first level word of a title that is not part of an ordinary word (市场…, 乡村振兴…, 健全市场…)."""
    for match in _TITLE_LEVEL.finditer(label):
        if match.group(2):  # 全X
            if _stands_alone(label, *match.span()):
                return match
        elif match.group(3):  # the unit word opening the title: alone (县|人大常委会) or one of its organs (县政协)
            unit = match.start(3)
            tokens, offsets = _cut_around(label, unit, unit + 1)
            if unit in offsets:
                token = tokens[offsets.index(unit)]
                if len(token) == 1 or token[1:].startswith(_ORGANS):
                    return match
        else:  # 县委, 区政府
            return match
    return None


def admin_level(title: str | None, heading: str | None, text: str) -> tuple[str, str]:
    """(level, evidence) of the body holding the meeting; ``unknown`` with the reason."""
    for label, where in ((title, "title"), (heading, "heading")):
        label = label or ""
        match = _NATIONAL_TITLE.search(label)
        if match:
            return "national", f"{where} names a national body: “{match.group(0)}”"
        match = _title_level(label)
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
    counts = Counter(_LEVEL[m.group(1) or m.group(2)] for m in _OWN_LEVEL.finditer(text) if _own_unit_word(text, m))
    if not counts:
        return "unknown", "no level named in the title, by the speaker or to the audience"
    (best, n), *rest = counts.most_common()
    if rest and rest[0][1] == n:
        return "unknown", f"the text addresses {best} and {rest[0][0]} equally often ({n}×)"
    # A speech to a county says 全县/我县 again and again; a few in a long text are quotations or asides
    # (我区 in a national report). So at least one per 3,000 characters begun: a one-line note with
    # one 全省 is all there is, but a 7,000-character text needs three.
    needed = -(-len(text) // _CHARS_PER_HIT)
    if n < needed:
        times = "only once" if n == 1 else f"only {n}×"
        return "unknown", (f"the text addresses a {best} {times} in {len(text):,} characters "
                           f"(one in {_CHARS_PER_HIT:,} needed)")
    return best, f"addresses the {best} {n}× (全/我/本…, …委、…政府)" + (
        f"; {rest[0][0]} {rest[0][1]}×" if rest else "")


# A place's short name where only a place fits: 我们晴隆人, 来平鲁调研, 平鲁分局.
_SHORT_NAME = re.compile(r"(?:我们|来|到|赴)([\u4e00-\u9fff]{2,3}?)(?:人(?![民员口大])|调研|考察|视察)"
                         r"|([\u4e00-\u9fff]{2})(?:分局|籍)")
_SUFFIX = {"county": ("县", "自治县", "旗"), "district": ("区",), "city": ("市",)}
_SHORT_OF = re.compile(r"(?:(?:壮族|回族|维吾尔)?自治区|特别行政区|自治县|省|市|县|区|旗)$")
# The speaker claims a place as his own: 我们晴隆, 咱们平鲁区; someone comes *here*: 来平鲁调研; the
# speaker instructs its units, as in 全县上下要…: 晴隆县各级要落实 (a description, 安吉县上下形成共识, is none).
_OWN_BEFORE = ("我们", "咱们")
_COME_AFTER = ("调研", "考察", "视察", "检查", "指导")
_ORDERS_AFTER = re.compile(r"(?:各级|上下|各乡镇|各部门|各单位)[^，。；！？\n]{0,8}?(?:要|必须|务必)")
# A place that is somewhere else: the speaker's people go there or learn from it (赴安吉县, 学习桐乡).
_AWAY = ("赴", "到", "去", "前往", "考察", "参观", "学习", "借鉴", "走访", "访问")


def _short_names(text: str, level: str):
    """(division, start) for divisions of ``level`` named by their short name where only a place fits."""
    names = gazetteer()
    for match in _SHORT_NAME.finditer(text):
        group = 1 if match.group(1) else 2
        for suffix in _SUFFIX.get(level, ()):
            name = match.group(group) + suffix
            if names.get(name) == level and name not in _EVERYDAY:
                yield name, match.start(group)
                break


def _forms(name: str) -> tuple[str, ...]:
    """The full name and, if it keeps two characters, the short name (安吉县 → 安吉)."""
    short = _SHORT_OF.sub("", name)
    return (name, short) if len(short) >= 2 and short != name else (name,)


def _occurrences(text: str, word: str):
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + 1)


def _destination(text: str, start: int, ends: dict[int, int], shorts: frozenset[str]) -> int | None:
    """Where a destination word (赴, 学习…) stands before the name at ``start``, or None.

    The name may follow its parents or other destinations: 赴浙江省湖州市安吉县、嘉兴市桐乡市.
    """
    at = start
    while at > 0:
        for word in _AWAY:
            if text.startswith(word, at - len(word), at):
                return at - len(word)
        if text[at - 1] == "、":
            at -= 1
        elif at in ends:  # a full name just before: its parent, or an earlier destination
            at = ends[at]
        else:  # a province's short name just before (赴浙江安吉), or no destination
            size = next((size for size in _short_sizes(shorts) if text[max(0, at - size):at] in shorts), 0)
            if not size:
                return None
            at -= size
    return None


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
    mentions = find_places(text)
    named: dict[str, set[int]] = {}  # division of the level → where it is named (full or short name)
    for mention in mentions:
        if mention.level == level:
            named.setdefault(mention.name, set()).add(mention.start)
    for name, start in _short_names(text, level):
        named.setdefault(name, set()).add(start)
    if not named:
        return None, f"no {level} of the gazetteer named"
    ends = {m.end: m.start for m in mentions}
    shorts = _index()[2]
    own: dict[str, str] = {}  # division → the words that claim it
    away: dict[str, str] = {}  # division → the words that send someone there
    for name, starts in named.items():
        for form in _forms(name):
            for at in _occurrences(text, form):
                after = at + len(form)
                if text.endswith(_OWN_BEFORE, 0, at):
                    starts.add(at)
                    own.setdefault(name, text[at - 2:after])
                elif text.endswith("来", 0, at) and text.startswith(_COME_AFTER, after):
                    starts.add(at)
                    own.setdefault(name, text[at - 1:after + 2])
                elif orders := _ORDERS_AFTER.match(text, after):
                    starts.add(at)
                    own.setdefault(name, text[at:orders.end()])
                went = _destination(text, at, ends, shorts)
                if went is not None:
                    away.setdefault(name, text[went:after])
    counts = Counter({name: len(starts) for name, starts in named.items()})
    claimed = [name for name in own if name not in away]
    if len(claimed) > 1:
        return None, f"the speaker claims {claimed[0]} (“{own[claimed[0]]}”) and {claimed[1]} (“{own[claimed[1]]}”)"
    if claimed:
        name, n = claimed[0], counts[claimed[0]]
        if n >= 2:
            return name, f"named {n}× ({level}; full or short name), as the speaker's own: “{own[name]}”"
        return None, f"{name} is claimed (“{own[name]}”) but named only once"
    (best, n), *rest = counts.most_common()
    if n < 2 or (rest and rest[0][1] == n):
        return None, f"no division named more often than the others and at least twice ({best} {n}×)"
    if best in away:
        return None, f"{best} is named {n}× but also as a destination (“{away[best]}”)"
    runner_up = rest[0][1] if rest else 0
    if n < 3 or n < 3 * runner_up:  # frequency alone must be overwhelming
        return None, f"{best} named {n}× (next {runner_up}×), but never as the speaker's own"
    return best, f"named {n}× ({level}; full or short name), next {runner_up}×, never as a destination"
