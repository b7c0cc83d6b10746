"""The canonical cell codes of spec §2: tables, rows, columns and the labels that name them.

Labels here are the official wording (simplified, without numbering). Real reports vary the
wording; `parsing/labels.py` matches by meaning against these and their aliases.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATES = ("2019", "2021", "legacy")

# The official section titles of the 2019 and 2021 templates, 一 to 六.
SECTION_TITLES = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
)


@dataclass(frozen=True, slots=True)
class RowSpec:
    code: str
    label: str
    cols: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # other wordings of the same row seen in real reports
    number: int | None = None  # the item number printed before a leaf label ("2." → 2)


@dataclass(frozen=True, slots=True)
class ColSpec:
    code: str
    label: str
    aliases: tuple[str, ...] = ()
    kind: str = "count"  # "count", "change" (may be negative) or "amount" (万元)


# --- t2 主动公开政府信息情况 -------------------------------------------------------------

T2_COLS: dict[str, ColSpec] = {
    c.code: c
    for c in (
        ColSpec("new_made", "本年新制作数量"),
        ColSpec("new_published", "本年新公开数量"),
        ColSpec("total_published", "对外公开总数量"),
        ColSpec("prev_count", "上一年项目数量"),
        ColSpec("change", "本年增/减", aliases=("本年增减",), kind="change"),
        ColSpec("decisions", "处理决定数量", aliases=("本年处理决定数量",)),
        ColSpec("procurement_count", "采购项目数量"),
        ColSpec("procurement_amount", "采购总金额", kind="amount"),
        ColSpec("issued", "本年制发件数"),
        ColSpec("repealed", "本年废止件数"),
        ColSpec("in_force", "现行有效件数"),
        ColSpec("fee_amount", "本年收费金额", kind="amount"),
    )
}

_PUBLISHED = ("new_made", "new_published", "total_published")
_ITEMS = ("prev_count", "change", "decisions")
_DOCS_2021 = ("issued", "repealed", "in_force")

T2_ROWS: dict[str, tuple[RowSpec, ...]] = {
    "2019": (
        RowSpec("rules", "规章", _PUBLISHED),
        RowSpec("normative_docs", "规范性文件", _PUBLISHED, aliases=("行政规范性文件",)),
        RowSpec("licensing", "行政许可", _ITEMS),
        RowSpec("other_services", "其他对外管理服务事项", _ITEMS),
        RowSpec("penalty", "行政处罚", _ITEMS),
        RowSpec("enforcement", "行政强制", _ITEMS),
        RowSpec("fees", "行政事业性收费", ("prev_count", "change")),
        RowSpec("procurement", "政府集中采购", ("procurement_count", "procurement_amount")),
    ),
    "2021": (
        RowSpec("rules", "规章", _DOCS_2021),
        RowSpec("normative_docs", "行政规范性文件", _DOCS_2021, aliases=("规范性文件",)),
        RowSpec("licensing", "行政许可", ("decisions",)),
        RowSpec("penalty", "行政处罚", ("decisions",)),
        RowSpec("enforcement", "行政强制", ("decisions",)),
        RowSpec("fees", "行政事业性收费", ("fee_amount",)),
    ),
}

# Column headers that only one template's table 二 prints: they decide the template.
T2_HEADERS_2019 = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "采购项目数量",
    "采购总金额",
)
T2_HEADERS_2021 = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额")

# --- t3 收到和处理政府信息公开申请情况 ------------------------------------------------------

T3_COLS: tuple[ColSpec, ...] = (
    ColSpec("natural_person", "自然人"),
    ColSpec("commercial", "商业企业"),
    ColSpec("research", "科研机构"),
    ColSpec("social_welfare", "社会公益组织"),
    ColSpec("legal_service", "法律服务机构"),
    ColSpec("other", "其他"),
    ColSpec("total", "总计"),
)
T3_COL_CODES = tuple(c.code for c in T3_COLS)
T3_APPLICANT_COLS = T3_COL_CODES[:6]


def _t3(code: str, label: str, number: int | None = None, aliases: tuple[str, ...] = ()) -> RowSpec:
    return RowSpec(code, label, T3_COL_CODES, aliases=aliases, number=number)


T3_HEAD_ROWS = (
    _t3("1", "本年新收政府信息公开申请数量", aliases=("本年新收政府信息公开申请",)),
    _t3("2", "上年结转政府信息公开申请数量", aliases=("上年结转政府信息公开申请",)),
    _t3("3.1", "予以公开"),
    _t3("3.2", "部分公开", aliases=("部分公开区分处理的只计这一情形不计其他情形",)),
    _t3("3.3.1", "属于国家秘密", 1),
    _t3("3.3.2", "其他法律行政法规禁止公开", 2),
    _t3("3.3.3", "危及三安全一稳定", 3),
    _t3("3.3.4", "保护第三方合法权益", 4),
    _t3("3.3.5", "属于三类内部事务信息", 5),
    _t3("3.3.6", "属于四类过程性信息", 6),
    _t3("3.3.7", "属于行政执法案卷", 7),
    _t3("3.3.8", "属于行政查询事项", 8),
    _t3("3.4.1", "本机关不掌握相关政府信息", 1),
    _t3("3.4.2", "没有现成信息需要另行制作", 2),
    _t3("3.4.3", "补正后申请内容仍不明确", 3),
    _t3("3.5.1", "信访举报投诉类申请", 1),
    _t3("3.5.2", "重复申请", 2),
    _t3("3.5.3", "要求提供公开出版物", 3),
    _t3("3.5.4", "无正当理由大量反复申请", 4),
    _t3("3.5.5", "要求行政机关确认或重新出具已获取信息", 5),
)
T3_OTHER_SINGLE = (_t3("3.6", "其他处理"),)
T3_OTHER_SPLIT = (
    _t3("3.6.1", "申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请", 1),
    _t3("3.6.2", "申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请", 2),
    _t3("3.6.3", "其他", 3),
)
T3_TAIL_ROWS = (
    _t3("3.7", "总计"),
    _t3("4", "结转下年度继续办理"),
)
# Headings inside table 三 that group rows but hold no numbers of their own.
T3_GROUP_LABELS = (
    "本年度办理结果",
    "不予公开",
    "无法提供",
    "不予处理",
    "其他处理",
    "申请人情况",
    "法人或其他组织",
)
# Words that only the split （六） rows contain: their presence means rows 3.6.1–3.6.3.
T3_SPLIT_MARKERS = ("逾期不补正", "缴纳费用", "收费通知")


def t3_rows(split_other: bool) -> tuple[RowSpec, ...]:
    """Table 三's rows, with （六）其他处理 as one row (2019) or three (2021)."""
    return T3_HEAD_ROWS + (T3_OTHER_SPLIT if split_other else T3_OTHER_SINGLE) + T3_TAIL_ROWS


