"""The embeddable player: its one JavaScript file, the snippet that puts it on a page,
a demo page, and article pages marked so the player can follow along in them.

An episode is what ``convert`` wrote (``OUT.mp3`` with ``OUT.json``, ``OUT.vtt``…) or a
batch's episode folder; :func:`embed` copies what the page needs into a folder, writes
``audiogen-player.js`` beside it and gives the snippet to paste.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from audiogen.errors import EmbedError
from audiogen.files import copy_atomically, write_atomically

PLAYER_FILE = "audiogen-player.js"
DEMO_CSS = "audiogen-demo.css"
#: what the marked paragraphs and sentences are called on the page
SEGMENT_ATTRIBUTE = "data-audiogen-segment"
SENTENCE_ATTRIBUTE = "data-audiogen-sentence"


@dataclass(frozen=True)
class EpisodeFiles:
    """The files of one narration: the audio and its sidecars, and its timings."""

    audio: Path
    timings_file: Path
    timings: dict[str, Any]
    captions: Path | None
    chapters: Path | None


@dataclass
class Embedded:
    snippet: str
    written: list[Path] = field(default_factory=list)


def player_script() -> str:
    return resources.files(__package__).joinpath(PLAYER_FILE).read_text(encoding="utf-8")


def find_episode(path: str | Path) -> EpisodeFiles:
    """``path``: the audio file, its ``.json`` timings, or a folder holding one narration."""
    path = Path(path)
    if path.is_dir():
        candidates = [p for p in sorted(path.glob("*.json")) if _read_timings(p) is not None]
        if len(candidates) != 1:
            found = "no narration" if not candidates else f"{len(candidates)} narrations"
            raise EmbedError(f"{path} holds {found}", hint="give the audio file (e.g. article.mp3) itself")
        timings_file = candidates[0]
    elif path.suffix == ".json":
        timings_file = path
    elif path.exists():
        timings_file = path.with_suffix(".json")
    else:
        raise EmbedError(f"no such file or folder: {path}")
    timings = _read_timings(timings_file)
    if timings is None:
        raise EmbedError(
            f"{timings_file} is not the timings of an audiogen narration",
            hint="give the output of 'audiogen convert' (OUT.mp3 beside OUT.json)",
        )
    audio = timings_file.with_name(str(timings["audio"]))
    if not audio.is_file():
        raise EmbedError(f"the audio {audio} is missing")
    captions = timings_file.with_suffix(".vtt")
    chapters = timings_file.with_name(str(timings.get("chapters_file") or "")) if timings.get("chapters_file") else None
    return EpisodeFiles(
        audio=audio,
        timings_file=timings_file,
        timings=timings,
        captions=captions if captions.is_file() else None,
        chapters=chapters if chapters is not None and chapters.is_file() else None,
    )


def _read_timings(path: Path) -> dict[str, Any] | None:
    """The timings sidecar at ``path``, or ``None`` when it is not one. One that claims
    to be (it has the fields) but holds what no narration writes is an error: its
    values go into file names and pages."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not (isinstance(data, dict) and "audio" in data and "segments" in data and data.get("ai_generated") is True):
        return None
    problem = _timings_problem(data)
    if problem:
        raise EmbedError(
            f"{path} is not a valid timings file: {problem}",
            hint="convert the article again to write it anew",
        )
    return data


def _is_file_name(value: object) -> bool:
    """A plain file name beside the timings file: no folder, no way out of it."""
    return (
        isinstance(value, str)
        and value not in ("", ".", "..")
        and not any(mark in value for mark in ("/", "\\", "\x00"))
        and ":" not in value
    )


