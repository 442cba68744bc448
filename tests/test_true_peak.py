"""The −1 dBTP ceiling holds in what a listener hears: every lossy file, decoded, measured by
ffmpeg's own BS.1770 meter (``ebur128=peak=true``), at every bitrate and rate control,
encoded whole or while the narration is assembled. Real speech (Piper): the overshoot of
a codec depends on what it encodes, and test tones hide it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest

from audiogen.conversion import ConvertOptions, convert

SAMPLE = Path(__file__).parent.parent / "samples" / "kyiv-independent-macron-defense-plan.html"

pytestmark = pytest.mark.engine


def measured_true_peak(path: Path) -> float:
    """ffmpeg's true peak of the decoded file, in dBTP (to 0.1 dB, as it prints it)."""
    result = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = re.findall(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", result.stderr)
    assert found, result.stderr[-500:]
    return float(found[-1])


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample article spoken once (into the module's own clip cache), so each format
    below only masters and encodes."""
    folder = tmp_path_factory.mktemp("peaks")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDIOGEN_CACHE_DIR", str(folder / "cache"))
        convert(str(SAMPLE), folder / "first.wav", ConvertOptions(voice="joe"))
    return folder


@pytest.mark.parametrize(
    ("name", "bitrate", "vbr"),
    [
        ("out.mp3", None, False),
        ("low.mp3", "32k", False),
        ("high.mp3", "128k", False),
        ("vbr.mp3", None, True),
        ("out.m4a", None, False),
        ("low.m4a", "32k", False),
        ("out.ogg", None, False),
        ("low.ogg", "24k", False),
        ("vbr.ogg", None, True),
    ],
)
def test_every_lossy_file_stays_under_the_ceiling_decoded(
    spoken: Path, monkeypatch: pytest.MonkeyPatch, name: str, bitrate: str | None, vbr: bool
) -> None:
    monkeypatch.setenv("AUDIOGEN_CACHE_DIR", str(spoken / "cache"))
    options = ConvertOptions(voice="joe", bitrate=bitrate, vbr=vbr)
    first = convert(str(SAMPLE), spoken / name, options)
    assert measured_true_peak(spoken / name) <= -1.0
    again = convert(str(SAMPLE), spoken / ("again-" + name), options)
    assert measured_true_peak(spoken / ("again-" + name)) <= -1.0
    if name == "out.mp3":  # the streamed export was measured too (a streamed file over the
        assert first.streamed or again.streamed  # ceiling is encoded again the usual way)


def test_the_quick_check_finds_the_peak_the_samples_show(spoken: Path, tmp_path: Path) -> None:
    """Every lossy export ends with ffmpeg finding the decoded peak itself; it must agree
    with the samples read out (which also say where the peak is), be -inf for silence,
    and say in one line that a file is not audio."""
    from audiogen.audio.encode import decoded_peak_db, decoded_true_peak
    from audiogen.errors import ExportError

    for name in ("first.wav", "out.mp3", "out.ogg", "out.m4a"):
        path = spoken / name
        if not path.exists():  # made by the test above; made here when run alone
            convert(str(SAMPLE), path, ConvertOptions(voice="joe"))
        quick, (read, _) = decoded_peak_db(path), decoded_true_peak(path)
        assert abs(quick - read) < 0.01, (name, quick, read)
        assert quick == pytest.approx(measured_true_peak(path), abs=0.06), name
    silence = tmp_path / "silence.wav"
    quiet = ["-v", "error", "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono", "-t", "1"]
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), *quiet, str(silence)], check=True)
    assert decoded_peak_db(silence) == float("-inf")
    broken = tmp_path / "broken.mp3"
    broken.write_text("not audio at all")
    with pytest.raises(ExportError, match="cannot be decoded"):
        decoded_peak_db(broken)


def test_an_mp3_in_blocks_is_measured_while_it_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The frames of an MP3 written block by block are decoded as they are written: the
    true peak the export reports is the one ffmpeg finds in the finished file, and the
    finished file is not decoded once more to find it."""
    import json

    from audiogen.audio import encode

    monkeypatch.setenv("AUDIOGEN_CACHE_DIR", str(tmp_path / "cache"))
    whole_file_checks: list[Path] = []
    check = encode.decoded_peak_db

    def counted(path: Path) -> float:
        whole_file_checks.append(path)
        return check(path)

    monkeypatch.setattr(encode, "decoded_peak_db", counted)
    made = convert(str(SAMPLE), tmp_path / "out.mp3", ConvertOptions(voice="joe", cache=False))
    assert made.mp3_blocks_encoded + made.mp3_blocks_cached > 5
    assert whole_file_checks == []
    reported = json.loads((tmp_path / "out.json").read_text())["loudness"]["true_peak_dbtp"]
    assert reported == pytest.approx(check(tmp_path / "out.mp3"), abs=0.01)
    assert reported <= -1.0


def _clicks(voice: str, **assembly: Any) -> Any:
    """Soft tones with louder moments just under the ceiling, one paragraph (the fifth)
    ending in a loud burst of square wave, assembled into a narration."""
    import numpy as np

    import audiogen
    from audiogen.article import Clip
    from audiogen.assemble import assemble
    from audiogen.pipeline import make_script

    rate = 22050
    paragraphs = [f"Paragraph number {n} of the story, said as a steady tone." for n in range(1, 9)]
    article = audiogen.Article(title="Clicks", segments=[audiogen.Segment("paragraph", text) for text in paragraphs])
    script = make_script(article, audiogen.resolve_voice(voice))
    clips = []
    for number, (_, _, sentence) in enumerate(script.sentences()):
        t = np.arange(rate * 2) / rate
        samples = 0.05 * np.sin(2 * np.pi * (200 + 10 * number) * t)
        samples[rate // 2 : rate // 2 + rate // 10] *= 6  # a louder moment
        if sentence.display == paragraphs[4]:
            samples[-rate // 10 :] = 0.99 * np.sign(np.sin(2 * np.pi * 700 * t[: rate // 10]))
        clips.append(Clip(samples=(samples * 32767).astype(np.int16), sample_rate=rate, text=sentence.spoken))
    return assemble(script, clips, **assembly)


def test_an_overshoot_is_mended_where_it_happened(
    fake_engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no room left for the codec, MP3's decoded peaks go over the ceiling at the
    burst. The ceiling is lowered around that place only, and only its block is encoded
    again; the others come back from the pass before, sample for sample (lowered
    everywhere, it reached the louder moments of every paragraph, and all ten blocks were
    encoded again)."""
    from audiogen.audio import encode
    from audiogen.audio.mp3splice import MemoryBlocks
    from audiogen.export import export_files

    monkeypatch.setitem(encode._CODEC_HEADROOM_DB, "mp3", (0.0, 0.0))
    target = tmp_path / "click.mp3"
    written = export_files(_clicks(fake_engine), target, cache=MemoryBlocks())
    assert measured_true_peak(target) <= -1.0
    blocks = written.blocks_encoded + written.blocks_cached
    assert blocks >= 8 and written.blocks_cached == blocks - 1 and written.blocks_encoded == 1, (
        written.blocks_encoded,
        written.blocks_cached,
    )
    assert written.report is not None and written.report.spots and written.report.extra_room_db == 0
    assert -16.3 <= written.report.output_lufs <= -15.7


def test_a_streamed_re_narration_holds_the_same_places_lower(
    fake_engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-narration is encoded while it is assembled, at the remembered gain: it must
    hold the places the last export held lower, or its decoded peaks go over there and
    it is thrown away (CI saw an unchanged article never streamed)."""
    from audiogen.audio import encode
    from audiogen.audio.encode import ExportOptions, format_for
    from audiogen.audio.master import LoudnessTarget
    from audiogen.audio.mp3splice import MemoryBlocks
    from audiogen.export import export_files
    from audiogen.export.stream import StreamingExport

    monkeypatch.setitem(encode._CODEC_HEADROOM_DB, "mp3", (0.0, 0.0))
    first = export_files(_clicks(fake_engine), tmp_path / "first.mp3", cache=MemoryBlocks()).report
    assert first is not None and first.spots
    for spots in (first.spots, ()):
        target = tmp_path / f"again-{len(spots)}.mp3"
        options = ExportOptions(loudness=LoudnessTarget(-16.0, -1.0), blocks=MemoryBlocks())
        stream = StreamingExport(target, format_for(target, None), options, first.gain_db, spots=spots)
        _clicks(fake_engine, on_audio=stream.feed, on_block=stream.block, measure=False)
        report = stream.finish()
        if spots:
            assert report is not None and report.spots == spots and stream.tmp is not None
            assert measured_true_peak(stream.tmp) <= -1.0
        else:
            assert report is None  # over the ceiling at the burst: the usual export follows


def test_the_places_over_the_ceiling_are_found_while_the_mp3_is_written(
    fake_engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The meter that decodes an MP3 as it is written tells the peak of every tenth of a
    second: the places it finds over the ceiling are the ones the finished file's samples
    show, each within its tenth of a second, and the file is not decoded again for them."""
    from audiogen.audio import encode
    from audiogen.audio.encode import PEAK_WINDOW_S, DecodedPeakMeter, decoded_overs, decoded_peak_db
    from audiogen.audio.mp3splice import MemoryBlocks
    from audiogen.export import export_files

    monkeypatch.setitem(encode._CODEC_HEADROOM_DB, "mp3", (0.0, 0.0))
    monkeypatch.setattr(encode, "PEAK_RETRIES", 0)  # keep the first pass, overshoot and all
    meters: list[DecodedPeakMeter] = []

    class Kept(DecodedPeakMeter):
        def __init__(self) -> None:
            super().__init__()
            meters.append(self)

    searched: list[Path] = []
    monkeypatch.setattr(encode, "DecodedPeakMeter", Kept)
    monkeypatch.setattr(encode, "decoded_overs", lambda path, ceiling: searched.append(path) or [])
    target = tmp_path / "click.mp3"
    export_files(_clicks(fake_engine), target, cache=MemoryBlocks())
    (meter,) = meters
    peak = decoded_peak_db(target)
    assert max(p for _, p in meter.windows) == pytest.approx(peak, abs=0.01)
    found = meter.overs(-1.05)
    assert found, "the burst goes over the ceiling with no room left for the codec"
    monkeypatch.undo()
    expected = decoded_overs(target, -1.05)
    assert expected and searched == []
    for at, _ in expected:
        assert any(abs(at - middle) <= PEAK_WINDOW_S / 2 + 0.001 for middle, _ in found), (at, found)
    assert all(height > -1.05 for _, height in found)


def test_a_stream_stopped_while_its_encoder_starts_is_discarded_cleanly(
    fake_engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stop (SIGTERM raises in the main thread) can land while the stream's encoder
    thread is being started: what was begun is still thrown away, without an error of its
    own (a convert stopped so ended with 'cannot join thread before it is started')."""
    import threading
    import types

    from audiogen.audio.encode import ExportOptions, format_for
    from audiogen.audio.master import LoudnessTarget
    from audiogen.audio.mp3splice import MemoryBlocks
    from audiogen.export import stream as streams

    class Stopped(Exception):
        pass

    class Interrupted(threading.Thread):
        def start(self) -> None:
            if self.name == "audiogen-encoder":
                raise Stopped
            super().start()

    monkeypatch.setattr(streams, "threading", types.SimpleNamespace(Thread=Interrupted))
    target = tmp_path / "again.mp3"
    options = ExportOptions(loudness=LoudnessTarget(-16.0, -1.0), blocks=MemoryBlocks())
    stream = streams.StreamingExport(target, format_for(target, None), options, 6.0)
    with pytest.raises(Stopped):
        stream.feed(np.zeros(22050, dtype=np.int16), 22050)
    assert list(tmp_path.glob(".again.mp3.*.part"))
    stream.discard()
    assert not list(tmp_path.glob(".*.part")) and not target.exists()
