"""The calendar that Chinese political texts count in: congresses, plenums, plan periods, anniversaries.

A text that names "the second session of the 14th National People's Congress" or "the first year of
the 13th Five-Year Plan" names a year without writing it. This module holds the general knowledge
needed to turn such names into years (public record; the sources are the standard chronologies of
the NPC and the CPC), and reads the numbers they are written in:

* :func:`npc_session_year` -- sessions of the National People's Congress (全国人民代表大会);
* :data:`PARTY_CONGRESS_YEARS`, :func:`plenum_year` -- CPC national congresses and plenums of
  its Central Committees (十八大, 十八届三中全会);
* :func:`plan_year` -- a position in a five-year plan (“十三五”的开局之年 → 2016);
* :data:`ANNIVERSARY_BASES` -- events whose anniversaries texts count (新中国成立七十周年 → 2019);
* :func:`chinese_number`, :func:`normalise_digits` -- numbers written in Chinese or full-width digits.

Nothing here decides what a text's year is: :mod:`topics.build.date_clues` finds the mentions and
:mod:`topics.build.dating` weighs them.
"""

from __future__ import annotations

import re

__all__ = ["ANNIVERSARY_BASES", "CN_NUMBER", "CONGRESS", "EVENT", "EVENT_HINT", "NPC_SESSION", "PLENUM", "YEAR",
           "event_year", "events_in", "session_year", "year_value", "PARTY_CONGRESS_YEARS", "PLAN_POSITIONS", "chinese_number",
           "normalise_digits", "npc_session_year", "npc_term_years", "plan_year", "plenum_year"]

#: a number written with Chinese numerals (一 … 九十九), as in 第十四届, 十八大, 七十周年
CN_NUMBER = "[一二三四五六七八九十两]{1,4}"
_DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}

# Length-preserving digit forms: full-width digits, and the digits of years written out
# (一九五八年, 二〇〇五年, 一九八○年), so that a match in the normalised line is a span of the original.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_HAS_FULL_WIDTH = re.compile("[０-９]")
_CN_YEAR = re.compile(r"[一二三四五六七八九][零〇○Ｏ一二三四五六七八九]{3}(?=\s*年)")


#: a year written with digits, before 年 (not 年代); the digits may be spaced (1 9 9 8 年)
YEAR = r"(?<![\d.])((?:1\s?[89]|2\s?0)\s?\d\s?\d)\s?年(?!代)"


def year_value(digits: str) -> int:
    """A year matched by :data:`YEAR` as a number."""
    return int(re.sub(r"\s", "", digits))


def normalise_digits(text: str) -> str:
    """``text`` with full-width digits and written-out years as ASCII digits, same length.

    >>> normalise_digits("一九八○年，１９８４年")
    '1980年，1984年'
    """
    if _HAS_FULL_WIDTH.search(text):  # translate() is slow on long lines: only when needed
        text = text.translate(_FULL_WIDTH)
    if "年" not in text:
        return text
    return _CN_YEAR.sub(lambda m: "".join(str(_DIGITS[c]) for c in m.group(0)), text)


def chinese_number(text: str) -> int | None:
    """Value of a Chinese numeral up to 99 (十八 → 18, 二十 → 20, 三 → 3), or of ASCII digits.

    >>> chinese_number("十四"), chinese_number("二十一"), chinese_number("十")
    (14, 21, 10)
    """
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


# -- the National People's Congress -------------------------------------------------------------
# Years of the sessions of the first five NPCs; from the 6th on, one session a year in a five-year term.
_NPC_EARLY = {1: (1954, 1955, 1956, 1957, 1958), 2: (1959, 1960, 1962, 1963), 3: (1964,), 4: (1975,),
              5: (1978, 1979, 1980, 1981, 1982)}


def npc_session_year(term: int, session: int) -> int | None:
    """Year of session ``session`` of the ``term``-th NPC (第十四届全国人民代表大会第二次会议 → 2024)."""
    if term in _NPC_EARLY:
        years = _NPC_EARLY[term]
        return years[session - 1] if 1 <= session <= len(years) else None
    if term >= 6 and 1 <= session <= 5:
        return 1983 + 5 * (term - 6) + session - 1
    return None


def npc_term_years(term: int) -> tuple[int, int] | None:
    """First and last session year of the ``term``-th NPC."""
    if term in _NPC_EARLY:
        return _NPC_EARLY[term][0], _NPC_EARLY[term][-1]
    if term >= 6:
        return npc_session_year(term, 1), npc_session_year(term, 5)
    return None


# -- the Communist Party of China ----------------------------------------------------------------
#: year of the n-th national congress of the CPC (党的十八大 = 2012)
PARTY_CONGRESS_YEARS = {1: 1921, 2: 1922, 3: 1923, 4: 1925, 5: 1927, 6: 1928, 7: 1945, 8: 1956, 9: 1969,
                        10: 1973, 11: 1977, 12: 1982, 13: 1987, 14: 1992, 15: 1997, 16: 2002, 17: 2007,
                        18: 2012, 19: 2017, 20: 2022}
# Years of the plenary sessions (1st, 2nd, …) of the n-th Central Committee.
_PLENUMS = {
    8: (1956, 1956, 1957, 1958, 1958, 1958, 1959, 1959, 1961, 1962, 1966, 1968),
    9: (1969, 1970), 10: (1973, 1975, 1977),
    11: (1977, 1978, 1978, 1979, 1980, 1981, 1982),
    12: (1982, 1983, 1984, 1985, 1985, 1986, 1987),
    13: (1987, 1988, 1988, 1989, 1989, 1990, 1990, 1991, 1992),
    14: (1992, 1993, 1993, 1994, 1995, 1996, 1997),
    15: (1997, 1998, 1998, 1999, 2000, 2001, 2002),
    16: (2002, 2003, 2003, 2004, 2005, 2006, 2007),
    17: (2007, 2008, 2008, 2009, 2010, 2011, 2012),
    18: (2012, 2013, 2013, 2014, 2015, 2016, 2017),
    19: (2017, 2018, 2018, 2019, 2020, 2021, 2022),
    20: (2022, 2023, 2024, 2025),
}


