"""Proof-listening: a narration heard back by a speech recognizer, sentence by sentence,
compared with what it was meant to say; sentences heard wrong flagged, re-voiced in the
way heard best, and reported.

``proof_narration`` hears a narration written by ``convert`` (its ``.json`` timings
beside it); ``repair`` converts an article and re-voices what was heard wrong;
``write_report`` writes ``OUT.proof.json`` and ``OUT.proof.html``. The recognizer is the
optional extra ``audiogen[proof]``, loaded only here.
"""

from audiogen.proof.check import DEFAULT_THRESHOLD, ProofReport, SentenceProof, proof_narration
from audiogen.proof.listen import DEFAULT_MODEL, Recognizer
from audiogen.proof.repair import repair
from audiogen.proof.report import write_report

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
