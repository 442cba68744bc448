"""Tags in every format (ID3v2.4, MP4, Vorbis comments): title, artist, album, date,
language, cover art, chapters, and the marks of AI narration (a comment and the IPTC
digital source type), written with mutagen."""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import Any

from audiogen.article import Narration
from audiogen.audio.encode import AudioFormat

log = logging.getLogger("audiogen")


DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


def ai_comment(narration: Narration) -> str:
    return (
        "AI-narrated: this audio was generated with AI assistance (text-to-speech) from the "
        f"written article, with the {narration.engine or 'unknown'} engine and the voice {narration.voice or 'unknown'}."
    )


def write_tags(narration: Narration, target: Path, audio_format: AudioFormat) -> None:
    if audio_format.name in ("mp3", "wav"):
        _tag_id3(narration, target, audio_format)
    elif audio_format.name == "m4a":
        _tag_mp4(narration, target)
    else:
        _tag_vorbis(narration, target, audio_format)


def _tag_id3(narration: Narration, target: Path, audio_format: AudioFormat) -> None:
    from mutagen import id3

    tags = id3.ID3()
    tags.add(id3.TIT2(encoding=3, text=narration.title))
    if narration.artist:
        tags.add(id3.TPE1(encoding=3, text=narration.artist))
    if narration.album:
        tags.add(id3.TALB(encoding=3, text=narration.album))
    if narration.language:
        tags.add(id3.TLAN(encoding=3, text=_iso639_2(narration.language)))
    if narration.published:
        tags.add(id3.TDRC(encoding=3, text=id3_timestamp(narration.published)))
    if narration.url:
        tags.add(id3.WOAS(url=narration.url))
    tags.add(id3.COMM(encoding=3, lang="eng", desc="", text=ai_comment(narration)))
    tags.add(id3.TXXX(encoding=3, desc="DIGITAL_SOURCE_TYPE", text=DIGITAL_SOURCE_TYPE))
    tags.add(id3.TXXX(encoding=3, desc="AI_NARRATION", text=f"{narration.engine}:{narration.voice}"))
    tags.add(id3.TSSE(encoding=3, text="audiogen"))
    cover = _cover(narration)
    if cover is not None:
        tags.add(id3.APIC(encoding=3, mime=cover[1], type=id3.PictureType.COVER_FRONT, desc="Cover", data=cover[0]))
    add_chapter_frames(tags, [(c.start_ms, c.end_ms, c.title) for c in narration.chapters])
    if audio_format.name == "wav":
        from mutagen.wave import WAVE

        wave = WAVE(str(target))
        wave.add_tags()
        assert wave.tags is not None
        for frame in tags.values():
            wave.tags.add(frame)
        wave.save()
    else:
        tags.save(str(target), v2_version=4)


def add_chapter_frames(tags: Any, chapters: list[tuple[int, int, str]]) -> None:
    """ID3 chapter frames (CHAP, one per chapter: start, end in ms and title) and their
    table of contents (CTOC) added to ``tags``."""
    from mutagen import id3

    chapter_ids = []
    for number, (start_ms, end_ms, title) in enumerate(chapters, start=1):
        element_id = f"chp{number}"
        chapter_ids.append(element_id)
        tags.add(
            id3.CHAP(
                element_id=element_id,
                start_time=start_ms,
                end_time=end_ms,
                sub_frames=[id3.TIT2(encoding=3, text=title)],
            )
        )
    if chapter_ids:
        tags.add(
            id3.CTOC(
                element_id="toc",
                flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
                child_element_ids=chapter_ids,
                sub_frames=[id3.TIT2(encoding=3, text="Chapters")],
            )
        )


