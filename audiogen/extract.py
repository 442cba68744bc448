"""Documents → ``Article``: HTML (main content), Markdown and plain text.

HTML goes through three steps: beautifulsoup4 removes what is never narrated (hidden
elements, scripts, forms, captions, share bars, teasers, newsletter boxes...), trafilatura
finds the main content in what is left and keeps its structure (headings, paragraphs,
lists, quotes, tables), and the metadata comes from JSON-LD, meta tags and the page.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from typing import Any

from audiogen.article import Article, Segment
from audiogen.errors import ExtractionError, SourceError

log = logging.getLogger("audiogen")

# -- bytes → text -----------------------------------------------------------------

_BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or an office document)",
    b"\x1f\x8b": "gzip-compressed data",
    b"RIFF": "a RIFF file (audio, video or image)",
    b"ID3": "an MP3 file",
    b"OggS": "an Ogg file",
    b"fLaC": "a FLAC file",
    b"\x7fELF": "a program",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def describe_binary(data: bytes) -> str | None:
    """What kind of non-text file ``data`` is, or None if it may be text."""
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            return kind
    if data[4:8] == b"ftyp":
        return "an MP4/M4A file"
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary data"
    return None


def decode_document(data: bytes, *, charset: str | None = None, where: str = "the document") -> str:
    """Bytes → text: byte-order mark, then the declared charset (HTTP header or
    ``<meta>``), then UTF-8, then detection. Raises ``SourceError`` for binary data."""
    kind = describe_binary(data)
    if kind:
        raise SourceError(
            f"{where} is {kind}, not an article", hint="give an HTML, Markdown or text file, or a web page"
        )
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = [charset] if charset else []
    match = _META_CHARSET.search(data[:4096])
    if match:
        declared.append(match.group(1).decode("ascii"))
    for name in declared:
        try:
            return data.decode(_python_codec(name))
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise SourceError(f"cannot tell the text encoding of {where}", hint="save it as UTF-8 and try again")
    return str(best)


def _python_codec(name: str) -> str:
    name = name.strip().lower()
    # WHATWG: pages labelled Latin-1 are decoded as Windows-1252.
    return {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252"}.get(name, name)


# -- shared text cleanup ----------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Collapse whitespace (non-breaking included); drop soft hyphens and zero-width marks."""
    return _SPACES.sub(" ", text.translate(_INVISIBLE)).strip()


def _no_article(where: str) -> ExtractionError:
    return ExtractionError(
        f"no article text found in {where}",
        hint="check that it is an article page; 'audiogen extract' shows what was found",
    )


# -- HTML -------------------------------------------------------------------------

_DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "iframe",
    "svg",
    "canvas",
    "figcaption",
    "dialog",
    "audio",
    "video",
    "object",
    "embed",
]
_BOILERPLATE = re.compile(
    r"(?:^|[-_ ])(?:related|teaser|newsletter|subscribe|subscription|signup|share|sharing|social|"
    r"promo|advert|advertisement|ads?|sponsor(?:ed)?|cookie|consent|paywall|announcement|popup|"
    r"modal|comments?|author-?bio|breadcrumbs?|caption|credit|audio-?player|player|skip-?link|"
    r"read-?also|read-?more|more-?news|most-?read|recommended|news-?feed|editors-?picks|sidebar|"
    r"widget|toolbar|tags|tag-?list)(?:$|[-_ ])",
    re.IGNORECASE,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _prune(soup: object) -> None:
    """Remove what is never read aloud, in place."""
    from bs4 import BeautifulSoup, Tag

    assert isinstance(soup, BeautifulSoup)
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    body = soup.body or soup
    total = len(body.get_text(" ", strip=True)) or 1
    for tag in list(body.find_all(True)):
        if not isinstance(tag, Tag) or tag.decomposed or tag.attrs is None:
            continue
        if tag.name in ("aside", "footer") or _is_hidden(tag) or _looks_like_boilerplate(tag):
            # A wrapper holding most of the page is a layout container, not a box to drop.
            if len(tag.get_text(" ", strip=True)) > total * 0.5 and len(tag.find_all("p")) >= 3:
                continue
            tag.decompose()


def _is_hidden(tag: object) -> bool:
    attrs = getattr(tag, "attrs", {}) or {}
    return (
        "hidden" in attrs
        or str(attrs.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))
    )


