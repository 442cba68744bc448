"""audiogen: written articles → narrated audio that says it was made with AI assistance.

    >>> import audiogen
    >>> article = audiogen.load("samples/kyiv-independent-macron-defense-plan.html")
    >>> audiogen.narrate(article, voice="joe").export("macron.mp3")  # doctest: +SKIP

The library never prints; it logs to the "audiogen" logger.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

# audiogen talks to no third party, whatever a dependency would do: ONNX Runtime (Piper's
# and Kokoro's engine, Whisper's voice detector) reports to its maker from Linux too unless
# told not to before it starts, and the model hub's client would look for updates. Set
# here, so every process audiogen starts (engine workers, pools) inherits it.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("HF_HUB_OFFLINE", "1")

if TYPE_CHECKING:
    from audiogen.article import (
        Article,
        Chapter,
        Clip,
        Cue,
        Narration,
        Pauses,
        Script,
        ScriptPart,
        Segment,
        Sentence,
    )
    from audiogen.conversion import ConvertOptions, ConvertResult, convert
    from audiogen.errors import (
        AudiogenError,
        BackendError,
        ExportError,
        ExtractionError,
        FeedError,
        SourceError,
        VoiceError,
    )
    from audiogen.pipeline import load, narrate
    from audiogen.publish.batch import BatchOptions, BatchResult, run_batch
    from audiogen.publish.feed import Channel, Episode, build_feed
    from audiogen.reading.webpage import parse
    from audiogen.spoken import normalize, split_sentences
    from audiogen.spoken.script import DEFAULT_NOTICE, build_script
    from audiogen.voices import VoicePreset, list_presets, resolve_voice

# The public names are imported on first use: the command line and the engine's
# worker process start without loading extraction, normalization and audio code
# they may not need (a third of a second before the voice can start loading). This
# table is the one list of them; the imports above only tell type checkers, and a test
# keeps the two in step and pins ``__all__``.
_WHERE = {
    **dict.fromkeys(
        ("Article", "Chapter", "Clip", "Cue", "Narration", "Pauses", "Script", "ScriptPart", "Segment", "Sentence"),
        "audiogen.article",
    ),
    **dict.fromkeys(
        (
            "AudiogenError",
            "BackendError",
            "ExportError",
            "ExtractionError",
            "FeedError",
            "SourceError",
            "VoiceError",
        ),
        "audiogen.errors",
    ),
    "ConvertOptions": "audiogen.conversion",
    "ConvertResult": "audiogen.conversion",
    "convert": "audiogen.conversion",
    "parse": "audiogen.reading.webpage",
    "BatchOptions": "audiogen.publish.batch",
    "BatchResult": "audiogen.publish.batch",
    "run_batch": "audiogen.publish.batch",
    "Channel": "audiogen.publish.feed",
    "Episode": "audiogen.publish.feed",
    "build_feed": "audiogen.publish.feed",
    "normalize": "audiogen.spoken",
    "split_sentences": "audiogen.spoken",
    "DEFAULT_NOTICE": "audiogen.spoken.script",
    "build_script": "audiogen.spoken.script",
    "load": "audiogen.pipeline",
    "narrate": "audiogen.pipeline",
    "VoicePreset": "audiogen.voices",
    "list_presets": "audiogen.voices",
    "resolve_voice": "audiogen.voices",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'audiogen' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__version__ = "0.1.0"

__all__ = ["__version__", *sorted(_WHERE)]

logging.getLogger("audiogen").addHandler(logging.NullHandler())