def _timings_problem(data: dict[str, Any]) -> str | None:
    if not _is_file_name(data["audio"]):
        return f"the audio file name {str(data['audio'])[:60]!r} is not a plain file name"
    chapters = data.get("chapters_file")
    if chapters is not None and not _is_file_name(chapters):
        return f"the chapters file name {str(chapters)[:60]!r} is not a plain file name"
    segments = data["segments"]
    if not isinstance(segments, list):
        return "its segments are not a list"
    for part in segments:
        if not isinstance(part, dict):
            return "a segment is not an object"
        segment = part.get("segment")
        if segment is not None and (not isinstance(segment, int) or isinstance(segment, bool) or segment < 0):
            return f"a segment number {str(segment)[:40]!r} is not a whole number"
        sentences = part.get("sentences", [])
        if not isinstance(sentences, list) or not all(
            isinstance(s, dict) and isinstance(s.get("text"), str) for s in sentences
        ):
            return "a segment's sentences are not texts"
        if not isinstance(part.get("kind", ""), str):
            return "a segment's kind is not a text"
    return None


def snippet(
    episode: EpisodeFiles,
    *,
    base_url: str | None = None,
    label: str | None = None,
    about: str | None = None,
    script_url: str | None = None,
    stats: tuple[str, str] | None = None,
    sponsor: str | None = None,
) -> str:
    """The HTML to paste into the article page. ``script_url``: where the player's
    script is served (default: beside the audio); ``stats``: (where to send listening
    events, the episode's id there), which turns the player's events on; ``sponsor``:
    where the player asks which sponsor spot to play (with ``stats``)."""
    attributes = player_attributes(episode, base_url=base_url, label=label, about=about, stats=stats, sponsor=sponsor)
    rendered = " ".join(f'{name}="{escape(value, quote=True)}"' for name, value in attributes.items())
    script = escape(script_url or _url(base_url, PLAYER_FILE), quote=True)
    return f'<script type="module" src="{script}"></script>\n<audiogen-player {rendered}></audiogen-player>'


def player_attributes(
    episode: EpisodeFiles,
    *,
    base_url: str | None = None,
    label: str | None = None,
    about: str | None = None,
    stats: tuple[str, str] | None = None,
    sponsor: str | None = None,
) -> dict[str, str]:
    """The ``<audiogen-player>`` element's attributes (unescaped), as ``snippet`` prints
    them; for a page that prints the element itself."""
    attributes = {"src": _url(base_url, episode.audio.name), "timings": _url(base_url, episode.timings_file.name)}
    if episode.captions is not None:
        attributes["transcript"] = _url(base_url, episode.captions.name)
    if label:
        attributes["label"] = label
    if about:
        attributes["about"] = about
    if stats is not None:
        attributes.update(stats=stats[0], episode=stats[1])
        if sponsor:
            attributes["sponsor"] = sponsor
    return attributes


def _url(base_url: str | None, name: str) -> str:
    return (base_url.rstrip("/") + "/" if base_url else "") + quote(name)


def embed(
    episode_path: str | Path,
    out: str | Path | None = None,
    *,
    base_url: str | None = None,
    demo: bool = False,
    annotate: str | Path | None = None,
    label: str | None = None,
    about: str | None = None,
) -> Embedded:
    """Write the player (and, when ``out`` is another folder, the episode's files) into
    ``out``; with ``demo``, a page with the article beside the player; with ``annotate``,
    a copy of that article page whose paragraphs are marked for following along."""
    if base_url is not None and urlsplit(base_url).scheme not in ("http", "https"):
        raise EmbedError(f"the base URL must be an absolute http(s) URL, not {base_url!r}")
    episode = find_episode(episode_path)
    folder = Path(out) if out is not None else episode.audio.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EmbedError(f"cannot write to {folder}: {exc.strerror or exc}") from None
    result = Embedded(snippet="")
    sources = [episode.audio, episode.timings_file, episode.captions, episode.chapters]
    for source in sources:
        if source is None:
            continue
        target = folder / source.name
        if not target.exists() or not os.path.samefile(source, target):
            copy_atomically(source, target, error=EmbedError)
            result.written.append(target)
    result.written.append(write_atomically(folder / PLAYER_FILE, player_script(), error=EmbedError))
    if episode.audio.parent != folder:
        episode = find_episode(folder / episode.timings_file.name)
    result.snippet = snippet(episode, base_url=base_url, label=label, about=about)
    if demo:
        result.written.append(write_atomically(folder / DEMO_CSS, _DEMO_STYLE, error=EmbedError))
        name = episode.timings_file.stem + ".demo.html"
        result.written.append(
            write_atomically(folder / name, demo_page(episode, label=label, about=about), error=EmbedError)
        )
    if annotate is not None:
        page = Path(annotate)
        try:
            html = page.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise EmbedError(f"cannot read {page}: {exc}") from None
        target = folder / page.name
        if target.resolve() == page.resolve():
            target = folder / f"{page.stem}.annotated{page.suffix}"
        result.written.append(write_atomically(target, annotate_page(html, episode.timings), error=EmbedError))
    return result


