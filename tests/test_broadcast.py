"""Files ready to publish: loudness, formats, chapters, captions, cover art, intro/outro,
music, word timings, and the errors around them."""

from __future__ import annotations

import itertools
import json
import re
import struct
import subprocess
import wave
import zlib
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pyloudnorm
import pytest
import webvtt
from audio_checks import decode
from click.testing import CliRunner
from fake_engines import RATE, tone_for
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from scipy.signal import resample_poly

from audiogen import Article, Clip, Pauses, Segment, build_script
from audiogen.assemble import assemble
from audiogen.audio.mix import mix
from audiogen.audio.mp3splice import frame_samples
from audiogen.cli import main
from audiogen.errors import ExportError
from audiogen.export import export_files, export_narration
from audiogen.pipeline import narrate

ARTICLE = Article(
    title="Harbor reopens",
    segments=[
        Segment("paragraph", "The harbor reopened on Monday after a week of storms. Ferries ran on time."),
        Segment("heading", "What changed", level=2),
        Segment("paragraph", "Crews cleared the channel overnight. The port authority thanked them."),
        Segment("heading", "What comes next", level=2),
        Segment("paragraph", "Repairs to the north pier will take a month."),
    ],
    site_name="The Coast Ledger",
    language="en",
    url="https://example.org/harbor",
)


