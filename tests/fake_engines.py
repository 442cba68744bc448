"""A speech engine for tests: speaks a tone as long as the text, and misbehaves on cue.

Markers in a sentence make it crash the worker (``[crash]``), crash only the first time
(``[crash-once]``, remembered in the file named by ``AUDIOGEN_FAKE_STATE``), hang
(``[hang]``), take half a second (``[slow]``), return no audio (``[empty]``) or raise an
engine error (``[fail]``).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from audiogen.article import Clip
from audiogen.backends.base import Backend, SynthesisOptions, VoiceInfo
from audiogen.errors import BackendError, VoiceError

RATE = 16000
MS_PER_CHAR = 12
EDGE_SILENCE_MS = 60


def tone_for(text: str, rate: int = RATE) -> np.ndarray:
    """What the fake engine says for ``text``: silence, a tone, silence."""
    length = len(text) * MS_PER_CHAR * rate // 1000
    t = np.arange(length) / rate
    tone = (0.5 * 32767 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
    edge = np.zeros(EDGE_SILENCE_MS * rate // 1000, dtype=np.int16)
    return np.concatenate([edge, tone, edge])


class FakeBackend(Backend):
    name = "fake"
    default_voice = "tone"

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo(engine="fake", id="tone", name="Test tone", language="en")]

    def prepare(self, voice: str) -> None:
        if voice not in ("tone", "tone-8k"):
            raise VoiceError(f"no fake voice '{voice}'")

    def synthesize(self, sentences: Iterable[str], options: SynthesisOptions) -> Iterator[Clip]:
        self.prepare(options.voice)
        rate = 8000 if options.voice == "tone-8k" else RATE
        for text in sentences:
            if "[crash]" in text:
                os.kill(os.getpid(), signal.SIGKILL)
            if "[crash-once]" in text:
                state = Path(os.environ["AUDIOGEN_FAKE_STATE"])
                if not state.exists():
                    state.write_text("crashed")
                    os.kill(os.getpid(), signal.SIGKILL)
            if "[hang]" in text:
                time.sleep(3600)
            if "[slow]" in text:
                time.sleep(0.5)
            if "[fail]" in text:
                raise BackendError("the fake engine refused")
            if "[empty]" in text:
                yield Clip(samples=np.zeros(0, dtype=np.int16), sample_rate=rate, text=text)
                continue
            yield Clip(samples=tone_for(text, rate), sample_rate=rate, text=text, words=_words(text, rate, options))
            _count_call()


def _words(text: str, rate: int, options: SynthesisOptions) -> tuple[tuple[int, int, str], ...]:
    """With word timings asked for: each word where its characters are in the tone."""
    if not options.word_timings:
        return ()
    edge = EDGE_SILENCE_MS * rate // 1000
    out = []
    position = 0
    for word in text.split(" "):
        start = edge + position * MS_PER_CHAR * rate // 1000
        end = edge + (position + len(word)) * MS_PER_CHAR * rate // 1000
        if word:
            out.append((start, end, word))
        position += len(word) + 1
    return tuple(out)


def _count_call() -> None:
    """Count sentences spoken, in the file named by ``AUDIOGEN_FAKE_COUNT`` (when set)."""
    path = os.environ.get("AUDIOGEN_FAKE_COUNT")
    if path:
        with open(path, "a") as out:
            out.write("x")
