"""The pre-2019 统计表 forms the generator prints: indicators, units, codes and their 其中 hierarchy.

Before the 2019 template, each province printed its own statistics form. The families
modelled here are those seen in real reports: the coded national form (指标名称 / 计量单位 /
代码 / 本月实际数 / 到本月累计数, indicators 01–57, parts `其中：1.` and sub-parts `(1)`),
uncoded county and provincial forms (指标名称 / 计量单位 / 2011年度 / 历年累计), a city form
whose wording differs again (主动公开文件数, 网络申请数, 信函、传真申请数, 其他类型答复数), and a
form with a single value column (年末统计) and rows of its own (公开查阅点查阅人数).

Each indicator carries the key a parser must give it: its canonical code (spec §2), or, for
an indicator no code names, its label normalised (no numbering). Each names its level in
the 其中 hierarchy explicitly, so that values are drawn from the form's meaning: a total with
two or more parts is their sum, a lone part is at most its total. The forms are laid out so
that the spec's legacy identities are among those sums.
"""

from __future__ import annotations

from dataclasses import dataclass

from gaibao_pipeline.codes import LEGACY_COLS, LEGACY_INDICATORS


@dataclass(frozen=True, slots=True)
class Indicator:
    """One row of a form, as printed (simplified script)."""

    label: str  # with its numbering: "其中：1.通过省级政府网站公开信息数"
    unit: str
    level: int  # 0 a total or a row of its own, 1 a part (其中 1.), 2 a sub-part ((1))
    kind: str  # what the row counts, for its magnitude (see `legacy.py`)
    key: str  # the row key a parser gives it: canonical code, or the label without numbering
    running: bool = True  # has a cumulative value (a head count has none)
    half_year: bool = False  # a half-year indicator, marked * on the national form


@dataclass(frozen=True, slots=True)
class LegacyForm:
    """A family of forms: its indicators and the column headers it is printed with."""

    name: str
    coded: bool  # rows carry a two-digit code in a 代码 column
    indicators: tuple[Indicator, ...]
    period_headers: tuple[str, ...]  # "{year}" is replaced by the report's year
    cumulative_headers: tuple[str, ...]
    note: str | None = None  # printed under the table
    cols: tuple[str, ...] = LEGACY_COLS  # the value columns it prints

    def parents(self) -> tuple[int | None, ...]:
        """The index of each indicator's total (the nearest row above it of a lower level)."""
        out: list[int | None] = []
        stack: list[int] = []
        for i, row in enumerate(self.indicators):
            while stack and self.indicators[stack[-1]].level >= row.level:
                stack.pop()
            out.append(stack[-1] if stack else None)
            stack.append(i)
        return tuple(out)

    def children(self) -> dict[int, list[int]]:
        """Each total's parts, by index."""
        kids: dict[int, list[int]] = {}
        for i, parent in enumerate(self.parents()):
            if parent is not None:
                kids.setdefault(parent, []).append(i)
        return kids


@dataclass(frozen=True, slots=True)
class LegacyTable:
    """One report's printed form: which form, its headers, row keys and the lines above it."""

    form: LegacyForm
    keys: tuple[str, ...]  # row key per indicator, as the parser gives it
    period_header: str
    cumulative_header: str
    title: str  # "附件：某某局2012年政府信息公开情况统计表"
    preamble: tuple[str, ...] = ()  # the national form's 单位名称 / 报出日期 lines
    dashes: bool = False  # cells that have no value (a head count's total to date) print "----"
    cn_date: bool = False  # signed with the date in Chinese numerals (二〇一三年三月二十日)
    # every cell as the form prints it: amounts in the row's unit (元), which the report holds in 万元
    printed: dict[tuple[str, str, str], int | float | None] | None = None


def _rows(*spec: tuple[int, str, str, str, str]) -> tuple[Indicator, ...]:
    return tuple(Indicator(label, unit, level, kind, key) for level, label, unit, kind, key in spec)


