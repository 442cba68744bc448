"""Real conversions with both shipped engines, each in its own worker process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import webvtt
from audio_checks import decode
from click.testing import CliRunner
from conftest import SAMPLES, SEED_PAGE, end_session
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

import audiogen
from audiogen.backends import EngineWorker, SynthesisOptions, registry
from audiogen.cli import main
from audiogen.export.tags import DIGITAL_SOURCE_TYPE

pytestmark = pytest.mark.engine


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.casefold())


def _check_conversion(out: Path, source: Path, engine: str) -> None:
    article = audiogen.load(source)
    samples = decode(out)
    duration = MP3(out).info.length
    assert abs(samples.size / 16000 - duration) < 0.2
    words = article.word_count + len(_words(audiogen.DEFAULT_NOTICE))
    # People and voices read news at roughly 130-200 words a minute; pauses slow it a bit.
    assert 90 <= words / (duration / 60) <= 260, (words, duration)
    tags = ID3(out)
    assert tags["TIT2"].text == [article.title]
    assert tags["TXXX:DIGITAL_SOURCE_TYPE"].text == [DIGITAL_SOURCE_TYPE]
    assert engine in tags.getall("COMM")[0].text[0]
    captions = webvtt.read(str(out.with_suffix(".vtt")))
    assert captions[0].text == audiogen.DEFAULT_NOTICE
    assert captions[1].text.replace("\n", " ") == article.title.replace("&", "&amp;")
    starts = [c.start for c in captions]
    assert starts == sorted(starts)
    assert all(c.start < c.end for c in captions)
    # the cues, in order, are the whole article: title and every segment, nothing else
    caption_words = _words(" ".join(c.text for c in captions[1:]).replace("&amp;", "&"))
    article_words = _words(" ".join([article.title, *(s.text for s in article.segments)]))
    assert caption_words == article_words
    timings = json.loads(out.with_suffix(".json").read_text())
    assert timings["engine"] == engine
    assert timings["duration_ms"] == pytest.approx(duration * 1000, abs=200)
    # the last cue ends inside the audio
    assert timings["segments"][-1]["end_ms"] <= timings["duration_ms"]


def test_seed_page_with_piper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["convert", str(SEED_PAGE), "-o", "macron.mp3"])
    assert result.exit_code == 0, result.output
    _check_conversion(tmp_path / "macron.mp3", SEED_PAGE, "piper")


@pytest.mark.parametrize("sample", ["night-ferry.txt", "community-garden.md"])
def test_samples_with_pyttsx3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["convert", str(SAMPLES / sample), "-o", "out.mp3", "--voice", "espeak"])
    assert result.exit_code == 0, result.output
    _check_conversion(tmp_path / "out.mp3", SAMPLES / sample, "pyttsx3")


def test_pyttsx3_speaks_long_sentences_whole() -> None:
    """Sentences far beyond the length where pyttsx3's espeak driver has dropped files."""
    sentence = (
        "The regional transport office, which has run the ferry since the bridge was first proposed in the "
        "nineteen eighties, said on Tuesday that it would keep a smaller boat in reserve for storms, medical "
        "emergencies and the annual music festival, when the bridge is closed to cars for three nights."
    )
    assert len(sentence) > 250
    with EngineWorker("pyttsx3", registry.target_for("pyttsx3"), timeout=60) as worker:
        short, long = worker.synthesize(["A short one.", sentence], SynthesisOptions(voice="gmw/en-us"))
    assert long.samples.size / long.sample_rate > 10  # ~45 words cannot take less
    assert long.samples.size > 8 * short.samples.size


def test_piper_and_pyttsx3_in_one_program(tmp_path: Path) -> None:
    """The two engines crash when loaded into one process; here each has its own."""
    article = audiogen.load(SAMPLES / "night-ferry.txt")
    first = audiogen.narrate(article, voice="joe")
    second = audiogen.narrate(article, voice="espeak")
    assert first.sample_rate == 22050 and second.sample_rate > 0
    assert len(first.cues) == len(second.cues)


