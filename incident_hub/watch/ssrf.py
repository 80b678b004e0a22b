"""Where a feed may be fetched from: the SSRF guard's address policy and its enforcement.

A feed URL is typed in by an admin or arrives as a redirect from someone else's server, so
the watcher must never become a way to reach the machine it runs on, the office network or
the cloud provider's metadata service (which hands out credentials). The policy is applied
to *resolved* addresses: a hostname is looked up with ``getaddrinfo`` (which also turns the
odd numeric spellings ``2130706433``, ``0x7f.1``, ``0177.0.0.1`` and ``127.1`` into
``127.0.0.1``) and every address it resolves to must be acceptable.

The second half of the module is the connect-time guard: an httpcore network backend that
resolves the host itself, refuses the connection if any address is forbidden and connects to
an address it has checked, so a name that resolved to a public address a moment ago and to
127.0.0.1 now (DNS rebinding) is still refused. TLS still verifies the URL's hostname, which
httpcore passes to ``start_tls`` whatever address the socket reached. The same backend makes
every socket read and write stop at the current fetch's overall deadline (``deadline_scope``),
which is what cuts off a server trickling one byte a second.

Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are
refused too: they are never routed on the public internet, so no real feed lives there,
while some private networks do use them internally (the sandbox this module was written in
has 192.0.2.2 on its network card).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

_V4_RULES: tuple[tuple[str, str], ...] = (
    ("169.254.169.254/32", "the cloud metadata service address (AWS, Google Cloud, Azure)"),
    ("100.100.100.200/32", "the Alibaba Cloud metadata service address"),
    ("168.63.129.16/32", "the Azure platform (WireServer) address"),
    ("0.0.0.0/8", "an unspecified ('this host') address"),
    ("127.0.0.0/8", "a loopback address (this machine itself)"),
    ("10.0.0.0/8", "a private network address (RFC 1918)"),
    ("172.16.0.0/12", "a private network address (RFC 1918)"),
    ("192.168.0.0/16", "a private network address (RFC 1918)"),
    ("100.64.0.0/10", "a carrier-grade NAT shared address (RFC 6598)"),
    ("169.254.0.0/16", "a link-local address"),
    ("192.0.0.0/24", "an IETF protocol address (RFC 6890)"),
    ("192.0.2.0/24", "a documentation-only address (RFC 5737)"),
    ("198.51.100.0/24", "a documentation-only address (RFC 5737)"),
    ("203.0.113.0/24", "a documentation-only address (RFC 5737)"),
    ("198.18.0.0/15", "a network benchmarking address (RFC 2544)"),
    ("224.0.0.0/4", "a multicast address"),
    ("255.255.255.255/32", "the broadcast address"),
    ("240.0.0.0/4", "a reserved address"),
)
_V6_RULES: tuple[tuple[str, str], ...] = (
    ("fd00:ec2::254/128", "the AWS cloud metadata service address (IPv6)"),
    ("::/128", "an unspecified address"),
    ("::1/128", "a loopback address (this machine itself)"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("fc00::/7", "a private (unique local) network address"),
    ("ff00::/8", "a multicast address"),
    ("2001:db8::/32", "a documentation-only address (RFC 3849)"),
    ("3fff::/20", "a documentation-only address (RFC 9637)"),
    ("64:ff9b:1::/48", "a local-use NAT64 address (RFC 8215)"),
    ("::ffff:0:0:0/96", "an IPv4-translated IPv6 address (RFC 2765)"),
    ("5f00::/16", "a segment-routing address (RFC 9602)"),
    ("100::/64", "a discard-only address (RFC 6666)"),
    ("2001:2::/48", "a network benchmarking address (RFC 5180)"),
    ("::/96", "an IPv4-compatible IPv6 address (deprecated)"),
)
_V4_NETWORKS = tuple((ipaddress.IPv4Network(net), why) for net, why in _V4_RULES)
_V6_NETWORKS = tuple((ipaddress.IPv6Network(net), why) for net, why in _V6_RULES)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_scope = threading.local()  # the current fetch's deadline, per worker thread


class AddressRefused(Exception):
    """A host resolved to an address the guard refuses; raised before any connection."""

    def __init__(self, host: str, address: str, why: str, *, numeric: bool = False) -> None:
        """``numeric``: the host is another spelling of the address (``0x7f.1``), not a name."""
        self.host = host
        self.address = address
        self.why = why
        if _strip_brackets(host) == address:
            message = f"{address} is {why}"
        elif numeric:
            message = f"{host} is another way of writing {address}, {why}"
        else:
            message = f"{host} resolves to {address}, {why}"
        super().__init__(message)


class HostUnresolvable(Exception):
    """A hostname could not be resolved to any address."""

    def __init__(self, host: str, detail: str) -> None:
        """``detail`` is the resolver's own words, e.g. "Name or service not known"."""
        self.host = host
        self.detail = detail
        super().__init__(f"could not find the server {host!r} ({detail})")


def parse_address(text: str) -> IPAddress:
    """Parse a canonical IP address string, dropping an IPv6 zone (``fe80::1%eth0``)."""
    return ipaddress.ip_address(_strip_brackets(text).split("%", 1)[0])


