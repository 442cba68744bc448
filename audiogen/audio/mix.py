"""Music under the narration and the final mix: the voice at the level of each span
(other voices and inserts matched to the narrator), plus the music bed, ducked while
someone speaks."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audiogen.article import Narration
from audiogen.audio.master import LoudnessMeter, db_to_gain
from audiogen.audio.pcm import decode_audio_file

#: music alone before the first words and after the last ones
MUSIC_LEAD_MS = 2000
MUSIC_TAIL_MS = 3000
#: how far the music rises, when nobody speaks, above its level under speech
MUSIC_RISE_DB = 10.0
#: ducking ramps, and the shortest gap in the speech for which the music comes up
DUCK_RAMP_MS = 400
DUCK_GAP_MS = 2500


@dataclass
class MusicBed:
    """Music under the narration, looped, at ``under`` gain while someone speaks and
    ``over`` gain in the lead-in, the tail and long gaps, with ramps between."""

    samples: npt.NDArray[np.float32]
    start: int
    end: int
    under: float
    over: float
    #: (start, end) sample ranges where someone speaks
    ducked: list[tuple[int, int]] = field(default_factory=list)
    ramp: int = 0

    def render(self, start: int, count: int) -> npt.NDArray[np.float32]:
        out = np.zeros(count, dtype=np.float32)
        begin, end = max(start, self.start), min(start + count, self.end)
        if end <= begin or self.samples.size == 0:
            return out
        positions = np.arange(begin, end)
        music = self.samples[(positions - self.start) % self.samples.size]
        duck = np.zeros(end - begin, dtype=np.float32)
        for low, high in self.ducked:
            if high + self.ramp < begin or low - self.ramp > end:
                continue
            # 0 far from speech, 1 inside it, linear ramps either side
            rise = np.clip((positions - (low - self.ramp)) / max(self.ramp, 1), 0, 1)
            fall = np.clip(((high + self.ramp) - positions) / max(self.ramp, 1), 0, 1)
            duck = np.maximum(duck, np.minimum(rise, fall).astype(np.float32))
        gain = self.over + (self.under - self.over) * duck
        # fade in over the first ramp and out over the tail
        fade_in = np.clip((positions - self.start) / max(self.ramp, 1), 0, 1)
        fade_out = np.clip((self.end - positions) / max(4 * self.ramp, 1), 0, 1)
        out[begin - start : end - start] = music * gain * fade_in * fade_out
        return out


def mix(narration: Narration, start: int, count: int) -> npt.NDArray[np.float32]:
    """The narration's final mix for ``count`` samples from ``start``, as floats (1.0 is
    full scale): the voice at the level of its span, plus the music bed."""
    out = narration.audio.read(start, count).astype(np.float32) / 32768.0
    for span in narration.spans:
        low, high = max(span.start, start), min(span.end, start + count)
        if high > low:
            out[low - start : high - start] *= span.gain
    if narration.music is not None:
        out += narration.music.render(start, count)
    return out


def music_bed(
    path: str | Path, rate: int, runs: list[tuple[int, int, str]], speech_level: float, end: int, level_db: float
) -> MusicBed:
    """``path`` looped under the narration from the end of the intro to ``end``: at
    ``level_db`` below the voice (``speech_level``, LUFS) while someone speaks (the
    ``runs`` of each source), ``MUSIC_RISE_DB`` louder alone."""
    samples = decode_audio_file(path, rate, what="music file")
    music = samples.astype(np.float32) / 32768.0
    meter = LoudnessMeter(rate)
    meter.add(music)
    music_level = meter.integrated()
    if math.isinf(music_level) or math.isinf(speech_level):
        under = 0.0
    else:
        under = db_to_gain(speech_level + level_db - music_level)
    over = under * db_to_gain(MUSIC_RISE_DB)
    speech_runs = [(a, b) for a, b, source in runs if source not in ("intro", "outro")]
    gap = DUCK_GAP_MS * rate // 1000
    ducked: list[tuple[int, int]] = []
    for low, high in speech_runs:
        if ducked and low - ducked[-1][1] < gap:
            ducked[-1] = (ducked[-1][0], high)
        else:
            ducked.append((low, high))
    intro_end = max((b for _, b, source in runs if source == "intro"), default=0)
    return MusicBed(
        samples=music,
        start=intro_end,
        end=end,
        under=under,
        over=over,
        ducked=ducked,
        ramp=DUCK_RAMP_MS * rate // 1000,
    )
