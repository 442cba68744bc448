"""Numbers in the languages without rules of their own: read in words by num2words.

English has a full set of newswriting rules (``english``). For the other languages a
voice can speak, a number left in digits is read by the engine's own guess, which is
often digit by digit; here whole numbers, decimals (with the language's decimal mark),
percentages and clock times are given in that language's words. Dates, codes and numbers
inside words are left alone.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from functools import lru_cache

from num2words import CONVERTER_CLASSES, num2words

from audiogen.spoken.abbreviations import expand

#: languages that write 3,5 for three and a half and 1.000 (or 1 000) for a thousand
_DECIMAL_COMMA = frozenset(
    "af az be bg ca cs da de el es et eu fi fr gl hr hu id is it kk ky lt lv mk nl no nb nn pl pt ro ru sk sl sq sr sv tr uk uz vi".split()
)
_PERCENT = {
    "es": "por ciento", "fr": "pour cent", "it": "per cento", "pt": "por cento", "de": "Prozent",
    "nl": "procent", "id": "persen", "ms": "peratus", "pl": "procent", "ru": "процентов", "uk": "відсотків",
    "tr": "yüzde", "sv": "procent", "da": "procent", "no": "prosent", "nb": "prosent", "fi": "prosenttia",
    "cs": "procent", "ro": "la sută", "ca": "per cent", "hu": "százalék",
}  # fmt: skip
#: languages that put the word before the number ("yüzde 5")
_PERCENT_BEFORE = frozenset({"tr"})
#: the euro after an amount ("4,50 €", "€4,50"): singular and plural
_EURO = {
    "es": ("euro", "euros"), "fr": ("euro", "euros"), "pt": ("euro", "euros"), "it": ("euro", "euro"),
    "de": ("Euro", "Euro"), "nl": ("euro", "euro"), "ca": ("euro", "euros"),
}  # fmt: skip
#: "uno" before a noun: Spanish "un"/"veintiún", Italian "un"
_APOCOPE: dict[str, Callable[[str], str]] = {
    "es": lambda words: "ún" if words.endswith("iuno") else "un",
    "it": lambda words: "un",
}
#: what num2words says for the decimal mark, where the language says otherwise
_DECIMAL_WORD = {"es": (" punto ", " coma ")}
#: ordinal marks: Spanish, Portuguese and Italian "1º"/"1ª" (masculine, feminine),
#: French "1er", "1re", "2e", "2ème"
_ORDINAL = re.compile(r"(?<![\w.,])(\d{1,4})(?:([ºª°])|(er|re|ère|e|ème|è)(?![^\W\d_]))")


@lru_cache(maxsize=64)
def _patterns(lang: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A number (with its percent sign), a clock time, and an amount of euros (the sign
    after it or before it) in ``lang``'s way of writing numbers."""
    if lang in _DECIMAL_COMMA:
        number = r"\d{1,3}(?:[.\u00a0\u202f ]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
    else:
        number = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    alone = rf"(?<![\w.,:/\-])({number})(?![\w]|[.,:/\-]\d)"
    clock = r"(?<![\w.:])([01]?\d|2[0-3]):([0-5]\d)(?![\w:]|[.,]\d)"
    euros = rf"{alone}\s?€|€\s?(?<![\w.,:/\-])({number})(?![\w]|[.,:/\-]\d)"
    return re.compile(rf"{alone}(\s?%)?"), re.compile(clock), re.compile(euros)


def supported(lang: str) -> bool:
    return lang in CONVERTER_CLASSES


#: the word for "dot" when a web address is read
_DOT = {
    "es": "punto", "it": "punto", "fr": "point", "pt": "ponto", "de": "Punkt", "nl": "punt", "id": "titik",
    "ms": "titik", "pl": "kropka", "ru": "точка", "uk": "крапка", "tr": "nokta", "sv": "punkt", "da": "punkt",
    "no": "punkt", "nb": "punkt", "ca": "punt", "ro": "punct", "cs": "tečka",
}  # fmt: skip
_URL = re.compile(r"\b(?:https?://|www\.)(?:www\.)?([\w-]+(?:\.[\w-]+)+)[^\s<>\"']*", re.IGNORECASE)
#: decoration no one reads: rules of underscores or asterisks, bullets, pipes
_DECORATION = re.compile(r"[_*|~=<>#^\\-]{2,}|(?<!\w)[*|^\\]+|[*|^\\]+(?!\w)")
_SLASH_BETWEEN_WORDS = re.compile(r"(?<=[^\W\d_])/(?=[^\W\d_])")


