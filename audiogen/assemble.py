"""Clips → Narration: one sentence after another with pauses by structure, plus the
cues (when each sentence is heard) and chapters (one per heading, after an intro).

Everything is counted in samples and turned into milliseconds only for the cues, so a
pause is exactly what the preset says and timings never drift over a long article.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import numpy.typing as npt

from audiogen.article import Chapter, Clip, Cue, Narration, Script

#: a sample quieter than this share of the clip's peak counts as silence at the edges
SILENCE_THRESHOLD = 0.03
#: kept before the first and after the last sound, so consonants are not clipped
EDGE_KEEP_MS = (15, 40)
FADE_MS = 5
INTRO_CHAPTER = "Introduction"


def trim_silence(samples: npt.NDArray[np.int16], sample_rate: int) -> npt.NDArray[np.int16]:
    """Drop the engine's leading and trailing silence; the preset's pauses replace it."""
    if samples.size == 0:
        return samples
    level = np.abs(samples.astype(np.int32))
    threshold = max(int(level.max() * SILENCE_THRESHOLD), 64)
    loud = np.flatnonzero(level > threshold)
    if loud.size == 0:
        return samples[:0]
    start = max(int(loud[0]) - EDGE_KEEP_MS[0] * sample_rate // 1000, 0)
    end = min(int(loud[-1]) + 1 + EDGE_KEEP_MS[1] * sample_rate // 1000, samples.size)
    return samples[start:end]


def fade_edges(samples: npt.NDArray[np.int16], sample_rate: int) -> npt.NDArray[np.int16]:
    """Short linear fades so a clip never starts or stops mid-wave (no click at joins)."""
    length = min(FADE_MS * sample_rate // 1000, samples.size // 2)
    if length == 0:
        return samples
    out = samples.astype(np.float32)
    ramp = np.linspace(0.0, 1.0, length, endpoint=False, dtype=np.float32)
    out[:length] *= ramp
    out[-length:] *= ramp[::-1]
    return out.astype(np.int16)


def resample(samples: npt.NDArray[np.int16], from_rate: int, to_rate: int) -> npt.NDArray[np.int16]:
    if from_rate == to_rate or samples.size == 0:
        return samples
    count = round(samples.size * to_rate / from_rate)
    positions = np.linspace(0, samples.size - 1, count)
    return np.interp(positions, np.arange(samples.size), samples.astype(np.float32)).astype(np.int16)


def assemble(script: Script, clips: Iterable[Clip]) -> Narration:
    """Join one clip per script sentence (in ``script.sentences()`` order)."""
    chunks: list[npt.NDArray[np.int16]] = []
    cues: list[Cue] = []
    rate = 0
    position = 0  # in samples
    heading_starts: list[tuple[int, str]] = []
    clip_iter: Iterator[Clip] = iter(clips)
    for part_index, sentence_index, sentence in script.sentences():
        clip = next(clip_iter, None)
        if clip is None:
            raise ValueError("fewer clips than sentences in the script")
        rate = rate or clip.sample_rate
        audio = fade_edges(trim_silence(resample(clip.samples, clip.sample_rate, rate), rate), rate)
        part = script.parts[part_index]
        if part.kind == "heading" and sentence_index == 0:
            heading_starts.append((position, " ".join(s.display for s in part.sentences)))
        start = position
        chunks.append(audio)
        position += audio.size
        cues.append(
            Cue(
                start_ms=_ms(start, rate),
                end_ms=_ms(position, rate),
                part_index=part_index,
                segment_index=part.segment_index,
                sentence_index=sentence_index,
                kind=part.kind,
                text=sentence.display,
            )
        )
        pause = sentence.pause_after_ms * rate // 1000
        if pause:
            chunks.append(np.zeros(pause, dtype=np.int16))
            position += pause
    if next(clip_iter, None) is not None:
        raise ValueError("more clips than sentences in the script")
    rate = rate or 22050
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    return Narration(
        samples=samples,
        sample_rate=rate,
        cues=cues,
        chapters=_chapters(heading_starts, position, rate, script.title),
        title=script.title,
        language=script.language,
    )


def _chapters(heading_starts: list[tuple[int, str]], total: int, rate: int, title: str) -> list[Chapter]:
    """An intro chapter (notice and title) and one chapter per heading."""
    starts = [(0, title or INTRO_CHAPTER)] + [h for h in heading_starts if h[0] > 0]
    chapters = []
    for index, (start, name) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else total
        chapters.append(Chapter(start_ms=_ms(start, rate), end_ms=_ms(end, rate), title=name))
    return chapters


def _ms(samples: int, rate: int) -> int:
    return samples * 1000 // rate
