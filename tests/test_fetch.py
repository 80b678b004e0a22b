"""What a feed server can do to the fetcher, on real loopback servers. SSRF refusals are checked
with "canary" servers counting connections; other addresses appear only in refused URLs."""

from __future__ import annotations

import functools
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx
import pytest

from incident_hub.watch import fetch as fetching
from incident_hub.watch import ssrf
from incident_hub.watch.fetch import FetchError, FetchSettings, fetch, make_client

STRICT = FetchSettings(timeout_s=2, max_bytes=10**6, allow_private_networks=False)
LOOSE = FetchSettings(timeout_s=2, max_bytes=10**6, allow_private_networks=True, user_agent="H/1")
ATOM = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'
ETAG, LAST_MODIFIED = '"v1"', "Wed, 21 Oct 2026 07:28:00 GMT"
LATER = "Wed, 21 Oct 2026 07:29:30 GMT"  # 90 s after LAST_MODIFIED, the 429's Date
Handler = BaseHTTPRequestHandler
Route = Callable[[Handler], None]


class FeedServer(ThreadingHTTPServer):
    """A loopback feed server that routes by path, records requests and counts connections."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, 0), FeedHandler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.connections = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def verify_request(self, request: object, client_address: object) -> bool:
        self.connections += 1  # once per accepted connection, before any request is read
        return True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the fetcher hangs up on slow and oversized servers on purpose

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real feed servers do
    server: FeedServer

    def do_GET(self) -> None:
        self.server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        self.server.routes.get(self.path, lambda h: reply(h, 404, b"no such feed"))(self)

    def log_message(self, *args: object) -> None:
        pass


def head(h: Handler, status: int, **headers: str | int) -> None:
    h.send_response_only(status)
    for name, value in headers.items():
        h.send_header(name.replace("_", "-"), str(value))
    h.end_headers()


def reply(h: Handler, status: int, body: bytes = b"", **headers: str | int) -> None:
    head(h, status, **({} if status == 304 else {"Content_Length": len(body)}), **headers)
    h.wfile.write(body)


def redirect(location: str, status: int = 302) -> Route:
    return lambda h: reply(h, status, Location=location)


def feed(h: Handler) -> None:
    if h.headers.get("If-None-Match") == ETAG or h.headers.get("If-Modified-Since"):
        reply(h, 304, ETag=ETAG)
    else:
        headers = {"Last_Modified": LAST_MODIFIED, "Content_Type": "application/atom+xml"}
        reply(h, 200, ATOM, ETag=ETAG, **headers)


def dribble(h: Handler, pieces: int, piece: bytes, pause: float, **headers: str | int) -> None:
    """Send headers, then the body piece by piece (a trickle, or more than the cap)."""
    head(h, 200, **headers)
    for _ in range(pieces):
        h.wfile.write(piece)
        h.wfile.flush()
        time.sleep(pause)


@functools.cache
def gzip_bomb() -> bytes:
    """100 MB of zeros, gzip-compressed to about 100 KB."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    return b"".join([*(squeeze.compress(bytes(1 << 20)) for _ in range(100)), squeeze.flush()])


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    srv = FeedServer()
    base, port = f"http://127.0.0.1:{srv.server_port}", srv.server_port
    srv.routes.update({
        "/feed": feed, "/moved": redirect("/feed", 301), "/moved-307": redirect("/feed", 307),
        "/loop-a": redirect("/loop-b"), "/loop-b": redirect(f"{base}/loop-a"),
        "/slow": lambda h: (time.sleep(1.5), reply(h, 200, ATOM)),
        "/trickle": lambda h: dribble(h, 100, b"<", 1.0, Content_Length=100),
        "/huge": lambda h: dribble(h, 1, b"<feed>", 3.0, Content_Length=10**9),
        "/endless": lambda h: dribble(h, 40, bytes(65536), 0, Connection="close"),
        "/bomb": lambda h: reply(h, 200, gzip_bomb(), Content_Encoding="gzip"),
        "/gzip": lambda h: reply(h, 200, zlib.compress(ATOM, wbits=31), Content_Encoding="gzip"),
        "/429": lambda h: reply(h, 429, Retry_After=120),
        "/429-date": lambda h: reply(h, 429, Date=LAST_MODIFIED, Retry_After=LATER),
        "/503": lambda h: reply(h, 503, Retry_After=30),
        "/to/file": redirect("file:///etc/passwd"),
        "/to/gopher": redirect(f"gopher://127.0.0.1:{port}/_GET%20/"),
        "/to/metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        "/to/loopback": redirect(f"{base}/feed"),
        "/to/mapped": redirect(f"http://[::ffff:127.0.0.1]:{port}/feed"),
        "/to/localhost": redirect(f"http://localhost:{port}/feed"),
    } | {f"/hop/{n}": redirect(f"/hop/{n + 1}") for n in range(10)})  # fmt: skip
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def canary() -> Iterator[tuple[FeedServer, FeedServer]]:
    """Servers on IPv4 and IPv6 loopback that no refused URL may ever reach."""
    pair = (FeedServer("127.0.0.1"), FeedServer("::1"))
    yield pair
    for srv in pair:
        srv.stop()