def _no_running(rows: tuple[Indicator, ...], *keys: str) -> tuple[Indicator, ...]:
    return tuple(
        Indicator(r.label, r.unit, r.level, r.kind, r.key, running=False) if r.key in keys else r
        for r in rows
    )


_NATIONAL_CODES = tuple(i.code for i in LEGACY_INDICATORS if i.form_code)
_REFUSALS = (
    "“非《规定》所指政府信息”数",
    "“信息不存在”数",
    "“非本部门掌握”数",
    "“申请内容不明确”数",
    *(f"“免予公开范围{n}”数" for n in range(1, 7)),
    "其它原因",
)
_NATIONAL_SPEC: tuple[tuple[int, str, str, str], ...] = (
    (0, "主动公开信息总数", "条", "items"),
    (1, "其中：1.通过省级政府网站公开信息数", "条", "items"),
    (1, "2.通过本市政府网站公开信息数", "条", "items"),
    (1, "3.通过本部门网站公开信息数", "条", "items"),
    (1, "4.通过政府公报公开信息数", "条", "few"),
    (1, "5.通过新闻发布会公开信息数", "条", "few"),
    (1, "6.通过新闻媒体公开信息数", "条", "few"),
    (1, "7.通过其他形式公开信息数", "条", "few"),
    (0, "新增的规范性文件数", "条", "documents"),
    (1, "其中：1.主动公开的规范性文件数", "条", "documents"),
    (1, "2.依申请公开的规范性文件数", "条", "rare"),
    (1, "3.不予公开的规范性文件数", "条", "rare"),
    (0, "提供服务类信息数", "条", "items"),
    (0, "网站信息公开专栏页面访问量", "人次", "visits"),
    (0, "接待访问咨询总人次数", "人次", "consultations"),
    (1, "其中：1.现场接待人数", "人次", "consultations"),
    (1, "2.网上咨询数", "人次", "consultations"),
    (1, "3.咨询电话接听数", "人次", "consultations"),
    (0, "申请公开信息总数", "次", "requests"),
    (1, "其中：1.当面申请数", "次", "requests"),
    (1, "2.网上申请数", "次", "requests"),
    (1, "3.传真申请数", "次", "rare"),
    (1, "4.信函申请数", "次", "rare"),
    (1, "5.其他方式申请数", "次", "rare"),
    (0, "对申请的答复总数", "条", "answers"),
    (1, "其中：1.同意公开答复数", "条", "answers"),
    (1, "2.同意部分公开答复数", "条", "rare"),
    (1, "3.否决公开答复总数", "条", "answers"),
    *(
        (2, ("其中：" if n == 1 else "") + f"({n}){label}", "条", "rare")
        for n, label in enumerate(_REFUSALS, 1)
    ),
    (0, "行政复议数", "件", "cases"),
    (0, "行政诉讼数", "件", "cases"),
    (0, "行政申诉数", "件", "cases"),
    (1, "其中：对本部门首次处理不满意的行政申诉数", "件", "cases"),
    (0, "提供公开信息收取的费用", "元", "fees"),
    (1, "其中：1.检索费", "元", "fees"),
    (1, "2.邮寄费", "元", "fees"),
    (1, "3.复制费(纸张)", "元", "fees"),
    (1, "4.复制费(光盘)", "元", "fees"),
    (1, "5.其它收费", "元", "fees"),
    (0, "公开信息减免费用的次数", "次", "rare"),
    (0, "公开信息减免费用的总金额", "元", "fees"),
)
_NATIONAL_ROWS = (
    *(
        Indicator(label, unit, level, kind, key)
        for (level, label, unit, kind), key in zip(_NATIONAL_SPEC, _NATIONAL_CODES, strict=False)
    ),
    Indicator("政府信息公开工作人数", "人", 0, "staff", "staff_total", running=False),
    Indicator("其中：1.全职人员", "人", 1, "staff", "staff_full_time", running=False),
    Indicator("2.兼职人员", "人", 1, "staff", "staff_part_time", running=False),
    Indicator("处理政府信息公开的专项经费", "万元", 0, "budget", "budget_special", half_year=True),
    Indicator("处理政府信息公开的实际支出", "万元", 0, "budget", "spending_actual", half_year=True),
    Indicator("与诉讼有关的总费用", "万元", 0, "budget", "litigation_costs", half_year=True),
)

