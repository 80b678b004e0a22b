"""Fetch a feed over HTTP: conditional GET, size cap, deadlines, redirects and the SSRF guard.

The model is lemon24/reader: the HTTP client fetches and decides what the response means
(304 → not modified, 429 → come back later); feedparser only ever sees the bytes returned
here. One :func:`make_client` client is meant to be shared by every worker thread.

The SSRF guard works at connect time, in the client's transport (see ``ssrf.py``): checking
the URL alone would not do, since a hostname can resolve to a public address when checked and
to 127.0.0.1 a moment later (DNS rebinding). URLs are still checked before each hop too, for
scheme and for numeric hosts, so a refusal names the redirect that caused it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, NoReturn
from urllib.parse import urlsplit

import httpx

from incident_hub.watch import decoding, ssrf
from incident_hub.watch.retry_after import parse_retry_after

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.9, */*;q=0.1"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})  # the feed has moved: store the new address
_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class FetchSettings:
    """How feeds are fetched; built from the ``[FEEDS]`` config table by :meth:`from_config`."""

    timeout_s: float = 10.0
    max_bytes: int = 5_000_000
    user_agent: str = "IncidentHub/0.1 (+https://github.com/incident-hub)"
    allow_private_networks: bool = False
    deadline_s: float = field(default=-1.0)  # <= 0 means the default, 2 * timeout_s + 5
    max_redirects: int = 5

    def __post_init__(self) -> None:
        """Fill in the overall deadline, which must outlast one connect plus one read."""
        if self.deadline_s <= 0:
            object.__setattr__(self, "deadline_s", 2 * self.timeout_s + 5)

    @classmethod
    def from_config(cls, feeds_cfg: Mapping[str, Any]) -> FetchSettings:
        """Read TIMEOUT_S, MAX_BYTES, USER_AGENT, ALLOW_PRIVATE_NETWORKS (and optional
        DEADLINE_S, MAX_REDIRECTS) from the app's ``[FEEDS]`` table; missing keys keep defaults."""
        base = cls()
        return cls(
            timeout_s=float(feeds_cfg.get("TIMEOUT_S", base.timeout_s)),
            max_bytes=int(feeds_cfg.get("MAX_BYTES", base.max_bytes)),
            user_agent=str(feeds_cfg.get("USER_AGENT", base.user_agent)),
            allow_private_networks=bool(feeds_cfg.get("ALLOW_PRIVATE_NETWORKS", False)),
            deadline_s=float(feeds_cfg.get("DEADLINE_S", -1.0)),
            max_redirects=int(feeds_cfg.get("MAX_REDIRECTS", base.max_redirects)),
        )


@dataclass
class FetchResult:
    """A successful fetch: a 2xx body, or a 304 (``not_modified``, ``body`` None).

    ``moved_to`` is ``final_url`` when every redirect on the way was permanent (301, 308), so
    the source should be polled there from now on; None after no redirect or any temporary one.
    """

    status: int
    body: bytes | None
    headers: dict[str, str]
    final_url: str
    etag: str | None
    last_modified: str | None
    retry_after_s: float | None
    not_modified: bool
    elapsed_s: float
    moved_to: str | None = None