def _png() -> bytes:
    """A 2×2 red PNG, made here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return path


def _jingle(path: Path, seconds: float = 1.5, amplitude: float = 0.3) -> Path:
    t = np.arange(int(16000 * seconds)) / 16000
    return _wav(path, amplitude * 32767 * np.sin(2 * np.pi * 523 * t) * np.minimum(1, t * 10))


def _native(path: Path) -> tuple[np.ndarray, int]:
    rate = 48000 if path.suffix == ".ogg" else RATE
    return decode(path, rate).astype(np.float64) / 32768, rate


@pytest.fixture
def narration(fake_engine: str):  # type: ignore[no-untyped-def]
    return narrate(ARTICLE, fake_engine, cover=_png())


@pytest.mark.parametrize(("suffix", "target"), [("mp3", -16.0), ("flac", -16.0), ("m4a", -14.0), ("ogg", -16.0)])
def test_loudness_and_true_peak_of_the_decoded_file(narration, tmp_path: Path, suffix: str, target: float) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"out.{suffix}"
    export_narration(narration, path, loudness=target)
    samples, rate = _native(path)
    assert pyloudnorm.Meter(rate).integrated_loudness(samples) == pytest.approx(target, abs=1.0)
    true_peak = max(np.abs(resample_poly(samples, 4, 1)).max(), np.abs(samples).max())
    assert 20 * np.log10(true_peak) <= -1.0
    timing = json.loads(path.with_suffix(".json").read_text())["loudness"]
    assert timing["integrated_lufs"] == pytest.approx(target, abs=0.1)


def test_no_clicks_at_joins(narration) -> None:  # type: ignore[no-untyped-def]
    audio = narration.samples.astype(np.int32)
    rate = narration.sample_rate
    for cue in narration.cues:
        start = cue.start_ms * rate // 1000
        end = cue.end_ms * rate // 1000
        # every clip starts and ends at (near) silence: the fade, not a jump
        assert abs(audio[start]) < 200 and abs(audio[max(end - 1, 0)]) < 2000


def test_mp3_chapters_lie_inside_and_match_headings(narration, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "out.mp3"
    export_narration(narration, path)
    duration_ms = MP3(path).info.length * 1000
    chapters = sorted(ID3(path).getall("CHAP"), key=lambda c: c.start_time)
    assert [c.sub_frames["TIT2"].text[0] for c in chapters] == ["Harbor reopens", "What changed", "What comes next"]
    assert chapters[0].start_time == 0
    for chapter in chapters:
        assert 0 <= chapter.start_time < chapter.end_time <= duration_ms + 60
    podcast = json.loads((tmp_path / "out.chapters.json").read_text())
    starts = [c["startTime"] for c in podcast["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0
    assert [c["title"] for c in podcast["chapters"]] == ["Harbor reopens", "What changed", "What comes next"]
    assert starts[1] == pytest.approx(chapters[1].start_time / 1000)


def test_m4a_has_chapter_atoms_and_cover(narration, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "out.m4a"
    export_narration(narration, path)
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True, timeout=60
    ).stderr
    assert len(re.findall(r"Chapter #\d+:\d+: start", probe)) == 3
    assert "What comes next" in probe
    tags = MP4(path).tags
    assert bytes(tags["covr"][0]) == _png()
    assert tags["\xa9alb"] == ["The Coast Ledger"]


def test_cover_art_in_every_tagged_format(narration, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export_narration(narration, tmp_path / "a.mp3")
    apic = ID3(tmp_path / "a.mp3").getall("APIC")[0]
    assert apic.data == _png() and apic.mime == "image/png" and apic.type == 3
    export_narration(narration, tmp_path / "a.flac")
    assert FLAC(tmp_path / "a.flac").pictures[0].data == _png()
    export_narration(narration, tmp_path / "a.ogg")
    assert OggOpus(tmp_path / "a.ogg").tags["METADATA_BLOCK_PICTURE"]


def test_cbr_vbr_and_bitrate(narration, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export_narration(narration, tmp_path / "cbr.mp3", bitrate="96k")
    info = MP3(tmp_path / "cbr.mp3").info
    assert info.bitrate_mode in (BitrateMode.CBR, BitrateMode.UNKNOWN) and info.bitrate == 96000
    export_narration(narration, tmp_path / "vbr.mp3", vbr=True)
    assert MP3(tmp_path / "vbr.mp3").info.bitrate_mode == BitrateMode.VBR
    export_narration(narration, tmp_path / "speech.ogg", bitrate=32, vbr=True)
    decode(tmp_path / "speech.ogg")


def test_captions_srt_and_word_timings(fake_engine: str, tmp_path: Path) -> None:
    narration = narrate(ARTICLE, fake_engine, word_timings=True)
    export_narration(narration, tmp_path / "out.mp3", srt=True)
    captions = webvtt.read(str(tmp_path / "out.vtt"))
    starts = [c.start_in_seconds for c in captions]
    assert starts == sorted(starts) and len(captions) == len(narration.cues)
    assert captions[2].text == "The harbor reopened on Monday after a week of storms."
    srt = (tmp_path / "out.srt").read_text()
    assert srt.startswith("1\n00:00:00,000 --> ") and "Ferries ran on time." in srt
    data = json.loads((tmp_path / "out.json").read_text())
    sentence = data["segments"][2]["sentences"][0]
    words = sentence["words"]
    assert [w["text"] for w in words][:3] == ["The", "harbor", "reopened"]
    assert sentence["start_ms"] <= words[0]["start_ms"] and words[-1]["end_ms"] <= sentence["end_ms"]
    assert all(a["end_ms"] <= b["start_ms"] for a, b in itertools.pairwise(words))


def test_notice_at_the_end_or_both(fake_engine: str) -> None:
    outro = narrate(ARTICLE, fake_engine, notice_position="outro")
    assert outro.cues[0].kind == "title" and outro.cues[-1].kind == "notice"
    both = narrate(ARTICLE, fake_engine, notice_position="both")
    assert both.cues[0].kind == "notice" and both.cues[-1].kind == "notice"


def test_intro_and_outro_files_frame_the_speech(fake_engine: str, tmp_path: Path) -> None:
    plain = narrate(ARTICLE, fake_engine)
    framed = narrate(
        ARTICLE, fake_engine, intro=_jingle(tmp_path / "in.wav"), outro=_jingle(tmp_path / "out.wav", 1.0, 0.05)
    )
    shift = framed.cues[0].start_ms
    assert 1800 <= shift <= 2100  # 1.5 s of jingle, then half a second
    # the same timeline after the intro, but for where the first block ends: it is
    # rounded up to the MP3 frame grid, so the rest may move by less than a frame
    frame_ms = 1000 * frame_samples(plain.sample_rate) / plain.sample_rate
    offsets = [c.start_ms - shift - p.start_ms for c, p in zip(framed.cues, plain.cues, strict=True)]
    assert all(abs(o - offsets[-1]) <= 2 for o in offsets[1:]) and abs(offsets[-1]) <= frame_ms + 2
    assert framed.duration_ms > plain.duration_ms + shift + 900
    # the quiet outro is brought to the voice's level before mixing
    gains = {round(s.gain, 1) for s in framed.spans}
    assert any(g > 2 for g in gains)


def test_music_plays_alone_then_ducks_under_the_voice(fake_engine: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    music = _wav(tmp_path / "music.wav", rng.normal(0, 3000, 16000 * 3))
    narration = narrate(ARTICLE, fake_engine, music=music, music_level_db=-20)
    assert narration.blocks == []  # no silence under music to cut blocks in
    rate = narration.sample_rate
    first = narration.cues[0].start_ms * rate // 1000
    assert first >= 1.9 * rate  # a music lead-in before the first words
    lead = mix(narration, rate // 2, rate)
    speech = mix(narration, first, narration.cues[0].end_ms * rate // 1000 - first)
    voice_only = narration.audio.read(first, speech.size).astype(np.float32) / 32768
    under = speech - voice_only
    assert np.sqrt(np.mean(lead**2)) > 2 * np.sqrt(np.mean(under[rate // 2 :] ** 2)) > 0


def test_voices_of_different_levels_are_matched() -> None:
    article = Article(
        title="Two voices",
        segments=[
            Segment("paragraph", "The first voice speaks now. A second voice answers it. The first one returns.")
        ],
    )
    script = build_script(article, Pauses(), notice=None)
    clips = []
    for index, (_, _, sentence) in enumerate(script.sentences()):
        quiet = index % 2 == 1
        samples = (tone_for(sentence.spoken) * (0.1 if quiet else 1.0)).astype(np.int16)
        clips.append(Clip(samples, RATE, sentence.spoken, source="b" if quiet else "a"))
    narration = assemble(script, clips)
    # the voice heard longest is the reference; the other is brought to it (20 dB apart)
    assert narration.spans
    assert all(abs(20 * np.log10(s.gain)) == pytest.approx(20, abs=0.5) for s in narration.spans)
    levels = []
    for cue in narration.cues:
        start, end = cue.start_ms * RATE // 1000, cue.end_ms * RATE // 1000
        margin = 30 * RATE // 1000  # leave out the fades at the clip's edges
        part = mix(narration, start + margin, end - start - 2 * margin).astype(np.float64)
        levels.append(10 * np.log10(np.mean(part**2)))  # one tone throughout: RMS compares levels
    assert max(levels) - min(levels) < 1.0


def test_bad_output_and_options(narration, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExportError, match="variable bitrate"):
        export_narration(narration, tmp_path / "a.m4a", vbr=True)
    with pytest.raises(ExportError, match="lossless"):
        export_narration(narration, tmp_path / "a.flac", bitrate="64k")
    with pytest.raises(ExportError, match="bad bitrate"):
        export_narration(narration, tmp_path / "a.mp3", bitrate="fast")
    with pytest.raises(ExportError, match="unknown audio format"):
        export_narration(narration, tmp_path / "a.aiff")
    monkeypatch.setattr("audiogen.export.os.access", lambda *a: False)
    with pytest.raises(ExportError, match="not writable"):
        export_narration(narration, tmp_path / "a.mp3")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="simulates a full disk with /dev/full (Linux)")
def test_disk_full_during_encode_leaves_nothing(narration, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import audiogen.export as export

    target = tmp_path / "out.mp3"
    target.write_bytes(b"earlier good file")
    real_temp = export.temp_part

    def full_disk_for_audio(folder: Path, name: str) -> Path:
        path = real_temp(folder, name)
        if name == "out.mp3":
            path.unlink()
            path.symlink_to("/dev/full")
        return path

    monkeypatch.setattr(export, "temp_part", full_disk_for_audio)
    with pytest.raises(ExportError, match="No space left"):
        export_narration(narration, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp3"]
    assert target.read_bytes() == b"earlier good file"


def test_intro_that_is_not_audio_fails_before_any_speech(fake_engine: str, tmp_path: Path) -> None:
    bogus = tmp_path / "intro.mp3"
    bogus.write_text("this is not audio")
    counter = tmp_path / "count"
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["convert", "-", "-o", str(tmp_path / "x.mp3"), "--voice", fake_engine, "--intro", str(bogus)],
        input="A short article about nothing in particular. It has two sentences.",
        env={"AUDIOGEN_FAKE_COUNT": str(counter)},
    )
    assert result.exit_code == 1
    assert "intro file intro.mp3 is not audio" in result.output
    assert "Traceback" not in result.output
    assert not counter.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["intro.mp3"]


def test_convert_with_broadcast_options(fake_engine: str, tmp_path: Path) -> None:
    source = tmp_path / "story.md"
    source.write_text("# Harbor reopens\n\nThe harbor reopened on Monday.\n\n## Next\n\nRepairs take a month.\n")
    cover = tmp_path / "cover.png"
    cover.write_bytes(_png())
    runner = CliRunner()
    args = ["convert", str(source), "-o", str(tmp_path / "h.mp3"), "--voice", fake_engine, "--srt", "--word-timings"]
    args += ["--notice", "both", "--loudness", "-14", "--bitrate", "96k", "--cover", str(cover), "--outro"]
    args += [str(_jingle(tmp_path / "outro.wav"))]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "sentences synthesized" in result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert {"h.mp3", "h.vtt", "h.srt", "h.json", "h.chapters.json"} <= set(names)
    assert ID3(tmp_path / "h.mp3").getall("APIC")[0].data == _png()
    assert json.loads((tmp_path / "h.json").read_text())["loudness"]["integrated_lufs"] == pytest.approx(-14, abs=0.1)
    bad = runner.invoke(main, ["convert", str(source), "--voice", fake_engine, "--cover", str(source)])
    assert bad.exit_code == 1 and "not a JPEG or PNG" in bad.output


def _lufs_of(path: Path) -> float:
    samples, rate = _native(path)
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def test_second_conversion_encodes_while_assembling(fake_engine: str, tmp_path: Path, clip_cache: Path) -> None:
    source = tmp_path / "story.md"
    source.write_text("# Harbor\n\nThe harbor reopened on Monday after storms.\n\nFerries ran on time again.\n")
    runner = CliRunner()
    args = ["convert", str(source), "-o", str(tmp_path / "h.mp3"), "--voice", fake_engine, "-v"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "encoded while assembling" not in first.output
    first_json = json.loads((tmp_path / "h.json").read_text())
    second = runner.invoke(main, args)
    assert second.exit_code == 0, second.output
    assert "encoded while assembling" in second.output
    second_json = json.loads((tmp_path / "h.json").read_text())
    assert second_json["duration_ms"] == first_json["duration_ms"]
    assert _lufs_of(tmp_path / "h.mp3") == pytest.approx(-16, abs=1.0)
    assert second_json["loudness"]["true_peak_dbtp"] <= -1.0
    assert ID3(tmp_path / "h.mp3").getall("CHAP")
    assert not list(tmp_path.glob(".*.part"))


def test_an_edited_paragraph_is_the_only_mp3_block_encoded_again(
    fake_engine: str, tmp_path: Path, clip_cache: Path
) -> None:
    paragraphs = [
        "The harbor reopened on Monday after a week of storms.",
        "Ferries ran on time again by the afternoon.",
        "The port authority thanked the crews who worked through the nights.",
        "Repairs to the north pier will take until spring.",
    ]
    source = tmp_path / "story.md"
    source.write_text("# Harbor\n\n" + "\n\n".join(paragraphs) + "\n")
    runner = CliRunner()
    args = ["convert", str(source), "-o", str(tmp_path / "h.mp3"), "--voice", fake_engine, "-v"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    blocks = int(re.search(r"mp3 in (\d+) blocks: (\d+) encoded, 0 from the cache", first.output)[1])  # type: ignore[index]
    assert blocks == 6  # notice, title, four paragraphs
    paragraphs[1] = "Ferries ran on time again by the afternoon, and the first cruise ship came in."
    source.write_text("# Harbor\n\n" + "\n\n".join(paragraphs) + "\n")
    second = runner.invoke(main, args)
    assert second.exit_code == 0, second.output
    assert "encoded while assembling" in second.output
    assert "mp3 in 6 blocks: 1 encoded, 5 from the cache" in second.output
    timings = json.loads((tmp_path / "h.json").read_text())
    decoded = decode(tmp_path / "h.mp3", 16000)
    assert abs(decoded.size - timings["duration_ms"] * 16) <= 16
    assert _lufs_of(tmp_path / "h.mp3") == pytest.approx(-16, abs=1.0)
    third = runner.invoke(main, args)
    assert "mp3 in 6 blocks: 0 encoded, 6 from the cache" in third.output
    assert json.loads((tmp_path / "h.json").read_text()) == timings


@pytest.mark.parametrize("options", [{}, {"bitrate": "32k"}, {"vbr": True}])
def test_mp3_in_blocks_decodes_like_mp3_encoded_whole(narration, tmp_path: Path, options: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Spliced or not (a frame too small for the Info fields, or VBR, is encoded whole),
    the file holds the narration's exact samples at the target loudness."""
    assert narration.blocks
    spliced = export_files(narration, tmp_path / "blocks.mp3", **options).blocks_encoded
    export_narration(narration, tmp_path / "whole.mp3", cache=False, **options)
    if options:
        assert (tmp_path / "blocks.mp3").stat().st_size > 0
    else:
        assert spliced == len(narration.blocks) + 1
    blocks, whole = decode(tmp_path / "blocks.mp3", 16000), decode(tmp_path / "whole.mp3", 16000)
    assert blocks.size == whole.size == narration.audio.size
    assert _lufs_of(tmp_path / "blocks.mp3") == pytest.approx(_lufs_of(tmp_path / "whole.mp3"), abs=0.05)
    difference = blocks.astype(np.float64) - whole.astype(np.float64)
    assert np.sqrt(np.mean(difference**2)) < 0.1 * np.sqrt(np.mean(whole.astype(np.float64) ** 2))
    assert ID3(tmp_path / "blocks.mp3").getall("CHAP") and not list(tmp_path.glob(".*.part"))


