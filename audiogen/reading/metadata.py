"""An article page's metadata, each field from the most reliable source the page has.

Order of trust: a JSON-LD ``NewsArticle`` (or another ``Article`` type), then Open Graph
and other ``<meta>`` tags, then the page itself (``<link rel=canonical>``, ``<time>``,
``<html lang>``). trafilatura also reads metadata, but it ranks meta tags above JSON-LD
and does not return the JSON-LD ``articleBody``, which is the only copy of the text on
some script-rendered pages; so this small reader comes first and trafilatura fills gaps.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, fields
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree as lxml_etree
from lxml import html as lxml_html

from audiogen.reading.clean import remove_unsafe

#: JSON-LD types that describe an article, most specific first (schema.org)
ARTICLE_TYPES = (
    "NewsArticle",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "ReviewNewsArticle",
    "LiveBlogPosting",
    "BlogPosting",
    "SocialMediaPosting",
    "Report",
    "ScholarlyArticle",
    "TechArticle",
    "Article",
)
_SPACES = re.compile(r"\s+")


@dataclass
class PageMeta:
    title: str | None = None
    byline: str | None = None
    published: str | None = None
    language: str | None = None
    url: str | None = None
    site_name: str | None = None
    description: str | None = None
    image: str | None = None
    #: the article text as JSON-LD gives it, for pages whose body is rendered by script
    body: str | None = None
    #: the site's section the article is in (JSON-LD articleSection, article:section)
    section: str | None = None

    def fill(self, other: PageMeta) -> None:
        """Take ``other``'s value for every field this one lacks."""
        for field in fields(self):
            if not getattr(self, field.name):
                setattr(self, field.name, getattr(other, field.name))


def read_metadata(root: lxml_html.HtmlElement) -> PageMeta:
    """Metadata of the parsed page ``root`` (read before any boilerplate is removed)."""
    meta = _json_ld(root)
    page = _page(root)
    meta.language = meta.language or page.language  # <html lang> before meta tags
    meta.fill(_meta_tags(root))
    meta.fill(page)
    if meta.language:
        meta.language = normalize_language(meta.language)
    if meta.published:
        meta.published = iso_date(meta.published)
    return meta


def page_section(html: str) -> str | None:
    """The section a page says its article is in, or ``None``."""
    try:
        root = lxml_html.document_fromstring(html)
    except (ValueError, TypeError, lxml_etree.ParserError):
        return None
    return read_metadata(root).section


