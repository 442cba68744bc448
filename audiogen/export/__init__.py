"""Narration → files: the audio (MP3, M4A, Ogg Opus, WAV or FLAC) at a loudness target,
with tags, cover art, chapters and the AI-narration marks, plus ``.vtt`` captions,
``.json`` timings, ``.chapters.json`` (Podcasting 2.0) and, on request, ``.srt`` next to it.

The mix is mastered in chunks and piped into the ffmpeg binary shipped by imageio-ffmpeg
(nothing from the system); tags are written with mutagen. Every file is first written under a temporary name in the target
folder and renamed only when all of them are complete, so a failure leaves nothing
half-written and never clobbers an earlier good output.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audiogen.article import Narration
from audiogen.audio.encode import AudioFormat, ExportOptions, encode_narration, format_for, normalize_bitrate
from audiogen.audio.master import LoudnessTarget, Mastering, MasteringReport
from audiogen.audio.mp3splice import BlockStore, SplicedWriter
from audiogen.errors import ExportError
from audiogen.export.sidecars import podcast_chapters, sidecar_paths, subrip, timings, webvtt
from audiogen.export.tags import write_tags
from audiogen.files import remove_stale_parts, temp_part

log = logging.getLogger("audiogen")


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the files (the audio first), how the loudness came out, the
    mastering gain a re-narration should start from, and the MP3 blocks encoded and
    reused (``None`` when the file was not encoded block by block)."""

    paths: list[Path]
    report: MasteringReport | None = None
    kept_gain_db: float | None = None
    blocks_encoded: int | None = None
    blocks_cached: int | None = None


def export_narration(narration: Narration, path: Path, **options: Any) -> list[Path]:
    """Write the audio to ``path`` and its sidecars beside it; the paths written, the
    audio first. ``options`` are those of :func:`export_files`."""
    return export_files(narration, path, **options).paths


def export_files(
    narration: Narration,
    path: Path,
    *,
    format: str | None = None,
    sidecars: bool = True,
    loudness: float | LoudnessTarget | None = -16.0,
    true_peak: float = -1.0,
    bitrate: str | int | None = None,
    vbr: bool = False,
    srt: bool = False,
    encoded: tuple[Path, MasteringReport] | None = None,
    cache: BlockStore | bool | None = None,
) -> ExportResult:
    """Write the audio to ``path`` and, with ``sidecars``, ``.vtt`` captions, ``.json``
    timings and ``.chapters.json`` (Podcasting 2.0) beside it, plus ``.srt`` with
    ``srt``; return the paths written, the audio first.

    ``loudness`` is the integrated loudness target in LUFS (``None`` keeps the level),
    ``true_peak`` the ceiling in dBTP. An MP3 is encoded paragraph by paragraph, and
    the paragraphs encoded before are taken from ``cache`` (``True``: the user cache;
    ``False``: none, the file is encoded whole; ``None``: as the narration was made,
    so a narration made without the cache leaves nothing in it)."""
    if isinstance(loudness, LoudnessTarget):
        target: LoudnessTarget | None = loudness
    else:
        target = None if loudness is None else LoudnessTarget(float(loudness), float(true_peak))
    options = ExportOptions(
        loudness=target,
        bitrate=normalize_bitrate(bitrate),
        vbr=vbr,
        sidecars=sidecars,
        srt=srt,
        blocks=block_store(narration.cache if cache is None else cache),  # type: ignore[arg-type]
    )
    return write_files(narration, Path(path), format_for(Path(path), format), options, encoded)


def block_store(cache: BlockStore | bool) -> BlockStore | None:
    if cache is True:
        from audiogen.cache import ClipCache

        return ClipCache()
    return cache or None


def check_target(path: Path) -> Path:
    """The folder ``path`` will be written in, or a clear error if it cannot be."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: folder {folder} does not exist", hint="create it or choose another -o")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write {path}: folder {folder} is not writable", hint="choose another -o")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder", hint="give a file name with -o")
    return folder


def write_files(
    narration: Narration,
    path: Path,
    audio_format: AudioFormat,
    options: ExportOptions,
    encoded: tuple[Path, MasteringReport] | None = None,
) -> ExportResult:
    """Write the audio and sidecars; ``encoded`` is audio already encoded while the
    narration was assembled (a temporary file beside ``path``, and how it came out)."""
    folder = check_target(path)
    if narration.audio.size == 0:
        raise ExportError("the narration has no audio to write")
    if options.vbr and audio_format.name not in ("mp3", "ogg"):
        raise ExportError(f"variable bitrate is available for mp3 and ogg, not {audio_format.name}")
    if options.bitrate and audio_format.bitrate is None:
        raise ExportError(f"{audio_format.name} is lossless; it takes no bitrate")
    remove_stale_parts(folder, [path.name, *(p.name for p in sidecar_paths(path).values())])  # a killed run's
    targets: dict[Path, Path] = {}
    kept: float | None = None
    writer: SplicedWriter | None = None
    try:
        report: MasteringReport | None
        if encoded is not None:
            audio_tmp, report = encoded
            targets[audio_tmp] = path
        else:
            audio_tmp = temp_part(folder, path.name)
            targets[audio_tmp] = path
            report, writer = encode_narration(narration, audio_tmp, audio_format, options)
        if report is not None and options.loudness is not None and math.isfinite(report.output_lufs):
            # A re-narration starts from this gain. Within the tolerance of the target,
            # the same one again: its unchanged paragraphs then come out the same, and
            # their encoded blocks are reused. Further off, the one that would have hit it.
            miss = options.loudness.lufs - report.output_lufs
            kept = round(report.gain_db + (miss if abs(miss) > Mastering.TOLERANCE_LU else 0.0), 2)
        write_tags(narration, audio_tmp, audio_format)
        if options.sidecars:
            sides = sidecar_paths(path)
            texts = {
                "vtt": webvtt(narration),
                "json": json.dumps(
                    timings(narration, path, audio_format, report, sides["chapters"].name), ensure_ascii=False, indent=1
                ),
                "chapters": json.dumps(podcast_chapters(narration), ensure_ascii=False, indent=1),
            }
            if options.srt:
                texts["srt"] = subrip(narration)
            for key, text in texts.items():
                tmp = temp_part(folder, sides[key].name)
                targets[tmp] = sides[key]
                tmp.write_text(text, encoding="utf-8")
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
    ordered = [path] + [final for final in targets.values() if final != path]
    return ExportResult(
        paths=ordered,
        report=report,
        kept_gain_db=kept,
        blocks_encoded=writer.encoded if writer is not None else None,
        blocks_cached=writer.hits if writer is not None else None,
    )
