"""The abbreviations of English newswriting, read from ``voices/lexicon/en-newswriting.toml``.

The file holds the words (states, titles, street designators, units with the SI prefixes
each takes); this module turns them into the tables the rules use, generating every
prefixed, squared and cubed unit form rather than listing them, and knows which kind
each abbreviation is, so the sentence splitter can tell "Wed." in a sentence from a
full stop.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Newswriting:
    weekdays: dict[str, str]
    months: dict[str, str]
    time_zones: dict[str, str]
    states_ap: dict[str, str]
    states_ambiguous: frozenset[str]
    states_postal: dict[str, str]
    parties: dict[str, str]
    compass: dict[str, str]
    streets: dict[str, str]
    titles: dict[str, str]
    after_names: dict[str, str]
    degrees: dict[str, str]
    organizations: dict[str, str]
    general: dict[str, str]
    numbered: dict[str, str]
    #: written unit → (singular, plural), every generated form
    units: dict[str, tuple[str, str]]
    #: abbreviation (without its final period) → its kinds, for the sentence splitter
    kinds: dict[str, frozenset[str]]


def newswriting_path() -> Path:
    from audiogen.spoken.lexicon import shipped_lexicon_path

    return shipped_lexicon_path("en-newswriting")


@lru_cache(maxsize=1)
def newswriting() -> Newswriting:
    data = tomllib.loads(newswriting_path().read_text(encoding="utf-8"))
    units = _units(data["units"], frozenset(data["states"]["postal"]))
    counted = {form: (pair[0], pair[1]) for form, pair in data["counted"].items()}
    sections = {
        "weekday": data["weekdays"],
        "month": data["months"],
        "state": data["states"]["ap"],
        "street": data["streets"],
        "title": data["titles"],
        "after_name": data["after_names"],
        "degree": data["degrees"],
        "organization": data["organizations"],
        "general": data["general"],
        "numbered": data["numbered"],
        "counted": counted,
        "unit": {u: u for u in units if u.isascii() and "/" not in u and " " not in u},
    }
    kinds: dict[str, set[str]] = {}
    for kind, forms in sections.items():
        for form in forms:
            kinds.setdefault(form, set()).add(kind)
    return Newswriting(
        weekdays=data["weekdays"],
        months=data["months"],
        time_zones=data["time_zones"],
        states_ap={k: v for k, v in data["states"]["ap"].items()},
        states_ambiguous=frozenset(data["states"]["ambiguous"]),
        states_postal=data["states"]["postal"],
        parties=data["parties"],
        compass=data["compass"],
        streets=data["streets"],
        titles=data["titles"],
        after_names=data["after_names"],
        degrees=data["degrees"],
        organizations=data["organizations"],
        general=data["general"],
        numbered=data["numbered"],
        units={**{f: p for f, p in counted.items() if f not in units}, **units},
        kinds={form: frozenset(k) for form, k in kinds.items()},
    )


def _units(section: dict[str, Any], postal: frozenset[str]) -> dict[str, tuple[str, str]]:
    """Every written form of every unit: SI units with each prefix they take, squares
    and cubes of the lengths ("km²", "km2", "sq km", "cm³"), and a lower-case unit
    written in capitals ("KG", "LBS", "Tbsp") where that is not another unit or a state."""
    prefixes: dict[str, str] = section["prefixes"]
    units: dict[str, tuple[str, str]] = {}
    for symbol, (singular, plural, allowed) in section["si"].items():
        units[symbol] = (singular, plural)
        for prefix in allowed:
            name = prefixes[prefix]
            units[prefix + symbol] = (name + singular, name + plural)
    for form, (singular, plural) in section["other"].items():
        units.setdefault(form, (singular, plural))
    for length in ("m", "km", "cm", "mm", "mi", "ft", "in", "yd"):
        if length not in units:
            continue
        singular, plural = units[length]
        for power, word, marks in ((2, "square", ("²", "2")), (3, "cubic", ("³", "3"))):
            for mark in marks:
                units.setdefault(length + mark, (f"{word} {singular}", f"{word} {plural}"))
            if power == 2:
                units.setdefault(f"sq {length}", (f"square {singular}", f"square {plural}"))
            else:
                units.setdefault(f"cu {length}", (f"cubic {singular}", f"cubic {plural}"))
    for form in [f for f in units if f.islower() and f.isalpha() and len(f) > 1]:
        for variant in (form.upper(), form.capitalize()):
            if variant not in units and variant not in postal:
                units[variant] = units[form]
    for form in section["not_alone"]:
        for variant in {form, form.upper(), form.capitalize()}:
            units.pop(variant, None)
    return units
