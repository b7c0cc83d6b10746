"""Who issued the report, for which year, and when: from its title, body and signature."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.parsing.matching import chinese_number, nfkc

_ORG_SUFFIX = (
    "人民政府办公厅|人民政府办公室|人民政府|政府办公室|办公厅|办公室|委员会|管理委员会|管委会|委|局|厅|署|院|"
    "中心|部|处|所|站|队|馆|社|会|集团|公司|实验区|开发区|新区|示范区|街道办事处|街道|镇|乡|政府"
)
_PLACE_SUFFIX = "省|市|县|区|州|旗|盟|自治州|自治县|自治区|镇|乡|街道"
# "2021年政府信息公开工作年度报告", "2021年度政务公开工作年度报告", "2021年政府信息公开工作的年度报告"
_REPORT_WORDS = r"(?:工作)?\s*(?:情况)?\s*(?:的)?\s*(?:年度)?\s*(?:报告|報告|年报)"
_TITLE_WORDS = (
    r"(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*(?:政府|政务)?\s*(?:信息)?\s*公开\s*" + _REPORT_WORDS
)
_TITLE = re.compile(r"(?P<prefix>[^\n。；;，,]{0,40}?)" + _TITLE_WORDS)
_TITLE_ONLY = re.compile(_TITLE_WORDS)
# the agency between the year and the words: "2019年上海市人民政府办公厅政府信息公开工作年度报告"
_AGENCY_INSIDE = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<agency>[\u4e00-\u9fff（）()]{2,40}?)\s*(?P<word>政府|政务)?\s*"
    r"(?:信息)?\s*公开\s*" + _REPORT_WORDS
)
_PERIOD = re.compile(
    r"统计(?:期限|时限|期间|区间|范围)?[^。；]{0,12}?(?:自|为|从)?\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"
)
_YEAR_OF_WORK = re.compile(r"^\s*((?:19|20)\d{2})\s*年(?:度)?\s*[,，]")
_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DATE = re.compile(
    r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
_HALVED_2020 = re.compile(r"(?:^|[^\d])20年(\d{1,2})月(\d{1,2})日$")
_DATE_LABEL = re.compile(r"(报出日期|填报日期|成文日期|发文日期|印发日期|日期)\s*[:：]?\s*$")
_NOT_SIGNATURE_BEFORE = re.compile(r"(自|至|从|截至|截止|于|到|期限|期间|起|为|在|—|-|～|~)\s*$")
_NOT_SIGNATURE_AFTER = re.compile(
    r"^\s*(起|止|至|前|以来|—|-|～|~|期间|之前|以前|到|，现|发布|印发|召开|开始|正式)"
)
_ENDS_AS_ORG = re.compile(rf"(?:{_ORG_SUFFIX})$")
_PUBLISHING = r"(?:现将|现予|现)?(?:公布|发布|印发)"
_ANNOUNCING = re.compile(rf"^(?:{_PUBLISHING}|现将)")
# words a sentence puts before a name: "本报告由某某市人民政府…编制", "请与某某局联系"
_BEFORE_NAME = re.compile(rf"^(?:{_PUBLISHING}|本报告由|请与|请向|由)(?=[\u4e00-\u9fff]{{4}})")
# "现将我局2021年度…": the agency names itself, not by its name (本溪市 is a name)
_SELF = re.compile(r"(?:我|本)(?:局|委|办|厅|署|院|机关|单位|部门|中心|县|市|区|镇|乡|街道|公司)")
# "请与某某局办公室联系": the contact is the agency's office or a division of it
_CONTACT = re.compile(r"^(?:请与|请向)")
_SUB_UNIT = re.compile(r"(?:办公室|[\u4e00-\u9fff]{0,8}?(?:处|科|股))$")
# "本年度报告由国家机关事务管理局根据…编制": the compiler, named where no place is
_COMPILED_BY = re.compile(
    r"由([\u4e00-\u9fff]{2,30}?(?:委员会|管理局|局|厅|署|部|委|院|办公室|中心))(?:根据|结合|按照|依据|综合|汇总|负责)"
)
# a title that names only a place ("三明市2021年…"): the report is its government's
_PLACE_ONLY = re.compile(r"(?:省|市|县|区|州|旗|盟|镇|乡|街道)$")
_NOT_A_PLACE = re.compile(r"(?:实验区|开发区|新区|示范区|园区|景区|高新区|保税区|合作区)$")
FRAGMENT = 5  # a line this short is a piece of a sentence, not a line of its own
_ORG_NAME = re.compile(rf"([\u4e00-\u9fff（）()]{{2,30}}?(?:{_ORG_SUFFIX}))")


@dataclass(frozen=True, slots=True)
class Metadata:
    agency: str | None
    year: int | None
    report_date: str | None


def extract_metadata(
    paragraphs: Sequence[str], title_hint: str | None, published_at: str | None, file_name: str | None = None
) -> Metadata:
    """Agency as printed (simplified), report year, and the date printed on the report.

    The file's name ("某某局2023年政府信息公开工作年度报告.pdf") is the last resort, for a
    document that names neither in its title nor in its body.
    """
    lines = _joined_fragments([to_simplified(nfkc(p)).strip() for p in paragraphs if p.strip()])
    title_agency, title_year = _from_title(lines, title_hint)
    body = "\n".join(lines)
    year = title_year or _period_year(body) or _work_year(lines)
    report_date = _report_date(lines, year)
    if year is None and report_date is not None:
        year = int(report_date[:4]) - 1 if int(report_date[5:7]) <= 6 else int(report_date[:4])
    agency = _complete_agency(title_agency, body) if title_agency else _agency_from_body(lines)
    if (agency is None or year is None) and file_name:
        name_agency, name_year = _from_title([], re.sub(r"\.[A-Za-z0-9]{1,5}$", "", file_name))
        agency, year = agency or name_agency, year or name_year
    if agency is not None and _PLACE_ONLY.search(agency) and not _NOT_A_PLACE.search(agency):
        agency = _government_of(agency, lines)
    elif agency is not None and re.fullmatch(rf"[\u4e00-\u9fff]{{2,20}}(?:{_PLACE_SUFFIX})政府", agency):
        # "2021年某某县政府信息公开…": the place and the first word of 政府信息公开; the
        # body names the government in full where it names it
        full = agency[:-2] + "人民政府"
        if full in "".join(lines):
            agency = full
    if year is None and published_at:
        year = int(published_at[:4]) - 1
    return Metadata(agency, year, report_date)


def _joined_fragments(lines: Sequence[str]) -> list[str]:
    """Lines with runs of fragments joined: a crawler that puts each number and word of a
    sentence on a line of its own ("2019年" "2" "月" "25" "日") leaves no line to read a date or
    a signature from."""
    out: list[str] = []
    previous_fragment = False
    for line in lines:
        fragment = len(re.sub(r"\s+", "", line)) <= FRAGMENT
        if fragment and previous_fragment and out:
            out[-1] += line
        else:
            out.append(line)
        previous_fragment = fragment
    return out


def _government_of(place: str, lines: Sequence[str]) -> str:
    """The issuer of a report whose title names only a place ("三明市2021年…报告"): the agency
    the opening sentence announces ("现公布三明市人民政府…"), else the place's government as
    the body names it, else its people's government."""
    announced = _announced(lines)
    if announced and announced[0] and announced[0].startswith(place) and announced[0] != place:
        return announced[0]
    body = "".join(re.sub(r"\s+", "", line) for line in lines)
    for suffix in ("人民政府", "管理委员会", "管委会", "街道办事处"):
        if place + suffix in body:
            return place + suffix
    return place + ("办事处" if place.endswith("街道") else "人民政府")