NATIONAL = LegacyForm(
    "national",
    coded=True,
    indicators=_NATIONAL_ROWS,
    period_headers=("本月实际数", "本期", "本年度"),
    cumulative_headers=("到本月累计数", "累计"),
    note="注：* 为半年度统计指标。",
)

COUNTY = LegacyForm(
    "county",
    coded=False,
    indicators=_rows(
        (0, "主动公开信息数", "条", "items", "proactive_total"),
        (1, "其中：1.网站公开", "条", "items", "proactive_gov_site"),
        (1, "2.政府公报公开", "条", "few", "proactive_gazette"),
        (1, "3.其他方式公开", "条", "few", "proactive_other"),
        (0, "受理依申请公开信息总数", "条", "requests", "requests_total"),
        (1, "其中：1.当面申请数", "条", "requests", "requests_in_person"),
        (1, "2.传真申请数", "条", "rare", "requests_fax"),
        (1, "3.电子邮件申请数", "条", "requests", "requests_email"),
        (1, "4.网上申请数", "条", "requests", "requests_online"),
        (1, "5.信函申请数", "条", "rare", "requests_letter"),
        (1, "6.其它形式申请数", "条", "rare", "requests_other"),
        (0, "对申请的答复数", "条", "answers", "replies_total"),
        (1, "其中：1.同意公开答复数", "条", "answers", "replies_granted"),
        (1, "2.同意部分公开答复数", "条", "rare", "replies_partial"),
        (1, "3.否决公开答复数", "条", "rare", "replies_refused"),
        (0, "行政复议数", "条", "cases", "admin_reviews"),
        (0, "行政诉讼数", "条", "cases", "lawsuits"),
        (0, "行政申诉数", "条", "cases", "complaints"),
    ),
    period_headers=("{year}年度", "本年度"),
    cumulative_headers=("历年累计", "累计"),
)

PROVINCE = LegacyForm(
    "province",
    coded=False,
    indicators=_no_running(
        _rows(
            (0, "主动公开政府信息数", "条", "items", "proactive_total"),
            (1, "其中：1、通过政府网站公开数", "条", "items", "proactive_gov_site"),
            (1, "2、通过政府公报公开数", "条", "few", "proactive_gazette"),
            (1, "3、通过其他途径公开数", "条", "few", "proactive_other"),
            (0, "政务微博发布信息数", "条", "items", "政务微博发布信息数"),  # a row no code names
            (0, "收到政府信息公开申请数", "件", "requests", "requests_total"),
            (1, "其中：1、当面申请", "件", "requests", "requests_in_person"),
            (1, "2、网络申请", "件", "requests", "requests_online"),
            (1, "3、信函、传真申请", "件", "rare", "requests_letter_fax"),
            (0, "已办结申请数", "件", "answers", "replies_total"),
            (1, "其中：1、同意公开", "件", "answers", "replies_granted"),
            (1, "2、同意部分公开", "件", "rare", "replies_partial"),
            (1, "3、不予公开", "件", "answers", "replies_refused"),
            (2, "(1)信息不存在", "件", "rare", "refused_not_exist"),
            (2, "(2)非本机关掌握", "件", "rare", "refused_not_held"),
            (2, "(3)申请内容不明确", "件", "rare", "refused_unclear"),
            (2, "(4)其他原因", "件", "rare", "refused_other"),
            (1, "4、其他类型答复", "件", "rare", "replies_other"),
            (0, "收取检索、复制、邮寄等费用", "元", "fees", "fees_total"),
            (0, "减免费用", "元", "fees", "fee_waivers_amount"),
            (0, "行政复议数", "件", "cases", "admin_reviews"),
            (0, "行政诉讼数", "件", "cases", "lawsuits"),
            (0, "政府信息公开工作人员数", "人", "staff", "staff_total"),
            (1, "其中：专职人员", "人", "staff", "staff_full_time"),
        ),
        "staff_total",
        "staff_full_time",
    ),
    period_headers=("本年度", "本期", "{year}年度"),
    cumulative_headers=("累计", "历年累计"),
)

