"""Faults a recognizer does not write down, found in the audio itself: a burst of noise
inside speech, clipped samples, and a silence that stops a sentence in its middle.

A voice glitch or a damaged clip can still be transcribed right (Whisper hears words
through noise), so these are measured on the signal. Speech is voiced most of the time
and its unvoiced sounds are short and shaped ("s" is high hiss, "f" is soft); a burst of
noise is flat across the spectrum, carries no pitch, and lasts. Every measure is computed
for all frames at once (no loop over frames in Python).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: frames of 32 ms every 10 ms, at the recognizer's 16 kHz
FRAME = 512
HOP = 160
RATE = 16_000
#: a frame this flat (geometric over arithmetic mean of its power spectrum, 300 Hz-7 kHz),
#: without a pitch, and at least this loud against the sentence, sounds like noise
NOISE_FLATNESS = 0.45
NOISE_VOICING = 0.45
NOISE_LEVEL_DB = -14.0
#: noise over speech keeps the speech's pitch, but no sound of a voice is this flat for
#: 100 ms (measured on the speech benchmark's 42 sentences: at most 0.19 in Piper's voice,
#: none over 0.25 in Kokoro's or eSpeak NG's; noise added at a word's own level went over
#: 0.25 in three cases of four, at twice its level in all)
NOISE_OVER_SPEECH_FLATNESS = 0.25
#: and for this long at least
NOISE_MS = 100
#: a silence inside a sentence longer than this is a fault
SILENCE_MS = 1500
SILENCE_DB = -50.0
#: samples at full scale in a row that count as clipping
CLIPPED_RUN = 3


@dataclass(frozen=True)
class SignalFault:
    """A stretch of a sentence that sounds wrong (``kind`` ``noise``, as proof reports
    it): ``detail`` says whether a burst of noise, clipped samples or a silence."""

    kind: str
    start_ms: int
    end_ms: int
    detail: str


def signal_faults(samples: npt.NDArray[np.float32], start_ms: int, end_ms: int) -> list[SignalFault]:
    """The faults within one sentence's span of ``samples`` (16 kHz mono)."""
    first, last = start_ms * RATE // 1000, end_ms * RATE // 1000
    span = np.asarray(samples[first:last], dtype=np.float64)
    if span.size < FRAME * 2:
        return []
    faults = _clipping(span, start_ms)
    frames = _frames(span)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    speech = level > SILENCE_DB
    if not speech.any():
        return faults
    loud = np.percentile(level[speech], 90)
    flatness = _flatness(frames)
    noisy = ((flatness > NOISE_FLATNESS) & (_voicing(frames) < NOISE_VOICING)) | (flatness > NOISE_OVER_SPEECH_FLATNESS)
    noisy &= level > loud + NOISE_LEVEL_DB
    for begin, end in _runs(noisy, NOISE_MS):
        faults.append(SignalFault("noise", _ms(begin, start_ms), _ms(end, start_ms) + FRAME * 1000 // RATE, "noise"))
    spoken = np.flatnonzero(speech)
    inside = ~speech
    inside[: spoken[0]] = False
    inside[spoken[-1] + 1 :] = False
    for begin, end in _runs(inside, SILENCE_MS):
        faults.append(SignalFault("noise", _ms(begin, start_ms), _ms(end, start_ms), "a silence inside the sentence"))
    return sorted(faults, key=lambda fault: fault.start_ms)


def _frames(span: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    count = 1 + (span.size - FRAME) // HOP
    index = np.arange(FRAME)[None, :] + HOP * np.arange(count)[:, None]
    framed: npt.NDArray[np.float64] = span[index]
    return framed


def _flatness(frames: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    power = np.abs(np.fft.rfft(frames * np.hanning(FRAME), axis=1)) ** 2
    band = power[:, 300 * FRAME // RATE : 7000 * FRAME // RATE] + 1e-12
    return np.asarray(np.exp(np.mean(np.log(band), axis=1)) / np.mean(band, axis=1))


def _voicing(frames: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The strongest normalized autocorrelation at a pitch period (60-400 Hz)."""
    centred = frames - frames.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(centred, 2 * FRAME, axis=1)
    correlation = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :FRAME]
    energy = correlation[:, :1] + 1e-12
    low, high = RATE // 400, RATE // 60
    return np.asarray((correlation[:, low:high] / energy).max(axis=1))


def _clipping(span: npt.NDArray[np.float64], start_ms: int) -> list[SignalFault]:
    full = np.abs(span) >= 0.999
    if not full.any():
        return []
    return [
        SignalFault("noise", start_ms + begin * 1000 // RATE, start_ms + end * 1000 // RATE + 1, "clipped samples")
        for begin, end in _sample_runs(full, CLIPPED_RUN)
    ]


def _runs(flags: npt.NDArray[np.bool_], minimum_ms: int) -> list[tuple[int, int]]:
    """(first, last) frame of each run of ``flags`` lasting ``minimum_ms`` or more."""
    return [(a, b) for a, b in _sample_runs(flags, 1) if (b - a + 1) * HOP * 1000 // RATE >= minimum_ms]


def _sample_runs(flags: npt.NDArray[np.bool_], minimum: int) -> list[tuple[int, int]]:
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.diff(padded)
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a + 1 >= minimum]


def _ms(frame: int, start_ms: int) -> int:
    return start_ms + frame * HOP * 1000 // RATE
