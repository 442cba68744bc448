"""pyttsx3: the platform's own voices (espeak-ng on Linux, SAPI5 on Windows, NSSS on macOS).

On Linux the espeak-ng library and its data come from the ``espeakng-loader`` package,
so no system package is needed, and the library is driven directly in its synchronous
mode (``audiogen.backends.espeak`` says why). Elsewhere pyttsx3 speaks each piece into
a file in a temporary folder of its own, removed whatever happens; its drivers have
been seen to write no file for long utterances, so text is given to them in pieces of
at most ``MAX_CHARS`` characters, and a missing or empty file is an error, never silence.
"""

from __future__ import annotations

import os
import sys
import tempfile
import wave
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from audiogen.article import Clip
from audiogen.backends.base import Backend, SynthesisOptions, VoiceInfo
from audiogen.backends.espeak import EspeakLibrary
from audiogen.errors import BackendError, VoiceError
from audiogen.textsplit import split_long

MAX_CHARS = 120
BASE_RATE_WPM = 175


def _espeak_library() -> EspeakLibrary | None:
    """espeak-ng from espeakng-loader, on Linux; ``None`` elsewhere (pyttsx3 then speaks
    with the platform's voices, or a system espeak-ng)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import espeakng_loader
    except ImportError:
        return None
    data = espeakng_loader.get_data_path()
    os.environ.setdefault("ESPEAK_DATA_PATH", data)
    return EspeakLibrary(espeakng_loader.get_library_path(), data)


class Pyttsx3Backend(Backend):
    name = "pyttsx3"
    description = "system voices through pyttsx3 (espeak-ng on Linux)"
    default_voice = ""

    def __init__(self) -> None:
        self._espeak = _espeak_library()
        if self._espeak is not None:
            self._voice_ids = {v.identifier for v in self._espeak.voices()}
            return
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
        self._voice_ids = {v.id for v in self._engine.getProperty("voices")}

    def voices(self) -> list[VoiceInfo]:
        if self._espeak is not None:
            return sorted(
                (
                    VoiceInfo(engine=self.name, id=v.identifier, name=v.name, language=v.language)
                    for v in self._espeak.voices()
                ),
                key=lambda v: v.id,
            )
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
        rate = round(BASE_RATE_WPM * options.speed)
        if self._espeak is not None:
            yield from self._synthesize_espeak(sentences, options.voice, rate)
            return
        if options.voice:
            self._engine.setProperty("voice", options.voice)
        self._engine.setProperty("rate", rate)
        for text in sentences:
            parts = [self._speak(piece) for piece in split_long(text, MAX_CHARS)]
            if not parts:
                raise BackendError("pyttsx3 was given an empty sentence")
            rate = parts[0][1]
            yield Clip(samples=np.concatenate([p[0] for p in parts]), sample_rate=rate, text=text)

    def _synthesize_espeak(self, sentences: Iterable[str], voice: str, rate: int) -> Iterator[Clip]:
        assert self._espeak is not None
        if voice and not self._espeak.set_voice(voice):
            raise VoiceError(f"espeak-ng could not load the voice '{voice}'")
        self._espeak.set_rate(rate)
        for text in sentences:
            if not text.strip():
                raise BackendError("pyttsx3 was given an empty sentence")
            samples = np.frombuffer(self._espeak.speak(text), dtype=np.int16).copy()
            if not samples.any():
                raise BackendError(f"espeak-ng spoke no audio for “{text[:60]}”")
            yield Clip(samples=samples, sample_rate=self._espeak.sample_rate, text=text)

    def _speak(self, text: str) -> tuple[np.ndarray, int]:
        with tempfile.TemporaryDirectory(prefix="audiogen-pyttsx3-") as folder:
            path = Path(folder) / "utterance.wav"
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
