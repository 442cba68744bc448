"""Encoding while the narration is assembled, at a mastering gain known in advance."""

from __future__ import annotations

import contextlib
import logging
import math
import queue
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from audiogen.audio.encode import (
    DECODED_SLACK_DB,
    AudioFormat,
    DecodedPeakMeter,
    ExportOptions,
    codec_headroom_db,
    codec_options,
    decoded_peak_db,
    encoder_command,
    encoder_identity,
    lossy,
    splices,
)
from audiogen.audio.master import (
    Limiter,
    LoudnessMeter,
    Mastering,
    MasteringReport,
    db_to_gain,
    gain_to_db,
)
from audiogen.audio.mp3splice import SplicedWriter
from audiogen.audio.pcm import ffmpeg_exe
from audiogen.errors import ExportError, SpliceError
from audiogen.export import check_target
from audiogen.files import temp_part

log = logging.getLogger("audiogen")


#: samples the streamed exporter limits at a time (1.5 s at 22.05 kHz): small steps keep
#: it right behind the assembler, so little is left to do when the last words arrive
STREAM_STEP = 1 << 15


class StreamingExport:
    """Master and encode the narration while it is being assembled, at a gain known in
    advance (the one that brought this article, in this voice, to the target last time).

    Audio is fed in as the assembler lays it down (``feed``); the limiter works a few
    milliseconds behind, the encoder takes its output at once, and the output is
    measured on the way. ``finish`` ends the file and gives its report when it landed
    within the tolerance of the target; otherwise it deletes it and gives ``None``, and
    the caller exports the usual way. M4A cannot stream: its chapters must reach the
    encoder before the audio."""

    def __init__(
        self,
        path: Path,
        audio_format: AudioFormat,
        options: ExportOptions,
        gain_db: float,
        extra_room_db: float = 0.0,
        spots: tuple[tuple[int, int, float], ...] = (),
    ) -> None:
        if options.loudness is None or audio_format.name == "m4a":
            raise ValueError("streaming export needs a loudness target and a format without up-front chapters")
        self.path, self.audio_format, self.options = path, audio_format, options
        self.target = options.loudness
        self.gain = db_to_gain(gain_db)
        #: room below the ceiling beyond the codec's usual, learned on the last export
        self.extra_room_db = max(0.0, extra_room_db)
        #: places held lower, learned on the last export (``Limiter.spots``)
        self.spots = spots
        self._sent = 0  # samples handed to the limiter to keep so far
        self.folder = check_target(path)
        self.tmp: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._writer: SplicedWriter | None = None
        #: an MP3 written in blocks is decoded as it is written, for its true peak
        self._peak_meter: DecodedPeakMeter | None = None
        self._started = False
        self._marks: list[int] = []
        self._errors: Any = None
        self._limiter: Limiter | None = None
        # scaled audio not yet handed to the limiter, in pieces: joined a chunk at a time
        self._pending: list[Any] = []
        self._pending_size = 0
        self._meter: LoudnessMeter | None = None
        self._peak = 0.0
        self.failed: str | None = None
        # The limiter, the meter and the pipe run in a thread of their own, so the
        # assembler goes on while the encoder takes its time.
        self._queue: queue.Queue[tuple[Any, int, int] | None] = queue.Queue(maxsize=4)
        self._thread: threading.Thread | None = None

    def block(self, position: int) -> None:
        """A block boundary at ``position`` (an MP3 is encoded block by block)."""
        if self._writer is not None:
            self._writer.mark(position)
        else:
            self._marks.append(position)

    def feed(self, samples: Any, rate: int) -> None:
        if self.failed is not None:
            return
        if not self._started:
            self._start(rate)
        assert self._limiter is not None
        scaled = samples.astype(np.float64) * (self.gain / 32768.0)
        self._pending.append(scaled)
        self._pending_size += scaled.size
        window = STREAM_STEP + 2 * self._limiter.margin
        if self._pending_size < window:
            return
        pending = np.concatenate(self._pending)
        while pending.size >= window and self.failed is None:
            # (the window starts ``margin`` samples before what it keeps)
            self._queue.put((pending[:window], STREAM_STEP, self._sent - self._limiter.margin))
            self._sent += STREAM_STEP
            pending = pending[STREAM_STEP:]
        self._pending, self._pending_size = [pending], pending.size

    def _drain(self) -> None:
        while (item := self._queue.get()) is not None:
            if self.failed is None:
                self._emit(*item)

    def _start(self, rate: int) -> None:
        self._started = True
        self.tmp = temp_part(self.folder, self.path.name)
        if splices(self.audio_format, self.options):
            codec = codec_options(self.audio_format, self.options)
            self._peak_meter = DecodedPeakMeter()
            writer = SplicedWriter(
                self.tmp,
                rate,
                codec,
                self.options.blocks,
                ffmpeg=ffmpeg_exe(),
                identity=encoder_identity(),
                on_audio=self._peak_meter.add,
            )
            for position in self._marks:
                writer.mark(position)
            self._writer = writer
        else:
            self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finish or discard
            command = encoder_command(rate, self.tmp, self.audio_format, self.options)
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._errors
            )
        room = codec_headroom_db(self.audio_format, self.options) + self.extra_room_db
        ceiling = db_to_gain(self.target.true_peak - room)
        self._limiter = Limiter(rate, ceiling, self.spots)
        self._meter = LoudnessMeter(rate)
        # before the first sample lies silence: the limiter's left context
        self._pending, self._pending_size = [np.zeros(self._limiter.margin)], self._limiter.margin
        thread = threading.Thread(target=self._drain, name="audiogen-encoder", daemon=True)
        thread.start()
        # (kept once started: a stop signal that lands inside ``start`` left a thread that
        # ``discard`` then could not join, and a convert stopped then said so in a traceback's words)
        self._thread = thread

    def _emit(self, window: Any, count: int, offset: int) -> None:
        assert self._limiter is not None and self._meter is not None
        pcm, peak = self._limiter.output(window, count, self._meter, offset=offset)
        self._peak = max(self._peak, peak)
        try:
            if self._writer is not None:
                self._writer.write(pcm)
            else:
                assert self._process is not None and self._process.stdin is not None
                self._process.stdin.write(pcm.tobytes())
        except (OSError, SpliceError, ExportError) as exc:
            self.failed = f"the encoder stopped: {exc}"

    def finish(self) -> MasteringReport | None:
        """End the stream; the report when the file is whole and on target, else ``None``."""
        if not self._started or self._limiter is None or self._meter is None:
            return None
        margin = self._limiter.margin
        if self.failed is None:
            rest = np.concatenate((*self._pending, np.zeros(margin)))
            self._queue.put((rest, max(rest.size - 2 * margin, 0), self._sent - margin))
        self._stop_thread()
        code = self._end_encoder()
        output = self._meter.integrated()
        if (
            code != 0
            or self.failed is not None
            or not math.isfinite(output)
            or abs(output - self.target.lufs) > Mastering.TOLERANCE_LU
            or self._peak > self._limiter.ceiling * 1.001
        ):
            log.debug("streamed encoding missed (exit %s, %.2f LUFS); exporting again", code, output)
            self.discard()
            return None
        peak_db = gain_to_db(self._peak) if self._peak > 0 else -math.inf
        if lossy(self.audio_format):
            # the decoded file's peaks are what a listener hears; over the ceiling, the
            # usual export encodes again with more room
            assert self.tmp is not None
            ceiling_db = self.target.true_peak - DECODED_SLACK_DB
            try:
                meter, self._peak_meter = self._peak_meter, None
                peak_db = meter.finish() if meter is not None else decoded_peak_db(self.tmp)
            except ExportError:
                peak_db = math.inf
            if peak_db > ceiling_db:
                log.debug(
                    "the streamed %s peaks at %.2f dBTP decoded; exporting again", self.audio_format.name, peak_db
                )
                self.discard()
                return None
        return MasteringReport(
            gain_db=round(gain_to_db(self.gain), 2),
            input_lufs=round(output - gain_to_db(self.gain), 2),
            output_lufs=round(output, 2),
            true_peak_dbtp=round(peak_db, 2),
            limited=True,
            extra_room_db=self.extra_room_db,
            spots=self.spots,
        )

    def _end_encoder(self) -> int:
        """Let the encoder finish the file; its exit code (0 for the block writer)."""
        if self._writer is not None:
            if self.failed is None:
                try:
                    self._writer.close()
                except (OSError, SpliceError, ExportError) as exc:
                    self.failed = f"the encoder stopped: {exc}"
            return 0
        assert self._process is not None
        try:
            assert self._process.stdin is not None
            self._process.stdin.close()
        except OSError:
            self.failed = self.failed or "the encoder stopped"
        code = self._process.wait()
        self._errors.close()
        return code

    @property
    def writer(self) -> SplicedWriter | None:
        """The MP3 block writer, when the file is encoded block by block."""
        return self._writer

    def _stop_thread(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def discard(self) -> None:
        """Stop the encoder and delete what it wrote."""
        self.failed = self.failed or "discarded"
        if self._process is not None and self._process.poll() is None:
            self._process.kill()  # first: a write the thread is blocked in fails at once
            self._process.wait()
        if self._thread is not None:
            while not self._queue.empty():  # what is left need not be limited
                with contextlib.suppress(queue.Empty):
                    self._queue.get_nowait()
            self._stop_thread()
        if self._writer is not None:  # after the thread: nothing writes to it any more
            self._writer.abort(delete=False)
        if self._peak_meter is not None:
            self._peak_meter.abort()
            self._peak_meter = None
        if self._errors is not None and not self._errors.closed:
            self._errors.close()
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)
            self.tmp = None
