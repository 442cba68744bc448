"""Number words, in the American newsreader's style, from num2words.

num2words writes British "one hundred and five" with commas; news in US English drops
both ("one hundred five"), so its output is tidied here. Years, digits and currency
amounts build on the same few functions.
"""

from __future__ import annotations

import re
from functools import lru_cache

from num2words import num2words

_AND = re.compile(r"\b(hundred|thousand|million|billion|trillion) and\b")


def _tidy(words: str) -> str:
    return _AND.sub(r"\1", words.replace(",", "")).strip()


@lru_cache(maxsize=4096)
def cardinal(number: int) -> str:
    return _tidy(num2words(number))


@lru_cache(maxsize=1024)
def ordinal(number: int) -> str:
    return _tidy(num2words(number, to="ordinal"))


_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def digits(text: str, zero: str = "zero") -> str:
    """ "105" → "one zero five" (phone numbers, codes, digits after a decimal point)."""
    return " ".join(zero if c == "0" else _ONES[int(c)] for c in text if c.isdigit())


def decimal(text: str) -> str:
    """ "30,000" / "-2" / "2.050" / ".1" → words; digits after the point one by one."""
    text = text.replace(",", "").replace("\u2212", "-")
    sign = ""
    if text.startswith(("-", "+")):
        sign = "minus " if text[0] == "-" else "plus "
        text = text[1:]
    whole, _, fraction = text.partition(".")
    words = cardinal(int(whole)) if whole else ""
    if fraction:
        words = f"{words} point {digits(fraction)}".strip()
    return sign + words


@lru_cache(maxsize=1024)
def year(number: int) -> str:
    """ "1994" → "nineteen ninety-four", "2005" → "two thousand five", "1805" →
    "eighteen oh-five"; three-digit years ("340") read in pairs as well."""
    if 2000 <= number <= 2009 or number < 100 or number % 1000 == 0:
        return cardinal(number)
    return _tidy(num2words(number, to="year"))


def plural(words: str) -> str:
    """The plural of a number's last word: "ninety" → "nineties", "six" → "sixes"."""
    head, _, last = words.rpartition(" ")
    if last.endswith("y"):
        last = last[:-1] + "ies"
    elif last.endswith(("x", "s")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}".strip()


def fraction(numerator: int, denominator: int) -> str:
    """3/4 → "three quarters", 1/2 → "one half", 31/32 → "thirty-one thirty-seconds"."""
    if denominator == 2:
        name = "half" if numerator == 1 else "halves"
    elif denominator == 4:
        name = "quarter" if numerator == 1 else "quarters"
    else:
        name = ordinal(denominator)
        if numerator != 1:
            name = plural(name)
    return f"{cardinal(numerator)} {name}"
