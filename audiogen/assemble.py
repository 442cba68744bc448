"""Clips → Narration: one sentence after another with pauses by structure, plus the
cues (when each sentence is heard) and chapters (one per heading, after an intro).

Everything is counted in samples and turned into milliseconds only for the cues, so a
pause is exactly what the preset says and timings never drift over a long article.
Clips are trimmed of the engine's own edge silence, faded in and out over a few
milliseconds (no click at a join), and written to a temporary file as they come, so a
long narration never sits in memory whole. Clips from different voices, and the intro
and outro files, are measured (BS.1770) on the way and matched to the main voice's
level; background music is laid under the speech and ducked while someone speaks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audiogen.article import Chapter, Clip, Cue, LevelSpan, Narration, Script, Word
from audiogen.audio.master import LoudnessMeter, db_to_gain
from audiogen.audio.mp3splice import block_lead, block_tail, frame_samples
from audiogen.audio.pcm import CHUNK, PcmBuffer, decode_audio_file, resample

#: a sample quieter than this share of the clip's peak counts as silence at the edges
SILENCE_THRESHOLD = 0.03
#: kept before the first and after the last sound, so consonants are not clipped
EDGE_KEEP_MS = (15, 40)
FADE_MS = 5
INTRO_CHAPTER = "Introduction"
#: silence between an intro file and the first words, and between the last words and an outro
INSERT_PAUSE_MS = 500
#: music alone before the first words and after the last ones
MUSIC_LEAD_MS = 2000
MUSIC_TAIL_MS = 3000
#: how far the music rises, when nobody speaks, above its level under speech
MUSIC_RISE_DB = 10.0
#: ducking ramps, and the shortest gap in the speech for which the music comes up
DUCK_RAMP_MS = 400
DUCK_GAP_MS = 2500
MAX_LEVEL_MATCH_DB = 20.0
SPEECH = "speech"


def trim_bounds(samples: npt.NDArray[np.int16], sample_rate: int) -> tuple[int, int]:
    """Where the sound starts and ends, keeping a little room around it."""
    if samples.size == 0:
        return 0, 0
    level = np.abs(samples.astype(np.int32))
    threshold = max(int(level.max() * SILENCE_THRESHOLD), 64)
    loud = np.flatnonzero(level > threshold)
    if loud.size == 0:
        return 0, 0
    start = max(int(loud[0]) - EDGE_KEEP_MS[0] * sample_rate // 1000, 0)
    end = min(int(loud[-1]) + 1 + EDGE_KEEP_MS[1] * sample_rate // 1000, samples.size)
    return start, end


def trim_silence(samples: npt.NDArray[np.int16], sample_rate: int) -> npt.NDArray[np.int16]:
    """Drop the engine's leading and trailing silence; the preset's pauses replace it."""
    start, end = trim_bounds(samples, sample_rate)
    return samples[start:end]


def fade_edges(samples: npt.NDArray[np.int16], sample_rate: int, fade_ms: int = FADE_MS) -> npt.NDArray[np.int16]:
    """Short linear fades so a clip never starts or stops mid-wave (no click at joins)."""
    length = min(fade_ms * sample_rate // 1000, samples.size // 2)
    if length == 0:
        return samples
    out = samples.astype(np.float32)
    ramp = np.linspace(0.0, 1.0, length, endpoint=False, dtype=np.float32)
    out[:length] *= ramp
    out[-length:] *= ramp[::-1]
    return out.astype(np.int16)


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
    if isinstance(narration.music, MusicBed):
        out += narration.music.render(start, count)
    return out


class _Levels:
    """Loudness of each source (voice, intro, outro), measured once it is all written:
    from the runs of the buffer each one filled. A narration in one voice (the usual
    case) has nothing to match and is not measured here at all."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.lengths: dict[str, int] = {}
        self.levels: dict[str, float] = {}

    def add(self, source: str, samples: npt.NDArray[np.int16]) -> None:
        self.lengths[source] = self.lengths.get(source, 0) + int(samples.size)

    def measure(self, buffer: PcmBuffer, runs: list[tuple[int, int, str]], *, all_sources: bool = False) -> None:
        if len(self.lengths) < 2 and not all_sources:
            return
        meters: dict[str, LoudnessMeter] = {}
        for start, end, source in runs:
            meter = meters.setdefault(source, LoudnessMeter(self.rate))
            for position in range(start, end, CHUNK):
                meter.add(buffer.read(position, min(CHUNK, end - position)).astype(np.float64) / 32768.0)
        self.levels = {source: meter.integrated() for source, meter in meters.items()}

    def reference(self) -> tuple[str, float]:
        voices = [s for s in self.lengths if s not in ("intro", "outro")] or list(self.lengths)
        main = max(voices, key=lambda s: self.lengths[s]) if voices else SPEECH
        return main, self.levels.get(main, -math.inf)

    def gains(self) -> dict[str, float]:
        main, reference = self.reference()
        gains = {}
        for source, level in self.levels.items():
            if source == main or math.isinf(level) or math.isinf(reference):
                continue
            change = max(-MAX_LEVEL_MATCH_DB, min(MAX_LEVEL_MATCH_DB, reference - level))
            if abs(change) >= 0.1:
                gains[source] = db_to_gain(change)
        return gains


