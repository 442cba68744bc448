from __future__ import annotations

import itertools

import numpy as np
from fake_engines import MS_PER_CHAR, RATE, tone_for

from audiogen import Article, Clip, Pauses, Segment, build_script
from audiogen.assemble import FADE_MS, assemble, fade_edges, resample, trim_silence
from audiogen.audio.mp3splice import block_lead, block_tail, frame_samples

PAUSES = Pauses(notice=900, title=1000, heading=800, sentence=250, paragraph=700, quote=600, list_item=400)


def _script():  # type: ignore[no-untyped-def]
    article = Article(
        title="A Title",
        segments=[
            Segment("paragraph", "First sentence here. Second one."),
            Segment("heading", "Part two", level=2),
            Segment("paragraph", "Closing words."),
        ],
    )
    return build_script(article, PAUSES)


def _clips(script, rate: int = RATE) -> list[Clip]:  # type: ignore[no-untyped-def]
    return [Clip(tone_for(s.spoken, rate), rate, s.spoken) for _, _, s in script.sentences()]


def test_trim_removes_edge_silence_but_keeps_the_sound() -> None:
    clip = tone_for("x" * 50)
    trimmed = trim_silence(clip, RATE)
    sound = 50 * MS_PER_CHAR * RATE // 1000
    assert sound <= trimmed.size < clip.size
    assert trimmed.size <= sound + (15 + 40) * RATE // 1000 + 1
    assert trim_silence(np.zeros(100, dtype=np.int16), RATE).size == 0


def test_fades_start_and_end_at_silence() -> None:
    faded = fade_edges(np.full(RATE, 10000, dtype=np.int16), RATE)
    assert faded[0] == 0
    assert abs(int(faded[-1])) < 10000 * 2 / (FADE_MS * RATE / 1000)
    assert faded[RATE // 2] == 10000


def test_pauses_are_whole_samples_from_the_preset() -> None:
    script = _script()
    narration = assemble(script, _clips(script), blocks=False)
    assert narration.blocks == []
    assert narration.sample_rate == RATE
    sentences = [s for _, _, s in script.sentences()]
    trimmed = [trim_silence(tone_for(s.spoken), RATE).size for s in sentences]
    expected = sum(trimmed) + sum(s.pause_after_ms * RATE // 1000 for s in sentences)
    assert narration.samples.size == expected
    # the gap between two cues is exactly the pause after the first (to the millisecond)
    cues = narration.cues
    for cue, following, sentence in zip(cues, cues[1:], sentences, strict=False):
        gap = following.start_ms - cue.end_ms
        assert abs(gap - sentence.pause_after_ms) <= 1


def test_paragraph_pauses_end_blocks_on_the_mp3_frame_grid() -> None:
    script = _script()
    heard: list[int] = []
    narration = assemble(script, _clips(script), on_block=heard.append)
    frame, lead, tail = frame_samples(RATE), block_lead(RATE), block_tail(RATE)
    samples = narration.samples
    parts = list(script.parts)
    # one boundary after every part but the last, each heard before the audio after it
    assert narration.blocks == heard
    assert len(narration.blocks) == len(parts) - 1
    starts = [0, *narration.blocks]
    for start, end in itertools.pairwise(starts):
        assert (end - start) % frame == 0
        assert not samples[end - tail : end].any()
        assert not samples[end : end + lead].any()
        assert samples[end + lead : end + lead + frame].any()  # the next words begin there
    # each paragraph pause is the preset's, rounded up by less than a frame
    sentences = [s for _, _, s in script.sentences()]
    cues = narration.cues
    for cue, following, sentence in zip(cues, cues[1:], sentences, strict=False):
        gap = (following.start_ms - cue.end_ms) * RATE / 1000
        assert (
            sentence.pause_after_ms * RATE / 1000 - RATE / 1000
            <= gap
            < sentence.pause_after_ms * RATE / 1000 + frame + RATE / 1000
        )


def test_a_paragraph_block_is_the_same_wherever_it_lies() -> None:
    """An edit before a paragraph moves it, but its block (from one boundary to the
    next) keeps the very same samples: that is what lets its encoded MP3 be reused."""
    script = _script()
    clips = _clips(script)
    longer = [*clips]
    longer[2] = Clip(np.concatenate((clips[2].samples, tone_for("a few more words"))), RATE, clips[2].text)
    first = assemble(script, clips)
    second = assemble(script, longer)
    assert first.blocks[:2] == second.blocks[:2]
    assert first.blocks[2] != second.blocks[2]

    def block(narration, index):  # type: ignore[no-untyped-def]
        edges = [0, *narration.blocks, narration.audio.size]
        return narration.samples[edges[index] : edges[index + 1]]

    assert np.array_equal(block(first, 1), block(second, 1))
    assert not np.array_equal(block(first, 2), block(second, 2))
    assert np.array_equal(block(first, 3), block(second, 3))
    assert np.array_equal(block(first, 4), block(second, 4))


def test_cues_follow_the_script_and_chapters_follow_headings() -> None:
    script = _script()
    narration = assemble(script, _clips(script))
    assert [c.kind for c in narration.cues] == ["notice", "title", "paragraph", "paragraph", "heading", "paragraph"]
    assert [c.text for c in narration.cues][2:4] == ["First sentence here.", "Second one."]
    assert all(a.end_ms <= b.start_ms for a, b in zip(narration.cues, narration.cues[1:], strict=False))
    assert narration.cues[-1].end_ms <= narration.duration_ms
    assert [c.title for c in narration.chapters] == ["A Title", "Part two"]
    assert narration.chapters[0].start_ms == 0
    assert narration.chapters[1].start_ms == narration.cues[4].start_ms
    assert narration.chapters[-1].end_ms == narration.duration_ms


def test_clips_at_another_rate_are_resampled() -> None:
    script = _script()
    clips = _clips(script)
    clips[3] = Clip(tone_for(clips[3].text, 8000), 8000, clips[3].text)
    narration = assemble(script, clips)
    cue = narration.cues[3]
    expected_ms = len(clips[3].text) * MS_PER_CHAR
    assert abs((cue.end_ms - cue.start_ms) - expected_ms) <= 60
    assert resample(np.arange(100, dtype=np.int16), 8000, 16000).size == 200
