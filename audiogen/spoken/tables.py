"""Word lists for the English rules: months, currencies, units, titles, states.

Plain data, kept apart from the rules so that adding a unit or a currency is a one-line
change that needs no regular expression.
"""

from __future__ import annotations

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

#: written unit → (singular, plural); matched case-sensitively ("mm" is not "Mm")
UNITS: dict[str, tuple[str, str]] = {
    "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "mi": ("mile", "miles"), "ft": ("foot", "feet"),
    "yd": ("yard", "yards"), "nm": ("nanometer", "nanometers"),
    "sq ft": ("square foot", "square feet"), "sq m": ("square meter", "square meters"),
    "tsp": ("teaspoon", "teaspoons"), "tbsp": ("tablespoon", "tablespoons"),
    "km²": ("square kilometer", "square kilometers"), "m²": ("square meter", "square meters"),
    "sq km": ("square kilometer", "square kilometers"), "sq mi": ("square mile", "square miles"),
    "km2": ("square kilometer", "square kilometers"), "m2": ("square meter", "square meters"),
    "m³": ("cubic meter", "cubic meters"), "ha": ("hectare", "hectares"),
    "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"), "mg": ("milligram", "milligrams"),
    "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"),
    "t": ("tonne", "tonnes"), "kt": ("kiloton", "kilotons"), "Mt": ("megaton", "megatons"),
    "l": ("liter", "liters"), "L": ("liter", "liters"), "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"), "cc": ("cubic centimeter", "cubic centimeters"),
    "mph": ("mile per hour", "miles per hour"), "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"), "kmh": ("kilometer per hour", "kilometers per hour"),
    "m/s": ("meter per second", "meters per second"), "knots": ("knot", "knots"),
    "m/s²": ("meter per second squared", "meters per second squared"),
    "m/s2": ("meter per second squared", "meters per second squared"),
    "°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "ºC": ("degree Celsius", "degrees Celsius"), "ºF": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"), "º": ("degree", "degrees"),
    "h": ("hour", "hours"), "hr": ("hour", "hours"), "hrs": ("hour", "hours"),
    "min": ("minute", "minutes"), "mins": ("minute", "minutes"), "sec": ("second", "seconds"),
    "ms": ("millisecond", "milliseconds"),
    "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"), "GW": ("gigawatt", "gigawatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"), "MWh": ("megawatt hour", "megawatt hours"),
    "GWh": ("gigawatt hour", "gigawatt hours"), "TWh": ("terawatt hour", "terawatt hours"),
    "V": ("volt", "volts"), "kV": ("kilovolt", "kilovolts"), "W": ("watt", "watts"),
    "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"), "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"),
    "KB": ("kilobyte", "kilobytes"), "MB": ("megabyte", "megabytes"), "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"), "mbps": ("megabit per second", "megabits per second"),
    "Mbps": ("megabit per second", "megabits per second"), "Gbps": ("gigabit per second", "gigabits per second"),
    "kbps": ("kilobit per second", "kilobits per second"),
    "bpm": ("beat per minute", "beats per minute"), "mg/dL": ("milligram per deciliter", "milligrams per deciliter"),
}  # fmt: skip

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

STREETS = {
    "st": "Street", "street": "Street", "ave": "Avenue", "avenue": "Avenue", "rd": "Road",
    "road": "Road", "blvd": "Boulevard", "boulevard": "Boulevard", "expy": "Expressway",
    "expressway": "Expressway", "dr": "Drive", "drive": "Drive", "ln": "Lane", "lane": "Lane",
    "way": "Way", "ct": "Court", "court": "Court", "pl": "Place", "place": "Place",
    "hwy": "Highway", "highway": "Highway", "pkwy": "Parkway", "parkway": "Parkway",
}  # fmt: skip

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip

#: expanded only before a capitalised name ("Dr. Smith", not "the Dr.")
TITLES = {
    "Mr": "Mister", "Mrs": "Misses", "Ms": "Miz", "Dr": "Doctor", "Prof": "Professor",
    "Gen": "General", "Lt. Gen": "Lieutenant General", "Maj. Gen": "Major General",
    "Brig. Gen": "Brigadier General", "Lt. Col": "Lieutenant Colonel", "Col": "Colonel",
    "Lt": "Lieutenant", "Maj": "Major", "Capt": "Captain", "Sgt": "Sergeant", "Adm": "Admiral",
    "Cmdr": "Commander", "Sen": "Senator", "Rep": "Representative", "Gov": "Governor",
    "Pres": "President", "Rev": "Reverend", "St": "Saint", "Mt": "Mount", "Ft": "Fort",
    "Hon": "Honorable", "Supt": "Superintendent", "Insp": "Inspector", "Amb": "Ambassador",
}  # fmt: skip

#: always expanded (matched case-insensitively, with their periods)
ABBREVIATIONS = {
    "e.g.": "for example", "i.e.": "that is", "etc.": "et cetera", "vs.": "versus", "vs": "versus",
    "approx.": "approximately", "est.": "estimated", "dept.": "department", "govt.": "government",
    "int'l": "international",
}  # fmt: skip

SYMBOLS = {"&": "and", "+": "plus", "=": "equals", "§": "section", "@": "at", "°": "degrees", "#": "number"}
#: before a number: "~50" is about fifty
APPROXIMATE = {"~": "about", "≈": "approximately", "c.": "circa", "ca.": "circa"}
#: abbreviations that stand before a number ("Vol. 3", "pp. 3-7")
NUMBERED = {
    "vol": "volume",
    "ch": "chapter",
    "fig": "figure",
    "art": "article",
    "sec": "section",
    "p": "page",
    "pp": "pages",
}
COMPASS = {"N": "north", "S": "south", "E": "east", "W": "west"}
ADDRESS_SYMBOLS = {".": "dot", "/": "slash", "@": "at", ":": "colon", "_": "underscore", "-": "dash"}

#: a Roman numeral after these is a number ("World War II" = two), after a name a regnal
#: ordinal ("Henry VIII" = the eighth)
COUNTED_BEFORE_ROMAN = {
    "war", "chapter", "part", "act", "scene", "volume", "vol", "book", "phase", "stage", "type",
    "class", "category", "bowl", "article", "title", "section", "round", "apollo", "vatican",
    "episode", "season", "level", "grade", "schedule", "annex", "appendix", "psalm", "canto",
    "mark", "mk", "series", "generation", "tier", "group", "division", "league", "olympiad",
}  # fmt: skip