def report_titles(lines: Sequence[str]) -> list[tuple[str | None, int]]:
    """Every (agency, year) a title line names, in order: more than one means several reports."""
    found: list[tuple[str | None, int]] = []
    for i, line in enumerate(lines):
        text = to_simplified(nfkc(line)).strip()
        if len(text) > 60:
            continue
        match = _TITLE.fullmatch(text) or _TITLE.match(text)
        if not match or match.end() < len(text) - 2:
            # "2019年某县人民政府政府信息公开…": the year starts the line, the agency follows it
            inside = _agency_inside(text)
            starts_with_year = inside is not None and not text[: text.find(str(inside[1]))].strip()
            if inside and starts_with_year and inside[2] >= len(text) - 2 and inside[:2] not in found:
                found.append(inside[:2])
            continue
        prefix = _clean_prefix(match.group("prefix"))
        if not prefix and i > 0 and len(lines[i - 1].strip()) <= 30:
            prefix = _clean_prefix(to_simplified(nfkc(lines[i - 1])))
        title = (prefix or None, int(match.group("year")))
        if title not in found:
            found.append(title)
    return found


def _from_title(lines: Sequence[str], title_hint: str | None) -> tuple[str | None, int | None]:
    """Agency and year from the title: the crawler's or page's title first, then the first lines.

    Titles break across lines ("洪泽区人民政府" / "2023年政府信息公开工作年度报告", or the
    year on a line of its own), so the first short lines are read as one string; the agency
    is what precedes the year on its line, else the line above. A page whose title names no
    agency may announce the report in its opening sentence ("现公布某某市人民政府2017年…").
    """
    hint_year = None
    if title_hint:
        hint = re.sub(r"\s+", "", to_simplified(nfkc(title_hint)))
        match = _TITLE.search(hint)
        if match:
            hint_year = int(match.group("year"))
            if _clean_prefix(match.group("prefix")):
                return _clean_prefix(match.group("prefix")), hint_year
        if inside := _agency_inside(hint):
            return inside[0], inside[1]
    first = re.sub(r"\s+", "", lines[0]) if lines else ""
    if len(first) > 80:  # title, body and all on one line: web text, a PDF's text layer
        match = _TITLE.match(first)
        if match and (prefix := _clean_prefix(match.group("prefix"))):
            return prefix, hint_year or int(match.group("year"))
    agency, year = _from_head(lines, hint_year)
    if agency is None and (announced := _announced(lines)):
        return announced[0], year or announced[1]
    return agency, year


