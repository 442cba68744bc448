"""Mastering: bring the narration to a loudness target (ITU-R BS.1770 integrated
loudness, −16 LUFS by default) with a true-peak ceiling (−1 dBTP), in chunks.

The meter is BS.1770's: K-weighting (a high shelf and a high pass, with the analog
parameters libebur128 uses, so any sample rate gets the standard's response), mean square
over 400 ms blocks every 100 ms, an absolute gate at −70 LUFS and a relative one 10 LU
below. It runs over a stream of chunks with NumPy alone: pyloudnorm (which the tests use
as the reference, and which agrees to a hundredth of a LU) wants the whole signal in
memory as float64, 1.4 GB for a two-hour narration, and its import of scipy.signal
costs more than a second on every run, most of the time of re-rendering a cached article. Peaks above the ceiling after the gain
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

from audiogen.audio.pcm import CHUNK

Render = Callable[[int, int], npt.NDArray[np.float32]]
FloatArray = npt.NDArray[np.float64] | npt.NDArray[np.float32]

ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
BLOCK_SECONDS = 0.4
STEP_SECONDS = 0.1
OVERSAMPLE = 4
#: look-ahead (and release) of the limiter
LIMITER_MS = 3.0
#: how far around a place where a codec's decoded peak overshot its ceiling is lowered
SPOT_SECONDS = 0.1
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
    #: how much lower than the codec's usual room the limiter had to go everywhere (a
    #: codec's decoded peaks overshot it): a re-narration streamed at the remembered gain
    #: starts there
    extra_room_db: float = 0.0
    #: where it had to go lower only there (``Limiter.spots``): a re-narration streamed at
    #: the remembered gain holds the same places under the same ceilings
    spots: tuple[tuple[int, int, float], ...] = ()


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def gain_to_db(gain: float) -> float:
    return 20.0 * math.log10(gain) if gain > 0 else -math.inf


def k_weighting(rate: int) -> list[tuple[tuple[float, float, float], tuple[float, float, float]]]:
    """The two biquads (b, a) of BS.1770's K-weighting at ``rate``: a high shelf of about
    +4 dB above 1.7 kHz, then a high pass at 38 Hz (bilinear transform, prewarped)."""
    gain_db, q_shelf, f_shelf = 3.99984385397, 0.7071752369554193, 1681.9744509555319
    q_pass, f_pass = 0.5003270373253953, 38.13547087613982
    k = math.tan(math.pi * f_shelf / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q_shelf + k * k
    shelf = (
        ((vh + vb * k / q_shelf + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q_shelf + k * k) / a0),
        (1.0, 2 * (k * k - 1) / a0, (1 - k / q_shelf + k * k) / a0),
    )
    k = math.tan(math.pi * f_pass / rate)
    a0 = 1 + k / q_pass + k * k
    high_pass = ((1.0, -2.0, 1.0), (1.0, 2 * (k * k - 1) / a0, (1 - k / q_pass + k * k) / a0))
    return [shelf, high_pass]


def _impulse_response(rate: int) -> npt.NDArray[np.float64]:
    """The K-weighting's impulse response over about 0.1 s: both filters settle within
    a few milliseconds, and what is cut off is below a millionth of the signal."""
    length = 1 << math.ceil(math.log2(max(rate * 0.08, 256)))
    signal = [0.0] * length
    signal[0] = 1.0
    for (b0, b1, b2), (_, a1, a2) in k_weighting(rate):
        out = [0.0] * length
        x1 = x2 = y1 = y2 = 0.0
        for index, x in enumerate(signal):
            y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            out[index] = y
            x2, x1, y2, y1 = x1, x, y1, y
        signal = out
    return np.asarray(signal)


class _FirFilter:
    """Streaming FFT convolution (overlap-add, in short blocks that stay in the CPU's
    cache, transformed all at once) with a fixed impulse response. The transforms run in
    single precision, twice as fast: the loudness they feed moves by well under a
    thousandth of a LU; the ringing is carried over in double."""

    def __init__(self, response: npt.NDArray[np.float64]) -> None:
        self.response = response
        self.size = max(8 * (1 << math.ceil(math.log2(response.size))), 1 << 14)
        self.block = self.size - response.size + 1
        self.spectrum = np.fft.rfft(response.astype(np.float32), self.size)
        self._tail = np.zeros(response.size - 1)

    def __call__(self, data: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        count = data.size
        if count == 0:
            return data
        blocks = -(-count // self.block)
        ring = self.response.size - 1
        padded = np.zeros(blocks * self.block, dtype=np.float32)
        padded[:count] = data
        spectra = np.fft.rfft(padded.reshape(blocks, self.block), self.size, axis=1)
        pieces = np.fft.irfft(spectra * self.spectrum, self.size, axis=1)
        out = np.empty(blocks * self.block + ring)
        body = out[: blocks * self.block].reshape(blocks, self.block)
        body[:] = pieces[:, : self.block]
        # each block's ringing into the start of the next (shorter than a block)
        body[1:, :ring] += pieces[:-1, self.block : self.block + ring]
        out[blocks * self.block :] = pieces[-1, self.block : self.block + ring]
        out[:ring] += self._tail
        self._tail = out[count : count + ring].copy()
        result: npt.NDArray[np.float64] = out[:count]
        return result


class LoudnessMeter:
    """BS.1770 gated integrated loudness of a mono signal fed in pieces."""

    def __init__(self, rate: int) -> None:
        self._filter = _FirFilter(_response_for(rate))
        self._hop = max(round(rate * STEP_SECONDS), 1)
        self._energies: list[float] = []
        self._partial = 0.0
        self._partial_count = 0

    def add(self, samples: FloatArray) -> None:
        data = self._filter(np.asarray(samples, dtype=np.float64))
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

    def add_silence(self, count: int) -> None:
        """``count`` zero samples, without filtering them all: once the filter's ringing
        has passed, silence adds empty hops."""
        flush = min(count, self._filter.response.size)
        if flush:
            self.add(np.zeros(flush))
        rest = count - flush
        if rest <= 0:
            return
        if self._partial_count:
            take = min(self._hop - self._partial_count, rest)
            self._partial_count += take
            rest -= take
            if self._partial_count == self._hop:
                self._energies.append(self._partial)
                self._partial, self._partial_count = 0.0, 0
        whole, rest = divmod(rest, self._hop)
        self._energies.extend([0.0] * whole)
        self._partial_count += rest

    def integrated(self, gain: float = 1.0) -> float:
        """Integrated loudness in LUFS (−inf for silence) of what was added, or of it
        scaled by ``gain`` (the filter is linear: only the gates see the difference)."""
        per_block = round(BLOCK_SECONDS / STEP_SECONDS)
        hops = np.asarray(self._energies, dtype=np.float64) * (gain * gain)
        if hops.size < per_block:
            # shorter than one gating block: the mean square of what there is
            count = hops.size * self._hop + self._partial_count
            total = float(hops.sum()) + self._partial * gain * gain
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


_RESPONSES: dict[int, npt.NDArray[np.float64]] = {}


def _response_for(rate: int) -> npt.NDArray[np.float64]:
    if rate not in _RESPONSES:
        _RESPONSES[rate] = _impulse_response(rate)
    return _RESPONSES[rate]


def _lufs(mean_square: float) -> float:
    return -0.691 + 10.0 * math.log10(mean_square) if mean_square > 0 else -math.inf


def loudness(samples: FloatArray, rate: int) -> float:
    meter = LoudnessMeter(rate)
    meter.add(samples)
    return meter.integrated()


def sample_peaks(samples: FloatArray, *, ceiling: float | None = None) -> npt.NDArray[np.float64]:
    """Per sample, the largest magnitude of the 4× oversampled signal around it (the
    true peak of BS.1770 annex 2). Given a ``ceiling``, only the samples whose
    neighbourhood could reach it are oversampled: elsewhere the sample magnitudes stand."""
    signal = np.asarray(samples, dtype=np.float64)
    magnitude = np.abs(signal)
    if magnitude.size == 0:
        return magnitude
    if ceiling is None:
        return np.maximum(magnitude, _between_samples(signal))
    if magnitude.max() <= ceiling / db_to_gain(INTERSAMPLE_HEADROOM_DB):
        return magnitude
    # No interpolated point exceeds its twelve neighbours' peak times the filter's gain.
    hot = np.flatnonzero(magnitude > ceiling * 0.99 / _FILTER_GAIN)
    half = _PHASES.shape[1] // 2
    near = np.zeros(signal.size, dtype=bool)
    for offset in range(-half, half):
        near[np.clip(hot + offset, 0, signal.size - 1)] = True
    where = np.flatnonzero(near)
    padded = np.concatenate((np.zeros(half - 1), signal, np.zeros(half)))
    windows = padded[where[:, None] + np.arange(_PHASES.shape[1])]
    between = np.abs(windows @ _PHASES[1:].T).max(axis=1)
    peaks = magnitude.copy()
    peaks[where] = np.maximum(magnitude[where], between)
    return peaks


def _between_samples(signal: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The largest magnitude among the three points between each sample and the next."""
    half = _PHASES.shape[1] // 2
    padded = np.concatenate((np.zeros(half - 1), signal, np.zeros(half)))
    peaks = np.zeros(signal.size)
    for phase in _PHASES[1:]:
        between = np.convolve(padded, phase[::-1], mode="valid")[: signal.size]
        peaks = np.maximum(peaks, np.abs(between))
    return peaks


