"""The genre of a speech, from a closed set, with the evidence for it.

Genres (``topics.corpus.GENRES``):

``congress_report``
    the report of a Central Committee to a national party congress (代表第十八届中央委员会向大会作报告;
    a title 在中国共产党第…次全国代表大会上的报告);
``work_report``
    a report to a congress or council that it is asked to review (我代表国务院，向大会报告政府工作，
    请予审议; 政府工作报告 in the title), a work summary or report by its title (工作报告, 总结,
    汇报, 述职 as the title's head), or a digest of such a report (…在报告中指出); also a text with
    a review section and a problems or tasks section but no salutation;
``host_script``
    the script of a meeting's host (主持词; agenda items and “下面请…讲话”);
``address``
    a ceremonial address (致辞, 欢迎词, 贺词) that does not lay out work;
``news``
    a news item (a dateline such as 新华社北京3月5日电, 本报讯, （记者…）);
``speech``
    a leader's speech (讲话, 发言 as the title's head; or a salutation such as 同志们： or “我讲几点”);
``other``
    none of these, or cues that contradict each other.

Decisive cues are read from the title and the opening of the text (its first 1,500 characters),
so that one series of documents with the same opening formula gets one genre, whatever
boilerplate its body carries. The first that applies decides:

1. a congress-report title;
2. the document's *own* formula of a congress or work report, in the first person
   (我代表国务院，向大会报告…): not inside quotation marks (“”「」『』) and not reported speech
   (…指出：, …说， before it in its sentence). It outranks a news dateline, since agencies publish
   full texts under one (新华社北京…电 / 政府工作报告 / …我代表国务院…); a title whose head is
   讲话 contradicts it, which gives ``other``;
3. a news dateline at the start of the text (its first 300 characters): a news item that mentions
   a report (…作政府工作报告) in its headline, first line or a third-person formula is news;
4. the title: 主持词 (host script); then its *head*, the last genre noun, which names what the
   document is. In 在…总结会上的讲话 the head is 讲话 and 总结 only names the meeting, as does
   any report noun followed, within four characters, by 会, 会议 or 大会 (工作汇报会, 述职评议会).
   A head 讲话/发言 outranks every body cue below; 汇报发言 and 述职讲话 are reports given
   orally (``work_report``); 总结讲话 is a closing speech;
5. a third-person or unsigned formula in the opening (…代表县人民政府向大会作政府工作报告),
   政府工作报告 in the title or first line, or a digest (…在报告中指出): ``work_report``;
6. an address title (致辞, unless a work speech), then a report head in the title (…工作报告,
   关于…情况的汇报, 述职报告, 上半年工作总结);
7. cues in the body: host cues, review and tasks sections, a salutation.
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
# Quoted words are someone else's: a speech may quote the State Council's formula.
_QUOTED = re.compile(r"“[^”\n]{0,300}”|「[^」\n]{0,300}」|『[^』\n]{0,300}』|\"[^\"\n]{0,300}\"")
_SENTENCE_ENDS = "。！？!?\n"
_REPORTED = re.compile(r"(?:指出|提到|强调|谈到|表示|宣布|写道|说)[：:，,]")
# 我 as the speaker (not 我国, 我们, 我县 …): the reporter's own voice
_FIRST_PERSON = re.compile(r"我(?![国们省市县区州旗盟镇乡村校院局委厅部所])")
_DIGEST = re.compile(r"在(?:政府工作|工作)?报告中(?:首先|还|接着|最后)?(?:指出|说|强调|谈到)")
_NEWS = re.compile(r"(?:新华社|中新社|本报|本台|央视网|人民网|新华网)[^。，]{0,16}(?:电|讯|消息)|（记者[^）]{0,20}）|记者[^。，]{0,8}报道")
_HOST_TITLE = re.compile(r"主持词|主持稿|主持人讲话|主持讲话")
_REPORT_TITLE = re.compile(r"工作报告|报告$|总结|汇报|述职")
_ADDRESS_TITLE = re.compile(r"致辞|欢迎词|贺词|祝词|致词")
_SPEECH_TITLE = re.compile(r"讲话|发言|讲稿|演讲|动员")
# after a report noun: it names a meeting (总结会上, 工作汇报会, 述职评议会, 总结表彰大会)
_MEETING_NAME = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:会议|大会|会上|会$|会暨)")
_ORAL_REPORT = ("汇报", "述职")  # 汇报发言, 述职讲话: a report, given orally
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


def _own_formula(pattern: re.Pattern, opening: str) -> tuple[str, bool] | None:
    """(words, first person) of the opening's first formula that is its own, or None.

    Quoted spans are blanked (same length, so positions hold) and a formula whose sentence
    introduces it as someone's words (…指出：) is skipped.
    """
    if not _MAY[pattern](opening):
        return None
    masked = _QUOTED.sub(lambda quote: "。" * len(quote.group(0)), opening)
    for match in pattern.finditer(masked):
        before = masked[max(masked.rfind(end, 0, match.start()) for end in _SENTENCE_ENDS) + 1:match.start()]
        if _REPORTED.search(before):
            continue
        return opening[match.start():match.end()], bool(_FIRST_PERSON.search(before + match.group(0)))
    return None


def _title_head(title: str) -> tuple[str, str] | None:
    """(genre, noun) named by the title's head, the last speech or report noun that names no meeting."""
    nouns = [(match.start(), match.group(0), "speech") for match in _SPEECH_TITLE.finditer(title)]
    nouns += [(match.start(), match.group(0), "work_report") for match in _REPORT_TITLE.finditer(title)
              if not _MEETING_NAME.match(title, match.end())]
    if not nouns:
        return None
    nouns.sort()
    start, noun, kind = nouns[-1]
    modifier = title[max(0, start - 2):start]
    if kind == "speech" and modifier in _ORAL_REPORT:
        return "work_report", modifier + noun
    return kind, noun