def test_piper_word_timings_follow_the_speech(tmp_path: Path) -> None:
    article = audiogen.Article(
        title="Word timings",
        segments=[
            audiogen.Segment(
                "paragraph",
                "President Emmanuel Macron spoke on Feb. 20 about a well-known plan. Europe must act, he said.",
            )
        ],
    )
    narration = audiogen.narrate(article, "joe", word_timings=True, cache=False)
    body = [cue for cue in narration.cues if cue.kind == "paragraph"]
    first = body[0]
    assert [w.text for w in first.words][:4] == ["President", "Emmanuel", "Macron", "spoke"]
    for cue in narration.cues:
        assert cue.words, cue.text
        starts = [w.start_ms for w in cue.words]
        assert starts == sorted(starts)
        assert cue.start_ms <= cue.words[0].start_ms and cue.words[-1].end_ms <= cue.end_ms
        # words fill the sentence: the first begins near its start, the last ends near its end
        assert cue.words[0].start_ms - cue.start_ms < 300 and cue.end_ms - cue.words[-1].end_ms < 300


_ALIGNED_LOAD = """
import sys, json
from pathlib import Path
from audiogen.backends.piper import PiperBackend
from audiogen.backends.base import SynthesisOptions
clip = next(PiperBackend().synthesize(["Europe must act, he said."], SynthesisOptions(voice="", word_timings=True)))
print(json.dumps({"words": [w[2] for w in clip.words], "onnx": "onnx" in sys.modules}))
"""


@pytest.mark.parametrize("writable", [True, False])
def test_piper_timings_model_is_made_once_and_then_opened_without_onnx(tmp_path: Path, writable: bool) -> None:
    """Making the voice give phoneme lengths needs the onnx package (most of a second to
    import); the changed model is kept, so later starts only open it."""
    folder = tmp_path / "models"
    if not writable:
        folder.parent.joinpath("blocker").write_text("a file, not a folder")
        folder = folder.parent / "blocker" / "models"
    env = {**os.environ, "AUDIOGEN_MODEL_DIR": str(folder)}

    def start() -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-c", _ALIGNED_LOAD], env=env, capture_output=True, text=True, timeout=300, check=True
        )
        return json.loads(done.stdout.splitlines()[-1])

    first = start()
    assert first["words"] == ["Europe", "must", "act,", "he", "said."]
    assert first["onnx"]
    made = list(folder.glob("piper-aligned-*.onnx")) if writable else []
    assert len(made) == (1 if writable else 0)
    again = start()
    assert again["words"] == first["words"]
    assert again["onnx"] is not writable  # kept: opened as it is; not kept: made again
    if writable:
        assert list(folder.iterdir()) == made