def _oversampling_phases(taps_per_phase: int = 12) -> npt.NDArray[np.float64]:
    """Interpolation filters for 4× oversampling (windowed sinc, ``taps_per_phase`` taps
    each, as in BS.1770 annex 2): phase p gives the signal at sample + p/4."""
    half = taps_per_phase // 2
    offsets = np.arange(-half + 1, half + 1, dtype=np.float64)
    phases = []
    for phase in range(OVERSAMPLE):
        t = offsets - phase / OVERSAMPLE
        window = np.cos(np.pi * t / (2 * half)) ** 2  # a Hann window over the taps
        taps = np.sinc(t) * window
        phases.append(taps / taps.sum())
    return np.asarray(phases)


_PHASES = _oversampling_phases()
#: the most an interpolated point can exceed the largest sample it is made from
_FILTER_GAIN = float(np.abs(_PHASES).sum(axis=1).max())


def to_pcm(samples: FloatArray) -> npt.NDArray[np.int16]:
    """Float samples (1.0 = full scale) → little-endian int16, rounded and clipped."""
    scaled = np.asarray(samples, dtype=np.float64) * 32768.0
    return np.clip(np.round(scaled), -32768, 32767).astype("<i2")


class Limiter:
    """A look-ahead true-peak limiter. It works on windows that carry ``margin`` samples
    of context on each side of the part that is kept.

    ``spots`` are stretches (first and last sample of the narration, ceiling) held under
    a lower ceiling than the rest: where a codec's decoded peaks overshot. A window
    that meets none of them is limited exactly as without them, so the blocks of an MP3
    around a spot come out the same, sample for sample, and are not encoded again."""

    def __init__(self, rate: int, ceiling: float, spots: tuple[tuple[int, int, float], ...] = ()) -> None:
        self.rate = rate
        self.ceiling = ceiling
        self.spots = spots
        self._width = max(int(rate * LIMITER_MS / 1000), 1)
        self.margin = 2 * self._width + 32

    @property
    def lowest(self) -> float:
        """The lowest ceiling anywhere."""
        return min([self.ceiling, *(ceiling for _, _, ceiling in self.spots)])

    def with_spot(self, first: int, last: int, ceiling: float) -> Limiter:
        """This limiter, holding samples ``first``…``last`` under ``ceiling`` too."""
        return Limiter(self.rate, self.ceiling, (*self.spots, (first, last, ceiling)))

    def ceilings(self, offset: int, size: int) -> float | npt.NDArray[np.float64]:
        """The ceiling over a window starting at sample ``offset``: one number, or one per
        sample where a spot lies in it."""
        ceilings: npt.NDArray[np.float64] | None = None
        for first, last, ceiling in self.spots:
            start, end = max(first - offset, 0), min(last + 1 - offset, size)
            if start < end and ceiling < self.ceiling:
                if ceilings is None:
                    ceilings = np.full(size, self.ceiling)
                ceilings[start:end] = np.minimum(ceilings[start:end], ceiling)
        return self.ceiling if ceilings is None else ceilings

    def limited(
        self,
        chunk: npt.NDArray[np.float64],
        offset: int = 0,
        *,
        peaks: npt.NDArray[np.float64] | None = None,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The chunk (which starts at sample ``offset`` of the narration) limited, and its
        true peaks after limiting (the peaks before, times the gain the limiter gave them:
        the gain moves too slowly to make new ones). ``peaks``: the chunk's true peaks,
        when they are known already."""
        ceilings = self.ceilings(offset, chunk.size)
        low = ceilings if isinstance(ceilings, float) else float(ceilings.min())
        if peaks is None:
            peaks = sample_peaks(chunk, ceiling=low)
        # a hair under the ceiling, for what the gain changes themselves add
        need = np.minimum(1.0, ceilings * 0.99 / np.maximum(peaks, 1e-12))
        if need.min() >= 1.0:
            return chunk, peaks
        size = 2 * self._width + 1
        # Spread each reduction over the look-ahead window, then smooth it: at a peak the
        # averaged gain is never above what that peak needs.
        envelope = _moving_average(_running_min(need, size), size)
        return chunk * envelope, peaks * envelope

    def output(
        self,
        window: npt.NDArray[np.float64],
        count: int,
        meter: LoudnessMeter,
        *,
        limit: bool = True,
        offset: int = 0,
    ) -> tuple[npt.NDArray[np.int16], float]:
        """Limit ``window`` (starting at sample ``offset``; or only find its peaks), measure
        the ``count`` samples it keeps and give them as int16, with their true peak."""
        if limit:
            window, peaks = self.limited(window, offset)
        else:
            peaks = sample_peaks(window, ceiling=self.ceiling)
        kept = window[self.margin : self.margin + count]
        meter.add(kept)
        peak = float(peaks[self.margin : self.margin + count].max()) if count else 0.0
        return to_pcm(kept), peak


@dataclass(frozen=True)
class _KeptChunk:
    """A chunk of a pass's output, and what decided it besides the narration itself."""

    gain: float
    limit: bool
    ceilings: float | npt.NDArray[np.float64]
    pcm: npt.NDArray[np.int16]
    peak: float

    def same(self, gain: float, limit: bool, ceilings: float | npt.NDArray[np.float64]) -> bool:
        """Whether a pass with these settings would give this chunk again."""
        if gain != self.gain or limit != self.limit:
            return False
        if isinstance(ceilings, float) or isinstance(self.ceilings, float):
            return isinstance(ceilings, float) and isinstance(self.ceilings, float) and ceilings == self.ceilings
        return bool(np.array_equal(ceilings, self.ceilings))


class Mastering:
    """Measure ``render`` over ``total`` samples, then give it back at the target.

    ``measured`` (integrated loudness and sample peak of the render, when the assembler
    already measured them on the way) saves the first pass. When peaks need limiting,
    the loudness the limiter takes away is estimated on samples spread over the whole
    narration and made up for in the gain before it; the output is then produced in one
    pass (the encoder can take it as it comes) and measured as it goes. If it missed the
    target by more than ``TOLERANCE_LU``, ``retry`` corrects the gain for another pass."""

    TOLERANCE_LU = 0.3
    #: stretches of audio (three quarters of a second each) on which the limiter's loss
    #: is estimated: at least this many, else enough for this share of the narration, at
    #: most ``MAX_SAMPLE_BLOCKS`` (eight stretches of three seconds missed a 27-minute
    #: narration by 0.5 LU, and the whole of it was mastered and encoded again)
    SAMPLE_BLOCKS = 32
    SAMPLE_SHARE = 0.15
    MAX_SAMPLE_BLOCKS = 192
    SAMPLE_LENGTH = 1 << 14
    #: narrations up to this many samples (12.7 minutes at 22.05 kHz; 32 MB) keep each
    #: pass's output: a pass that holds a few places lower (a codec's decoded peaks went
    #: over the ceiling there) limits only the chunks around them again
    KEEP_SAMPLES = 1 << 24

    def __init__(
        self,
        render: Render,
        total: int,
        rate: int,
        target: LoudnessTarget,
        *,
        margin_db: float = 0.0,
        measured: tuple[float, float] | None = None,
    ):
        self.render = render
        self.total = total
        self.rate = rate
        self.target = target
        self.measured = measured
        #: ``margin_db``: extra room below the ceiling, for codecs whose decoded peaks overshoot
        self.limiter = Limiter(rate, db_to_gain(target.true_peak - margin_db))
        self._usual_ceiling = self.limiter.ceiling
        self.report: MasteringReport | None = None
        self.gain = 1.0
        self._limit = False
        self._input = -math.inf
        #: the stretches the limiter's loss is estimated on (where each starts, and its
        #: true peaks at gain 1 where they are above the samples: which, and how high),
        #: and their loudness metered at gain 1: the same in every round, only the gain
        #: differs
        self._stretches: list[tuple[int, npt.NDArray[np.intp], npt.NDArray[np.float64]]] | None = None
        self._stretches_meter: LoudnessMeter | None = None
        #: the ceiling (at gain 1) above which their true peaks were found
        self._stretches_threshold = math.inf
        #: the last pass's output, chunk by chunk (``KEEP_SAMPLES``)
        self._kept: dict[int, _KeptChunk] = {}

    def measure(self) -> MasteringReport:
        if self.measured is not None:
            measured, loudest = self.measured
        else:
            meter = LoudnessMeter(self.rate)
            loudest = 0.0
            for start in range(0, self.total, CHUNK):
                chunk = self.render(start, min(CHUNK, self.total - start))
                meter.add(chunk)
                if chunk.size:
                    loudest = max(loudest, float(np.abs(chunk).max()))
            measured = meter.integrated()
        self._input = measured
        gain_db = 0.0 if math.isinf(measured) else min(self.target.lufs - measured, MAX_GAIN_DB)
        self._limit = loudest * db_to_gain(gain_db + INTERSAMPLE_HEADROOM_DB) > self.limiter.ceiling
        if self._limit:
            # Driving the limiter harder makes it take more: the make-up gain is where
            # ``drive = gain + loss(drive)`` settles. Each round of that closes about half
            # the distance left (a 27-minute narration was still 0.5 LU short after two),
            # so after two rounds the rest of the way is extrapolated (Aitken's method).
            rounds = [gain_db]
            for _ in range(2):
                rounds.append(gain_db + self._estimated_loss(db_to_gain(rounds[-1])))
            first, second = rounds[1] - rounds[0], rounds[2] - rounds[1]
            ratio = second / first if first > 0 else 0.0
            drive = rounds[2] + second * ratio / (1 - ratio) if 0 < ratio < 0.9 else rounds[2]
        else:
            drive = gain_db
        # in steps of 0.01 dB, as reported and remembered: a re-narration at the
        # remembered gain then gives its unchanged paragraphs the very same samples
        self.gain = db_to_gain(round(drive, 2))
        self.report = MasteringReport(
            gain_db=round(drive, 2),
            input_lufs=round(measured, 2),
            output_lufs=round(measured + gain_db, 2) if not math.isinf(measured) else -math.inf,
            true_peak_dbtp=0.0,
            limited=self._limit,
        )
        return self.report

    def _estimated_loss(self, gain: float) -> float:
        """How many LU the limiter takes away at ``gain``, measured (with gating, as the
        loudness itself is) on stretches spread evenly over the narration."""
        length = min(self.SAMPLE_LENGTH, self.total)
        margin = self.limiter.margin
        if self._stretches is None or self.limiter.lowest / gain < self._stretches_threshold:
            self._sample_stretches(length, gain)
        assert self._stretches is not None and self._stretches_meter is not None
        after = LoudnessMeter(self.rate)
        for offset, between, heights in self._stretches:
            chunk = self.render(offset, length + 2 * margin).astype(np.float64) * gain
            peaks = np.abs(chunk)
            peaks[between] = heights * gain
            limited, _ = self.limiter.limited(chunk, offset, peaks=peaks)
            after.add(limited[margin : margin + length])
        loss = self._stretches_meter.integrated(gain) - after.integrated()
        return loss if math.isfinite(loss) else 0.0

    def _sample_stretches(self, length: int, gain: float) -> None:
        """Render the stretches the loss is estimated on, meter them, and find their true
        peaks wherever a gain up to 3 dB above ``gain`` could take them to the ceiling."""
        wanted = max(self.SAMPLE_BLOCKS, min(self.MAX_SAMPLE_BLOCKS, round(self.SAMPLE_SHARE * self.total / length)))
        count = min(wanted, max(self.total // max(length, 1), 1))
        step = self.total // count
        margin = self.limiter.margin
        threshold = self.limiter.lowest / (gain * db_to_gain(3.0))
        meter, stretches = LoudnessMeter(self.rate), []
        for index in range(count):
            offset = index * step - margin
            chunk = self.render(offset, length + 2 * margin).astype(np.float64)
            meter.add(chunk[margin : margin + length])
            peaks = sample_peaks(chunk, ceiling=threshold)
            between = np.flatnonzero(peaks > np.abs(chunk))
            stretches.append((offset, between, peaks[between]))
        self._stretches, self._stretches_meter, self._stretches_threshold = stretches, meter, threshold

    def retry(self) -> bool:
        """After a pass that missed the target, correct the gain; ``False`` when the
        miss is within tolerance (or nothing can be done about it)."""
        if self.report is None or math.isinf(self.report.output_lufs):
            return False
        miss = self.target.lufs - self.report.output_lufs
        if abs(miss) <= self.TOLERANCE_LU:
            return False
        self.gain = db_to_gain(round(gain_to_db(self.gain) + miss, 2))
        return True

    def output_peak(self, position: int, radius: int) -> float:
        """The true peak (linear) of the output within ``radius`` samples of ``position``."""
        start = max(0, position - radius)
        count = min(self.total, position + radius) - start
        if count <= 0:
            return 0.0
        margin = self.limiter.margin
        window = self.render(start - margin, count + 2 * margin).astype(np.float64) * self.gain
        if self._limit:
            _, peaks = self.limiter.limited(window, start - margin)
        else:
            peaks = sample_peaks(window, ceiling=self.limiter.ceiling)
        return float(peaks[margin : margin + count].max())

    def lower_ceiling(self, ceiling: float, around: int | None = None) -> None:
        """Limit to ``ceiling`` (linear) from now on, if that is lower (a codec's decoded
        peaks overshot the output): everywhere, or only within ``SPOT_SECONDS`` of sample
        ``around`` (where they overshot; the rest stays as it was). The loudness the
        limiter then takes is made up by the usual correction."""
        if around is not None:
            radius = round(self.rate * SPOT_SECONDS)
            self.limiter = self.limiter.with_spot(around - radius, around + radius, ceiling)
            self._limit = True
        elif ceiling < self.limiter.ceiling:
            self.limiter = Limiter(self.rate, ceiling, self.limiter.spots)
            self._limit = True

    def pcm_chunks(self) -> Iterator[npt.NDArray[np.int16]]:
        """The mastered signal as int16 chunks, measured on the way: afterwards the
        report holds the output's real loudness and true peak."""
        if self.report is None:
            self.measure()
        assert self.report is not None
        meter = LoudnessMeter(self.rate)
        peak = 0.0
        margin = self.limiter.margin
        keep = self.total <= self.KEEP_SAMPLES
        for start in range(0, self.total, CHUNK):
            count = min(CHUNK, self.total - start)
            offset = start - margin
            ceilings = self.limiter.ceilings(offset, count + 2 * margin)
            kept = self._kept.get(start)
            if kept is not None and kept.same(self.gain, self._limit, ceilings):
                # limited exactly as in the pass before: its output, measured again
                pcm, chunk_peak = kept.pcm, kept.peak
                meter.add(pcm / 32768.0)
            else:
                window = self.render(offset, count + 2 * margin).astype(np.float64) * self.gain
                pcm, chunk_peak = self.limiter.output(window, count, meter, limit=self._limit, offset=offset)
                if keep:
                    self._kept[start] = _KeptChunk(self.gain, self._limit, ceilings, pcm, chunk_peak)
            peak = max(peak, chunk_peak)
            yield pcm
        self.report = MasteringReport(
            gain_db=round(gain_to_db(self.gain), 2),
            input_lufs=round(self._input, 2),
            output_lufs=round(meter.integrated(), 2),
            true_peak_dbtp=round(gain_to_db(peak), 2) if peak > 0 else -math.inf,
            limited=self._limit,
            extra_room_db=round(gain_to_db(self._usual_ceiling / self.limiter.ceiling), 2),
            spots=self.limiter.spots,
        )


def _running_min(values: npt.NDArray[np.float64], size: int) -> npt.NDArray[np.float64]:
    """Minimum over a centered window of odd ``size`` (edges repeat the end values), in
    linear time: per block of ``size``, running minima from the left and the right."""
    pad = size // 2
    total = values.size + 2 * pad
    extra = -total % size
    padded = np.pad(values, (pad, pad + extra), mode="edge")
    blocks = padded.reshape(-1, size)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    result: npt.NDArray[np.float64] = np.minimum(suffix[: values.size], prefix[size - 1 : size - 1 + values.size])
    return result


#: the limiter's gains are averaged in fixed point: a float running sum would round
#: differently with where the chunk starts, and the same paragraph must come out the same
#: sample for sample wherever it lies in the narration (its encoded MP3 is reused)
_FIXED_POINT = float(1 << 30)


def _moving_average(values: npt.NDArray[np.float64], size: int) -> npt.NDArray[np.float64]:
    pad = size // 2
    padded = np.pad(np.round(values * _FIXED_POINT).astype(np.int64), (pad + 1, pad), mode="edge")
    sums = np.cumsum(padded)
    result: npt.NDArray[np.float64] = (sums[size:] - sums[:-size]) / (size * _FIXED_POINT)
    return result
