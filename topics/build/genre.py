"""The genre of a speech, from a closed set, with the evidence for it.

Genres (``topics.corpus.GENRES``):

``congress_report``
    the report of a Central Committee to a national party congress (代表第十八届中央委员会向大会作报告;
    a title 在中国共产党第…次全国代表大会上的报告);
``work_report``
    a report to a congress or council that it is asked to review (我代表国务院，向大会报告政府工作，
    请予审议; 政府工作报告 in the title), a work summary or report by its title (工作报告, 总结,
    汇报, 述职), or a digest of such a report (…在报告中指出); also a text with a review section and
    a problems or tasks section but no salutation;
``host_script``
    the script of a meeting's host (主持词; agenda items and “下面请…讲话”);
``address``
    a ceremonial address (致辞, 欢迎词, 贺词) that does not lay out work;
``news``
    a news item (a dateline such as 新华社北京3月5日电, 本报讯, （记者…）);
``speech``
    a leader's speech (讲话, 发言 in the title; or a salutation such as 同志们： or “我讲几点”);
``other``
    none of these.

Decisive cues are read in this order, from the title and the opening of the text (its first
1,500 characters), so that one series of documents with the same opening formula gets one
genre, whatever boilerplate its body carries.
"""

from __future__ import annotations

import re

from .prefilter import text_check

__all__ = ["genre"]

_CONGRESS = re.compile(r"代表第[^。，]{1,4}届中央委员会向(?:大会|第[^。，]{1,4}次全国代表大会)作报告"
                       r"|在中国共产党第[^。，]{1,4}次全国代表大会上的报告")
_REPORT_FORMULA = re.compile(
    r"(?:代表|受)[^。\n]{0,12}(?:国务院|人民政府|政府|委员会)[^。\n]{0,30}向[^。\n]{0,30}(?:大会|代表大会|会议)[^。\n]{0,60}(?:报告|议案)"
    r"|向(?:本次|这次)?大会(?:作|报告)[^。\n]{0,40}(?:报告|工作)[^。\n]{0,20}请(?:予|大会)?审议"
    r"|作[^。\n]{0,40}报告[，,]?\s?请(?:大会|予|各位代表)?审议"
    r"|向[^。\n]{0,40}(?:大会|会议)作[^。\n]{0,10}工作报告")
_DIGEST = re.compile(r"在(?:政府工作|工作)?报告中(?:首先|还|接着|最后)?(?:指出|说|强调|谈到)")
_NEWS = re.compile(r"(?:新华社|中新社|本报|本台|央视网|人民网|新华网)[^。，]{0,16}(?:电|讯|消息)|（记者[^）]{0,20}）|记者[^。，]{0,8}报道")
_HOST_TITLE = re.compile(r"主持词|主持稿|主持人讲话|主持讲话")
_REPORT_TITLE = re.compile(r"工作报告|报告$|总结|汇报|述职")
_ADDRESS_TITLE = re.compile(r"致辞|欢迎词|贺词|祝词|致词")
_SPEECH_TITLE = re.compile(r"讲话|发言|讲稿|演讲|动员")
# Things a leader says in a work speech (as opposed to a ceremonial address).
_SPEECH_CUES = re.compile(r"我(?:再|就|先)?(?:讲|强调|谈)(?:[几两三四五六]|一下)|讲(?:[几两三四五六])(?:点|个)"
                          r"|(?:下面|最后)[，,]?我(?:再)?(?:讲|强调|谈)")
_HOST_CUES = re.compile(r"议程|下面(?:进行|请)|请.{0,30}(?:讲话|发言|作.{0,6}报告|宣读|授课|讲课)"
                        r"|大家欢迎|散会|到此结束|（掌声）|\(掌声\)")
_REPORT_CUES = re.compile(r"(?:上半年|一年来|今年以来)(?:主要)?工作(?:开展)?情况|存在的(?:主要)?问题"
                          r"|下半年(?:主要)?工作(?:任务|打算|安排)|现将.{0,30}(?:汇报|报告)如下")
_SALUTATION = re.compile(r"(?:同志们|朋友们|代表们|各位领导)\s*[：:，,]")
# Most texts hold none of the strings a cue needs: testing those (``in``) first spares a regex scan of
# the whole text, which costs ~20 ns a character for patterns without a literal prefix.
_MAY = {pattern: text_check(pattern) for pattern in (_CONGRESS, _REPORT_FORMULA, _SPEECH_CUES, _HOST_CUES,
                                                      _REPORT_CUES, _SALUTATION)}


def _search(pattern: re.Pattern, text: str) -> re.Match | None:
    return pattern.search(text) if _MAY[pattern](text) else None


def _findall(pattern: re.Pattern, text: str) -> list:
    return pattern.findall(text) if _MAY[pattern](text) else []


def genre(title: str | None, text: str) -> tuple[str, str]:
    """(genre, evidence) from the unit's own title and text; see the module docstring."""
    title = title or ""
    opening = text[:1500]
    for source, where in ((title, "title"), (opening, "opening")):
        match = _search(_CONGRESS, source)
        if match:
            return "congress_report", f"{where}: “{match.group(0)}”"
    match = _search(_REPORT_FORMULA, opening)
    if match:
        return "work_report", f"opening: “{match.group(0)[:60]}”"
    first_line = text.lstrip().split("\n", 1)[0]
    for label, where in ((title, "title"), (first_line, "first line")):
        if "政府工作报告" in label:
            return "work_report", f"{where}: 政府工作报告"
    match = _NEWS.search(text[:300])
    if match:
        return "news", f"dateline: “{match.group(0)}”"
    match = _DIGEST.search(opening)
    if match:
        return "work_report", f"digest of a report: “{match.group(0)}”"
    if _HOST_TITLE.search(title):
        return "host_script", f"title: “{_HOST_TITLE.search(title).group(0)}”"
    if _SPEECH_TITLE.search(title) and not _REPORT_TITLE.search(title):
        return "speech", f"title: “{_SPEECH_TITLE.search(title).group(0)}”"
    if _ADDRESS_TITLE.search(title):
        # sites call many work speeches 致辞稿; a leader laying out tasks gives a speech
        cue = _search(_SPEECH_CUES, text)
        if cue:
            return "speech", f"title “{_ADDRESS_TITLE.search(title).group(0)}”, but a work speech: “{cue.group(0)}”"
        return "address", f"title: “{_ADDRESS_TITLE.search(title).group(0)}”"
    if _REPORT_TITLE.search(title):
        return "work_report", f"title: “{_REPORT_TITLE.search(title).group(0)}”"
    host_cues = _findall(_HOST_CUES, text) if len(text) < 4000 else []
    if len(host_cues) >= 3:
        return "host_script", f"{len(host_cues)} host cues (“{host_cues[0]}”, …)"
    report_cues = _findall(_REPORT_CUES, text)
    if len(report_cues) >= 2 and not _search(_SALUTATION, text[:200]):
        return "work_report", f"review and tasks sections (“{report_cues[0]}”, …), no salutation"
    cue = _search(_SALUTATION, text) or _search(_SPEECH_CUES, text)
    if cue:
        return "speech", f"addresses an audience: “{cue.group(0)}”"
    return "other", "no title, opening formula or cue of a genre"
