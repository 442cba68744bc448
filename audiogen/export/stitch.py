"""A sponsor's spot stitched into a narrated episode's MP3, frame-exact and without
encoding the narration again.

The narration's MP3 was encoded block by block (see ``audiogen.audio.mp3splice``): every
block starts on the frame grid, in silence, with an encoder of its own (nothing borrowed
from the frames before it). The spot is mastered to the narration's loudness and encoded
as one more such block, with the same encoder settings; it is put in at a frame where a
block of the narration begins — before the first, after the last, or at the paragraph
break nearest the middle — so every sample after it moves by exactly the spot block's
length. The captions, the timings, the chapters (with one named "Sponsor") and the ID3
chapter frames move with it; the Info frame is rewritten for the whole file.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from audiogen.audio.master import LoudnessTarget, Mastering
from audiogen.audio.mp3splice import (
    ENCODER_OVERHEAD,
    EncodedBlock,
    crc16,
    crc16_combine,
    encode_block,
    frame_samples,
    parse_header,
    read_block,
    rewrite_info,
    seek_table,
)
from audiogen.errors import ExportError, SpliceError
from audiogen.export.tags import add_chapter_frames
from audiogen.files import write_atomically

log = logging.getLogger("audiogen")

PLACEMENTS = ("pre", "mid", "post")
#: the chapter the spot is
SPONSOR_CHAPTER = "Sponsor"
#: slack for the timings' rounding to milliseconds (seconds)
_ROUNDING_S = 0.002
#: LAME's 12-bit end padding in the Info frame
_PADDING = (21, 24)
_LAME_START = 120


@dataclass(frozen=True)
class Stitched:
    """The stitched episode's files, where the spot lies in it, and how long it is."""

    audio: Path
    captions: Path | None
    timings: Path
    chapters: Path | None
    spot_start_ms: int
    spot_end_ms: int
    duration_ms: int
    #: samples the narration after the spot moved by
    inserted: int
    #: the narration's sample where the spot went in
    at: int


def master_spot(samples: npt.NDArray[np.int16], rate: int, target: LoudnessTarget) -> npt.NDArray[np.int16]:
    """A spot brought to the narration's loudness and under its true-peak ceiling (with
    the room an MP3 encoder's overshoot takes)."""
    data = samples.astype(np.float32) / np.float32(32768.0)

    def render(start: int, count: int) -> npt.NDArray[np.float32]:
        out = np.zeros(count, dtype=np.float32)
        begin, end = max(start, 0), min(start + count, data.size)
        if end > begin:
            out[begin - start : end - start] = data[begin:end]
        return out

    mastering = Mastering(render, data.size, rate, target, margin_db=0.5)
    mastering.measure()
    for _ in range(3):
        pcm = np.concatenate(list(mastering.pcm_chunks())) if data.size else np.zeros(0, dtype=np.int16)
        if not mastering.retry():
            break
    return pcm.astype(np.int16)


