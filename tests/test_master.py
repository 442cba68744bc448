"""Loudness measurement, true peak and the limiter, against pyloudnorm and by hand."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly

from audiogen.audio.master import (
    LoudnessMeter,
    LoudnessTarget,
    Mastering,
    _moving_average,
    _running_min,
    gain_to_db,
    loudness,
    sample_peaks,
)


def _speechlike(rate: int, seconds: float, seed: int = 0) -> np.ndarray:
    """Bursts of voiced sound (harmonics with noise) separated by pauses."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    voiced = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12))
    envelope = (np.sin(2 * np.pi * 0.6 * t) > -0.2) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2)
    return 0.1 * voiced * envelope + 0.01 * rng.standard_normal(t.size)


@pytest.mark.parametrize("rate", [16000, 22050, 44100, 48000])
def test_meter_agrees_with_pyloudnorm(rate: int) -> None:
    signal = _speechlike(rate, 12)
    reference = pyloudnorm.Meter(rate).integrated_loudness(signal)
    # pyloudnorm's default K-weighting uses rounded filter parameters; ours are those
    # that reproduce BS.1770's 48 kHz table, so the two differ by hundredths of a LU.
    assert loudness(signal, rate) == pytest.approx(reference, abs=0.15)


def test_meter_gives_the_same_figure_in_any_chunking() -> None:
    rate = 22050
    signal = _speechlike(rate, 9, seed=3)
    whole = loudness(signal, rate)
    meter = LoudnessMeter(rate)
    for start in range(0, signal.size, 777):  # chunks far shorter than the filter response
        meter.add(signal[start : start + 777])
    assert meter.integrated() == pytest.approx(whole, abs=1e-6)