CITY = LegacyForm(
    "city",
    coded=False,
    indicators=_rows(
        (0, "主动公开文件数", "条", "items", "proactive_total"),
        (1, "其中：1.政府网站公开数", "条", "items", "proactive_gov_site"),
        (1, "2.政府公报数", "条", "few", "proactive_gazette"),
        (0, "受理政府信息公开申请总数", "条", "requests", "requests_total"),
        (1, "其中：1.当面申请数", "条", "requests", "requests_in_person"),
        (1, "2.网络申请数", "条", "requests", "requests_online"),
        (1, "3.信函、传真申请数", "条", "rare", "requests_letter_fax"),
        (0, "对申请的答复总数", "条", "answers", "replies_total"),
        (1, "其中：1.同意公开答复数", "条", "answers", "replies_granted"),
        (1, "2.同意部分公开答复数", "条", "rare", "replies_partial"),
        (1, "3.不予公开答复数", "条", "rare", "replies_refused"),
        (1, "4.其他类型答复数", "条", "rare", "replies_other"),
        (0, "接受行政申诉、举报数", "件", "cases", "complaints"),
        (0, "行政复议数", "件", "cases", "admin_reviews"),
        (0, "行政诉讼数", "件", "cases", "lawsuits"),
    ),
    period_headers=("{year}年", "本年度"),
    cumulative_headers=("历年累计",),
)

YEAR_END = LegacyForm(
    "year_end",
    coded=False,
    indicators=_rows(
        (0, "主动公开信息数", "条", "items", "proactive_total"),
        (1, "其中：1.政府公报", "条", "few", "proactive_gazette"),
        (1, "2.政府网站", "条", "items", "proactive_gov_site"),
        (1, "3.新闻发布会", "条", "few", "proactive_press"),
        (0, "公开查阅点查阅人数", "人次", "consultations", "reading_room_visitors"),
        (0, "公开查阅点利用件次", "件次", "consultations", "reading_room_uses"),
        (0, "网站中政府信息公开专栏页面访问量", "人次", "visits", "site_visits"),
        (0, "受理依申请公开信息总数", "条", "requests", "requests_total"),
        (1, "其中：1.当面申请数", "条", "requests", "requests_in_person"),
        (1, "2.传真申请数", "条", "rare", "requests_fax"),
        (1, "3.电子邮件申请数", "条", "requests", "requests_email"),
        (1, "4.网上申请数", "条", "requests", "requests_online"),
        (1, "5.信函申请数", "条", "rare", "requests_letter"),
        (1, "6.其他形式申请数", "条", "rare", "requests_other"),
        (0, "本年度对申请的答复总数", "条", "answers", "replies_total"),
        (1, "其中：1.公开同意答复数", "条", "answers", "replies_granted"),
        (1, "2.同意部分公开答复数", "条", "rare", "replies_partial"),
        (1, "3.否定公开答复总数", "条", "rare", "replies_refused"),
        (0, "依申请提供信息收取的费用", "元", "fees", "fees_total"),
        (0, "行政复议数", "件", "cases", "admin_reviews"),
        (0, "行政诉讼数", "件", "cases", "lawsuits"),
        (0, "行政申诉数", "件", "cases", "complaints"),
    ),
    period_headers=("年末统计",),
    cumulative_headers=(),
    cols=("period",),
)

FORMS = (NATIONAL, COUNTY, PROVINCE, CITY, YEAR_END)
