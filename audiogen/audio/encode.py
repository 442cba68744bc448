"""Samples → an encoded file: the formats, their codec settings, and the ffmpeg binary
shipped by imageio-ffmpeg (nothing from the system) fed the mastered mix in chunks, or
an MP3 encoded paragraph by paragraph (``audiogen.audio.mp3splice``)."""

from __future__ import annotations

import logging
import math
import queue
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from audiogen.article import Narration
from audiogen.audio.master import (
    LoudnessTarget,
    Mastering,
    MasteringReport,
    db_to_gain,
    gain_to_db,
    to_pcm,
)
from audiogen.audio.mix import mix
from audiogen.audio.mp3splice import DECODER_DELAY, ENCODER_DELAY, BlockStore, SplicedWriter, write_spliced
from audiogen.audio.pcm import CHUNK, ffmpeg_exe
from audiogen.errors import ExportError, SpliceError

log = logging.getLogger("audiogen")


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


def normalize_bitrate(bitrate: str | int | None) -> str | None:
    """``64``, ``"64"``, ``"64k"`` → ``"64k"``; a clear error for anything else."""
    if bitrate is None:
        return None
    text = str(bitrate).strip().lower().removesuffix("bps").removesuffix("b")
    number = text.removesuffix("k")
    if not number.isdigit() or not 8 <= int(number) <= 512:
        raise ExportError(f"bad bitrate '{bitrate}'", hint="give kilobits per second between 8 and 512, e.g. 64k")
    return f"{int(number)}k"


#: LAME's VBR quality levels (V0-V9) and the average bitrate each gave for narrated speech
#: (the default voice, mono at 22.05 kHz): LAME's own table is for stereo music at 44.1
#: kHz, where V9 means 65 kbps; on speech it averaged 30. The level whose average is
#: closest to the bitrate asked for is used (espeak-ng lands about a third higher).
_LAME_VBR_KBPS = (86, 78, 70, 65, 57, 48, 40, 36, 32, 29)

#: lossy codecs let decoded peaks overshoot the encoder's input: the room left below the
#: ceiling, by format, at the format's default bitrate and above (measured on narrated
#: speech, Piper and eSpeak NG: MP3 64k overshot by up to 1.55 dB at a few onsets, AAC 64k by 0.1 with the
#: fast search, Opus 48k by 1.5), and below it (more quantization noise, more overshoot)
_CODEC_HEADROOM_DB = {"mp3": (1.6, 2.0), "m4a": (0.5, 1.0), "ogg": (1.7, 2.2)}
#: the decoded file must measure this far under the ceiling (meters oversample differently)
DECODED_SLACK_DB = 0.05
_PEAK_RATE = 192000
PEAK_STEP_MARGIN_DB = 0.3
#: encodings tried with more room before the file is kept as it is
PEAK_RETRIES = 3


def codec_headroom_db(audio_format: AudioFormat, options: ExportOptions) -> float:
    """The room a lossy format needs below the true-peak ceiling, so that its decoded
    file stays under it (the export measures the decoded file and makes more room if not)."""
    if audio_format.name not in _CODEC_HEADROOM_DB:
        return 0.0
    at_default, below = _CODEC_HEADROOM_DB[audio_format.name]
    bitrate = options.bitrate or audio_format.bitrate or "64k"
    default = audio_format.bitrate or "64k"
    return at_default if int(bitrate[:-1]) >= int(default[:-1]) else below


def lossy(audio_format: AudioFormat) -> bool:
    return audio_format.name in _CODEC_HEADROOM_DB


