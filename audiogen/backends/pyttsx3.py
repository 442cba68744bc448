"""pyttsx3: the platform's own voices (espeak-ng on Linux, SAPI5 on Windows, NSSS on macOS).

On Linux the espeak-ng library and its data come from the ``espeakng-loader`` package,
so no system package is needed. pyttsx3 2.99's espeak driver has been seen to write no
file for long utterances, so text is given to it in pieces of at most ``MAX_CHARS``
characters, and a missing or empty file is an error, never silence.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
import tempfile
import wave
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from audiogen.article import Clip
from audiogen.backends.base import Backend, SynthesisOptions, VoiceInfo
from audiogen.errors import BackendError, VoiceError
from audiogen.textsplit import split_long

MAX_CHARS = 120
BASE_RATE_WPM = 175


def _make_espeak_available() -> None:
    """Load espeak-ng from espeakng-loader before pyttsx3 looks for it by name.

    pyttsx3 opens "libespeak-ng.so.1"; once a library with that soname is loaded, the
    dynamic linker hands back the same one, so no system install is consulted.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import espeakng_loader
    except ImportError:
        return  # fall back to a system espeak-ng, if there is one
    ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_GLOBAL)
    os.environ.setdefault("ESPEAK_DATA_PATH", espeakng_loader.get_data_path())


class Pyttsx3Backend(Backend):
    name = "pyttsx3"
    description = "system voices through pyttsx3 (espeak-ng on Linux)"
    default_voice = ""

    def __init__(self) -> None:
        _make_espeak_available()
        try:
            import pyttsx3
        except ImportError:
            raise BackendError("pyttsx3 is not installed", hint="pip install pyttsx3") from None
        try:
            self._engine: Any = pyttsx3.init()
        except Exception as exc:
            raise BackendError(
                f"pyttsx3 could not start a speech engine: {exc}",
                hint="on Linux, pip install espeakng-loader",
            ) from None
        self._folder = Path(tempfile.mkdtemp(prefix="audiogen-pyttsx3-"))
        self._voice_ids = {v.id for v in self._engine.getProperty("voices")}

    def __del__(self) -> None:
        shutil.rmtree(getattr(self, "_folder", ""), ignore_errors=True)

    def voices(self) -> list[VoiceInfo]:
        out = []
        for v in self._engine.getProperty("voices"):
            languages = [str(lang) for lang in (v.languages or [])]
            out.append(VoiceInfo(engine=self.name, id=v.id, name=v.name, language=languages[0] if languages else ""))
        return sorted(out, key=lambda v: v.id)

    def prepare(self, voice: str) -> None:
        if voice not in self._voice_ids:
            english = sorted(v for v in self._voice_ids if "/en" in v or v.startswith("en"))[:3]
            example = f" (e.g. {', '.join(english)})" if english else ""
            raise VoiceError(
                f"no pyttsx3 voice '{voice}' on this machine",
                hint=f"'audiogen voices --engine pyttsx3' lists them{example}",
            )

    def synthesize(self, sentences: Iterable[str], options: SynthesisOptions) -> Iterator[Clip]:
        if options.voice:
            self.prepare(options.voice)
            self._engine.setProperty("voice", options.voice)
        self._engine.setProperty("rate", round(BASE_RATE_WPM * options.speed))
        for text in sentences:
            parts = [self._speak(piece) for piece in split_long(text, MAX_CHARS)]
            if not parts:
                raise BackendError("pyttsx3 was given an empty sentence")
            rate = parts[0][1]
            yield Clip(samples=np.concatenate([p[0] for p in parts]), sample_rate=rate, text=text)

    def _speak(self, text: str) -> tuple[np.ndarray, int]:
        path = self._folder / "utterance.wav"
        path.unlink(missing_ok=True)
        self._engine.save_to_file(text, str(path))
        self._engine.runAndWait()
        if not path.is_file() or path.stat().st_size <= 44:
            raise BackendError(f"pyttsx3 wrote no audio for a {len(text)}-character sentence: “{text[:60]}”")
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                raise BackendError("pyttsx3 wrote audio in an unexpected format (want 16-bit mono)")
            rate = wav.getframerate()
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16).copy()
        if samples.size == 0:
            raise BackendError(f"pyttsx3 wrote an empty clip for “{text[:60]}”")
        return samples, rate