class FetchError(Exception):
    """A fetch that produced no usable feed; ``reason`` is written for the people triaging.

    ``kind`` is one of: scheme, ssrf, dns, timeout, deadline, too_large, http, network,
    redirect. ``retry_after_s`` is set when a 429 or 503 said when to come back.
    """

    def __init__(
        self,
        kind: str,
        reason: str,
        *,
        url: str | None = None,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        """Keep the reason as the message, so ``str(error)`` is the readable reason."""
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.url = url
        self.status = status
        self.retry_after_s = retry_after_s


class FeedClient(httpx.Client):
    """An httpx.Client for feeds: guarded transport, no redirects, no proxies, no cookies."""

    allows_private_networks: bool = True


def make_client(
    settings: FetchSettings,
    *,
    resolver: ssrf.Resolver | None = None,
    mounts: Mapping[str, httpx.BaseTransport] | None = None,
) -> FeedClient:
    """Build the one client every worker thread shares (httpx.Client is thread-safe).

    ``resolver`` replaces the system resolver (tests use it to play DNS tricks offline).
    Cookies are refused so no state leaks from one feed to another; environment proxies are
    ignored because a proxy would make the connect-time check look at the proxy, not the
    feed. ``mounts`` routes chosen origins through other transports (httpx's own feature).
    """
    transport = ssrf.guarded_transport(
        allow_private=settings.allow_private_networks, resolver=resolver
    )
    client = FeedClient(
        transport=transport,
        mounts=dict(mounts or {}),
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(settings.timeout_s),
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        headers=_base_headers(settings),
    )
    client.allows_private_networks = settings.allow_private_networks
    return client


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    settings: FetchSettings,
    client: httpx.Client | None = None,
) -> FetchResult:
    """GET one feed, conditionally, and return its body (or not_modified) or raise FetchError.

    Redirects are followed here, not by httpx, so every hop is checked (scheme, numeric host)
    before it is requested, and connect-time checks apply to every new connection.
    """
    started = time.monotonic()
    deadline = started + settings.deadline_s
    active = make_client(settings) if client is None else client
    if not settings.allow_private_networks and getattr(active, "allows_private_networks", True):
        raise ValueError("this client does not enforce the SSRF guard; use make_client(settings)")
    validators = {"If-None-Match": etag, "If-Modified-Since": last_modified}
    headers = _base_headers(settings) | {name: v for name, v in validators.items() if v}
    try:
        with ssrf.deadline_scope(deadline):
            current, seen, permanent = url, {url}, True
            for _hop in range(settings.max_redirects + 1):
                target = _get(
                    active, current, headers, settings, deadline, via_redirect=current != url
                )
                if isinstance(target, FetchResult):
                    target.elapsed_s = time.monotonic() - started
                    if target.not_modified:
                        target.etag = target.etag or etag
                        target.last_modified = target.last_modified or last_modified
                    if permanent and current != url:
                        target.moved_to = target.final_url
                    return target
                location, status = target
                permanent = permanent and status in PERMANENT_REDIRECTS
                if location in seen:
                    why = f"the feed redirects in a loop (back to {location})"
                    raise FetchError("redirect", why, url=url)
                seen.add(location)
                current = location
            why = f"the feed redirected more than {settings.max_redirects} times"
            raise FetchError("redirect", why, url=url)
    finally:
        if client is None:
            active.close()


def _get(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    settings: FetchSettings,
    deadline: float,
    *,
    via_redirect: bool,
) -> FetchResult | tuple[str, int]:
    """One hop: the result, or the absolute URL a redirect points to and its status."""
    _check_url(url, settings, via_redirect=via_redirect)
    host = urlsplit(url).hostname or url
    with _transport_errors(url, host, settings, deadline, via_redirect=via_redirect):
        request = client.build_request(
            "GET", url, headers=headers, timeout=httpx.Timeout(settings.timeout_s)
        )
        response = client.send(request, stream=True)
        try:
            if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                _drain(response)
                location = str(response.url.join(response.headers["location"]))
                return location, response.status_code
            return _result(response, url, settings, deadline)
        finally:
            response.close()


def _check_url(url: str, settings: FetchSettings, *, via_redirect: bool) -> None:
    """Refuse non-http(s) URLs, and URLs whose host is a forbidden numeric address."""
    prefix = (
        f"refused: the feed redirected to {url}, which" if via_redirect else f"refused: {url!r}"
    )
    try:
        parts = urlsplit(url)
        scheme, hostname, _port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:  # a malformed port or IPv6 literal
        raise FetchError("scheme", f"{prefix} is not a valid web address", url=url) from None
    if scheme not in _SCHEMES or not hostname:
        problem = "names no server" if scheme in _SCHEMES else "is not an http or https address"
        raise FetchError("scheme", f"{prefix} {problem}", url=url)
    if not settings.allow_private_networks:
        try:
            ssrf.check_host_literal(hostname)
        except ssrf.AddressRefused as exc:
            raise FetchError("ssrf", _ssrf_reason(exc, url, via_redirect), url=url) from exc


def _ssrf_reason(exc: ssrf.AddressRefused, url: str, via_redirect: bool) -> str:
    """ "refused: 10.0.0.5 is a private network address (RFC 1918)", plus the redirect."""
    return f"refused: the feed redirected to {url}; {exc}" if via_redirect else f"refused: {exc}"