def _looks_like_boilerplate(tag: object) -> bool:
    attrs = getattr(tag, "attrs", {}) or {}
    classes = attrs.get("class") or []
    names = " ".join(classes) if isinstance(classes, list) else str(classes)
    names = f"{names} {attrs.get('id', '')} {attrs.get('role', '') if attrs.get('role') in ('complementary', 'banner', 'contentinfo') else ''}"
    return bool(_BOILERPLATE.search(names))


def parse(html: str, url: str | None = None) -> Article:
    """HTML → ``Article``; raises ``ExtractionError`` when there is no article text."""
    import trafilatura
    from bs4 import BeautifulSoup

    where = url or "the page"
    if not html or not html.strip():
        raise _no_article(where)
    try:
        soup = BeautifulSoup(html, "lxml")
    except Exception as exc:  # lxml can refuse pathological input
        raise ExtractionError(f"cannot parse {where} as HTML: {exc}") from None
    language = _page_language(soup)
    h1 = soup.find("h1")
    page_h1 = clean_text(h1.get_text(" ")) if h1 else ""
    page_title = clean_text(soup.title.get_text(" ")) if soup.title else ""
    _prune(soup)
    try:
        document: Any = trafilatura.bare_extraction(
            str(soup),
            url=url,
            include_comments=False,
            include_images=False,
            include_tables=True,
            include_formatting=False,
            with_metadata=True,
        )
    except RecursionError:
        raise ExtractionError(f"{where} is nested too deeply to read") from None
    segments: list[Segment] = []
    title = ""
    meta: dict[str, str | None] = {}
    if document is not None:
        title = clean_text(document.title or "")
        meta = {
            "byline": document.author,
            "published": document.date,
            "url": document.url or url,
            "site_name": document.sitename,
            "description": document.description,
            "image": document.image,
        }
        if document.body is not None:
            segments = list(_segments_from_body(document.body))
    title = title or page_h1 or _strip_site_suffix(page_title)
    if segments and segments[0].kind == "heading" and segments[0].text.casefold() == title.casefold():
        segments = segments[1:]
    if not segments:
        raise _no_article(where)
    return Article(
        title=title or segments[0].text[:80],
        segments=segments,
        language=language,
        byline=meta.get("byline"),
        published=meta.get("published"),
        url=meta.get("url") or url,
        site_name=meta.get("site_name"),
        description=meta.get("description"),
        image=meta.get("image"),
    )


def _page_language(soup: object) -> str | None:
    html_tag = getattr(soup, "html", None)
    lang = html_tag.get("lang") if html_tag is not None else None
    if isinstance(lang, str) and lang.strip():
        return lang.strip().split("-")[0].lower()
    return None


def _strip_site_suffix(title: str) -> str:
    return re.split(r"\s+[|–—-]\s+", title)[0].strip() if title else ""


def _segments_from_body(body: object, list_depth: int = 0) -> Iterator[Segment]:
    """trafilatura's XML body (head, p, list/item, quote, table) → segments."""
    for element in body:  # type: ignore[attr-defined]
        tag = element.tag
        if tag == "head":
            text = clean_text("".join(element.itertext()))
            rend = element.get("rend") or "h2"
            level = int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 2
            if text:
                yield Segment("heading", text, level=level)
        elif tag == "list":
            ordered = element.get("rend") in ("ol",)
            position = 0
            for item in element:
                if item.tag != "item":
                    continue
                position += 1
                nested = [child for child in item if child.tag == "list"]
                for child in nested:
                    item.remove(child)
                text = clean_text("".join(item.itertext()))
                if text:
                    yield Segment("list_item", text, level=list_depth + 1, position=position, ordered=ordered)
                for child in nested:
                    wrapper = [child]
                    yield from _segments_from_body(wrapper, list_depth + 1)
        elif tag == "quote":
            text = clean_text(" ".join(element.itertext()))
            if text:
                yield Segment("quote", text)
        elif tag == "table":
            for row in element.iter("row"):
                cells = [clean_text("".join(cell.itertext())) for cell in row if cell.tag == "cell"]
                cells = [c for c in cells if c]
                if cells:
                    yield Segment("table", "; ".join(cells))
        elif tag in ("p", "div", "lb", "code"):
            text = clean_text("".join(element.itertext()))
            if text:
                yield Segment("paragraph", text)