def embed_playlist(
    feed: str,
    out: str | Path,
    *,
    demo: bool = False,
    max_items: int = 20,
    section: str | None = None,
    script_url: str | None = None,
) -> Embedded:
    """The playlist of a podcast feed (``feed``: its URL, or a path to the feed file):
    writes the player's script into ``out`` and gives the snippet; with ``demo``, a page
    that plays it (``playlist.demo.html``, beside a copy of a local feed)."""
    if max_items < 1:
        raise EmbedError("a playlist shows at least one episode (--max)")
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EmbedError(f"cannot write to {folder}: {exc.strerror or exc}") from None
    result = Embedded(snippet="")
    source = feed
    if urlsplit(feed).scheme not in ("http", "https"):
        path = Path(feed)
        if not path.is_file():
            raise EmbedError(f"no feed at {feed}", hint="give the feed's URL or the path to its file")
        text = path.read_text(encoding="utf-8", errors="replace")
        if "<rss" not in text[:2000]:
            raise EmbedError(f"{feed} is not a podcast feed (RSS)")
        target = folder / path.name
        if not target.exists() or not os.path.samefile(path, target):
            copy_atomically(path, target, error=EmbedError)
            result.written.append(target)
        source = path.name
    result.written.append(write_atomically(folder / PLAYER_FILE, player_script(), error=EmbedError))
    attributes = [("src", source), ("max", str(max_items))] + ([("section", section)] if section else [])
    rendered = " ".join(f'{name}="{escape(value, quote=True)}"' for name, value in attributes)
    script = escape(script_url or PLAYER_FILE, quote=True)
    result.snippet = (
        f'<script type="module" src="{script}"></script>\n<audiogen-playlist {rendered}></audiogen-playlist>'
    )
    if demo:
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Playlist</title>'
            f'<link rel="stylesheet" href="{DEMO_CSS}"></head><body><main><h1>Listen</h1>'
            f"{result.snippet}</main></body></html>\n"
        )
        result.written.append(write_atomically(folder / DEMO_CSS, _DEMO_STYLE, error=EmbedError))
        result.written.append(write_atomically(folder / "playlist.demo.html", page, error=EmbedError))
    return result


# -- the demo page ------------------------------------------------------------------------

_TAGS = {"title": "h1", "heading": "h2", "quote": "blockquote", "list_item": "li"}


