"""Legacy indicators by meaning: a printed label, and the total it is listed under, → its canonical code.

Pre-2019 forms differ by province and year (主动公开信息数 / 主动公开文件数; 网上申请数 /
网络申请数; 否决公开答复数 / 否定公开答复总数 / 不予公开答复数), so a label is read by the
words that carry its meaning, not compared with one wording. A 其中 part is read within its
total's family first (网站公开 under 主动公开 is the government site; 其他 under 申请 is
another channel), then like a row of its own. The rules are ordered: the first that matches
wins, so the more specific ones come first (省级 before 网站, 部分公开 before 同意).
The coded national form's numbers 01…57 decide only where no wording does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.codes import LEGACY_FORM_CODES, LEGACY_SUMS
from gaibao_pipeline.contracts.identities import Identity
from gaibao_pipeline.parsing.matching import match_key, nfkc, squeeze, strip_numbering

Rule = tuple[str, tuple[tuple[str, ...], ...]]  # (code, alternatives: every word of one must be present)

_TOP: tuple[Rule, ...] = (
    ("litigation_costs", (("诉讼", "费"),)),
    ("fee_waivers_count", (("减免", "次"),)),
    ("fee_waivers_amount", (("减免",), ("免收",))),
    ("budget_special", (("专项经费",), ("经费",))),
    ("spending_actual", (("实际支出",), ("支出",))),
    ("complaints_unsatisfied", (("不满意",),)),
    ("admin_reviews", (("复议",),)),
    ("lawsuits", (("诉讼",),)),
    ("complaints", (("申诉",), ("举报",), ("投诉",))),
    ("replies_total", (("答复",), ("答覆",), ("办结",), ("回复",))),
    ("normative_new", (("规范性文件",),)),
    ("service_info", (("服务类",),)),
    ("inquiries_total", (("咨询",), ("接待",))),
    ("site_visits", (("访问量",), ("点击量",), ("浏览量",), ("访问",), ("点击",))),
    ("reading_room_uses", (("利用",), ("查阅", "件"))),
    ("reading_room_visitors", (("查阅",),)),
    ("fees_total", (("收取",), ("收费",), ("费用",))),
    ("requests_total", (("申请",),)),
    ("proactive_total", (("主动公开",),)),
    ("staff_total", (("工作人",), ("人员",), ("人数",))),
)
_OTHER = (("其他",), ("其它",))
_PARTS: dict[str, tuple[Rule, ...]] = {
    "proactive_total": (
        ("proactive_provincial_site", (("省级",), ("省政府",), ("省网站",))),
        ("proactive_own_site", (("本部门",), ("部门网站",), ("本单位",), ("本机关",))),
        ("proactive_gov_site", (("网站",), ("网上",), ("门户",))),
        ("proactive_gazette", (("公报",),)),
        ("proactive_press", (("发布会",),)),
        ("proactive_media", (("媒体",), ("报刊",), ("报纸",), ("广播",), ("电视",))),
        ("proactive_other", _OTHER),
    ),
    "normative_new": (
        ("normative_withheld", (("不予",), ("不公开",))),
        ("normative_on_request", (("依申请",), ("申请",))),
        ("normative_proactive", (("主动",),)),
    ),
    "inquiries_total": (
        ("inquiries_in_person", (("现场",), ("当面",), ("来访",))),
        ("inquiries_online", (("网上",), ("网络",), ("在线",), ("网站",))),
        ("inquiries_phone", (("电话",),)),
    ),
    "requests_total": (
        ("requests_letter_fax", (("信函", "传真"),)),
        ("requests_in_person", (("当面",), ("现场",), ("来访",))),
        ("requests_email", (("电子邮件",), ("邮件",), ("邮箱",))),
        ("requests_online", (("网上",), ("网络",), ("网站",), ("在线",), ("互联网",))),
        ("requests_fax", (("传真",),)),
        ("requests_letter", (("信函",), ("来信",), ("信件",), ("邮寄",), ("书面",))),
        ("requests_other", _OTHER),
    ),
    "replies_total": (
        ("replies_partial", (("部分",),)),
        ("replies_refused", (("不予公开",), ("否决",), ("否定",), ("不同意",), ("不公开",), ("拒绝",))),
        ("replies_granted", (("同意",), ("予以公开",), ("准予",))),
        ("replies_other", _OTHER),
    ),
    "replies_refused": (
        ("refused_not_gov_info", (("所指",), ("非政府信息",), ("不属于政府信息",))),
        ("refused_not_exist", (("不存在",),)),
        ("refused_not_held", (("非本部门",), ("非本机关",), ("非本单位",), ("非本行政机关",), ("不掌握",))),
        ("refused_unclear", (("不明确",),)),
        ("refused_other", (("其它原因",), ("其他原因",), *_OTHER)),
    ),
    "complaints": (("complaints_unsatisfied", (("不满意",),)),),
    "fees_total": (
        ("fees_search", (("检索",),)),
        ("fees_postage", (("邮寄",), ("邮递",))),
        ("fees_copy_disc", (("光盘",), ("磁盘",), ("电子",))),
        ("fees_copy_paper", (("纸张",), ("复制",), ("复印",))),
        ("fees_other", _OTHER),
    ),
    "staff_total": (
        ("staff_full_time", (("全职",), ("专职",))),
        ("staff_part_time", (("兼职",),)),
    ),
}
# parts whose label names their total: 同意公开答复数 is a reply, 网上申请数 an application
_NAMED_PARTS = (("replies_total", "答"), ("requests_total", "申请"))
# a refusal's reasons are listed as kinds of reply on some forms (信息不存在 beside 不予公开)
_FALLBACK_FAMILY = {"replies_total": "replies_refused"}
_EXEMPTION = re.compile(r"免予?公开(?:范围)?\D{0,2}([1-6])")
NATIONAL_AGREEMENT = 0.7  # share of worded rows whose printed code is the national form's


def normalized_label(text: str) -> str:
    """The row key of an indicator no code names: NFKC, simplified, no spaces, numbering or 其中."""
    key = squeeze(to_simplified(nfkc(text))).strip("*＊")
    key = re.sub(r"^其中[:：]?", "", key)
    return strip_numbering(key).strip("*") or key


def canonical_code(label: str, parent: str | None) -> str | None:
    """The canonical code of a printed label listed under `parent` (a canonical code), if any names it."""
    key = match_key(label)
    if not key:
        return None
    family = parent
    while family is not None:
        if (code := _first(key, _PARTS.get(family, ()))) is not None:
            return code
        if family == "replies_refused" and (exempt := _EXEMPTION.search(key)):
            return f"refused_exempt_{exempt.group(1)}"
        family = _FALLBACK_FAMILY.get(family)
    if exempt := _EXEMPTION.search(key):
        return f"refused_exempt_{exempt.group(1)}"
    for total, word in _NAMED_PARTS:
        # a part printed without its total above it still says which total it belongs to
        if word in key and "费" not in key and (code := _first(key, _PARTS[total])) is not None:
            return code
    return _first(key, _TOP)


def _first(key: str, rules: Sequence[Rule]) -> str | None:
    for code, alternatives in rules:
        if any(all(word in key for word in words) for words in alternatives):
            return code
    return None


def assign_codes(
    labels: Sequence[str], levels: Sequence[int], printed_codes: Sequence[str | None]
) -> list[str]:
    """Each row's key: its canonical code, or its normalised label where no code names it.

    A part's family is its total's code (the nearest row above it at a lower level). On a
    form whose printed codes are the national form's (most worded rows agree), a row no
    wording names takes the code its number stands for. A code already given to an earlier
    row is not given twice: the later row keeps its label, so nothing is dropped.
    """
    worded: list[str | None] = []
    stack: list[int] = []
    for i, (label, level) in enumerate(zip(labels, levels, strict=True)):
        while stack and levels[stack[-1]] >= level:
            stack.pop()
        parent = worded[stack[-1]] if stack else None
        worded.append(canonical_code(label, parent))
        stack.append(i)
    agree = Counter(
        LEGACY_FORM_CODES.get(printed or "") == code
        for code, printed in zip(worded, printed_codes, strict=True)
        if code is not None and printed
    )
    national = agree[True] >= NATIONAL_AGREEMENT * max(1, agree[True] + agree[False]) and agree[True] >= 3
    keys: list[str] = []
    used: set[str] = set()
    for code, label, printed in zip(worded, labels, printed_codes, strict=True):
        if code is None and national and printed:
            code = LEGACY_FORM_CODES.get(printed)
        key = code if code is not None and code not in used else normalized_label(label)
        while key in used:  # two rows printed with the same label: keep both
            key += "'"
        used.add(key)
        keys.append(key)
    return keys


def sum_identities(keys: Sequence[str], cols: Sequence[str]) -> list[Identity]:
    """The legacy identities of spec §2 over the rows the form prints (legacy.sums).

    A total with two or more of its parts printed equals their sum; with one part printed,
    that part is at most the total.
    """
    present = set(keys)
    out: list[Identity] = []
    for total, parts in LEGACY_SUMS.items():
        printed = tuple(p for p in parts if p in present)
        if total not in present or not printed:
            continue
        for col in cols:
            total_key = ("legacy", total, col)
            part_keys = tuple(("legacy", p, col) for p in printed)
            scope = (("row", total), ("col", col))
            if len(printed) >= 2:
                out.append(Identity("legacy.sums", scope, (total_key,), part_keys, defines=total_key))
            else:
                out.append(Identity("legacy.sums", scope, part_keys, (total_key,), relation="le"))
    return out


def hierarchy_identities(keys: Sequence[str], levels: Sequence[int], cols: Sequence[str]) -> list[Identity]:
    """A total equals its 其中 parts as the form lists them: only to split run-together digits.

    Not a check (the channels of proactive disclosure overlap), but where a row's digits
    ran together, the split that makes the form's own sums hold is the likelier one.
    """
    children: dict[int, list[int]] = {}
    stack: list[int] = []
    for i, level in enumerate(levels):
        while stack and levels[stack[-1]] >= level:
            stack.pop()
        if stack:
            children.setdefault(stack[-1], []).append(i)
        stack.append(i)
    out = []
    for parent, kids in children.items():
        for col in cols:
            total = ("legacy", keys[parent], col)
            parts = tuple(("legacy", keys[k], col) for k in kids)
            scope = (("row", keys[parent]), ("col", col))
            if len(kids) >= 2:
                out.append(Identity("legacy.parts", scope, (total,), parts))
            else:
                out.append(Identity("legacy.parts", scope, parts, (total,), relation="le"))
    return out
