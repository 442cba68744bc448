"""Episodes → a podcast RSS feed that Apple Podcasts and Podcasting 2.0 apps accept.

feedgen writes RSS 2.0 with the iTunes tags; what it lacks is added to its tree here:
the Podcasting 2.0 namespace (``podcast:guid``, ``podcast:locked``, ``podcast:transcript``,
``podcast:chapters``), ``itunes:explicit`` as Apple now spells it (true/false) and
``itunes:type``. Every text is cleaned of what XML 1.0 cannot hold (control
characters, lone surrogates) before it goes in; escaping is left to the XML library.
"""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from audiogen.errors import FeedError
from audiogen.files import write_atomically
from audiogen.reading.clean import remove_unsafe

log = logging.getLogger("audiogen")

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
#: the namespace of ``podcast:guid``'s UUIDv5, from the Podcasting 2.0 specification
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
#: episodes' guids: a namespace of audiogen's own, so the same article has the same guid everywhere
EPISODE_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://audiogen.invalid/episode")
MAX_DESCRIPTION_BYTES = 4000
COVER_NAME = "cover.png"
COVER_SIZE = 3000
AI_STATEMENT = "This episode is an AI-generated narration of the article"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Episode:
    """One item of the feed: a narrated article and where its files are served."""

    title: str
    audio_url: str
    audio_bytes: int
    mime_type: str
    duration_s: float
    guid: str
    published: datetime | None = None
    #: the article the episode narrates
    link: str | None = None
    description: str = ""
    author: str | None = None
    image_url: str | None = None
    #: WebVTT captions
    transcript_url: str | None = None
    #: Podcasting 2.0 JSON chapters
    chapters_url: str | None = None
    language: str | None = None
    #: the site's section (an item's <category>: a playlist shows one section's episodes)
    section: str | None = None


@dataclass(frozen=True)
class Channel:
    """The podcast itself."""

    title: str
    link: str
    #: where the feed will be served (``atom:link rel="self"``, and the podcast guid)
    feed_url: str
    description: str = ""
    language: str = "en"
    image_url: str | None = None
    author: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    category: str = "News"
    subcategory: str | None = None
    explicit: bool = False
    locked: bool = True
    #: ``podcast:guid``; by default the UUIDv5 the specification derives from ``feed_url``
    guid: str | None = None
    max_items: int | None = None


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 guid of a feed: UUIDv5 of its URL without the scheme and
    trailing slashes."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def episode_guid(key: str) -> str:
    """A guid for the episode of the article ``key`` that never changes between runs."""
    return f"urn:uuid:{uuid.uuid5(EPISODE_GUID_NAMESPACE, key)}"


def clean(text: str | None) -> str:
    """``text`` without what XML 1.0 cannot carry, nor terminal and bidi controls."""
    return remove_unsafe(_NOT_XML.sub("", text or ""))


def check_absolute(url: str, what: str = "base URL") -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedError(
            f"the {what} must be an absolute http(s) URL, not {url!r}", hint="e.g. https://example.com/audio/"
        )
    return url


