"""The pipeline in two calls: ``load`` (source → Article) and ``narrate`` (Article →
Narration). Each stage lives in its own module; this one only strings them together.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from audiogen.article import Article, Clip, Narration, Script
from audiogen.assemble import assemble
from audiogen.audio.pcm import check_audio_file
from audiogen.backends.base import SynthesisOptions
from audiogen.backends.registry import target_for
from audiogen.backends.worker import DEFAULT_TIMEOUT, EngineWorker
from audiogen.cache import ClipCache
from audiogen.errors import AudiogenError, ExtractionError, SourceError
from audiogen.export.tags import image_type
from audiogen.reading.decode import decode_document
from audiogen.reading.markdown import parse_markdown
from audiogen.reading.plaintext import parse_text
from audiogen.reading.webpage import parse
from audiogen.spoken import base_language
from audiogen.spoken.lexicon import build_lexicon
from audiogen.spoken.script import build_script, notice_for
from audiogen.voices import VoicePreset, resolve_voice, voice_for_article, voice_for_language

log = logging.getLogger("audiogen")

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_COVER_BYTES = 5 * 1024 * 1024
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


#: the English-speaking regions that write dates day first
DAY_FIRST_REGIONS = frozenset({"GB", "UK", "IE", "AU", "NZ", "IN", "ZA", "NG", "KE", "PK", "SG", "HK"})


def make_script(
    article: Article,
    voice: VoicePreset,
    *,
    notice: bool = True,
    notice_text: str | None = None,
    notice_position: str = "intro",
    lexicons: Sequence[str | Path] = (),
    date_order: str = "us",
    quote_voice: str | None = None,
) -> Script:
    """The script for ``voice``: its pauses, and the shipped, the voice's and the given
    pronunciation lexicons (later ones win). ``quote_voice`` (default: the preset's
    own) speaks block quotes and the direct speech attributed in sentences."""
    language = base_language(article.language or voice.language)
    lexicon = build_lexicon(language, [*voice.lexicons, *(Path(p) for p in lexicons)])
    region = (article.language or voice.language).replace("_", "-").upper().partition("-")[2]
    if date_order == "us" and language == "en" and region in DAY_FIRST_REGIONS:
        date_order = "day-first"  # 3/4/2025 is the 3rd of April in British, Irish, Indian… English
    if not region and language != "en" and base_language(voice.language) == language:
        # a Portuguese article that does not say where it is from, read by a Brazilian
        # voice: its numbers in Brazil's words
        region = voice.language.replace("_", "-").upper().partition("-")[2]
    script = build_script(
        article,
        voice.pauses,
        notice=(notice_text or notice_for(language)) if notice else None,
        notice_position=notice_position,
        language=f"{language}-{region}" if region else language,
        lexicon=lexicon,
        engine=voice.engine,
        date_order=date_order,
    )
    script = _with_voices(script, voice)
    script = _with_quotations_in_their_languages(script, voice)
    quote_voice = quote_voice or voice.quote_voice
    if quote_voice:
        script = _with_quote_voice(script, resolve_voice(quote_voice).name)
    return script


def _with_quote_voice(script: Script, voice: str) -> Script:
    """Block quotes, and the quoted words of sentences with attributed direct speech, in
    ``voice``; the attributions and everything else stay the narrator's (and parts
    already given a voice of their language keep it)."""
    from audiogen.spoken.quotes import split_quoted

    parts = []
    for part in script.parts:
        if part.voice or part.kind in ("notice", "title"):
            parts.append(part)
        elif part.kind == "quote":
            parts.append(replace(part, voice=voice))
        else:
            sentences = tuple(piece for sentence in part.sentences for piece in split_quoted(sentence, voice))
            parts.append(replace(part, sentences=sentences))
    return replace(script, parts=parts)


#: the fewest words a quotation in the narration's script is judged to be in another
#: language from (a paragraph needs more: ``SAME_SCRIPT_WORDS``)
QUOTATION_WORDS = 5


def _with_quotations_in_their_languages(script: Script, narrator: VoicePreset) -> Script:
    """Attributed quotations in another language than their sentence's, in a voice for
    theirs (normalized in its rules), or left out with a line in the log and a caption
    note where none is installed; the attribution stays the narrator's."""
    from audiogen.spoken import normalize
    from audiogen.spoken.language import foreign_language
    from audiogen.spoken.quotes import split_speech

    unread: list[tuple[int | None, str]] = []
    parts = []
    for part in script.parts:
        if part.kind in ("notice", "title"):
            parts.append(part)
            continue
        own = part.language or (script.language if not part.voice else "")
        if not own:
            parts.append(part)
            continue
        where = f"{part.kind.replace('_', ' ')} {(part.segment_index or 0) + 1}"

        def choose(
            display: str, said: str, own: str = own, where: str = where, segment: int | None = part.segment_index
        ) -> tuple[str, str] | None:
            quoted = display.strip(' "“”„«»,.;:!?')
            other = foreign_language(quoted, own, min_words=QUOTATION_WORDS)
            if other is None or other == "und":
                return None
            preset = voice_for_language(other)
            if preset is None or base_language(preset.language) == base_language(narrator.language):
                log.warning(
                    "a quotation in %s is in another language (%s) and no voice for it is installed: it is not read",
                    where,
                    other,
                )
                unread.append((segment, other))
                return ("", "")
            log.info("a quotation in %s is in another language (%s): read by %s", where, other, preset.label)
            return (preset.name, normalize(display, other))

        sentences = tuple(piece for sentence in part.sentences for piece in split_speech(sentence, choose))
        parts.append(replace(part, sentences=sentences))
    if not unread and all(a.sentences == b.sentences for a, b in zip(parts, script.parts, strict=True)):
        return script
    return replace(script, parts=[p for p in parts if p.sentences], unread=[*script.unread, *unread])


