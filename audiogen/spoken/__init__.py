"""Spoken text: written text → what a voice should say, and text → sentences.

``normalize`` turns one string into its spoken form; ``split_sentences`` finds sentence
boundaries (pysbd, with the abbreviations of newswriting hidden from it: see
``sentences``) and breaks run-on sentences at clause boundaries so the voice never gets a
paragraph-long breath.
"""

from __future__ import annotations

import re

from audiogen.article import DATE_ORDERS
from audiogen.spoken.cjk import normalize_chinese, normalize_japanese
from audiogen.spoken.dates import Settings
from audiogen.spoken.english import normalize_english
from audiogen.spoken.hindi import normalize_hindi
from audiogen.spoken.other import normalize_other
from audiogen.spoken.sentences import split_sentences as _split

__all__ = ["MAX_SENTENCE_CHARS", "normalize", "split_sentences"]

#: longer sentences are split at clause boundaries before they reach the voice. A
#: newsreader takes a long sentence in one breath group; 400 characters (about 65 words)
#: is longer than all but one news sentence in 200, so only run-ons are broken.
MAX_SENTENCE_CHARS = 400

_SPACES = re.compile(r"\s+")
#: a thin or no-break space between groups of digits separates thousands ("1 000")
_THOUSANDS_SPACE = re.compile(r"(?<=\d)[\u00a0\u202f\u2009](?=\d{3}(?!\d))")


def base_language(lang: str | None) -> str:
    """ "en-US" / "en_GB" / None → "en"."""
    return re.split(r"[-_]", (lang or "en").strip().lower(), maxsplit=1)[0] or "en"


def normalize(text: str, lang: str = "en", *, date_order: str = "us") -> str:
    """One string → its speakable form: numbers, dates, times, money, units,
    abbreviations and symbols as a newsreader says them. ``date_order`` says how to read
    numeric dates such as 03/04/2025 ("us": March 4; "day-first": 3 April). Text in a
    language without rules of its own has its numbers read in its words (``other``)."""
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)}, not {date_order!r}")
    text = _SPACES.sub(" ", _THOUSANDS_SPACE.sub("", text)).strip()
    language = base_language(lang)
    if language == "en":
        return normalize_english(text, Settings(date_order=date_order))
    own = _OWN_RULES.get(language)
    if own is not None:
        return own(text)
    return normalize_other(text, language, region=_region(lang))


#: languages with rules of their own for their numbers
_OWN_RULES = {"ja": normalize_japanese, "zh": normalize_chinese, "hi": normalize_hindi}


def _region(lang: str | None) -> str:
    """ "pt-BR" / "pt_br" → "BR"; "" when no region is given."""
    parts = re.split(r"[-_]", (lang or "").strip(), maxsplit=1)
    return parts[1].upper() if len(parts) > 1 else ""


def split_sentences(text: str, lang: str = "en", max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """Split a paragraph into sentences, never at the period of an abbreviation that
    does not end one ("Wed.", "Ave.", "p.m. ET"); pieces longer than ``max_chars`` are
    split again at clause (then word) boundaries."""
    return _split(text, base_language(lang), max_chars)