def spot_block(
    pcm: npt.NDArray[np.int16], rate: int, codec: list[str], *, ffmpeg: str
) -> tuple[EncodedBlock, int, int]:
    """The mastered spot encoded as one block of the narration's kind: one frame of
    silence before it, enough after it; the block, its length in samples and where the
    spot's sound begins in it."""
    frame = frame_samples(rate)
    lead = frame
    body = lead + pcm.size + ENCODER_OVERHEAD + frame
    length = -(-body // frame) * frame
    block = np.zeros(length, dtype=np.int16)
    block[lead : lead + pcm.size] = pcm
    encoded = read_block(encode_block(ffmpeg, rate, codec, block[: length - ENCODER_OVERHEAD]))
    if encoded.frames != length // frame:
        raise SpliceError(f"the spot came out as {encoded.frames} frames, not {length // frame}")
    return encoded, length, lead


def _id3_length(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + (10 if data[5] & 0x10 else 0)


def _frames(data: bytes, start: int) -> list[tuple[int, int]]:
    """(offset, main_data_begin) of every audio frame from ``start`` (an ID3v1 tag at
    the end is left out)."""
    frames, offset = [], start
    end = len(data) - (128 if data[-128:-125] == b"TAG" else 0)
    while offset < end:
        header = parse_header(data, offset)
        bits = 9 if header.mpeg1 else 8
        side = int.from_bytes(data[offset + 4 : offset + 6], "big")
        frames.append((offset, side >> (16 - bits)))
        offset += header.length
    if offset != end:
        raise SpliceError("the last frame is cut short")
    return frames


def splice_frame(frames: list[tuple[int, int]], rate: int, timings: dict[str, Any], placement: str) -> int:
    """The audio frame before which the spot goes: 0, the end, or, inside the paragraph
    break nearest the middle, a frame whose data borrows nothing from the frames before
    it (the main_data_begin of its side information is 0: every block's first frame, and
    often the frames of a silence)."""
    if placement == "pre":
        return 0
    if placement == "post":
        return len(frames)
    frame = frame_samples(rate)
    parts = [part for part in timings.get("segments", []) if part.get("sentences")]
    middle = timings.get("duration_ms", 0) / 2
    gaps = sorted(
        ((parts[i]["end_ms"], parts[i + 1]["start_ms"]) for i in range(len(parts) - 1) if parts[i]["kind"] != "notice"),
        key=lambda gap: abs((gap[0] + gap[1]) / 2 - middle),
    )
    # the block before ends in this much silence, the block begins with a frame of it
    before = (ENCODER_OVERHEAD + frame) / rate - _ROUNDING_S
    after = frame / rate - _ROUNDING_S
    for start_ms, end_ms in gaps:
        first = int(np.ceil((start_ms / 1000 + before) * rate / frame))
        last = int(np.floor((end_ms / 1000 - after) * rate / frame))
        centre = (start_ms + end_ms) / 2000 * rate / frame
        # a frame that borrows nothing from the ones before (a block's first, or one in
        # silence): the spot goes in there, as near the pause's middle as may be
        clean = [i for i in range(max(first, 1), min(last, len(frames) - 1) + 1) if frames[i][1] == 0]
        if clean:
            return min(clean, key=lambda index: abs(index - centre))
    raise SpliceError("no paragraph break near the middle where a frame stands alone")


def _shift_ms(value: int, at_ms: int, by_ms: int) -> int:
    return value + by_ms if value >= at_ms else value


def _shift_timings(data: Any, at_ms: int, by_ms: int) -> Any:
    if isinstance(data, dict):
        return {
            key: _shift_ms(value, at_ms, by_ms)
            if key in ("start_ms", "end_ms") and isinstance(value, int)
            else _shift_timings(value, at_ms, by_ms)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_shift_timings(item, at_ms, by_ms) for item in data]
    return data


_CUE_TIME = re.compile(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d)")


def _shift_vtt(text: str, at_ms: int, by_ms: int) -> str:
    def moved(match: re.Match[str]) -> str:
        h, m, s, ms = (int(g) for g in match.groups())
        value = _shift_ms(((h * 60 + m) * 60 + s) * 1000 + ms, at_ms, by_ms)
        return f"{value // 3600000:02d}:{value // 60000 % 60:02d}:{value // 1000 % 60:02d}.{value % 1000:03d}"

    return "\n".join(_CUE_TIME.sub(moved, line) if "-->" in line else line for line in text.split("\n"))


def _chapters(chapters: list[dict[str, Any]], spot: tuple[int, int], at_ms: int, by_ms: int) -> list[dict[str, Any]]:
    """The narration's chapters moved, a chapter cut in two by a mid-roll split around the
    spot, and the spot's own chapter among them."""
    out: list[dict[str, Any]] = []
    for chapter in chapters:
        start, end = chapter["start_ms"], chapter["end_ms"]
        if start < at_ms < end:
            out.append({**chapter, "end_ms": at_ms})
            out.append({**chapter, "start_ms": at_ms + by_ms, "end_ms": end + by_ms})
        else:
            out.append({**chapter, "start_ms": _shift_ms(start, at_ms, by_ms), "end_ms": _shift_ms(end, at_ms, by_ms)})
    out.append({"start_ms": spot[0], "end_ms": spot[1], "title": SPONSOR_CHAPTER})
    return sorted(out, key=lambda chapter: chapter["start_ms"])


def stitch(
    audio: Path,
    spot: npt.NDArray[np.int16],
    placement: str,
    target: Path,
    codec: list[str],
    *,
    ffmpeg: str,
) -> Stitched:
    """Write ``target`` (with its captions, timings and chapters beside it): the episode
    ``audio`` with the mastered ``spot`` (int16 at the episode's rate) at ``placement``."""
    if placement not in PLACEMENTS:
        raise ExportError(f"a spot's placement is one of {', '.join(PLACEMENTS)}")
    data = audio.read_bytes()
    timings = json.loads(audio.with_suffix(".json").read_text(encoding="utf-8"))
    rate = int(timings["sample_rate"])
    tag_end = _id3_length(data)
    info = parse_header(data, tag_end)
    frames = _frames(data, tag_end + info.length)
    if not frames or parse_header(data, frames[0][0]).rate != rate:
        raise SpliceError("the episode's MP3 does not match its timings")
    try:
        index = splice_frame(frames, rate, timings, placement)
    except SpliceError:  # (a narration of one paragraph: the spot follows it)
        log.debug("no block begins near the middle of %s: the spot goes after it", audio.name)
        placement, index = "post", len(frames)
    block, length, lead = spot_block(spot, rate, codec, ffmpeg=ffmpeg)
    frame = frame_samples(rate)
    audio_start = frames[0][0]
    audio_end = frames[-1][0] + parse_header(data, frames[-1][0]).length
    cut = frames[index][0] if index < len(frames) else audio_end
    first, second, inserted = data[audio_start:cut], data[cut:audio_end], bytes(block.audio)
    info_frame = data[tag_end : tag_end + info.length]
    old_crc = int.from_bytes(info_frame[4 + info.side_info + _LAME_START + 32 : 4 + info.side_info + _LAME_START + 34])
    first_crc = crc16(first)
    shifted = crc16_combine(first_crc, 0, len(second))
    second_crc = old_crc ^ shifted  # (the whole's CRC, less the first part's carried through)
    music_crc = crc16_combine(crc16_combine(first_crc, block.music_crc, len(inserted)), second_crc, len(second))
    padding_field = int.from_bytes(
        info_frame[4 + info.side_info + _LAME_START + _PADDING[0] : 4 + info.side_info + _LAME_START + _PADDING[1]]
    )
    total_frames = len(frames) + block.frames
    total_bytes = info.length + len(first) + len(inserted) + len(second)
    blocks = [(index, len(first)), (block.frames, len(inserted)), (len(frames) - index, len(second))]
    new_info = rewrite_info(
        info_frame,
        frames=total_frames,
        total_bytes=total_bytes,
        toc=seek_table([b for b in blocks if b[0]], info.length, total_bytes),
        padding=padding_field & 0xFFF,
        music_crc=music_crc,
    )
    at_ms = index * frame * 1000 // rate
    by_ms = round(length * 1000 / rate)
    spot_start_ms = round((index * frame + lead) * 1000 / rate)
    spot_end_ms = spot_start_ms + round(spot.size * 1000 / rate)
    duration_ms = int(timings["duration_ms"]) + by_ms
    stem = target.with_suffix("")
    moved = _shift_timings({k: v for k, v in timings.items() if k != "chapters"}, at_ms, by_ms)
    chapters = _chapters(timings.get("chapters", []), (spot_start_ms, spot_end_ms), at_ms, by_ms)
    moved.update(
        audio=target.name,
        duration_ms=duration_ms,
        chapters=chapters,
        chapters_file=stem.name + ".chapters.json" if timings.get("chapters_file") else None,
        sponsor={"start_ms": spot_start_ms, "end_ms": spot_end_ms, "placement": placement},
    )
    write_atomically(target, data[:tag_end] + new_info + first + inserted + second, error=ExportError)
    _retag(target, chapters)
    timings_path = target.with_suffix(".json")
    write_atomically(timings_path, json.dumps(moved, ensure_ascii=False, indent=1), error=ExportError)
    captions = None
    if audio.with_suffix(".vtt").exists():
        captions = target.with_suffix(".vtt")
        vtt = _shift_vtt(audio.with_suffix(".vtt").read_text(encoding="utf-8"), at_ms, by_ms)
        write_atomically(captions, vtt, error=ExportError)
    chapters_path = None
    original_chapters = audio.with_name(audio.with_suffix("").name + ".chapters.json")
    if original_chapters.exists():
        chapters_path = stem.with_name(stem.name + ".chapters.json")
        document = json.loads(original_chapters.read_text(encoding="utf-8"))
        document["chapters"] = [
            {"startTime": c["start_ms"] / 1000, "endTime": c["end_ms"] / 1000, "title": c["title"]} for c in chapters
        ]
        write_atomically(chapters_path, json.dumps(document, ensure_ascii=False, indent=1), error=ExportError)
    return Stitched(
        target, captions, timings_path, chapters_path, spot_start_ms, spot_end_ms, duration_ms, length, index * frame
    )


def _retag(target: Path, chapters: list[dict[str, Any]]) -> None:
    """The copied ID3 tag's chapter frames replaced by the moved chapters."""
    from mutagen import id3

    try:
        tags = id3.ID3(str(target))
    except id3.ID3NoHeaderError:
        return
    tags.delall("CHAP")
    tags.delall("CTOC")
    add_chapter_frames(tags, [(c["start_ms"], c["end_ms"], c["title"]) for c in chapters])
    tags.save(str(target))