def decoded_true_peak(path: Path) -> tuple[float, float]:
    """The true peak (dBTP) of ``path`` as a player decodes it: its largest magnitude at
    192 kHz, as ffmpeg's own BS.1770 meter (``ebur128=peak=true``) measures it, which
    sees more between the samples than 4× oversampling of a 22.05 kHz voice does. Read in
    chunks, so an hour of audio needs little memory. Also where it is, in seconds."""
    command = [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-vn", "-ac", "1", "-ar", str(_PEAK_RATE)]
    command += ["-f", "f32le", "-"]
    peak, at, seen = 0.0, 0, 0
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        assert process.stdout is not None
        while data := process.stdout.read(1 << 22):
            usable = len(data) - len(data) % 4  # a read of a pipe may end inside a sample
            magnitude = np.abs(np.frombuffer(data[:usable], dtype="<f4"))
            if magnitude.size:
                loudest = int(magnitude.argmax())
                if magnitude[loudest] > peak:
                    peak, at = float(magnitude[loudest]), seen + loudest
            seen += magnitude.size
        code = process.wait()
    if code != 0:
        raise ExportError(f"the encoded {path.suffix.lstrip('.')} file cannot be decoded (ffmpeg exit {code})")
    return (gain_to_db(peak) if peak > 0 else -math.inf), at / _PEAK_RATE


#: decoded peaks over the ceiling closer together than this (seconds) are one place
_OVER_GAP_S = 0.05


def decoded_overs(path: Path, ceiling_db: float) -> list[tuple[float, float]]:
    """Every place where ``path``, decoded, goes over ``ceiling_db`` (as
    ``decoded_true_peak`` measures): where its highest point is (seconds) and how high
    (dBTP), in order."""
    threshold = db_to_gain(ceiling_db)
    gap = round(_OVER_GAP_S * _PEAK_RATE)
    command = [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-vn", "-ac", "1", "-ar", str(_PEAK_RATE)]
    command += ["-f", "f32le", "-"]
    places: list[list[float]] = []  # [last sample over, peak, where]
    seen = 0
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        assert process.stdout is not None
        while data := process.stdout.read(1 << 22):
            usable = len(data) - len(data) % 4
            magnitude = np.abs(np.frombuffer(data[:usable], dtype="<f4"))
            for index in np.flatnonzero(magnitude > threshold):
                position, value = seen + int(index), float(magnitude[index])
                if places and position - places[-1][0] <= gap:
                    places[-1][0] = position
                    if value > places[-1][1]:
                        places[-1][1:] = [value, position]
                else:
                    places.append([position, value, position])
            seen += magnitude.size
        code = process.wait()
    if code != 0:
        raise ExportError(f"the encoded {path.suffix.lstrip('.')} file cannot be decoded (ffmpeg exit {code})")
    return [(where / _PEAK_RATE, gain_to_db(peak)) for _, peak, where in places]


_PEAK_LEVEL = re.compile(r"Peak level dB:\s*(-?inf|-?[\d.]+)")


def decoded_peak_db(path: Path) -> float:
    """The true peak (dBTP) of ``path`` decoded, as ``decoded_true_peak`` measures it but
    found by ffmpeg itself (its decoder, the same resampling to 192 kHz, and its
    statistics filter): a third less time than reading the samples out, for a lossy file
    encoded whole; ``decoded_true_peak`` says where, when it is too high."""
    command = [ffmpeg_exe(), "-nostdin", "-v", "info", "-nostats", "-i", str(path), "-vn", "-ac", "1"]
    command += ["-af", f"aresample={_PEAK_RATE},astats=measure_perchannel=none:measure_overall=Peak_level"]
    command += ["-f", "null", "-"]
    result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    found = _PEAK_LEVEL.findall(result.stderr)
    if result.returncode != 0 or not found:
        raise ExportError(
            f"the encoded {path.suffix.lstrip('.')} file cannot be decoded (ffmpeg exit {result.returncode})"
        )
    return float(found[-1])


#: the stretches a decoded MP3's peaks are told for, as it is written (seconds)
PEAK_WINDOW_S = 0.1
_WINDOW_PEAK = re.compile(r"pts_time:(-?[\d.]+)\s.*?Peak_level=(-?inf|-?[\d.]+)", re.DOTALL)


class DecodedPeakMeter:
    """The decoded true peak of an MP3 measured while it is written: the audio frames,
    handed over in order as each block is written, are decoded by one ffmpeg (fed from a
    thread of its own) while the blocks after them are still being encoded, so the
    figure is ready soon after the last block instead of a whole decoding later. The
    same frames as in the file (the codec's delay, which a player trims, left out, so the
    resampling lines up with the file's), so the same peak as ``decoded_peak_db``; and the
    peak of every tenth of a second, so that places over the ceiling are known without
    decoding the file again."""

    def __init__(self) -> None:
        window = round(PEAK_WINDOW_S * _PEAK_RATE)
        chain = [
            f"atrim=start_sample={ENCODER_DELAY + DECODER_DELAY}",
            "asetpts=PTS-STARTPTS",
            f"aresample={_PEAK_RATE}",
            f"asetnsamples=n={window}:p=0",
            "astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=Peak_level",
            "ametadata=mode=print:key=lavfi.astats.Overall.Peak_level",
        ]
        command = [ffmpeg_exe(), "-nostdin", "-v", "info", "-nostats", "-f", "mp3", "-i", "pipe:0", "-vn", "-ac", "1"]
        self._process = subprocess.Popen(
            [*command, "-af", ",".join(chain), "-f", "null", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._frames: queue.Queue[bytes | memoryview | None] = queue.Queue()
        self._messages: list[bytes] = []
        #: (start in seconds, true peak in dBTP) of each tenth of a second, once finished
        self.windows: list[tuple[float, float]] = []
        self._feeder = threading.Thread(target=self._feed, name="audiogen-peak-feed", daemon=True)
        self._reader = threading.Thread(target=self._read, name="audiogen-peak-read", daemon=True)
        self._feeder.start()
        self._reader.start()

    def add(self, frames: bytes | memoryview) -> None:
        self._frames.put(frames)

    def _feed(self) -> None:
        assert self._process.stdin is not None
        try:
            with self._process.stdin:
                while (frames := self._frames.get()) is not None:
                    self._process.stdin.write(frames)
        except OSError:  # ffmpeg stopped; its exit code says so
            pass

    def _read(self) -> None:
        assert self._process.stderr is not None
        with self._process.stderr:
            self._messages.append(self._process.stderr.read())

    def finish(self) -> float:
        """The true peak (dBTP) of all the frames added."""
        self._frames.put(None)
        self._feeder.join()
        code = self._process.wait()
        self._reader.join()
        messages = b"".join(self._messages).decode("utf-8", "replace")
        self.windows = [(float(start), float(peak)) for start, peak in _WINDOW_PEAK.findall(messages)]
        if code != 0 or not self.windows:
            raise ExportError(f"the encoded mp3 file cannot be decoded (ffmpeg exit {code})")
        return max(peak for _, peak in self.windows)

    def overs(self, ceiling_db: float) -> list[tuple[float, float]]:
        """Every tenth of a second (its middle, in seconds) whose decoded peak is over
        ``ceiling_db``, and that peak, after ``finish``."""
        return [(start + PEAK_WINDOW_S / 2, peak) for start, peak in self.windows if peak > ceiling_db]

    def abort(self) -> None:
        self._process.kill()
        self._frames.put(None)
        self._feeder.join()
        self._process.wait()
        self._reader.join()


def codec_options(audio_format: AudioFormat, options: ExportOptions) -> list[str]:
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
    elif audio_format.name == "m4a":
        # ffmpeg's default AAC search (twoloop) let decoded speech overshoot its input by
        # 0.5 dB, and by 1.6 dB in a transient of the first frame that no limiting of the
        # input reaches; the fast search stayed within 0.1 dB
        out += ["-b:a", bitrate or "64k", "-aac_coder", "fast"]
    elif bitrate:
        out += ["-b:a", bitrate]
    return out


def encode_narration(
    narration: Narration, target: Path, audio_format: AudioFormat, options: ExportOptions
) -> tuple[MasteringReport | None, SplicedWriter | None]:
    """Master the mix chunk by chunk and pipe it into ffmpeg; the chapters go in through
    an ffmetadata file (ffmpeg writes them as chapter atoms in M4A)."""

    rate = narration.sample_rate
    mastering: Mastering | None = None
    if options.loudness is not None:
        mastering = Mastering(
            lambda start, count: mix(narration, start, count),
            narration.audio.size,
            rate,
            options.loudness,
            margin_db=codec_headroom_db(audio_format, options),
            measured=narration.measured,
        )
        mastering.measure()
    metadata_file = None
    if audio_format.name == "m4a" and narration.chapters:
        metadata_file = target.with_name(target.name + ".meta")
        metadata_file.write_text(_ffmetadata(narration), encoding="utf-8")
    command = encoder_command(rate, target, audio_format, options, metadata_file)
    writer: SplicedWriter | None = None
    try:
        for attempt in range(PEAK_RETRIES + 1):
            measure_peak = mastering is not None and lossy(audio_format)
            writer, peak_meter = _encode_passes(
                narration, target, audio_format, options, mastering, command, measure_peak
            )
            if mastering is None or mastering.report is None or not lossy(audio_format):
                if peak_meter is not None:
                    peak_meter.abort()
                break
            # what a listener hears is the decoded file: its peaks, not the encoder's input's
            ceiling_db = mastering.target.true_peak - DECODED_SLACK_DB
            peak_db = peak_meter.finish() if peak_meter is not None else decoded_peak_db(target)
            mastering.report = replace(mastering.report, true_peak_dbtp=round(peak_db, 2))
            if peak_db <= ceiling_db or attempt == PEAK_RETRIES:
                break
            # The codec made those peaks out of what the mix had there: the limiter must
            # leave that much more room below the ceiling there (the blocks elsewhere are
            # not encoded again).
            # (found in tenths of a second while the MP3 was written, else in its samples)
            places = peak_meter.overs(ceiling_db) if peak_meter is not None else decoded_overs(target, ceiling_db)
            reach = rate // 50 + (round(PEAK_WINDOW_S * rate) // 2 if peak_meter is not None else 0)
            for at, peak in places or [decoded_true_peak(target)[::-1]]:
                position = round(at * rate)
                local = mastering.output_peak(position, reach)
                overshoot_db = peak - gain_to_db(local) if local > 0 else peak - ceiling_db
                # (with a margin: the limiter's new work moves the codec's overshoot a little)
                mastering.lower_ceiling(db_to_gain(ceiling_db - overshoot_db - PEAK_STEP_MARGIN_DB), around=position)
            log.debug(
                "the decoded %s peaks at %.2f dBTP, over its ceiling in %d place(s) (%s); encoding those again",
                audio_format.name,
                peak_db,
                len(places),
                ", ".join(f"{at:.2f} s" for at, _ in places[:5]),
            )
    finally:
        if metadata_file is not None:
            metadata_file.unlink(missing_ok=True)
    if target.stat().st_size == 0:
        raise ExportError(f"encoding {audio_format.name} produced an empty file")
    return (mastering.report if mastering is not None else None), writer


def _encode_passes(
    narration: Narration,
    target: Path,
    audio_format: AudioFormat,
    options: ExportOptions,
    mastering: Mastering | None,
    command: list[str],
    measure_peak: bool = False,
) -> tuple[SplicedWriter | None, DecodedPeakMeter | None]:
    """Encode the mix into ``target``, again at a corrected gain when the loudness missed.
    With ``measure_peak``, an MP3 written in blocks is decoded while it is written: the
    meter of the last pass comes back with its writer, to be finished."""
    spliced = splices(audio_format, options) and bool(narration.blocks)
    writer: SplicedWriter | None = None
    meter: DecodedPeakMeter | None = None
    passes = 0
    while passes < 3:  # a pass that gave up splicing does not count (that happens once)
        if mastering is not None:
            chunks: Iterator[Any] = mastering.pcm_chunks()
        else:
            chunks = (
                to_pcm(mix(narration, start, min(CHUNK, narration.audio.size - start)))
                for start in range(0, narration.audio.size, CHUNK)
            )
        if meter is not None:
            meter.abort()
            meter = None
        if spliced:
            meter = DecodedPeakMeter() if measure_peak else None
            try:
                writer = write_spliced(
                    target,
                    narration.sample_rate,
                    codec_options(audio_format, options),
                    chunks,
                    narration.blocks,
                    options.blocks,
                    ffmpeg=ffmpeg_exe(),
                    identity=encoder_identity(),
                    on_audio=meter.add if meter is not None else None,
                )
            except BaseException as exc:
                if meter is not None:
                    meter.abort()
                    meter = None
                if not isinstance(exc, SpliceError):
                    raise
                log.debug("the mp3 is encoded whole: %s", exc)
                spliced, writer = False, None
                continue
        else:
            run_encoder(command, chunks, audio_format)
        passes += 1
        # the loudness was measured on the way; a miss (the limiter's take was
        # misjudged) is corrected and encoded again
        if mastering is None or not mastering.retry():
            break
    return writer, meter


def splices(audio_format: AudioFormat, options: ExportOptions) -> bool:
    """Whether the audio is encoded block by block: a constant-bitrate MP3, with a
    store to keep the blocks in."""
    return audio_format.name == "mp3" and not options.vbr and options.blocks is not None


def encoder_identity() -> str:
    """What decides how a block encodes, besides its samples and settings: the splicing
    scheme and the ffmpeg build (its file name carries its version)."""
    return f"splice1|{Path(ffmpeg_exe()).name}"


def encoder_command(
    rate: int, target: Path, audio_format: AudioFormat, options: ExportOptions, metadata_file: Path | None = None
) -> list[str]:
    command = [ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-f", "s16le", "-ar", str(rate), "-ac", "1"]
    command += ["-i", "pipe:0"]
    if metadata_file is not None:
        command += ["-f", "ffmetadata", "-i", str(metadata_file), "-map", "0:a", "-map_chapters", "1"]
    return [*command, *codec_options(audio_format, options), "-ac", "1", "-f", audio_format.ffmpeg_format, str(target)]


def run_encoder(command: list[str], chunks: Iterator[Any], audio_format: AudioFormat) -> None:
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