def iso_date(value: str) -> str:
    """A publication date in ISO 8601: ``2025-02-21`` or ``2025-02-21T02:15:00+00:00``.
    Values that are neither ISO nor RFC 2822 (the two forms pages use in metadata) are
    returned as they are."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return text
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    return moment.isoformat()


def normalize_language(tag: str) -> str | None:
    """``en-US`` / ``en_GB`` / ``EN`` → ``en``; None when it is not a language tag."""
    primary = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        # Entities survive in many pages' meta values and JSON-LD strings ("&#163;71m").
        cleaned = _SPACES.sub(" ", remove_unsafe(html.unescape(value))).strip()
        return cleaned or None
    return None


# -- JSON-LD ----------------------------------------------------------------------


def _json_ld(root: lxml_html.HtmlElement) -> PageMeta:
    objects: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            # Some sites leave trailing commas or raw newlines in strings; give it one more try.
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", script.text), strict=False)
            except ValueError:
                continue
        objects.extend(_flatten(data))
    article = _best_article(objects)
    meta = PageMeta()
    website = next((o for o in objects if _has_type(o, ("WebSite", "NewsMediaOrganization", "Organization"))), None)
    if article is not None:
        meta.title = _text(article.get("headline")) or _text(article.get("name"))
        meta.byline = _names(article.get("author"))
        meta.published = _text(article.get("datePublished")) or _text(article.get("dateCreated"))
        meta.language = _text(article.get("inLanguage"))
        meta.url = _text(article.get("url")) or _url_of(article.get("mainEntityOfPage"))
        meta.site_name = _names(article.get("publisher"))
        meta.description = _text(article.get("description"))
        meta.image = _url_of(article.get("image"))
        meta.body = _body_text(article.get("articleBody"))
        section = article.get("articleSection")
        meta.section = _text(section[0] if isinstance(section, list) and section else section)
    if not meta.site_name and website is not None:
        meta.site_name = _text(website.get("name"))
    return meta


def _flatten(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    """Every JSON-LD object in a document: top-level lists and ``@graph`` arrays opened."""
    if depth > 4:
        return []
    if isinstance(data, list):
        return [obj for item in data for obj in _flatten(item, depth + 1)]
    if not isinstance(data, dict):
        return []
    found = [data]
    graph = data.get("@graph")
    if graph is not None:
        found.extend(_flatten(graph, depth + 1))
    return found


def _has_type(obj: dict[str, Any], wanted: tuple[str, ...]) -> bool:
    types = obj.get("@type")
    names = types if isinstance(types, list) else [types]
    return any(isinstance(name, str) and name.rsplit("/", 1)[-1] in wanted for name in names)


def _best_article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    for kind in ARTICLE_TYPES:
        for obj in objects:
            if _has_type(obj, (kind,)):
                return obj
    return None


def _names(value: Any) -> str | None:
    """``author``/``publisher``: a string, a Person/Organization, or a list of them."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = _text(item.get("name")) if isinstance(item, dict) else _text(item)
        if name and not name.startswith(("http://", "https://")) and name not in names:
            names.append(name)
    if not names:
        return None
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _url_of(value: Any) -> str | None:
    """``image``/``mainEntityOfPage``: a URL string, an object with ``url``/``@id``, or a list."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id") or value.get("contentUrl")
        if isinstance(value, list):
            value = value[0] if value else None
    text = _text(value)
    return text if text and text.startswith(("http://", "https://", "/")) else None


def _body_text(value: Any) -> str | None:
    text = remove_unsafe(value) if isinstance(value, str) else None
    if not text or not text.strip():
        return None
    # Some publishers put HTML in articleBody; keep only its text, one block per line.
    if "<" in text and re.search(r"<(?:p|br|div|h\d)\b", text, re.IGNORECASE):
        fragment = lxml_html.fragment_fromstring(text, create_parent="div")
        for br in fragment.iter("br"):
            br.tail = "\n" + (br.tail or "")
        for block in fragment.iter("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li"):
            block.tail = "\n\n" + (block.tail or "")
        text = fragment.text_content()
    return text


# -- meta tags and the page -------------------------------------------------------


def _meta_tags(root: lxml_html.HtmlElement) -> PageMeta:
    found: dict[str, str] = {}
    for tag in root.iter("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or tag.get("http-equiv") or "").strip()
        content = _text(tag.get("content"))
        if key and content and key.lower() not in found:
            found[key.lower()] = content

    def first(*keys: str) -> str | None:
        return next((found[key] for key in keys if key in found), None)

    author = first("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl")
    if author and author.startswith(("http://", "https://")):
        author = None  # article:author is often a profile URL
    if author and author.lower().startswith("by "):
        author = author[3:].strip()
    return PageMeta(
        title=first("og:title", "twitter:title", "parsely-title", "dc.title"),
        byline=author,
        published=first(
            "article:published_time",
            "datepublished",
            "parsely-pub-date",
            "pubdate",
            "publishdate",
            "dc.date",
            "dc.date.issued",
            "date",
        ),
        language=first("content-language", "language", "dc.language", "og:locale"),
        url=first("og:url"),
        site_name=first("og:site_name", "application-name", "publisher"),
        description=first("og:description", "description", "twitter:description"),
        image=first("og:image", "og:image:url", "twitter:image", "twitter:image:src"),
        section=first("article:section", "parsely-section", "section"),
    )


def _page(root: lxml_html.HtmlElement) -> PageMeta:
    meta = PageMeta()
    meta.language = _text(root.get("lang")) or _text(root.get("xml:lang"))
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            meta.url = _text(link.get("href"))
            break
    times = [time for time in root.iter("time") if _text(time.get("datetime"))]
    # A <time> marked as the publication date beats the first one on the page.
    marked = [t for t in times if t.get("pubdate") is not None or (t.get("itemprop") or "") == "datePublished"]
    if marked or times:
        meta.published = _text((marked or times)[0].get("datetime"))
    return meta
