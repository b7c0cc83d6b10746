"""The sources file: valid files load with their defaults; each mistake gets a message naming the entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaibao_pipeline.fetch.sources import SourcesError, derived_name, load_sources, parse_sources


def test_a_full_and_a_minimal_entry(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  - agency: 三明市人民政府\n"
        "    list_url: https://www.sm.gov.cn/zw/zfxxgk/ndbg/index.htm\n"
        "    include: ['政府信息公开.*年度报告']\n"
        "    years: 2021-2023\n"
        "    max_pages: 5\n"
        "  - list_url: https://www.example.gov.cn/api/list?page={page}\n"
        "    name: example-json\n",
        encoding="utf-8",
    )
    first, second = load_sources(path)
    assert first.agency == "三明市人民政府" and first.max_pages == 5 and not first.paged
    assert first.name == derived_name(first.list_url) and first.name.startswith("www-sm-gov-cn-")
    assert first.titles.years == {2021, 2022, 2023}
    assert second.paged and second.page_url(3).endswith("page=3") and second.name == "example-json"
    assert second.titles.matches("某某区2023年政府信息公开工作年度报告")  # default patterns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "expected a mapping with a list under 'sources:'"),
        ("sources: []", "'sources:' is empty"),
        ("sources: [{agency: x}]", r"sources\[0\]: list_url is required"),
        (
            "sources: [{list_url: 'ftp://x.gov.cn/a'}]",
            r"sources\[0\] \(ftp://x.gov.cn/a\): list_url: scheme 'ftp'",
        ),
        ("sources: [{list_url: 'http://u:p@x.gov.cn/'}]", "credentials"),
        ("sources: [{list_url: 'http://x.gov.cn/', lst_url: 1}]", "unknown field.s. lst_url"),
        ("sources: [{list_url: 'http://x.gov.cn/', include: '(unclosed'}]", "not a valid regular expression"),
        ("sources: [{list_url: 'http://x.gov.cn/', include: 7}]", "include must be a pattern"),
        ("sources: [{list_url: 'http://x.gov.cn/', years: 'recent'}]", "years must be"),
        ("sources: [{list_url: 'http://x.gov.cn/', max_pages: 0}]", "max_pages must be a whole number"),
        ("sources: [{list_url: 'http://x.gov.cn/', name: '../etc'}]", "name must be"),
        ("sources: [{list_url: 'http://x.gov.cn/', agency: ''}]", "agency must be"),
        (
            "sources: [{list_url: 'http://x.gov.cn/a', name: a}, {list_url: 'http://x.gov.cn/b', name: a}]",
            r"sources\[1\].*name 'a' is already used by sources\[0\]",
        ),
    ],
)
def test_mistakes_are_explained(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError, match=message):
        load_sources(path)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="cannot be read"):
        load_sources(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [", encoding="utf-8")
    with pytest.raises(SourcesError, match="not valid YAML"):
        load_sources(bad)
    assert parse_sources({"sources": [{"list_url": "http://x.gov.cn/"}]})[0].name