def test_piper_lanes_are_asked_for_and_bounded_by_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from audiogen.backends import piper

    monkeypatch.delenv("AUDIOGEN_ENGINE_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    monkeypatch.delenv("AUDIOGEN_ENGINE_LANES", raising=False)
    assert piper.engine_lanes() == 1  # one sentence at a time unless asked
    for asked, lanes in (("2", 2), ("3", 3), ("8", 3), ("1", 1), ("0", 1), ("many", 1)):
        monkeypatch.setenv("AUDIOGEN_ENGINE_LANES", asked)
        assert piper.engine_lanes() == lanes, asked
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    monkeypatch.setenv("AUDIOGEN_ENGINE_LANES", "16")
    assert piper.engine_lanes() == piper.MAX_LANES
    # a batch process given its share of the cores speaks one sentence at a time
    monkeypatch.setenv("AUDIOGEN_ENGINE_THREADS", "1")
    assert piper.engine_lanes() == 1


def test_piper_sentences_spoken_side_by_side_come_back_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sentences spoken two at once (``AUDIOGEN_ENGINE_LANES``): each clip must still be
    its own sentence, in the order asked for, with its words where they are said."""
    monkeypatch.setenv("AUDIOGEN_ENGINE_LANES", "2")
    long = (
        "The council met for five hours on Tuesday evening and in the end approved the "
        "new budget for the library, the swimming pool and the repairs to the old bridge."
    )
    short = "Yes."
    sentences = [long, short, long, short, short, long, short]
    with EngineWorker("piper", registry.target_for("piper"), timeout=120, voice="en_US-joe-medium") as worker:
        clips = list(worker.synthesize(sentences, SynthesisOptions(voice="en_US-joe-medium", word_timings=True)))
    seconds = [clip.samples.size / clip.sample_rate for clip in clips]
    for text, clip, length in zip(sentences, clips, seconds, strict=True):
        if text == long:
            assert length > 6 and [w[2] for w in clip.words][:3] == ["The", "council", "met"], (length, clip.words)
        else:
            assert length < 1.5 and [w[2] for w in clip.words] == ["Yes."], (length, clip.words)


@pytest.mark.parametrize("lanes", ["1", "2"])
def test_piper_says_which_sentence_failed_and_keeps_the_ones_before(
    monkeypatch: pytest.MonkeyPatch, lanes: str
) -> None:
    monkeypatch.setenv("AUDIOGEN_ENGINE_LANES", lanes)
    spoken: list[float] = []
    with EngineWorker("piper", registry.target_for("piper"), timeout=60, voice="en_US-joe-medium") as worker:
        with pytest.raises(audiogen.AudiogenError, match="Piper produced no audio for “—”"):
            for clip in worker.synthesize(
                ["The first sentence is fine.", "So is the second one.", "—", "The last one never comes."],
                SynthesisOptions(voice="en_US-joe-medium"),
            ):
                spoken.append(clip.samples.size / clip.sample_rate)
        assert len(spoken) == 2 and all(length > 0.8 for length in spoken)
        # the worker goes on with the next request
        again = list(worker.synthesize(["Still here."], SynthesisOptions(voice="en_US-joe-medium")))
    assert len(again) == 1 and again[0].samples.size > 0


def test_pyttsx3_speaks_the_first_sentence_of_every_worker() -> None:
    """pyttsx3's own espeak driver lost a worker's first sentence about one time in
    eight (its polling loop ended before espeak-ng's callback wrote the file)."""
    spoken = ["This audio was generated with A-I assistance.", "The Last Night Ferry Across the Sound", "Who rides"]
    target = registry.target_for("pyttsx3")
    # the race showed most when the machine was busy: keep every core busy meanwhile
    busy = [
        subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 120\nwhile time.time() < end: pass"])
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        for _ in range(24):
            with EngineWorker("pyttsx3", target, timeout=60) as worker:
                clips = list(worker.synthesize(spoken, SynthesisOptions(voice="gmw/en-us")))
            assert len(clips) == len(spoken)
            assert all(clip.samples.size / clip.sample_rate > 0.5 for clip in clips)
    finally:
        for process in busy:
            process.kill()
            process.wait()


def test_pyttsx3_leaves_no_temporary_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with EngineWorker("pyttsx3", registry.target_for("pyttsx3"), timeout=60) as worker:
        list(worker.synthesize(["One.", "Two sentences here."], SynthesisOptions(voice="gmw/en-us")))
        with pytest.raises(audiogen.AudiogenError):
            list(worker.synthesize(["   "], SynthesisOptions(voice="gmw/en-us")))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kbps", [48, 64, 80])
def test_vbr_averages_around_the_bitrate_asked_for(tmp_path: Path, kbps: int) -> None:
    """On speech, not on the music LAME's quality table was made for."""
    narration = audiogen.narrate(audiogen.load(SAMPLES / "night-ferry.txt"), voice="espeak", cache=False)
    out = tmp_path / "vbr.mp3"
    narration.export(out, bitrate=f"{kbps}k", vbr=True)
    info = MP3(out).info
    average = out.stat().st_size * 8 / info.length / 1000
    assert 0.7 * kbps <= average <= 1.35 * kbps, average  # voices differ; the levels are set for the default


def test_output_extension_and_format_must_agree(tmp_path: Path, fake_engine: str) -> None:
    runner = CliRunner()
    source = str(SAMPLES / "night-ferry.txt")
    result = runner.invoke(
        main, ["convert", source, "-o", str(tmp_path / "out.mp3"), "--format", "ogg", "--voice", fake_engine]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: out.mp3 ends in .mp3 but the format asked for is ogg")
    assert list(tmp_path.glob("out*")) == []
    result = runner.invoke(
        main, ["convert", source, "-o", str(tmp_path / "out.opus"), "--format", "ogg", "--voice", fake_engine, "-q"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.opus").read_bytes()[:4] == b"OggS"


def test_a_long_run_without_spaces_keeps_the_engines_memory_flat() -> None:
    """2,000 letters in one "word" took Piper's worker to over 2 GB when given whole."""
    import random
    import threading

    import psutil

    rng = random.Random(3)
    blob = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(1990))
    article = audiogen.Article(title="Key", segments=[audiogen.Segment("paragraph", f"The key was {blob}.")])
    worker = EngineWorker("piper", registry.target_for("piper"), timeout=120, voice="en_US-joe-medium").start()
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        process = psutil.Process(worker.pid)
        while not done.wait(0.05):
            try:
                peak = max(peak, process.memory_info().rss)
            except psutil.Error:
                return

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        audiogen.narrate(article, "joe", worker=worker, cache=False, notice=False)
    finally:
        done.set()
        watcher.join(10)
        worker.close()
    assert 0 < peak < 1024**3, peak


def test_a_chinese_paragraph_is_read_in_mandarin_not_spelled(tmp_path: Path) -> None:
    """30-odd Chinese characters took 21 s when the English voice spelled them."""
    source = tmp_path / "mixed.md"
    source.write_text(
        "# Tea and trade\n\nThe delegation arrived on Tuesday.\n\n"
        "中国外交部发言人表示，双方将继续就贸易问题进行沟通，并希望尽快达成协议。\n\nThe talks ended.\n"
    )
    result = CliRunner().invoke(main, ["convert", str(source), "-o", str(tmp_path / "mixed.mp3"), "-q"])
    assert result.exit_code == 0, result.output
    timings = json.loads((tmp_path / "mixed.json").read_text())
    (chinese,) = [s for part in timings["segments"] for s in part["sentences"] if s["text"].startswith("中国")]
    assert 3000 < chinese["end_ms"] - chinese["start_ms"] < 14000


def test_the_service_and_its_engines_connect_to_no_one(tmp_path: Path) -> None:
    """ONNX Runtime (Piper's engine) reports to its maker from Linux unless told not to,
    seconds after a voice is loaded in the service's workers: every connect call of the
    service and all its processes, watched by strace while it narrates and then idles."""
    import socket
    import time

    import httpx

    data = tmp_path / "data"
    made = subprocess.run(
        [sys.executable, "-m", "audiogen", "serve", "keys", "create", "--name", "t", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    key = made.stdout.strip()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    trace = tmp_path / "connects.txt"
    command = ["strace", "-f", "-e", "trace=connect", "-o", str(trace), sys.executable, "-m", "audiogen", "serve"]
    command += ["--data", str(data), "--port", str(port), "--owner-email", "desk@news.example", "--voice", "joe"]
    service = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        body = {"id": "quiet", "markdown": "# Quiet\n\nThe council met on Tuesday. It passed the budget."}
        headers = {"Authorization": f"Bearer {key}"}
        assert httpx.post(url + "/articles", json=body, headers=headers, timeout=30).status_code == 201
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if httpx.get(url + "/articles/quiet", headers=headers, timeout=30).json()["status"] == "done":
                break
            time.sleep(0.5)
        time.sleep(40)  # what a dependency sends in the background comes after a while
    finally:
        end_session(service)
    calls = [line for line in trace.read_text().splitlines() if "connect(" in line]
    outward = [line for line in calls if "AF_INET" in line and "127.0.0.1" not in line and "::1" not in line]
    assert not outward, outward[:5]
