"""audiogen: written articles → narrated audio that says it was made with AI assistance.

    >>> import audiogen
    >>> article = audiogen.load("samples/kyiv-independent-macron-defense-plan.html")
    >>> audiogen.narrate(article, voice="joe").export("macron.mp3")  # doctest: +SKIP

The library never prints; it logs to the "audiogen" logger.
"""

from __future__ import annotations

import logging

from audiogen.article import Article, Chapter, Clip, Cue, Narration, Pauses, Script, ScriptPart, Segment, Sentence
from audiogen.errors import (
    AudiogenError,
    BackendError,
    ExportError,
    ExtractionError,
    FeedError,
    SourceError,
    VoiceError,
)
from audiogen.extract import parse
from audiogen.normalize import normalize, split_sentences
from audiogen.normalize.script import DEFAULT_NOTICE, build_script
from audiogen.pipeline import load, narrate
from audiogen.voices import VoicePreset, list_presets, resolve_voice

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_NOTICE",
    "Article",
    "AudiogenError",
    "BackendError",
    "Chapter",
    "Clip",
    "Cue",
    "ExportError",
    "ExtractionError",
    "FeedError",
    "Narration",
    "Pauses",
    "Script",
    "ScriptPart",
    "Segment",
    "Sentence",
    "SourceError",
    "VoiceError",
    "VoicePreset",
    "__version__",
    "build_script",
    "list_presets",
    "load",
    "narrate",
    "normalize",
    "parse",
    "resolve_voice",
    "split_sentences",
]

logging.getLogger("audiogen").addHandler(logging.NullHandler())