def respeak(script: Script, respoken: Mapping[int, str]) -> Script:
    """``script`` with the spoken words of the sentences in ``respoken`` replaced."""
    parts = []
    index = 0
    for part in script.parts:
        sentences = []
        for sentence in part.sentences:
            words = respoken.get(index)
            sentences.append(replace(sentence, spoken=words) if words and words.strip() else sentence)
            index += 1
        parts.append(replace(part, sentences=tuple(sentences)))
    return replace(script, parts=parts)


def _with_voices(script: Script, narrator: VoicePreset) -> Script:
    """Each part in another language given a voice for it, or left out (with a line in
    the log) where none is installed; an error when nothing speakable is left."""
    parts = []
    skipped: list[str] = []
    unread: list[tuple[int | None, str]] = []
    for part in script.parts:
        if part.language is None or base_language(part.language) == base_language(narrator.language):
            parts.append(part)
            continue
        preset = voice_for_language(part.language)
        where = "the title" if part.segment_index is None else f"{part.kind.replace('_', ' ')} {part.segment_index + 1}"
        if preset is None:
            log.warning(
                "%s is in another language (%s) and no voice for it is installed: it is not read", where, part.language
            )
            skipped.append(part.language)
            unread.append((part.segment_index, part.language))
            continue
        log.info("%s is in another language (%s): read by %s", where, part.language, preset.label)
        parts.append(replace(part, voice=preset.name))
    if not any(part.segment_index is not None for part in parts):
        if skipped:
            raise ExtractionError(
                f"no speakable text: the article is in another language ({', '.join(sorted(set(skipped)))}) "
                "and no voice for it is installed",
                hint="choose a voice in its language with --voice",
            )
        raise ExtractionError(
            "no speakable text: the article has no words a voice can say (only symbols, emoji or marks)",
            hint="'audiogen extract' shows what was found",
        )
    return replace(script, parts=parts, unread=[*script.unread, *unread])