def genre(title: str | None, text: str) -> tuple[str, str]:
    """(genre, evidence) from the unit's own title and text; see the module docstring for the order."""
    title = title or ""
    opening = text[:1500]
    head = _title_head(title)
    match = _CONGRESS.search(title)
    if match:
        return "congress_report", f"title: “{match.group(0)}”"
    congress, formula = _own_formula(_CONGRESS, opening), _own_formula(_REPORT_FORMULA, opening)
    for found, kind in ((congress, "congress_report"), (formula, "work_report")):
        if found and found[1]:  # the reporter's own voice
            if head and head[0] == "speech":
                return "other", f"conflict: title head “{head[1]}”, but the opening reports: “{found[0][:60]}”"
            return kind, f"opening: “{found[0][:60]}”"
    # a dateline says the text is an item about events, whatever report it mentions
    match = _NEWS.search(text[:300])
    if match:
        return "news", f"dateline: “{match.group(0)}”"
    if _HOST_TITLE.search(title):
        return "host_script", f"title: “{_HOST_TITLE.search(title).group(0)}”"
    if head and head[0] == "speech":
        return "speech", f"title head: “{head[1]}”"
    for found, kind in ((congress, "congress_report"), (formula, "work_report")):
        if found:
            return kind, f"opening: “{found[0][:60]}”"
    first_line = text.lstrip().split("\n", 1)[0]
    for label, where in ((title, "title"), (first_line, "first line")):
        if "政府工作报告" in label:
            return "work_report", f"{where}: 政府工作报告"
    match = _DIGEST.search(opening)
    if match:
        return "work_report", f"digest of a report: “{match.group(0)}”"
    if _ADDRESS_TITLE.search(title):
        # sites call many work speeches 致辞稿; a leader laying out tasks gives a speech
        cue = _search(_SPEECH_CUES, text)
        if cue:
            return "speech", f"title “{_ADDRESS_TITLE.search(title).group(0)}”, but a work speech: “{cue.group(0)}”"
        return "address", f"title: “{_ADDRESS_TITLE.search(title).group(0)}”"
    if head:  # a report noun: a speech head returned above
        return "work_report", f"title head: “{head[1]}”"
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
