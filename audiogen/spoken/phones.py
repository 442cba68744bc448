"""Telephone numbers in any country's format, read in the groups people dictate them in.

The common North American forms are read by the English rules; this finds the rest
(national numbers written with spaces, other countries' groupings, "+44 (0)20 …") with
libphonenumber's matcher (the ``phonenumbers`` package), which knows every country's
numbering plan, so a run of digits is read as a phone number only when it is a valid one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from audiogen.spoken.numbers import digits

#: what a telephone number can look like in running text: seven or more digits with
#: spaces, dots, dashes or brackets between groups
PHONE_SHAPE = re.compile(r"(?<![\w.,/+])(?:\+\s?)?(?:\(\d{1,4}\)[\s.-]?)?\d[\d\s.()\-]{5,}\d(?![\w]|[.,]\d)")


@lru_cache(maxsize=1)
def _library() -> Any:
    import phonenumbers

    return phonenumbers


def read_phone_numbers(text: str, region: str = "US") -> str:
    """``text`` with each valid telephone number in it read in groups: "+44 20 7946
    0958" → "plus four four, two zero, seven nine four six, zero nine five eight"."""
    if sum(c.isdigit() for c in text) < 7:
        return text
    library = _library()
    out: list[str] = []
    last = 0
    for match in library.PhoneNumberMatcher(text, region, leniency=library.Leniency.VALID):
        out.append(text[last : match.start])
        out.append(_spoken(library, match.number, match.raw_string))
        last = match.end
    out.append(text[last:])
    return "".join(out)


def _spoken(library: Any, number: Any, written: str) -> str:
    international = written.lstrip().startswith("+")
    style = library.PhoneNumberFormat.INTERNATIONAL if international else library.PhoneNumberFormat.NATIONAL
    groups = re.findall(r"\d+", library.format_number(number, style))
    if international:
        country, *rest = groups
        return f"plus {digits(country)}, " + ", ".join(digits(g) for g in rest)
    return ", ".join(digits(g) for g in groups)
