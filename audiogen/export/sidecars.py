"""The files beside the audio: WebVTT (and SRT) captions, the JSON timings a player follows
along with, and the Podcasting 2.0 chapters file."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path
from typing import Any

from audiogen.article import Narration
from audiogen.audio.encode import AudioFormat
from audiogen.audio.master import (
    MasteringReport,
)
from audiogen.export.tags import DIGITAL_SOURCE_TYPE, clock

log = logging.getLogger("audiogen")


CAPTION_LINE_CHARS = 65


def sidecar_paths(path: Path) -> dict[str, Path]:
    stem = path.with_suffix("")
    return {
        "vtt": path.with_suffix(".vtt"),
        "srt": path.with_suffix(".srt"),
        "json": path.with_suffix(".json"),
        "chapters": stem.with_name(stem.name + ".chapters.json"),
    }


def _escape_cue(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(narration: Narration) -> str:
    """One cue per sentence with the text as written, lines of at most 65 characters; a
    sentence in a voice other than the narrator's (a quotation) opens with its voice
    span, ``<v NAME>``, naming the voice."""
    lines = ["WEBVTT", ""]
    unread = sorted(narration.unread, key=lambda item: -1 if item[0] is None else item[0])
    for number, cue in enumerate(narration.cues, start=1):
        while unread and cue.segment_index is not None and (unread[0][0] is None or unread[0][0] < cue.segment_index):
            lines += [_unread_note(*unread.pop(0)), ""]
        lines.append(str(number))
        lines.append(f"{clock(cue.start_ms)} --> {clock(cue.end_ms)}")
        text = [
            _escape_cue(line) for line in textwrap.wrap(cue.text, CAPTION_LINE_CHARS, break_on_hyphens=False) or ["…"]
        ]
        if cue.voice:
            text[0] = f"<v {_escape_cue(cue.voice).replace('>', '')}>{text[0]}"
        lines.extend(text)
        lines.append("")
    lines += [line for item in unread for line in (_unread_note(*item), "")]
    return "\n".join(lines)


def _unread_note(segment: int | None, language: str) -> str:
    """A WebVTT comment where a part was left unread: no voice for its language."""
    what = "The title" if segment is None else f"Paragraph {segment + 1}"
    return f"NOTE {what} is in another language ({language}) and was not read: no voice for it is installed."


def _srt_clock(ms: int) -> str:
    return clock(ms, ",")


def subrip(narration: Narration) -> str:
    """SubRip captions: the same cues as the WebVTT file, numbered, comma decimals."""
    blocks = []
    for number, cue in enumerate(narration.cues, start=1):
        lines = textwrap.wrap(cue.text, CAPTION_LINE_CHARS, break_on_hyphens=False) or ["…"]
        blocks.append(f"{number}\n{_srt_clock(cue.start_ms)} --> {_srt_clock(cue.end_ms)}\n" + "\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def podcast_chapters(narration: Narration) -> dict[str, Any]:
    """Podcasting 2.0 JSON chapters (``application/json+chapters``), start times ascending."""
    chapters = [
        {"startTime": chapter.start_ms / 1000, "endTime": chapter.end_ms / 1000, "title": chapter.title}
        for chapter in sorted(narration.chapters, key=lambda c: c.start_ms)
    ]
    out: dict[str, Any] = {"version": "1.2.0", "chapters": chapters}
    if narration.title:
        out["title"] = narration.title
    if narration.album:
        out["podcastName"] = narration.album
    return out


def timings(
    narration: Narration,
    path: Path,
    audio_format: AudioFormat,
    report: MasteringReport | None = None,
    chapters_file: str | None = None,
) -> dict[str, Any]:
    """The timing sidecar: every sentence with its part, segment and times (and words,
    when the engine aligned them), the chapters, and how the loudness was set."""
    parts: list[dict[str, Any]] = []
    for cue in narration.cues:
        if not parts or parts[-1]["part"] != cue.part_index:
            parts.append({"part": cue.part_index, "kind": cue.kind, "segment": cue.segment_index, "sentences": []})
        sentence: dict[str, Any] = {"start_ms": cue.start_ms, "end_ms": cue.end_ms, "text": cue.text}
        if cue.voice:
            sentence["voice"] = cue.voice
        if cue.words:
            sentence["words"] = [{"start_ms": w.start_ms, "end_ms": w.end_ms, "text": w.text} for w in cue.words]
        parts[-1]["sentences"].append(sentence)
    for part in parts:
        part["start_ms"] = part["sentences"][0]["start_ms"]
        part["end_ms"] = part["sentences"][-1]["end_ms"]
    data: dict[str, Any] = {
        "version": 1,
        "title": narration.title,
        "author": narration.artist,
        "site_name": narration.album,
        "url": narration.url,
        "published": narration.published,
        "language": narration.language,
        "image": narration.image_url,
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
        "chapters_file": chapters_file,
        "chapters": [{"start_ms": c.start_ms, "end_ms": c.end_ms, "title": c.title} for c in narration.chapters],
        "segments": parts,
    }
    if report is not None:
        data["loudness"] = {
            "integrated_lufs": report.output_lufs,
            "true_peak_dbtp": report.true_peak_dbtp,
            "gain_db": report.gain_db,
            "limited": report.limited,
        }
    return data
