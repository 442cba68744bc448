"""MP3 encoded one block (a paragraph, or a few) at a time and spliced into one file, so
re-narrating an edited article encodes only the blocks that changed.

Concatenating MP3 streams is sound when every stream has the same bitrate, rate and
channels and none borrows bits from the one before (a fresh LAME encoder starts with an
empty bit reservoir). What does not carry over is timing: each encoder starts with 576
samples of delay and ends with a flush, so a block encoded alone comes out as
``ceil((n + 1152) / frame)`` frames. The assembler therefore ends every block on the
frame grid with enough silence after its last sound; the encoder is given the block
without its last 1152 samples (all zero), and its frames then fill the block's span
exactly, so every sample lands where the narration has it and the cues stay true to the
sample. The first block's ``Info`` frame (which ffmpeg writes) is kept at the head of the
file and rewritten for the whole: frame and byte counts, seek table, end padding (so
gapless players trim to the exact length), and its checksums.

Encoded blocks are cached by the exact PCM they were made from (and the encoder and its
settings), so a block is reused only when it would come out bit for bit the same.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import numpy as np
import numpy.typing as npt

from audiogen.errors import ExportError, SpliceError

log = logging.getLogger("audiogen")

#: LAME's delay before the first input sample plus its flush after the last one
ENCODER_OVERHEAD = 1152
ENCODER_DELAY = 576
#: and the decoder's (an MP3 decoder's output lags its input by this many samples)
DECODER_DELAY = 529
#: blocks encoded at once, and waiting to be written, at most
JOBS = 2
IN_FLIGHT = 4
#: a block is held in memory until it ends; one longer than this (a text with no
#: paragraph breaks) is not worth it, and the file is encoded whole instead
MAX_BLOCK_SECONDS = 600


def frame_samples(rate: int) -> int:
    """Samples in one MP3 frame at ``rate``: MPEG-1 above 32 kHz, MPEG-2/2.5 below."""
    return 1152 if rate >= 32000 else 576


def block_lead(rate: int) -> int:
    """Silence at the start of a block (after the first): one frame, so the encoder's
    start-up lies in silence."""
    return frame_samples(rate)


def block_tail(rate: int) -> int:
    """Silence a block must end with: the encoder's overhead, which is dropped, and a
    frame to spare, which is encoded."""
    return ENCODER_OVERHEAD + frame_samples(rate)


class BlockStore(Protocol):
    def get_block(self, key: str) -> bytes | None: ...

    def put_block(self, key: str, data: bytes) -> None: ...


class MemoryBlocks:
    """Blocks kept for one export only: without the clip cache an MP3 is still encoded
    block by block, two blocks at a time, and a second pass (a loudness or peak
    correction) encodes again only the blocks whose samples changed."""

    def __init__(self) -> None:
        self._blocks: dict[str, bytes] = {}

    def get_block(self, key: str) -> bytes | None:
        return self._blocks.get(key)

    def put_block(self, key: str, data: bytes) -> None:
        self._blocks[key] = data


# -- frames -------------------------------------------------------------------------

_BITRATES_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True)
class FrameHeader:
    mpeg1: bool
    rate: int
    length: int
    mono: bool

    @property
    def side_info(self) -> int:
        if self.mpeg1:
            return 17 if self.mono else 32
        return 9 if self.mono else 17

    @property
    def samples(self) -> int:
        return 1152 if self.mpeg1 else 576


def parse_header(data: bytes, offset: int) -> FrameHeader:
    """The Layer III frame header at ``offset``; ``SpliceError`` when there is none."""
    if offset + 4 > len(data):
        raise SpliceError("truncated frame header")
    word = int.from_bytes(data[offset : offset + 4], "big")
    version, layer = (word >> 19) & 3, (word >> 17) & 3
    bitrate_index, rate_index = (word >> 12) & 15, (word >> 10) & 3
    if word >> 21 != 0x7FF or version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        raise SpliceError(f"no MP3 frame at byte {offset}")
    mpeg1 = version == 3
    bitrate = (_BITRATES_V1 if mpeg1 else _BITRATES_V2)[bitrate_index] * 1000
    rate = _RATES[version][rate_index]
    length = (144 if mpeg1 else 72) * bitrate // rate + ((word >> 9) & 1)
    return FrameHeader(mpeg1=mpeg1, rate=rate, length=length, mono=(word >> 6) & 3 == 3)


def frame_count(data: bytes, start: int = 0) -> int:
    """Frames from ``start`` to the end, each header checked."""
    count, offset = 0, start
    while offset < len(data):
        offset += parse_header(data, offset).length
        count += 1
    if offset != len(data):
        raise SpliceError("the last frame is cut short")
    return count


@dataclass(frozen=True)
class EncodedBlock:
    """One block as ffmpeg wrote it: its ``Info`` frame, then its audio frames."""

    data: bytes
    info_length: int
    frames: int
    music_crc: int

    @property
    def audio(self) -> memoryview:
        return memoryview(self.data)[self.info_length :]


# The Xing/Info tag after the side information, and LAME's extension of it (the layout
# LAME documents as its "Info tag"); offsets from the start of each, (start, end) in bytes.
_INFO_FLAGS = (4, 8)  # bit 0: frame count, 1: byte count, 2: seek table present
_INFO_FRAMES = (8, 12)
_INFO_BYTES = (12, 16)
_INFO_TOC = (16, 116)
_INFO_FIELDS = 0b111
_LAME_START = 120  # the LAME extension follows the Info tag's quality field
_LAME_DELAY_PADDING = (21, 24)  # 12 bits of encoder delay, 12 of end padding
_LAME_MUSIC_LENGTH = (28, 32)
_LAME_MUSIC_CRC = (32, 34)
_LAME_TAG_CRC = (34, 36)
#: the Info tag CRC covers the frame's first 190 bytes, whatever the layout (as ffmpeg
#: computes it, so readers that check it agree)
_TAG_CRC_SPAN = 190


def _field(frame: bytes | bytearray, base: int, span: tuple[int, int]) -> int:
    return int.from_bytes(frame[base + span[0] : base + span[1]], "big")


def _set_field(frame: bytearray, base: int, span: tuple[int, int], value: int | bytes) -> None:
    size = span[1] - span[0]
    frame[base + span[0] : base + span[1]] = value if isinstance(value, bytes) else value.to_bytes(size, "big")


def read_block(data: bytes) -> EncodedBlock:
    """Check an encoded block and find its parts."""
    header = parse_header(data, 0)
    tag = 4 + header.side_info
    if data[tag : tag + 4] not in (b"Info", b"Xing"):
        raise SpliceError("the encoder wrote no Info frame")
    music_crc = _field(data, tag + _LAME_START, _LAME_MUSIC_CRC)
    return EncodedBlock(data, header.length, frame_count(data, header.length), music_crc)


# -- checksums ----------------------------------------------------------------------
# The Info frame carries two CRC-16s (the polynomial 0x8005, reflected, as in LAME): one
# of the frame itself and one of all the audio after it. The audio one is combined from
# the blocks' own, which the encoder computed, so the audio is never read again here.


def _crc16_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc16_table()


def crc16(data: bytes | memoryview, crc: int = 0) -> int:
    for byte in bytes(data):
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc


def _apply(matrix: list[int], vector: int) -> int:
    out, bit = 0, 0
    while vector:
        if vector & 1:
            out ^= matrix[bit]
        vector >>= 1
        bit += 1
    return out


def _zero_byte_matrix() -> list[int]:
    """What running one zero byte through the CRC does to its 16 bits (a linear map)."""
    return [(1 << bit >> 8) ^ _CRC_TABLE[(1 << bit) & 0xFF] for bit in range(16)]


_ZERO_BYTE = _zero_byte_matrix()


def crc16_combine(first: int, second: int, second_length: int) -> int:
    """The CRC of A followed by B from CRC(A), CRC(B) and len(B): CRC(A) carried through
    len(B) zero bytes (by squaring the one-byte map), then B's added in."""
    power, remaining, crc = _ZERO_BYTE, second_length, first
    while remaining:
        if remaining & 1:
            crc = _apply(power, crc)
        power = [_apply(power, column) for column in power]
        remaining >>= 1
    return crc ^ second


