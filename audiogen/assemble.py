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
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audiogen.article import Chapter, Clip, Cue, LevelSpan, Narration, Script, ScriptPart, Sentence, Word
from audiogen.audio.master import LoudnessMeter, db_to_gain
from audiogen.audio.mix import MUSIC_LEAD_MS, MUSIC_TAIL_MS, MusicBed, music_bed
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
    timeline = _Timeline(measure=measure, blocks=blocks and music is None, on_audio=on_audio, on_block=on_block)
    order = list(script.sentences())
    clip_iter = iter(clips)
    for number, (part_index, sentence_index, sentence) in enumerate(order):
        clip = next(clip_iter, None)
        if clip is None:
            raise ValueError("fewer clips than sentences in the script")
        if number == 0:
            timeline.open(clip.sample_rate, intro=intro, music_lead=music is not None)
        part = script.parts[part_index]
        timeline.add_sentence(clip, part, part_index, sentence_index, sentence, last=number + 1 == len(order))
    if next(clip_iter, None) is not None:
        raise ValueError("more clips than sentences in the script")
    return timeline.close(script, outro=outro, music=music, music_level_db=music_level_db)


class _Timeline:
    """The narration as it is laid down: the samples (in a ``PcmBuffer``), what was
    written where and by whom (for level matching and music ducking), the cues, the
    headings' starts and the MP3 block boundaries."""

    def __init__(
        self,
        *,
        measure: bool,
        blocks: bool,
        on_audio: Callable[[npt.NDArray[np.int16], int], None] | None,
        on_block: Callable[[int], None] | None,
    ) -> None:
        self.measure, self.blocks = measure, blocks
        self.on_audio, self.on_block = on_audio, on_block
        self.rate = 0
        self.buffer: PcmBuffer | None = None
        self.levels: _Levels | None = None
        self.meter: LoudnessMeter | None = None
        self.cues: list[Cue] = []
        self.heading_starts: list[tuple[int, str]] = []
        self.runs: list[tuple[int, int, str]] = []  # (start, end, source) of everything written
        self.boundaries: list[int] = []
        self.written = 0  # where the last write ended: what lies between is silence
        self.loudest = 0

    def open(self, rate: int, *, intro: str | Path | None, music_lead: bool) -> None:
        """Start at the first clip's sample rate, with the intro and the music's lead-in."""
        self.rate = rate
        self.buffer, self.levels, self.meter = PcmBuffer(rate), _Levels(rate), LoudnessMeter(rate)
        if self.on_audio is not None:
            self.buffer.listeners.append(self.on_audio)
        if intro is not None:
            self.write(_insert(intro, rate, "intro"), "intro")
            self.buffer.append_silence(INSERT_PAUSE_MS * rate // 1000)
        if music_lead:
            self.buffer.append_silence(MUSIC_LEAD_MS * rate // 1000)

    def write(self, samples: npt.NDArray[np.int16], source: str) -> tuple[int, int]:
        """Append ``samples`` from ``source``; where they start and end."""
        assert self.buffer is not None and self.levels is not None and self.meter is not None
        start = self.buffer.size
        silence = start - self.written
        if silence and self.measure:
            self.meter.add_silence(silence)
        self.buffer.append(samples)
        self.levels.add(source, samples)
        # measured now, while the engine works on the next sentence, not after the end
        if self.measure:
            self.meter.add(samples.astype(np.float64) / 32768.0)
        if samples.size:
            self.loudest = max(self.loudest, int(np.abs(samples.astype(np.int32)).max()))
        self.written = self.buffer.size
        if self.runs and self.runs[-1][2] == source and self.runs[-1][1] == start:
            self.runs[-1] = (self.runs[-1][0], self.buffer.size, source)
        else:
            self.runs.append((start, self.buffer.size, source))
        return start, self.buffer.size

    def add_sentence(
        self, clip: Clip, part: ScriptPart, part_index: int, sentence_index: int, sentence: Sentence, *, last: bool
    ) -> None:
        """One sentence's clip, trimmed and faded, its cue, and the pause after it (with
        a block boundary in it after a paragraph)."""
        assert self.buffer is not None
        rate = self.rate
        samples = resample(clip.samples, clip.sample_rate, rate)
        low, high = trim_bounds(samples, rate)
        audio = fade_edges(samples[low:high], rate)
        if part.kind == "heading" and sentence_index == 0:
            self.heading_starts.append((self.buffer.size, " ".join(s.display for s in part.sentences)))
        start, end = self.write(audio, clip.source or SPEECH)
        self.cues.append(
            Cue(
                start_ms=_ms(start, rate),
                end_ms=_ms(end, rate),
                part_index=part_index,
                segment_index=part.segment_index,
                sentence_index=sentence_index,
                kind=part.kind,
                text=sentence.display,
                words=_words(clip, rate, low, start, end, sentence.display),
                voice=sentence.voice or part.voice,
            )
        )
        pause = sentence.pause_after_ms * rate // 1000
        if self.blocks and sentence_index == len(part.sentences) - 1 and not last:
            boundary = _block_boundary(self.buffer.size, pause, self.boundaries[-1] if self.boundaries else 0, rate)
            if boundary is not None:
                self.buffer.append_silence(boundary - self.buffer.size)
                self.boundaries.append(boundary)
                if self.on_block is not None:
                    self.on_block(boundary)
                pause = block_lead(rate)
        self.buffer.append_silence(pause)

    def close(
        self, script: Script, *, outro: str | Path | None, music: str | Path | None, music_level_db: float
    ) -> Narration:
        """The music's tail and the outro; levels matched, music laid under; the narration."""
        if self.buffer is None or self.levels is None:
            self.rate = 22050
            self.buffer, self.levels = PcmBuffer(self.rate), _Levels(self.rate)
        rate, buffer = self.rate, self.buffer
        speech_end = buffer.size
        if music is not None and self.cues:
            buffer.append_silence(MUSIC_TAIL_MS * rate // 1000)
        music_end = buffer.size
        if outro is not None:
            if music is None:
                buffer.append_silence(max(INSERT_PAUSE_MS * rate // 1000 - (buffer.size - speech_end), 0))
            self.write(_insert(outro, rate, "outro"), "outro")
        self.levels.measure(buffer, self.runs, all_sources=music is not None)
        bed: MusicBed | None = None
        if music is not None and self.cues:
            bed = music_bed(music, rate, self.runs, self.levels.reference()[1], music_end, music_level_db)
        gains = self.levels.gains()
        spans = [LevelSpan(start, end, gains[source]) for start, end, source in self.runs if source in gains]
        total = buffer.size
        measured = None
        if self.meter is not None and self.measure and not spans and bed is None:
            self.meter.add_silence(total - self.written)
            measured = (self.meter.integrated(), self.loudest / 32768.0)
        return Narration(
            audio=buffer,
            sample_rate=rate,
            cues=self.cues,
            chapters=_chapters(self.heading_starts, total, rate, script.title),
            title=script.title,
            language=script.language,
            spans=spans,
            music=bed,
            measured=measured,
            blocks=self.boundaries,
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
