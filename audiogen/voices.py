"""Voice presets: which engine and voice speak, how fast, and the pauses between parts.

Presets are TOML files. The ones shipped with audiogen live in the package's
``voices`` folder; a user's own go in ``AUDIOGEN_VOICES_DIR`` (searched first), so a
shipped preset can be copied there and edited. ``--voice`` takes a preset name, a path
to a preset file, or ``engine:voice`` (e.g. ``pyttsx3:gmw/en-gb``) with default pauses.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from audiogen.article import Pauses
from audiogen.errors import VoiceError

DEFAULT_VOICE = "joe"
_PRESET_KEYS = {"description", "engine", "voice", "language", "speed", "pauses", "lexicon", "quote_voice"}


@dataclass(frozen=True)
class VoicePreset:
    name: str
    engine: str
    voice: str
    description: str = ""
    language: str = "en"
    speed: float = 1.0
    pauses: Pauses = field(default_factory=Pauses)
    #: the voice's own pronunciation lexicons, applied over the shipped one
    lexicons: tuple[Path, ...] = ()
    path: Path | None = None
    #: the voice that speaks direct quotations (a preset name or ``engine:voice``)
    quote_voice: str | None = None

    @property
    def label(self) -> str:
        """How the voice is named in metadata: ``engine:voice``."""
        return f"{self.engine}:{self.voice}"


def shipped_presets_dir() -> Path:
    """The folder of presets installed with the package (or the source tree's voices/)."""
    packaged = Path(str(resources.files("audiogen"))) / "presets"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "voices"


def preset_dirs() -> list[Path]:
    dirs = []
    user_dir = os.environ.get("AUDIOGEN_VOICES_DIR")
    if user_dir:
        dirs.append(Path(user_dir))
    dirs.append(shipped_presets_dir())
    return dirs


def list_presets() -> list[VoicePreset]:
    """Every preset found, user presets shadowing shipped ones of the same name."""
    seen: dict[str, VoicePreset] = {}
    for folder in preset_dirs():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            if path.stem not in seen:
                seen[path.stem] = load_preset(path)
    return sorted(seen.values(), key=lambda p: p.name)


def load_preset(path: Path) -> VoicePreset:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise VoiceError(f"cannot read voice preset {path}: {exc}") from None
    return preset_from_dict(path.stem, data, path)


def preset_from_dict(name: str, data: dict[str, Any], path: Path | None = None) -> VoicePreset:
    where = path or name
    unknown = set(data) - _PRESET_KEYS
    if unknown:
        raise VoiceError(
            f"voice preset {where} has unknown keys: {', '.join(sorted(unknown))}",
            hint=f"allowed keys: {', '.join(sorted(_PRESET_KEYS))}",
        )
    for key in ("engine", "voice"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise VoiceError(f"voice preset {where} needs a text value for '{key}'")
    pause_data = data.get("pauses", {})
    pause_names = {f.name for f in fields(Pauses)}
    if not isinstance(pause_data, dict) or set(pause_data) - pause_names:
        raise VoiceError(
            f"voice preset {where} has unknown pauses: "
            f"{', '.join(sorted(set(pause_data) - pause_names)) if isinstance(pause_data, dict) else pause_data}",
            hint=f"pauses are: {', '.join(sorted(pause_names))}",
        )
    if not all(isinstance(v, int) and 0 <= v <= 10_000 for v in pause_data.values()):
        raise VoiceError(f"voice preset {where}: pauses are whole milliseconds from 0 to 10000")
    speed = data.get("speed", 1.0)
    if not isinstance(speed, (int, float)) or not 0.25 <= speed <= 4.0:
        raise VoiceError(f"voice preset {where}: speed must be a number from 0.25 to 4")
    lexicon = data.get("lexicon", [])
    if isinstance(lexicon, str):
        lexicon = [lexicon]
    if not isinstance(lexicon, list) or not all(isinstance(item, str) for item in lexicon):
        raise VoiceError(f"voice preset {where}: 'lexicon' is a file name or a list of them")
    quote_voice = data.get("quote_voice")
    if quote_voice is not None and (not isinstance(quote_voice, str) or not quote_voice.strip()):
        raise VoiceError(f"voice preset {where}: 'quote_voice' is a preset name or ENGINE:VOICE")
    base = path.parent if path else Path(".")
    return VoicePreset(
        quote_voice=quote_voice,
        lexicons=tuple(base / item for item in lexicon),
        name=name,
        engine=data["engine"],
        voice=data["voice"],
        description=str(data.get("description", "")),
        language=str(data.get("language", "en")),
        speed=float(speed),
        pauses=Pauses(**pause_data),
        path=path,
    )


def resolve_voice(spec: str | None) -> VoicePreset:
    """A preset name, a preset file, or ``engine:voice`` → a preset."""
    spec = (spec or DEFAULT_VOICE).strip()
    if spec.endswith(".toml") and Path(spec).is_file():
        return load_preset(Path(spec))
    for folder in preset_dirs():
        candidate = folder / f"{spec}.toml"
        if candidate.is_file():
            return load_preset(candidate)
    engine, sep, voice = spec.partition(":")
    if sep and engine and voice:
        return VoicePreset(name=spec, engine=engine, voice=voice, description=spec)
    names = ", ".join(p.name for p in list_presets())
    raise VoiceError(
        f"unknown voice '{spec}'",
        hint=f"use a preset ({names}) or ENGINE:VOICE; 'audiogen voices' lists them",
    )


#: languages whose eSpeak NG voice goes by another code than the ISO 639-1 one
_ESPEAK_CODES = {"zh": "cmn"}


def voice_for_language(language: str) -> VoicePreset | None:
    """A voice for ``language`` (``es``, ``en-GB``): an installed preset in it — one of
    its region first, then the default voice, then the studio voices — else (on Linux,
    where eSpeak NG comes with the pyttsx3 engine) eSpeak NG's voice for it; ``None``
    when none is installed."""
    wanted = language.replace("_", "-").lower()
    base = wanted.split("-")[0]
    candidates = [
        preset
        for preset in list_presets()
        if preset.language.replace("_", "-").lower().split("-")[0] == base
        and engine_installed(preset.engine, preset.voice)
    ]

    def rank(preset: VoicePreset) -> tuple[bool, bool, bool, str]:
        region = preset.language.replace("_", "-").lower() == wanted
        return (not region, preset.name != DEFAULT_VOICE, preset.engine == "pyttsx3", preset.name)

    if candidates:
        return min(candidates, key=rank)
    voice = _espeak_voices().get(_ESPEAK_CODES.get(base, base))
    if voice is None:
        return None
    return VoicePreset(
        name=f"pyttsx3:{voice}", engine="pyttsx3", voice=voice, language=base, description=f"eSpeak NG, {base}"
    )


def voice_for_article(language: str | None) -> VoicePreset:
    """The voice for an article in ``language`` when none is asked for: the default
    voice when it speaks that language (or the language is not known), else one for
    the language (see ``voice_for_language``), else the default voice."""
    default = resolve_voice(None)
    if not language:
        return default
    wanted = language.replace("_", "-").lower()
    spoken = default.language.replace("_", "-").lower()
    if wanted.split("-")[0] == spoken.split("-")[0] and ("-" not in wanted or wanted in ("en-us", spoken)):
        return default
    return voice_for_language(wanted) or default


def engine_installed(engine: str, voice: str | None = None) -> bool:
    """Whether ``engine`` is registered and has what it needs installed (the studio
    voices need their extra; given a ``voice``, also what that voice's language needs)."""
    from audiogen.backends.registry import available, load_class

    target = available().get(engine)
    if target is None:
        return False
    try:
        installed = getattr(load_class(target), "installed", None)
        if not callable(installed):
            return True
        return bool(installed(voice)) if voice is not None and _takes_voice(installed) else bool(installed())
    except Exception:
        return False


def _takes_voice(installed: Any) -> bool:
    import inspect

    return "voice" in inspect.signature(installed).parameters


@lru_cache(maxsize=1)
def _espeak_voices() -> dict[str, str]:
    """eSpeak NG's voices by language code (``cmn`` → ``sit/cmn``), read from its data
    folder without loading the library."""
    from audiogen.backends.registry import available

    if "pyttsx3" not in available():
        return {}
    try:
        import espeakng_loader
    except ImportError:
        return {}
    root = Path(espeakng_loader.get_data_path()) / "lang"
    voices: dict[str, str] = {}
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        if path.is_file():
            voices.setdefault(path.name.lower(), path.relative_to(root).as_posix().lower())
    return voices