def rewrite_info(info: bytes, *, frames: int, total_bytes: int, toc: bytes, padding: int, music_crc: int) -> bytes:
    """The first block's ``Info`` frame, made to describe the whole spliced file."""
    header = parse_header(info, 0)
    tag = 4 + header.side_info
    frame = bytearray(info)
    if _field(frame, tag, _INFO_FLAGS) & _INFO_FIELDS != _INFO_FIELDS or len(toc) != _INFO_TOC[1] - _INFO_TOC[0]:
        raise SpliceError("the Info frame lacks frame and byte counts or a seek table")
    lame = tag + _LAME_START
    if lame + _LAME_TAG_CRC[1] > len(frame) or not 0 <= padding < 4096:
        raise SpliceError("the Info frame has no room for the LAME fields")
    _set_field(frame, tag, _INFO_FRAMES, frames)
    _set_field(frame, tag, _INFO_BYTES, total_bytes)
    _set_field(frame, tag, _INFO_TOC, toc)
    _set_field(frame, lame, _LAME_DELAY_PADDING, (ENCODER_DELAY << 12) | padding)
    _set_field(frame, lame, _LAME_MUSIC_LENGTH, total_bytes)
    _set_field(frame, lame, _LAME_MUSIC_CRC, music_crc)
    _set_field(frame, lame, _LAME_TAG_CRC, 0)  # the checksum is taken with itself zero
    _set_field(frame, lame, _LAME_TAG_CRC, crc16(bytes(frame[:_TAG_CRC_SPAN])))
    return bytes(frame)


