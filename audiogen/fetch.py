"""The only network code: a URL → the bytes of a document, guarded.

Timeout, size cap, redirect cap, content-type check, and a refusal to reach private,
loopback or link-local addresses (unless ``allow_private``), checked again at every
redirect so a public page cannot bounce the request into a private network.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

from audiogen.errors import SourceError

USER_AGENT = "audiogen/0.1 (+article narration)"
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


def check_address(url: str, allow_private: bool = False) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise SourceError(f"not a web address: {url}", hint="use an http:// or https:// URL")
    host = parts.hostname
    if not host:
        raise SourceError(f"no host in {url}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        raise SourceError(f"cannot resolve {host}: {exc}", hint="check the address and your connection") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise SourceError(
                f"refusing to fetch {url}: {host} is a private or local address",
                hint="pass --allow-private to fetch from your own network",
            )


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        check_address(newurl, self.allow_private)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


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
    check_address(url, allow_private)
    opener = urllib.request.build_opener(_GuardedRedirects(allow_private))
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
