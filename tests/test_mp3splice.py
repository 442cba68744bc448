"""MP3 encoded block by block and spliced: the file decodes to the narration's exact
length with every sample where it was, its Info frame says what ffmpeg would have said,
and an unchanged block is taken from the store instead of being encoded again."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from mutagen.mp3 import MP3

from audiogen.audio.mp3splice import (
    ENCODER_OVERHEAD,
    block_lead,
    block_tail,
    crc16,
    crc16_combine,
    frame_count,
    frame_samples,
    read_block,
    rewrite_info,
    write_spliced,
)
from audiogen.cache import ClipCache
from audiogen.errors import SpliceError

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
CODEC = ["-c:a", "libmp3lame", "-b:a", "64k"]


def _decode(path: Path, rate: int) -> np.ndarray:
    out = subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, dtype="<i2").astype(np.float64)


def _encode_whole(samples: np.ndarray, rate: int, path: Path) -> bytes:
    raw = ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", *raw, *CODEC, "-id3v2_version", "0", "-f", "mp3", str(path)],
        input=samples.astype("<i2").tobytes(),
        check=True,
    )
    return path.read_bytes()


def _burst(rng: np.random.Generator, seconds: float, rate: int) -> np.ndarray:
    """Speech-like: a few hundred hertz with harmonics under an envelope, faded to zero."""
    t = np.arange(int(seconds * rate)) / rate
    tone = sum(np.sin(2 * np.pi * f * t + rng.uniform(0, 6)) / k for k, f in enumerate((180, 360, 540, 900), 1))
    envelope = np.abs(np.sin(np.pi * t * rng.uniform(2, 5))) * np.sin(np.pi * t / t[-1])
    return np.round(tone * envelope * 6000).astype(np.int16)


def _narration(paragraphs: list[np.ndarray], rate: int) -> tuple[np.ndarray, list[int]]:
    """Paragraphs with the silences the assembler leaves: each block a whole number of
    frames ending in silence, the next one starting after a frame of silence."""
    frame, lead, tail = frame_samples(rate), block_lead(rate), block_tail(rate)
    pieces: list[np.ndarray] = []
    marks: list[int] = []
    position = start = 0
    for index, paragraph in enumerate(paragraphs):
        if index:
            pieces.append(np.zeros(lead, dtype=np.int16))
            position += lead
        pieces.append(paragraph)
        position += paragraph.size
        if index + 1 < len(paragraphs):
            end = position + tail + 3000
            end += -(end - start) % frame
            pieces.append(np.zeros(end - position, dtype=np.int16))
            marks.append(end)
            position = start = end
    return np.concatenate(pieces), marks


class _Store:
    def __init__(self) -> None:
        self.blocks: dict[str, bytes] = {}

    def get_block(self, key: str) -> bytes | None:
        return self.blocks.get(key)

    def put_block(self, key: str, data: bytes) -> None:
        self.blocks[key] = data


def _splice(tmp_path: Path, samples: np.ndarray, marks: list[int], rate: int, store: _Store, name: str):  # type: ignore[no-untyped-def]
    target = tmp_path / name
    chunks = (samples[i : i + 50_000] for i in range(0, samples.size, 50_000))
    writer = write_spliced(target, rate, CODEC, chunks, marks, store, ffmpeg=FFMPEG, identity="test")
    return target, writer


def test_crc16_is_lames_and_combines_over_concatenation() -> None:
    assert crc16(b"123456789") == 0xBB3D  # CRC-16/ARC check value
    rng = np.random.default_rng(3)
    first, second = rng.bytes(1000), rng.bytes(777)
    assert crc16_combine(crc16(first), crc16(second), len(second)) == crc16(first + second)
    assert crc16_combine(0, crc16(second), len(second)) == crc16(second)


@pytest.mark.parametrize("rate", [22050, 44100])
def test_the_info_frame_is_rewritten_as_ffmpeg_writes_it(tmp_path: Path, rate: int) -> None:
    rng = np.random.default_rng(rate)
    samples = _burst(rng, 2.0, rate)
    data = _encode_whole(samples, rate, tmp_path / "whole.mp3")
    block = read_block(data)
    assert crc16(block.audio) == block.music_crc  # the audio checksum is the one we compute
    assert frame_count(data) == block.frames + 1
    padding = block.frames * frame_samples(rate) - 576 - samples.size
    info = data[: block.info_length]
    again = rewrite_info(
        info,
        frames=block.frames,
        total_bytes=len(data),
        toc=info[4 + (9 if rate < 32000 else 17) + 16 :][:100],
        padding=padding,
        music_crc=block.music_crc,
    )
    assert again == info


@pytest.mark.parametrize("rate", [22050, 44100])
def test_spliced_file_decodes_to_the_exact_samples(tmp_path: Path, rate: int) -> None:
    rng = np.random.default_rng(7)
    samples, marks = _narration([_burst(rng, s, rate) for s in (1.3, 2.1, 0.7, 1.8)], rate)
    target, writer = _splice(tmp_path, samples, marks, rate, _Store(), "spliced.mp3")
    assert (writer.encoded, writer.hits) == (4, 0)
    decoded = _decode(target, rate)
    assert decoded.size == samples.size  # gapless: the padding trims to the exact length
    _encode_whole(samples, rate, tmp_path / "whole.mp3")
    whole = _decode(tmp_path / "whole.mp3", rate)
    # every sample where it was: as close to the source as encoding it whole gets
    spliced_error = np.sqrt(np.mean((decoded - samples) ** 2))
    whole_error = np.sqrt(np.mean((whole - samples) ** 2))
    assert spliced_error <= whole_error * 1.1 + 1
    # and silence stays silence at the joins
    for mark in marks:
        assert np.abs(decoded[mark - ENCODER_OVERHEAD : mark + block_lead(rate)]).max() < 40
    # a reader of the Info frame alone (mutagen) gets the length it gets for the whole file
    frame_seconds = frame_samples(rate) / rate
    assert MP3(str(target)).info.length == pytest.approx(MP3(tmp_path / "whole.mp3").info.length, abs=frame_seconds)


def test_an_unchanged_block_is_taken_from_the_store(tmp_path: Path) -> None:
    rate = 22050
    rng = np.random.default_rng(11)
    paragraphs = [_burst(rng, s, rate) for s in (1.0, 1.5, 1.2, 0.9)]
    store = _Store()
    samples, marks = _narration(paragraphs, rate)
    first, writer = _splice(tmp_path, samples, marks, rate, store, "first.mp3")
    assert (writer.encoded, writer.hits) == (4, 0)
    again, writer = _splice(tmp_path, samples, marks, rate, store, "again.mp3")
    assert (writer.encoded, writer.hits) == (0, 4)
    assert again.read_bytes() == first.read_bytes()
    # a longer second paragraph moves the two after it: they are still reused
    paragraphs[1] = _burst(rng, 2.2, rate)
    edited, marks = _narration(paragraphs, rate)
    target, writer = _splice(tmp_path, edited, marks, rate, store, "edited.mp3")
    assert (writer.encoded, writer.hits) == (1, 3)
    assert _decode(target, rate).size == edited.size


def test_a_mark_without_silence_around_it_is_passed_over(tmp_path: Path) -> None:
    rate = 22050
    rng = np.random.default_rng(5)
    samples, marks = _narration([_burst(rng, 1.0, rate), _burst(rng, 1.0, rate)], rate)
    busy = samples.copy()
    busy[marks[0] - 100] = 500  # a sound in the silence the encoder's overhead needs
    frame = frame_samples(rate)
    target, writer = _splice(tmp_path, busy, [marks[0], marks[0] + 1], rate, _Store(), "one.mp3")
    assert writer.encoded == 1
    assert _decode(target, rate).size == busy.size
    assert (marks[0] + 1) % frame  # off the grid: passed over too


def test_blocks_live_in_the_clip_cache_and_a_damaged_one_is_dropped(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path / "cache")
    cache.put_block("ab" * 16, b"mp3 data")
    assert cache.get_block("ab" * 16) == b"mp3 data"
    assert cache.info().entries == 1
    path = next((tmp_path / "cache").rglob("*.mp3blk"))
    path.write_bytes(path.read_bytes()[:-1] + b"!")
    assert cache.get_block("ab" * 16) is None
    assert not path.exists() and cache.discarded == 1
    assert cache.get_block("cd" * 16) is None


def test_a_damaged_stored_block_is_encoded_again(tmp_path: Path) -> None:
    rate = 22050
    rng = np.random.default_rng(2)
    samples, marks = _narration([_burst(rng, 1.0, rate), _burst(rng, 1.0, rate)], rate)
    store = _Store()
    first, _ = _splice(tmp_path, samples, marks, rate, store, "first.mp3")
    for key in store.blocks:
        store.blocks[key] = store.blocks[key][:300]  # cut short, as by a full disk
    again, writer = _splice(tmp_path, samples, marks, rate, store, "again.mp3")
    assert (writer.encoded, writer.hits) == (2, 0)
    assert again.read_bytes() == first.read_bytes()


def test_a_block_without_end_is_given_up_before_it_fills_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import audiogen.audio.mp3splice as splice

    monkeypatch.setattr(splice, "MAX_BLOCK_SECONDS", 2)
    rate = 22050
    samples = _burst(np.random.default_rng(1), 3.0, rate)
    with pytest.raises(SpliceError, match="no paragraph break"):
        _splice(tmp_path, samples, [], rate, _Store(), "long.mp3")
    assert not (tmp_path / "long.mp3").exists()