def seek_table(blocks: list[tuple[int, int]], info_length: int, total_bytes: int) -> bytes:
    """The Info frame's 100 entries: where (in 256ths of the file) each percent of the
    frames begins. ``blocks`` are (frames, bytes) of each block's audio; frames are of
    near-equal size within a block (CBR), so a position inside one is interpolated."""
    total_frames = sum(frames for frames, _ in blocks)
    table = bytearray()
    index = frame_base = 0
    byte_base = info_length
    for percent in range(100):
        wanted = percent * total_frames // 100
        while index < len(blocks) - 1 and frame_base + blocks[index][0] <= wanted:
            frame_base += blocks[index][0]
            byte_base += blocks[index][1]
            index += 1
        frames, size = blocks[index] if blocks else (1, 0)
        offset = byte_base + (wanted - frame_base) * size // max(frames, 1)
        table.append(min(offset * 256 // max(total_bytes, 1), 255))
    return bytes(table)


# -- the writer ---------------------------------------------------------------------


def block_command(ffmpeg: str, rate: int, codec: list[str]) -> list[str]:
    """ffmpeg reading mono int16 at ``rate`` and writing one MP3 block (name to follow)."""
    command = [ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "s16le", "-ar", str(rate), "-ac", "1"]
    return [*command, "-i", "pipe:0", *codec, "-ac", "1", "-id3v2_version", "0", "-f", "mp3"]


def encode_block(ffmpeg: str, rate: int, codec: list[str], samples: npt.NDArray[np.int16]) -> bytes:
    """``samples`` encoded alone, as a block (its Info frame first)."""
    return _encode(block_command(ffmpeg, rate, codec), samples)


def _encode(command: list[str], samples: npt.NDArray[np.int16]) -> bytes:
    """One block through ffmpeg, into a file (ffmpeg writes the Info frame only to a
    file it can seek in); a temporary one, where the system keeps them."""
    handle, name = tempfile.mkstemp(prefix="audiogen-block-", suffix=".mp3")
    os.close(handle)
    try:
        result = subprocess.run(
            [*command, name],
            input=np.ascontiguousarray(samples, dtype="<i2").tobytes(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        if result.returncode != 0:
            lines = [line for line in result.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
            raise ExportError(f"encoding mp3 failed: {lines[-1].strip() if lines else result.returncode}")
        return Path(name).read_bytes()
    finally:
        Path(name).unlink(missing_ok=True)


class SplicedWriter:
    """Takes the mastered narration as int16 samples, in order, with the positions where
    blocks may end (``mark``), and writes it to ``target`` as one MP3.

    Each block is looked up in ``store`` by its samples, or encoded by a ffmpeg of its
    own (two at a time, while the next block is being mastered) and stored. Blocks are
    written in order as they are ready; the Info frame is rewritten at the end."""

    def __init__(
        self,
        target: Path,
        rate: int,
        codec: list[str],
        store: BlockStore | None,
        *,
        ffmpeg: str,
        identity: str,
        on_audio: Callable[[bytes | memoryview], None] | None = None,
    ) -> None:
        self.target, self.rate, self.store = target, rate, store
        #: hears the audio frames as they are written, in order (not the Info frame)
        self.on_audio = on_audio
        self.frame = frame_samples(rate)
        self.command = block_command(ffmpeg, rate, codec)
        self.identity = identity + "|" + " ".join(codec) + f"|{rate}"
        self.hits = self.encoded = 0
        self._marks: deque[int] = deque()
        self._lock = threading.Lock()
        self._pieces: list[npt.NDArray[np.int16]] = []
        self._start = 0  # where the open block starts
        self._position = 0  # samples taken so far
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future[EncodedBlock]] = deque()
        self._out: BinaryIO | None = None
        self._first: EncodedBlock | None = None
        self._blocks: list[tuple[int, int]] = []
        self._music_crc = 0
        self._bytes = 0

    def mark(self, position: int) -> None:
        """A block may end at ``position`` (called before samples beyond it are written)."""
        with self._lock:
            self._marks.append(position)

    def write(self, samples: npt.NDArray[np.int16]) -> None:
        if samples.size == 0:
            return
        self._pieces.append(samples)
        self._position += int(samples.size)
        if self._position - self._start > MAX_BLOCK_SECONDS * self.rate:
            raise SpliceError(f"no paragraph break for {MAX_BLOCK_SECONDS // 60} minutes")
        while True:
            with self._lock:
                if not self._marks or self._marks[0] > self._position:
                    break
                end = self._marks.popleft()
            if end > self._start:
                self._try_cut(end)

    def _open_samples(self) -> npt.NDArray[np.int16]:
        whole = np.concatenate(self._pieces) if len(self._pieces) != 1 else self._pieces[0]
        self._pieces = [whole]
        return whole

    def _try_cut(self, end: int) -> None:
        whole = self._open_samples()
        length = end - self._start
        tail = block_tail(self.rate)
        lead = block_lead(self.rate) if self._start > 0 else 0
        block = whole[:length]
        if (
            length % self.frame
            or length < tail + lead + self.frame
            or np.any(block[-tail:])
            or (lead and np.any(block[:lead]))
        ):
            return  # not a clean end: the block goes on
        self._submit(block[: length - ENCODER_OVERHEAD], length // self.frame)
        self._pieces = [whole[length:]]
        self._start = end

    def _submit(self, samples: npt.NDArray[np.int16], frames: int) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=JOBS, thread_name_prefix="audiogen-mp3")
        while len(self._pending) >= IN_FLIGHT:
            self._write_ready(wait=True)
        self._pending.append(self._pool.submit(self._block, samples.copy(), frames))
        self._write_ready(wait=False)

    def _block(self, samples: npt.NDArray[np.int16], frames: int) -> EncodedBlock:
        """The block's frames (``frames`` of them, or something is wrong), stored or encoded."""
        digest = hashlib.blake2b(self.identity.encode(), digest_size=32)
        digest.update(np.ascontiguousarray(samples, dtype="<i2").tobytes())
        key = digest.hexdigest()
        if self.store is not None:
            cached = self.store.get_block(key)
            if cached is not None:
                try:
                    block = read_block(cached)
                except SpliceError:
                    block = None
                if block is not None and block.frames == frames:
                    with self._lock:
                        self.hits += 1
                    return block
        block = read_block(_encode(self.command, samples))
        if block.frames != frames:
            raise SpliceError(f"a block came out as {block.frames} frames, not {frames}")
        with self._lock:
            self.encoded += 1
        if self.store is not None:
            self.store.put_block(key, block.data)
        return block

    def _write_ready(self, *, wait: bool) -> None:
        while self._pending and (wait or self._pending[0].done()):
            self._append(self._pending.popleft().result())
            wait = False

    def _append(self, block: EncodedBlock) -> None:
        if self._out is None:
            self._out = self.target.open("wb")
            self._first = block
            self._out.write(block.data[: block.info_length])  # rewritten at the end
            self._bytes = block.info_length
        audio = block.audio
        self._out.write(audio)
        if self.on_audio is not None:
            self.on_audio(audio)
        self._music_crc = crc16_combine(self._music_crc, block.music_crc, len(audio))
        self._blocks.append((block.frames, len(audio)))
        self._bytes += len(audio)

    def close(self) -> None:
        """Encode what is left, write the rest and the finished Info frame."""
        try:
            rest = self._open_samples() if self._pieces else np.zeros(0, dtype=np.int16)
            if rest.size == 0:
                # the last block must hold what the encoder's delay pushes past its end
                raise SpliceError("a block ends where the narration ends")
            self._submit(rest, -(-(rest.size + ENCODER_OVERHEAD) // self.frame))
            while self._pending:
                self._write_ready(wait=True)
            assert self._out is not None and self._first is not None
            frames = sum(count for count, _ in self._blocks)
            padding = frames * self.frame - ENCODER_DELAY - self._position
            info = rewrite_info(
                self._first.data[: self._first.info_length],
                frames=frames,
                total_bytes=self._bytes,
                toc=seek_table(self._blocks, self._first.info_length, self._bytes),
                padding=padding,
                music_crc=self._music_crc,
            )
            self._out.seek(0)
            self._out.write(info)
            self._out.close()
            self._out = None
        finally:
            self.abort(delete=False)
        log.debug("mp3 in %d blocks: %d encoded, %d from the cache", len(self._blocks), self.encoded, self.hits)

    def abort(self, *, delete: bool = True) -> None:
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._out is not None:
            self._out.close()
            self._out = None
        if delete:
            self.target.unlink(missing_ok=True)


def write_spliced(
    target: Path,
    rate: int,
    codec: list[str],
    chunks: Any,
    marks: list[int],
    store: BlockStore | None,
    *,
    ffmpeg: str,
    identity: str,
    on_audio: Callable[[bytes | memoryview], None] | None = None,
) -> SplicedWriter:
    """All of ``chunks`` (int16 arrays, in order) into ``target``, cut at ``marks``; the
    writer that did it (how many blocks it encoded and reused). ``on_audio`` hears the
    audio frames as they are written."""
    writer = SplicedWriter(target, rate, codec, store, ffmpeg=ffmpeg, identity=identity, on_audio=on_audio)
    for position in marks:
        writer.mark(position)
    try:
        for chunk in chunks:
            writer.write(chunk)
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return writer
