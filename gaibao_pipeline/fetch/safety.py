"""What the crawler may connect to: http(s) URLs without credentials, on public addresses only.

Every host name is resolved here and each address checked before a connection is made, at
the first request and after every redirect; the connection then goes to the very address
that was checked (`client` connects to it by IP and sends the name as Host and TLS SNI), so
a name that resolves differently a moment later (DNS rebinding) cannot slip through.
Addresses that are loopback, private, link-local, multicast, reserved, CGNAT, cloud
metadata, or hidden inside an IPv6 form (IPv4-mapped, 6to4, Teredo, NAT64) are refused
unless the operator allowed them explicitly (`--allow-host`, for tests and intranets).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SCHEMES = frozenset({"http", "https"})

# Instance metadata services: AWS/GCP/Azure/OpenStack, AWS IPv6, AWS ECS tasks, Alibaba Cloud.
_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200", "169.254.169.253")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class Refused(Exception):
    """A URL the crawler will not request, with the reason in words."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


def check_url(url: str) -> None:
    """Refuse a URL that is not plain http(s) with a host, or that carries credentials."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(url, f"malformed URL ({exc})") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise Refused(url, f"scheme {parts.scheme or '(none)'!r} is not http or https")
    if parts.username is not None or parts.password is not None:
        raise Refused(url, "URLs with credentials are never requested")
    if not parts.hostname:
        raise Refused(url, "no host")
    if port == 0:
        raise Refused(url, "port 0")


def _nat64_embedded(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def non_public_reason(ip: IPAddress) -> str | None:
    """Why `ip` is not a public internet address, or None when it is one."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = (
            ("IPv4-mapped", ip.ipv4_mapped),
            ("6to4", ip.sixtofour),
            ("Teredo", ip.teredo[1] if ip.teredo else None),
            ("NAT64", _nat64_embedded(ip)),
        )
        for form, inner in embedded:
            if inner is not None and (reason := non_public_reason(inner)):
                return f"an {form} form of {inner}, {reason}"
    if ip in _METADATA:
        return "a cloud metadata service address"
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "the unspecified address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "in the shared (CGNAT) range 100.64.0.0/10"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
    )
    for applies, reason in checks:
        if applies:
            return reason
    return None if ip.is_global else "not a public address"


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (tests replace this function to simulate DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Public addresses only, except hosts and networks the operator allowed by name or CIDR."""

    allowed_names: frozenset[str] = frozenset()
    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def allowing(cls, entries: Iterable[str]) -> AddressPolicy:
        """`entries`: host names, addresses or CIDR networks (127.0.0.1, 10.0.0.0/8, intranet.local)."""
        names: set[str] = set()
        networks = []
        for entry in entries:
            entry = entry.strip().strip("[]")
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(entry.lower().rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def _allowed(self, host: str, ip: IPAddress) -> bool:
        return host in self.allowed_names or any(ip in net for net in self.allowed_networks)

    def vet(self, url: str, host: str, port: int) -> str:
        """The address to connect to for `host`; `Refused` when any address it has is not public."""
        host = host.lower().rstrip(".")
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolve(host, port)]
            except (OSError, UnicodeError, ValueError) as exc:
                raise Refused(url, f"host {host} does not resolve ({exc})") from exc
        if not addresses:
            raise Refused(url, f"host {host} has no address")
        for ip in addresses:
            reason = non_public_reason(ip)
            if reason and not self._allowed(host, ip):
                shown = f"{host} is" if host == str(ip) else f"{host} resolves to {ip},"
                raise Refused(url, f"{shown} {reason} (not in --allow-host)")
        return str(addresses[0])