def _tag_mp4(narration: Narration, target: Path) -> None:
    from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm

    mp4 = MP4(str(target))
    if mp4.tags is None:
        mp4.add_tags()
    assert mp4.tags is not None
    mp4.tags["\xa9nam"] = [narration.title]
    if narration.artist:
        mp4.tags["\xa9ART"] = [narration.artist]
    if narration.album:
        mp4.tags["\xa9alb"] = [narration.album]
    if narration.published:
        mp4.tags["\xa9day"] = [id3_timestamp(narration.published)]
    mp4.tags["\xa9cmt"] = [ai_comment(narration)]
    mp4.tags["\xa9too"] = ["audiogen"]
    if narration.language:
        mp4.tags["----:com.apple.iTunes:LANGUAGE"] = [MP4FreeForm(narration.language.encode())]
    if narration.url:
        mp4.tags["----:com.apple.iTunes:URL"] = [MP4FreeForm(narration.url.encode())]
    cover = _cover(narration)
    if cover is not None:
        kind = MP4Cover.FORMAT_PNG if cover[1] == "image/png" else MP4Cover.FORMAT_JPEG
        mp4.tags["covr"] = [MP4Cover(cover[0], imageformat=kind)]
    mp4.tags["----:com.apple.iTunes:DIGITAL_SOURCE_TYPE"] = [MP4FreeForm(DIGITAL_SOURCE_TYPE.encode())]
    mp4.tags["----:com.apple.iTunes:AI_NARRATION"] = [MP4FreeForm(f"{narration.engine}:{narration.voice}".encode())]
    mp4.save()


def _tag_vorbis(narration: Narration, target: Path, audio_format: AudioFormat) -> None:
    if audio_format.name == "flac":
        from mutagen.flac import FLAC as Container
    else:
        from mutagen.oggopus import OggOpus as Container  # type: ignore[assignment]
    audio = Container(str(target))
    if audio.tags is None:
        audio.add_tags()
    tags: Any = audio.tags
    tags["TITLE"] = narration.title
    for key, value in (
        ("ARTIST", narration.artist),
        ("ALBUM", narration.album),
        ("DATE", narration.published),
        ("LANGUAGE", narration.language),
        ("CONTACT", narration.url),
    ):
        if value:
            tags[key] = value
    tags["COMMENT"] = ai_comment(narration)
    tags["DIGITAL_SOURCE_TYPE"] = DIGITAL_SOURCE_TYPE
    tags["AI_NARRATION"] = f"{narration.engine}:{narration.voice}"
    tags["ENCODER"] = "audiogen"
    for number, chapter in enumerate(narration.chapters, start=1):
        tags[f"CHAPTER{number:03d}"] = clock(chapter.start_ms, ".")
        tags[f"CHAPTER{number:03d}NAME"] = chapter.title
    cover = _cover(narration)
    if cover is not None:
        picture = _picture(*cover)
        if audio_format.name == "flac":
            audio.add_picture(picture)
        else:
            tags["METADATA_BLOCK_PICTURE"] = base64.b64encode(picture.write()).decode("ascii")
    audio.save()


def _cover(narration: Narration) -> tuple[bytes, str] | None:
    """The cover image and its MIME type, when there is one in a format players show."""
    data = narration.cover
    if not data:
        return None
    kind = image_type(data)
    if kind is None:
        log.warning("the cover image is neither JPEG nor PNG; it is left out")
        return None
    return data, kind


def image_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _picture(data: bytes, mime: str) -> Any:
    from mutagen.flac import Picture

    picture = Picture()
    picture.type = 3  # front cover
    picture.mime = mime
    picture.desc = "Cover"
    picture.data = data
    return picture


def _iso639_2(language: str) -> str:
    """ID3 TLAN wants ISO 639-2 codes; the common ones are mapped, others kept."""
    code = language.split("-")[0].lower()
    return {
        "en": "eng",
        "de": "deu",
        "fr": "fra",
        "es": "spa",
        "it": "ita",
        "uk": "ukr",
        "ru": "rus",
        "pl": "pol",
        "nl": "nld",
        "pt": "por",
        "ja": "jpn",
        "zh": "zho",
    }.get(code, code)


def id3_timestamp(published: str) -> str:
    """An ISO 8601 date or date-time → the ID3v2.4 timestamp form (UTC, no zone):
    ``2025-02-21T02:15:00``. Anything else is passed through."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return published
    if len(published) == 10:
        return published
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def clock(ms: int, decimal: str = ".") -> str:
    """``ms`` as HH:MM:SS.mmm (the decimal mark is a comma in SRT)."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{decimal}{millis:03d}"
