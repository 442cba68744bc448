"""Narration → files: the audio (MP3, M4A, Ogg Opus, WAV or FLAC) at a loudness target,
with tags, cover art, chapters and the AI-narration marks, plus ``.vtt`` captions,
``.json`` timings, ``.chapters.json`` (Podcasting 2.0) and, on request, ``.srt`` next to it.

The mix is mastered in chunks and piped into the ffmpeg binary shipped by imageio-ffmpeg
(nothing from the system); tags are written with mutagen. Every file is first written under a temporary name in the target
folder and renamed only when all of them are complete, so a failure leaves nothing
half-written and never clobbers an earlier good output.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import math
import os
import queue
import subprocess
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from audiogen.article import Narration
from audiogen.audio.master import (
    Limiter,
    LoudnessMeter,
    LoudnessTarget,
    Mastering,
    MasteringReport,
    db_to_gain,
    gain_to_db,
    to_pcm,
)
from audiogen.audio.mp3splice import BlockStore, SplicedWriter, SpliceError, write_spliced
from audiogen.audio.pcm import CHUNK, ffmpeg_exe
from audiogen.errors import ExportError
from audiogen.files import remove_stale_parts, temp_part

log = logging.getLogger("audiogen")

#: samples the streamed exporter limits at a time (1.5 s at 22.05 kHz): small steps keep
#: it right behind the assembler, so little is left to do when the last words arrive
STREAM_STEP = 1 << 15
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


_FORMAT_ALIASES = {"opus": "ogg", "oga": "ogg", "mp4": "m4a", "aac": "m4a"}


def format_for(path: Path, format: str | None) -> AudioFormat:
    """The format of ``path``: ``format`` when given, else its extension's. A known audio
    extension that says another format than ``format`` is an error: the file would
    lie about what it holds."""
    suffix = path.suffix.lstrip(".").lower()
    suffix = _FORMAT_ALIASES.get(suffix, suffix)
    name = (format or suffix or "mp3").lower()
    name = _FORMAT_ALIASES.get(name, name)
    if format and suffix in FORMATS and suffix != name:
        raise ExportError(
            f"{path.name} ends in .{path.suffix.lstrip('.')} but the format asked for is {name}",
            hint=f"name the file .{FORMATS[name].suffix.lstrip('.')}, or leave --format out",
        )
    if name not in FORMATS:
        raise ExportError(
            f"unknown audio format '{name}' for {path.name}",
            hint=f"use one of: {', '.join(FORMATS)} (--format or the file's extension)",
        )
    return FORMATS[name]


def sidecar_paths(path: Path) -> dict[str, Path]:
    stem = path.with_suffix("")
    return {
        "vtt": path.with_suffix(".vtt"),
        "srt": path.with_suffix(".srt"),
        "json": path.with_suffix(".json"),
        "chapters": stem.with_name(stem.name + ".chapters.json"),
    }


@dataclass(frozen=True)
class ExportOptions:
    """How the audio is finished: loudness target (``None`` leaves the level as it is),
    bitrate (``"64k"``; the format's default when ``None``) and rate control, and which
    sidecar files are written."""

    loudness: LoudnessTarget | None = field(default_factory=LoudnessTarget)
    bitrate: str | None = None
    vbr: bool = False
    sidecars: bool = True
    srt: bool = False
    #: where MP3 blocks encoded before are kept (``ClipCache``); ``None``: encode whole
    blocks: BlockStore | None = None


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


def normalize_bitrate(bitrate: str | int | None) -> str | None:
    """``64``, ``"64"``, ``"64k"`` → ``"64k"``; a clear error for anything else."""
    if bitrate is None:
        return None
    text = str(bitrate).strip().lower().removesuffix("bps").removesuffix("b")
    number = text.removesuffix("k")
    if not number.isdigit() or not 8 <= int(number) <= 512:
        raise ExportError(f"bad bitrate '{bitrate}'", hint="give kilobits per second between 8 and 512, e.g. 64k")
    return f"{int(number)}k"


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
    for name in [path.name, *(p.name for p in sidecar_paths(path).values())]:
        remove_stale_parts(folder, name)  # what a killed run left
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
            report, writer = _encode(narration, audio_tmp, audio_format, options)
        if report is not None and options.loudness is not None and math.isfinite(report.output_lufs):
            # A re-narration starts from this gain. Within the tolerance of the target,
            # the same one again: its unchanged paragraphs then come out the same, and
            # their encoded blocks are reused. Further off, the one that would have hit it.
            miss = options.loudness.lufs - report.output_lufs
            kept = round(report.gain_db + (miss if abs(miss) > Mastering.TOLERANCE_LU else 0.0), 2)
        _tag(narration, audio_tmp, audio_format)
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


# -- audio --------------------------------------------------------------------------

#: LAME's VBR quality levels (V0-V9) and the average bitrate each gave for narrated speech
#: (the default voice, mono at 22.05 kHz): LAME's own table is for stereo music at 44.1
#: kHz, where V9 means 65 kbps; on speech it averaged 30. The level whose average is
#: closest to the bitrate asked for is used (espeak-ng lands about a third higher).
_LAME_VBR_KBPS = (86, 78, 70, 65, 57, 48, 40, 36, 32, 29)
#: lossy codecs let decoded peaks overshoot the encoder's input a little; leave room
_CODEC_HEADROOM_DB = {"mp3": 0.6, "m4a": 0.6, "ogg": 0.6}


def _codec_options(audio_format: AudioFormat, options: ExportOptions) -> list[str]:
    out: list[str] = []
    if audio_format.codec:
        out += ["-c:a", audio_format.codec]
    else:
        out += ["-c:a", "pcm_s16le"]
    bitrate = options.bitrate or audio_format.bitrate
    if audio_format.name == "mp3":
        if options.vbr:
            kbps = int((bitrate or "64k")[:-1])
            quality = min(range(len(_LAME_VBR_KBPS)), key=lambda level: abs(_LAME_VBR_KBPS[level] - kbps))
            out += ["-q:a", str(quality)]
        else:
            out += ["-b:a", bitrate or "64k"]
    elif audio_format.name == "ogg":
        out += ["-b:a", bitrate or "48k", "-vbr", "on" if options.vbr else "off", "-application", "voip"]
    elif bitrate:
        out += ["-b:a", bitrate]
    return out


def _encode(
    narration: Narration, target: Path, audio_format: AudioFormat, options: ExportOptions
) -> tuple[MasteringReport | None, SplicedWriter | None]:
    """Master the mix chunk by chunk and pipe it into ffmpeg; the chapters go in through
    an ffmetadata file (ffmpeg writes them as chapter atoms in M4A)."""
    from audiogen.assemble import mix

    rate = narration.sample_rate
    mastering: Mastering | None = None
    if options.loudness is not None:
        mastering = Mastering(
            lambda start, count: mix(narration, start, count),
            narration.audio.size,
            rate,
            options.loudness,
            margin_db=_CODEC_HEADROOM_DB.get(audio_format.name, 0.0),
            measured=narration.measured,
        )
        mastering.measure()
    metadata_file = None
    if audio_format.name == "m4a" and narration.chapters:
        metadata_file = target.with_name(target.name + ".meta")
        metadata_file.write_text(_ffmetadata(narration), encoding="utf-8")
    command = _encoder_command(rate, target, audio_format, options, metadata_file)
    spliced = splices(audio_format, options) and bool(narration.blocks)
    writer: SplicedWriter | None = None
    try:
        passes = 0
        while passes < 3:  # a pass that gave up splicing does not count (that happens once)
            if mastering is not None:
                chunks: Iterator[Any] = mastering.pcm_chunks()
            else:
                chunks = (
                    to_pcm(mix(narration, start, min(CHUNK, narration.audio.size - start)))
                    for start in range(0, narration.audio.size, CHUNK)
                )
            if spliced:
                try:
                    writer = write_spliced(
                        target,
                        rate,
                        _codec_options(audio_format, options),
                        chunks,
                        narration.blocks,
                        options.blocks,
                        ffmpeg=ffmpeg_exe(),
                        identity=encoder_identity(),
                    )
                except SpliceError as exc:
                    log.debug("the mp3 is encoded whole: %s", exc)
                    spliced, writer = False, None
                    continue
            else:
                _run_encoder(command, chunks, audio_format)
            passes += 1
            # the loudness was measured on the way; a miss (the limiter's take was
            # misjudged) is corrected and encoded again
            if mastering is None or not mastering.retry():
                break
    finally:
        if metadata_file is not None:
            metadata_file.unlink(missing_ok=True)
    if target.stat().st_size == 0:
        raise ExportError(f"encoding {audio_format.name} produced an empty file")
    return (mastering.report if mastering is not None else None), writer


def splices(audio_format: AudioFormat, options: ExportOptions) -> bool:
    """Whether the audio is encoded block by block: a constant-bitrate MP3, with a
    store to keep the blocks in."""
    return audio_format.name == "mp3" and not options.vbr and options.blocks is not None


def encoder_identity() -> str:
    """What decides how a block encodes, besides its samples and settings: the splicing
    scheme and the ffmpeg build (its file name carries its version)."""
    return f"splice1|{Path(ffmpeg_exe()).name}"


def _encoder_command(
    rate: int, target: Path, audio_format: AudioFormat, options: ExportOptions, metadata_file: Path | None = None
) -> list[str]:
    command = [ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-f", "s16le", "-ar", str(rate), "-ac", "1"]
    command += ["-i", "pipe:0"]
    if metadata_file is not None:
        command += ["-f", "ffmetadata", "-i", str(metadata_file), "-map", "0:a", "-map_chapters", "1"]
    return [*command, *_codec_options(audio_format, options), "-ac", "1", "-f", audio_format.ffmpeg_format, str(target)]


class StreamingExport:
    """Master and encode the narration while it is being assembled, at a gain known in
    advance (the one that brought this article, in this voice, to the target last time).

    Audio is fed in as the assembler lays it down (``feed``); the limiter works a few
    milliseconds behind, the encoder takes its output at once, and the output is
    measured on the way. ``finish`` ends the file and gives its report when it landed
    within the tolerance of the target; otherwise it deletes it and gives ``None``, and
    the caller exports the usual way. M4A cannot stream: its chapters must reach the
    encoder before the audio."""

    def __init__(self, path: Path, audio_format: AudioFormat, options: ExportOptions, gain_db: float) -> None:
        if options.loudness is None or audio_format.name == "m4a":
            raise ValueError("streaming export needs a loudness target and a format without up-front chapters")
        self.path, self.audio_format, self.options = path, audio_format, options
        self.target = options.loudness
        self.gain = db_to_gain(gain_db)
        self.folder = check_target(path)
        self.tmp: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._writer: SplicedWriter | None = None
        self._started = False
        self._marks: list[int] = []
        self._errors: Any = None
        self._limiter: Limiter | None = None
        # scaled audio not yet handed to the limiter, in pieces: joined a chunk at a time
        self._pending: list[Any] = []
        self._pending_size = 0
        self._meter: LoudnessMeter | None = None
        self._peak = 0.0
        self.failed: str | None = None
        # The limiter, the meter and the pipe run in a thread of their own, so the
        # assembler goes on while the encoder takes its time.
        self._queue: queue.Queue[tuple[Any, int] | None] = queue.Queue(maxsize=4)
        self._thread: threading.Thread | None = None

    def block(self, position: int) -> None:
        """A block boundary at ``position`` (an MP3 is encoded block by block)."""
        if self._writer is not None:
            self._writer.mark(position)
        else:
            self._marks.append(position)

    def feed(self, samples: Any, rate: int) -> None:
        if self.failed is not None:
            return
        if not self._started:
            self._start(rate)
        assert self._limiter is not None
        scaled = samples.astype(np.float64) * (self.gain / 32768.0)
        self._pending.append(scaled)
        self._pending_size += scaled.size
        window = STREAM_STEP + 2 * self._limiter.margin
        if self._pending_size < window:
            return
        pending = np.concatenate(self._pending)
        while pending.size >= window and self.failed is None:
            self._queue.put((pending[:window], STREAM_STEP))
            pending = pending[STREAM_STEP:]
        self._pending, self._pending_size = [pending], pending.size

    def _drain(self) -> None:
        while (item := self._queue.get()) is not None:
            if self.failed is None:
                self._emit(*item)

    def _start(self, rate: int) -> None:
        self._started = True
        self.tmp = temp_part(self.folder, self.path.name)
        if splices(self.audio_format, self.options):
            codec = _codec_options(self.audio_format, self.options)
            writer = SplicedWriter(
                self.tmp, rate, codec, self.options.blocks, ffmpeg=ffmpeg_exe(), identity=encoder_identity()
            )
            for position in self._marks:
                writer.mark(position)
            self._writer = writer
        else:
            self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finish or discard
            command = _encoder_command(rate, self.tmp, self.audio_format, self.options)
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._errors
            )
        ceiling = db_to_gain(self.target.true_peak - _CODEC_HEADROOM_DB.get(self.audio_format.name, 0.0))
        self._limiter = Limiter(rate, ceiling)
        self._meter = LoudnessMeter(rate)
        # before the first sample lies silence: the limiter's left context
        self._pending, self._pending_size = [np.zeros(self._limiter.margin)], self._limiter.margin
        self._thread = threading.Thread(target=self._drain, name="audiogen-encoder", daemon=True)
        self._thread.start()

    def _emit(self, window: Any, count: int) -> None:
        assert self._limiter is not None and self._meter is not None
        pcm, peak = self._limiter.output(window, count, self._meter)
        self._peak = max(self._peak, peak)
        try:
            if self._writer is not None:
                self._writer.write(pcm)
            else:
                assert self._process is not None and self._process.stdin is not None
                self._process.stdin.write(pcm.tobytes())
        except (OSError, SpliceError, ExportError) as exc:
            self.failed = f"the encoder stopped: {exc}"

    def finish(self) -> MasteringReport | None:
        """End the stream; the report when the file is whole and on target, else ``None``."""
        if not self._started or self._limiter is None or self._meter is None:
            return None
        margin = self._limiter.margin
        if self.failed is None:
            rest = np.concatenate((*self._pending, np.zeros(margin)))
            self._queue.put((rest, max(rest.size - 2 * margin, 0)))
        self._stop_thread()
        code = self._end_encoder()
        output = self._meter.integrated()
        if (
            code != 0
            or self.failed is not None
            or not math.isfinite(output)
            or abs(output - self.target.lufs) > Mastering.TOLERANCE_LU
            or self._peak > self._limiter.ceiling * 1.001
        ):
            log.debug("streamed encoding missed (exit %s, %.2f LUFS); exporting again", code, output)
            self.discard()
            return None
        return MasteringReport(
            gain_db=round(gain_to_db(self.gain), 2),
            input_lufs=round(output - gain_to_db(self.gain), 2),
            output_lufs=round(output, 2),
            true_peak_dbtp=round(gain_to_db(self._peak), 2) if self._peak > 0 else -math.inf,
            limited=True,
        )

    def _end_encoder(self) -> int:
        """Let the encoder finish the file; its exit code (0 for the block writer)."""
        if self._writer is not None:
            if self.failed is None:
                try:
                    self._writer.close()
                except (OSError, SpliceError, ExportError) as exc:
                    self.failed = f"the encoder stopped: {exc}"
            return 0
        assert self._process is not None
        try:
            assert self._process.stdin is not None
            self._process.stdin.close()
        except OSError:
            self.failed = self.failed or "the encoder stopped"
        code = self._process.wait()
        self._errors.close()
        return code

    @property
    def writer(self) -> SplicedWriter | None:
        """The MP3 block writer, when the file is encoded block by block."""
        return self._writer

    def _stop_thread(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def discard(self) -> None:
        """Stop the encoder and delete what it wrote."""
        self.failed = self.failed or "discarded"
        if self._process is not None and self._process.poll() is None:
            self._process.kill()  # first: a write the thread is blocked in fails at once
            self._process.wait()
        if self._thread is not None:
            while not self._queue.empty():  # what is left need not be limited
                with contextlib.suppress(queue.Empty):
                    self._queue.get_nowait()
            self._stop_thread()
        if self._writer is not None:  # after the thread: nothing writes to it any more
            self._writer.abort(delete=False)
        if self._errors is not None and not self._errors.closed:
            self._errors.close()
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)
            self.tmp = None


def _run_encoder(command: list[str], chunks: Iterator[Any], audio_format: AudioFormat) -> None:
    """Pipe the chunks into ffmpeg as they come; its error, if any, in one line."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        assert process.stdin is not None
        try:
            for chunk in chunks:
                process.stdin.write(np.ascontiguousarray(chunk, dtype="<i2").tobytes())
            process.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg stopped; its exit code and message say why
        except BaseException:
            process.kill()
            process.wait()
            raise
        code = process.wait()
        errors.seek(0)
        detail = [line for line in errors.read().decode("utf-8", "replace").splitlines() if line.strip()]
    if code != 0:
        reason = detail[-1].strip() if detail else f"exit code {code}"
        raise ExportError(f"encoding {audio_format.name} failed: {reason}")


def _ffmetadata(narration: Narration) -> str:
    def escape(text: str) -> str:
        return "".join("\\" + ch if ch in "=;#\\\n" else ch for ch in text)

    lines = [";FFMETADATA1"]
    for chapter in narration.chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={chapter.start_ms}", f"END={chapter.end_ms}"]
        lines.append(f"title={escape(chapter.title)}")
    return "\n".join(lines) + "\n"


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
    cover = _cover(narration)
    if cover is not None:
        tags.add(id3.APIC(encoding=3, mime=cover[1], type=id3.PictureType.COVER_FRONT, desc="Cover", data=cover[0]))
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
        tags[f"CHAPTER{number:03d}"] = _clock(chapter.start_ms, ".")
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


def _srt_clock(ms: int) -> str:
    return _clock(ms, ",")


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
