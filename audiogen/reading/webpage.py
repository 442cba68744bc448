"""HTML pages → ``Article``: the main content and the page's metadata.

HTML goes through three steps: lxml prunes what is never narrated (hidden elements,
scripts, forms, captions, share bars, teasers, newsletter boxes...), trafilatura finds the
main content in what is left and keeps its structure (headings, paragraphs, lists, quotes,
tables), and the metadata comes from JSON-LD, meta tags and the page (``audiogen.reading.metadata``).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from audiogen.article import Article, Segment
from audiogen.errors import ExtractionError
from audiogen.reading.clean import (
    clean_text,
    detect_language,
    first_words,
    no_article,
    remove_unsafe,
    remove_unsafe_references,
)
from audiogen.reading.metadata import PageMeta, read_metadata

log = logging.getLogger("audiogen")

# -- HTML -------------------------------------------------------------------------
#
# trafilatura finds the main content well, but it keeps some things a listener must never
# hear (captions and photo credits inside the body, "Read also" teasers, player labels,
# newsletter boxes) and it cannot see a page's hidden elements. So the tree is pruned first
# (lxml, in place) and trafilatura runs on what is left. Pruning is guarded: the block that
# holds the most prose (scored the way readability-style extractors do) and its ancestors
# are never removed, whatever their class names say, so a wrapper called
# "entry-content-read-more" or a page-wide <form> cannot take the article with it.

#: elements whose content is never article text
_NEVER_TEXT = (
    "script",
    "style",
    "template",
    "svg",
    "canvas",
    "iframe",
    "object",
    "embed",
    "audio",
    "video",
    "button",
    "input",
    "select",
    "textarea",
    "option",
    "dialog",
    "figcaption",
    "amp-ad",
    "amp-embed",
    "amp-analytics",
    "amp-sidebar",
    "amp-social-share",
    "amp-consent",
    "amp-user-notification",
    "amp-sticky-ad",
    "amp-iframe",
    "amp-video",
    "amp-audio",
)
#: page furniture: removed unless it holds the article
_FURNITURE = ("nav", "aside", "footer", "form", "menu")
_FURNITURE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu", "menubar"}
)
#: class/id words of boxes that are not the article; matched as whole words
_BOILERPLATE_WORDS = frozenset(
    "related teaser teasers newsletter newsletters subscribe subscription subscriptions signup share shares "
    "sharing sharebar social promo promos promotion advert adverts advertisement advertising ad ads adslot "
    "sponsor sponsored sponsorship cookie cookies consent gdpr paywall popup modal comment comments disqus "
    "breadcrumb breadcrumbs caption captions credit credits sidebar widget toolbar tags taglist outbrain "
    "taboola recirc recirculation recommended recommendations trending pagination pager newsfeed byline "
    "bio".split()
)
_BOILERPLATE_PAIRS = frozenset(
    tuple(pair.split())
    for pair in (
        "read also",
        "also read",
        "read more",
        "see also",
        "more news",
        "more stories",
        "most read",
        "most popular",
        "editors picks",
        "editor picks",
        "news feed",
        "author bio",
        "about author",
        "audio player",
        "video player",
        "media player",
        "podcast player",
        "skip link",
        "skip to",
        "tag list",
        "sign up",
        "follow us",
    )
)
#: ...and as the start of a compound class name ("relatedposts", "newsletterbox")
_BOILERPLATE_STEMS = (
    "related",
    "newsletter",
    "subscri",
    "sponsor",
    "advert",
    "breadcrumb",
    "recommend",
    "outbrain",
    "taboola",
    "paywall",
    "cookie",
    "sharebar",
    "sharing",
)
_CLASS_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
#: table internals: their class names describe data ("player-2020"), not page boxes
_TABLE_PARTS = frozenset({"tr", "td", "th", "tbody", "thead", "tfoot", "caption", "col", "colgroup"})
#: elements that start a new block of text (used to find paragraph-like leaves)
_BLOCK_TAGS = frozenset(
    "address article aside blockquote div dl fieldset figure footer form h1 h2 h3 h4 h5 h6 header hr li "
    "main nav ol p pre section table ul".split()
)
#: short blocks that introduce a teaser, label a player or credit a photo (start of text)
_TEASER_LEAD = re.compile(
    r"^\W*(?:read also|also read|read more|related(?: articles?| stories| coverage| content)?|see also|"
    r"more on this|recommended|watch|listen|sign up|subscribe|follow us|share this|click here)\b",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^\W*(?:listen to (?:this|the) (?:article|story|post)|voiced by|audio (?:version|available)|"
    r"this (?:audio|narration|recording|article'?s? audio)(?: version)? (?:is|was|has been) "
    r"(?:created|generated|produced|made|narrated|read)\b.{0,40}\b(?:ai|a\.i\.|artificial intelligence|"
    r"text[- ]to[- ]speech|synthetic)\b)",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^\W*(?:(?:photo|photograph|image|picture|illustration|graphic|video|file photo)s?"
    r"(?:\s+(?:by|credit|courtesy(?: of)?))?\s*[:/©]|credit\s*:|©)",
    re.IGNORECASE,
)


def parse(html: str, url: str | None = None) -> Article:
    """HTML → ``Article``; raises ``ExtractionError`` when there is no article text."""
    where = url or "the page"
    if not html or not html.strip():
        raise no_article(where)
    root = _parse_html(html, where)
    meta = read_metadata(root)
    page_h1 = _first_text(root, "h1")
    page_title = _first_text(root, "title")
    body = _body_of(root)
    _check_size(body, where)
    noscript_text = sum(len(clean_text(n.text_content())) for n in body.iter("noscript"))
    linked: set[tuple[str, ...]] = set()
    document = _main_content(root, body, url, where, linked)
    segments = _document_segments(document)
    if _too_short(segments, noscript_text):
        # Script-rendered pages often carry the article in <noscript>: read it as content.
        root = _parse_html(html, where)
        body = _body_of(root)
        for element in list(body.iter("noscript")):
            element.drop_tag()
        retry = _main_content(root, body, url, where, linked)
        retry_segments = _document_segments(retry)
        if _text_length(retry_segments) > _text_length(segments):
            document, segments = retry, retry_segments
    if meta.body:
        blocks = _blocks(meta.body)
        shown = _squash(" ".join(segment.text for segment in segments))
        if _text_length(segments) < 0.5 * sum(map(len, blocks)) or (
            len(segments) < len(blocks) and shown == _squash(" ".join(blocks))
        ):
            # The page shows less than its JSON-LD holds (a body filled in by script), or
            # the same text without its paragraph breaks.
            segments = [Segment("paragraph", text) for text in blocks]
    title = _clean_title(meta.title or page_h1 or page_title, meta.site_name, url or meta.url)
    if document is not None:
        meta.fill(
            PageMeta(
                title=document.title,
                byline=document.author,
                published=document.date,
                url=document.url,
                site_name=document.sitename,
                description=document.description,
                image=document.image,
            )
        )
    title = title or clean_text(meta.title or "")
    segments = _tidy(segments, title, meta.byline, meta.site_name)
    if not segments or _not_an_article(segments, linked):
        raise no_article(where)
    language = meta.language or detect_language(" ".join(s.text for s in segments[:20]))
    return Article(
        title=title or first_words(segments[0].text),
        segments=segments,
        language=language,
        byline=clean_text(meta.byline) if meta.byline else None,
        published=meta.published,
        url=meta.url or url,
        site_name=meta.site_name,
        description=meta.description,
        image=meta.image,
    )


def _parse_html(html: str, where: str) -> Any:
    from lxml import etree
    from lxml import html as lxml_html

    # Bytes with an explicit encoding: lxml refuses str input that carries an XML
    # encoding declaration, and this way any declaration in the page is ignored.
    # Control characters (a stray BEL pasted from a word processor) stop libxml2 and
    # would cost the article; they carry nothing, so they go first.
    html = remove_unsafe_references(remove_unsafe(html))
    data = html.encode("utf-8", errors="replace")
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = lxml_html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"cannot read {where} as HTML: {exc}") from None
    if root is None:
        raise no_article(where)
    if any("depth" in str(entry.message).lower() for entry in parser.error_log):
        # libxml2 stops reading elements nested thousands deep and loses their text; such
        # nesting is machine-made wrapping, so read the page again without its wrappers.
        log.info("%s is nested too deeply; reading it without <div>/<span> wrappers", where)
        flat = _WRAPPER_TAG.sub(" ", html).encode("utf-8", errors="replace")
        try:
            root = lxml_html.document_fromstring(flat, parser=parser)
        except (etree.ParserError, ValueError) as exc:
            raise ExtractionError(f"cannot read {where} as HTML: {exc}") from None
    return root


_WRAPPER_TAG = re.compile(r"</?(?:div|span|section|font|center|b|i|em|strong|small|big|u)\b[^>]*>", re.IGNORECASE)


#: more text than this is not one article (it is about a thousand printed pages)
MAX_TEXT_CHARS = 2_000_000
#: deeper than this, wrapper elements are unwrapped before extraction
MAX_DEPTH = 150


def _check_size(body: Any, where: str) -> None:
    hidden = sum(len(element.text or "") for element in body.iter("script", "style", "template", "svg"))
    size = len(body.text_content()) - hidden
    if size > MAX_TEXT_CHARS:
        raise ExtractionError(
            f"{where} holds {size / 1e6:.1f} million characters of text, too much for one article",
            hint=f"the limit is {MAX_TEXT_CHARS / 1e6:.0f} million; split the document",
        )


def _flatten(body: Any) -> None:
    """Unwrap elements nested deeper than ``MAX_DEPTH``: machine-made pages nest wrappers
    thousands deep, which costs the extractor its recursion budget but holds no structure
    a listener could hear."""
    depth: dict[Any, int] = {body: 0}
    deep: list[Any] = []
    for element in body.iter():
        if element is body:
            continue
        level = depth[element.getparent()] + 1
        depth[element] = level
        if level > MAX_DEPTH and element.tag not in ("p", "li", "blockquote", "table", "tr", "td", "th"):
            deep.append(element)
    for element in deep:
        element.drop_tag()


def _body_of(root: Any) -> Any:
    body = root.find("body")
    return body if body is not None else root


def _first_text(root: Any, tag: str) -> str:
    element = next(root.iter(tag), None)
    return clean_text(element.text_content()) if element is not None else ""


def _main_content(root: Any, body: Any, url: str | None, where: str, linked: set[tuple[str, ...]]) -> Any:
    """trafilatura's main content of the pruned page; the word pairs of every link left
    on it are added to ``linked``."""
    import trafilatura

    _prune(body)
    for anchor in body.iter("a"):
        linked.update(_shingles(anchor.text_content(), 2))
    try:
        return trafilatura.bare_extraction(
            root,
            url=url,
            include_comments=False,
            include_images=False,
            include_tables=True,
            include_formatting=False,
            with_metadata=True,
        )
    except RecursionError:
        raise ExtractionError(f"{where} is nested too deeply to read") from None


def _prune(body: Any) -> None:
    """Remove, in place, everything under ``body`` that is never read aloud."""
    _flatten(body)
    keep = _protected(body)
    articles = list(body.iter("article"))
    per_parent = Counter(element.getparent() for element in articles)
    for element in articles:
        if per_parent[element.getparent()] >= 2:
            # Entries of a live blog (or parts of one story) as sibling <article>s: trafilatura
            # keeps only the first one's heading, so make them sections of the one article.
            element.tag = "section"
    for element in body.iter("div", "aside", "p", "figure"):
        if _is_pull_quote(element):
            # A pull quote read as a quote, so that one that repeats the body is dropped.
            element.tag = "blockquote"
    for element in list(body.iter(*_NEVER_TEXT, "noscript")):
        if element not in keep:
            element.drop_tree()
    doomed = []
    for element in body.iter():
        tag = element.tag
        if not isinstance(tag, str) or element in keep or tag in _TABLE_PARTS:
            continue
        if (
            tag in _FURNITURE
            or (element.get("role") or "").strip().lower() in _FURNITURE_ROLES
            or _is_hidden(element)
            or _looks_like_boilerplate(element)
        ):
            if not _holds_prose(element):
                doomed.append(element)
        elif tag in ("p", "div", "li", "span", "small", "em", "strong", "h4", "h5", "h6") and _is_label(element):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


#: elements whose text is counted apart from their block's: table cells, and text that is
#: not shown (scripts, styles), which is counted nowhere
_OWN_TEXT = frozenset({"td", "noscript", *_NEVER_TEXT})


def _protected(body: Any) -> set[Any]:
    """The block holding the most prose, and its ancestors.

    Each run of text belongs to its nearest block-level ancestor (so text split by
    ``<br>`` in a ``<div>`` counts as much as text in ``<p>``); a block with a sentence's
    worth of text scores by its length and commas, less its share of link text, and
    passes its score to its parent and half of it to its grandparent.
    """
    owner: dict[Any, Any] = {body: body}
    in_link: dict[Any, bool] = {body: False}
    texts: dict[Any, list[str]] = {}
    links: dict[Any, int] = {}
    for element in body.iter():
        if element is body:
            block = body
        else:
            parent = element.getparent()
            tag = element.tag if isinstance(element.tag, str) else ""
            block = element if tag in _BLOCK_TAGS or tag in _OWN_TEXT else owner[parent]
            owner[element] = block
            in_link[element] = tag == "a" or in_link[parent]
            if element.tail and element.tail.strip():
                texts.setdefault(owner[parent], []).append(element.tail)
                if in_link[parent]:
                    links[owner[parent]] = links.get(owner[parent], 0) + len(element.tail)
        if element.text and element.text.strip() and isinstance(element.tag, str):
            texts.setdefault(block, []).append(element.text)
            if in_link[element]:
                links[block] = links.get(block, 0) + len(element.text)
    scores: dict[Any, float] = {}
    for block, parts in texts.items():
        text = " ".join(parts)
        length = len(text.strip())
        if length < 25 or (block.tag in _OWN_TEXT and block.tag != "td"):
            continue
        score = (1 + text.count(",") + min(length // 100, 3)) * max(0.0, 1 - links.get(block, 0) / length)
        parent = block.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + score
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0.0) + score / 2
    if not scores:
        return set()
    best = max(scores, key=scores.__getitem__)
    return {best, *best.iterancestors()}


def _is_pull_quote(element: Any) -> bool:
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return "pullquote" in names or "pull-quote" in names or "pull_quote" in names


def _is_hidden(element: Any) -> bool:
    return (
        element.get("hidden") is not None
        or (element.get("aria-hidden") or "").strip().lower() == "true"
        or bool(_HIDDEN_STYLE.search(element.get("style") or ""))
    )


def _looks_like_boilerplate(element: Any) -> bool:
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    if not names.strip():
        return False
    words = [word.lower() for word in _CLASS_WORD.findall(names)]
    return any(word in _BOILERPLATE_WORDS or word.startswith(_BOILERPLATE_STEMS) for word in words) or any(
        pair in _BOILERPLATE_PAIRS for pair in itertools.pairwise(words)
    )


def _holds_prose(element: Any) -> bool:
    """Three or more long paragraphs of plain text: an article part, not a box."""
    count = 0
    for paragraph in element.iter("p"):
        text = paragraph.text_content()
        if len(text) >= 150 and sum(len(a.text_content()) for a in paragraph.iter("a")) < 0.25 * len(text):
            count += 1
            if count >= 3:
                return True
    return False


def _is_label(element: Any) -> bool:
    """A short block that is a teaser lead-in, a player label or a photo credit."""
    text = clean_text(element.text_content())
    if not text or len(text) > 200:
        return False
    if _LABEL.match(text) or (len(text) <= 150 and _CREDIT.match(text)):
        return True
    if element.tag == "p" and len(text) <= 150:
        # A paragraph that is nothing but a link is a teaser for another page.
        linked = sum(len(clean_text(a.text_content())) for a in element.iter("a"))
        if linked >= 0.9 * len(text):
            return True
    return bool(_TEASER_LEAD.match(text)) and (next(element.iter("a"), None) is not None or len(text) <= 40)


def _document_segments(document: Any) -> list[Segment]:
    if document is None or document.body is None:
        return []
    return list(_segments_from_body(document.body))


#: what error, login and app-shell pages say instead of an article
_NOT_ARTICLE = re.compile(
    r"\b(?:page (?:was )?not (?:be )?found|could not be found|404|sign in|log ?in|forgot (?:your )?password|"
    r"access denied|enable javascript|not available in your (?:country|region))\b",
    re.IGNORECASE,
)


def _not_an_article(segments: list[Segment], linked: set[tuple[str, ...]]) -> bool:
    """A home page (nothing but links), an error or login page, or a scrap of text."""
    length = _text_length(segments)
    if length < 25 or (length < 300 and _NOT_ARTICLE.search(" ".join(s.text for s in segments))):
        return True
    # Word pairs, not longer runs: a fallback extraction may glue link texts together.
    shingles: set[tuple[str, ...]] = set()
    for segment in segments:
        shingles |= _shingles(segment.text, 2)
    return bool(shingles) and len(shingles & linked) >= 0.7 * len(shingles)


def _text_length(segments: list[Segment]) -> int:
    return sum(len(segment.text) for segment in segments)


def _too_short(segments: list[Segment], noscript_text: int) -> bool:
    return noscript_text >= 200 and _text_length(segments) < 0.5 * noscript_text


def _blocks(text: str) -> list[str]:
    """Plain text → paragraphs: blank lines separate blocks; single newlines too when
    every line reads as a paragraph of its own."""
    blocks = [clean_text(block) for block in re.split(r"\n\s*\n", text)]
    if len(blocks) == 1:
        blocks = [clean_text(line) for line in text.splitlines()]
    return [block for block in blocks if block]


_TITLE_SEPARATOR = re.compile(r"\s+[|–—·:-]{1,2}\s+")


def _clean_title(title: str, site_name: str | None, url: str | None) -> str:
    """Drop a " | Site name" (or "Site name - ") part from a title."""
    title = clean_text(title)
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    names = {_squash(site_name)} if site_name else set()
    if url:
        labels = (urlsplit(url).hostname or "").split(".")[:-1]  # without the top-level domain
        names |= {_squash(label) for label in labels if len(label) > 3 and label not in _GENERIC_HOST_LABELS}
    names.discard("")

    def is_site(part: str) -> bool:
        squashed = _squash(part)
        # "dailyspan.example" names the site; "Time to act" does not name a site called "Time".
        return any(name in squashed and len(squashed) <= len(name) + 10 for name in names)

    kept = [part for part in parts if not is_site(part)]
    if kept and len(kept) < len(parts):
        return _TITLE_SEPARATOR.findall(title)[0].join(kept) if len(kept) > 1 else kept[0]
    return title


_GENERIC_HOST_LABELS = frozenset({"www", "news", "blog", "blogs", "home", "amp", "mobile", "online"})


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


#: a block that names a section of page furniture rather than saying anything
_SECTION_LABEL = re.compile(
    r"\W*(?:you (?:may|might) also (?:like|enjoy)|more (?:from|on|about) .{1,40}|related(?: articles?| stories| "
    r"posts| coverage| content| links)?|read (?:also|more|next)|also read|recommended(?: for you| stories)?|"
    r"most (?:read|popular|viewed|shared)|trending(?: now| stories)?|more (?:stories|news|articles)|"
    r"also on .{1,40}|tell us what you think|leave a (?:comment|reply)|join the (?:conversation|discussion)|"
    r"comments?|tags?|topics?|share(?: this)?(?: article| story| post)?|follow us(?: on .{1,30})?)\W*",
    re.IGNORECASE,
)
#: short blocks that address the reader of a web page, not the listener
_PROMO = re.compile(
    r"\bclick(?:ing)? (?:here|the link|below)\b|\bto read the full (?:story|article)\b|\balready a subscriber\b|"
    r"\bsubscribe (?:now|today|here)\b|\bsign (?:in|up) to (?:continue|read)\b|©|\bcopyright\b|\ball rights reserved\b",
    re.IGNORECASE,
)
#: WordPress shortcodes a page printed unrendered: [button link="…"]…[/button]
_SHORTCODE = re.compile(r"\[(?:/[a-z_]+|[a-z_]+\s+[^\]]*=[^\]]*)\]", re.IGNORECASE)


def _strip_shortcodes(text: str) -> str:
    return clean_text(_SHORTCODE.sub(" ", text)) if "[" in text else text


_BYLINE_LINE = re.compile(r"^(?:by|written by|words by)\s+\S", re.IGNORECASE)


def _tidy(segments: list[Segment], title: str, byline: str | None, site_name: str | None) -> list[Segment]:
    """Drop what the extraction repeats: the headline, a byline line, pull quotes that
    repeat the body, and a block printed twice in a row. (Blocks repeated further apart
    stay: recipes and schedules repeat lines on purpose.)"""
    head = title.casefold()
    names = [name for name in (byline, site_name) if name]
    body_shingles: set[tuple[str, ...]] = set()
    for segment in segments:
        if segment.kind != "quote":
            body_shingles |= _shingles(segment.text)
    tidy: list[Segment] = []
    in_teasers = False
    for index, segment in enumerate(segments):
        text = _strip_shortcodes(segment.text)
        if not text:
            continue
        if text != segment.text:
            segment = dataclasses.replace(segment, text=text)
        key = text.casefold()
        if len(text) <= 60 and _SECTION_LABEL.fullmatch(text):
            # "You may also like..." and the headlines under it; "Comments", "Tags:"
            in_teasers = bool(_TEASER_LEAD.match(text)) or key.startswith(("you ", "more ", "also "))
            continue
        if in_teasers:
            if segment.kind in ("list_item", "heading") or (
                len(text) <= 150 and not text.endswith((".", "!", "?", '"', "”"))
            ):
                continue
            in_teasers = False
        if len(text) <= 200 and _PROMO.search(text):
            continue
        if key == head and (segment.kind == "heading" or index < 3):
            continue
        if index < 4 and len(text) <= 80 and _BYLINE_LINE.match(text) and not text.endswith((".", "!", "?")):
            continue
        edge = index < 4 or index >= len(segments) - 3
        if segment.kind == "paragraph" and _is_dateline(text, names, at_edge=edge):
            continue
        if segment.kind == "quote":
            shingles = _shingles(text)
            repeated = len(shingles & body_shingles)
            # 0.6, not 1: a pull quote often carries an attribution the body does not.
            if shingles and repeated >= 0.6 * len(shingles) and repeated >= 3:
                continue  # a pull quote: the body already says it
        if tidy and key == tidy[-1].text.casefold():
            continue  # printed twice in a row (a lead repeated as a standfirst, say)
        tidy.append(segment)
    return tidy


_DATE_WORDS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august "
    "september october november december mon tue wed thu fri sat sun monday tuesday wednesday thursday friday "
    "saturday sunday am pm a m p m at on by updated published posted last modified gmt utc est edt cet bst "
    "st nd rd th".split()
)


def _is_dateline(text: str, names: list[str], *, at_edge: bool) -> bool:
    """A line that only gives a date (and perhaps the author or site): "LinkNaija
    August 08, 2018", "Updated: 19 Nov 2019 14:05". Away from the start and end of the
    body only lines that say "updated"/"published"/"posted" or name the author count."""
    if len(text) > 80:
        return False
    rest = text.casefold()
    named = False
    for name in names:
        if name.casefold() in rest:
            rest, named = rest.replace(name.casefold(), " "), True
    words = re.findall(r"[^\W\d_]+|\d+", rest)
    if not words or not any(w.isdigit() and len(w) == 4 for w in words):
        return False
    if not all(w.isdigit() or w in _DATE_WORDS for w in words):
        return False
    return at_edge or named or any(w in ("updated", "published", "posted") for w in words)


def _shingles(text: str, size: int = 4) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i : i + size]) for i in range(max(0, len(words) - size + 1))}


def _segments_from_body(body: Any) -> Iterator[Segment]:
    """trafilatura's XML body (head, p, list/item, quote, table) → segments."""
    for line_break in body.iter("lb"):
        line_break.tail = " " + (line_break.tail or "")
    if body.text and body.text.strip():
        yield Segment("paragraph", clean_text(body.text))
    for element in body:
        yield from _element_segments(element)
        # trafilatura leaves text that follows a block, outside any element, as its tail
        tail = clean_text(element.tail or "")
        if tail:
            yield Segment("paragraph", tail)


