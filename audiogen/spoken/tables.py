"""Word lists for the English rules: months, currencies, units, titles, states.

Plain data, kept apart from the rules so that adding a unit or a currency is a one-line
change that needs no regular expression.
"""

from __future__ import annotations

from audiogen.spoken.newswriting import newswriting

_NEWS = newswriting()

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTHS = {name[:3].lower(): name for name in MONTH_NAMES}
DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}

#: symbol or ISO code → (singular, plural, (cent singular, cent plural) or None)
CURRENCIES: dict[str, tuple[str, str, tuple[str, str] | None]] = {
    "$": ("dollar", "dollars", ("cent", "cents")),
    "US$": ("US dollar", "US dollars", ("cent", "cents")),
    "C$": ("Canadian dollar", "Canadian dollars", ("cent", "cents")),
    "A$": ("Australian dollar", "Australian dollars", ("cent", "cents")),
    "€": ("euro", "euros", ("cent", "cents")),
    "£": ("pound", "pounds", ("penny", "pence")),
    "¥": ("yen", "yen", None),
    "₩": ("won", "won", None),
    "₹": ("rupee", "rupees", ("paisa", "paise")),
    "₴": ("hryvnia", "hryvnias", ("kopiyka", "kopiyky")),
    "₽": ("ruble", "rubles", ("kopek", "kopeks")),
    "₺": ("lira", "lira", ("kurus", "kurus")),
    "₪": ("shekel", "shekels", ("agora", "agorot")),
    "USD": ("dollar", "dollars", ("cent", "cents")),
    "EUR": ("euro", "euros", ("cent", "cents")),
    "GBP": ("pound", "pounds", ("penny", "pence")),
    "JPY": ("yen", "yen", None),
    "CNY": ("yuan", "yuan", None),
    "UAH": ("hryvnia", "hryvnias", ("kopiyka", "kopiyky")),
    "CHF": ("Swiss franc", "Swiss francs", ("centime", "centimes")),
}

SCALES = {
    "thousand": "thousand", "k": "thousand", "million": "million", "m": "million",
    "mn": "million", "mln": "million", "billion": "billion", "b": "billion", "bn": "billion",
    "trillion": "trillion", "tn": "trillion", "t": "trillion",
    "crore": "crore", "crores": "crore", "lakh": "lakh", "lakhs": "lakh",
    "bln": "billion", "trn": "trillion",
}  # fmt: skip

#: written unit → (singular, plural); matched case-sensitively ("mm" is not "Mm"), every
#: SI prefix and power generated from the newswriting lexicon
UNITS: dict[str, tuple[str, str]] = _NEWS.units
#: plural nouns after "2m" that say meters, not million ("the 100m finals")
METER_EVENTS = frozenset({"finals", "heats", "hurdles", "races", "laps", "lengths", "dashes", "sprints", "relays"})

#: what follows "/" after an amount: "$10/wk" → "ten dollars per week"
PER_PERIODS = {
    "d": "day", "day": "day", "wk": "week", "week": "week", "w": "week", "mo": "month",
    "month": "month", "yr": "year", "year": "year", "y": "year", "hr": "hour", "h": "hour",
    "hour": "hour", "min": "minute", "s": "second", "sec": "second", "person": "person", "head": "head", "capita": "capita",
    "share": "share", "barrel": "barrel", "bbl": "barrel", "ton": "ton", "tonne": "tonne", "unit": "unit",
}  # fmt: skip

VULGAR_FRACTIONS = {
    "½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5),
    "⅗": (3, 5), "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅛": (1, 8), "⅜": (3, 8), "⅝": (5, 8), "⅞": (7, 8),
}  # fmt: skip

#: street designators (lower case) → the word
STREETS = {form.lower(): word for form, word in _NEWS.streets.items()}

#: postal codes (the AP forms, "Calif.", are read by the newswriting rules)
STATES = _NEWS.states_postal

#: expanded only before a capitalised name ("Dr. Smith", not "the Dr.")
TITLES = _NEWS.titles


SYMBOLS = {
    "&": "and",
    "+": "plus",
    "=": "equals",
    "§": "section",
    "@": "at",
    "°": "degrees",
    "#": "number",
    "±": "plus or minus",
}
#: before a number: "~50" is about fifty
APPROXIMATE = {"~": "about", "≈": "approximately", "c.": "circa", "ca.": "circa"}
COMPASS = {"N": "north", "S": "south", "E": "east", "W": "west"}
ADDRESS_SYMBOLS = {".": "dot", "/": "slash", "@": "at", ":": "colon", "_": "underscore", "-": "dash"}

#: a Roman numeral after these is a number ("World War II" = two), after a name a regnal
#: ordinal ("Henry VIII" = the eighth)
COUNTED_BEFORE_ROMAN = {
    "war", "chapter", "part", "act", "scene", "volume", "vol", "book", "phase", "stage", "type",
    "class", "category", "bowl", "article", "title", "section", "round", "apollo", "vatican",
    "episode", "season", "level", "grade", "schedule", "annex", "appendix", "psalm", "canto",
    "mark", "mk", "series", "generation", "tier", "group", "division", "league", "olympiad",
    "artemis", "gemini", "voyager", "pioneer", "soyuz", "vostok", "skylab", "mariner", "rocky",
}  # fmt: skip