def build_feed(episodes: Iterable[Episode], channel: Channel) -> str:
    """The RSS 2.0 feed (as a string) of ``episodes``, newest first."""
    from feedgen.feed import FeedGenerator
    from lxml import etree

    check_absolute(channel.feed_url, "feed URL")
    check_absolute(channel.link, "podcast's link")
    items = sorted(episodes, key=lambda e: (e.published or datetime.min.replace(tzinfo=UTC), e.guid), reverse=True)
    if channel.max_items is not None:
        items = items[: channel.max_items]
    if not channel.title.strip():
        raise FeedError("the podcast needs a title", hint="pass --title")

    feed = FeedGenerator()
    feed.load_extension("podcast")
    feed.title(clean(channel.title))
    feed.link(href=channel.feed_url, rel="self")
    feed.link(href=channel.link, rel="alternate")
    feed.description(_limit_bytes(clean(channel.description) or clean(channel.title), MAX_DESCRIPTION_BYTES))
    feed.language(channel.language)
    feed.generator("audiogen")
    if items and items[0].published is not None:
        feed.lastBuildDate(items[0].published)  # the same feed for the same episodes
    podcast: Any = feed.podcast
    podcast.itunes_summary(_limit_bytes(clean(channel.description) or clean(channel.title), MAX_DESCRIPTION_BYTES))
    if channel.author:
        podcast.itunes_author(clean(channel.author))
    owner_name = clean(channel.owner_name or channel.author or channel.title)
    if channel.owner_email:
        podcast.itunes_owner(name=owner_name, email=clean(channel.owner_email))
    if channel.subcategory:
        podcast.itunes_category(channel.category, channel.subcategory)
    else:
        podcast.itunes_category(channel.category)
    if channel.image_url:
        check_absolute(channel.image_url, "cover image URL")
        podcast.itunes_image(channel.image_url)
        feed.image(url=channel.image_url, title=clean(channel.title), link=channel.link)
    podcast.itunes_explicit("no")  # rewritten below as Apple spells it now

    # feedgen lists entries in the order they were added, newest first as added last
    for episode in reversed(items):
        entry = feed.add_entry()
        entry.title(clean(episode.title) or "Untitled")
        entry.guid(episode.guid, permalink=False)
        check_absolute(episode.audio_url, "audio URL")
        entry.enclosure(episode.audio_url, str(int(episode.audio_bytes)), episode.mime_type)
        if episode.published is not None:
            entry.pubDate(episode.published)
        if episode.link:
            entry.link(href=episode.link)
        if episode.section:
            entry.category(term=clean(episode.section))
        entry.description(item_description(episode))
        entry_podcast: Any = entry.podcast
        entry_podcast.itunes_duration(round(episode.duration_s))
        if episode.author:
            entry_podcast.itunes_author(clean(episode.author))
        if episode.image_url and _usable_image(episode.image_url):
            entry_podcast.itunes_image(episode.image_url)
    root = etree.fromstring(feed.rss_str(pretty=False))
    _podcasting_2(root, items, channel, owner_name)
    etree.cleanup_namespaces(root, top_nsmap={"podcast": PODCAST_NS, "itunes": ITUNES_NS})
    text: str = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")
    return text


def item_description(episode: Episode) -> str:
    """The item's description: the article's own, then what the episode is and where
    the article is (HTML, as podcast apps show it)."""
    parts = []
    title = escape(clean(episode.title))
    statement = f"{AI_STATEMENT} “{title}”"
    if episode.author:
        statement += f" by {escape(clean(episode.author))}"
    statement += "."
    if episode.link:
        statement += f' Read the original: <a href="{escape(episode.link, quote=True)}">{escape(episode.link)}</a>'
    parts.append(f"<p>{statement}</p>")
    if episode.description:
        # the article's own text goes first, cut to what the item has room for (Apple
        # reads at most 4,000 bytes); escaping can lengthen it, so it is cut to fit
        room = MAX_DESCRIPTION_BYTES - len(parts[0].encode("utf-8")) - len("<p></p>")
        budget = room
        while budget > 0:
            text = escape(_limit_bytes(clean(episode.description), budget))
            excess = len(text.encode("utf-8")) - room
            if excess <= 0:
                parts.insert(0, f"<p>{text}</p>")
                break
            budget -= excess
    return "".join(parts)


def _podcasting_2(root: Any, items: Sequence[Episode], channel: Channel, owner_name: str) -> None:
    from lxml import etree

    channel_element = root.find("channel")
    first_item = channel_element.find("item")

    def sub(parent: Any, namespace: str, name: str, text: str | None = None, **attributes: str) -> Any:
        element = etree.Element(f"{{{namespace}}}{name}", {k: v for k, v in attributes.items() if v})
        if parent is channel_element and first_item is not None:
            first_item.addprevious(element)  # the channel's own tags before its items
        else:
            parent.append(element)
        if text is not None:
            element.text = text
        return element

    for old in channel_element.findall(f"{{{ITUNES_NS}}}explicit"):
        channel_element.remove(old)
    sub(channel_element, ITUNES_NS, "explicit", "true" if channel.explicit else "false")
    sub(channel_element, ITUNES_NS, "type", "episodic")
    if not channel.owner_email:
        owner = sub(channel_element, ITUNES_NS, "owner")
        sub(owner, ITUNES_NS, "name", owner_name)
    sub(channel_element, PODCAST_NS, "guid", channel.guid or podcast_guid(channel.feed_url))
    sub(
        channel_element,
        PODCAST_NS,
        "locked",
        "yes" if channel.locked else "no",
        owner=clean(channel.owner_email or ""),
    )
    by_guid = {episode.guid: episode for episode in items}
    for item in channel_element.findall("item"):
        episode = by_guid.get(item.findtext("guid") or "")
        if episode is None:
            continue
        sub(item, ITUNES_NS, "explicit", "true" if channel.explicit else "false")
        if episode.transcript_url:
            sub(
                item,
                PODCAST_NS,
                "transcript",
                url=episode.transcript_url,
                type="text/vtt",
                rel="captions",
                language=episode.language or channel.language,
            )
        if episode.chapters_url:
            sub(item, PODCAST_NS, "chapters", url=episode.chapters_url, type="application/json+chapters")


