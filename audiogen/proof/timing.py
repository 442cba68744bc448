"""Heard words placed on the narration's clock, and the evidence that time and sound give
beside the words themselves.

A stretch the recognizer hears is made of pieces of the narration joined by silence;
``ClipMap`` takes a time in the stretch back to the narration. With the words placed,
three kinds of fault are shown by more than text:

- a name the model does not write back: made to read the meant name over that span
  (forced scoring), the model finds it improbable — said wrong, not merely spelled its
  own way ("check this name");
- a word not said: its span in the narration's own word timings is empty (the voice
  gave it no time), or no heard word lies over it;
- a word said twice: the two heard copies *sound* alike (their spectra, aligned in time)
  where a recognizer's stutter over one word splits one sound in two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np

from audiogen.proof.fold import fold
from audiogen.proof.listen import SAMPLE_RATE, HeardWord

#: a name the model, made to read it over its span, gives less than this is doubted when
#: what was heard there sounds less like it than ``NAME_SOUNDS_LIKE``, and whatever was
#: heard below ``NAME_UNLIKELY``
NAME_PROBABILITY = 0.35
NAME_SOUNDS_LIKE = 0.75
NAME_UNLIKELY = 0.02
#: two stretches of sound at most this far apart (mean spectral distance along their best
#: alignment) are the same word said again
SAME_SOUND = 0.3
#: a pause between two words at least this long, holding sound at most this much below
#: the sentence's speech, is looked at: a word said again where the voice had a pause
PAUSE_MS = 120
_SOUND_IN_PAUSE_DB = 14.0
#: a meant word given less time than this by the voice was not said
SILENT_MS = 40


@dataclass(frozen=True)
class Placed:
    """A word on the narration's clock (milliseconds) with the model's probability."""

    text: str
    start_ms: int
    end_ms: int
    probability: float


class ClipMap:
    """Where each piece of a joined clip came from: ``pieces`` holds, per piece, its first
    sample in the clip, its first sample in the narration, and its length."""

    def __init__(self, pieces: list[tuple[int, int, int]]) -> None:
        self.pieces = pieces

    def to_ms(self, seconds: float) -> int:
        at = seconds * SAMPLE_RATE
        chosen = self.pieces[0] if self.pieces else (0, 0, 0)
        for piece in self.pieces:
            if at >= piece[0] - SAMPLE_RATE * 0.05:  # a word placed a hair before its piece
                chosen = piece
        clip_start, narration_start, length = chosen
        inside = min(max(at - clip_start, 0.0), float(length))
        return round((narration_start + inside) * 1000 / SAMPLE_RATE)

    def place(self, words: list[HeardWord]) -> list[Placed]:
        return [Placed(w.text.strip(), self.to_ms(w.start), self.to_ms(w.end), w.probability) for w in words]


def forced_by_sentence(forced: list[HeardWord], texts: list[str], clip_map: ClipMap) -> list[list[Placed]]:
    """The forced reading's words shared out among the sentences whose texts were joined
    (by a space) to make it: each word goes to the sentence its characters fall in. Empty
    lists when the words do not spell the text back (the tokenizer changed it)."""
    out: list[list[Placed]] = [[] for _ in texts]
    joined = " " + " ".join(text.strip() for text in texts)
    if "".join(w.text for w in forced) != joined:
        return out
    bounds, position = [], 1
    for text in texts:
        bounds.append(position + len(text.strip()))
        position += len(text.strip()) + 1
    position = 0
    for word in forced:
        middle = position + len(word.text) / 2
        position += len(word.text)
        owner = next((i for i, end in enumerate(bounds) if middle <= end), len(texts) - 1)
        out[owner].append(
            Placed(word.text.strip(), clip_map.to_ms(word.start), clip_map.to_ms(word.end), word.probability)
        )
    return out


def doubtful_names(
    names: frozenset[str], forced: list[Placed], heard: list[str], likeness: Callable[[str, int, int], float]
) -> list[Placed]:
    """The names of a sentence not heard as written (``heard``: its folded words) that the
    model, made to read them there, finds improbable: very improbable, or improbable and
    heard as something that sounds otherwise (``likeness`` of the name to what was heard
    over its span, 0 to 1). A name a recognizer does not know is written its own way but
    sounds the same; a name said wrong sounds different and reads worse."""
    out = []
    heard_set = set(heard)
    for word in forced:
        bare = word.text.strip(".,;:!?\"'\u201c\u201d\u2018\u2019()").lower()
        if bare not in names or word.probability >= NAME_PROBABILITY:
            continue
        if all(token in heard_set for token in fold(bare)):
            continue  # written back as meant: the model only doubted its spelling
        if word.probability < NAME_UNLIKELY or likeness(bare, word.start_ms, word.end_ms) < NAME_SOUNDS_LIKE:
            out.append(word)
    return out


def not_said(span: tuple[int, int, str] | None, heard: list[Placed]) -> bool:
    """Whether a meant word (its span in the narration's word timings) was not said: the
    voice gave it no time, or no heard word covers half of it."""
    if span is None:
        return False
    start, end, _ = span
    if end - start < SILENT_MS:
        return True
    covered = sum(max(0, min(end, w.end_ms) - max(start, w.start_ms)) for w in heard)
    return covered < (end - start) / 2


def copies(word: str, heard: list[Placed], near: tuple[int, int]) -> tuple[Placed, Placed] | None:
    """Two heard words in a row that fold to ``word``, within ``near`` (ms)."""
    placed = [w for w in heard if w.end_ms >= near[0] and w.start_ms <= near[1]]
    for one, two in pairwise(placed):
        if fold(one.text) == [word] and fold(two.text) == [word]:
            return one, two
    return None


def echoes(samples: np.ndarray, words: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Sounds in the pauses between a sentence's words (ms on the narration's clock) that
    are a neighbouring word said again: (start, end, the word)."""
    if len(words) < 2:
        return []
    speech = _level(samples, words[0][0], words[-1][1])
    out = []
    for (start, end, text), (after_start, after_end, after_text) in pairwise(words):
        if after_start - end < PAUSE_MS or _level(samples, end + 20, after_start - 20) < speech - _SOUND_IN_PAUSE_DB:
            continue
        for span, said in (((start, end), text), ((after_start, after_end), after_text)):
            if sound_distance(samples, span, (end, after_start)) <= SAME_SOUND:
                out.append((end, after_start, said))
                break
    return out


#: a word given this many times the narration's usual time per letter may hold itself twice
LONG_WORD = 1.6
_SPLITS = (0.4, 0.45, 0.5, 0.55, 0.6)


def letter_time(words: list[tuple[int, int, str]]) -> float:
    """The narration's usual time per letter (ms): the median over its words."""
    rates = [(end - start) / len(letters) for start, end, text in words if (letters := _letters(text))]
    return float(np.median(rates)) if rates else 0.0


def doubled(samples: np.ndarray, words: list[tuple[int, int, str]], per_letter: float) -> list[tuple[int, int, str]]:
    """Words whose span holds the same sound twice (a word said again within the time
    the voice gave it): unusually long for their letters, and the two halves alike."""
    out = []
    for start, end, text in words:
        letters = _letters(text)
        if len(letters) < 4 or per_letter <= 0 or (end - start) < LONG_WORD * per_letter * len(letters):
            continue
        length = end - start
        splits = (start + round(length * share) for share in _SPLITS)
        if min(sound_distance(samples, (start, at), (at, end)) for at in splits) <= SAME_SOUND:
            out.append((start, end, text))
    return out


def _letters(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def _level(samples: np.ndarray, start_ms: int, end_ms: int) -> float:
    """The RMS level (dB) of a span."""
    piece = samples[max(0, start_ms * SAMPLE_RATE // 1000) : max(0, end_ms * SAMPLE_RATE // 1000)]
    if piece.size == 0:
        return -120.0
    return float(10 * np.log10(np.mean(piece.astype(np.float64) ** 2) + 1e-12))


def sound_distance(samples: np.ndarray, one: tuple[int, int], two: tuple[int, int]) -> float:
    """How different two stretches of the narration sound (ms spans): the mean distance
    of their log-mel spectra along the best alignment in time (0: the same sound)."""
    a, b = _spectra(samples, *one), _spectra(samples, *two)
    if a.shape[0] < 3 or b.shape[0] < 3:
        return float("inf")
    cost = 1.0 - a @ b.T  # cosine distance of unit rows
    rows, columns = cost.shape
    total = np.full((rows + 1, columns + 1), np.inf)
    total[0, 0] = 0.0
    steps = np.zeros((rows + 1, columns + 1), dtype=np.int32)
    for i in range(1, rows + 1):
        for j in range(1, columns + 1):
            options = (total[i - 1, j - 1], total[i - 1, j], total[i, j - 1])
            best = int(np.argmin(options))
            total[i, j] = cost[i - 1, j - 1] + options[best]
            steps[i, j] = steps[(i - 1, i - 1, i)[best], (j - 1, j, j - 1)[best]] + 1
    return float(total[rows, columns] / max(steps[rows, columns], 1))


_HOP = SAMPLE_RATE // 100
_FRAME = SAMPLE_RATE // 40


def _spectra(samples: np.ndarray, start_ms: int, end_ms: int) -> np.ndarray:
    """Mean-removed, unit-length log-mel spectra (40 bands, 10 ms apart) of a span."""
    piece = samples[max(0, start_ms * SAMPLE_RATE // 1000) : end_ms * SAMPLE_RATE // 1000].astype(np.float64)
    count = 1 + (piece.size - _FRAME) // _HOP if piece.size >= _FRAME else 0
    if count <= 0:
        return np.zeros((0, 40))
    index = np.arange(_FRAME)[None, :] + _HOP * np.arange(count)[:, None]
    frames = piece[index] * np.hanning(_FRAME)
    power = np.abs(np.fft.rfft(frames, n=512, axis=1)) ** 2
    mel = np.log(power @ _mel_bank().T + 1e-8)
    mel -= mel.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(mel, axis=1, keepdims=True)
    unit: np.ndarray = mel / np.where(norms > 0, norms, 1.0)
    return unit


@lru_cache(maxsize=1)
def _mel_bank(bands: int = 40) -> Any:
    def mel(hz: np.ndarray) -> np.ndarray:
        return 2595 * np.log10(1 + hz / 700)

    edges = 700 * (10 ** (np.linspace(mel(np.array(60.0)), mel(np.array(7600.0)), bands + 2) / 2595) - 1)
    bins = np.fft.rfftfreq(512, 1 / SAMPLE_RATE)
    bank = np.zeros((bands, bins.size))
    for band in range(bands):
        low, middle, high = edges[band : band + 3]
        rising = (bins - low) / (middle - low)
        falling = (high - bins) / (high - middle)
        bank[band] = np.clip(np.minimum(rising, falling), 0, None)
    return bank
