"""Who is asking: the client an HTTP request comes from, whether it holds the write token, and its request's fate.

- `identify(scope, …) -> Client`: the peer address of the connection, or — only when that peer is a trusted
  proxy (`Settings.trusted_proxies`) — the nearest address in `X-Forwarded-For` that is not one; an IPv6
  client counts as its /64 (one host usually has a whole /64). `privileged` when the request carries the
  operator's write token as a bearer token.
- `RequestContext`: one per HTTP request, in the context variable `current` (set by `sparql_api.limits`, and
  copied into the threads that run sync routes): the client, and `cancel()`, called when the client
  disconnects, which runs the callbacks the request's queries registered to stop their worker.
- `current_client()`: the client of the request being served; `SERVER` outside any request.
"""

import contextvars
import hmac
import ipaddress
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Client:
    """`key` tells clients apart (an address or a /64); `privileged`: holds the write token, or is the server."""

    key: str
    privileged: bool = False


SERVER = Client("", privileged=True)  # queries the server runs of its own accord, outside any request


class RequestContext:
    """The client of one request, and what to stop when it goes away."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], object]] = []
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def on_cancel(self, callback: Callable[[], object]) -> Callable[[], None]:
        """Call `callback` (from any thread) when the client goes away; at once if it has. Returns the undo."""
        with self._lock:
            if not self._cancelled:
                self._callbacks.append(callback)
                return lambda: self._forget(callback)
        callback()
        return lambda: None

    def _forget(self, callback: Callable[[], object]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()


current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("algokg_request", default=None)


def current_client() -> Client:
    context = current.get()
    return context.client if context is not None else SERVER


def identify(
    peer: str | None,
    headers: Iterable[tuple[bytes, bytes]],
    *,
    write_token: str | None,
    trusted_proxies: Sequence[str] = (),
) -> Client:
    """The client of a request from `peer` (None: not over IP) with these raw ASGI `headers`."""
    forwarded: list[str] = []
    authorization = b""
    for name, value in headers:
        if name == b"x-forwarded-for":
            forwarded += [hop.strip() for hop in value.decode("latin-1").split(",") if hop.strip()]
        elif name == b"authorization":
            authorization = value
    address = peer or "local"
    networks = _networks(tuple(trusted_proxies))
    if networks and _within(address, networks):
        # Each proxy appends the address it was reached from: the right-most hop that is not ours is the client.
        for hop in reversed(forwarded):
            address = hop
            if not _within(hop, networks):
                break
    return Client(_key(address), privileged=_holds_token(authorization, write_token))


def _holds_token(authorization: bytes, token: str | None) -> bool:
    scheme, _, given = authorization.decode("latin-1").partition(" ")
    if not token or scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode("latin-1"), token.encode())  # constant time, as sparql_api.auth


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _within(text: str, networks: tuple[Network, ...]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in networks)


@lru_cache(maxsize=4096)  # a pure function of the text; parsing an address costs more than the lookup
def _key(text: str) -> str:
    address = _address(text)
    if address is None:
        return text[:64]  # not an address (a garbled header): its own client, never anyone else's
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def parse_networks(text: str) -> tuple[str, ...]:
    """`ALGOKG_TRUSTED_PROXIES` ("10.0.0.1, 10.1.0.0/16") as a tuple; ValueError naming a bad entry."""
    entries = tuple(entry.strip() for entry in text.split(",") if entry.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"ALGOKG_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return entries
