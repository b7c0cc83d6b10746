"""Workbooks built by the tests from the generator's: the same tables, saying whose they are or not."""

from __future__ import annotations

import io
import zipfile

from gaibao_pipeline.synth import SynthReport
from gaibao_pipeline.synth.xlsx_builder import build_xlsx


def anonymous_workbook(built: SynthReport) -> bytes:
    """The report's tables as an XLSX whose title and filer rows name no agency and year."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(build_xlsx(built))) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/sharedStrings.xml":
                text = data.decode()
                for name in (f"{built.title}统计表", f"填报单位：{built.agency}"):
                    text = text.replace(name, "政府信息公开情况统计表")
                data = text.encode()
            target.writestr(info, data)
    return out.getvalue()
