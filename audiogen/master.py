"""Mastering: bring the narration to a loudness target (ITU-R BS.1770 integrated
loudness, −16 LUFS by default) with a true-peak ceiling (−1 dBTP), in chunks.

The K-weighting filters are pyloudnorm's; the gated measurement runs here over a stream
of chunks (pyloudnorm's meter wants the whole signal in memory as float64, 1.4 GB for a
two-hour narration) and gives the same figure. Peaks above the ceiling after the gain
are caught by a look-ahead limiter on 4× oversampled peaks, and the loudness is then
measured again and corrected, so the target holds even when the limiter worked.

``render(start, count)`` is any function giving the mix as float samples (1.0 = full
scale) for a range; the mastering pulls what it needs, so nothing holds the whole mix.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from audiogen.audio import CHUNK

Render = Callable[[int, int], npt.NDArray[np.float32]]
FloatArray = npt.NDArray[np.float64] | npt.NDArray[np.float32]

ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
BLOCK_SECONDS = 0.4
STEP_SECONDS = 0.1
OVERSAMPLE = 4
#: look-ahead (and release) of the limiter
LIMITER_MS = 3.0
#: inter-sample peaks of speech stay within this of the sample peak; below it the
#: (costly) oversampling is skipped
INTERSAMPLE_HEADROOM_DB = 4.0
MAX_GAIN_DB = 40.0


@dataclass(frozen=True)
class LoudnessTarget:
    """Integrated loudness (LUFS) and true-peak ceiling (dBTP) of the output."""

    lufs: float = -16.0
    true_peak: float = -1.0


@dataclass(frozen=True)
class MasteringReport:
    gain_db: float
    input_lufs: float
    output_lufs: float
    true_peak_dbtp: float
    limited: bool


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def gain_to_db(gain: float) -> float:
    return 20.0 * math.log10(gain) if gain > 0 else -math.inf


class LoudnessMeter:
    """BS.1770 gated integrated loudness of a mono signal fed in pieces."""

    def __init__(self, rate: int) -> None:
        from pyloudnorm.iirfilter import IIRfilter
        from scipy.signal import lfilter

        self._lfilter = lfilter
        # The K-weighting of BS.1770: a high shelf (+4 dB above ~1.5 kHz) then a high pass.
        self._stages = [
            IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, rate, "high_shelf"),
            IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
        ]
        self._states = [np.zeros(2) for _ in self._stages]
        self._hop = max(round(rate * STEP_SECONDS), 1)
        self._energies: list[float] = []
        self._partial = 0.0
        self._partial_count = 0

    def add(self, samples: FloatArray) -> None:
        data = np.asarray(samples, dtype=np.float64)
        for index, stage in enumerate(self._stages):
            data, self._states[index] = self._lfilter(stage.b, stage.a, data, zi=self._states[index])
            data = data * stage.passband_gain
        squares = data * data
        position = 0
        if self._partial_count:
            take = min(self._hop - self._partial_count, squares.size)
            self._partial += float(squares[:take].sum())
            self._partial_count += take
            position = take
            if self._partial_count == self._hop:
                self._energies.append(self._partial)
                self._partial, self._partial_count = 0.0, 0
        whole = (squares.size - position) // self._hop
        if whole:
            hops = squares[position : position + whole * self._hop].reshape(whole, self._hop).sum(axis=1)
            self._energies.extend(hops.tolist())
            position += whole * self._hop
        if position < squares.size:
            self._partial += float(squares[position:].sum())
            self._partial_count += squares.size - position

    def integrated(self) -> float:
        """Integrated loudness in LUFS (−inf for silence)."""
        per_block = round(BLOCK_SECONDS / STEP_SECONDS)
        hops = np.asarray(self._energies, dtype=np.float64)
        if hops.size < per_block:
            # shorter than one gating block: the mean square of what there is
            count = hops.size * self._hop + self._partial_count
            total = float(hops.sum()) + self._partial
            return _lufs(total / count) if count else -math.inf
        cumulative = np.concatenate(([0.0], np.cumsum(hops)))
        blocks = (cumulative[per_block:] - cumulative[:-per_block]) / (per_block * self._hop)
        with np.errstate(divide="ignore"):
            loudness = -0.691 + 10.0 * np.log10(blocks)
        gated = blocks[loudness >= ABSOLUTE_GATE]
        if gated.size == 0:
            return -math.inf
        relative = _lufs(float(gated.mean())) + RELATIVE_GATE
        final = blocks[(loudness > relative) & (loudness > ABSOLUTE_GATE)]
        return _lufs(float(final.mean())) if final.size else -math.inf


def _lufs(mean_square: float) -> float:
    return -0.691 + 10.0 * math.log10(mean_square) if mean_square > 0 else -math.inf


def loudness(samples: FloatArray, rate: int) -> float:
    meter = LoudnessMeter(rate)
    meter.add(samples)
    return meter.integrated()


def sample_peaks(samples: FloatArray, *, ceiling: float | None = None) -> npt.NDArray[np.float64]:
    """Per sample, the largest magnitude of the 4× oversampled signal around it (the
    true peak of BS.1770 annex 2). Where even the sample peak is far below ``ceiling``
    the oversampling is skipped and the sample magnitudes are returned."""
    magnitude = np.abs(np.asarray(samples, dtype=np.float64))
    if magnitude.size == 0:
        return magnitude
    if ceiling is not None and magnitude.max() * db_to_gain(INTERSAMPLE_HEADROOM_DB) < ceiling:
        return magnitude
    from scipy.signal import resample_poly

    upsampled: npt.NDArray[np.float64] = np.abs(resample_poly(np.asarray(samples, dtype=np.float64), OVERSAMPLE, 1))
    upsampled = upsampled[: magnitude.size * OVERSAMPLE].reshape(-1, OVERSAMPLE).max(axis=1)
    return np.maximum(magnitude, upsampled)


def true_peak_db(samples: FloatArray) -> float:
    peaks = sample_peaks(samples)
    return gain_to_db(float(peaks.max())) if peaks.size else -math.inf


class Mastering:
    """Measure ``render`` over ``total`` samples, then give it back at the target."""

    def __init__(self, render: Render, total: int, rate: int, target: LoudnessTarget, *, margin_db: float = 0.0):
        self.render = render
        self.total = total
        self.rate = rate
        self.target = target
        #: extra room below the ceiling, for codecs whose decoded peaks overshoot
        self.ceiling = db_to_gain(target.true_peak - margin_db)
        self._width = max(int(self.rate * LIMITER_MS / 1000), 1)
        self._margin = 2 * self._width + 32
        self.report: MasteringReport | None = None
        self.gain = 1.0
        self._limit = False

    def measure(self) -> MasteringReport:
        meter = LoudnessMeter(self.rate)
        loudest = 0.0
        for start in range(0, self.total, CHUNK):
            chunk = self.render(start, min(CHUNK, self.total - start))
            meter.add(chunk)
            if chunk.size:
                loudest = max(loudest, float(np.abs(chunk).max()))
        measured = meter.integrated()
        gain_db = 0.0 if math.isinf(measured) else min(self.target.lufs - measured, MAX_GAIN_DB)
        self.gain = db_to_gain(gain_db)
        self._limit = loudest * self.gain * db_to_gain(INTERSAMPLE_HEADROOM_DB) > self.ceiling
        output = measured + gain_db
        if self._limit:
            # The limiter lowers the loudest moments a little; measure what it leaves.
            meter = LoudnessMeter(self.rate)
            for limited_chunk in self._chunks():
                meter.add(limited_chunk)
            limited = meter.integrated()
            if not math.isinf(limited):
                correction = self.target.lufs - limited
                self.gain *= db_to_gain(correction)
                gain_db += correction
                output = limited + correction
        self.report = MasteringReport(
            gain_db=round(gain_db, 2),
            input_lufs=round(measured, 2),
            output_lufs=round(output, 2),
            true_peak_dbtp=0.0,
            limited=self._limit,
        )
        return self.report

    def _chunks(self) -> Iterator[npt.NDArray[np.float64]]:
        margin = self._margin if self._limit else 0
        for start in range(0, self.total, CHUNK):
            count = min(CHUNK, self.total - start)
            chunk = self.render(start - margin, count + 2 * margin).astype(np.float64) * self.gain
            if self._limit:
                chunk = self._limited(chunk)
            yield chunk[margin : margin + count]

    def _limited(self, chunk: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        from scipy.ndimage import minimum_filter1d, uniform_filter1d

        peaks = sample_peaks(chunk, ceiling=self.ceiling)
        # a hair under the ceiling, for what the gain changes themselves add
        need = np.minimum(1.0, self.ceiling * 0.99 / np.maximum(peaks, 1e-12))
        if need.min() >= 1.0:
            return chunk
        size = 2 * self._width + 1
        # Spread each reduction over the look-ahead window, then smooth it: at a peak the
        # averaged gain is never above what that peak needs.
        smooth: npt.NDArray[np.float64] = uniform_filter1d(
            minimum_filter1d(need, size=size, mode="nearest"), size=size, mode="nearest"
        )
        return chunk * smooth

    def pcm_chunks(self) -> Iterator[npt.NDArray[np.int16]]:
        """The mastered signal as int16 chunks; sets the report's true peak."""
        if self.report is None:
            self.measure()
        assert self.report is not None
        peak = 0.0
        for chunk in self._chunks():
            if chunk.size:
                peak = max(peak, float(sample_peaks(chunk, ceiling=self.ceiling).max()))
            yield np.clip(np.round(chunk * 32767.0), -32768, 32767).astype(np.int16)
        self.report = MasteringReport(
            gain_db=self.report.gain_db,
            input_lufs=self.report.input_lufs,
            output_lufs=self.report.output_lufs,
            true_peak_dbtp=round(gain_to_db(peak), 2) if peak > 0 else -math.inf,
            limited=self.report.limited,
        )
