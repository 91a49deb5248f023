"""Where the server may send a request on a client's behalf (SPARQL `SERVICE`): public addresses only.

Outbound requests are off unless an operator lists SPARQL endpoints in `ALGOKG_SERVICE_ALLOW`
(`Settings.service_allow`, exact IRIs, e.g. EUR-Lex CELLAR `http://publications.europa.eu/webapi/rdf/sparql`).
Even a listed endpoint never reaches this machine or its networks:
- at startup (`check_allow_list`): an entry must be an absolute http(s) IRI whose host is not an address or a
  name that is loopback, private, link-local, unspecified, multicast or reserved (`localhost`, `10.0.0.1`,
  `[::1]`, `169.254.169.254`, …);
- per query (`check_endpoint`): its host is resolved and every address it resolves to must be global, so a
  name that points (or is re-pointed) inward is refused.
The store's own HTTP client resolves the name again when it sends the request; an endpoint that an attacker
controls could answer both look-ups differently (DNS rebinding) or redirect, which is why only operators'
endpoints are listed, never ones clients choose.
"""

import ipaddress
import logging
import socket
from urllib.parse import urlsplit

from loader.errors import AlgokgError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 / RFC 8215).
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
log = logging.getLogger("algokg.outbound")
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


class AllowListError(AlgokgError):
    """An entry of ALGOKG_SERVICE_ALLOW cannot be allowed (the server does not start)."""


class EndpointRefused(Exception):
    """A SERVICE endpoint may not be called now: `detail` says why, in words a client may read."""

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail, self.status = detail, status


def is_public(address: Address) -> bool:
    """Whether `address` is a global unicast address (and, for IPv6 forms that embed IPv4, so is that one)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.sixtofour]
        if address.teredo is not None:
            embedded += list(address.teredo)
        if any(address in network for network in _NAT64):
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(inner is not None and not is_public(inner) for inner in embedded):
            return False
        if address.is_site_local:
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def _host(iri: str) -> tuple[str, int]:
    """(host, port) of an http(s) IRI; ValueError if it has none or another scheme."""
    parts = urlsplit(iri)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{iri} is not an absolute http(s) IRI with a host")
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)  # parts.port raises on a bad port
    return parts.hostname.rstrip(".").lower(), port


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_allow_list(entries: tuple[str, ...]) -> tuple[str, ...]:
    """The entries, each checked: an http(s) endpoint IRI whose host is not local by its address or name."""
    for entry in entries:
        try:
            host, _ = _host(entry)
        except ValueError as error:
            raise AllowListError(str(error), field="ALGOKG_SERVICE_ALLOW") from None
        address = _literal(host)
        local_name = host in _LOCAL_NAMES or host.endswith((".localhost", ".local", ".internal"))
        if local_name or (address is not None and not is_public(address)):
            raise AllowListError(
                f"{entry} is on this machine or a private network ({host}); SERVICE may only call public endpoints",
                field="ALGOKG_SERVICE_ALLOW",
            )
    return entries


def check_endpoint(iri: str) -> None:
    """Refuse (EndpointRefused) unless every address the endpoint's host resolves to now is public."""
    try:
        host, port = _host(iri)
    except ValueError as error:
        raise EndpointRefused(f"SERVICE <{iri}>: {error}") from None
    address = _literal(host)
    if address is not None:
        addresses = [address]
    else:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise EndpointRefused(f"SERVICE <{iri}>: its host cannot be resolved now", status=503) from None
        addresses = [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in found]
    for each in addresses:
        if not is_public(each):
            log.warning("SERVICE <%s> refused: %s resolves to %s, not a public address", iri, host, each)
            raise EndpointRefused(
                f"SERVICE <{iri}>: its host resolves to an address that is not public; this server calls "
                "public endpoints only"
            )


__all__ = ["AllowListError", "EndpointRefused", "check_allow_list", "check_endpoint", "is_public"]
