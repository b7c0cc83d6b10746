"""Write a `SynthReport` as an OFD package (GB/T 33190), page for page as `pdf_builder` lays it out.

The package has what producers write: `OFD.xml` with the document's `DocInfo`, a
`Document.xml` with `CommonData` (page area, public resources, a template page) and the
page list, a font in `PublicRes.xml`, a template (a red rule in the top margin of every
page) and one `Content.xml` per page. Lengths are millimetres.

The variant says how text and rules are written, as different producers do:
- `runs-…`: a text object per line, placed by its `Boundary`, each character's advance in
  `DeltaX` (`g n d` where n characters share one advance);
- `chars-…`: a text object per character, in points mapped to millimetres by a `CTM`;
- `…-lines`: a path object per ruling line;
- `…-paths`: one path object per page holding every rule as a subpath.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

from gaibao_pipeline.synth.pdf_builder import layout_report
from gaibao_pipeline.synth.pdf_canvas import HEIGHT, WIDTH, Page, Rule, TextRun
from gaibao_pipeline.synth.values import SynthReport

VARIANTS = ("runs-lines", "runs-paths", "chars-lines", "chars-paths")
NS = "http://www.ofdspec.org/2016"
PT = 25.4 / 72  # millimetres per point
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_FONT_ID = 1
_TEMPLATE_ID = 2


def _mm(points: float) -> str:
    return f"{points * PT:.3f}".rstrip("0").rstrip(".")


def _advances(run: TextRun) -> list[float]:
    """Each character's advance in points (CJK one em, ASCII half an em, as the PDF is set)."""
    return [run.size / 2 if ch.isascii() else run.size for ch in run.text]


def _delta_x(steps: list[str]) -> str:
    """DeltaX with the `g n d` shorthand for runs of one advance."""
    out: list[str] = []
    i = 0
    while i < len(steps):
        j = i
        while j < len(steps) and steps[j] == steps[i]:
            j += 1
        out.append(f"g {j - i} {steps[i]}" if j - i > 2 else " ".join(steps[i:j]))
        i = j
    return " ".join(out)


class _Ids:
    def __init__(self, start: int) -> None:
        self.last = start

    def next(self) -> int:
        self.last += 1
        return self.last


def _text_runs(run: TextRun, ids: _Ids) -> list[str]:
    """A line's text object (its X/Y relative to its boundary), with DeltaX for every advance."""
    advances = _advances(run)
    width = sum(advances)
    baseline = 0.88 * run.size
    steps = [_mm(a) for a in advances[:-1]]
    delta = f" DeltaX={quoteattr(_delta_x(steps))}" if steps else ""
    boundary = f"{_mm(run.x)} {_mm(run.top)} {_mm(width)} {_mm(run.size)}"
    return [
        f'<ofd:TextObject ID="{ids.next()}" Boundary="{boundary}" '
        f'Font="{_FONT_ID}" Size="{_mm(run.size)}"><ofd:FillColor Value="0 0 0"/>'
        f'<ofd:TextCode X="0" Y="{_mm(baseline)}"{delta}>{escape(run.text)}</ofd:TextCode></ofd:TextObject>'
    ]


def _text_chars(run: TextRun, ids: _Ids) -> list[str]:
    """One text object per character; its inner space is points, which the CTM maps to millimetres."""
    out = []
    x = run.x
    for ch, advance in zip(run.text, _advances(run), strict=True):
        if not ch.isspace():
            out.append(
                f'<ofd:TextObject ID="{ids.next()}" Boundary="{_mm(x)} {_mm(run.top)} {_mm(advance)} '
                f'{_mm(run.size)}" CTM="{PT:.6f} 0 0 {PT:.6f} 0 0" Font="{_FONT_ID}" Size="{run.size:g}">'
                f'<ofd:TextCode X="0" Y="{0.88 * run.size:.3f}">{escape(ch)}</ofd:TextCode></ofd:TextObject>'
            )
        x += advance
    return out


