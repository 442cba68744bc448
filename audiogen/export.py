"""Narration → files: the audio (MP3, M4A, Ogg Opus, WAV or FLAC) with tags, chapters and
the AI-narration marks, plus ``.vtt`` captions and ``.json`` timings next to it.

Encoding goes through pydub with the ffmpeg binary shipped by imageio-ffmpeg; tags are
written with mutagen. Every file is first written under a temporary name in the target
folder and renamed only when all of them are complete, so a failure leaves nothing
half-written and never clobbers an earlier good output.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audiogen.article import Narration
from audiogen.errors import ExportError

log = logging.getLogger("audiogen")

DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
CAPTION_LINE_CHARS = 65


@dataclass(frozen=True)
class AudioFormat:
    name: str
    suffix: str
    ffmpeg_format: str
    codec: str | None
    bitrate: str | None
    mime: str


FORMATS = {
    "mp3": AudioFormat("mp3", ".mp3", "mp3", "libmp3lame", "64k", "audio/mpeg"),
    "m4a": AudioFormat("m4a", ".m4a", "ipod", "aac", "64k", "audio/mp4"),
    "ogg": AudioFormat("ogg", ".ogg", "ogg", "libopus", "48k", "audio/ogg"),
    "wav": AudioFormat("wav", ".wav", "wav", None, None, "audio/wav"),
    "flac": AudioFormat("flac", ".flac", "flac", "flac", None, "audio/flac"),
}


def format_for(path: Path, format: str | None) -> AudioFormat:
    name = (format or path.suffix.lstrip(".") or "mp3").lower()
    name = {"opus": "ogg", "mp4": "m4a", "aac": "m4a"}.get(name, name)
    if name not in FORMATS:
        raise ExportError(
            f"unknown audio format '{name}' for {path.name}",
            hint=f"use one of: {', '.join(FORMATS)} (--format or the file's extension)",
        )
    return FORMATS[name]


def sidecar_paths(path: Path) -> dict[str, Path]:
    return {"vtt": path.with_suffix(".vtt"), "json": path.with_suffix(".json")}


def export_narration(
    narration: Narration, path: Path, *, format: str | None = None, sidecars: bool = True
) -> list[Path]:
    """Write the audio to ``path`` (and ``.vtt`` + ``.json`` beside it); return the paths."""
    audio_format = format_for(path, format)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: folder {folder} does not exist", hint="create it or choose another -o")
    if narration.samples.size == 0:
        raise ExportError("the narration has no audio to write")
    targets: dict[Path, Path] = {}
    try:
        audio_tmp = _temp_path(folder, path.name)
        targets[audio_tmp] = path
        _encode(narration, audio_tmp, audio_format)
        _tag(narration, audio_tmp, audio_format)
        if sidecars:
            sides = sidecar_paths(path)
            vtt_tmp = _temp_path(folder, sides["vtt"].name)
            targets[vtt_tmp] = sides["vtt"]
            vtt_tmp.write_text(webvtt(narration), encoding="utf-8")
            json_tmp = _temp_path(folder, sides["json"].name)
            targets[json_tmp] = sides["json"]
            json_tmp.write_text(
                json.dumps(timings(narration, path, audio_format), ensure_ascii=False, indent=1), encoding="utf-8"
            )
        # Sidecars first, audio last: a reader that sees the audio sees its captions too.
        for tmp, final in sorted(targets.items(), key=lambda item: item[1] == path):
            os.replace(tmp, final)
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        for tmp in targets:
            tmp.unlink(missing_ok=True)
    return list(targets.values())


def _temp_path(folder: Path, name: str) -> Path:
    handle, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    os.close(handle)
    # mkstemp makes the file private; outputs get the usual mode for new files.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return Path(tmp)


# -- audio --------------------------------------------------------------------------


def _audio_segment_class() -> Any:
    import imageio_ffmpeg

    with warnings.catch_warnings():
        # pydub looks for a system ffmpeg at import and warns; we give it ours below.
        # Python 3.11's audioop (used by pydub) warns of its removal in 3.13.
        warnings.simplefilter("ignore")
        from pydub import AudioSegment
    AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
    return AudioSegment


def _encode(narration: Narration, target: Path, audio_format: AudioFormat) -> None:
    audio_segment = _audio_segment_class()
    audio = audio_segment(
        data=narration.samples.tobytes(), sample_width=2, frame_rate=narration.sample_rate, channels=1
    )
    parameters = ["-ac", "1"]
    if audio_format.name == "ogg":
        parameters += ["-application", "voip"]
    try:
        handle = audio.export(
            str(target),
            format=audio_format.ffmpeg_format,
            codec=audio_format.codec,
            bitrate=audio_format.bitrate,
            parameters=parameters,
        )
        handle.close()
    except Exception as exc:  # pydub raises CouldntEncodeError with ffmpeg's whole log
        detail = str(exc).strip().splitlines()
        raise ExportError(
            f"encoding {audio_format.name} failed: {detail[-1] if detail else type(exc).__name__}"
        ) from None
    if target.stat().st_size == 0:
        raise ExportError(f"encoding {audio_format.name} produced an empty file")


# -- tags ---------------------------------------------------------------------------


def ai_comment(narration: Narration) -> str:
    return (
        "AI-narrated: this audio was generated with AI assistance (text-to-speech) from the "
        f"written article, with the {narration.engine or 'unknown'} engine and the voice {narration.voice or 'unknown'}."
    )


def _tag(narration: Narration, target: Path, audio_format: AudioFormat) -> None:
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
    chapter_ids = []
    for number, chapter in enumerate(narration.chapters, start=1):
        element_id = f"chp{number}"
        chapter_ids.append(element_id)
        tags.add(
            id3.CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                sub_frames=[id3.TIT2(encoding=3, text=chapter.title)],
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


def _tag_mp4(narration: Narration, target: Path) -> None:
    from mutagen.mp4 import MP4, MP4FreeForm

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
    for number, chapter in enumerate(narration.chapters, start=1):
        tags[f"CHAPTER{number:03d}"] = _clock(chapter.start_ms, ".")
        tags[f"CHAPTER{number:03d}NAME"] = chapter.title
    audio.save()


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


# -- captions and timings -----------------------------------------------------------


def _clock(ms: int, decimal: str = ".") -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{decimal}{millis:03d}"


def _escape_cue(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(narration: Narration) -> str:
    """One cue per sentence with the text as written, lines of at most 65 characters."""
    lines = ["WEBVTT", ""]
    for number, cue in enumerate(narration.cues, start=1):
        lines.append(str(number))
        lines.append(f"{_clock(cue.start_ms)} --> {_clock(cue.end_ms)}")
        lines.extend(
            _escape_cue(line) for line in textwrap.wrap(cue.text, CAPTION_LINE_CHARS, break_on_hyphens=False) or ["…"]
        )
        lines.append("")
    return "\n".join(lines)


def timings(narration: Narration, path: Path, audio_format: AudioFormat) -> dict[str, Any]:
    """The timing sidecar: every sentence with its part, segment and times, and chapters."""
    parts: list[dict[str, Any]] = []
    for cue in narration.cues:
        if not parts or parts[-1]["part"] != cue.part_index:
            parts.append({"part": cue.part_index, "kind": cue.kind, "segment": cue.segment_index, "sentences": []})
        parts[-1]["sentences"].append({"start_ms": cue.start_ms, "end_ms": cue.end_ms, "text": cue.text})
    for part in parts:
        part["start_ms"] = part["sentences"][0]["start_ms"]
        part["end_ms"] = part["sentences"][-1]["end_ms"]
    return {
        "version": 1,
        "title": narration.title,
        "author": narration.artist,
        "site_name": narration.album,
        "url": narration.url,
        "published": narration.published,
        "language": narration.language,
        "audio": path.name,
        "mime_type": audio_format.mime,
        "duration_ms": narration.duration_ms,
        "sample_rate": narration.sample_rate,
        "engine": narration.engine,
        "voice": narration.voice,
        "ai_generated": True,
        "ai_notice": narration.notice,
        "digital_source_type": DIGITAL_SOURCE_TYPE,
        "source_hash": narration.source_hash,
        "chapters": [{"start_ms": c.start_ms, "end_ms": c.end_ms, "title": c.title} for c in narration.chapters],
        "segments": parts,
    }


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
