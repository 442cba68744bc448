"""Street addresses and telephone numbers as they are written outside AP style, read as a
person reads them aloud.

AP style ("1428 Elm St.", "(555) 123-4567") is read by the English rules; this is what
listings, press releases and signatures write: designators without a full stop ("Ave",
"Blvd", "Hwy"), a compass letter before or after the street ("N 1st St", "5th Ave NW"),
apartment and suite numbers ("Apt 4B", "Ste 300"), a state and its ZIP code read digit
by digit ("TX 78701-1234"), and telephone numbers grouped by spaces alone. House
numbers are read in pairs, as people say them ("1600" → "sixteen hundred").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from audiogen.spoken import tables
from audiogen.spoken.numbers import cardinal, digits, ordinal, year
from audiogen.spoken.titles import NEWS, stop_ends_sentence

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

#: designators written as people write them on envelopes (capitalised, any full stop)
_DESIGNATORS = sorted({form.capitalize() for form in tables.STREETS} | {"Av"}, key=len, reverse=True)
COMPASS = {"N": "North", "S": "South", "E": "East", "W": "West"}
QUADRANTS = {"NW": "Northwest", "NE": "Northeast", "SW": "Southwest", "SE": "Southeast"} | COMPASS
#: the abbreviations of an address's second line, and the word each stands for
_UNITS = {"apt": "Apartment", "ste": "Suite", "rm": "Room", "fl": "Floor", "bldg": "Building", "dept": "Department"}
_UNIT_WORDS = "Apartment|Suite|Unit|Room|Floor|Building|Apt|Ste|Rm|Fl|Bldg"
_STATE_NAMES = sorted({name for name in tables.STATES.values() if name != "DC"}, key=len, reverse=True)

_STREET = re.compile(
    r"(?<![\w.,$])(?P<number>\d{1,6})\s+"
    r"(?:(?P<direction>[NSEW]|North|South|East|West)\.?\s+)?"
    r"(?P<name>(?:\d{1,3}(?:st|nd|rd|th)|[A-Z][A-Za-z'\u2019-]+)(?:\s+[A-Z][A-Za-z'\u2019-]+){0,3}?)\s+"
    rf"(?P<designator>{'|'.join(_DESIGNATORS)})\b(?P<stop>\.?)"
    r"(?:\s+(?P<quadrant>NW|NE|SW|SE|N|S|E|W)\b(?P<quadrant_stop>\.?))?"
)
#: a house on a numbered road ("31500 Hwy 9", "120 Route 66")
_ON_NUMBERED_ROAD = re.compile(
    r"(?<![\w.,$])(?P<number>\d{1,6})\s+(?P<road>Hwy|Highway|Rte|Route|State Route|County Road)\.?\s+(?P<name>\d{1,4})\b"
)
_ROADS = {"hwy": "Highway", "rte": "Route"}
_UNIT = re.compile(rf"\b(?P<word>{_UNIT_WORDS})\b\.?\s*#?\s*(?P<number>\d{{1,5}})(?P<letter>[A-Z])?\b")
_ZIP = re.compile(
    rf"\b(?P<state>{'|'.join(tables.STATES)}|{'|'.join(_STATE_NAMES)}),?\s+(?P<zip>\d{{5}})(?:-(?P<plus4>\d{{4}}))?(?![\w-])"
)
_SPACED_PHONE = re.compile(
    r"(?<![\w.,+])(?P<country>\+?1\s)?(?P<area>\(\d{3}\)|\d{3})\s(?P<exchange>\d{3})\s(?P<line>\d{4})(?![\w]|[.,]\d)"
)
_DECADE_SPACED = re.compile(r"(?<![\w.,])(\d{3}0|['\u2019]\d0) s\b")


def _house_number(number: str) -> str:
    """House numbers in pairs ("1428" → "fourteen twenty-eight"); long ones digit by digit."""
    value = int(number)
    if len(number) > 4 or number.startswith("0"):
        return digits(number)
    return year(value) if value >= 100 else cardinal(value)


def _street(m: re.Match[str]) -> str:
    words = [_house_number(m.group("number"))]
    if m.group("direction"):
        words.append(COMPASS.get(m.group("direction"), m.group("direction")))
    name = m.group("name")
    ordinal_name = re.fullmatch(r"(\d{1,3})(?:st|nd|rd|th)", name)
    words.append(ordinal(int(ordinal_name.group(1))) if ordinal_name else name)
    words.append(tables.STREETS[m.group("designator").lower()])
    stop = m.group("stop")
    if m.group("quadrant"):
        words.append(QUADRANTS[m.group("quadrant")])
        stop = m.group("quadrant_stop")
    spoken = " ".join(words)
    # a full stop that was the designator's only is dropped; one that ends the sentence stays
    return spoken + "." if stop and stop_ends_sentence(m) else spoken


def _on_numbered_road(m: re.Match[str]) -> str:
    road = _ROADS.get(m.group("road").lower(), m.group("road"))
    return f"{_house_number(m.group('number'))} {road} {cardinal(int(m.group('name')))}"


def _unit(m: re.Match[str]) -> str:
    word = _UNITS.get(m.group("word").lower(), m.group("word"))
    number = m.group("number")
    if m.group("letter"):
        return f"{word} {cardinal(int(number))} {m.group('letter')}"
    return f"{word} {number}"


def _zip(m: re.Match[str]) -> str:
    state = tables.STATES.get(m.group("state"), m.group("state"))
    if state == "DC":
        state = "D C"
    spoken = f"{state} {digits(m.group('zip'))}"
    return f"{spoken}, {digits(m.group('plus4'))}" if m.group("plus4") else spoken


def _spaced_phone(m: re.Match[str]) -> str:
    groups = [digits(m.group("area").strip("()")), digits(m.group("exchange")), digits(m.group("line"))]
    spoken = ", ".join(groups)
    return f"plus one, {spoken}" if m.group("country") and m.group("country").startswith("+") else spoken


def address_rules() -> list[Rule]:
    """The rules, in the order they run (before the English rules' own addresses)."""
    return [
        (_DECADE_SPACED, lambda m: m.group(1) + "s"),  # "the 1980 s": a decade whose "s" came apart
        (_SPACED_PHONE, _spaced_phone),
        (_ZIP, _zip),
        (_UNIT, _unit),
        (_ON_NUMBERED_ROAD, _on_numbered_road),
        (_STREET, _street),
    ]


# -- AP style, and addresses a listener would not follow digit by digit --


def read_url(m: re.Match[str]) -> str:
    """A short address is read out ("example dot org slash report"); one whose path no
    one would read aloud (a shortened link's code, a query, a long path) is named by its
    site only: "a link to amzn dot to"."""
    text = re.sub(r"^(?:https?://)?(?:www\.)?", "", m.group(0), flags=re.IGNORECASE).rstrip("/")
    site, _, path = text.partition("/")
    if path and (len(path) > 30 or _UNREADABLE_PATH.search(path)):
        return f"a link to {_spell_address(site)}"
    return _spell_address(text)


#: a path part no one reads aloud: a query, an id mixing letters and digits, a long number
_UNREADABLE_PATH = re.compile(r"[?=&%#]|(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]{5,}|\d{5,}")


def _spell_address(text: str) -> str:
    out = []
    for part in re.split(r"([./@:_-])", text):
        if part in tables.ADDRESS_SYMBOLS:
            out.append(tables.ADDRESS_SYMBOLS[part])
        elif part.isdigit():
            out.append(digits(part))
        elif part:
            out.append(part)
    return " ".join(out)


def read_email(m: re.Match[str]) -> str:
    return _spell_address(m.group(0))


def read_handle(m: re.Match[str]) -> str:
    return f"{m.group(1)}at {m.group(2)}"


def read_hashtag(m: re.Match[str]) -> str:
    return f"{m.group(1)}hashtag {m.group(2)}"


def read_phone(m: re.Match[str]) -> str:
    groups = re.findall(r"\d+", m.group("number"))
    spoken = ", ".join(digits(g) for g in groups)
    if m.group("country"):
        spoken = f"plus {digits(m.group('country'))}, {spoken}"
    return spoken


def read_ip(m: re.Match[str]) -> str:
    return " dot ".join(digits(g) for g in m.group(0).split("."))


def read_house_number(m: re.Match[str]) -> str:
    """ "1428 Elm St." → "fourteen twenty-eight Elm Street" (house numbers read in pairs)."""
    suffix = tables.STREETS[m.group("suffix").lower()]
    period = "." if m.group("period") and stop_ends_sentence(m) else ""
    return f"{year(int(m.group('number')))} {m.group('street')}{suffix}{period}"


def read_state(m: re.Match[str]) -> str:
    zip_code = m.group(3)
    spoken = f"{m.group(1)}{tables.STATES[m.group(2)]}"
    return f"{spoken} {digits(zip_code)}" if zip_code else spoken


def read_toll_free(m: re.Match[str]) -> str:
    parts = [p for p in re.split(r"[-.\s]", m.group(2)) if p]
    rest = ""
    for part in parts:  # a pause after each group of digits, as a number is dictated
        rest += f"{digits(part)}, " if part.isdigit() else f"{part} "
    prefix = "eight hundred" if m.group(1) == "800" else digits(m.group(1))  # "1-888" is one eight eight eight
    return f"one, {prefix}, {rest.rstrip(', ')}"


def read_street_after_name(m: re.Match[str]) -> str:
    return f"{m.group(1)}{NEWS.streets[m.group(2)]}"


def read_compass(m: re.Match[str]) -> str:
    return NEWS.compass[m.group(1)]


def read_in_pairs(m: re.Match[str]) -> str:
    """ "Room 2141" → "Room twenty-one forty-one"; "Suite 1200" → "Suite twelve hundred"."""
    return f"{m.group(1)} {year(int(m.group(2)))}"


def read_short_code(m: re.Match[str]) -> str:
    return f"{m.group(1)}{digits(m.group(2))}"