def _rule_objects(rules: list[Rule], ids: _Ids, one_path: bool) -> list[str]:
    if not rules:
        return []
    if one_path:
        data = " ".join(f"M {_mm(r.x0)} {_mm(r.top0)} L {_mm(r.x1)} {_mm(r.top1)}" for r in rules)
        return [
            f'<ofd:PathObject ID="{ids.next()}" Boundary="0 0 {_mm(WIDTH)} {_mm(HEIGHT)}" '
            f'LineWidth="{_mm(rules[0].width)}"><ofd:StrokeColor Value="0 0 0"/>'
            f"<ofd:AbbreviatedData>{data}</ofd:AbbreviatedData></ofd:PathObject>"
        ]
    out = []
    for r in rules:
        x, y = min(r.x0, r.x1), min(r.top0, r.top1)
        w, h = abs(r.x1 - r.x0), abs(r.top1 - r.top0)
        out.append(
            f'<ofd:PathObject ID="{ids.next()}" Boundary="{_mm(x)} {_mm(y)} {_mm(w)} {_mm(h)}" '
            f'LineWidth="{_mm(r.width)}"><ofd:AbbreviatedData>M {_mm(r.x0 - x)} {_mm(r.top0 - y)} '
            f"L {_mm(r.x1 - x)} {_mm(r.top1 - y)}</ofd:AbbreviatedData></ofd:PathObject>"
        )
    return out


def _content(objects: list[str], layer_id: int, template: bool = False) -> str:
    head = "" if template else f'<ofd:Template TemplateID="{_TEMPLATE_ID}" ZOrder="Background"/>'
    return (
        f'{_HEAD}<ofd:Page xmlns:ofd="{NS}">{head}<ofd:Content><ofd:Layer ID="{layer_id}" Type="Body">'
        + "".join(objects)
        + "</ofd:Layer></ofd:Content></ofd:Page>"
    )


def _page(page: Page, ids: _Ids, variant: str) -> str:
    layer = ids.next()
    texts = _text_chars if variant.startswith("chars") else _text_runs
    objects = [obj for run in page.texts for obj in texts(run, ids)]
    objects += _rule_objects(page.rules, ids, one_path=variant.endswith("paths"))
    return _content(objects, layer)


def _template(ids: _Ids) -> str:
    """A red rule in the top margin of every page, above the text (GB/T 9704 heads are red)."""
    return _content(
        [
            f'<ofd:PathObject ID="{ids.next()}" Boundary="25 15 160 1" LineWidth="0.8">'
            '<ofd:StrokeColor Value="230 0 18"/><ofd:AbbreviatedData>M 0 0.5 L 160 0.5</ofd:AbbreviatedData>'
            "</ofd:PathObject>"
        ],
        ids.next(),
        template=True,
    )


def build_ofd(report: SynthReport, variant: str = "runs-lines", *, open_breaks: bool = True) -> bytes:
    """The report as an OFD package; the same report and variant give the same bytes."""
    if variant not in VARIANTS:
        raise ValueError(f"OFD variant must be one of {VARIANTS}, got {variant!r}")
    pages = layout_report(report, open_breaks=open_breaks)
    ids = _Ids(_TEMPLATE_ID + 1)
    template = _template(ids)
    contents = [_page(page, ids, variant) for page in pages]
    page_list = "".join(
        f'<ofd:Page ID="{ids.next()}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(contents))
    )
    document = (
        f'{_HEAD}<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>{ids.last}</ofd:MaxUnitID>'
        f"<ofd:PageArea><ofd:PhysicalBox>0 0 {_mm(WIDTH)} {_mm(HEIGHT)}</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
        f'<ofd:TemplatePage ID="{_TEMPLATE_ID}" BaseLoc="Tpls/Tpl_0/Content.xml" ZOrder="Background"/>'
        f"</ofd:CommonData><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>"
    )
    public = (
        f'{_HEAD}<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
        f'<ofd:Font ID="{_FONT_ID}" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'
    )
    date = report.report_date.isoformat()
    root = (
        f'{_HEAD}<ofd:OFD xmlns:ofd="{NS}" Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
        f"<ofd:DocID>{hashlib.md5(report.title.encode()).hexdigest()}</ofd:DocID>"
        f"<ofd:Title>{escape(report.title)}</ofd:Title><ofd:Author>{escape(report.agency)}</ofd:Author>"
        f"<ofd:CreationDate>{date}</ofd:CreationDate><ofd:Creator>gaibao synth</ofd:Creator>"
        "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in (
            ("OFD.xml", root),
            ("Doc_0/Document.xml", document),
            ("Doc_0/PublicRes.xml", public),
            ("Doc_0/Tpls/Tpl_0/Content.xml", template),
            *((f"Doc_0/Pages/Page_{n}/Content.xml", c) for n, c in enumerate(contents)),
        ):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, text.encode("utf-8"))
    return out.getvalue()