def plenum_year(committee: int, plenum: int) -> int | None:
    """Year of the ``plenum``-th plenary session of the ``committee``-th Central Committee (十八届三中全会 → 2013)."""
    years = _PLENUMS.get(committee, ())
    return years[plenum - 1] if 1 <= plenum <= len(years) else None


# -- five-year plans -------------------------------------------------------------------------------
#: how texts name a year's place in a plan period → offset from its first year
PLAN_POSITIONS = {"第一年": 0, "头一年": 0, "开局之年": 0, "开局年": 0, "起步之年": 0, "起步年": 0,
                  "首年": 0, "第二年": 1, "第三年": 2, "第四年": 3, "第五年": 4, "最后一年": 4,
                  "收官之年": 4, "收官年": 4, "结束之年": 4}


def plan_year(number: int, position: str) -> int | None:
    """Year at ``position`` (a key of :data:`PLAN_POSITIONS`) of the ``number``-th five-year plan."""
    if number < 1 or position not in PLAN_POSITIONS:
        return None
    start = {1: 1953, 2: 1958}.get(number, 1966 + 5 * (number - 3))  # the 3rd plan began in 1966
    return start + PLAN_POSITIONS[position]


# -- anniversaries ---------------------------------------------------------------------------------
#: events whose anniversaries (N周年, 诞辰N周年) texts celebrate, with the year they happened
ANNIVERSARY_BASES = {
    "中华人民共和国成立": 1949, "新中国成立": 1949, "人民政协成立": 1949, "中国人民政治协商会议成立": 1949,
    "中国共产党成立": 1921, "建党": 1921, "中国人民解放军建军": 1927, "建军": 1927,
    "改革开放": 1978, "十一届三中全会召开": 1978, "五四运动": 1919, "辛亥革命": 1911,
    "抗日战争胜利": 1945, "抗战胜利": 1945, "世界反法西斯战争胜利": 1945, "红军长征胜利": 1936,
    "全国人民代表大会成立": 1954, "西藏和平解放": 1951, "香港回归": 1997, "澳门回归": 1999,
    "毛泽东同志诞辰": 1893, "周恩来同志诞辰": 1898, "刘少奇同志诞辰": 1898, "朱德同志诞辰": 1886,
    "邓小平同志诞辰": 1904, "孙中山先生诞辰": 1866, "十月革命": 1917,
}


# -- numbered meetings named in a text ---------------------------------------------------------------
#: an NPC session (第十四届全国人民代表大会第二次会议, 六届人大一次会议); groups: term, session (×3 forms)
NPC_SESSION = (rf"第?({CN_NUMBER})届全国人民代表大会第({CN_NUMBER})次(?:全体)?会[议議]"
               rf"|({CN_NUMBER})届全国人大({CN_NUMBER})次会[议議]|({CN_NUMBER})届人大({CN_NUMBER})次会[议議]")
#: a CPC national congress (第十八次全国代表大会, 党的十八大, 十八大)
CONGRESS = (rf"(?:中国共产党)?第({CN_NUMBER})次全国代表大会|党的({CN_NUMBER})大"
            r"|(?<![一二三四五六七八九十])([一二三四五六七八九十]{2,3})大(?![会学家力小概量项类批件工重行体关区步型城事])")
#: a plenum of a Central Committee (十八届三中全会)
PLENUM = rf"({CN_NUMBER})届({CN_NUMBER})中全会"
#: any of the three; :func:`event_year` reads its year
EVENT = re.compile(rf"(?:{NPC_SESSION})|(?:{CONGRESS})|(?:{PLENUM})")
#: what every match of EVENT contains (a fast first look)
EVENT_HINT = re.compile(r"届|全国代表大会|(?<=[一二三四五六七八九十])大")


def session_year(match: re.Match, offset: int = 0) -> int | None:
    """Year of the NPC session matched by NPC_SESSION (its groups start after ``offset``)."""
    for term, session in ((offset + 1, offset + 2), (offset + 3, offset + 4), (offset + 5, offset + 6)):
        if match.group(term):
            t, s = chinese_number(match.group(term)), chinese_number(match.group(session))
            return npc_session_year(t, s) if t and s else None
    return None


def event_year(match: re.Match, first: int) -> int | None:
    """Year of the NPC session, party congress or plenum matched by ``EVENT`` from group ``first``."""
    year = session_year(match, first - 1)
    if year:
        return year
    for group in (first + 6, first + 7, first + 8):
        if match.group(group):
            return PARTY_CONGRESS_YEARS.get(chinese_number(match.group(group)) or 0)
    if match.group(first + 9):
        return plenum_year(chinese_number(match.group(first + 9)) or 0,
                           chinese_number(match.group(first + 10)) or 0)
    return None


def events_in(norm: str):
    """The numbered meetings named in a line (``EVENT`` is slow on long text: only near its hints)."""
    if "届" not in norm and "大" not in norm:
        return  # every hint holds one of them, and the hint regex (a lookbehind first) scans slowly
    done = -1
    for hint in EVENT_HINT.finditer(norm):
        if hint.start() < done:
            continue
        match = EVENT.search(norm, max(0, hint.start() - 16), hint.end() + 16)
        if match and match.start() >= done:
            done = match.end()
            yield match
