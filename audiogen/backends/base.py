"""The speech-engine interface every backend implements, built-in or third-party.

A backend is constructed once inside a worker process (engines crash each other and
may hang, so none runs in the caller's process) and then asked to speak sentences.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from audiogen.article import Clip


@dataclass(frozen=True)
class SynthesisOptions:
    """Per-call settings; what the voice *is* stays in the backend's loaded state."""

    voice: str
    speed: float = 1.0
    #: ask for each word's timing (engines that cannot align leave ``Clip.words`` empty)
    word_timings: bool = False


@dataclass(frozen=True)
class VoiceInfo:
    engine: str
    id: str
    name: str
    language: str = ""


class Backend(ABC):
    """Turns sentences into clips. Subclasses set ``name`` and implement two methods."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    #: the voice used when a preset or ``engine:voice`` names none
    default_voice: ClassVar[str] = ""

    @classmethod
    def installed(cls) -> bool:
        """Whether what the engine needs is installed (checked without loading it)."""
        return True

    @abstractmethod
    def voices(self) -> list[VoiceInfo]:
        """The voices this engine can speak with on this machine."""

    def prepare(self, voice: str) -> None:  # noqa: B027 - an optional hook, not abstract
        """Load ``voice`` ahead of the first sentence (optional; called at worker start so
        a model loads while the article is still being read)."""

    @abstractmethod
    def synthesize(self, sentences: Iterable[str], options: SynthesisOptions) -> Iterator[Clip]:
        """Yield one clip per sentence, in order. Raise ``BackendError`` on failure;
        an empty clip is a failure, never silence."""
