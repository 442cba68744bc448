"""Text cleanup shared by the readers, and the characters that never belong in an
article's text, wherever it came from.

Control characters (a stray BEL from a word processor, ESC sequences that would drive a
terminal), bidirectional overrides and isolates (which reorder what a reader sees,
the "Trojan Source" trick) and lone surrogates (half of a character, which no file can
encode) are removed from everything read: titles, bylines, paragraphs, metadata. What
remains is safe to print, to tag and to write into captions and pages.
"""

from __future__ import annotations

import re

from audiogen.errors import ExtractionError

_UNSAFE = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"  # C0 controls and DEL (tab and line breaks are spaces)
    "\x80-\x9f"  # C1 controls
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides and isolates
    "\ud800-\udfff"  # lone surrogates
    "\ufffe\uffff"  # non-characters
    "]"
)
#: numeric character references to the characters above, which HTML parsers decode
_UNSAFE_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def remove_unsafe(text: str) -> str:
    return _UNSAFE.sub("", text)


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def remove_unsafe_references(html: str) -> str:
    """``&#1;``, ``&#x1b;``, ``&#xD800;``… removed from markup before it is parsed."""

    def replace(match: re.Match[str]) -> str:
        value = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        if value > 0x10FFFF or (value < 0x110000 and _UNSAFE.match(chr(value))):
            return ""
        return match.group(0)

    return _UNSAFE_REFERENCE.sub(replace, html)


# -- shared by the readers ---------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Collapse whitespace (non-breaking included); drop soft hyphens, zero-width marks
    and the characters that never belong in text (``audiogen.reading.clean``)."""
    return _SPACES.sub(" ", remove_unsafe(text.translate(_INVISIBLE))).strip()


def no_article(where: str) -> ExtractionError:
    return ExtractionError(
        f"no article text found in {where}",
        hint="check that it is an article page; 'audiogen extract' shows what was found",
    )


def first_words(text: str, count: int = 10) -> str:
    """A title for an article that has none of its own."""
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


#: below this probability a guess of the text's language is not taken
LANGUAGE_FLOOR = 0.85


def detect_language(text: str, floor: float = LANGUAGE_FLOOR) -> str | None:
    """The language of an article's text (py3langid), when a document does not declare
    one: ``None`` when the text is too short or the best guess is below ``floor``."""
    if len(text) < 40:
        return None
    from audiogen.langid import classify

    found = classify(text)
    return found[0] if found is not None and found[1] >= floor else None
