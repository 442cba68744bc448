from __future__ import annotations

import os
import signal
import time

import pytest
from fake_engines import RATE

from audiogen.backends import EngineWorker, SynthesisOptions, registry
from audiogen.errors import BackendError, VoiceError

TONE = SynthesisOptions(voice="tone")


def _worker(timeout: float = 5.0, retries: int = 0) -> EngineWorker:
    return EngineWorker("fake", registry.target_for("fake"), timeout=timeout, start_timeout=60, retries=retries)


def test_clips_come_back_in_order(fake_engine: str) -> None:
    with _worker() as worker:
        clips = list(worker.synthesize(["one", "three", "seventeen"], TONE))
    assert [c.text for c in clips] == ["one", "three", "seventeen"]
    assert all(c.sample_rate == RATE for c in clips)
    assert clips[0].samples.size < clips[2].samples.size


def test_a_crashed_worker_is_a_backend_error(fake_engine: str) -> None:
    with _worker() as worker:
        clips = worker.synthesize(["fine", "now [crash]", "never"], TONE)
        assert next(clips).text == "fine"
        with pytest.raises(BackendError, match="fake speech engine crashed"):
            next(clips)


def test_a_hung_worker_is_a_backend_error_within_the_timeout(fake_engine: str) -> None:
    with _worker(timeout=1.0) as worker:
        list(worker.synthesize(["warm up"], TONE))  # the engine has loaded
        started = time.monotonic()
        with pytest.raises(BackendError, match="did not answer within 1 s"):
            list(worker.synthesize(["this will [hang]"], TONE))
        assert time.monotonic() - started < 30
        assert worker.pid is None  # the hung process was killed


def test_a_crashed_worker_is_replaced_and_the_rest_is_spoken(fake_engine: str) -> None:
    with _worker(retries=1) as worker:
        first_pid = worker.pid
        clips = list(worker.synthesize(["a", "b [crash-once]", "c"], TONE))
        assert [c.text for c in clips] == ["a", "b [crash-once]", "c"]
        assert worker.pid != first_pid


def test_engine_errors_keep_their_kind(fake_engine: str) -> None:
    with _worker() as worker:
        with pytest.raises(BackendError, match="the fake engine refused"):
            list(worker.synthesize(["[fail]"], TONE))
        with pytest.raises(VoiceError, match="no fake voice 'nobody'"):
            list(worker.synthesize(["hello"], SynthesisOptions(voice="nobody")))
        # the worker is still usable after an engine error
        assert [c.text for c in worker.synthesize(["again"], TONE)] == ["again"]


def test_an_unknown_engine_is_a_voice_error() -> None:
    with pytest.raises(VoiceError, match="unknown speech engine 'nope'"):
        registry.target_for("nope")


def test_leaving_early_stops_the_worker(fake_engine: str) -> None:
    worker = _worker().start()
    clips = worker.synthesize([f"sentence {i}" for i in range(50)], TONE)
    next(clips)
    clips.close()
    assert worker.pid is None


def test_killing_a_real_piper_worker_mid_synthesis_is_a_clean_error() -> None:
    with EngineWorker("piper", registry.target_for("piper"), timeout=60, retries=0, voice="en_US-joe-medium") as worker:
        sentences = [f"This is sentence number {i} of a long article." for i in range(40)]
        clips = worker.synthesize(sentences, SynthesisOptions(voice="en_US-joe-medium"))
        assert next(clips).samples.size > 0
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        with pytest.raises(BackendError, match="piper speech engine crashed"):
            for _ in range(len(sentences)):
                next(clips)
