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
from audiogen.spoken.sentences import SENTENCE_STARTERS

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


def _ends_sentence(m: re.Match[str]) -> bool:
    rest = m.string[m.end() :]
    if not rest.strip():
        return True
    following = re.match(r"\s+([\"'\u201c\u2018]|[A-Z][\w'\u2019]*)", rest)
    return following is not None and (following.group(1) in SENTENCE_STARTERS or not following.group(1)[0].isalpha())


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
    return spoken + "." if stop and _ends_sentence(m) else spoken


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