def _usable_image(url: str) -> bool:
    """Apple takes episode art only as a JPEG or PNG URL."""
    path = urlsplit(url).path.lower()
    return url.startswith(("http://", "https://")) and path.endswith((".jpg", ".jpeg", ".png"))


def _limit_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[: limit - 3].decode("utf-8", "ignore")
    cut = cut.rsplit(" ", 1)[0] if " " in cut[-80:] else cut
    return cut.rstrip() + "…"


# -- episodes of a batch's output folder ------------------------------------------------


def episodes_from_folder(folder: str | Path, base_url: str) -> tuple[list[Episode], dict[str, Any]]:
    """The episodes a batch wrote into ``folder``, served under ``base_url``; and what
    the channel can be given by default (the most common site, author and language)."""
    from audiogen.publish.episodes import MANIFEST

    folder = Path(folder)
    check_absolute(base_url)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise FeedError(f"{folder} has no {MANIFEST}", hint="give the output folder of 'audiogen batch'")
    try:
        records = json.loads(manifest_path.read_text(encoding="utf-8"))["items"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FeedError(f"cannot read {manifest_path}: {exc}") from None
    return episodes_from_records(folder, records, base_url)


def episodes_from_records(
    folder: str | Path, records: Mapping[str, Mapping[str, Any]], base_url: str
) -> tuple[list[Episode], dict[str, Any]]:
    """The episodes of ``records`` (key → an item's record) whose folders are in
    ``folder``, served under ``base_url``; and what the channel can be given by default
    (the most common site, author and language)."""
    from collections import Counter

    check_absolute(base_url)
    base = base_url.rstrip("/") + "/"
    episodes: list[Episode] = []
    sites: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    for key, record in sorted(records.items()):
        if record.get("status") != "done" or not record.get("episode"):
            continue
        found = episode_from_record(folder, record, key, base)
        if found is None:
            continue
        episode, meta = found
        episodes.append(episode)
        for counter, value in (
            (sites, meta.get("site_name")),
            (languages, meta.get("language")),
            (authors, meta.get("byline")),
        ):
            if value:
                counter[value] += 1
    defaults = {
        "site_name": sites.most_common(1)[0][0] if sites else None,
        "language": languages.most_common(1)[0][0] if languages else "en",
        "author": authors.most_common(1)[0][0] if len(authors) == 1 else None,
    }
    return episodes, defaults


def episode_from_record(
    folder: str | Path, record: Mapping[str, Any], key: str, base_url: str
) -> tuple[Episode, dict[str, Any]] | None:
    """The feed item of one episode folder under ``folder`` (a batch's or the service's),
    from its record (``episode``, ``audio``, ``canonical``, ``title``, ``first_done``) and
    the files it holds; with the article's metadata. ``None``, logged, when its files
    cannot be read."""
    from audiogen.publish.episodes import EPISODE_RECORD

    base = base_url.rstrip("/") + "/"
    episode_folder = Path(folder) / record["episode"]
    try:
        meta = json.loads((episode_folder / EPISODE_RECORD).read_text(encoding="utf-8"))["article"]
        audio = episode_folder / record["audio"]
        timings = json.loads(audio.with_suffix(".json").read_text(encoding="utf-8"))
        # (a copy of an episode kept in object storage has no audio here: its size is recorded)
        size = audio.stat().st_size if audio.exists() or "bytes" not in record else int(record["bytes"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("episode %s left out of the feed: %s", record.get("episode"), exc)
        return None
    url = base + quote(record["episode"]) + "/"
    chapters = timings.get("chapters_file")
    vtt = audio.with_suffix(".vtt")
    episode = Episode(
        title=meta.get("title") or record.get("title") or "Untitled",
        audio_url=url + quote(audio.name),
        audio_bytes=size,
        mime_type=timings.get("mime_type") or "audio/mpeg",
        duration_s=timings["duration_ms"] / 1000,
        guid=episode_guid(record.get("canonical") or key),
        published=_published(meta.get("published"), record.get("first_done")),
        link=meta.get("url") if str(meta.get("url") or "").startswith(("http://", "https://")) else None,
        description=meta.get("description") or "",
        author=meta.get("byline"),
        image_url=meta.get("image"),
        transcript_url=url + quote(vtt.name) if vtt.is_file() else None,
        chapters_url=url + quote(chapters) if chapters and (episode_folder / chapters).is_file() else None,
        language=meta.get("language"),
        section=record.get("section") or meta.get("section"),
    )
    return episode, meta


def _published(published: str | None, first_done: str | None) -> datetime | None:
    """The article's date (a date alone is taken as noon UTC), else when it was first narrated."""
    for text in (published, first_done):
        if not text:
            continue
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            continue
        if len(text) == 10:
            moment = moment.replace(hour=12)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def make_channel(
    settings: Mapping[str, Any], base_url: str, feed_url: str, defaults: Mapping[str, Any], folder: Path
) -> Channel:
    """The channel of a feed served under ``base_url`` from ``folder``: what ``settings``
    say (the feed options by name: title, author, owner_email…), else what the episodes
    share (``defaults``), else the folder's name; a cover made from the title is
    written into ``folder`` when no image is given."""
    base = base_url.rstrip("/") + "/"
    title = settings.get("title") or defaults.get("site_name") or folder.resolve().name
    image = settings.get("image")
    if not image:
        default_cover(title, folder / COVER_NAME)
        image = base + COVER_NAME
    description = settings.get("description") or (
        f"Articles from {title}, read aloud. Every episode is an AI-generated narration of a published article."
    )
    return Channel(
        title=title,
        link=settings.get("link") or base,
        feed_url=feed_url,
        description=description,
        language=defaults.get("language") or "en",
        image_url=image,
        author=settings.get("author") or defaults.get("author") or title,
        owner_name=settings.get("owner_name"),
        owner_email=settings.get("owner_email"),
        category=settings.get("category") or "News",
        subcategory=settings.get("subcategory"),
        explicit=bool(settings.get("explicit")),
        locked=settings.get("locked", True),
        max_items=settings.get("max_items"),
    )


def default_cover(name: str, path: str | Path, size: int = COVER_SIZE) -> Path:
    """A square PNG cover with ``name`` on it, in a colour of its own (the same name
    always gives the same picture): for podcasts whose site gave no artwork."""
    import colorsys
    import hashlib

    from PIL import Image, ImageDraw, ImageFont

    digest = hashlib.sha256(name.encode()).digest()
    # dark enough for white text to pass WCAG AA at any hue
    red, green, blue = (int(c * 255) for c in colorsys.hls_to_rgb(digest[0] / 255, 0.28, 0.55))
    image = Image.new("RGB", (size, size), (red, green, blue))
    draw = ImageDraw.Draw(image)
    words = clean(name).split() or ["Podcast"]
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + len(word) < 14:
            lines[-1] += " " + word
        else:
            lines.append(word)
    lines = lines[:4]
    font_size = size // 9
    font = ImageFont.load_default(size=font_size)
    widest = max(draw.textlength(line, font=font) for line in lines)
    if widest > size * 0.84:
        font_size = int(font_size * size * 0.84 / widest)
        font = ImageFont.load_default(size=font_size)
    line_height = int(font_size * 1.25)
    top = (size - line_height * len(lines)) // 2 - size // 20
    for index, line in enumerate(lines):
        width = draw.textlength(line, font=font)
        draw.text(((size - width) / 2, top + index * line_height), line, font=font, fill=(255, 255, 255))
    label_font = ImageFont.load_default(size=size // 28)
    label = "AI-narrated articles"
    width = draw.textlength(label, font=label_font)
    draw.text(((size - width) / 2, size * 0.8), label, font=label_font, fill=(235, 235, 235))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return write_atomically(Path(path), buffer.getvalue())
