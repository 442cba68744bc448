"""Audio that may be longer than memory should hold: a growing buffer of 16-bit mono
samples kept in an unnamed temporary file, plus decoding of user audio files (intro,
outro, music) and sample-rate conversion.

A two-hour narration is about 300 MB of samples; holding it (and the copies a mixer or
encoder makes) in memory would not fit the budget of a small server, so the assembler
appends clips here and the exporter reads it back in chunks.
"""

from __future__ import annotations

import contextlib
import errno
import subprocess
import tempfile
from collections.abc import Callable
from math import gcd
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audiogen.errors import ExportError

#: samples read or written at a time when streaming (about 12 s at 22.05 kHz)
CHUNK = 1 << 18
#: user audio (intro, outro, music) longer than this is refused: it is a jingle, not a show
MAX_INSERT_SECONDS = 15 * 60


class PcmBuffer:
    """Mono int16 samples appended in order, stored in a temporary file that the system
    deletes when the buffer is closed or garbage-collected."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        try:
            self._file = tempfile.TemporaryFile(prefix="audiogen-pcm-")  # noqa: SIM115 - lives as long as the buffer
        except OSError as exc:
            raise scratch_error(exc) from None
        self._size = 0
        #: called with every piece of audio appended, in order (an encoder that works
        #: while the narration is still being assembled)
        self.listeners: list[Callable[[npt.NDArray[np.int16], int], None]] = []

    def __len__(self) -> int:
        return self._size

    @property
    def size(self) -> int:
        return self._size

    def append(self, samples: npt.NDArray[np.int16]) -> None:
        if samples.size:
            try:
                self._file.seek(self._size * 2)
                self._file.write(np.ascontiguousarray(samples, dtype="<i2").tobytes())
            except OSError as exc:
                raise scratch_error(exc) from None
            self._size += int(samples.size)
            for listener in self.listeners:
                listener(samples, self.sample_rate)

    def append_silence(self, count: int) -> None:
        while count > 0:
            step = min(count, CHUNK)
            self.append(np.zeros(step, dtype=np.int16))
            count -= step

    def read(self, start: int, count: int) -> npt.NDArray[np.int16]:
        """``count`` samples from ``start``; positions outside the buffer read as silence."""
        out = np.zeros(max(count, 0), dtype=np.int16)
        begin, end = max(start, 0), min(start + count, self._size)
        if end > begin:
            try:
                self._file.seek(begin * 2)
                data = np.frombuffer(self._file.read((end - begin) * 2), dtype="<i2")
            except OSError as exc:
                raise scratch_error(exc) from None
            out[begin - start : begin - start + data.size] = data
        return out

    def to_array(self) -> npt.NDArray[np.int16]:
        """The whole buffer in memory: for short narrations and tests."""
        return self.read(0, self._size)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # a write that failed may fail again on close
            self._file.close()

    def __del__(self) -> None:
        if getattr(self, "_file", None) is not None:
            self.close()


def scratch_error(exc: OSError) -> ExportError:
    """A failure to keep working audio in the temporary folder, said so a person knows
    what to change."""
    folder = tempfile.gettempdir()
    if exc.errno == errno.ENOSPC:
        return ExportError(
            f"no space left in the temporary folder {folder} for the narration's working audio",
            hint="free some space there, or set TMPDIR to a folder with room",
        )
    if exc.errno == errno.EFBIG:
        return ExportError(
            "the narration's working audio went past this shell's file size limit (ulimit -f)",
            hint="raise the limit, e.g. ulimit -f unlimited",
        )
    return ExportError(f"cannot keep the narration's working audio in {folder}: {exc.strerror or exc}")


def resample(samples: npt.NDArray[np.int16], from_rate: int, to_rate: int) -> npt.NDArray[np.int16]:
    """Band-limited sample-rate conversion (polyphase), for voices of different rates."""
    if from_rate == to_rate or samples.size == 0:
        return samples
    from scipy.signal import resample_poly

    common = gcd(from_rate, to_rate)
    out: npt.NDArray[np.float64] = resample_poly(samples.astype(np.float32), to_rate // common, from_rate // common)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def decode_audio_file(path: str | Path, sample_rate: int, *, what: str = "audio file") -> npt.NDArray[np.int16]:
    """Any file ffmpeg can read → mono int16 at ``sample_rate``; a clear error otherwise."""
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"no such {what}: {path}")
    command = [
        ffmpeg_exe(),
        "-nostdin",
        "-v",
        "error",
        "-i",
        str(path),
        "-t",
        str(MAX_INSERT_SECONDS + 1),
        "-vn",
        "-f",
        "s16le",
        "-ac",
        "1",
        "-ar",
        str(sample_rate),
        "-",
    ]
    try:
        result = subprocess.run(command, capture_output=True, check=False, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExportError(f"cannot read the {what} {path}: {exc}") from None
    samples = np.frombuffer(result.stdout, dtype="<i2").astype(np.int16)
    if result.returncode != 0 or samples.size == 0:
        raise ExportError(
            f"the {what} {path.name} is not audio that can be read",
            hint="give an MP3, WAV, FLAC, Ogg or M4A file",
        )
    if samples.size > MAX_INSERT_SECONDS * sample_rate:
        raise ExportError(f"the {what} {path.name} is longer than {MAX_INSERT_SECONDS // 60} minutes")
    return samples


def check_audio_file(path: str | Path, *, what: str = "audio file") -> None:
    """Fail early (before any speech is synthesized) on a file that is not audio."""
    decode_audio_file(path, 8000, what=what)
