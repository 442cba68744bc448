"""The only network code: a URL → the bytes of a document, guarded.

Timeout, size cap, redirect cap, content-type check, and a refusal to reach private,
loopback or link-local addresses (unless ``allow_private``), checked again at every
redirect so a public page cannot bounce the request into a private network.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

from audiogen import __version__
from audiogen.errors import SourceError

USER_AGENT = f"audiogen/{__version__} (+article narration)"
MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = 20.0
TEXT_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "text/markdown",
    "text/x-markdown",
    "application/xml",
    "text/xml",
)


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str  # e.g. "text/html"
    charset: str | None


#: (host, port) → the addresses that were resolved and checked for it
_Vetted = dict[tuple[str, int], list[str]]


def check_address(url: str, allow_private: bool = False, vetted: _Vetted | None = None) -> None:
    """Refuse a URL that is not http(s), or whose host resolves to a private, loopback
    or link-local address (unless ``allow_private``). The addresses checked are kept in
    ``vetted``, for the connection to use without resolving the host again."""
    try:  # a broken IPv6 literal or a port that is no number is a bad address, said so
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise SourceError(f"not a web address: {url[:200]} ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise SourceError(f"not a web address: {url[:200]}", hint="use an http:// or https:// URL")
    if not host:
        raise SourceError(f"no host in {url[:200]}")
    if allow_private:
        return
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _vetted_addresses(host, port, url)
    if vetted is not None:
        vetted[(host, port)] = addresses


def _vetted_addresses(host: str, port: int, url: str) -> list[str]:
    """``host``'s addresses, each checked; an error naming ``url`` if any is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise SourceError(f"cannot resolve {host}: {exc}", hint="check the address and your connection") from None
    addresses = []
    for info in infos:
        text = str(info[4][0])
        if is_private_address(ipaddress.ip_address(text.split("%", 1)[0])):
            raise SourceError(
                f"refusing to fetch {url}: {host} is a private or local address",
                hint="pass --allow-private to fetch from your own network",
            )
        addresses.append(text)
    return addresses


#: IPv6 ranges whose addresses carry an IPv4 address inside them (translation, 6to4)
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def is_private_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address``, or an IPv4 address it carries (IPv4-mapped, IPv4-compatible,
    NAT64, 6to4 or Teredo), is not on the public internet."""
    if not address.is_global:
        return True
    if isinstance(address, ipaddress.IPv4Address):
        return False
    embedded: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        embedded.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        embedded.append(address.sixtofour)
    if address.teredo is not None:
        embedded.extend(address.teredo)
    if any(address in network for network in _NAT64) or address in _IPV4_COMPATIBLE:
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return any(not inner.is_global for inner in embedded)


def _checked_connection(connection_class: type[http.client.HTTPConnection], vetted: _Vetted) -> Any:
    """A connection factory for urllib whose connections go to the addresses checked for
    their host, never resolving it again: a DNS answer that changes between the check
    and the connection cannot swap in another machine."""

    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        connection = connection_class(host, **kwargs)

        def connect(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
            host_name, port = address
            if (host_name, port) not in vetted:
                vetted[(host_name, port)] = _vetted_addresses(host_name, port, f"{host_name}:{port}")
            error: OSError | None = None
            for vetted_address in vetted[(host_name, port)]:
                try:
                    return socket.create_connection((vetted_address, port), timeout, source_address)
                except OSError as exc:
                    error = exc
            raise error or OSError(f"cannot connect to {host_name}")

        connection._create_connection = connect  # type: ignore[attr-defined]
        return connection

    return make


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, vetted: _Vetted) -> None:
        super().__init__()
        self.vetted = vetted

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_checked_connection(http.client.HTTPConnection, self.vetted), req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, vetted: _Vetted) -> None:
        super().__init__()
        self.vetted = vetted

    def https_open(self, req: urllib.request.Request) -> Any:
        connection = _checked_connection(http.client.HTTPSConnection, self.vetted)
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def __init__(self, allow_private: bool, vetted: _Vetted) -> None:
        self.allow_private = allow_private
        self.vetted = vetted

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        check_address(newurl, self.allow_private, self.vetted)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(url: str, allow_private: bool, vetted: _Vetted) -> urllib.request.OpenerDirector:
    """Redirects checked, and (unless private addresses are allowed, or a proxy does the
    connecting) connections made only to the addresses checked."""
    handlers: list[urllib.request.BaseHandler] = [_GuardedRedirects(allow_private, vetted)]
    parts = urlsplit(url)
    proxied = bool(urllib.request.getproxies().get(parts.scheme)) and not urllib.request.proxy_bypass(
        parts.hostname or ""
    )
    if not allow_private and not proxied:
        handlers += [_CheckedHTTPHandler(vetted), _CheckedHTTPSHandler(vetted)]
    return urllib.request.build_opener(*handlers)


PAGE_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1"
#: feeds and sitemaps (and the article pages a list of them may also name)
LISTING_ACCEPT = "application/rss+xml,application/atom+xml,application/xml,text/xml;q=0.9,text/html;q=0.5"
LISTING_TYPES = (
    *TEXT_TYPES,
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
)


def fetch_url(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    accept: str = PAGE_ACCEPT,
) -> Fetched:
    """GET ``url``: an article page (``accept`` left as it is) or, with ``accept`` like
    ``"image/*"``, a file of that type."""
    vetted: _Vetted = {}
    check_address(url, allow_private, vetted)
    opener = _opener(url, allow_private, vetted)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
    try:
        with opener.open(request, timeout=timeout) as response:
            headers: Message = response.headers
            content_type = (headers.get_content_type() or "").lower()
            if accept == LISTING_ACCEPT:
                if content_type and content_type not in LISTING_TYPES:
                    raise SourceError(f"{url} is {content_type}, not a feed, a sitemap or a page")
            elif accept != PAGE_ACCEPT:
                wanted = accept.split("/")[0] + "/"
                if content_type and not content_type.startswith(wanted):
                    raise SourceError(f"{url} is {content_type}, not {accept}")
            elif content_type and content_type not in TEXT_TYPES:
                raise SourceError(
                    f"{url} is {content_type}, not an article page",
                    hint="give the address of the article's web page",
                )
            length = headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise SourceError(f"{url} is larger than {max_bytes // (1024 * 1024)} MB")
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise SourceError(f"{url} is larger than {max_bytes // (1024 * 1024)} MB")
            return Fetched(
                url=response.geturl(), body=body, content_type=content_type, charset=headers.get_content_charset()
            )
    except urllib.error.HTTPError as exc:
        exc.close()  # the error carries the open response
        raise SourceError(
            f"HTTP {exc.code} ({exc.reason}) from {url}", hint="check that the address opens in a browser"
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, SourceError):
            raise reason from None
        raise SourceError(f"cannot reach {url}: {reason}", hint="check the address and your connection") from None
    except TimeoutError:
        raise SourceError(f"{url} did not answer within {timeout:g} s") from None
    except (ConnectionError, OSError) as exc:
        raise SourceError(f"cannot reach {url}: {exc}") from None
