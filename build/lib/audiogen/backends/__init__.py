"""Speech engines: the ``Backend`` interface, the registry and the worker that runs them."""

from audiogen.backends.base import Backend, SynthesisOptions, VoiceInfo
from audiogen.backends.registry import available, register, unregister
from audiogen.backends.worker import EngineWorker

__all__ = ["Backend", "EngineWorker", "SynthesisOptions", "VoiceInfo", "available", "register", "unregister"]
