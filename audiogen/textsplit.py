"""Break an over-long sentence into speakable pieces at clause boundaries.

Used by the script stage (long run-on sentences are hard to follow and tire a voice)
and by engines with an input limit. No library found does this split by length.
"""

from __future__ import annotations

import re

# After a clause mark followed by a space; a comma inside a number ("30,000") has no space.
_CLAUSE_BREAK = re.compile(r"(?<=[;:,\u2014\u2013)])\s+|\s+(?=[\u2014\u2013(])")
_WORD_BREAK = re.compile(r"\s+")


#: a run of characters without a space longer than this is cut into pieces this long
#: (the longest words of English and German stay whole): a speech engine's memory grows
#: with the square of one utterance's length, and a 20,000-letter "word" took one to 4 GB
MAX_WORD_CHARS = 64
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD_CHARS + 1},}}")


def break_long_words(text: str, limit: int = MAX_WORD_CHARS) -> str:
    """``text`` with every run of more than ``limit`` characters without a space cut
    into pieces of ``limit`` characters."""
    if len(text) <= limit:
        return text
    return _LONG_WORD.sub(lambda m: " ".join(m.group(0)[i : i + limit] for i in range(0, len(m.group(0)), limit)), text)


def split_long(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters, preferring clause
    boundaries, then spaces; a word longer than ``MAX_WORD_CHARS`` is cut first."""
    text = break_long_words(text.strip())
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