#: how euros and cents are joined, where num2words has no euros in the region's words
_CENTS = {"pt_BR": ("e", "centavo", "centavos")}
#: regions whose number words num2words has apart from the language's own
_REGIONAL_WORDS = {("pt", "BR"): "pt_BR"}


def normalize_other(text: str, lang: str, region: str = "") -> str:
    """``text`` in ``lang`` for a voice: web addresses named by their site, decoration
    dropped, and numbers read in the language's words (where num2words knows it; in the
    region's words where they differ, Brazil's *dezesseis* for Portugal's *dezasseis*)."""
    text = expand(text, lang)
    if "/" in text or "." in text:
        dot = _DOT.get(lang)
        text = _URL.sub(lambda m: m.group(1).replace(".", f" {dot} ") if dot else m.group(1), text)
        text = _SLASH_BETWEEN_WORDS.sub(", ", text)
    text = re.sub(r"\s{2,}", " ", _DECORATION.sub(" ", text)).strip()
    if not supported(lang) or not any(c.isdigit() for c in text):
        return text
    if any("₀" <= c <= "₉" for c in text):
        # a chemical formula: "CO₂" is its letters and the number ("C O dos")
        text = _FORMULA.sub(
            lambda m: " ".join(re.findall(r"[A-Z][a-z]?|[₀-₉]+", m.group(0))).translate(_SUBSCRIPTS), text
        )
    if lang in ("id", "ms"):
        # "orang2" is how Indonesian and Malay write "orang-orang"
        text = re.sub(r"\b([^\W\d_]{2,})2\b", r"\1-\1", text)
    number, clock, euros = _patterns(lang)
    said_in = _REGIONAL_WORDS.get((lang, region), lang)  # num2words' name for the words
    text = clock.sub(lambda m: _clock(m, lang, said_in), text)
    if lang == "fr":
        text = _FRENCH_HOURS.sub(_french_hours, text)
    if lang in ("es", "pt", "it", "fr", "gl", "ca"):
        text = _ORDINAL.sub(lambda m: _ordinal(m, said_in), text)
    if "€" in text and lang in _EURO:
        text = euros.sub(lambda m: _euros(m.group(1) or m.group(2), said_in), text)
    if "R$" in text and lang == "pt":
        text = _REAIS.sub(lambda m: _reais(m, said_in), text)

    def read(m: re.Match[str]) -> str:
        words = _words(m.group(1), said_in)
        if not m.group(2):
            return words
        percent = _PERCENT.get(lang, "%")
        return f"{percent} {words}" if lang in _PERCENT_BEFORE else f"{words} {percent}"

    return number.sub(read, text)


#: a chemical formula's letters and the subscript number after them
_FORMULA = re.compile(r"\b[A-Z](?:[A-Z][a-z]?|[a-z]|[₀-₉]+)*[₀-₉]+(?:[A-Z][a-z]?|[₀-₉]+)*(?!\w)")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
#: the word after the hour of a time on the hour ("20:00"), where the language says one
_OCLOCK = {"de": "Uhr", "nl": "uur", "fr": "heures", "pt": "horas"}


def _clock(m: re.Match[str], lang: str, said_in: str) -> str:
    """A clock time: "6:30" → the hour and the minutes; "22:00" → the hour alone (and the
    language's word for o'clock, where it has one)."""
    hours = _words(m.group(1), said_in)
    if int(m.group(2)):
        return f"{hours} {_words(m.group(2), said_in)}"
    return f"{hours} {_OCLOCK[lang]}" if lang in _OCLOCK else hours


#: French clock times: "6 h 30", "18h", "6 h"
_FRENCH_HOURS = re.compile(r"(?<![\w.,])([01]?\d|2[0-3])\s?h\s?([0-5]\d)?(?![^\W\d_])")