def narrate(
    article: Article,
    voice: str | VoicePreset | None = None,
    *,
    notice: bool = True,
    notice_text: str | None = None,
    notice_position: str = "intro",
    lexicons: Sequence[str | Path] = (),
    date_order: str = "us",
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    worker: EngineWorker | None = None,
    cache: ClipCache | bool = True,
    word_timings: bool = False,
    intro: str | Path | None = None,
    outro: str | Path | None = None,
    music: str | Path | None = None,
    music_level_db: float = -20.0,
    cover: bytes | None = None,
    on_audio: Callable[[Any, int], None] | None = None,
    on_block: Callable[[int], None] | None = None,
    respoken: Mapping[int, str] | None = None,
    quote_voice: str | None = None,
) -> Narration:
    """Speak ``article`` with ``voice`` (a preset name, preset file or ``engine:voice``).

    Sentences already in the clip ``cache`` (``True``: the user cache; ``False``: none)
    are not synthesized again. The engine runs in a worker process, started only when a
    sentence is missing from the cache; pass a started ``worker`` to reuse one (or to let
    its model load while the article is still being fetched). ``intro``, ``outro`` and
    ``music`` are audio files placed before, after and under the speech; ``on_audio``
    is given every piece of the narration (samples, sample rate) as it is laid down,
    and ``on_block`` every place between paragraphs where it may be cut into blocks
    encoded on their own (``Narration.blocks``). ``respoken`` gives other words to say
    for some sentences (by their index in the script, from 0): a proof-listening repair
    tries them; the text shown for the sentence stays as written. ``quote_voice``: the
    voice of quotations (see ``make_script``)."""
    if isinstance(voice, VoicePreset):
        preset = voice
    else:
        preset = resolve_voice(voice) if voice is not None else voice_for_article(article.language)
    for path, what in ((intro, "intro file"), (outro, "outro file"), (music, "music file")):
        if path is not None:
            check_audio_file(path, what=what)  # before any speech is synthesized
    script = make_script(
        article,
        preset,
        notice=notice,
        notice_text=notice_text,
        notice_position=notice_position,
        lexicons=lexicons,
        date_order=date_order,
        quote_voice=quote_voice,
    )
    if respoken:
        script = respeak(script, respoken)
    clip_cache = ClipCache() if cache is True else cache or None
    # the narrator, a voice for each part in another language, and the quotations' voice
    spoken = [(sentence.spoken, sentence.voice or part.voice) for part in script.parts for sentence in part.sentences]
    voices = {"": preset} | {key: resolve_voice(key) for _, key in spoken if key}
    engines = {key: _Engine(choice, timeout, worker if key == "" else None) for key, choice in voices.items()}
    try:
        clips = _clips(spoken, voices, word_timings, clip_cache, engines)

        def counted() -> Iterator[Clip]:
            for done, clip in enumerate(clips, start=1):
                if progress is not None:
                    progress(done, len(spoken))
                yield clip

        narration = assemble(
            script,
            counted(),
            intro=intro,
            outro=outro,
            music=music,
            music_level_db=music_level_db,
            on_audio=on_audio,
            on_block=on_block,
            measure=on_audio is None,
        )
    finally:
        for key, engine in engines.items():
            if key or worker is None:  # a worker given by the caller stays the caller's
                engine.close()
    synthesized = sum(engine.synthesized for engine in engines.values())
    if clip_cache is not None:
        # only a run that added entries can have pushed the cache over its cap; the
        # scan reads every entry's size, which a large cache makes costly
        evicted = clip_cache.evict() if clip_cache.misses else 0
        log.debug(
            "clip cache: %d hits, %d misses, %d damaged entries replaced, %d evicted",
            clip_cache.hits,
            clip_cache.misses,
            clip_cache.discarded,
            evicted,
        )
    notices = [p for p in script.parts if p.kind == "notice"]
    return replace(
        narration,
        artist=article.byline or article.site_name,
        album=article.site_name,
        language=article.language or preset.language,
        url=article.url,
        published=article.published,
        engine=preset.engine,
        voice=preset.voice,
        notice=notices[0].sentences[0].display if notices else None,
        source_hash=article.source_hash,
        cover=cover,
        image_url=article.image,
        cache=clip_cache if clip_cache is not None else False,
        sentences_synthesized=synthesized,
        sentences_cached=len(spoken) - synthesized,
        unread=list(script.unread),
    )


class _Engine:
    """The worker, started on first use (a fully cached narration needs none)."""

    def __init__(self, preset: VoicePreset, timeout: float, worker: EngineWorker | None) -> None:
        self.preset, self.timeout, self.worker = preset, timeout, worker
        self.synthesized = 0

    def synthesize(self, sentences: list[str], options: SynthesisOptions) -> Iterator[Clip]:
        """Ask for the clips now (the engine works while the caller goes on); read them later."""
        if self.worker is None:
            self.worker = start_worker(self.preset, timeout=self.timeout)
        return self._counted(self.worker.synthesize(sentences, options))

    def _counted(self, clips: Iterator[Clip]) -> Iterator[Clip]:
        for clip in clips:
            self.synthesized += 1
            yield clip

    def synthesize_alone(self, sentence: str, options: SynthesisOptions) -> Clip:
        """One sentence from a worker of its own, while the main one is busy with a request."""
        with start_worker(self.preset, timeout=self.timeout) as worker:
            clip = next(iter(worker.synthesize([sentence], options)))
        self.synthesized += 1
        return clip

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()