def is_forbidden_address(ip: str | IPAddress) -> str | None:
    """Why a feed must not be fetched from ``ip`` (a phrase like "a loopback address"), or None.

    IPv6 addresses that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``,
    IPv4-compatible ``::a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16`` and Teredo
    ``2001::/32``) are judged by the IPv4 address inside them, because the network delivers
    them there. Anything else that is not a globally routable unicast address is refused.
    """
    address = parse_address(ip) if isinstance(ip, str) else ip
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner, wrapper = embedded
            why = is_forbidden_address(inner)
            if why is not None:
                return f"{wrapper} form of {inner}, {why}"
    rules = _V4_NETWORKS if isinstance(address, ipaddress.IPv4Address) else _V6_NETWORKS
    for network, why in rules:
        if address in network:
            return why
    if address.is_multicast:
        return "a multicast address"
    if not address.is_global:
        return "not a public internet address"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 address delivers to, and the name of that wrapping, if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped, "an IPv4-mapped IPv6"
    if address in _V4_COMPATIBLE and int(address) > 1:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF), "an IPv4-compatible IPv6"
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF), "a NAT64"
    if address.sixtofour is not None:
        return address.sixtofour, "a 6to4"
    if address.teredo is not None:
        return address.teredo[1], "a Teredo"
    return None


def numeric_host(host: str) -> str | None:
    """The canonical address if ``host`` is a numeric spelling of one, without asking DNS.

    ``getaddrinfo`` with ``AI_NUMERICHOST`` accepts what the C library accepts
    (``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``, ``[::ffff:7f00:1]``) and never
    sends a query, so a URL's host can be checked before any request is built.
    """
    bare = _strip_brackets(host)
    if not bare:
        return None
    try:
        infos = socket.getaddrinfo(bare, None, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    return str(infos[0][4][0]) if infos else None


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve ``host`` with the operating system's resolver; every distinct address, in order."""
    try:
        infos = socket.getaddrinfo(_strip_brackets(host), port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise HostUnresolvable(host, exc.strerror or str(exc)) from exc
    except (UnicodeError, ValueError) as exc:
        raise HostUnresolvable(host, "not a valid host name") from exc
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(str(sockaddr[0]))
    return addresses


def check_addresses(host: str, addresses: Sequence[str]) -> None:
    """Refuse the host if ANY of its addresses is forbidden.

    Refusing on any (rather than skipping the bad ones) matters: a name that mixes public
    and private records is either misconfigured or an attack, and a client that falls back
    from one address to the next could otherwise be steered to the private one.
    """
    if not addresses:
        raise HostUnresolvable(host, "no addresses")
    for address in addresses:
        why = is_forbidden_address(address)
        if why is not None:
            raise AddressRefused(host, address, why)


def resolve_checked(host: str, port: int, resolver: Resolver = system_resolver) -> list[str]:
    """Resolve ``host`` and return its addresses, raising AddressRefused if any is forbidden."""
    addresses = list(resolver(host, port))
    check_addresses(host, addresses)
    return addresses


def check_host_literal(host: str) -> None:
    """Refuse a host that is a numeric address (in any spelling) the guard forbids.

    Used on every URL before a request is built; it never touches DNS. Hostnames are
    checked later, at connect time, against the addresses actually connected to.
    """
    address = numeric_host(host)
    why = None if address is None else is_forbidden_address(address)
    if address is not None and why is not None:
        raise AddressRefused(host, address, why, numeric=True)


def _strip_brackets(host: str) -> str:
    """``[::1]`` → ``::1``: URL syntax brackets IPv6 literals, resolvers do not want them."""
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


# --- the connect-time guard -----------------------------------------------------------------


@contextmanager
def deadline_scope(deadline: float) -> Iterator[None]:
    """Make every guarded socket operation of this thread stop at ``deadline`` (monotonic).

    httpx's sync client does all I/O in the calling thread, so a thread-local is exact.
    """
    previous = getattr(_scope, "deadline", None)
    _scope.deadline = deadline
    try:
        yield
    finally:
        _scope.deadline = previous


def _clamp(timeout: float | None, error: type[Exception]) -> float | None:
    """Shorten a socket timeout so it ends no later than the current deadline: each read of
    a trickling server gets only the time left, not a fresh read timeout."""
    deadline = getattr(_scope, "deadline", None)
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("the overall deadline has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes never outlast the current deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        """Wrap a stream from httpcore's own backend."""
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read, with the timeout cut to the time left before the deadline."""
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Write, with the timeout cut to the time left before the deadline."""
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        """Close the socket."""
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        """Upgrade to TLS; ``server_hostname`` is the URL's host, so SNI and verification hold."""
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        """Pass through (httpcore asks whether a pooled socket is still readable)."""
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve, check every address, then connect to a checked address (no second lookup)."""

    def __init__(self, *, allow_private: bool, resolver: Resolver = system_resolver) -> None:
        """``allow_private`` skips the address check (tests and demos on loopback)."""
        self._allow_private = allow_private
        self._resolver = resolver
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        """Open a TCP connection to ``host`` only if all its addresses pass the guard."""
        addresses = list(self._resolver(host, port))
        if not self._allow_private:
            check_addresses(host, addresses)
        failure: Exception = httpcore.ConnectError(f"{host} has no addresses")
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=_clamp(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream)
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        """Feeds are never fetched over local sockets."""
        raise httpcore.ConnectError("unix sockets are not used for feeds")

    def sleep(self, seconds: float) -> None:
        """Used by httpcore between connection retries."""
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport, with its connection pool built on the guarded backend."""

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits) -> None:
        """Swap the pool HTTPTransport built; request, response and error mapping stay httpx's."""
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


def guarded_transport(
    *, allow_private: bool, resolver: Resolver | None = None, max_connections: int = 64
) -> httpx.HTTPTransport:
    """An httpx transport whose every new connection passes the guard and the deadline.

    ``resolver`` replaces the system resolver (tests use it to play DNS tricks offline).
    """
    backend = GuardedBackend(allow_private=allow_private, resolver=resolver or system_resolver)
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=30,
    )
    return _GuardedTransport(backend, limits)