@pytest.fixture
def strict_client(server: FeedServer) -> Iterator[httpx.Client]:
    """Private networks refused, except the name feeds.test, mounted onto the test server,
    so a redirect from a 'public' feed to a private address can be exercised."""
    to_server = ssrf.guarded_transport(allow_private=True, resolver=lambda h, p: ["127.0.0.1"])
    with make_client(STRICT, mounts={url(server, "", "feeds.test"): to_server}) as strict:
        yield strict


def url(server: FeedServer, path: str, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{server.server_port}{path}"


def fetch_error(target: str, settings: FetchSettings = LOOSE, **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(target, settings=settings, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_feed_body_and_validators_are_captured(server: FeedServer) -> None:
    result = fetch(url(server, "/feed"), settings=LOOSE)
    assert (result.status, result.body, result.not_modified) == (200, ATOM, False)
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert result.headers["content-type"] == "application/atom+xml"
    assert result.final_url == url(server, "/feed") and result.elapsed_s < 2
    sent = server.requests[-1][1]
    assert sent["user-agent"] == "H/1" and sent["accept"].startswith("application/atom+xml")
    assert "if-none-match" not in sent and "gzip" in sent["accept-encoding"]
    assert fetch(url(server, "/gzip"), settings=LOOSE).body == ATOM


def test_conditional_get_sends_validators_and_304_means_not_modified(server: FeedServer) -> None:
    result = fetch(url(server, "/feed"), etag=ETAG, last_modified=LAST_MODIFIED, settings=LOOSE)
    sent = server.requests[-1][1]
    assert (sent["if-none-match"], sent["if-modified-since"]) == (ETAG, LAST_MODIFIED)
    assert (result.status, result.not_modified, result.body) == (304, True, None)
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)


@pytest.mark.parametrize(("path", "host"), [("/moved", "127.0.0.1"), ("/moved-307", "127.0.0.1"),
                                            ("/moved", "feeds.test")],
                         ids=["301", "307", "301-public-name-guard-on"])  # fmt: skip
def test_redirect_is_followed(
    server: FeedServer, strict_client: httpx.Client, path: str, host: str
) -> None:
    settings, chosen = (LOOSE, None) if host == "127.0.0.1" else (STRICT, strict_client)
    result = fetch(url(server, path, host), settings=settings, client=chosen)
    assert result.body == ATOM and result.final_url == url(server, "/feed", host)


@pytest.mark.parametrize(("path", "kind", "says"), [
    ("/to/file", "scheme", "/etc/passwd, which is not an http or https address"),
    ("/to/gopher", "scheme", "not an http or https address"),
    ("/to/metadata", "ssrf", "169.254.169.254 is the cloud metadata service address"),
    ("/to/loopback", "ssrf", "127.0.0.1 is a loopback address"),
    ("/to/mapped", "ssrf", "IPv4-mapped IPv6 form of 127.0.0.1"),
    ("/to/localhost", "ssrf", "localhost resolves to 127.0.0.1"),
], ids=["file", "gopher", "metadata", "loopback", "ipv4-mapped", "localhost-connect"])  # fmt: skip
def test_redirect_to_a_refused_target_is_never_requested(
    server: FeedServer, strict_client: httpx.Client, path: str, kind: str, says: str
) -> None:
    before = len(server.requests)
    error = fetch_error(url(server, path, "feeds.test"), STRICT, client=strict_client)
    assert (error.kind, says in error.reason) == (kind, True), error.reason
    assert "redirected to" in error.reason
    assert len(server.requests) == before + 1  # the redirect itself, nothing after it


@pytest.mark.parametrize(("path", "hops"), [("/loop-a", 5), ("/hop/0", 5), ("/hop/0", 2)],
                         ids=["loop", "more-than-5-hops", "more-than-2-hops"])  # fmt: skip
def test_redirect_loops_and_long_chains_are_refused(
    server: FeedServer, path: str, hops: int
) -> None:
    settings = FetchSettings(allow_private_networks=True, max_redirects=hops)
    assert fetch_error(url(server, path), settings).kind == "redirect"


@pytest.mark.parametrize(("path", "status", "wait", "says"), [
    ("/429", 429, 120.0, "429 Too Many Requests and asked us to wait 120 s"),
    ("/429-date", 429, 90.0, "wait 90 s"), ("/503", 503, 30.0, "503 Service Unavailable"),
    ("/gone", 404, None, "the feed server answered 404 Not Found"),
], ids=["429-seconds", "429-http-date", "503-seconds", "404"])  # fmt: skip
def test_http_errors_name_the_status_and_when_to_come_back(
    server: FeedServer, path: str, status: int, wait: float, says: str
) -> None:
    error = fetch_error(url(server, path))
    assert (error.kind, error.status, error.retry_after_s) == ("http", status, wait)
    assert says in error.reason


def test_retry_after_accepts_seconds_or_a_date_and_ignores_garbage() -> None:
    parse = fetching.parse_retry_after
    assert [parse(value) for value in ("0", " 7 ", "soon", "")] == [0.0, 7.0, None, None]
    assert parse("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # already past
    assert parse(LATER, LAST_MODIFIED) == 90.0  # measured from the server's own Date header


def test_closed_port_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = fetch_error(f"http://127.0.0.1:{port}/feed")
    assert error.kind == "network" and "could not connect" in error.reason


@pytest.mark.parametrize(("path", "timeout", "kind", "says", "within"), [
    ("/slow", 0.4, "timeout", "did not answer within 0.4 s", (0.35, 1.2)),
    ("/trickle", 1.5, "deadline", "overall limit of 2 s", (1.9, 2.0 + 1)),  # 1 byte a second
], ids=["silent-past-read-timeout", "trickle-past-deadline"])  # fmt: skip
def test_slow_servers_are_cut_off(
    server: FeedServer, path: str, timeout: float, kind: str, says: str, within: tuple
) -> None:
    settings = FetchSettings(timeout_s=timeout, deadline_s=2.0, allow_private_networks=True)
    started = time.monotonic()
    error = fetch_error(url(server, path), settings)
    assert (error.kind, says in error.reason) == (kind, True), error.reason
    assert within[0] < time.monotonic() - started < within[1]


def test_gzip_bomb_stops_at_the_cap(server: FeedServer) -> None:
    gzip_bomb()  # built before measuring
    tracemalloc.start()
    started = time.monotonic()
    error = fetch_error(url(server, "/bomb"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert error.kind == "too_large" and "1,000,000-byte limit" in error.reason
    assert time.monotonic() - started < 5
    assert peak < 12_000_000, f"peak {peak:,} bytes: the bomb was inflated past the cap"


def test_oversize_is_refused_when_declared_and_cut_off_when_not(server: FeedServer) -> None:
    started = time.monotonic()
    error = fetch_error(url(server, "/huge"))
    assert error.kind == "too_large" and "1,000,000,000 bytes" in error.reason
    assert time.monotonic() - started < 1  # the server stalls after 6 bytes; we never waited
    assert fetch_error(url(server, "/endless")).kind == "too_large"


REFUSED_HOSTS = {  # refused as http://HOST:{canary port}/
    "loopback": "127.0.0.1", "loopback-127.9.9.9": "127.9.9.9", "short-127.1": "127.1",
    "decimal": "2130706433", "hex": "0x7f000001", "hex-dotted": "0x7f.0.0.1",
    "hex-short": "0x7f.1", "octal": "0177.0.0.1", "octal-whole": "017700000001",
    "ipv4-mapped": "[::ffff:127.0.0.1]", "ipv4-mapped-hex": "[::ffff:7f00:1]",
    "ipv4-mapped-long": "[0:0:0:0:0:ffff:127.0.0.1]", "ipv4-compatible": "[::127.0.0.1]",
    "localhost": "localhost", "rfc1918-10": "10.0.0.1", "rfc1918-172": "172.16.0.1",
    "rfc1918-192": "192.168.1.1", "cgnat": "100.64.0.1", "link-local": "169.254.1.1",
    "link-local-v6": "[fe80::1]", "unique-local-v6": "[fc00::1]", "unspecified": "0.0.0.0",  # noqa: S104
    "unspecified-short": "0", "multicast": "224.0.0.1", "multicast-v6": "[ff02::1]",
    "broadcast": "255.255.255.255", "reserved": "240.0.0.1", "benchmarking": "198.18.0.1",
    "documentation": "192.0.2.1", "documentation-v6": "[2001:db8::1]",
    "nat64-loopback": "[64:ff9b::7f00:1]", "6to4-loopback": "[2002:7f00:1::1]",
}  # fmt: skip
REFUSED_URLS = {  # {p}: the IPv4 canary's port, {p6}: the IPv6 canary's
    "ipv6-loopback": "http://[::1]:{p6}/", "unspecified-v6": "http://[::]:{p6}/",
    "https": "https://127.0.0.1:{p}/", "userinfo-trick": "http://feeds.example@127.0.0.1:{p}/",
    "upper-case": "HTTP://127.0.0.1:{p}/", "aws-metadata": "http://169.254.169.254/latest/",
    "aws-metadata-mapped": "http://[::ffff:169.254.169.254]/",
    "aws-metadata-v6": "http://[fd00:ec2::254]/", "alibaba-metadata": "http://100.100.100.200/",
}  # fmt: skip
WRONG_SCHEME = {"file": "file:///etc/passwd", "gopher": "gopher://127.0.0.1:{p}/_GET",
                "ftp": "ftp://127.0.0.1:{p}/feed.xml", "no-host": "http:///feed.xml",
                "bad-port": "http://127.0.0.1:99999/"}  # fmt: skip
SSRF_TABLE = [
    *((name, f"http://{host}:{{p}}/", "ssrf") for name, host in REFUSED_HOSTS.items()),
    *((name, link, "ssrf") for name, link in REFUSED_URLS.items()),
    *((name, link, "scheme") for name, link in WRONG_SCHEME.items()),
]


@pytest.mark.parametrize(("target", "kind"), [row[1:] for row in SSRF_TABLE],
                         ids=[row[0] for row in SSRF_TABLE])  # fmt: skip
def test_private_and_special_addresses_are_refused_before_connecting(
    canary: tuple[FeedServer, FeedServer], target: str, kind: str
) -> None:
    v4, v6 = canary
    link = target.format(p=v4.server_port, p6=v6.server_port)
    host = urlsplit(link).hostname or ""
    if kind == "ssrf":  # safety net: never let a non-loopback address reach the network
        assert host == "localhost" or ssrf.is_forbidden_address(ssrf.numeric_host(host) or "")
    before = (v4.connections, v6.connections)
    error = fetch_error(link, STRICT)
    assert error.kind == kind and error.reason.startswith("refused: "), error.reason
    assert (v4.connections, v6.connections) == before, "a refused URL reached the canary"


def test_reasons_are_written_for_people() -> None:
    private = fetch_error("http://10.0.0.5/feed", STRICT).reason
    assert private == "refused: 10.0.0.5 is a private network address (RFC 1918)"
    spelled = fetch_error("http://0x7f.1/", STRICT).reason
    assert "0x7f.1 is another way of writing 127.0.0.1, a loopback address" in spelled


def test_connect_time_guard_refuses_names_that_resolve_to_loopback(
    canary: tuple[FeedServer, FeedServer],
) -> None:
    """DNS rebinding: the URL names an innocent host; only the connection shows where it goes."""
    v4 = canary[0]
    asked: list[str] = []

    def rebinding_dns(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    before = v4.connections
    with make_client(STRICT, resolver=rebinding_dns) as strict:
        error = fetch_error(url(v4, "/feed", "news.example"), STRICT, client=strict)
        assert error.kind == "ssrf" and "news.example resolves to 127.0.0.1" in error.reason
        with pytest.raises(ssrf.AddressRefused):  # the transport refuses without fetch() too
            strict.get(url(v4, "/"))
    with make_client(STRICT) as strict, pytest.raises(ssrf.AddressRefused):
        strict.get(url(v4, "/", "localhost"))  # real resolver, answered by /etc/hosts
    assert asked == ["news.example", "127.0.0.1"] and v4.connections == before


def test_unresolvable_host_is_a_dns_error() -> None:
    def no_such_host(host: str, port: int) -> list[str]:
        raise ssrf.HostUnresolvable(host, "Name or service not known")

    with make_client(LOOSE, resolver=no_such_host) as offline:
        error = fetch_error("http://feeds.invalid/rss", client=offline)
    assert error.kind == "dns" and "feeds.invalid" in error.reason


def test_address_policy_sees_through_ipv6_wrappings_and_lets_public_addresses_pass() -> None:
    public = ["8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1"]
    wrapped = ["::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "2001:0:4136:e378:8000:63bf:80ff:fffe"]
    assert [ssrf.is_forbidden_address(address) for address in public] == [None] * 4
    assert all(ssrf.is_forbidden_address(address) for address in [*wrapped, "fe80::1%1"])


def test_a_client_without_the_guard_is_rejected_when_private_networks_are_refused() -> None:
    for unguarded in (httpx.Client(), make_client(LOOSE)):
        with unguarded, pytest.raises(ValueError, match="SSRF guard"):
            fetch("http://feeds.example/rss", settings=STRICT, client=unguarded)


def test_one_client_is_shared_by_a_thread_pool(server: FeedServer) -> None:
    def poll(n: int) -> int:
        etag = ETAG if n % 2 else None
        return fetch(url(server, "/feed"), etag=etag, settings=LOOSE, client=shared).status

    before = server.connections
    with make_client(LOOSE) as shared, ThreadPoolExecutor(max_workers=8) as pool:
        assert sorted(set(pool.map(poll, range(80)))) == [200, 304]
    assert server.connections - before <= 8  # keep-alive: connections are reused


def test_settings_come_from_the_feeds_config_table() -> None:
    table = {"TIMEOUT_S": 3, "MAX_BYTES": 10, "USER_AGENT": "UA", "ALLOW_PRIVATE_NETWORKS": True}
    settings = FetchSettings.from_config(table)
    assert (settings.timeout_s, settings.max_bytes, settings.user_agent) == (3.0, 10, "UA")
    assert settings.allow_private_networks and settings.deadline_s == 11.0
    assert settings.max_redirects == 5 and not FetchSettings.from_config({}).allow_private_networks