@pytest.mark.parametrize("gain_db", [-30.0, 0.0, 6.0, 24.0])
def test_a_meter_gives_the_loudness_of_what_it_heard_at_another_gain(gain_db: float) -> None:
    """The filter is linear, so a signal metered once tells its loudness at any gain;
    only the gates see the difference (quiet passages cross the absolute one)."""
    rate = 22050
    signal = _speechlike(rate, 10, seed=5)
    signal[rate * 4 : rate * 6] *= 10 ** (-52 / 20)  # near the absolute gate at some gains, not others
    gain = 10 ** (gain_db / 20)
    meter = LoudnessMeter(rate)
    meter.add(signal)
    assert meter.integrated(gain) == pytest.approx(loudness(signal * gain, rate), abs=1e-4)
    short = LoudnessMeter(rate)
    short.add(signal[: rate // 10])  # shorter than a gating block
    assert short.integrated(gain) == pytest.approx(loudness(signal[: rate // 10] * gain, rate), abs=1e-4)


def test_silence_and_very_short_signals() -> None:
    assert loudness(np.zeros(44100), 22050) == -np.inf
    assert np.isfinite(loudness(0.1 * np.sin(np.arange(2000)), 22050))


def test_true_peak_sees_between_the_samples() -> None:
    n = np.arange(4000)
    # a tone at a quarter of the rate, sampled 45° off its crests: samples read −3 dB
    tone = np.sin(2 * np.pi * n / 4 + np.pi / 4)
    assert gain_to_db(np.abs(tone).max()) == pytest.approx(-3.01, abs=0.05)
    assert gain_to_db(sample_peaks(tone)[100:-100].max()) == pytest.approx(0.0, abs=0.1)
    noise = np.random.default_rng(2).standard_normal(20000) * 0.1
    reference = np.abs(resample_poly(noise, 4, 1)).reshape(-1, 4).max(axis=1)
    assert sample_peaks(noise).max() == pytest.approx(max(reference.max(), np.abs(noise).max()), rel=0.1)


def test_window_helpers_match_their_definitions() -> None:
    values = np.random.default_rng(5).random(501)
    size = 9
    padded = np.pad(values, size // 2, mode="edge")
    naive_min = np.array([padded[i : i + size].min() for i in range(values.size)])
    naive_mean = np.array([padded[i : i + size].mean() for i in range(values.size)])
    assert np.allclose(_running_min(values, size), naive_min)
    assert np.allclose(_moving_average(values, size), naive_mean)


def _render_of(signal: np.ndarray):  # type: ignore[no-untyped-def]
    def render(start: int, count: int) -> np.ndarray:
        out = np.zeros(count, dtype=np.float32)
        low, high = max(start, 0), min(start + count, signal.size)
        if high > low:
            out[low - start : high - start] = signal[low:high]
        return out

    return render


@pytest.mark.parametrize("target", [LoudnessTarget(-16.0, -1.0), LoudnessTarget(-14.0, -1.5), LoudnessTarget(-23, -2)])
def test_mastering_hits_the_target_and_the_ceiling(target: LoudnessTarget) -> None:
    rate = 22050
    signal = _speechlike(rate, 40, seed=7)
    signal[::3001] = 0.95  # clicks far above the speech: the limiter has work to do
    mastering = Mastering(_render_of(signal), signal.size, rate, target)
    report = mastering.measure()
    for _ in range(3):  # as the exporter does: a pass, and another if it missed
        out = np.concatenate(list(mastering.pcm_chunks())).astype(np.float64) / 32767
        if not mastering.retry():
            break
    assert out.size == signal.size
    assert pyloudnorm.Meter(rate).integrated_loudness(out) == pytest.approx(target.lufs, abs=0.35)
    peak = max(np.abs(resample_poly(out, 4, 1)).max(), np.abs(out).max())
    assert gain_to_db(peak) <= target.true_peak + 0.05
    assert report.limited
    assert mastering.report is not None and mastering.report.true_peak_dbtp <= target.true_peak


def test_quiet_speech_is_only_gained() -> None:
    rate = 16000
    signal = 0.05 * np.sin(2 * np.pi * 300 * np.arange(rate * 5) / rate)
    mastering = Mastering(_render_of(signal), signal.size, rate, LoudnessTarget(-16, -1))
    report = mastering.measure()
    assert not report.limited
    out = np.concatenate(list(mastering.pcm_chunks())).astype(np.float64) / 32767
    # no limiter: the output is the input times one gain
    ratio = out[1000:2000] / signal[1000:2000]
    assert np.allclose(ratio[np.abs(signal[1000:2000]) > 0.01], 10 ** (report.gain_db / 20), rtol=0.01)


def test_a_narration_the_limiter_works_hard_on_lands_in_one_pass() -> None:
    """The make-up gain for what the limiter takes settles over rounds of estimates; two
    rounds left a 27-minute narration 0.5 LU short (and a six-minute one like this), and
    all of it was encoded twice."""
    rate = 22050
    signal = np.concatenate([_speechlike(rate, 60, seed=seed) for seed in range(6)])
    rng = np.random.default_rng(5)
    for start in rng.choice(signal.size - 100, signal.size // 5000, replace=False):
        # sharp loud transients, one every quarter of a second on average
        signal[start : start + 50] += rng.uniform(0.3, 0.95) * np.sin(np.arange(50) * 0.9)
    target = LoudnessTarget(-16.0, -1.0)
    mastering = Mastering(_render_of(signal), signal.size, rate, target)
    mastering.measure()
    for _ in mastering.pcm_chunks():
        pass
    assert mastering.report is not None and mastering.report.limited
    assert abs(mastering.report.output_lufs - target.lufs) <= Mastering.TOLERANCE_LU, mastering.report
    assert not mastering.retry()


def test_a_spot_lowers_the_ceiling_there_and_nowhere_else() -> None:
    """Where a codec's decoded peak overshot, the ceiling is lowered around that place;
    every window that does not reach it comes out the same to the sample, so the MP3's
    other blocks are not encoded again."""
    rate = 22050
    signal = _speechlike(rate, 20, seed=11) * 6  # well over the ceiling: limited throughout
    target = LoudnessTarget(-16.0, -1.0)
    plain = Mastering(_render_of(signal), signal.size, rate, target)
    plain.measure()
    before = np.concatenate(list(plain.pcm_chunks()))
    spot = Mastering(_render_of(signal), signal.size, rate, target)
    spot.measure()
    where, lowered = 10 * rate, spot.limiter.ceiling / 2
    spot.lower_ceiling(lowered, around=where)
    assert spot.limiter.ceiling == plain.limiter.ceiling and spot.limiter.lowest == lowered
    after = np.concatenate(list(spot.pcm_chunks()))
    reach = round(0.1 * rate) + spot.limiter.margin
    changed = np.flatnonzero(before != after)
    assert changed.size and where - reach <= changed.min() and changed.max() <= where + reach
    held = after[where - round(0.1 * rate) : where + round(0.1 * rate)].astype(np.float64) / 32768
    assert gain_to_db(sample_peaks(held).max()) <= gain_to_db(lowered) + 0.05
    assert spot.report is not None and spot.report.extra_room_db == 0  # nowhere else
    assert spot.report.spots == ((where - round(0.1 * rate), where + round(0.1 * rate), lowered),)


def test_a_pass_after_a_spot_limits_only_the_chunks_around_it_again() -> None:
    """A narration's passes keep their output: the pass after a place is held lower
    renders and limits only the chunks that reach it, and gives what a pass from scratch
    with the same spot gives, sample for sample, at the same loudness."""
    from audiogen.audio.pcm import CHUNK

    rate = 22050
    signal = _speechlike(rate, 60, seed=13) * 6
    target = LoudnessTarget(-16.0, -1.0)
    rendered: list[int] = []
    render = _render_of(signal)

    def counted(start: int, count: int) -> np.ndarray:
        rendered.append(start)
        return render(start, count)

    again = Mastering(counted, signal.size, rate, target)
    again.measure()
    list(again.pcm_chunks())
    where = 2 * CHUNK + CHUNK // 2  # in the middle of the third chunk
    again.lower_ceiling(again.limiter.ceiling / 2, around=where)
    rendered.clear()
    second = np.concatenate(list(again.pcm_chunks()))
    assert rendered == [2 * CHUNK - again.limiter.margin]

    fresh = Mastering(_render_of(signal), signal.size, rate, target)
    fresh.measure()
    fresh.lower_ceiling(fresh.limiter.ceiling / 2, around=where)
    assert np.array_equal(second, np.concatenate(list(fresh.pcm_chunks())))
    assert again.report is not None and fresh.report is not None
    assert again.report.output_lufs == pytest.approx(fresh.report.output_lufs, abs=0.01)
    assert again.report.true_peak_dbtp == fresh.report.true_peak_dbtp

    # a gain changed by a retry for loudness changes every chunk
    again.gain *= 1.01
    rendered.clear()
    list(again.pcm_chunks())
    assert len(rendered) == -(-signal.size // CHUNK)