def _clips(
    spoken: list[tuple[str, str]],
    voices: dict[str, VoicePreset],
    word_timings: bool,
    cache: ClipCache | None,
    engines: dict[str, _Engine],
) -> Iterator[Clip]:
    """One clip per (sentence, voice key), in order: from the cache where it has them,
    otherwise from that voice's engine. Every missing sentence is asked for at the
    start, one request per voice, so the engines speak the edited paragraphs while the
    cached ones before them are assembled. A sentence said more than once in a voice is
    spoken once and its clip used again (as the cache would on the next run: the same
    words always sound the same)."""
    options = {
        key: SynthesisOptions(voice=preset.voice, speed=preset.speed, word_timings=word_timings)
        for key, preset in voices.items()
    }
    settings = {key: {"speed": o.speed, "word_timings": o.word_timings} for key, o in options.items()}
    keys = (
        [ClipCache.key(voices[voice].engine, options[voice].voice, settings[voice], text) for text, voice in spoken]
        if cache
        else []
    )
    present = [cache.contains(key) for key in keys] if cache else [False] * len(spoken)
    # each missing sentence once per voice, in order, with how often it is said
    uses_left = Counter(said for said, here in zip(spoken, present, strict=True) if not here)
    fresh = {
        key: engines[key].synthesize([text for text, voice in uses_left if voice == key], options[key])
        for key in voices
        if any(voice == key for _, voice in uses_left)
    }
    spoken_now: dict[tuple[str, str], Clip] = {}  # clips said again later, until their last use
    for index, said in enumerate(spoken):
        text, voice = said
        source = f"{voices[voice].engine}:{options[voice].voice}"
        if present[index]:
            assert cache is not None
            clip = cache.get(keys[index], text)
            if clip is None:
                # damaged (or removed by another process) since it was listed: the main
                # worker is busy with the request above, so a second one speaks it
                clip = engines[voice].synthesize_alone(text, options[voice])
                cache.put(keys[index], clip)
            clip.source = source
            yield clip
            continue
        uses_left[said] -= 1
        if said in spoken_now:
            again = spoken_now[said] if uses_left[said] else spoken_now.pop(said)
            yield replace(again)
            continue
        clip = next(fresh[voice])
        if cache is not None:
            cache.misses += 1
            cache.put(keys[index], clip)
        if uses_left[said]:
            spoken_now[said] = clip
        yield clip


def find_cover(article: Article, source: str | Path, *, allow_private: bool = False) -> bytes | None:
    """The article's lead image as cover art: fetched when the article came from the web,
    read from disk when a local page points to a file beside it. ``None`` (with a
    warning in the log) when it cannot be had; the narration does not depend on it."""
    image = article.image
    if not image:
        return None
    data: bytes | None = None
    try:
        if image.startswith(("http://", "https://")):
            if not str(source).startswith(("http://", "https://")):
                return None  # a saved page: do not reach out to the web for its picture
            from audiogen.fetch import fetch_url

            data = fetch_url(image, allow_private=allow_private, max_bytes=MAX_COVER_BYTES, accept="image/*").body
        elif "://" not in image and str(source) != "-" and not str(source).startswith(("http://", "https://")):
            path = _beside(Path(source), image)
            if path is None:
                log.warning("no cover art: %s is not a file beside the page", image[:80])
                return None
            if path.is_file() and path.stat().st_size <= MAX_COVER_BYTES:
                data = path.read_bytes()
    except (AudiogenError, OSError) as exc:
        log.warning("no cover art: cannot get %s: %s", image, getattr(exc, "message", exc))
        return None
    if data is not None and image_type(data) is None:
        log.warning("no cover art: %s is not a JPEG or PNG image", image)
        return None
    return data


def _beside(page: Path, reference: str) -> Path | None:
    """The file a saved page's relative ``reference`` names, when it lies in the page's
    folder or below it; ``None`` for an absolute path or one that leads elsewhere (a
    page must not be able to make audiogen read and publish any file on the machine)."""
    name = reference.split("?", 1)[0].split("#", 1)[0]
    if not name or name.startswith(("/", "\\")) or Path(name).is_absolute() or ":" in name:
        return None
    folder = page.parent.resolve()
    path = (folder / name).resolve()
    return path if path.is_relative_to(folder) else None


def read_cover(path: str | Path) -> bytes:
    """A cover image given by the user: a JPEG or PNG file, or a clear error."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the cover image {path}: {exc.strerror or exc}") from None
    if image_type(data) is None:
        raise SourceError(f"the cover image {path.name} is not a JPEG or PNG file")
    return data


def start_worker(preset: VoicePreset, *, timeout: float = DEFAULT_TIMEOUT) -> EngineWorker:
    """Start (without waiting for) a worker process for the preset's engine."""
    return EngineWorker(preset.engine, target_for(preset.engine), timeout=timeout, voice=preset.voice).start()