def demo_page(episode: EpisodeFiles, *, label: str | None = None, about: str | None = None) -> str:
    """A complete page: the article as narrated, every paragraph and sentence marked,
    with the player above it, under a strict Content-Security-Policy."""
    timings = episode.timings
    body: list[str] = []
    in_list = False
    for part in timings.get("segments", []):
        kind = part.get("kind")
        if kind in ("notice", "title"):
            continue
        tag = _TAGS.get(kind, "p")
        if tag == "li" and not in_list:
            body.append("<ul>")
            in_list = True
        elif tag != "li" and in_list:
            body.append("</ul>")
            in_list = False
        segment = part.get("segment")
        sentences = " ".join(
            f'<span {SENTENCE_ATTRIBUTE}="{escape(f"{segment}.{index}", quote=True)}">{escape(sentence["text"])}</span>'
            for index, sentence in enumerate(part.get("sentences", []))
        )
        marked = f' {SEGMENT_ATTRIBUTE}="{escape(str(segment), quote=True)}"' if segment is not None else ""
        body.append(f"<{tag}{marked}>{sentences}</{tag}>")
    if in_list:
        body.append("</ul>")
    title = escape(str(timings.get("title") or "Narrated article"))
    byline = " · ".join(escape(str(v)) for v in (timings.get("author"), timings.get("site_name")) if v)
    original = timings.get("url")
    link = (
        f'<p class="source"><a href="{escape(original, quote=True)}">Read the original article</a></p>'
        if isinstance(original, str) and original.startswith(("http://", "https://"))
        else ""
    )
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self'; connect-src 'self'; img-src 'self'"
    )
    return f"""<!doctype html>
<html lang="{escape(str(timings.get("language") or "en"), quote=True)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="color-scheme" content="light dark">
<title>{title}</title>
<link rel="stylesheet" href="{DEMO_CSS}">
<script type="module" src="{PLAYER_FILE}"></script>
</head>
<body>
<main id="article">
<h1>{title}</h1>
{f'<p class="byline">{byline}</p>' if byline else ""}
{snippet(episode, label=label, about=about).split(chr(10), 1)[1]}
<p class="audiogen-served-note" role="note">The player cannot start on a page opened from a file: serve this
folder over HTTP (for example, run <code>python -m http.server</code> in it) and open the page at
<code>http://localhost:8000/{escape(quote(episode.timings_file.stem + ".demo.html"))}</code>.</p>
{chr(10).join(body)}
{link}
</main>
</body>
</html>
"""


_DEMO_STYLE = """:root { color-scheme: light dark; --fg: #1a1a1a; --bg: #fdfdfc; --muted: #4a4a4a; --link: #1d4ed8; }
@media (prefers-color-scheme: dark) { :root { --fg: #f1f1f1; --bg: #15171a; --muted: #c8c8c8; --link: #93c5fd; } }
body { margin: 0; background: var(--bg); color: var(--fg); font: 18px/1.6 Georgia, "Times New Roman", serif; }
main { max-width: 42rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0.5rem 0; }
h2 { font-size: 1.35rem; margin-top: 2rem; }
.byline { color: var(--muted); font-family: system-ui, sans-serif; font-size: 0.95rem; }
audiogen-player { margin: 1.25rem 0 2rem; }
audiogen-player:defined + .audiogen-served-note { display: none; }
.audiogen-served-note { border: 2px solid currentColor; padding: 0.5rem 0.75rem; font-family: system-ui, sans-serif; }
a { color: var(--link); }
blockquote { margin: 1rem 0; padding-left: 1rem; border-left: 3px solid var(--muted); }
"""


# -- marking an article page --------------------------------------------------------------


def annotate_page(html: str, timings: dict[str, Any]) -> str:
    """``html`` with ``data-audiogen-segment`` on each element whose text is a narrated
    paragraph (matched by its words, in order), so the player can follow along in it."""
    from lxml import html as lxml_html

    root = lxml_html.document_fromstring(html)
    wanted = [
        (part["segment"], _words(" ".join(s["text"] for s in part["sentences"])))
        for part in timings.get("segments", [])
        if part.get("segment") is not None
    ]
    candidates = root.xpath(
        "//body//*[self::p or self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or self::li or self::blockquote or self::td or self::dd]"
    )
    position = 0
    for segment, words in wanted:
        if not words:
            continue
        for index in range(position, len(candidates)):
            element = candidates[index]
            if element.get(SEGMENT_ATTRIBUTE) is None and _words(element.text_content()) == words:
                element.set(SEGMENT_ATTRIBUTE, str(segment))
                position = index + 1
                break
    doctype = "<!doctype html>\n" if html.lstrip()[:9].lower() == "<!doctype" else ""
    text: str = lxml_html.tostring(root, encoding="unicode", method="html")
    return doctype + text


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))
