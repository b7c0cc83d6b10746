"""SSRF: links and redirects to loopback addresses outside the allow-list, and names that resolve
to private or metadata addresses, are refused with a reason before any connection; the connection
goes to the address vetted. Name resolution is stubbed: traffic goes only to 127.0.0.1."""

from __future__ import annotations

import ipaddress

import pytest

from gaibao_pipeline.fetch import safety
from gaibao_pipeline.fetch.client import Fetcher
from gaibao_pipeline.fetch.safety import AddressPolicy, Refused, check_url, non_public_reason

# what the stubbed DNS answers; nothing here but 127.0.0.1 is ever contacted
ZONE = {
    "site.test": ["127.0.0.1"],
    "intranet.test": ["10.0.0.5"],
    "metadata.test": ["169.254.169.254"],
    "ec2-v6.test": ["fd00:ec2::254"],
    "mapped.test": ["::ffff:10.0.0.1"],
    "cgnat.test": ["100.64.1.1"],
    "aliyun-meta.test": ["100.100.100.200"],
    "mixed.test": ["93.184.216.34", "192.168.1.10"],  # one public, one private: refused
    "public.test": ["93.184.216.34"],
    "xn--fiqs8s.test": ["10.0.0.9"],  # 中国.test, resolved in its IDNA form
}


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        if host not in ZONE:
            raise OSError("name does not resolve")
        return ZONE[host]

    monkeypatch.setattr(safety, "resolve", resolve)
    return asked


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "cloud metadata"),  # AWS, GCP, Azure
        ("100.100.100.200", "cloud metadata"),  # Alibaba Cloud
        ("169.254.1.1", "link-local"),
        ("100.64.0.1", "CGNAT"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("::1", "loopback"),
        ("fd00:ec2::254", "cloud metadata"),  # AWS over IPv6
        ("fc00::1", "private"),  # unique local
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("::ffff:169.254.169.254", "IPv4-mapped form of 169.254.169.254, a cloud metadata"),
        ("2002:a00:1::", "6to4"),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "NAT64"),  # NAT64 of 169.254.169.254
        ("198.18.0.1", "private"),  # benchmarking range
        ("192.0.2.1", "private"),  # documentation range
    ],
)
def test_non_public_addresses_have_a_reason(address: str, reason: str) -> None:
    found = non_public_reason(ipaddress.ip_address(address))
    assert found is not None and reason in found


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "114.114.114.114"]
)
def test_public_addresses_pass(address: str) -> None:
    assert non_public_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme 'file'"),
        ("ftp://example.gov.cn/a.pdf", "scheme 'ftp'"),
        ("gopher://example.gov.cn/", "scheme 'gopher'"),
        ("http://user:secret@example.gov.cn/", "credentials"),
        ("http:///nohost", "no host"),
        ("http://example.gov.cn:99999/", "malformed"),
    ],
)
def test_urls_other_than_plain_http_are_refused(url: str, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        check_url(url)


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("intranet.test", "intranet.test resolves to 10.0.0.5, a private address"),
        ("metadata.test", "169.254.169.254, a cloud metadata service address"),
        ("ec2-v6.test", "fd00:ec2::254, a cloud metadata service address"),
        ("mapped.test", "IPv4-mapped form of 10.0.0.1, a private address"),
        ("cgnat.test", "shared .CGNAT. range"),
        ("aliyun-meta.test", "cloud metadata"),
        ("mixed.test", "192.168.1.10, a private address"),
        ("nowhere.test", "does not resolve"),
        ("中国.test", "xn--fiqs8s.test resolves to 10.0.0.9, a private address"),
    ],
)
def test_names_resolving_to_non_public_addresses_are_refused(dns, settings, host: str, reason: str) -> None:
    connected: list[str] = []
    with Fetcher(settings, on_request=connected.append) as fetcher, pytest.raises(Refused, match=reason):
        fetcher.get(f"http://{host}/report.pdf", robots=False)
    assert connected == []  # refused before any connection


def test_allow_list_by_name_or_network() -> None:
    policy = AddressPolicy.allowing(["10.0.0.0/8", "intranet.local", "[::1]"])
    assert policy.vet("http://10.2.3.4/", "10.2.3.4", 80) == "10.2.3.4"
    assert policy.vet("http://[::1]/", "::1", 80) == "::1"
    with pytest.raises(Refused, match=r"192\.168\.0\.1 is a private address"):
        policy.vet("http://192.168.0.1/", "192.168.0.1", 80)


def test_loopback_outside_the_allow_list_is_refused(site, settings) -> None:
    with Fetcher(settings) as fetcher, pytest.raises(Refused, match=r"127\.0\.0\.2 is a loopback address"):
        fetcher.get(f"http://127.0.0.2:{site.port}/robots.txt")
    assert site.hits() == []


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://127.0.0.3:{port}/files/t1.pdf", "127.0.0.3 is a loopback address"),
        ("http://[::1]:{port}/files/t1.pdf", "::1 is a loopback address"),
        ("http://intranet.test/admin", "resolves to 10.0.0.5, a private address"),
        ("http://metadata.test/latest/meta-data/", "cloud metadata"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("http://admin:pw@site.test:{port}/", "credentials"),
    ],
)
def test_redirects_are_checked_like_the_first_request(dns, site, settings, target: str, reason: str) -> None:
    site.add("/jump", b"", status=302, location=target.format(port=site.port))
    with Fetcher(settings) as fetcher, pytest.raises(Refused, match=reason):
        fetcher.get(site.url("/jump"))
    assert [h.path for h in site.hits()] == ["/robots.txt", "/jump"]


def test_connection_goes_to_the_vetted_address_with_the_name_as_host(dns, site, settings) -> None:
    with Fetcher(settings) as fetcher:
        response = fetcher.get(site.url("/files/t4.zip", host="site.test"))
    assert response.status == 200 and response.body
    hit = site.hits("/files/t4.zip")[0]
    assert hit.host == f"site.test:{site.port}"  # the name, though the connection went to 127.0.0.1
    assert dns.count("site.test") >= 1


def test_a_redirect_to_an_allowed_address_is_followed(site, settings) -> None:
    site.add("/moved", b"", status=301, location="/files/t4.zip")
    with Fetcher(settings) as fetcher:
        response = fetcher.get(site.url("/moved"))
    assert response.final_url == site.url("/files/t4.zip") and response.body


def test_size_cap_and_failures_are_reported(site, settings) -> None:
    from dataclasses import replace

    from gaibao_pipeline.fetch.client import FetchFailed

    with (
        Fetcher(replace(settings, max_bytes=100)) as fetcher,
        pytest.raises(FetchFailed, match="the limit is 100"),
    ):
        fetcher.get(site.url("/files/t1.pdf"))
    site.add("/down", b"x", fail_first=99)
    with (
        Fetcher(replace(settings, retries=2)) as fetcher,
        pytest.raises(FetchFailed, match=r"HTTP 503 \(after 3"),
    ):
        fetcher.get(site.url("/down"))
    site.add("/slow", b"x", delay=1.0)
    with (
        Fetcher(replace(settings, read_timeout=0.2, retries=0)) as fetcher,
        pytest.raises(FetchFailed, match="timed out"),
    ):
        fetcher.get(site.url("/slow"))