def t3_leaf_codes(split_other: bool) -> tuple[str, ...]:
    """The rows whose sum is row 3.7 (总计)."""
    return tuple(r.code for r in t3_rows(split_other) if r.code.startswith("3.") and r.code != "3.7")


# --- t4 行政复议、行政诉讼情况 ----------------------------------------------------------

T4_COLS: tuple[ColSpec, ...] = (
    ColSpec("upheld", "结果维持"),
    ColSpec("corrected", "结果纠正"),
    ColSpec("other", "其他结果"),
    ColSpec("pending", "尚未审结"),
    ColSpec("total", "总计"),
)
T4_COL_CODES = tuple(c.code for c in T4_COLS)
T4_ROWS = (
    RowSpec("review", "行政复议", T4_COL_CODES),
    RowSpec("litigation_direct", "未经复议直接起诉", T4_COL_CODES),
    RowSpec("litigation_after_review", "复议后起诉", T4_COL_CODES),
)

# --- legacy 统计表 -------------------------------------------------------------------------

LEGACY_COLS = ("period", "cumulative")
LEGACY_PERIOD_HEADERS = ("本月实际数", "本期", "本年度", "实际数", "年度", "本年")
LEGACY_CUMULATIVE_HEADERS = ("累计", "历年累计", "到本月累计数")


def cell_codes(template: str, split_other: bool) -> list[tuple[str, str, str]]:
    """Every (table, row, col) the template defines, in table order (not for legacy)."""
    codes: list[tuple[str, str, str]] = []
    for row in T2_ROWS[template]:
        codes += [("t2", row.code, col) for col in row.cols]
    for row in t3_rows(split_other):
        codes += [("t3", row.code, col) for col in row.cols]
    for row in T4_ROWS:
        codes += [("t4", row.code, col) for col in row.cols]
    return codes


def column_kind(table: str, col: str) -> str:
    """ "count", "change" or "amount": what values a column may hold."""
    if table == "t2":
        return T2_COLS[col].kind
    return "count"
