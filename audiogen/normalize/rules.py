"""English written → spoken rules: abbreviations, titles, initialisms and symbols.

Engines guess at abbreviations ("Feb." as a word, "D.C." as letters run together); each
rule here makes the reading explicit. Rules only ever touch the spoken text; the
display text of a sentence keeps what the article wrote.
"""

from __future__ import annotations

import re

_MONTHS = {
    "Jan": "January",
    "Feb": "February",
    "Mar": "March",
    "Apr": "April",
    "Jun": "June",
    "Jul": "July",
    "Aug": "August",
    "Sep": "September",
    "Sept": "September",
    "Oct": "October",
    "Nov": "November",
    "Dec": "December",
}
# Titles are expanded only before a capitalised name ("Dr. Smith", not "the Dr.").
_TITLES = {
    "Mr": "Mister",
    "Mrs": "Missus",
    "Ms": "Miz",
    "Dr": "Doctor",
    "Prof": "Professor",
    "Gen": "General",
    "Lt. Gen": "Lieutenant General",
    "Maj. Gen": "Major General",
    "Brig. Gen": "Brigadier General",
    "Lt. Col": "Lieutenant Colonel",
    "Col": "Colonel",
    "Lt": "Lieutenant",
    "Maj": "Major",
    "Capt": "Captain",
    "Sgt": "Sergeant",
    "Adm": "Admiral",
    "Sen": "Senator",
    "Rep": "Representative",
    "Gov": "Governor",
    "Pres": "President",
    "Rev": "Reverend",
    "St": "Saint",
    "Mt": "Mount",
    "Ft": "Fort",
    "Hon": "Honorable",
}
_PHRASES = {
    "e.g.": "for example",
    "i.e.": "that is",
    "etc.": "et cetera",
    "vs.": "versus",
    "approx.": "approximately",
    "a.m.": "A M",
    "p.m.": "P M",
}

_MONTH_RE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\.(?=\s*\d)")
_TITLE_RE = re.compile(
    r"\b(" + "|".join(re.escape(t) for t in sorted(_TITLES, key=len, reverse=True)) + r")\.(?=\s+[A-Z])"
)
_PHRASE_RE = re.compile(r"(?<![\w.])(" + "|".join(re.escape(p) for p in _PHRASES) + r")(?=\W|$)", re.IGNORECASE)
_NUMBER_SIGN = re.compile(r"\bNo\.\s*(?=\d)")
# "U.S.", "D.C.", "U.K." → letters the voice says one by one; a sentence-final period stays.
_DOTTED_INITIALISM = re.compile(r"\b((?:[A-Z]\.){2,})(?=\W|$)")
_PERCENT = re.compile(r"(?<=\d)\s?%")
_DASH = re.compile(r"\s*[\u2014\u2015]\s*|\s+[\u2013-]\s+")


def normalize_english(text: str) -> str:
    text = _PHRASE_RE.sub(lambda m: _PHRASES[m.group(1).lower()], text)
    text = _MONTH_RE.sub(lambda m: _MONTHS[m.group(1)], text)
    text = _TITLE_RE.sub(lambda m: _TITLES[m.group(1)], text)
    text = _NUMBER_SIGN.sub("number ", text)
    text = _DOTTED_INITIALISM.sub(_spell_initialism, text)
    text = _PERCENT.sub(" percent", text)
    text = text.replace("&", " and ")
    text = _DASH.sub(", ", text)
    return re.sub(r"\s+", " ", text).strip()


def _spell_initialism(match: re.Match[str]) -> str:
    letters = match.group(1).replace(".", " ").split()
    end = match.end()
    tail = match.string[end : end + 1]
    # Keep one period if the initialism closed the sentence ("in the U.S.").
    return " ".join(letters) + ("." if tail in ("", " ") and end == len(match.string) else "")