def _element_segments(element: Any) -> Iterator[Segment]:
    tag = element.tag
    if tag == "head":
        text = _xml_text(element)
        rend = element.get("rend") or "h2"
        level = int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 2
        if text:
            yield Segment("heading", text, level=level)
    elif tag == "list":
        yield from _list_segments(element, 0)
    elif tag == "quote":
        text = _xml_text(element, " ")
        if text:
            yield Segment("quote", text)
    elif tag == "table":
        yield from _table_segments(element)
    elif tag in ("p", "div", "code"):
        text = _xml_text(element)
        if text:
            yield Segment("paragraph", text)


def _xml_text(element: Any, joiner: str = "") -> str:
    return clean_text(joiner.join(element.itertext()))


def _list_segments(element: Any, list_depth: int) -> Iterator[Segment]:
    ordered = element.get("rend") == "ol"
    position = 0
    for item in element:
        if item.tag != "item":
            continue
        position += 1
        nested = [child for child in item if child.tag == "list"]
        for child in nested:
            item.remove(child)
        text = _xml_text(item)
        if text:
            yield Segment("list_item", text, level=list_depth + 1, position=position, ordered=ordered)
        for child in nested:
            yield from _list_segments(child, list_depth + 1)


def _table_segments(element: Any) -> Iterator[Segment]:
    """One segment per row, with its cells; ``position`` counts rows from 1 and
    ``level`` is 1 for a header row, so the script stage can read the table as a table."""
    number = 0
    for row in element.iter("row"):
        cells = [_xml_text(cell) for cell in row if cell.tag == "cell"]
        if not any(cells):
            continue
        number += 1
        header = all(cell.get("role") == "head" for cell in row if cell.tag == "cell")
        yield Segment(
            "table",
            "; ".join(c for c in cells if c),
            level=1 if header else 0,
            position=number,
            cells=tuple(cells),
        )