def _announced(lines: Sequence[str]) -> tuple[str | None, int] | None:
    """The report the opening sentence announces: "…规定，现公布某某市人民政府2017年政府信息公开…"."""
    for line in lines[:15]:
        for match in _TITLE.finditer(re.sub(r"\s+", "", line)):
            prefix = match.group("prefix")
            if _ANNOUNCING.match(prefix):
                return _clean_prefix(prefix) or None, int(match.group("year"))
    return None


def _from_head(lines: Sequence[str], hint_year: int | None) -> tuple[str | None, int | None]:
    """Agency and year from the title among the first short lines, read as one string."""
    head = [re.sub(r"\s+", "", line) for line in lines[:15]]
    head = [line for line in head if 0 < len(line) <= 80]
    flat = "".join(head)
    starts = [sum(len(x) for x in head[:i]) for i in range(len(head))]
    found = _TITLE_ONLY.search(flat)
    if not found:
        inside = _agency_inside(flat)
        return (inside[0], hint_year or inside[1]) if inside else (None, hint_year)
    line = max(i for i, start in enumerate(starts) if start <= found.start())
    prefix = _clean_prefix(flat[starts[line] : found.start()])
    if not prefix and line > 0 and len(head[line - 1]) <= 40:
        prefix = _clean_prefix(head[line - 1])  # the agency on the line above the title
    return prefix or None, hint_year or int(found.group("year"))