def assemble(
    script: Script,
    clips: Iterable[Clip],
    *,
    intro: str | Path | None = None,
    outro: str | Path | None = None,
    music: str | Path | None = None,
    music_level_db: float = -20.0,
    on_audio: Callable[[npt.NDArray[np.int16], int], None] | None = None,
    on_block: Callable[[int], None] | None = None,
    measure: bool = True,
    blocks: bool = True,
) -> Narration:
    """Join one clip per script sentence (in ``script.sentences()`` order), with an
    optional intro and outro file around them and music under them. ``on_audio`` is
    given every piece of the narration as it is laid down; ``measure=False`` skips
    measuring its loudness on the way (an ``on_audio`` encoder measures its own).

    With ``blocks``, the pause after each paragraph is rounded up to the MP3 frame grid
    (by at most one frame, 26 ms) and a block boundary is placed in it, so each
    paragraph can be encoded once and reused; ``on_block`` hears of each boundary
    before the samples after it are laid down. Music under the speech leaves no
    silence to cut in, so it turns them off."""
    buffer: PcmBuffer | None = None
    cues: list[Cue] = []
    rate = 0
    heading_starts: list[tuple[int, str]] = []
    runs: list[tuple[int, int, str]] = []  # (start, end, source) of everything written
    levels: _Levels | None = None
    clip_iter: Iterator[Clip] = iter(clips)
    written = [0]  # where the last write ended: what lies between is silence

    timeline: LoudnessMeter | None = None
    loudest = 0

    def write(samples: npt.NDArray[np.int16], source: str) -> tuple[int, int]:
        nonlocal loudest
        assert buffer is not None and levels is not None and timeline is not None
        start = buffer.size
        silence = start - written[0]
        if silence and measure:
            timeline.add_silence(silence)
        buffer.append(samples)
        levels.add(source, samples)
        # measured now, while the engine works on the next sentence, not after the end
        if measure:
            timeline.add(samples.astype(np.float64) / 32768.0)
        if samples.size:
            loudest = max(loudest, int(np.abs(samples.astype(np.int32)).max()))
        written[0] = buffer.size
        if runs and runs[-1][2] == source and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], buffer.size, source)
        else:
            runs.append((start, buffer.size, source))
        return start, buffer.size

    boundaries: list[int] = []
    order = list(script.sentences())
    blocks = blocks and music is None
    for number, (part_index, sentence_index, sentence) in enumerate(order):
        clip = next(clip_iter, None)
        if clip is None:
            raise ValueError("fewer clips than sentences in the script")
        if buffer is None:
            rate = clip.sample_rate
            buffer, levels, timeline = PcmBuffer(rate), _Levels(rate), LoudnessMeter(rate)
            if on_audio is not None:
                buffer.listeners.append(on_audio)
            if intro is not None:
                write(_insert(intro, rate, "intro"), "intro")
                buffer.append_silence(INSERT_PAUSE_MS * rate // 1000)
            if music is not None:
                buffer.append_silence(MUSIC_LEAD_MS * rate // 1000)
        samples = resample(clip.samples, clip.sample_rate, rate)
        low, high = trim_bounds(samples, rate)
        audio = fade_edges(samples[low:high], rate)
        part = script.parts[part_index]
        if part.kind == "heading" and sentence_index == 0:
            heading_starts.append((buffer.size, " ".join(s.display for s in part.sentences)))
        start, end = write(audio, clip.source or SPEECH)
        cues.append(
            Cue(
                start_ms=_ms(start, rate),
                end_ms=_ms(end, rate),
                part_index=part_index,
                segment_index=part.segment_index,
                sentence_index=sentence_index,
                kind=part.kind,
                text=sentence.display,
                words=_words(clip, rate, low, start, end, sentence.display),
            )
        )
        pause = sentence.pause_after_ms * rate // 1000
        last_in_part = sentence_index == len(part.sentences) - 1
        if blocks and last_in_part and number + 1 < len(order):
            boundary = _block_boundary(buffer.size, pause, boundaries[-1] if boundaries else 0, rate)
            if boundary is not None:
                buffer.append_silence(boundary - buffer.size)
                boundaries.append(boundary)
                if on_block is not None:
                    on_block(boundary)
                pause = block_lead(rate)
        buffer.append_silence(pause)
    if next(clip_iter, None) is not None:
        raise ValueError("more clips than sentences in the script")
    if buffer is None or levels is None:
        rate = 22050
        buffer, levels = PcmBuffer(rate), _Levels(rate)
    speech_end = buffer.size
    if music is not None and cues:
        buffer.append_silence(MUSIC_TAIL_MS * rate // 1000)
    music_end = buffer.size
    if outro is not None:
        if music is None:
            buffer.append_silence(max(INSERT_PAUSE_MS * rate // 1000 - (buffer.size - speech_end), 0))
        write(_insert(outro, rate, "outro"), "outro")
    levels.measure(buffer, runs, all_sources=music is not None)
    bed: MusicBed | None = None
    if music is not None and cues:
        bed = _music_bed(music, rate, runs, levels, music_end, music_level_db)
    gains = levels.gains()
    spans = [LevelSpan(start, end, gains[source]) for start, end, source in runs if source in gains]
    total = buffer.size
    measured = None
    if timeline is not None and measure and not spans and bed is None:
        timeline.add_silence(total - written[0])
        measured = (timeline.integrated(), loudest / 32768.0)
    return Narration(
        audio=buffer,
        sample_rate=rate,
        cues=cues,
        chapters=_chapters(heading_starts, total, rate, script.title),
        title=script.title,
        language=script.language,
        spans=spans,
        music=bed,
        measured=measured,
        blocks=boundaries,
    )


def _block_boundary(position: int, pause: int, block_start: int, rate: int) -> int | None:
    """Where, in a pause of ``pause`` samples from ``position``, the block begun at
    ``block_start`` ends; ``None`` when the pause is too short. The block's length is a
    whole number of frames, and the silence after the boundary is always one lead, so a
    paragraph's block does not change when an edit before it moves it."""
    frame, lead, tail = frame_samples(rate), block_lead(rate), block_tail(rate)
    if pause < lead + tail:
        return None
    end = position + pause - lead
    return end + -(end - block_start) % frame


def _insert(path: str | Path, rate: int, what: str) -> npt.NDArray[np.int16]:
    samples = decode_audio_file(path, rate, what=f"{what} file")
    low, high = trim_bounds(samples, rate)
    return fade_edges(samples[low:high], rate)


def _music_bed(
    path: str | Path, rate: int, runs: list[tuple[int, int, str]], levels: _Levels, end: int, level_db: float
) -> MusicBed:
    samples = decode_audio_file(path, rate, what="music file")
    music = samples.astype(np.float32) / 32768.0
    meter = LoudnessMeter(rate)
    meter.add(music)
    music_level = meter.integrated()
    _, speech_level = levels.reference()
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


def _words(clip: Clip, rate: int, trimmed: int, start: int, end: int, display: str) -> tuple[Word, ...]:
    """The clip's word timings on the narration's clock. Words are shown as written when
    the sentence has as many written words as spoken ones ("Macron", not its phonemes)."""
    if not clip.words:
        return ()
    scale = rate / clip.sample_rate
    written = display.split()
    names = written if len(written) == len(clip.words) else [w[2] for w in clip.words]
    out = []
    for (first, last, _), text in zip(clip.words, names, strict=True):
        a = min(max(start + round(first * scale) - trimmed, start), end)
        b = min(max(start + round(last * scale) - trimmed, a), end)
        out.append(Word(_ms(a, rate), _ms(b, rate), text))
    return tuple(out)


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
