"""Proof-listening: a narration heard back by a speech recognizer, sentence by sentence,
compared with what it was meant to say; sentences heard wrong flagged, re-voiced in the
way heard best, and reported.

``proof_narration`` hears a narration written by ``convert`` (its ``.json`` timings
beside it); ``repair`` converts an article and re-voices what was heard wrong;
``write_report`` writes ``OUT.proof.json`` and ``OUT.proof.html``. The recognizer is the
optional extra ``audiogen[proof]``, loaded only here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from audiogen.proof.check import DEFAULT_THRESHOLD, ProofReport, SentenceProof, proof_narration
    from audiogen.proof.listen import DEFAULT_MODEL, Recognizer
    from audiogen.proof.repair import repair
    from audiogen.proof.report import write_report

#: where each name lives: a module is imported when one of its names is first asked for,
#: so a command that only names the default model does not load the comparison's tables
_HOMES = {
    "DEFAULT_THRESHOLD": "check",
    "ProofReport": "check",
    "SentenceProof": "check",
    "proof_narration": "check",
    "DEFAULT_MODEL": "listen",
    "Recognizer": "listen",
    "repair": "repair",
    "write_report": "report",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'audiogen.proof' has no attribute {name!r}")
    return getattr(importlib.import_module(f"audiogen.proof.{home}"), name)


__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_THRESHOLD",
    "ProofReport",
    "Recognizer",
    "SentenceProof",
    "proof_narration",
    "repair",
    "write_report",
]