def _agency_inside(text: str) -> tuple[str, int, int] | None:
    """(agency, year, end) of a title that names the agency after the year, if `text` has one.

    "2019年某某县政府信息公开…" names 某某县政府: the 政府 the words would start with also
    ends the name when what precedes it is no organisation on its own.
    """
    for match in _AGENCY_INSIDE.finditer(text):
        agency = match.group("agency")
        if match.group("word") == "政府" and not _ENDS_AS_ORG.search(agency):
            agency += "政府"
        agency = _clean_prefix(agency)
        if agency and not re.match(r"(政府|政务|信息)", agency):
            return agency, int(match.group("year")), match.end()
    return None


def _clean_prefix(prefix: str) -> str:
    text = re.sub(r"\s+", "", prefix)
    text = re.sub(r"^(标题|题目)[:：]", "", text)
    text = re.sub(r"^[【\[]([^】\]]*)[】\]]$", r"\1", text)  # "【某某市人民政府】" is the agency
    text = re.sub(r"^(关于|【[^】]*】|\[[^\]]*\])", "", text)  # "【通知公告】某某市…": a category
    text = text.strip("《》“”\"'：:、-—·|")
    text = re.sub(r"(关于|的)$", "", text)
    text = _ANNOUNCING.sub("", text)  # "现将某某局2021年度…报告如下"
    if re.search(r"[《》“”]|关于|根据|按照|编制", text) or _SELF.match(text):
        return ""  # a sentence that cites a title, not a title; "我局", not a name
    if re.search(r"(?:19|20)\d{2}\s*年|信息公开|年度报告", text):
        return ""  # a title of its own (the line above another), not a name
    if not text or not re.search(r"[\u4e00-\u9fff]", text) or len(text) > 40:
        return ""
    return text


def _complete_agency(agency: str, body: str) -> str:
    """A title that names only the department ("生态环境局") gets its place from the body."""
    if re.search(rf"({_PLACE_SUFFIX})", agency[:-1]) or not re.search(rf"({_ORG_SUFFIX})$", agency):
        return agency
    counts = Counter(
        m.group(1)
        for m in re.finditer(rf"([\u4e00-\u9fff]{{2,12}}?(?:{_PLACE_SUFFIX}))(?={re.escape(agency)})", body)
    )
    if not counts:
        return agency
    place = counts.most_common(1)[0][0]
    # "2020年，抚远市" → keep the place name, not the sentence before it
    place = re.split(r"[年，,。；、]", place)[-1]
    return place + agency


def _agency_from_body(lines: Sequence[str]) -> str | None:
    """No title: the signature above the date at the end, else the most named organisation."""
    compact = [re.sub(r"\s+", "", line) for line in lines]
    for i in range(len(lines) - 1, max(len(lines) - 8, 1) - 1, -1):
        is_date = _DATE.fullmatch(compact[i]) or _CN_DATE.fullmatch(compact[i])
        if is_date and _ORG_NAME.fullmatch(compact[i - 1]):
            return compact[i - 1]
    counts: Counter[str] = Counter()
    for line in lines[:40]:
        for match in re.finditer(
            rf"(?:^|[，,。\s年])([\u4e00-\u9fff]{{2,12}}(?:{_PLACE_SUFFIX})[\u4e00-\u9fff]{{0,12}}?(?:{_ORG_SUFFIX}))",
            line,
        ):
            # The shortest name ending in a suffix may stop inside the real one (…和社|会保障厅:
            # 社 and 会 are suffixes too): count the longer names the same words go on to form.
            # "现公布某某县人民政府2025年…", the opening sentence: the verb is no part of the name
            found = [match.group(1), *_longer_names(line, match.start(1), match.end(1))]
            names = {_BEFORE_NAME.sub("", name) for name in found}
            if _CONTACT.match(match.group(1)):  # the contact's unit, not the agency: count the agency
                names = {_without_sub_units(name) for name in names}
            counts.update(names)
    if not counts:
        compiled = (_COMPILED_BY.search(line) for line in lines[:10])
        return next((m.group(1) for m in compiled if m), None)
    top = counts.most_common(1)[0][1]
    # among the names named as often as the most named, the longest: the others are its prefixes
    return max((name for name, n in counts.items() if n == top), key=len)


