"""Where a batch's articles come from: folders, lists of URLs, RSS and Atom feeds, sitemaps.

Every source becomes a stream of :class:`BatchItem` (never a list: a sitemap index can
name hundreds of thousands of pages). XML is read incrementally, with entities, DTDs
and network access off, and each element is dropped once read. A source that cannot
be read, or breaks off half-way, gives a :class:`ListingError` in the stream and the
rest goes on; what was listed before the break stands.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from audiogen.errors import SourceError

log = logging.getLogger("audiogen")

ARTICLE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".md", ".markdown", ".txt"})
LISTING_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".gz"})
#: the sitemap protocol's own cap on one file, uncompressed
MAX_LISTING_BYTES = 50 * 1024 * 1024
MAX_SITEMAP_DEPTH = 4
MAX_SITEMAPS = 10_000
#: query parameters that only say where a reader came from
_COMMENT = re.compile(r"(?:^|\s)#")
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "ref_src", "cmpid")


@dataclass(frozen=True)
class BatchItem:
    """One article to narrate. ``key`` is its canonical form (URLs without tracking
    parameters or fragment, files by absolute path): duplicates share it."""

    source: str
    key: str
    #: where it was listed (the feed, sitemap or list of URLs)
    origin: str = ""
    #: when the listing says the page was published or last changed (ISO 8601)
    modified: str | None = None
    title: str | None = None
    #: an entry of a feed: narrated once, not fetched again to see if it changed
    from_feed: bool = False
    #: the episode's folder, when the caller names it (the service's articles); by
    #: default one is made from the canonical URL
    episode: str | None = None


@dataclass(frozen=True)
class ListingError:
    """A source, or part of one, that could not be read."""

    source: str
    message: str


Listed = BatchItem | ListingError


def canonical_url(url: str) -> str:
    """The form of ``url`` that two links to the same page share."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not (scheme == "http" and port == 80) and not (scheme == "https" and port == 443):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(_TRACKING)]
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def parse_since(text: str) -> datetime:
    """``--since``: a date (2025-02-20) or a date-time with or without a zone (UTC then)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SourceError(f"not a date: {text!r}", hint="give it as YYYY-MM-DD") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def list_sources(
    sources: Iterable[str],
    *,
    urls_file: str | None = None,
    since: datetime | None = None,
    allow_private: bool = False,
    exclude: Path | None = None,
) -> Iterator[Listed]:
    """Every article the sources name, in order, duplicates included (the batch drops them)."""
    lister = _Lister(since=since, allow_private=allow_private, exclude=exclude)
    if urls_file is not None:
        yield from lister.url_list(urls_file)
    for source in sources:
        yield from lister.source(source)


class _Lister:
    def __init__(self, *, since: datetime | None, allow_private: bool, exclude: Path | None) -> None:
        self.since = since
        self.allow_private = allow_private
        self.exclude = exclude.resolve() if exclude is not None else None
        self.sitemaps_seen: set[str] = set()

    # -- kinds of source --------------------------------------------------------------

    def source(self, source: str) -> Iterator[Listed]:
        if is_url(source):
            yield from self._url(source)
            return
        path = Path(source)
        if path.is_dir():
            yield from self.folder(path)
        elif path.is_file():
            if path.suffix.lower() in LISTING_SUFFIXES or _sniff_listing(path):
                try:
                    data = path.read_bytes()
                except OSError as exc:
                    yield ListingError(source, f"cannot read {path}: {exc.strerror or exc}")
                    return
                yield from self.listing(data, str(path.resolve()), base=None, depth=0)
            else:
                yield BatchItem(source=str(path), key=str(path.resolve()), origin=source)
        else:
            yield ListingError(source, f"no such file or folder: {source}")

    def folder(self, folder: Path) -> Iterator[Listed]:
        """Article files under ``folder`` (Markdown, text, HTML), in name order; hidden
        folders and the batch's own output folder are left out."""
        for root, dirs, files in os.walk(folder):
            here = Path(root)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not self._excluded(here / d))
            for name in sorted(files):
                path = here / name
                if path.suffix.lower() in ARTICLE_SUFFIXES and not name.startswith("."):
                    yield BatchItem(source=str(path), key=str(path.resolve()), origin=str(folder))

    def _excluded(self, path: Path) -> bool:
        return self.exclude is not None and path.resolve() == self.exclude

    def url_list(self, urls_file: str) -> Iterator[Listed]:
        """A text file of URLs (or paths), one per line; ``#`` starts a comment. Read as
        it goes: a list of a hundred thousand lines costs no more memory than ten."""
        try:
            handle = open(urls_file, encoding="utf-8-sig")  # noqa: SIM115 - closed below
        except OSError as exc:
            yield ListingError(urls_file, f"cannot read {urls_file}: {exc.strerror or exc}")
            return
        with handle:
            try:
                for number, line in enumerate(handle, start=1):
                    entry = _COMMENT.split(line, maxsplit=1)[0].strip()
                    if not entry:
                        continue
                    if is_url(entry):
                        yield BatchItem(source=entry, key=canonical_url(entry), origin=urls_file)
                    elif "://" in entry:
                        yield ListingError(f"{urls_file}:{number}", f"not an http(s) address: {entry}")
                    else:
                        yield from self.source(entry)
            except UnicodeDecodeError:
                yield ListingError(urls_file, f"{urls_file} is not UTF-8 text")

    def _url(self, url: str) -> Iterator[Listed]:
        """A URL on the command line: a feed or sitemap is opened, an article page listed."""
        fetched = self._fetch(url)
        if isinstance(fetched, ListingError):
            yield fetched
            return
        body = fetched.body
        if _is_xml_listing(body) or fetched.content_type not in ("text/html", "application/xhtml+xml", "text/plain"):
            self.sitemaps_seen.add(canonical_url(fetched.url))
            yield from self.listing(body, fetched.url, base=fetched.url, depth=0)
        else:
            yield BatchItem(source=url, key=canonical_url(fetched.url), origin=url)

    # -- XML listings -----------------------------------------------------------------

    def listing(self, data: bytes, where: str, *, base: str | None, depth: int) -> Iterator[Listed]:
        """An RSS or Atom feed, a sitemap or a sitemap index, told apart by its root."""
        if data[:2] == b"\x1f\x8b":
            try:
                data = _gunzip(data)
            except (OSError, EOFError, ValueError) as exc:
                yield ListingError(where, f"cannot decompress {where}: {exc}")
                return
        from lxml import etree

        events = etree.iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
        )
        root: str | None = None
        count = 0
        try:
            for event, element in events:
                name = _local(element.tag)
                if root is None:
                    root = name
                    if root not in ("rss", "RDF", "feed", "urlset", "sitemapindex"):
                        yield ListingError(where, f"{where} is not a feed or a sitemap (its root is <{root}>)")
                        return
                    continue
                if event != "end":
                    continue
                entry: Listed | None = None
                if base is None and name == "link" and _is_channel_link(element, root):
                    # a feed read from a file: relative links are relative to its site
                    href = element.get("href") or (element.text or "").strip()
                    base = href if is_url(href) else None
                    continue
                if name == "item" and root in ("rss", "RDF"):
                    entry = self._rss_item(element, where, base)
                elif name == "entry" and root == "feed":
                    entry = self._atom_entry(element, where, base)
                elif name == "url" and root == "urlset":
                    entry = self._sitemap_url(element, where, base)
                elif name == "sitemap" and root == "sitemapindex":
                    for listed in self._child_sitemap(element, where, base, depth):
                        count += isinstance(listed, BatchItem)
                        yield listed
                    _drop(element)
                    continue
                else:
                    continue
                _drop(element)
                if entry is not None:
                    count += isinstance(entry, BatchItem)
                    yield entry
        except etree.XMLSyntaxError as exc:
            yield ListingError(where, f"malformed XML in {where}: {exc.msg or exc}")
            return
        if root is None:
            yield ListingError(where, f"{where} is empty")
        log.debug("%s: %d articles listed", where, count)

    def _rss_item(self, item: Any, where: str, base: str | None) -> Listed | None:
        link = _child_text(item, "link")
        guid = item.find("guid")
        if not link and guid is not None and (guid.get("isPermaLink") or "true").lower() == "true":
            link = (guid.text or "").strip()
        date = _child_text(item, "pubDate") or _child_text(item, "date")  # dc:date in RSS 1.0
        return self._entry(link, where, base, date, _child_text(item, "title"), from_feed=True)

    def _atom_entry(self, entry: Any, where: str, base: str | None) -> Listed | None:
        link = None
        for candidate in entry:
            if _local(candidate.tag) == "link" and candidate.get("rel", "alternate") == "alternate":
                link = candidate.get("href")
                break
        date = _child_text(entry, "published") or _child_text(entry, "updated")
        return self._entry(link, where, base, date, _child_text(entry, "title"), from_feed=True)

    def _sitemap_url(self, url: Any, where: str, base: str | None) -> Listed | None:
        date = _child_text(url, "lastmod")
        title = None
        for news in url:
            if _local(news.tag) == "news":
                date = _child_text(news, "publication_date") or date
                title = _child_text(news, "title")
        return self._entry(_child_text(url, "loc"), where, base, date, title, from_feed=False)

    def _entry(
        self, link: str | None, where: str, base: str | None, date: str | None, title: str | None, *, from_feed: bool
    ) -> Listed | None:
        if not link:
            return None
        address = urljoin(base, link) if base else link
        if not is_url(address):
            return ListingError(where, f"not an http(s) address in {where}: {link[:200]}")
        moment = _parse_date(date)
        if self.since is not None and moment is not None and moment < self.since:
            return None
        return BatchItem(
            source=address,
            key=canonical_url(address),
            origin=where,
            modified=moment.isoformat() if moment else None,
            title=title,
            from_feed=from_feed,
        )

    def _child_sitemap(self, sitemap: Any, where: str, base: str | None, depth: int) -> Iterator[Listed]:
        loc = _child_text(sitemap, "loc")
        if not loc:
            return
        address = urljoin(base, loc) if base else loc
        moment = _parse_date(_child_text(sitemap, "lastmod"))
        if self.since is not None and moment is not None and moment < self.since:
            return  # nothing in it changed since then
        key = canonical_url(address) if is_url(address) else address
        if key in self.sitemaps_seen:
            log.info("%s: sitemap %s was read already (it refers back to itself)", where, address)
            return
        if depth >= MAX_SITEMAP_DEPTH or len(self.sitemaps_seen) >= MAX_SITEMAPS:
            yield ListingError(address, f"sitemap {address} lies too deep (or too many sitemaps); not read")
            return
        self.sitemaps_seen.add(key)
        if not is_url(address):
            # a local index may name files beside it
            path = Path(where).parent / address if not Path(address).is_absolute() else Path(address)
            try:
                data = path.read_bytes()
            except OSError as exc:
                yield ListingError(address, f"cannot read sitemap {path}: {exc.strerror or exc}")
                return
            yield from self.listing(data, str(path), base=None, depth=depth + 1)
            return
        fetched = self._fetch(address)
        if isinstance(fetched, ListingError):
            yield fetched
            return
        yield from self.listing(fetched.body, fetched.url, base=fetched.url, depth=depth + 1)

    def _fetch(self, url: str) -> Any:
        """The document at ``url`` (a feed, a sitemap, or a page), or why not."""
        from audiogen.fetch import LISTING_ACCEPT, fetch_url

        try:
            return fetch_url(url, allow_private=self.allow_private, accept=LISTING_ACCEPT, max_bytes=MAX_LISTING_BYTES)
        except SourceError as exc:
            return ListingError(url, exc.message)


def _local(tag: Any) -> str:
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def _is_channel_link(element: Any, root: str) -> bool:
    parent = element.getparent()
    if parent is None:
        return False
    if root == "feed":
        return _local(parent.tag) == "feed" and element.get("rel", "alternate") == "alternate"
    return root in ("rss", "RDF") and _local(parent.tag) == "channel"


def _child_text(element: Any, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            text = (child.text or "").strip()
            return text or None
    return None


def _drop(element: Any) -> None:
    """Free what was read: the element, and the siblings already passed."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _gunzip(data: bytes) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
        out = handle.read(MAX_LISTING_BYTES + 1)
    if len(out) > MAX_LISTING_BYTES:
        raise ValueError(f"more than {MAX_LISTING_BYTES // 2**20} MB uncompressed")
    return out


def _is_xml_listing(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    if head[:2] == b"\x1f\x8b":
        return True
    return any(tag in head for tag in (b"<rss", b"<feed", b"<urlset", b"<sitemapindex", b"<rdf:rdf"))


def _sniff_listing(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return _is_xml_listing(handle.read(2048))
    except OSError:
        return False