# -- Markdown ---------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def parse_markdown(text: str, where: str = "the document") -> Article:
    """Markdown (CommonMark, via markdown-it-py) → ``Article``. A leading ``# Title`` or a
    front-matter ``title:`` becomes the title."""
    from markdown_it import MarkdownIt

    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        for line in match.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip().strip("'\"")
        text = text[match.end() :]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    segments: list[Segment] = []
    quote_depth = 0
    lists: list[tuple[bool, int]] = []  # (ordered, position of the current item) per open list
    heading_level = 0
    row: list[str] | None = None  # the cells of the table row being read
    for token in tokens:
        kind = token.type
        if kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append((kind == "ordered_list_open", 0))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            lists[-1] = (lists[-1][0], lists[-1][1] + 1)
        elif kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            if row:
                segments.append(Segment("table", "; ".join(row)))
            row = None
        elif kind == "inline":
            content = clean_text(_inline_text(token))
            if not content:
                heading_level = 0
            elif row is not None:
                row.append(content)
            elif heading_level:
                segments.append(Segment("heading", content, level=heading_level))
                heading_level = 0
            elif lists:
                ordered, position = lists[-1]
                last = segments[-1] if segments else None
                if last and last.kind == "list_item" and last.position == position and last.level == len(lists):
                    segments[-1] = Segment("list_item", f"{last.text} {content}", len(lists), position, ordered)
                else:
                    segments.append(Segment("list_item", content, len(lists), position, ordered))
            elif quote_depth:
                segments.append(Segment("quote", content))
            else:
                segments.append(Segment("paragraph", content))
    title = meta.get("title", "")
    first = segments[0] if segments else None
    if (
        first
        and first.kind == "heading"
        and first.level == 1
        and (not title or first.text.casefold() == title.casefold())
    ):
        title, segments = title or first.text, segments[1:]
    if not segments:
        raise _no_article(where)
    return Article(
        title=title or _first_words(segments[0].text),
        segments=segments,
        byline=meta.get("author") or meta.get("byline"),
        published=meta.get("date") or meta.get("published"),
        language=meta.get("lang") or meta.get("language"),
        url=meta.get("url"),
        description=meta.get("description"),
    )


def _inline_text(token: object) -> str:
    parts: list[str] = []
    for child in getattr(token, "children", None) or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content if child.type != "html_inline" else "")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _first_words(text: str, count: int = 10) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


# -- plain text -------------------------------------------------------------------

_LIST_MARK = re.compile(r"^\s*(?:[-*•–]|(\d+)[.)])\s+")
_TERMINAL = tuple('.!?:;…"”’)')


def parse_text(text: str, where: str = "the document") -> Article:
    """Plain text → ``Article``. Blocks are separated by blank lines; the first block is
    the title when it is one line; ``- `` / ``1.`` lines are list items; ``>`` lines are
    quotes; a short line with no closing punctuation is a heading."""
    blocks = [b for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")) if b.strip()]
    if not blocks:
        raise _no_article(where)
    title = ""
    first_lines = blocks[0].strip().splitlines()
    if len(first_lines) == 1 and len(blocks) > 1:
        title = clean_text(first_lines[0].lstrip("# "))
        blocks = blocks[1:]
    segments: list[Segment] = []
    for block in blocks:
        lines = [line for line in block.splitlines() if line.strip()]
        if all(line.lstrip().startswith(">") for line in lines):
            segments.append(Segment("quote", clean_text(" ".join(line.lstrip()[1:] for line in lines))))
        elif _LIST_MARK.match(lines[0]):
            segments.extend(_list_items(lines))
        elif lines[0].lstrip().startswith("#"):
            hashes = len(lines[0].lstrip()) - len(lines[0].lstrip().lstrip("#"))
            segments.append(Segment("heading", clean_text(" ".join(lines).lstrip("# ")), level=min(hashes, 6)))
        elif len(lines) == 1 and len(lines[0]) <= 100 and not lines[0].rstrip().endswith(_TERMINAL):
            segments.append(Segment("heading", clean_text(lines[0]), level=2))
        else:
            segments.append(Segment("paragraph", clean_text(" ".join(lines))))
    segments = [s for s in segments if s.text]
    if not segments:
        raise _no_article(where)
    return Article(title=title or _first_words(segments[0].text), segments=segments)


def _list_items(lines: list[str]) -> Iterator[Segment]:
    items: list[tuple[str, bool]] = []
    for line in lines:
        mark = _LIST_MARK.match(line)
        if mark:
            items.append((line[mark.end() :], mark.group(1) is not None))
        elif items:
            items[-1] = (f"{items[-1][0]} {line.strip()}", items[-1][1])
    for position, (item, ordered) in enumerate(items, start=1):
        yield Segment("list_item", clean_text(item), level=1, position=position, ordered=ordered)