def test_mp3_without_paragraph_breaks_for_too_long_is_encoded_whole(
    narration, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import audiogen.audio.mp3splice as splice

    monkeypatch.setattr(splice, "MAX_BLOCK_SECONDS", 1)
    assert export_files(narration, tmp_path / "out.mp3").blocks_encoded is None
    assert decode(tmp_path / "out.mp3", 16000).size == narration.audio.size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.chapters.json", "out.json", "out.mp3", "out.vtt"]


def test_a_remembered_gain_that_misses_is_not_kept(fake_engine: str, tmp_path: Path, clip_cache: Path) -> None:
    source = tmp_path / "story.md"
    source.write_text("# Harbor\n\nThe harbor reopened on Monday after storms.\n")
    runner = CliRunner()
    args = ["convert", str(source), "-o", str(tmp_path / "h.ogg"), "--voice", fake_engine, "-v"]
    assert runner.invoke(main, args).exit_code == 0
    levels = clip_cache / "levels.json"
    remembered = json.loads(levels.read_text())
    levels.write_text(json.dumps({key: gain + 6 for key, gain in remembered.items()}))  # 6 dB too hot
    again = runner.invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "encoded while assembling" not in again.output
    assert _lufs_of(tmp_path / "h.ogg") == pytest.approx(-16, abs=1.0)
    assert json.loads(levels.read_text()) == pytest.approx(remembered, abs=0.1)  # learned back
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    ("reference", "used"),
    [
        ("lead.png", True),
        ("images/lead.png", True),
        ("../private.png", False),
        ("{abs}", False),
        ("images/../../private.png", False),
    ],
)
def test_a_saved_pages_image_is_read_only_from_beside_it(tmp_path: Path, reference: str, used: bool) -> None:
    from audiogen.pipeline import find_cover, load

    site = tmp_path / "site"
    (site / "images").mkdir(parents=True)
    for path in (site / "lead.png", site / "images" / "lead.png", tmp_path / "private.png"):
        path.write_bytes(_png())
    reference = reference.replace("{abs}", str(tmp_path / "private.png"))
    page = site / "story.html"
    page.write_text(
        f'<html><head><meta property="og:image" content="{reference}"></head><body><article><h1>Story</h1>'
        + "<p>The council met on Tuesday and voted to repair the old bridge before the floods.</p>" * 3
        + "</article></body></html>"
    )
    article = load(page)
    assert (find_cover(article, page) is not None) is used
