"""Break an over-long sentence into speakable pieces at clause boundaries.

Used by the script stage (long run-on sentences are hard to follow and tire a voice)
and by engines with an input limit. No library found does this split by length.
"""

from __future__ import annotations

import re

# After a clause mark followed by a space; a comma inside a number ("30,000") has no space.
_CLAUSE_BREAK = re.compile(r"(?<=[;:,\u2014\u2013)])\s+|\s+(?=[\u2014\u2013(])")
_WORD_BREAK = re.compile(r"\s+")


def split_long(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters where possible,
    preferring clause boundaries, then spaces. A single word longer than the limit
    stays whole."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    for clause in _pack(_CLAUSE_BREAK.split(text), limit):
        if len(clause) <= limit:
            pieces.append(clause)
        else:
            pieces.extend(_pack(_WORD_BREAK.split(clause), limit))
    return pieces


def _pack(parts: list[str], limit: int) -> list[str]:
    """Join consecutive parts with spaces while the result stays within ``limit``."""
    out: list[str] = []
    current = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if current and len(current) + 1 + len(part) <= limit:
            current = f"{current} {part}"
        else:
            if current:
                out.append(current)
            current = part
    if current:
        out.append(current)
    return out
