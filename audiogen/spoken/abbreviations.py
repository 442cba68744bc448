"""The abbreviations of newswriting in the other languages (``voices/lexicon/abbreviations.toml``):
hidden from the sentence splitter where they do not end a sentence, and read as words.

A title ("Sr.", "Dott.", "Mme") stands before a name and never ends a sentence; a general
abbreviation ("etc.", "pág.") ends one only when a capital letter follows.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Table:
    words: dict[str, str]
    titles: frozenset[str]
    pattern: re.Pattern[str]


@lru_cache(maxsize=16)
def table(lang: str) -> Table | None:
    """The language's abbreviations, or ``None`` when it has none listed."""
    from audiogen.spoken.lexicon import shipped_lexicon_path

    data = tomllib.loads(shipped_lexicon_path("abbreviations").read_text(encoding="utf-8")).get(lang)
    if not data:
        return None
    titles = dict(data.get("titles", {}))
    words = {**dict(data.get("general", {})), **titles}
    # longest first, so "Sig.ra" wins over "Sig." and "EE. UU." over nothing
    forms = sorted(words, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(form) for form in forms) + r")(?![^\W\d_])")
    return Table(words, frozenset(titles), pattern)


def hide_stops(text: str, lang: str, hidden: str) -> str:
    """``text`` with the full stop of each abbreviation that does not end its sentence
    replaced by ``hidden`` (a character no splitter takes for a full stop)."""
    found = table(lang)
    if found is None or "." not in text:
        return text

    def decide(m: re.Match[str]) -> str:
        form = m.group(1)
        if not form.endswith("."):
            return form
        after = text[m.end() :].lstrip()
        ends = form not in found.titles and (not after or after[0].isupper())
        return form if ends else form[:-1].replace(".", hidden) + hidden

    return found.pattern.sub(decide, text)


def expand(text: str, lang: str) -> str:
    """``text`` with the language's abbreviations in words ("la Sra. López" → "la señora
    López"); a sentence's final full stop stays."""
    found = table(lang)
    if found is None:
        return text

    def say(m: re.Match[str]) -> str:
        form = m.group(1)
        word = found.words[form]
        after = m.string[m.end() :]
        if form in found.titles and not after.lstrip()[:1].isupper():
            return form  # a title comes before a name: "Me Roux" is maître, "Me voilà" is not
        # an abbreviation that ends the sentence keeps the sentence's full stop
        return word + "." if form.endswith(".") and not after.strip() else word

    return found.pattern.sub(say, text)