@contextmanager
def _transport_errors(
    url: str, host: str, settings: FetchSettings, deadline: float, *, via_redirect: bool
) -> Iterator[None]:
    """Turn guard, DNS and httpx transport exceptions into FetchError with a plain reason."""
    try:
        yield
    except ssrf.AddressRefused as exc:
        raise FetchError("ssrf", _ssrf_reason(exc, url, via_redirect), url=url) from exc
    except ssrf.HostUnresolvable as exc:
        raise FetchError("dns", str(exc), url=url) from exc
    except httpx.TimeoutException as exc:
        if time.monotonic() >= deadline - 0.05:
            _deadline_error(url, settings, exc)
        why = f"the server {host} did not answer within {settings.timeout_s:g} s"
        raise FetchError("timeout", why, url=url) from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise FetchError("scheme", f"refused: {url!r} is not a valid web address", url=url) from exc
    except httpx.ConnectError as exc:
        why = f"could not connect to {host}: {str(exc) or 'connection failed'}"
        raise FetchError("network", why, url=url) from exc
    except (httpx.TransportError, httpx.StreamError, httpx.DecodingError) as exc:
        why = f"the connection to {host} failed: {str(exc) or type(exc).__name__}"
        raise FetchError("network", why, url=url) from exc


def _deadline_error(url: str, settings: FetchSettings, cause: BaseException | None) -> NoReturn:
    """Raise the 'deadline' FetchError (a slow trickle, or too many slow hops)."""
    why = f"gave up: the fetch took longer than the overall limit of {settings.deadline_s:g} s"
    raise FetchError("deadline", why, url=url) from cause


def _result(
    response: httpx.Response, url: str, settings: FetchSettings, deadline: float
) -> FetchResult:
    """Judge the status, then read a 2xx body under the size cap."""
    status = response.status_code
    headers = {key.lower(): value for key, value in response.headers.items()}
    body = None
    if status == 304:
        _drain(response)
    elif 200 <= status < 300:
        body = _read_capped(response, url, settings, deadline)
    else:
        retry = None
        if status in (429, 503):
            retry = parse_retry_after(headers.get("retry-after"), headers.get("date"))
        _drain(response)
        why = f"the feed server answered {status} {httpx.codes.get_reason_phrase(status)}".rstrip()
        if retry is not None:
            why += f" and asked us to wait {retry:g} s before trying again"
        raise FetchError("http", why, url=url, status=status, retry_after_s=retry)
    validators = headers.get("etag"), headers.get("last-modified")
    return FetchResult(status, body, headers, str(response.url), *validators, None, body is None, 0)


def _read_capped(
    response: httpx.Response, url: str, settings: FetchSettings, deadline: float
) -> bytes:
    """Read and decode the body, stopping as soon as it passes ``max_bytes``.

    Decoding is done here rather than by ``iter_bytes``, each call producing at most the bytes
    still allowed, so a compression bomb costs at most ``max_bytes`` (see ``decoding.py``).
    """
    limit = settings.max_bytes
    too_large = f"the feed is larger than the {limit:,}-byte limit"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError("too_large", f"{too_large} (it says {int(declared):,} bytes)", url=url)
    decoder = _decoder(response.headers.get("content-encoding", ""), url)
    body = bytearray()
    try:
        for raw in response.iter_raw():
            if decoder is None:
                body += raw
            else:
                chunk = raw
                while len(body) <= limit:
                    body += decoder.decode(chunk, limit - len(body) + 1)
                    chunk = b""
                    if not decoder.pending:
                        break
            if len(body) > limit:
                raise FetchError("too_large", too_large, url=url)
            if time.monotonic() >= deadline:
                _deadline_error(url, settings, None)
        if decoder is not None:
            body += decoder.finish()
    except decoding.CorruptBody as exc:
        raise FetchError("network", str(exc), url=url) from exc
    if len(body) > limit:
        raise FetchError("too_large", too_large, url=url)
    return bytes(body)


def _drain(response: httpx.Response, limit: int = 65_536) -> None:
    """Read what is left of a small body (304, redirect, error page) so the connection goes
    back to the pool for the next feed; a large or slow leftover just closes it."""
    seen = 0
    try:
        for chunk in response.iter_raw():
            seen += len(chunk)
            if seen > limit:
                return
    except httpx.HTTPError:
        return


def _decoder(encoding: str, url: str) -> decoding.Decoder | None:
    """The bounded decoder for the Content-Encoding, or None for identity."""
    try:
        return decoding.decoder_for(encoding)
    except ValueError:
        why = f"the feed server used a compression we did not ask for ({encoding})"
        raise FetchError("http", why, url=url) from None


def _base_headers(settings: FetchSettings) -> dict[str, str]:
    """Headers on every request: who we are, what we want, which encodings we can cap."""
    return {
        "User-Agent": settings.user_agent,
        "Accept": ACCEPT,
        "Accept-Encoding": decoding.accept_encoding(),
    }
