"""Spoken text: written text → what a voice should say, and text → sentences.

``normalize`` turns one string into its spoken form; ``split_sentences`` finds sentence
boundaries (pysbd, which knows "Mr.", "U.S." and "Feb. 20") and breaks run-on sentences
at clause boundaries so the voice never gets a paragraph-long breath.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from audiogen.article import DATE_ORDERS
from audiogen.spoken.english import Settings, normalize_english
from audiogen.textsplit import split_long

__all__ = ["MAX_SENTENCE_CHARS", "normalize", "split_sentences"]

#: longer sentences are split at clause boundaries before they reach the voice
MAX_SENTENCE_CHARS = 250

_PYSBD_LANGUAGES = {
    "en",
    "hi",
    "mr",
    "zh",
    "es",
    "am",
    "ar",
    "hy",
    "bg",
    "ur",
    "ru",
    "pl",
    "fa",
    "nl",
    "da",
    "fr",
    "my",
    "el",
    "it",
    "ja",
    "de",
    "kk",
    "sk",
}
_SPACES = re.compile(r"\s+")


def base_language(lang: str | None) -> str:
    """ "en-US" / "en_GB" / None → "en"."""
    return re.split(r"[-_]", (lang or "en").strip().lower(), maxsplit=1)[0] or "en"


def normalize(text: str, lang: str = "en", *, date_order: str = "us") -> str:
    """One string → its speakable form: numbers, dates, times, money, units,
    abbreviations and symbols as a newsreader says them. ``date_order`` says how to read
    numeric dates such as 03/04/2025 ("us": March 4; "day-first": 3 April). Text in a
    language without rules passes through with only its whitespace tidied."""
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)}, not {date_order!r}")
    text = _SPACES.sub(" ", text).strip()
    if base_language(lang) == "en":
        return normalize_english(text, Settings(date_order=date_order))
    return text


@lru_cache(maxsize=8)
def _segmenter(lang: str) -> Any:
    import pysbd

    return pysbd.Segmenter(language=lang if lang in _PYSBD_LANGUAGES else "en", clean=False)


def split_sentences(text: str, lang: str = "en", max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """Split a paragraph into sentences; pieces longer than ``max_chars`` are split
    again at clause (then word) boundaries."""
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return []
    sentences: list[str] = []
    for sentence in _rejoin(_segmenter(base_language(lang)).segment(text)):
        sentences.extend(split_long(sentence, max_chars))
    return [s for s in sentences if s]


# pysbd breaks after a quotation that ends in a comma ('...interest,'" Macron said),
# which news text does in every other paragraph; no sentence ends in a comma.
_OPEN_END = re.compile(r"[,;:]['\"\u2019\u201d)\]]*$")


def _rejoin(pieces: list[str]) -> list[str]:
    out: list[str] = []
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if out and (_OPEN_END.search(out[-1]) or piece[0].islower()):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out
