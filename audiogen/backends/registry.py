"""Which backends exist: the entry-point group ``audiogen.backends``, plus any registered
at run time. Only names and import paths are kept here; a backend's code is imported
inside its worker process, never in the caller's.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from audiogen.errors import VoiceError

ENTRY_POINT_GROUP = "audiogen.backends"
_registered: dict[str, str] = {}


def register(name: str, target: str) -> None:
    """Make ``name`` resolve to ``target`` ("package.module:Class") in this process."""
    _registered[name] = target


def unregister(name: str) -> None:
    _registered.pop(name, None)


def registered() -> dict[str, str]:
    """The backends registered at run time in this process (for other processes to repeat)."""
    return dict(_registered)


def available() -> dict[str, str]:
    """Backend name → import path, from installed packages and run-time registrations."""
    found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    found.update(_registered)
    return dict(sorted(found.items()))


def target_for(name: str) -> str:
    backends = available()
    if name not in backends:
        raise VoiceError(
            f"unknown speech engine '{name}'",
            hint=f"installed engines: {', '.join(backends) or 'none'}",
        )
    return backends[name]


def load_class(target: str) -> type:
    """Import "module:attr"; used inside a worker process."""
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        obj = module
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise VoiceError(f"cannot load speech engine {target}: {exc}") from None
    if not isinstance(obj, type):
        raise VoiceError(f"speech engine {target} is not a class")
    return obj