def _without_sub_units(name: str) -> str:
    """ "某某市人民政府办公室政府信息公开处" → "某某市人民政府", while what is left is an organisation."""
    while (shorter := _SUB_UNIT.sub("", name)) != name and _ENDS_AS_ORG.search(shorter):
        name = shorter
    return name


def _longer_names(line: str, start: int, end: int, reach: int = 8) -> list[str]:
    """Names from `start` that extend past `end` by at most `reach` CJK characters to a suffix."""
    tail = re.match(r"[\u4e00-\u9fff]*", line[end : end + reach])
    words = tail.group(0) if tail else ""
    return [
        line[start : end + i] for i in range(1, len(words) + 1) if _ENDS_AS_ORG.search(line[start : end + i])
    ]


def _period_year(body: str) -> int | None:
    match = _PERIOD.search(re.sub(r"\s+", "", body))
    return int(match.group(1)) if match else None


def _work_year(lines: Sequence[str]) -> int | None:
    counts = Counter(int(m.group(1)) for line in lines[:30] if (m := _YEAR_OF_WORK.match(line)))
    return counts.most_common(1)[0][0] if counts else None


def _report_date(lines: Sequence[str], year: int | None) -> str | None:
    """The date the report was signed or filed: a standalone date, a labelled one, or a signature."""
    best: tuple[int, int, str] | None = None  # (strength, position, iso)
    if year == 2019 and lines and (halved := _HALVED_2020.search(lines[-1])):
        # "2020年" broken into "20" "20" by a crawler that then kept one of two equal lines
        return f"2020-{int(halved.group(1)):02d}-{int(halved.group(2)):02d}"
    total = sum(len(line) + 1 for line in lines)
    offset = 0
    for line in lines:
        compact = line
        for pattern, chinese in ((_DATE, False), (_CN_DATE, True)):
            for match in pattern.finditer(compact):
                iso = _iso(match, chinese)
                if iso is None or not _plausible(iso, year):
                    continue
                before, after = compact[: match.start()], compact[match.end() :]
                strength = 0
                if _DATE_LABEL.search(before):
                    strength = 3
                elif not before.strip() and not after.strip():
                    strength = 3  # a date on a line of its own: the signature
                elif chinese and not _NOT_SIGNATURE_BEFORE.search(before):
                    strength = 2  # dates spelt out in numerals are signature dates
                elif (
                    offset + match.start() > total * 0.6
                    and not _NOT_SIGNATURE_BEFORE.search(before)
                    and not _NOT_SIGNATURE_AFTER.match(after)
                    and re.match(r"^\s*(附件|$|\s)", after)
                ):
                    strength = 1
                if strength and (best is None or (strength, offset + match.start()) >= best[:2]):
                    best = (strength, offset + match.start(), iso)
        offset += len(line) + 1
    return best[2] if best else None


def _iso(match: re.Match[str], chinese: bool) -> str | None:
    if chinese:
        digits = {
            "〇": "0",
            "○": "0",
            "零": "0",
            "一": "1",
            "二": "2",
            "三": "3",
            "四": "4",
            "五": "5",
            "六": "6",
            "七": "7",
            "八": "8",
            "九": "9",
        }
        year_digits = "".join(digits[c] for c in match.group(1))
        month, day = chinese_number(match.group(2)), chinese_number(match.group(3))
        year = int(year_digits)
    else:
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _plausible(iso: str, year: int | None) -> bool:
    """A report is dated in its own year (legacy forms) or early in the next."""
    if year is None:
        return True
    return int(iso[:4]) in (year, year + 1)
