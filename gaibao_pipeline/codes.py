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
LEGACY_PERIOD_HEADERS = ("本月实际数", "本期", "本年度", "年末统计", "实际数", "年度", "本年")
LEGACY_CUMULATIVE_HEADERS = ("到本月累计数", "历年累计", "累计")


@dataclass(frozen=True, slots=True)
class LegacyIndicator:
    """One indicator of the pre-2019 forms under its canonical code (spec §2)."""

    code: str
    label: str  # the national form's wording, or the commonest one
    meaning: str  # what it counts, for consumers of the tables
    form_code: str | None = None  # its number on the coded national form ("19")
    kind: str = "count"  # "count" or "amount" (万元)
    part_of: str | None = None  # the total it is a 其中 part of

    @property
    def running(self) -> bool:
        """Whether forms print a total to date for it: a head count (staff) has none."""
        return not self.code.startswith("staff_")


def _legacy(
    code: str,
    label: str,
    meaning: str,
    form: int | None = None,
    part_of: str | None = None,
    kind: str = "count",
) -> LegacyIndicator:
    return LegacyIndicator(code, label, meaning, None if form is None else f"{form:02d}", kind, part_of)


_P, _RQ, _RP, _RF, _F = "proactive_total", "requests_total", "replies_total", "replies_refused", "fees_total"
LEGACY_INDICATORS: tuple[LegacyIndicator, ...] = (
    _legacy(
        "proactive_total", "主动公开信息总数", "items of government information disclosed proactively", 1
    ),
    _legacy(
        "proactive_provincial_site",
        "通过省级政府网站公开信息数",
        "of which on the provincial government site",
        2,
        _P,
    ),
    _legacy(
        "proactive_gov_site", "通过本市政府网站公开信息数", "of which on the (city) government site", 3, _P
    ),
    _legacy("proactive_own_site", "通过本部门网站公开信息数", "of which on the agency's own site", 4, _P),
    _legacy("proactive_gazette", "通过政府公报公开信息数", "of which in the government gazette", 5, _P),
    _legacy("proactive_press", "通过新闻发布会公开信息数", "of which at press conferences", 6, _P),
    _legacy("proactive_media", "通过新闻媒体公开信息数", "of which through the news media", 7, _P),
    _legacy("proactive_other", "通过其他形式公开信息数", "of which in other ways", 8, _P),
    _legacy("normative_new", "新增的规范性文件数", "normative documents issued this period", 9),
    _legacy(
        "normative_proactive", "主动公开的规范性文件数", "of which disclosed proactively", 10, "normative_new"
    ),
    _legacy(
        "normative_on_request",
        "依申请公开的规范性文件数",
        "of which disclosed on request",
        11,
        "normative_new",
    ),
    _legacy("normative_withheld", "不予公开的规范性文件数", "of which not disclosed", 12, "normative_new"),
    _legacy("service_info", "提供服务类信息数", "items of service information provided", 13),
    _legacy(
        "site_visits", "网站信息公开专栏页面访问量", "page views of the disclosure section of the site", 14
    ),
    _legacy("reading_room_visitors", "公开查阅点查阅人数", "visitors to public reading points"),
    _legacy("reading_room_uses", "公开查阅点利用件次", "documents consulted at public reading points"),
    _legacy("inquiries_total", "接待访问咨询总人次数", "inquiries received (person-times)", 15),
    _legacy("inquiries_in_person", "现场接待人数", "of which in person", 16, "inquiries_total"),
    _legacy("inquiries_online", "网上咨询数", "of which online", 17, "inquiries_total"),
    _legacy("inquiries_phone", "咨询电话接听数", "of which by telephone", 18, "inquiries_total"),
    _legacy("requests_total", "申请公开信息总数", "applications for disclosure received", 19),
    _legacy("requests_in_person", "当面申请数", "of which in person", 20, _RQ),
    _legacy("requests_online", "网上申请数", "of which online", 21, _RQ),
    _legacy("requests_fax", "传真申请数", "of which by fax", 22, _RQ),
    _legacy("requests_email", "电子邮件申请数", "of which by e-mail", None, _RQ),
    _legacy("requests_letter", "信函申请数", "of which by letter", 23, _RQ),
    _legacy("requests_letter_fax", "信函、传真申请数", "of which by letter or fax (one line)", None, _RQ),
    _legacy("requests_other", "其他形式申请数", "of which in other ways", 24, _RQ),
    _legacy("replies_total", "对申请的答复总数", "replies to applications", 25),
    _legacy("replies_granted", "同意公开答复数", "of which disclosure granted", 26, _RP),
    _legacy("replies_partial", "同意部分公开答复数", "of which disclosure partly granted", 27, _RP),
    _legacy("replies_refused", "否决公开答复总数", "of which disclosure refused", 28, _RP),
    _legacy("replies_other", "其他类型答复数", "of which other replies", None, _RP),
    _legacy(
        "refused_not_gov_info", "“非《规定》所指政府信息”数", "refused: not government information", 29, _RF
    ),
    _legacy("refused_not_exist", "“信息不存在”数", "refused: the information does not exist", 30, _RF),
    _legacy("refused_not_held", "“非本部门掌握”数", "refused: not held by this agency", 31, _RF),
    _legacy("refused_unclear", "“申请内容不明确”数", "refused: the application is unclear", 32, _RF),
    *(
        _legacy(f"refused_exempt_{n}", f"“免予公开范围{n}”数", f"refused: exemption {n}", 32 + n, _RF)
        for n in range(1, 7)
    ),
    _legacy("refused_other", "其它原因", "refused: other reasons", 39, _RF),
    _legacy("admin_reviews", "行政复议数", "administrative reviews over disclosure", 40),
    _legacy("lawsuits", "行政诉讼数", "administrative lawsuits over disclosure", 41),
    _legacy("complaints", "行政申诉数", "administrative complaints (申诉, 举报)", 42),
    _legacy(
        "complaints_unsatisfied",
        "对本部门首次处理不满意的行政申诉数",
        "of which unsatisfied with the agency's first handling",
        43,
        "complaints",
    ),
    _legacy("fees_total", "提供公开信息收取的费用", "fees charged for disclosure (万元)", 44, kind="amount"),
    _legacy("fees_search", "检索费", "of which search fees (万元)", 45, _F, "amount"),
    _legacy("fees_postage", "邮寄费", "of which postage (万元)", 46, _F, "amount"),
    _legacy("fees_copy_paper", "复制费(纸张)", "of which copying on paper (万元)", 47, _F, "amount"),
    _legacy("fees_copy_disc", "复制费(光盘)", "of which copying to disc (万元)", 48, _F, "amount"),
    _legacy("fees_other", "其它收费", "of which other fees (万元)", 49, _F, "amount"),
    _legacy("fee_waivers_count", "公开信息减免费用的次数", "fee waivers granted", 50),
    _legacy(
        "fee_waivers_amount", "公开信息减免费用的总金额", "amount of fees waived (万元)", 51, kind="amount"
    ),
    _legacy("staff_total", "政府信息公开工作人数", "staff working on disclosure", 52),
    _legacy("staff_full_time", "全职人员", "of which full time", 53, "staff_total"),
    _legacy("staff_part_time", "兼职人员", "of which part time", 54, "staff_total"),
    _legacy(
        "budget_special",
        "处理政府信息公开的专项经费",
        "dedicated budget for disclosure (万元)",
        55,
        kind="amount",
    ),
    _legacy(
        "spending_actual",
        "处理政府信息公开的实际支出",
        "actual spending on disclosure (万元)",
        56,
        kind="amount",
    ),
    _legacy("litigation_costs", "与诉讼有关的总费用", "costs related to lawsuits (万元)", 57, kind="amount"),
)
LEGACY_CODES: dict[str, LegacyIndicator] = {i.code: i for i in LEGACY_INDICATORS}
# The coded national form's row numbers (01…57) → canonical codes.
LEGACY_FORM_CODES: dict[str, str] = {i.form_code: i.code for i in LEGACY_INDICATORS if i.form_code}
# The legacy identities (legacy.sums): a total and the parts it is the sum of, where printed.
# The channels of proactive disclosure overlap (one item on the site and in the gazette), so
# proactive_total is no sum of them.
LEGACY_SUMS: dict[str, tuple[str, ...]] = {
    "requests_total": tuple(i.code for i in LEGACY_INDICATORS if i.part_of == _RQ),
    "replies_total": ("replies_granted", "replies_partial", "replies_refused", "replies_other"),
    "replies_refused": tuple(i.code for i in LEGACY_INDICATORS if i.part_of == _RF),
    "fees_total": tuple(i.code for i in LEGACY_INDICATORS if i.part_of == _F),
    "staff_total": ("staff_full_time", "staff_part_time"),
}


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


def legacy_kind(row: str) -> str:
    """ "count" or "amount" for a legacy row; a row no canonical code names may hold either."""
    indicator = LEGACY_CODES.get(row)
    return indicator.kind if indicator is not None else "any"
