"""One article, start to finish: ``convert(source, target, options)``.

Load the article, find its cover art, narrate it and write the files, the way the
``convert`` command and every item of a batch do. When this article was narrated in
this voice before, the mastering gain that brought it to the loudness target then is
remembered beside the clip cache (``LevelMemory``), and the audio is mastered and
encoded while it is assembled instead of after: a re-narration of an edited article
then costs little more than the sentences that changed. A streamed file that misses
the target is thrown away and exported the usual way.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from audiogen.article import Article, Narration
from audiogen.errors import ExportError

if TYPE_CHECKING:
    from audiogen.audio.master import MasteringReport
    from audiogen.backends.worker import EngineWorker
    from audiogen.cache import LevelMemory
    from audiogen.export import ExportResult
    from audiogen.export.stream import StreamingExport
    from audiogen.voices import VoicePreset

log = logging.getLogger("audiogen")

#: called after each sentence is spoken with (sentences done, sentences in all)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ConvertOptions:
    """Everything that decides how an article is narrated and written."""

    voice: str | None = None
    #: the audio format; ``None``: from the target's extension, else mp3
    audio_format: str | None = None
    notice: bool = True
    notice_position: str = "intro"
    notice_text: str | None = None
    lexicons: tuple[str, ...] = ()
    date_order: str = "us"
    loudness: float = -16.0
    true_peak: float = -1.0
    bitrate: str | None = None
    vbr: bool = False
    srt: bool = False
    word_timings: bool = False
    #: look for the article's lead image as cover art
    cover: bool = True
    #: a cover image file (JPEG or PNG), used instead of the lead image
    cover_image: str | None = None
    intro: str | None = None
    outro: str | None = None
    music: str | None = None
    music_level_db: float = -20.0
    #: the artist tag when the article names no author and no site
    artist: str | None = None
    cache: bool = True
    timeout: float = 60.0
    allow_private: bool = False
    #: the voice of block quotes and attributed direct speech (default: the preset's)
    quote_voice: str | None = None
    #: the article's language (``es``, ``en-GB``), over what the document says or seems
    language: str | None = None


@dataclass
class ConvertResult:
    """What ``convert`` did: the narration, the files written (the audio first; none
    when the audio went to a stream), and what was reused."""

    narration: Narration
    paths: list[Path] = field(default_factory=list)
    #: the audio was mastered and encoded while the narration was assembled
    streamed: bool = False
    mp3_blocks_encoded: int | None = None
    mp3_blocks_cached: int | None = None

    @property
    def sentences_synthesized(self) -> int:
        return self.narration.sentences_synthesized

    @property
    def sentences_cached(self) -> int:
        return self.narration.sentences_cached


def convert(
    source: str | Path | Article,
    target: str | Path | IO[bytes] | None = None,
    options: ConvertOptions | None = None,
    *,
    worker: EngineWorker | None = None,
    progress: Progress | None = None,
    origin: str | Path | None = None,
    respoken: Mapping[int, str] | None = None,
) -> ConvertResult:
    """Narrate ``source`` (a path, an http(s) URL, ``"-"`` for standard input, or an
    ``Article``) into ``target``: a file path (with captions, timings and chapters
    beside it), a binary stream (the audio alone), or ``None`` for ``<title-slug>.mp3``
    in the current folder. ``worker``: a started engine for the options' voice (its
    model may load while the article is fetched); it is left running for the caller.
    ``origin``: where an ``Article`` given as ``source`` was read from (its lead image is
    looked up from there). ``respoken``: other words for some sentences (see
    ``pipeline.narrate``)."""
    from audiogen.audio.encode import format_for, normalize_bitrate
    from audiogen.audio.pcm import check_audio_file
    from audiogen.export import check_target
    from audiogen.langid import preload
    from audiogen.pipeline import find_cover, load, read_cover
    from audiogen.voices import resolve_voice

    preload()  # the script asks each paragraph's language; the model unpacks meanwhile
    options = options or ConvertOptions()
    preset = resolve_voice(options.voice)
    if options.notice_text is not None and not options.notice_text.strip():
        raise ExportError("the notice text is empty", hint="leave the notice out instead (--no-notice)")
    options = replace(options, bitrate=normalize_bitrate(options.bitrate))
    stream = target if target is not None and not isinstance(target, (str, Path)) else None
    path = Path(target) if isinstance(target, (str, Path)) else None
    if path is not None:
        format_for(path, options.audio_format)
        check_target(path)
    for file, what in ((options.intro, "intro file"), (options.outro, "outro file"), (options.music, "music file")):
        if file is not None:
            check_audio_file(file, what=what)
    cover = read_cover(options.cover_image) if options.cover_image and options.cover else None
    article = source if isinstance(source, Article) else load(source, allow_private=options.allow_private)
    if options.language:
        article = replace(article, language=options.language)
    if options.voice is None:
        from audiogen.voices import voice_for_article

        chosen = voice_for_article(article.language)
        if chosen.name != preset.name:
            log.info("the article is in %s: read by %s", article.language, chosen.label)
            preset = chosen
            worker = None  # one started for the default voice does not speak this one
    if path is None and stream is None:
        path = Path(f"{slugify(article.title)}.{options.audio_format or 'mp3'}")
    origin = source if not isinstance(source, Article) else origin
    if cover is None and options.cover and origin is not None:
        cover = find_cover(article, origin, allow_private=options.allow_private)
    memory, memory_key, streaming = _streaming_export(options, preset, article, path)
    narration = _narrate(options, preset, article, cover, streaming, worker, progress, respoken)
    if not narration.artist and options.artist:
        narration.artist = options.artist
    result = ConvertResult(narration)
    encoded: tuple[Path, MasteringReport] | None = None
    if streaming is not None:
        report = streaming.finish() if not narration.spans and narration.music is None else None
        if report is not None and streaming.tmp is not None:
            encoded = (streaming.tmp, report)
            result.streamed = True
            if streaming.writer is not None:
                result.mp3_blocks_encoded, result.mp3_blocks_cached = streaming.writer.encoded, streaming.writer.hits
            log.info("encoded while assembling, at the remembered gain (%.2f LUFS)", report.output_lufs)
        elif streaming.tmp is not None:
            streaming.discard()
    if stream is not None:
        _export_to_stream(narration, stream, options)
        return result
    assert path is not None
    written = _export(narration, path, options, encoded)
    result.paths = written.paths
    if not result.streamed:
        result.mp3_blocks_encoded, result.mp3_blocks_cached = written.blocks_encoded, written.blocks_cached
    if memory is not None and written.kept_gain_db is not None:
        memory.put(memory_key, written.kept_gain_db)
        room = written.report.extra_room_db if written.report is not None else 0.0
        memory.put(memory_key + ROOM_KEY, room)  # the codec's overshoot, learned
        memory.put_spots(memory_key + SPOTS_KEY, written.report.spots if written.report is not None else ())
    return result


def slugify(title: str, limit: int = 80) -> str:
    """A file name from a title: ASCII letters and digits joined by hyphens."""
    import re
    import unicodedata

    title = re.sub(r"['\u2019]", "", title)  # "can't" → "cant", not "can-t"
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:limit].rstrip("-") or "narration"


#: beside an article's remembered gain: the room its decoded peaks needed beyond the usual
ROOM_KEY = ":room"
#: and the places held lower than the rest, where its decoded peaks overshot there only
SPOTS_KEY = ":spots"


def _streaming_export(
    options: ConvertOptions, preset: VoicePreset, article: Article, path: Path | None
) -> tuple[LevelMemory | None, str, StreamingExport | None]:
    """The level memory and this narration's key in it, and, when the article was
    narrated in this voice before, an exporter that encodes while it is assembled."""
    from audiogen.audio.encode import ExportOptions, format_for
    from audiogen.audio.master import LoudnessTarget
    from audiogen.cache import ClipCache, LevelMemory
    from audiogen.export.stream import StreamingExport

    if not options.cache or path is None:
        return None, "", None
    memory = LevelMemory()
    audio_format = format_for(path, options.audio_format)
    key = LevelMemory.key(
        preset.engine,
        preset.voice,
        preset.speed,
        options.loudness,
        options.true_peak,
        audio_format.name,
        article.url or article.title,
    )
    gain = memory.get(key)
    if gain is None or audio_format.name == "m4a" or options.intro or options.outro or options.music:
        return memory, key, None
    export = ExportOptions(
        loudness=LoudnessTarget(options.loudness, options.true_peak),
        bitrate=options.bitrate,
        vbr=options.vbr,
        blocks=ClipCache(),
    )
    room = memory.get(key + ROOM_KEY) or 0.0
    spots = memory.get_spots(key + SPOTS_KEY)
    return memory, key, StreamingExport(path, audio_format, export, gain, extra_room_db=room, spots=spots)


def _narrate(
    options: ConvertOptions,
    preset: VoicePreset,
    article: Article,
    cover: bytes | None,
    streaming: StreamingExport | None,
    worker: EngineWorker | None,
    progress: Progress | None,
    respoken: Mapping[int, str] | None = None,
) -> Narration:
    from audiogen.pipeline import narrate

    try:
        return narrate(
            article,
            preset,
            notice=options.notice,
            notice_text=options.notice_text,
            notice_position=options.notice_position,
            lexicons=options.lexicons,
            date_order=options.date_order,
            timeout=options.timeout,
            progress=progress,
            worker=worker,
            cache=options.cache,
            word_timings=options.word_timings,
            intro=options.intro,
            outro=options.outro,
            music=options.music,
            music_level_db=options.music_level_db,
            cover=cover,
            on_audio=streaming.feed if streaming is not None else None,
            on_block=streaming.block if streaming is not None else None,
            respoken=respoken,
            quote_voice=options.quote_voice,
        )
    except BaseException:
        if streaming is not None:
            streaming.discard()
        raise


def _export(
    narration: Narration,
    path: Path,
    options: ConvertOptions,
    encoded: tuple[Path, MasteringReport] | None,
    *,
    sidecars: bool = True,
) -> ExportResult:
    from audiogen.audio.mp3splice import MemoryBlocks
    from audiogen.export import export_files

    return export_files(
        narration,
        path,
        format=options.audio_format,
        sidecars=sidecars,
        srt=options.srt,
        encoded=encoded,
        cache=True if options.cache else MemoryBlocks(),  # (without the cache: blocks for this export only)
        loudness=options.loudness,
        true_peak=options.true_peak,
        bitrate=options.bitrate,
        vbr=options.vbr,
    )


def _export_to_stream(narration: Narration, stream: IO[bytes], options: ConvertOptions) -> None:
    """The audio alone, written whole to ``stream`` (formats like MP3 with chapters need
    a file to seek in, so it is made in a temporary folder first)."""
    with tempfile.TemporaryDirectory(prefix="audiogen-") as folder:
        path = Path(folder) / f"narration.{options.audio_format or 'mp3'}"
        _export(narration, path, options, None, sidecars=False)
        try:
            with path.open("rb") as audio:
                shutil.copyfileobj(audio, stream)
            stream.flush()
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            raise ExportError(f"cannot write the audio to the output stream: {exc.strerror or exc}") from None
