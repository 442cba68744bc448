from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import webvtt
from audio_checks import decode
from fake_engines import RATE, tone_for
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.wave import WAVE

from audiogen import Article, Clip, Pauses, Segment, build_script
from audiogen.assemble import assemble
from audiogen.errors import ExportError
from audiogen.export import export_narration
from audiogen.export.sidecars import webvtt as to_webvtt
from audiogen.export.tags import DIGITAL_SOURCE_TYPE


def _ms(clock: str) -> int:
    hours, minutes, seconds = clock.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


@pytest.fixture
def narration():  # type: ignore[no-untyped-def]
    article = Article(
        title="Rates <rise> & fall",
        segments=[
            Segment("paragraph", "The central bank raised rates on Feb. 20. Markets barely moved."),
            Segment("heading", "What comes next", level=2),
            Segment("paragraph", "A long sentence " + "that keeps going " * 8 + "ends here."),
        ],
        byline="Dana Reyes",
        site_name="The Ledger",
        published="2025-02-21",
        language="en",
        url="https://example.org/rates",
    )
    script = build_script(article, Pauses())
    clips_ = [Clip(tone_for(s.spoken), RATE, s.spoken) for _, _, s in script.sentences()]
    result = assemble(script, clips_)
    result.artist, result.album, result.url = article.byline, article.site_name, article.url
    result.published, result.engine, result.voice = article.published, "fake", "tone"
    return result


def test_mp3_has_tags_chapters_and_sidecars(narration, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = export_narration(narration, tmp_path / "out.mp3")
    assert [p.name for p in paths] == ["out.mp3", "out.vtt", "out.json", "out.chapters.json"]
    samples = decode(tmp_path / "out.mp3")
    assert abs(samples.size / 16000 * 1000 - narration.duration_ms) < 150
    tags = ID3(tmp_path / "out.mp3")
    assert tags.version[:2] == (2, 4)
    assert tags["TIT2"].text == ["Rates <rise> & fall"]
    assert tags["TPE1"].text == ["Dana Reyes"]
    assert tags["TALB"].text == ["The Ledger"]
    assert tags["WOAS"].url == "https://example.org/rates"
    comment = tags.getall("COMM")[0].text[0]
    assert "AI" in comment and "fake" in comment and "tone" in comment
    assert tags["TXXX:DIGITAL_SOURCE_TYPE"].text == [DIGITAL_SOURCE_TYPE]
    assert tags["TXXX:AI_NARRATION"].text == ["fake:tone"]
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [c.sub_frames["TIT2"].text[0] for c in chapters] == ["Rates <rise> & fall", "What comes next"]
    assert tags.getall("CTOC")[0].child_element_ids == [c.element_id for c in chapters]
    assert [c.start_time for c in chapters] == [c.start_ms for c in narration.chapters]
    assert (tmp_path / "out.mp3").stat().st_mode & 0o044  # readable by others, not mkstemp's 0600


def test_vtt_has_one_cue_per_sentence_with_real_times(narration, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export_narration(narration, tmp_path / "out.mp3")
    captions = webvtt.read(str(tmp_path / "out.vtt"))
    assert len(captions) == len(narration.cues)
    assert captions[0].text == "This audio was generated with AI assistance."
    assert captions[1].text == "Rates &lt;rise&gt; &amp; fall"  # markup characters escaped
    for caption, cue in zip(captions, narration.cues, strict=True):
        assert (_ms(caption.start), _ms(caption.end)) == (cue.start_ms, cue.end_ms)
        assert all(len(line) <= 65 for line in caption.lines)
    starts = [_ms(c.start) for c in captions]
    assert starts == sorted(starts)


def test_json_timings(narration, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export_narration(narration, tmp_path / "out.mp3")
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["ai_generated"] is True
    assert data["duration_ms"] == narration.duration_ms
    assert [p["kind"] for p in data["segments"]] == ["notice", "title", "paragraph", "heading", "paragraph"]
    assert data["segments"][2]["segment"] == 0
    assert data["segments"][2]["sentences"][0]["text"] == "The central bank raised rates on Feb. 20."
    assert [c["title"] for c in data["chapters"]] == ["Rates <rise> & fall", "What comes next"]


@pytest.mark.parametrize("suffix", ["m4a", "ogg", "wav", "flac"])
def test_other_formats_decode_and_are_marked(narration, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"out.{suffix}"
    export_narration(narration, path)
    samples = decode(path)
    assert abs(samples.size / 16000 * 1000 - narration.duration_ms) < 150
    if suffix == "m4a":
        tags = MP4(path).tags
        assert tags["\xa9nam"] == ["Rates <rise> & fall"]
        assert bytes(tags["----:com.apple.iTunes:DIGITAL_SOURCE_TYPE"][0]) == DIGITAL_SOURCE_TYPE.encode()
    elif suffix in ("ogg", "flac"):
        tags = (OggOpus if suffix == "ogg" else FLAC)(path).tags
        assert tags["DIGITAL_SOURCE_TYPE"] == [DIGITAL_SOURCE_TYPE]
        assert tags["CHAPTER002NAME"] == ["What comes next"]
    else:
        assert WAVE(path).tags["TXXX:DIGITAL_SOURCE_TYPE"].text == [DIGITAL_SOURCE_TYPE]


def test_failed_export_leaves_nothing_and_keeps_old_output(narration, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out.mp3"
    target.write_bytes(b"earlier good file")

    def broken_tag(*args: object) -> None:
        raise ExportError("tagging failed")

    monkeypatch.setattr("audiogen.export.write_tags", broken_tag)
    with pytest.raises(ExportError):
        export_narration(narration, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp3"]
    assert target.read_bytes() == b"earlier good file"


def test_bad_targets(narration, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExportError, match="does not exist"):
        export_narration(narration, tmp_path / "missing" / "out.mp3")
    with pytest.raises(ExportError, match="unknown audio format"):
        export_narration(narration, tmp_path / "out.xyz")
    assert list(tmp_path.iterdir()) == []


def test_caption_lines_wrap_at_65(narration) -> None:  # type: ignore[no-untyped-def]
    text = to_webvtt(narration)
    assert max(len(line) for line in text.splitlines()) <= 65
    assert np.all(np.diff([c.start_ms for c in narration.cues]) > 0)
