"""Which writing system a paragraph is in, and so whether it is in another language than
the narration's: a paragraph of Chinese in an English article must not reach an English
voice, which spells it out letter by letter.

Only a change of script decides that a paragraph is foreign (an English paragraph is
never taken for another language by a statistical guess and lost); the language of a
paragraph in another script is then guessed among the languages written in it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

#: the scripts each language is written in (languages not named: Latin)
LANGUAGE_SCRIPTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("ru", "uk", "bg", "be", "mk", "kk", "ky", "mn", "tg", "tt", "ba"), frozenset({"CYRILLIC"})),
    "sr": frozenset({"CYRILLIC", "LATIN"}),
    "el": frozenset({"GREEK"}),
    **dict.fromkeys(("ar", "fa", "ur", "ps", "ug", "sd"), frozenset({"ARABIC"})),
    "he": frozenset({"HEBREW"}),
    "yi": frozenset({"HEBREW"}),
    **dict.fromkeys(("hi", "mr", "ne", "kok"), frozenset({"DEVANAGARI"})),
    "bn": frozenset({"BENGALI"}),
    "as": frozenset({"BENGALI"}),
    "pa": frozenset({"GURMUKHI"}),
    "gu": frozenset({"GUJARATI"}),
    "or": frozenset({"ORIYA"}),
    "ta": frozenset({"TAMIL"}),
    "te": frozenset({"TELUGU"}),
    "kn": frozenset({"KANNADA"}),
    "ml": frozenset({"MALAYALAM"}),
    "si": frozenset({"SINHALA"}),
    "th": frozenset({"THAI"}),
    "lo": frozenset({"LAO"}),
    "km": frozenset({"KHMER"}),
    "my": frozenset({"MYANMAR"}),
    "ka": frozenset({"GEORGIAN"}),
    "hy": frozenset({"ARMENIAN"}),
    "am": frozenset({"ETHIOPIC"}),
    "ti": frozenset({"ETHIOPIC"}),
    "zh": frozenset({"HAN"}),
    "yue": frozenset({"HAN"}),
    "ja": frozenset({"HAN", "KANA"}),
    "ko": frozenset({"HANGUL", "HAN"}),
}
_LATIN = frozenset({"LATIN"})
#: the language a paragraph in a script is taken to be when no guess fits
_SCRIPT_DEFAULT = {
    "CYRILLIC": "ru",
    "GREEK": "el",
    "ARABIC": "ar",
    "HEBREW": "he",
    "DEVANAGARI": "hi",
    "BENGALI": "bn",
    "GURMUKHI": "pa",
    "GUJARATI": "gu",
    "ORIYA": "or",
    "TAMIL": "ta",
    "TELUGU": "te",
    "KANNADA": "kn",
    "MALAYALAM": "ml",
    "SINHALA": "si",
    "THAI": "th",
    "LAO": "lo",
    "KHMER": "km",
    "MYANMAR": "my",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
    "ETHIOPIC": "am",
    "HAN": "zh",
    "KANA": "ja",
    "HANGUL": "ko",
    # Latin letters in an article in another script: names, brands, addresses, and most
    # often English
    "LATIN": "en",
}
#: below this share of its letters in one script, a text is mixed: left to the main voice
DOMINANT_SHARE = 0.6
#: fewer letters than this in another script are a name or a word, not a paragraph
MIN_FOREIGN_LETTERS = 4


def scripts_of(language: str) -> frozenset[str]:
    return LANGUAGE_SCRIPTS.get(language.split("-")[0].lower(), _LATIN)


@lru_cache(maxsize=4096)
def _script_of(character: str) -> str | None:
    name = unicodedata.name(character, "")
    if not name:
        return None
    first = name.split(" ", 1)[0]
    if first == "CJK":
        return "HAN"
    if first in ("HIRAGANA", "KATAKANA"):
        return "KANA"
    return first


def dominant_script(text: str) -> tuple[str | None, int, float]:
    """The script most of ``text``'s letters are in, how many letters it has, and its share."""
    counts: dict[str, int] = {}
    for character in text:
        if character.isalpha():
            script = _script_of(character)
            if script is not None:
                counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None, 0, 0.0
    total = sum(counts.values())
    script, count = max(counts.items(), key=lambda item: item[1])
    if script == "HAN" and counts.get("KANA"):
        script, count = "KANA", count + counts["KANA"]  # Japanese mixes kanji and kana
    return script, count, count / total


#: a paragraph in the narration's own script is taken for another language only when it
#: has this many words and the guess is this sure: of the 1,311 paragraphs of eight words
#: or more on the extraction benchmark's English pages, none was, even at 0.9 (besides
#: the 26 of one page that says it is English and is German)
SAME_SCRIPT_WORDS = 8
SAME_SCRIPT_FLOOR = 0.95


def foreign_language(text: str, language: str, *, min_words: int = 0) -> str | None:
    """The language of ``text`` when it is another than ``language``: written in another
    script, or in the same script and surely another language (a Spanish quotation in an
    English article); ``None`` when it is the narration's (or too mixed or short to tell).
    ``min_words``: the fewest words a text in the same script is judged from (default
    ``SAME_SCRIPT_WORDS``; a quotation is judged from fewer)."""
    script, count, share = dominant_script(text)
    if script is not None and script in scripts_of(language) and share >= DOMINANT_SHARE:
        return _same_script_language(text, language, min_words or SAME_SCRIPT_WORDS)
    if script is None or script in scripts_of(language) or share < DOMINANT_SHARE or count < MIN_FOREIGN_LETTERS:
        return None
    guess = _guess(text)
    if guess is not None and script in scripts_of(guess) and guess != language.split("-")[0].lower():
        return guess
    return _SCRIPT_DEFAULT.get(script, "und")


def _same_script_language(text: str, language: str, min_words: int) -> str | None:
    if len(text.split()) < min_words:
        return None
    from audiogen.langid import classify

    found = classify(text)
    if found is None:
        return None
    guess, probability = found
    own = language.split("-")[0].lower()
    if probability < SAME_SCRIPT_FLOOR or guess == own or dominant_script(text)[0] not in scripts_of(guess):
        return None
    return guess


def _guess(text: str) -> str | None:
    from audiogen.langid import classify

    found = classify(text)
    return found[0] if found is not None and found[0] else None