def _french_hours(m: re.Match[str]) -> str:
    hours = int(m.group(1))
    said = "une heure" if hours == 1 else f"{_words(m.group(1), 'fr')} heures"
    if m.group(2) and int(m.group(2)):
        said += f" {_words(m.group(2), 'fr')}"
    return said


def _ordinal(m: re.Match[str], lang: str) -> str:
    mark, suffix = m.group(2), m.group(3)
    if (lang == "fr") != (suffix is not None):
        return m.group(0)
    try:
        word = str(num2words(int(m.group(1)), lang=lang, to="ordinal"))  # lang: num2words' name
    except (NotImplementedError, ValueError, OverflowError):
        return m.group(0)
    if mark == "ª" and word.endswith("o"):
        return word[:-1] + "a"  # primero → primera, primeiro → primeira, primo → prima
    if lang == "fr" and suffix in ("re", "ère") and word == "premier":
        return "première"
    return word


def _euros(written: str, lang: str) -> str:
    """An amount of euros ("4,50", written beside "€") in words with the word for euros
    (``lang``: num2words' name for the words, "pt_BR" too)."""
    base = lang.split("_")[0]
    one, many = _EURO[base]
    with contextlib.suppress(ValueError, NotImplementedError, OverflowError, TypeError):
        value = _value(written, base)
        if value != int(value):  # euros and cents, as the language says them
            if lang in _CENTS:
                euros, cents = int(value), round((value - int(value)) * 100)
                joined, cent, cents_word = _CENTS[lang]
                return (
                    f"{_words(str(euros), lang)} {one if euros == 1 else many} {joined} "
                    f"{_words(str(cents), lang)} {cent if cents == 1 else cents_word}"
                )
            return str(num2words(float(value), lang=lang, to="currency", currency="EUR"))
    whole = written.split(",")[0] if base in _DECIMAL_COMMA else written.split(".")[0]
    words = _words(whole, lang)
    if base in _APOCOPE and words.endswith("uno"):
        words = words[:-3] + _APOCOPE[base](words)  # "un euro", "veintiún euros"
    return f"{words} {one if whole.strip() == '1' else many}"


#: Brazilian reais: "R$ 1,50", "R$ 850 mil", "R$ 2,3 bilhões"
_REAIS = re.compile(
    r"R\$\s?(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?![\w]|[.,]\d)(\s(?:mil|milhão|milhões|bilhão|bilhões)\b)?"
)


def _reais(m: re.Match[str], lang: str) -> str:
    written, scale = m.group(1), (m.group(2) or "").strip()
    value = _value(written, "pt")
    if scale:  # "dois vírgula três bilhões de reais", "oitocentos e cinquenta mil reais"
        return f"{_words(written, lang)} {scale} {'de reais' if scale != 'mil' else 'reais'}"
    whole, cents = int(value), round((value - int(value)) * 100)
    said = f"{_words(str(whole), lang)} {'real' if whole == 1 else 'reais'}" if whole or not cents else ""
    if cents:
        said += f"{' e ' if said else ''}{_words(str(cents), lang)} {'centavo' if cents == 1 else 'centavos'}"
    return said


def _value(written: str, lang: str) -> int | float:
    """A number as ``lang`` writes it ("1.250,75" or "1,250.75") → its value."""
    if lang in _DECIMAL_COMMA:
        plain = re.sub(r"[.\u00a0\u202f ]", "", written).replace(",", ".")
    else:
        plain = written.replace(",", "")
    return float(plain) if "." in plain else int(plain)


def _words(written: str, lang: str) -> str:
    """A number as ``lang`` writes it in words (``lang``: num2words' name, "pt_BR" too)."""
    base = lang.split("_")[0]
    try:
        value = _value(written, base)
        words = str(num2words(value, lang=lang))
        if isinstance(value, float) and base in _DECIMAL_WORD:
            words = words.replace(*_DECIMAL_WORD[base])
        return words
    except (ValueError, NotImplementedError, OverflowError, IndexError, TypeError):
        return written
