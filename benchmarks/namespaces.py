"""A test host with a public-looking address, inside a network namespace of its own on this machine.

The SERVICE tests need an endpoint on a global address (the server never calls loopback or private ones),
and nothing may leave the machine. `public_test_host` makes a network namespace joined to this one by a veth
pair, gives the far end an address from 192.88.99.0/24 — global to `ipaddress`, the retired 6to4 relay
anycast prefix (RFC 7526) that nobody may serve from — and routes only that one address (/32) into the pair.
Before yielding it checks the kernel's route to the address goes through the pair: if it did not, nothing is
sent and the caller learns why. Needs root and `ip` (iproute2); `NamespaceUnavailable` says what is missing.
"""

import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass

PREFIX = "192.88.99"
IP = shutil.which("ip")


class NamespaceUnavailable(RuntimeError):
    """No network namespace can be made here (not root, no `ip`, or the kernel refuses)."""


@dataclass(frozen=True)
class NamespaceHost:
    """A network namespace `name` reached at `address` (a global-looking IPv4 address) from this one."""

    name: str
    address: str

    def command(self, command: Sequence[str]) -> list[str]:
        """`command` run inside the namespace."""
        return [IP or "ip", "netns", "exec", self.name, *command]


def _ip(*arguments: str) -> None:
    result = subprocess.run([IP or "ip", *arguments], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise NamespaceUnavailable(f"ip {' '.join(arguments)}: {result.stderr.strip() or result.returncode}")


@contextmanager
def public_test_host() -> Iterator[NamespaceHost]:
    """A namespace with a veth end on 192.88.99.N (N from this process id), removed afterwards."""
    if IP is None:
        raise NamespaceUnavailable("the `ip` command (Debian package iproute2) is not installed")
    if os.geteuid() != 0:
        raise NamespaceUnavailable("network namespaces need root (CI runs as root)")
    tag = f"{os.getpid() % 100_000}"
    name, outer, inner = f"algokg-test-{tag}", f"akg{tag}o", f"akg{tag}i"
    address = f"{PREFIX}.{2 + os.getpid() % 250}"
    try:
        _ip("netns", "add", name)
        _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
        _ip("link", "set", inner, "netns", name)
        _ip("addr", "add", f"{PREFIX}.1/32", "dev", outer)
        _ip("link", "set", outer, "up")
        _ip("-n", name, "addr", "add", f"{address}/32", "dev", inner)
        _ip("-n", name, "link", "set", inner, "up")
        _ip("-n", name, "link", "set", "lo", "up")
        _ip("route", "add", f"{address}/32", "dev", outer)
        _ip("-n", name, "route", "add", f"{PREFIX}.1/32", "dev", inner)
        route = subprocess.run([IP, "route", "get", address], capture_output=True, text=True, timeout=30).stdout
        if f"dev {outer}" not in route:
            raise NamespaceUnavailable(f"the route to {address} does not go into the test namespace: {route.strip()}")
        yield NamespaceHost(name, address)
    finally:
        with suppress(Exception):
            subprocess.run([IP, "link", "del", outer], capture_output=True, timeout=30)
        with suppress(Exception):
            subprocess.run([IP, "netns", "del", name], capture_output=True, timeout=30)


__all__ = ["NamespaceHost", "NamespaceUnavailable", "public_test_host"]
