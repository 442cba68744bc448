"""Sentence boundaries in newswriting: a full stop ends a sentence, the period of an
abbreviation does not.

pysbd finds the boundaries; before it sees the text, the period of every abbreviation of
newswriting that does not end its sentence is hidden from it. Which periods those are is
decided from the abbreviation's kind (``newswriting``) and the word after it:

* a lower-case word, a number or a comma after it: never a boundary ("Wed., Feb. 27",
  "3 mi. NE", "Approx. 3/4");
* a title ("Sen.", "Lt. Col.") stands before a name: never a boundary;
* "a.m." before a time zone ("9 a.m. EST"): never a boundary;
* any other abbreviation before a capitalised word ends its sentence only when that word
  opens sentences ("The", "He", "But", a quotation): "on Wed. The vote" is two
  sentences, "the U.S. Army" and "Jan. Smith" are not.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from audiogen.spoken.newswriting import newswriting
from audiogen.textsplit import split_long

#: stands in for a period that does not end its sentence while pysbd reads the text
_HIDDEN_STOP = "\ue000"
#: marks where an abbreviation's period does end its sentence (pysbd would not always see it)
_BOUNDARY = "\ue001"
#: stands in for the one-character ellipsis while pysbd reads the text
_HIDDEN_ELLIPSIS = "\ue002"

_PYSBD_LANGUAGES = frozenset("en hi mr zh es am ar hy bg ur ru pl fa nl da fr my el it ja de kk sk".split())
_SPACES = re.compile(r"\s+")
#: a word ending in a period, and the word after it
_DOTTED = re.compile(r"(?<!\S)(\S*?)([A-Za-z][A-Za-z.'\u2019]*)\.(?:(?=\s+(\S+))|(?=[,;:)\]]))")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
#: before a lone capital: a number (and a degree sign), or another lone capital, spaced
_AFTER_NUMBER = re.compile(r"\d\s?°?\s$")
_AFTER_LETTER = re.compile(r"(?<![\w.])[A-Z]\s$")
_TEMPERATURE_UNITS = frozenset("CFK")
_LONE_LETTER = re.compile(r"[A-Z]\.?(?:\s|$)")
_OPENING_PUNCT = "\"'\u201c\u2018([\u00ab"

#: words that open sentences in news far more often than they follow an abbreviation
SENTENCE_STARTERS = frozenset(
    """
    The A An He She It They We I You His Her Its Their Our My Your This That These Those There Here
    But And Or So Yet Nor For In On At From With By After Before When While As If Since Although Though
    Because Now Then Still Also However Meanwhile Later Earlier Some Many Most All Both Each Every No Not
    None Neither Either One Two Three Four Five Several Few More Only Even Just Instead Until Once Today
    Yesterday Tomorrow Tonight What Why How Who Where Which Whether Last Next According Despite During
    Under Over Among Other Such Another Officials Police Authorities Critics Experts Analysts Residents
    Witnesses Investigators Prosecutors Lawmakers Democrats Republicans Voters Officers Troops Scientists
    Researchers Doctors Students Workers Shares Prices Stocks Markets Sales Mr Mrs Ms Dr Sen Rep Gov Pres
    Asked Speaking Overall Separately Elsewhere Nearly About Around Almost Between Without Within Across
    Following Amid After Unlike Like Beyond Although Nevertheless Nonetheless Furthermore Moreover Indeed
    Yes Please Let Don't It's That's There's He's She's They're We're I'm
    Did Do Does Is Are Was Were Can Could Will Would Should Has Have Had May Might Must Shall
    """.split()
)


#: kinds of abbreviation a sentence often ends with and a name never follows inside one
_ENDING_KINDS = frozenset({"month", "weekday", "state", "counted", "unit"})
#: lower-case abbreviations a name follows inside a sentence ("Moore v. Harper", "e.g. Apple")
_BEFORE_NAMES_LOWER = frozenset(
    {"v", "vs", "e.g", "i.e", "cf", "incl", "excl", "ca", "approx", "est", "no", "viz", "aka"}
)
#: kinds of abbreviation that may stand inside a name ("Acme Inc. Chairman", "Elm St. Station")
_NAME_KINDS = frozenset({"title", "organization", "street", "after_name", "degree"})
_TIME_WORDS = frozenset({"Eastern", "Central", "Mountain", "Pacific", "Atlantic", "Alaska", "Hawaii", "local", "GMT"})
_DAY_NAMES = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December".split()
)


@lru_cache(maxsize=8)
def _segmenter(lang: str) -> Any:
    import pysbd

    return pysbd.Segmenter(language=lang if lang in _PYSBD_LANGUAGES else "en", clean=False)


def split_sentences(text: str, lang: str, max_chars: int) -> list[str]:
    """Split a paragraph into sentences; pieces longer than ``max_chars`` are split
    again at clause (then word) boundaries."""
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return []
    if lang == "en":
        text = hide_abbreviation_stops(text)
    else:
        from audiogen.spoken.abbreviations import hide_stops

        text = hide_stops(text, lang, _HIDDEN_STOP)
    pieces: list[str] = []
    for chunk in text.split(_BOUNDARY) if lang == "en" else [text]:
        pieces.extend(_segmenter(lang).segment(chunk.strip()) if chunk.strip() else [])
    sentences: list[str] = []
    for sentence in _rejoin(pieces):
        sentences.extend(split_long(sentence.replace(_HIDDEN_STOP, ".").replace(_HIDDEN_ELLIPSIS, "\u2026"), max_chars))
    return [s for s in sentences if s]


def hide_abbreviation_stops(text: str) -> str:
    """``text`` with the period of each abbreviation that does not end its sentence
    replaced by a character no segmenter takes for a full stop."""
    if "." not in text:
        return text
    text = text.replace("./", _HIDDEN_STOP + "/")  # "ft./min.": no sentence ends at a slash

    def decide(m: re.Match[str]) -> str:
        prefix, word, following = m.group(1), m.group(2), m.group(3)
        if not _stands_alone(prefix, word):
            return m.group(0)
        before = m.string[max(0, m.start() - 12) : m.start()]
        verdict = ends_sentence(word, following or ",", before)
        if verdict is None:
            return m.group(0)
        if prefix.endswith("-") and any(ch.isdigit() for ch in prefix):
            # "a 15-yr. Army veteran": a hyphenated measure describes the noun after it
            # (a hyphenated word, "well-received.", is no abbreviation: it was not one)
            verdict = False
        return f"{prefix}{word}.{_BOUNDARY}" if verdict else f"{prefix}{word}{_HIDDEN_STOP}"

    return _DOTTED.sub(decide, _mark_ellipses(text))


#: an ellipsis (three stops, spaced or not, or its one character), and what follows it
_ELLIPSIS = re.compile(r"(?:\.\s?\.\s?\.|\u2026)(\.?)(?=(\s+[\"'\u201c\u2018(]?[A-Z])?)")


def _mark_ellipses(text: str) -> str:
    """Each ellipsis hidden from the segmenter (it took "2026..." for a stop, a stop, a
    stop), and a boundary after one that a capitalised word follows: words left out
    there end a sentence ("Sales rose... Then they fell"); before a lower-case word they
    do not ("wheat, corn... and coffee")."""

    def mark(m: re.Match[str]) -> str:
        hidden = m.group(0).replace(".", _HIDDEN_STOP).replace("\u2026", _HIDDEN_ELLIPSIS)
        return hidden + _BOUNDARY if m.group(2) else hidden

    return _ELLIPSIS.sub(mark, text)


def _stands_alone(prefix: str, word: str) -> bool:
    """Whether what stands before ``word`` in its token lets it be an abbreviation: only
    opening punctuation, or (for a unit or a counted word) a number and a hyphen or a
    slash ("3-yr.", "$1,250/mo.")."""
    prefix = prefix.lstrip(_OPENING_PUNCT)
    if not prefix:
        return True
    return len(word) > 1 and (prefix[-1] in "-/" or prefix[-1].isdigit())


def ends_sentence(word: str, following: str, before: str = "") -> bool | None:
    """Whether "``word``." followed by ``following`` ends a sentence, when ``word`` is an
    abbreviation; None (for the segmenter to decide) when it is not one. ``before``: the
    text just before the word, which tells what a lone capital is."""
    kinds = _kinds(word)
    if not kinds:
        return None
    if kinds == {"initial"} and (
        (word in _TEMPERATURE_UNITS and _AFTER_NUMBER.search(before)) or _AFTER_LETTER.search(before)
    ):
        # not a name's initial: a temperature after a number ("fell to −5 C."), or the
        # last of letters spelled apart ("the C D C."): like a unit, it ends its sentence
        # before a capitalised word that is not another letter (a compass letter after a
        # house number, "1200 N. Lake Shore Drive", is neither)
        after = following.lstrip(_OPENING_PUNCT)
        return bool(after) and after[0].isupper() and not _LONE_LETTER.match(after)
    after = following.lstrip(_OPENING_PUNCT)
    if not after or after[0].islower() or after[0].isdigit() or after[0] in ",;:)\u2013\u2014-$\u20ac\u00a3%&":
        return False
    if kinds == {"title"}:
        return False
    news = newswriting()
    next_word = after.rstrip(".,;:!?)'\u2019\"\u201d")
    continues_date = (
        next_word in news.time_zones
        or next_word in news.weekdays
        or next_word in news.months
        or next_word in news.compass
    )
    if word.lower() in ("a.m", "p.m"):
        # a time runs on into its zone or its day ("9 a.m. EST", "7 p.m. Tuesday")
        return not (continues_date or next_word in _TIME_WORDS or next_word.rstrip("s") in _DAY_NAMES)
    if following[0] in _OPENING_PUNCT and following[0] not in "([":
        return True
    if word.islower() and word not in _BEFORE_NAMES_LOWER:
        # a lower-case abbreviation is never part of a name ("according to the co. Prince
        # William …"): a capital after it starts the next sentence, unless it is a bearing
        return not continues_date
    if kinds & _ENDING_KINDS and not kinds & _NAME_KINDS:
        # a month, a day, a state or a unit is followed by a name only across a full stop
        # ("in Fresno, Calif. Officials said"), except in a date ("Wed. Feb. 27") or a
        # bearing ("3 mi. NE of Fresno")
        return not continues_date and next_word.rstrip("s") not in _DAY_NAMES
    if next_word in SENTENCE_STARTERS or next_word in news.titles:
        return True
    # a capitalised abbreviation that is lower-case in the middle of a sentence ("Approx.")
    return after.endswith(".") and next_word[:1].isupper() and next_word.lower() in news.general


def _kinds(word: str) -> set[str]:
    """The kinds of abbreviation ``word`` (written without its final period) is."""
    table = newswriting().kinds
    # "INC." in a line of capitals is "Inc."; a short word in capitals is its own ("US.")
    forms = (word,) if word.isupper() and len(word) < 3 else (word, word.lower(), word.capitalize())
    for form in forms:
        if form in table:
            return set(table[form])
    if len(word) == 1 and word.isupper():
        return {"initial"}
    if _INITIALISM.fullmatch(word):
        return {"initialism"}
    return set()


# pysbd breaks after a quotation that ends in a comma ('...interest,'" Macron said),
# which news text does in every other paragraph; no sentence ends in a comma.
_OPEN_END = re.compile(r"[,;:]['\"\u2019\u201d)\]]*$")


#: a closing quotation mark the segmenter left at the head of the next sentence
_STRAY_CLOSE = re.compile(r"^([\"\u201d\u2019)\]]+)(?:\s+|$)")


def _rejoin(pieces: list[str]) -> list[str]:
    out: list[str] = []
    for piece in (p.strip() for p in pieces):
        stray = _STRAY_CLOSE.match(piece)
        if stray and out:
            out[-1] += stray.group(1)
            piece = piece[stray.end() :]
        if not piece:
            continue
        if out and (_OPEN_END.search(out[-1]) or piece[0].islower()):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out
