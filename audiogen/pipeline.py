"""The pipeline in two calls: ``load`` (source → Article) and ``narrate`` (Article →
Narration). Each stage lives in its own module; this one only strings them together.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from audiogen.article import Article, Narration, Script
from audiogen.assemble import assemble
from audiogen.backends.base import SynthesisOptions
from audiogen.backends.registry import target_for
from audiogen.backends.worker import DEFAULT_TIMEOUT, EngineWorker
from audiogen.errors import SourceError
from audiogen.extract import decode_document, parse, parse_markdown, parse_text
from audiogen.normalize import base_language
from audiogen.normalize.lexicon import build_lexicon
from audiogen.normalize.script import DEFAULT_NOTICE, build_script
from audiogen.voices import VoicePreset, resolve_voice

log = logging.getLogger("audiogen")

MAX_FILE_BYTES = 20 * 1024 * 1024
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
_TEXT_SUFFIXES = {".txt", ".text"}

#: called after each sentence is spoken with (sentences done, sentences in all)
Progress = Callable[[int, int], None]


def load(source: str | Path, *, allow_private: bool = False) -> Article:
    """A file path, an http(s) URL, or ``"-"`` (stdin) → ``Article``."""
    text_source = str(source)
    if text_source.startswith(("http://", "https://")):
        from audiogen.fetch import fetch_url

        fetched = fetch_url(text_source, allow_private=allow_private)
        text = decode_document(fetched.body, charset=fetched.charset, where=fetched.url)
        return _parse_as(text, fetched.content_type, fetched.url, url=fetched.url)
    if text_source == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        where = "standard input"
        suffix = ""
    else:
        path = Path(text_source)
        where = str(path)
        suffix = path.suffix.lower()
        if "://" in text_source:
            raise SourceError(f"cannot read {text_source}", hint="give a file, an http(s) URL, or - for standard input")
        if not path.exists():
            raise SourceError(f"no such file: {path}", hint="check the path, or give an http(s) URL")
        if path.is_dir():
            raise SourceError(
                f"{path} is a folder, not an article", hint="give one file; 'audiogen batch' takes folders"
            )
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"{where} is larger than {MAX_FILE_BYTES // 2**20} MB", hint="is it really one article?")
    if not data.strip():
        raise SourceError(f"{where} is empty", hint="give a file with the article's text")
    text = decode_document(data, where=where)
    if suffix in _MARKDOWN_SUFFIXES:
        kind = "text/markdown"
    elif suffix in _TEXT_SUFFIXES:
        kind = "text/plain"
    else:
        kind = "text/html" if suffix in (".html", ".htm", ".xhtml") or _looks_like_html(text) else "text/plain"
    return _parse_as(text, kind, where)


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1024].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<p>" in head or "<div" in head


def _parse_as(text: str, content_type: str, where: str, url: str | None = None) -> Article:
    if content_type in ("text/markdown", "text/x-markdown"):
        return parse_markdown(text, where)
    if content_type == "text/plain":
        return parse_text(text, where)
    return parse(text, url=url) if url else _parse_file_html(text, where)


def _parse_file_html(text: str, where: str) -> Article:
    from audiogen.errors import ExtractionError

    try:
        return parse(text)
    except ExtractionError as exc:
        raise ExtractionError(exc.message.replace("the page", where), hint=exc.hint) from None


def make_script(
    article: Article,
    voice: VoicePreset,
    *,
    notice: bool = True,
    notice_text: str | None = None,
    lexicons: Sequence[str | Path] = (),
    date_order: str = "us",
) -> Script:
    """The script for ``voice``: its pauses, and the shipped, the voice's and the given
    pronunciation lexicons (later ones win)."""
    language = base_language(article.language or voice.language)
    lexicon = build_lexicon(language, [*voice.lexicons, *(Path(p) for p in lexicons)])
    return build_script(
        article,
        voice.pauses,
        notice=(notice_text or DEFAULT_NOTICE) if notice else None,
        language=language,
        lexicon=lexicon,
        engine=voice.engine,
        date_order=date_order,
    )


def narrate(
    article: Article,
    voice: str | VoicePreset | None = None,
    *,
    notice: bool = True,
    notice_text: str | None = None,
    lexicons: Sequence[str | Path] = (),
    date_order: str = "us",
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    worker: EngineWorker | None = None,
) -> Narration:
    """Speak ``article`` with ``voice`` (a preset name, preset file or ``engine:voice``).

    The engine runs in a worker process; pass a started ``worker`` to reuse one (or to
    let its model load while the article is still being fetched)."""
    preset = voice if isinstance(voice, VoicePreset) else resolve_voice(voice)
    script = make_script(
        article, preset, notice=notice, notice_text=notice_text, lexicons=lexicons, date_order=date_order
    )
    own_worker = worker is None
    if worker is None:
        worker = start_worker(preset, timeout=timeout)
    try:
        spoken = [sentence.spoken for _, _, sentence in script.sentences()]
        total = len(spoken)
        clips = worker.synthesize(spoken, SynthesisOptions(voice=preset.voice, speed=preset.speed))

        def counted() -> object:
            for done, clip in enumerate(clips, start=1):
                if progress is not None:
                    progress(done, total)
                yield clip

        narration = assemble(script, counted())  # type: ignore[arg-type]
    finally:
        if own_worker:
            worker.close()
    notice_spoken = script.parts[0].sentences[0].display if script.parts and script.parts[0].kind == "notice" else None
    return replace(
        narration,
        artist=article.byline or article.site_name,
        album=article.site_name,
        language=article.language or preset.language,
        url=article.url,
        published=article.published,
        engine=preset.engine,
        voice=preset.voice,
        notice=notice_spoken,
        source_hash=article.source_hash,
    )


def start_worker(preset: VoicePreset, *, timeout: float = DEFAULT_TIMEOUT) -> EngineWorker:
    """Start (without waiting for) a worker process for the preset's engine."""
    return EngineWorker(preset.engine, target_for(preset.engine), timeout=timeout, voice=preset.voice).start()
