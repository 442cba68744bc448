"""English written → spoken: the rules a newsreader applies without thinking.

Each rule is a regular expression and a function that returns the spoken words for a
match. Rules run in order, most specific first (a URL before a phone number before a
date before a bare number), and every rule replaces the digits it reads, so a later,
more general rule never reads the same text twice. Number words come from num2words
(via ``numbers``); what is written here is only the recognising, which no library does
for news text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from audiogen.spoken import tables
from audiogen.spoken.addresses import address_rules
from audiogen.spoken.gates import Gate, gates_for, passes
from audiogen.spoken.newswriting import newswriting
from audiogen.spoken.numbers import cardinal, decimal, digits, fraction, ordinal, plural, year
from audiogen.spoken.phones import PHONE_SHAPE, read_phone_numbers
from audiogen.spoken.sentences import SENTENCE_STARTERS, ends_sentence

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


@dataclass(frozen=True)
class Settings:
    #: how to read numeric dates such as 03/04/2025: "us" (month first) or "day-first"
    date_order: str = "us"


# -- shared pieces ----------------------------------------------------------------

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
ORD_SUFFIX = r"(?:st|nd|rd|th)"


def month_name(text: str) -> str:
    key = text.rstrip(".").lower()[:3]
    return tables.MONTHS[key]


def _day(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _year_words(text: str) -> str:
    """A written year, four digits or an abbreviated two ("'98", "05")."""
    text = text.lstrip("'\u2019")
    if len(text) == 2:
        return "oh " + cardinal(int(text)) if text.startswith("0") else cardinal(int(text))
    return year(int(text))


def _valid_date(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= tables.DAYS_IN_MONTH[month]


def _date_words(month: int, day: int, year_text: str | None, day_first: bool = False) -> str:
    name = tables.MONTH_NAMES[month - 1]
    spoken = f"the {ordinal(day)} of {name}" if day_first else f"{name} {ordinal(day)}"
    return f"{spoken} {_year_words(year_text)}" if year_text else spoken


# -- the rules --------------------------------------------------------------------


def _url(m: re.Match[str]) -> str:
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


def _email(m: re.Match[str]) -> str:
    return _spell_address(m.group(0))


def _handle(m: re.Match[str]) -> str:
    return f"{m.group(1)}at {m.group(2)}"


def _hashtag(m: re.Match[str]) -> str:
    return f"{m.group(1)}hashtag {m.group(2)}"


def _phone(m: re.Match[str]) -> str:
    groups = re.findall(r"\d+", m.group("number"))
    spoken = ", ".join(digits(g) for g in groups)
    if m.group("country"):
        spoken = f"plus {digits(m.group('country'))}, {spoken}"
    return spoken


def _ip(m: re.Match[str]) -> str:
    return " dot ".join(digits(g) for g in m.group(0).split("."))


def _iso_date(m: re.Match[str]) -> str:
    y, mo, d = m.group(1), int(m.group(2)), int(m.group(3))
    if not _valid_date(mo, d):
        return m.group(0).replace("-", " ")
    return _date_words(mo, d, y)


def _numeric_date(settings: Settings) -> Callable[[re.Match[str]], str]:
    def read(m: re.Match[str]) -> str:
        a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
        month, day, day_first = (b, a, True) if settings.date_order == "day-first" or a > 12 else (a, b, False)
        if not _valid_date(month, day):
            return " ".join(digits(g) for g in (m.group(1), m.group(2), y))
        return _date_words(month, day, y, day_first=day_first)

    return read


def _month_day(m: re.Match[str]) -> str:
    month = tables.MONTH_NAMES.index(month_name(m.group("month"))) + 1
    day = _day(m.group("day"))
    if not _valid_date(month, day):
        return m.group(0)
    return _date_words(month, day, m.group("year"))


def _day_month(m: re.Match[str]) -> str:
    month = tables.MONTH_NAMES.index(month_name(m.group("month"))) + 1
    day = _day(m.group("day"))
    if not _valid_date(month, day):
        return m.group(0)
    return _date_words(month, day, m.group("year"), day_first=True)


def _month_year(m: re.Match[str]) -> str:
    return f"{month_name(m.group(1))} {_year_words(m.group(2))}"


def _quarter(m: re.Match[str]) -> str:
    return f"the {ordinal(int(m.group(1)))} quarter of {_year_words(m.group(2))}"


def _era(m: re.Match[str]) -> str:
    era = m.group(2).replace(".", "").upper()
    return f"{year(int(m.group(1)))} {era}"


def _decade(m: re.Match[str]) -> str:
    text = m.group(1).removesuffix("s")
    if text.startswith(("'", "\u2019")):
        return plural(cardinal(int(text[1:])))
    number = int(text)
    return plural(year(number) if number >= 1000 else cardinal(number))


def _time(m: re.Match[str]) -> str:
    hours, minutes, seconds = int(m.group("h")), m.group("m"), m.group("s")
    half = (m.group("ampm") or "").replace(".", "").replace(" ", "").upper()
    zone = m.group("zone")
    zone = " " + zone.replace(".", "").upper() if zone else ""
    if seconds is not None:
        parts = [_unit_count(hours, "hour"), _unit_count(int(minutes), "minute")]
        spoken = f"{' '.join(parts)} and {_unit_count(int(seconds), 'second')}"
        return f"{spoken} {half}".strip() + zone
    if minutes is None or int(minutes) == 0:
        if half:
            spoken = cardinal(hours)
        elif hours == 12 and minutes is not None:
            spoken = "twelve o'clock"
        else:
            spoken = f"{cardinal(hours)} hundred" if hours > 12 or hours == 0 else f"{cardinal(hours)} o'clock"
    else:
        mins = int(minutes)
        spoken = f"{cardinal(hours)} {'oh ' if mins < 10 else ''}{cardinal(mins)}"
    return f"{spoken} {half}".strip() + zone


def _counted(number: int, forms: tuple[str, str]) -> str:
    return f"{cardinal(number)} {forms[0] if number == 1 else forms[1]}"


def _unit_count(number: int, unit: str) -> str:
    return f"{cardinal(number)} {unit}{'' if number == 1 else 's'}"


def _money(m: re.Match[str]) -> str:
    symbol = m.group("symbol") or ""
    code = m.group("code") or ""
    singular, plural_name, cent = tables.CURRENCIES[(symbol or code).upper()]
    if _describes_next_word(m):
        # "a $2.3tn economy", "the $4.5 billion plan": the amount describes the noun
        # after it, so "a ... dollar economy"
        plural_name = singular
    return _amount(m.group("amount"), m.group("scale"), singular, plural_name, cent)


_DETERMINER_BEFORE = re.compile(
    r"(?:^|\s)(?:an?|the|its|his|her|their|our|this|that|[A-Za-z]+['\u2019]s)\s$", re.IGNORECASE
)
_NEXT_WORD = re.compile(r"\s+([a-z]+)\b")
#: words after an amount that show it is not describing a noun ("$5 million in aid")
_NOT_A_NOUN = frozenset(
    """
    in of to for and or but nor from on at by with over under into onto than as per each apiece annually
    a an the this that these those its their his her our was were is are be been being will would could can
    should may might must has have had do does did more less last next plus minus worth so if when while
    since after before during through until toward towards against between among about around within
    without across rose fell jumped dropped climbed slipped gained lost raised paid spent went came said
    remains stands goes comes will also already alone left total overall apiece up down off out back
    """.split()
)


def _describes_next_word(m: re.Match[str]) -> bool:
    """Whether an amount is used as an adjective: followed by a noun (not a preposition,
    a verb or an adverb); a word in -ing counts as a noun only after a determiner ("a $5
    million building", not "spent $5 million building it")."""
    following = _NEXT_WORD.match(m.string, m.end())
    if following is None:
        return False
    word = following.group(1)
    if word in _NOT_A_NOUN or word.endswith(("ly", "ed")):
        return False
    return not word.endswith("ing") or bool(_DETERMINER_BEFORE.search(m.string, 0, m.start()))


def _amount(amount: str, scale: str | None, singular: str, plural_name: str, cent: tuple[str, str] | None) -> str:
    amount = amount.replace(",", "")
    if scale:
        return f"{decimal(amount)} {tables.SCALES[scale.lower()]} {plural_name}"
    whole, _, frac = amount.partition(".")
    units = int(whole or "0")
    frac_digits = frac.rstrip("0") if len(frac) > 2 else frac
    if frac and len(frac_digits) > 2:
        return f"{decimal(amount)} {plural_name}"
    cents = int((frac_digits + "00")[:2]) if frac else 0
    parts = []
    if units or not cents:
        parts.append(f"{cardinal(units)} {singular if units == 1 else plural_name}")
    if cents:
        if cent is None:
            return f"{decimal(amount)} {plural_name}"
        parts.append(f"{cardinal(cents)} {cent[0] if cents == 1 else cent[1]}")
    return " ".join(parts)


def _money_span(m: re.Match[str]) -> str:
    """ "$5-10 million" → "five to ten million dollars": the currency written once."""
    singular, plural_name, cent = tables.CURRENCIES[(m.group("symbol") or m.group("code") or "").upper()]
    low, high, scale = m.group("low"), m.group("amount"), m.group("scale")
    if scale or ("." not in low and "." not in high):
        return f"{decimal(low)} to {_amount(high, scale, singular, plural_name, cent)}"
    return f"{_amount(low, None, singular, plural_name, cent)} to {_amount(high, None, singular, plural_name, cent)}"


def _million_or_meters(m: re.Match[str]) -> str:
    """ "1.5m people" is a million and a half; "the 100m finals" are run over meters."""
    following = m.string[m.end() :].split(None, 1)[0].strip(",.;:").lower()
    if following in tables.METER_EVENTS:
        return f"{decimal(m.group(1))} meter"
    return f"{decimal(m.group(1))} million"


def _season(m: re.Match[str]) -> str:
    """ "2023/24": a season or fiscal year, when the second year follows the first."""
    first, second = m.group(1), m.group(2)
    if (int(first[2:]) + 1) % 100 != int(second):
        return m.group(0)
    return _year_range(m)


def _money_range(m: re.Match[str]) -> str:
    return f"{_money_text(m.group(1))} to {_money_text(m.group(2))}"


def _money_pattern() -> str:
    """An amount of money: a currency code or sign, the number, and a scale ("$1.2 bn")."""
    scales = "|".join(sorted(tables.SCALES, key=len, reverse=True))
    symbols = "|".join(re.escape(s) for s in tables.CURRENCIES if not s.isalpha())
    codes = "|".join(s for s in tables.CURRENCIES if s.isalpha())
    return (
        rf"(?:(?P<code>\b(?:{codes}))\s?|(?P<symbol>{symbols})\s?)(?P<amount>{NUM})"
        rf"(?:\s?(?P<scale>(?:{scales}))\b)?"
    )


_MONEY_RE = re.compile(_money_pattern(), re.IGNORECASE)


def _money_text(text: str) -> str:
    return _MONEY_RE.sub(_money, text)


def _measure(m: re.Match[str]) -> str:
    number = m.group("num")
    unit = m.group("unit")
    singular, plural_name = tables.UNITS[unit] if unit in tables.UNITS else tables.UNITS[unit.lower()]
    value = number.replace(",", "")
    one = value in ("1", "1.0") and not m.group("scale")
    scale = f" {tables.SCALES[m.group('scale').lower()]}" if m.group("scale") else ""
    per = m.group("per")
    stop = "." if m.groupdict().get("dot") and not m.string[m.end() :].strip() else ""
    if m.groupdict().get("sep") == "-" and not scale and not per:
        return f"{decimal(number)}-{singular}{stop}"  # "a 5-kg bag": a five-kilogram bag
    spoken = f"{decimal(number)}{scale} {singular if one else plural_name}"
    if per:
        per_singular = tables.PER_PERIODS.get(per) or tables.UNITS.get(per, (per, per))[0]
        spoken += f" per {per_singular}"
    return spoken + stop


def _percent(m: re.Match[str]) -> str:
    return f"{decimal(m.group(1))} percent"


def _percent_range(m: re.Match[str]) -> str:
    return f"{decimal(m.group(1))} to {decimal(m.group(2))} percent"


def _score(m: re.Match[str]) -> str:
    return f"{m.group(1)}{cardinal(int(m.group(2)))} to {cardinal(int(m.group(3)))}"


#: one side of a score or a vote ("5–4", "218-214"): whole, short, no leading zero
_SCORE_SIDE = re.compile(r"0|[1-9]\d{0,2}")


def _number_range(m: re.Match[str]) -> str:
    """ "2-10" is a range and "5–4" a score or a vote: both read "to"."""
    left, right = m.group(1), m.group(2)
    a, b = float(left.replace(",", "")), float(right.replace(",", ""))
    if a == b:  # "a 50-50 chance"
        return f"{_number_words(left)}-{_number_words(right)}"
    if b <= a and not (_SCORE_SIDE.fullmatch(left) and _SCORE_SIDE.fullmatch(right)):
        # not a range or a score: an identifier such as 978-0123
        return f"{_number_words(left)}, {_number_words(right)}"
    return f"{_number_words(left)} to {_number_words(right)}"


def _year_range(m: re.Match[str]) -> str:
    start, end = m.group(1), m.group(2)
    if len(end) == 2:  # 1960-80
        end_words = cardinal(int(end)) if not end.startswith("0") else "oh " + cardinal(int(end))
    else:
        end_words = year(int(end))
    return f"{year(int(start))} to {end_words}"


def _decade_range(m: re.Match[str]) -> str:
    return f"{_decade(m)} to {plural(year(int(m.group(2))))}"


def _number_words(text: str) -> str:
    clean = text.replace(",", "")
    if re.fullmatch(r"\d{4}", clean) and "," not in text and 1100 <= int(clean) <= 2099:
        return year(int(clean))
    return decimal(text)


def _fraction(m: re.Match[str]) -> str:
    spoken = _mixed(m.group("whole"), int(m.group("num")), int(m.group("den")))
    unit = m.groupdict().get("unit")
    if unit:
        spoken += " " + tables.UNITS[unit][0 if spoken in ("one half", "one quarter") else 1]
    return spoken


def _mixed(whole: str | None, numerator: int, denominator: int) -> str:
    """ "2 1/2" → "two and a half"; "3 2/4" → "three and two quarters"."""
    spoken = fraction(numerator, denominator)
    if not whole:
        return spoken
    if numerator == 1 and denominator in (2, 4):
        spoken = "a " + spoken.split()[1]
    return f"{cardinal(int(whole))} and {spoken}"


def _vulgar(m: re.Match[str]) -> str:
    numerator, denominator = tables.VULGAR_FRACTIONS[m.group("frac")]
    return _mixed(m.group("whole"), numerator, denominator)


def _ordinal(m: re.Match[str]) -> str:
    return ordinal(int(m.group(1).replace(",", "")))


def _house_number(m: re.Match[str]) -> str:
    """ "1428 Elm St." → "fourteen twenty-eight Elm Street" (house numbers read in pairs)."""
    suffix = tables.STREETS[m.group("suffix").lower()]
    period = "." if m.group("period") and _ends_sentence(m) else ""
    return f"{year(int(m.group('number')))} {m.group('street')}{suffix}{period}"


def _ends_sentence(m: re.Match[str]) -> bool:
    """Whether the period a rule just read also ends its sentence: nothing follows, or a
    word that opens sentences ("St. It was …"), not a name or a quadrant ("Ave. NW")."""
    rest = m.string[m.end() :]
    if not rest.strip():
        return True
    following = re.match(r"\s+([\"'“‘]|[A-Z][\w'’]*)", rest)
    return following is not None and (following.group(1) in SENTENCE_STARTERS or not following.group(1)[0].isalpha())


def _state(m: re.Match[str]) -> str:
    zip_code = m.group(3)
    spoken = f"{m.group(1)}{tables.STATES[m.group(2)]}"
    return f"{spoken} {digits(zip_code)}" if zip_code else spoken


def _plain_year(m: re.Match[str]) -> str:
    return year(int(m.group(0)))


def _number(m: re.Match[str]) -> str:
    return decimal(m.group(0))


def _minus(m: re.Match[str]) -> str:
    return f"{m.group(1)}minus {decimal(m.group(2))}"


def _roman(m: re.Match[str]) -> str:
    before, numeral = m.group(1), m.group(2)
    value = roman_value(numeral)
    if value is None:
        return m.group(0)
    last_word = before.split()[-1].rstrip(".").lower()
    if last_word in tables.COUNTED_BEFORE_ROMAN:
        return f"{before} {cardinal(value)}"
    return f"{before} the {ordinal(value)}"


#: what is numbered by a roman numeral in any case ("chapter iv", "PART II")
_NUMBERED_PARTS = (
    "part chapter volume vol. vol act phase book section article stage level round season episode canto psalm"
    " appendix annex schedule title"
).split()


def _any_case(words: Iterable[str]) -> list[str]:
    """Each word as written in running text, at a sentence's start and in a headline."""
    return [form for word in words for form in (word, word.capitalize(), word.upper())]


def _numbered_roman(m: re.Match[str]) -> str:
    """ "Part II", "chapter iv", "PHASE III": what a part is numbered by, in any case
    ("in part I think" is no part one: a lone I after a lower-case word stays)."""
    word, numeral = m.group("word"), m.group("numeral")
    value = roman_value(numeral.upper())
    if value is None or (numeral in ("I", "i") and word[0].islower()):
        return m.group(0)
    if word.lower().rstrip(".") == "vol":
        word = "Volume" if word[0].isupper() else "volume"
    return f"{word} {cardinal(value)}"


def _name_initial(m: re.Match[str]) -> str:
    following = re.match(r"(?:[A-Z]\.\s)*([A-Z][\w'\u2019]*)", m.string[m.end() :])
    if following and following.group(1) in SENTENCE_STARTERS:  # "Plan B. The report": a stop
        return m.group(0)
    return m.group(1) + " "


_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ROMAN_FORM = re.compile(r"^C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")


def roman_value(numeral: str) -> int | None:
    if not numeral or not _ROMAN_FORM.match(numeral):
        return None
    total = 0
    for index, char in enumerate(numeral):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total or None


_NUMBER_WORD_BEFORE = re.compile(
    r"(?:\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|oh|hundred|o'clock)|teen|ty)\s$"
)


def _prime_minister(m: re.Match[str]) -> str:
    """ "PM Keir Starmer"; "ten PM Eastern" is a time."""
    return m.group(0) if _NUMBER_WORD_BEFORE.search(m.string, 0, m.start()) else "Prime Minister"


def _title(m: re.Match[str]) -> str:
    return tables.TITLES[m.group(1)]


def _initialism(m: re.Match[str]) -> str:
    """ "U.S." → "US" (spelled out for the voice later; see ``lexicon``)."""
    letters = m.group(1).replace(".", "").upper()
    # Text reaches here a sentence at a time: only a final period ends the sentence.
    return letters + ("." if m.group(1).endswith(".") and not m.string[m.end() :].strip() else "")


def _toll_free(m: re.Match[str]) -> str:
    parts = [p for p in re.split(r"[-.\s]", m.group(2)) if p]
    rest = ""
    for part in parts:  # a pause after each group of digits, as a number is dictated
        rest += f"{digits(part)}, " if part.isdigit() else f"{part} "
    prefix = "eight hundred" if m.group(1) == "800" else digits(m.group(1))  # "1-888" is one eight eight eight
    return f"one, {prefix}, {rest.rstrip(', ')}"


def _per_period(m: re.Match[str]) -> str:
    return f"{m.group(1)} per {tables.PER_PERIODS[m.group(2).lower()]}"


def _range_to(m: re.Match[str]) -> str:
    return f"{m.group(1)} to {m.group(2)}"


def _split_letters_digits(m: re.Match[str]) -> str:
    return f"{m.group(1)} {m.group(2)}"


def _number_sign(m: re.Match[str]) -> str:
    return "number "


def _symbol(m: re.Match[str]) -> str:
    return f" {tables.SYMBOLS[m.group(0)]} "


def _times(m: re.Match[str]) -> str:
    return f"{decimal(m.group(1))} x"  # "a 4.4x return", as analysts say it


def _dimension(m: re.Match[str]) -> str:
    return f"{decimal(m.group(1))} by {decimal(m.group(2))}"


def _word_number(m: re.Match[str]) -> str:
    return f"{m.group(1)} {decimal(m.group(2))}"


_NEWS = newswriting()


def _keep_stop(m: re.Match[str]) -> str:
    """The full stop an abbreviation shared with the end of its sentence, decided as the
    sentence splitter decides it (``sentences.ends_sentence``)."""
    written = m.group(0)
    if not written.endswith("."):
        return ""
    rest = m.string[m.end() :].split(None, 1)
    if not rest:
        return "."
    word = written.split()[-1].rstrip(".").lstrip("(\"'\u201c")
    verdict = ends_sentence(word, rest[0])
    return "." if (verdict if verdict is not None else _ends_sentence(m)) else ""


def _lookup(table: dict[str, str], form: str) -> str:
    """``form`` as written, else with its first letter lowered or raised ("Approx.")."""
    for key in (form, form[:1].lower() + form[1:], form[:1].upper() + form[1:], form.upper()):
        if key in table:
            return table[key]
    raise KeyError(form)


def _alternation(forms: object) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))  # type: ignore[call-overload]


def _party_tag(m: re.Match[str]) -> str:
    """ "D-N.Y." → "Democrat of New York", "R-Ariz." → "Republican of Arizona"."""
    state = m.group("state").rstrip(".")
    name = _NEWS.states_postal.get(state) or _NEWS.states_ap.get(state) or state
    return f"{_NEWS.parties[m.group('party')]} of {name}"


def _ap_state(m: re.Match[str]) -> str:
    return _lead(m) + _NEWS.states_ap[m.group("state")] + _keep_stop(m)


def _weekday(m: re.Match[str]) -> str:
    return _lead(m) + _NEWS.weekdays[m.group("day").capitalize()] + _keep_stop(m)


def _lead(m: re.Match[str]) -> str:
    """The context a rule matched before the abbreviation it reads, given back."""
    return (m.groupdict().get("lead") or "") if "lead" in m.re.groupindex else ""


def _month_alone(m: re.Match[str]) -> str:
    return _NEWS.months[m.group(1)] + _keep_stop(m)


def _month_days(m: re.Match[str]) -> str:
    """ "Aug. 1–15" → "August first to fifteenth"."""
    month = tables.MONTH_NAMES.index(month_name(m.group("month"))) + 1
    first, last = int(m.group("day")), int(m.group("day2"))
    if not (_valid_date(month, first) and _valid_date(month, last)) or last <= first:
        return m.group(0)
    return f"{tables.MONTH_NAMES[month - 1]} {ordinal(first)} to {ordinal(last)}"


def _after_name(m: re.Match[str]) -> str:
    return f"{m.group(1)}{_NEWS.after_names[m.group(2)]}{_keep_stop(m)}"


def _degree(m: re.Match[str]) -> str:
    return _NEWS.degrees[m.group(1)] + _keep_stop(m)


def _organization(m: re.Match[str]) -> str:
    written = m.group(1)
    spoken = _NEWS.organizations.get(written) or _NEWS.organizations[written.capitalize()].lower()
    return spoken + _keep_stop(m)


def _street_after_name(m: re.Match[str]) -> str:
    return f"{m.group(1)}{_NEWS.streets[m.group(2)]}"


def _general(m: re.Match[str]) -> str:
    spoken = _lookup(_NEWS.general, m.group(1))
    if m.group(1) not in _NEWS.general and spoken[0].islower():
        spoken = spoken[0].upper() + spoken[1:]  # "Approx. 3/4 of …" opens its sentence
    return spoken + _keep_stop(m)


def _compass(m: re.Match[str]) -> str:
    return _NEWS.compass[m.group(1)]


def _numbered(m: re.Match[str]) -> str:
    return _lookup(_NEWS.numbered, m.group(1)) + " "


def _in_pairs(m: re.Match[str]) -> str:
    """ "Room 2141" → "Room twenty-one forty-one"; "Suite 1200" → "Suite twelve hundred"."""
    return f"{m.group(1)} {year(int(m.group(2)))}"


def _inches(m: re.Match[str]) -> str:
    low = f"{decimal(m.group('low'))} to " if m.group("low") else ""
    if m.group(3) == "-":  # "a 6.1-in. display": a six point one-inch display
        return f"{low}{decimal(m.group(2))}-inch"
    return low + _counted_decimal(m.group(2), ("inch", "inches"))


def _counted_decimal(number: str, forms: tuple[str, str]) -> str:
    return f"{decimal(number)} {forms[0] if number in ('1', '1.0') else forms[1]}"


def _magnitude(m: re.Match[str]) -> str:
    return f"magnitude {decimal(m.group(1))}"


def _quarter_alone(m: re.Match[str]) -> str:
    before = m.group(1) or ""
    the = "the " if before and before.strip().lower() in _PREPOSITIONS else ""
    return f"{before}{the}{ordinal(int(m.group(2)))} quarter"


def _either_first_letter(forms: Iterable[str]) -> list[str]:
    """Each form as written and with its first letter capitalised (it may open a sentence)."""
    out: list[str] = []
    for form in forms:
        out.append(form)
        if form[:1].islower() and len(form) > 1:  # "V." is an initial, not "versus"
            out.append(form[:1].upper() + form[1:])
    return out


#: states written in full in a party tag ("R-Ohio")
_FULL_STATE_TAGS = ("Ohio", "Texas", "Utah", "Iowa", "Idaho", "Maine", "Alaska", "Hawaii", "Guam")
#: organizations read only with their period: without it they are words or names
_ORGANIZATIONS_NEED_STOP = frozenset(
    {"Co", "Cos", "Comm", "Div", "Dist", "Admin", "Dem", "Dems", "Acad", "Inst", "Cong", "Hosp", "Rte", "Assoc", "Fed"}
)
#: lower-case abbreviations also read without their period
_GENERAL_BARE = frozenset({"vs", "etc", "aka"})

_PREPOSITIONS = frozenset(
    {"in", "during", "for", "of", "by", "from", "to", "since", "through", "until", "before", "after", "into", "over"}
)


def _out_of(m: re.Match[str]) -> str:
    return f"{cardinal(int(m.group(1)))} out of {cardinal(int(m.group(2)))}"


def _short_code(m: re.Match[str]) -> str:
    return f"{m.group(1)}{digits(m.group(2))}"


def _slash_words(m: re.Match[str]) -> str:
    left, right = m.group(1), m.group(2)
    if right == "or":  # "and/or"
        return f"{left} or"
    joiner = "or" if left.islower() and right.islower() else "slash"
    return f"{left} {joiner} {right}"


def _space_grouped(m: re.Match[str]) -> str:
    """ "1 000 000" is a million; "10 12" two numbers. Groups of three digits are one
    number when there are two or more of them, or one starts with a zero."""
    groups = m.group(0).split(" ")
    if len(groups) > 2 or any(g.startswith("0") for g in groups[1:]):
        return "".join(groups)
    return m.group(0)


#: unit abbreviations that are also words ("a ha moment", "a cal graduate")
_UNIT_WORDS = frozenset({"ha", "cal", "in", "st", "ac", "am", "min", "sec", "mo", "pt", "yo", "kn", "pa", "mt", "ft"})


def _a_unit(m: re.Match[str]) -> str:
    """ "$82 a bbl." → "a barrel"; "$4 per lb." → "per pound"."""
    return f"{m.group(1)} {tables.UNITS[m.group(2)][0]}"


_SCALE_LETTERS = {"K": "thousand", "M": "million", "B": "billion"}
#: "a 5K run" is five kilometers, said "five K"
_RACES = re.compile(r"\s+(?:runs?|races?|walks?|fun\s+run|course)\b")


def _scaled(m: re.Match[str]) -> str:
    """ "15K runners" → "fifteen thousand runners"; "127.7M viewers"."""
    if m.group(2) == "K" and _RACES.match(m.string, m.end()):
        return m.group(0)
    return f"{decimal(m.group(1))} {_SCALE_LETTERS[m.group(2)]}"


def _percent_both(m: re.Match[str]) -> str:
    return f"{decimal(m.group(1))} to {decimal(m.group(2))} percent"


def build_rules(settings: Settings) -> list[Rule]:
    units = "|".join(sorted((re.escape(u) for u in tables.UNITS), key=len, reverse=True))
    scales = "|".join(sorted(tables.SCALES, key=len, reverse=True))
    symbols = "|".join(re.escape(s) for s in tables.CURRENCIES if not s.isalpha())
    codes = "|".join(s for s in tables.CURRENCIES if s.isalpha())
    money = _money_pattern()
    money_plain = (
        money.replace("?P<code>", "?:")
        .replace("?P<symbol>", "?:")
        .replace("?P<amount>", "?:")
        .replace("?P<scale>", "?:")
    )
    flags = re.IGNORECASE
    news = _NEWS
    months_dotted = _alternation(news.months)
    weekdays_sure = _alternation(d for d in news.weekdays if d not in ("Sat", "Sun"))
    weekdays_all = _alternation(news.weekdays)
    states_ap = _alternation(news.states_ap)
    states_sure = _alternation(s for s in news.states_ap if s not in news.states_ambiguous and s != "D.C")
    states_any = _alternation([*news.states_ap, *news.states_postal, *_FULL_STATE_TAGS])
    titles = _alternation(news.titles)
    streets = _alternation(f for f in news.streets if f[0].isupper() and len(f) < 5)
    organizations = _alternation([*news.organizations, *(o.lower() for o in news.organizations if len(o) > 2)])
    organizations_bare = _alternation(o for o in news.organizations if o not in _ORGANIZATIONS_NEED_STOP)
    general_words = [f for f in news.general if f.isalpha() and f.islower()]
    general_stop = _alternation(_either_first_letter(f for f in general_words if f not in _GENERAL_BARE))
    general_bare = _alternation(
        _either_first_letter(f for f in news.general if f not in general_words or f in _GENERAL_BARE)
    )
    numbered = _alternation(news.numbered)
    compass = _alternation(news.compass)
    starters = f"(?:{_alternation(SENTENCE_STARTERS)})"
    # a unit, an optional "/unit" ("km/h", "$/mo."), and its period when the sentence goes on
    unit_tail = (
        rf"(?P<unit>{units})(?:\.?/(?P<per>{units}|[a-z]+)\.?)?"
        rf"(?P<dot>(?<=[a-z])\.(?=\s+(?!{starters}\b)|[,;:)]|$))?(?![\w\u00b2\u00b3])"
    )
    units_after_a = _alternation(
        u for u in tables.UNITS if len(u) > 1 and u.replace(" ", "").isalpha() and u.lower() not in _UNIT_WORDS
    )
    b = r"(?<![\w.,/])"  # a number starts here
    e = r"(?![\w]|[.,]\d)"  # and ends here
    return [
        # symbols that decorate rather than say anything: rules, bullets, brackets
        (re.compile(r"[_*|~=<>#^\\-]{2,}|(?<!\w)[*|^\\]+|[*|^\\]+(?!\w)|(?<=\s)[<>](?=\s)"), lambda m: " "),
        (re.compile(r"<([^<>\d]{1,80})>"), lambda m: m.group(1)),
        # addresses a listener would not follow digit by digit
        (re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]", flags), _url),
        (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), _email),
        (re.compile(r"(^|\s)@(\w{1,30})\b"), _handle),
        (re.compile(r"(^|\s)#([A-Za-z]\w*)"), _hashtag),
        (re.compile(rf"{b}(\d{{1,3}}\.\d{{1,3}}\.\d{{1,3}}\.\d{{1,3}}){e}"), _ip),
        # addresses and telephone numbers written outside AP style
        *address_rules(),
        (
            re.compile(r"(?<![\w+])\+(?P<country>\d{1,3})(?P<number>(?:[\s.-]\(?\d{1,4}\)?){2,5})(?![\d.,]\d)"),
            _phone,
        ),
        (
            re.compile(r"(?<![\w+])1[-.\s](800|888|877|866|855|844|833)[-.\s]((?:[A-Z0-9]+[-.]?){2,}[A-Z0-9]*)\b"),
            _toll_free,
        ),
        (
            re.compile(
                rf"(?:(?<![\w+])\+(?P<country>\d{{1,3}})[\s.-]?)?(?P<number>(?:\(\d{{3}}\)\s?|{b}\d{{3}}[-.])\d{{3}}[-.]\d{{4}}(?:-\d{{1,4}})?|{b}\d{{3}}-\d{{2}}-\d{{4}}){e}"
            ),
            _phone,
        ),
        (PHONE_SHAPE, lambda m: read_phone_numbers(m.group(0))),
        # thousands grouped by spaces, as SI style writes them ("1 000 000", "5 000")
        (re.compile(r"(?<![\w.,])\d{1,3}(?: \d{3})+(?![\w]|[.,]\d| \d)"), _space_grouped),
        (re.compile(r"\b(sq|cu)\.\s?(?=(?:ft|in|yd|mi|km|m)\b)"), lambda m: f"{m.group(1)} "),
        (
            re.compile(
                rf"(?<![\w.])({_alternation(f for f in news.general if any(c.isdigit() or c == '/' for c in f))})(?![\w(/])"
            ),
            _general,
        ),
        (re.compile(r"(\b(?:text|texting|call|dial|send)\s+(?:[A-Z]+\s+to\s+)?)(\d{3,6})\b", flags), _short_code),
        # people and places
        (
            re.compile(rf"(?<![\w-])(?P<party>[DRI])-(?P<state>{states_any})\.?(?=[)\s,;:]|$)"),
            _party_tag,
        ),
        (
            # a state legislator's tag names the home town: "(D-Springfield)", ", R-Fort Worth,"
            re.compile(
                r"(?<=[(,] )(?P<party>[DRI])-(?P<state>[A-Z][a-z]+(?: [A-Z][a-z]+)?)(?=[),])|(?<=\()(?P<party2>[DRI])-(?P<state2>[A-Z][a-z]+(?: [A-Z][a-z]+)?)(?=\))"
            ),
            lambda m: (
                f"{_NEWS.parties[m.group('party') or m.group('party2')]} of {m.group('state') or m.group('state2')}"
            ),
        ),
        (re.compile(rf"(?P<lead>\b[A-Z][A-Za-z]+, )(?P<state>{states_ap})\.(?=[\s,;:)]|$)"), _ap_state),
        (re.compile(rf"(?<![\w.])(?P<state>{states_ap})\.(?=,?\s(?:and\s|or\s)?(?:{states_ap})\.)"), _ap_state),
        (re.compile(rf"(?<![\w.])(?P<state>{states_sure})\.(?=[\s,;:)]|$)"), _ap_state),
        (re.compile(rf"(\b[A-Z][a-z]+,? )({_alternation(news.after_names)})\.?(?=[\s,;:)]|$)"), _after_name),
        (re.compile(rf"(?<![\w.])({_alternation(news.degrees)})\.?(?=[\s,;:)]|$)"), _degree),
        (
            re.compile(rf"(?<![\w.])(?P<day>{weekdays_all})(?:\.|(?=,))(?=,?\s+(?:{MONTH}\.?\s+\d|\d))", flags),
            _weekday,
        ),
        (re.compile(rf"(?<![\w.])(?P<day>{weekdays_sure})\.(?=[\s,;:)]|$)"), _weekday),
        (
            re.compile(
                r"(?P<lead>(?:\b(?:on|by|until|till|since|last|next|this|every|from|through|and|or|before|after)|\b[AaPp]\.?[Mm]\.?) )(?P<day>Sat|Sun)\.(?=[\s,;:)]|$)"
            ),
            _weekday,
        ),
        (
            re.compile(rf"\b([NSEW])\.\s(?=(?:\d+(?:st|nd|rd|th)|(?:[A-Z][A-Za-z]+\s){{1,3}})\s?(?:{streets})\b)"),
            lambda m: {"N": "North", "S": "South", "E": "East", "W": "West"}[m.group(1)] + " ",
        ),
        (
            re.compile(r"\bM\s?(\d(?:\.\d)?)(?=[\s-]+(?:magnitude|quake|earthquake|temblor|tremor|aftershock)\b)"),
            _magnitude,
        ),
        # dates
        (re.compile(rf"{b}(\d{{4}})-(\d{{2}})-(\d{{2}}){e}"), _iso_date),
        (re.compile(rf"{b}(\d{{4}})[/.](\d{{1,2}})[/.](\d{{1,2}}){e}"), _iso_date),
        (re.compile(rf"{b}(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}|\d{{2}}){e}"), _numeric_date(settings)),
        (
            re.compile(
                rf"\b(?P<month>{MONTH})\.?\s(?P<day>\d{{1,2}}){ORD_SUFFIX}?\s?[-\u2013]\s?(?P<day2>\d{{1,2}}){ORD_SUFFIX}?{e}",
                flags,
            ),
            _month_days,
        ),
        (
            re.compile(
                rf"\b(?P<month>{MONTH})\.?[\s-](?P<day>\d{{1,2}}){ORD_SUFFIX}?(?:(?:,\s*|\s|-)(?P<year>\d{{4}}))?{e}",
                flags,
            ),
            _month_day,
        ),
        (
            re.compile(
                rf"(?:\bthe\s)?{b}(?P<day>\d{{1,2}}){ORD_SUFFIX}?(?:\s+of)?\s+(?P<month>{MONTH})\b\.?(?:,?\s+(?P<year>\d{{4}}))?{e}",
                flags,
            ),
            _day_month,
        ),
        (re.compile(rf"\b({MONTH})\.?\s+(\d{{4}}){e}", flags), _month_year),
        (re.compile(rf"{b}([1-4])Q(\d{{2}}|\d{{4}}){e}"), _quarter),
        (re.compile(r"\bQ([1-4])\s?(\d{4}|['\u2019]?\d{2})\b"), _quarter),
        (re.compile(rf"{b}(\d{{1,4}})\s?(A\.?D\.?|B\.?C\.?E?\.?|C\.?E\.?)(?=\W|$)"), _era),
        (re.compile(rf"{b}(\d{{4}})s-(\d{{4}})s{e}"), _decade_range),
        (re.compile(r"(?<![\w.,])(\d{4}s|\d0s|['\u2019]\d0s)(?!\w)"), _decade),
        # times (a range of times first, so its dash is read "to")
        (
            re.compile(
                r"(\b\d{1,2}(?::\d{2})?\s?(?:[ap]\.?m\.?)?)\s?[-\u2013]\s?(\d{1,2}(?::\d{2})?\s?[ap]\.?m\.?)(?![a-z])",
                flags,
            ),
            _range_to,
        ),
        (re.compile(r"(\b\d{1,2}:\d{2})\s?[-\u2013]\s?(\d{1,2}:\d{2}\b)"), _range_to),
        (
            re.compile(
                r"(?<![\w.:])(?P<h>2[0-3]|[01]?\d)(?:(?::(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?)|(?:\.(?P<m2>[0-5]\d)(?=\s?[ap]\.?m)))?"
                r"(?:\s?(?P<ampm>[ap]\.?\s?m\.?)(?![a-z]))?(?:\s(?P<zone>(?:[ecmp]\.?[sd]\.?t|gmt|utc|bst|cet|cest|eet|eest|msk|ist|jst|aest)\b\.?))?",
                flags,
            ),
            lambda m: _time_or_number(m),
        ),
        # money
        (re.compile(rf"({money_plain})\s?[-\u2013]\s?({money_plain})", flags), _money_range),
        (
            re.compile(
                rf"(?:(?P<code>\b(?:{codes}))\s?|(?P<symbol>{symbols})\s?)(?P<low>{NUM})\s?[-\u2013]\s?(?P<amount>{NUM})(?:\s?(?P<scale>(?:{scales}))\b)?",
                flags,
            ),
            _money_span,
        ),
        (re.compile(money, flags), _money),
        (
            re.compile(
                rf"{b}(?P<amount>{NUM})(?:\s?(?P<scale>{scales})\b)?\s(?P<name>dollars?|euros?|pounds? sterling|yuan|yen|won|rubles?|roubles?|hryvnias?|rupees?|francs?|cents?|pence)\b",
                flags,
            ),
            lambda m: (
                f"{decimal(m.group('amount'))}{' ' + tables.SCALES[m.group('scale').lower()] if m.group('scale') else ''} {m.group('name')}"
            ),
        ),
        (
            re.compile(rf"{b}({NUM})\s?\u00a2"),
            lambda m: f"{decimal(m.group(1))} {'cent' if m.group(1) == '1' else 'cents'}",
        ),
        (
            re.compile(rf"{b}(\d+)p(?![\w.])"),
            lambda m: f"{cardinal(int(m.group(1)))} {'penny' if m.group(1) == '1' else 'pence'}",
        ),
        (
            re.compile(rf"{b}({NUM})\s?(bn|mn|mln|bln|tn|trn)\b"),
            lambda m: f"{decimal(m.group(1))} {tables.SCALES[m.group(2)]}",
        ),
        (
            re.compile(r"\bFY\s?'?(\d{4}|\d{2})\b"),
            lambda m: f"fiscal year {year(int(m.group(1))) if len(m.group(1)) == 4 else cardinal(int(m.group(1)))}",
        ),
        (
            re.compile(r"\bH([12])\s?(\d{4})\b"),
            lambda m: f"the {'first' if m.group(1) == '1' else 'second'} half of {year(int(m.group(2)))}",
        ),
        (
            re.compile(r"(?<![\w:.])([01]\d|2[0-3])([0-5]\d)\s?(GMT|UTC|hrs|hours|h)\b"),
            lambda m: (
                f"{'oh ' if m.group(1).startswith('0') else ''}{cardinal(int(m.group(1)))} {'hundred' if m.group(2) == '00' else cardinal(int(m.group(2)))} {m.group(3) if m.group(3) in ('GMT', 'UTC') else 'hours'}"
            ),
        ),
        (
            re.compile(r"\bBoeing (7)(\d7)\b"),
            lambda m: f"Boeing {cardinal(int(m.group(1)))} {cardinal(int(m.group(2)))}",
        ),
        (
            re.compile(rf"{b}({NUM})\s?\u00b0\s?([NSEW])\b"),
            lambda m: f"{decimal(m.group(1))} degrees {tables.COMPASS[m.group(2)]}",
        ),
        (re.compile(r"(^|[\s(])(~|\u2248)\s?(?=\d)"), lambda m: f"{m.group(1)}{tables.APPROXIMATE[m.group(2)]} "),
        (
            re.compile(rf"(?<![\w.])({numbered})\.\s?(?=\d)"),
            _numbered,
        ),
        (
            re.compile(
                r"\b(Room|Suite|Apartment|Flight|Gate|Highway|Route|Pier|Platform|Studio|Unit|Building|Hangar)\s(\d{3,4})(?![\d,.]\d|\w)"
            ),
            _in_pairs,
        ),
        (re.compile(rf"{b}(?:(?P<low>{NUM})\s?[-\u2013]\s?)?({NUM})(\s?|-)in\.(?=\s+[a-z(]|,)"), _inches),
        (re.compile(r"(?<=\d)\s?/\s?(7)\b"), lambda m: " " + cardinal(7)),  # "24/7"
        (
            re.compile(r"([a-z]s?)/(" + "|".join(tables.PER_PERIODS) + r")\b(?:\.(?=\s+[a-z\d]|[,;:)]))?", flags),
            _per_period,
        ),
        (re.compile(r"(^|[\s(\[])[-\u2212](?=\d)"), lambda m: f"{m.group(1)}minus "),
        (re.compile(rf"\b(a|an|per) ({units_after_a})(?:\.(?=[\s,;:)]|$)|(?=[\s,;:)]|$))"), _a_unit),
        # percentages, measures, ranges and scores
        (
            re.compile(rf"{b}(?:(?P<whole>\d+)\s)?(?P<num>\d+)/(?P<den>\d+)\s?(?P<unit>{units})(?![\w\u00b2\u00b3])"),
            _fraction,
        ),
        (
            re.compile(rf"{b}({NUM})\s?/\s?({units})(?![\w\u00b2\u00b3])"),
            lambda m: f"{decimal(m.group(1))} per {tables.UNITS[m.group(2)][0]}",
        ),
        (
            re.compile(rf"{b}(\d+)\s?(?:ft|feet|foot)\.?\s(\d{{1,2}})\s?(?:in|inches|inch)\b"),
            lambda m: f"{_counted(int(m.group(1)), ('foot', 'feet'))} {_counted(int(m.group(2)), ('inch', 'inches'))}",
        ),
        (
            re.compile(
                rf"{b}(?P<a>{NUM})\s?[-\u2013]\s?(?P<num>{NUM})(?:\s(?P<scale>thousand|million|billion|trillion))?\s?{unit_tail}"
            ),
            lambda m: f"{_number_words(m.group('a'))} to {_measure(m)}",
        ),
        (re.compile(rf"{b}(\d+\.\d+)s(?![\w'\u2019])"), lambda m: f"{decimal(m.group(1))} seconds"),
        (
            re.compile(rf"{b}(\d{{1,2}}(?:\.\d+)?|\d+\.\d+)m(?=\s+(?:people|children|men|women|[a-z]+s)\b)"),
            _million_or_meters,
        ),
        (re.compile(rf"{b}({NUM})\s?%\s?[-\u2013\u2212]\s?({NUM})\s?%"), _percent_both),
        (re.compile(rf"{b}({NUM})\s?[-\u2013]\s?({NUM})\s?%"), _percent_range),
        (re.compile(rf"{b}({NUM})\s?%"), _percent),
        (re.compile(r"(?<=[\d\s])p\.?p\.?(?=\s|$|[,.;])"), lambda m: "percentage points"),
        (
            re.compile(
                rf"{b}(?P<num>{NUM})(?:\s(?P<scale>thousand|million|billion|trillion))?(?P<sep>[\s-]?){unit_tail}"
            ),
            _measure,
        ),
        (re.compile(rf"{b}(\d+(?:\.\d+)?)\s?x(?![\w])"), _times),
        (re.compile(rf"{b}(\d+(?:\.\d+)?)\s?[x\u00d7]\s?(\d+(?:\.\d+)?){e}"), _dimension),
        (
            re.compile(
                r"(\b(?:won|lost|beat|beating|defeated|drew|tied|passed|failed|voted|vote|votes|score|scored|victory|win|defeat|loss|margin|record)\s+(?:by\s+|a\s+|an\s+)?)(\d{1,3})[-\u2013](\d{1,3})\b",
                flags,
            ),
            _score,
        ),
        (
            re.compile(
                r"()\b(\d{1,3})[-\u2013](\d{1,3})(?=\s+(?:win|victory|loss|defeat|vote|decision|majority|lead|draw|tie|result|ruling)\b)",
                flags,
            ),
            _score,
        ),
        (re.compile(rf"{b}(\d{{4}})[-\u2013](\d{{4}}|\d{{2}}){e}"), _year_range),
        (re.compile(rf"{b}(\d{{4}})/(\d{{2}})(?![\d/])"), _season),
        (re.compile(rf"{b}({NUM})\s?[-\u2013\u2212]\s?({NUM}){e}"), _number_range),
        # fractions and ordinals
        (
            re.compile(rf"{b}(\d{{1,2}})/(10|5|100)(?![\w/]|[.,]\d)(?!\s+of\b)"),
            lambda m: _out_of(m) if int(m.group(1)) <= int(m.group(2)) and int(m.group(1)) > 1 else m.group(0),
        ),
        (
            re.compile(rf"{b}(?:(?P<whole>\d+)\s)?(?P<num>\d+)\s?/\s?(?P<den>\d+)(?:{ORD_SUFFIX})?(?![\w/])", flags),
            _fraction,
        ),
        (re.compile(r"(?:(?P<whole>\d+)\s?)?(?P<frac>[" + "".join(tables.VULGAR_FRACTIONS) + "])"), _vulgar),
        (re.compile(rf"{b}(\d{{1,3}}(?:,\d{{3}})*|\d+)({ORD_SUFFIX})\b", flags), _ordinal),
        # addresses
        (
            re.compile(
                r"\b(?P<number>\d{1,5}) (?P<street>(?:[A-Z][A-Za-z]+ ){1,3})(?P<suffix>"
                + "|".join(k.capitalize() for k in tables.STREETS)
                + r")\b(?P<period>\.?)"
            ),
            _house_number,
        ),
        (re.compile(r"(,\s)(" + "|".join(tables.STATES) + r")\b(?:\s(\d{5}))?(?=$|[\s,.])"), _state),
        (re.compile(r"(\b[A-Za-z]+ )?\bQ([1-4])\b(?!['\u2019]?\d)"), _quarter_alone),
        (re.compile(rf"\b({compass})\b(?=\s+of\s+[A-Z])"), _compass),
        (
            re.compile(rf"(\b(?:kilometers|miles|meters|feet|yards|nautical miles) )({compass})\b(?=\s+of\b)"),
            lambda m: m.group(1) + _NEWS.compass[m.group(2)],
        ),
        (
            re.compile(
                rf"(\b(?:[A-Z][a-z]+|[a-z]*(?:first|second|third|th)) )({streets})\.?(?=,|\s+[a-z\d]|\s+on\b|\s+(?:NW|NE|SW|SE)\b)"
            ),
            _street_after_name,
        ),
        (
            re.compile(r"(\b(?:Street|Avenue|Road|Boulevard|Drive|Place|Court|Lane|Highway|Parkway) )(NW|NE|SW|SE)\b"),
            lambda m: (
                m.group(1) + {"NW": "Northwest", "NE": "Northeast", "SW": "Southwest", "SE": "Southeast"}[m.group(2)]
            ),
        ),
        # the rest of the numbers
        (re.compile(rf"(^|[\s(\[])[-\u2212]({NUM}){e}"), _minus),
        (re.compile(r"(?<![\w.,$])(1[1-9]\d\d|20\d\d)(?![\w%]|[.,]\d)"), _plain_year),
        (re.compile(r"([A-Za-z])-(\d+(?:\.\d+)?)\b"), _word_number),
        (re.compile(r"#\s?(?=\d)"), lambda m: "number "),
        (re.compile(rf"{b}({NUM})([KMB])(?=\s+[a-z]+|[,;:)]|\.?$)"), _scaled),
        (re.compile(r"(?<![\w.,])(\d+)([A-Z])(?![\w])"), lambda m: f"{cardinal(int(m.group(1)))} {m.group(2)}"),
        (re.compile(r"([A-Za-z])(\d)"), _split_letters_digits),
        (re.compile(r"(\d)([A-Za-z]{2,})"), _split_letters_digits),
        (re.compile(NUM), _number),
        # words
        (
            re.compile(
                rf"\b(?P<word>{_alternation(_any_case(_NUMBERED_PARTS))})"
                r" (?P<numeral>[ivxlc]{1,6}|[IVXLC]{1,6})\b(?!['\u2019]\w)"
            ),
            _numbered_roman,
        ),
        # initials of a name, spaced ("C. S. Lewis", "John F. Kennedy"): letters, no stops
        (re.compile(r"(?<![\w.])([A-Z])\.\s(?=(?:[A-Z]\.\s)*[A-Z][a-z])"), _name_initial),
        (re.compile(r"\b((?:[A-Z][a-z]+)(?: [A-Z][a-z]+)*) ([IVXLC]{2,})\b"), _roman),
        (
            re.compile(
                r"\b((?:[A-Z][a-z]+ )*(?:"
                + "|".join(w.capitalize() for w in tables.COUNTED_BEFORE_ROMAN)
                + r")) ([IVX])\b"
            ),
            _roman,
        ),
        (
            re.compile(
                rf"(?<![\w.])({titles})\.?(?=\s+(?:[A-Z]|and\s+(?:{titles})\b|(?:first|second|third)\s+Class\b))"
            ),
            _title,
        ),
        (re.compile(r"(?<![\w.])PM(?=\s+[A-Z][a-z])"), _prime_minister),
        (
            re.compile(rf"(?<![\w.])({general_stop})\.(?=[\s,;:)]|$)"),
            _general,
        ),
        (re.compile(rf"(?<![\w.])({general_bare})(?:\.(?=[\s,;:)]|$)|(?=[\s,;:)'\u2019]|$))"), _general),
        (re.compile(rf"(?<![\w.])({organizations})\.(?=[\s,;:)'\u2019]|$)"), _organization),
        (re.compile(rf"(?<![\w.-])({organizations_bare})(?=[\s,;:)]|$)"), _organization),
        (re.compile(rf"(?<![\w.])({months_dotted})\.(?=[\s,;:)]|$)"), _month_alone),
        (re.compile(r"\bNo\.\s*(?=[a-z]*\s*\w)"), _number_sign),
        (re.compile(r"(?<![\w.])((?:[A-Za-z]\.){2,}[A-Za-z]?\.?)(?=\W|$)"), _initialism),
        (
            re.compile(
                rf"\b(dollars?|cents?|euros?|pounds?|pence|yen|yuan|rupees?|percent)/({units_after_a})\b(?:\.(?=[\s,;:)]|$))?"
            ),
            lambda m: f"{m.group(1)} per {tables.UNITS[m.group(2)][0]}",
        ),
        (re.compile(r"(\b(?:[a-z]+|[A-Z][a-z]*|[A-Z]{2,}))/([a-z]+|[A-Z][a-z]+|[A-Z]{2,})\b(?!/)"), _slash_words),
        (re.compile(r"[&+=§@°±]"), _symbol),
    ]


def _time_or_number(m: re.Match[str]) -> str:
    """A clock time needs a colon, or am/pm; a bare number is left to later rules."""
    minutes = m.group("m") or m.group("m2")
    if minutes is None and not m.group("ampm"):
        return m.group(0)
    fields = {"h": m.group("h"), "m": minutes, "s": m.group("s"), "ampm": m.group("ampm"), "zone": m.group("zone")}
    return _time(_Fields(fields))  # type: ignore[arg-type]


class _Fields:
    """Match-like access to a dict, so ``_time`` reads one shape of input."""

    def __init__(self, fields: dict[str, str | None]) -> None:
        self._fields = fields

    def group(self, name: str) -> str | None:
        return self._fields[name]


_RULES: dict[Settings, list[tuple[re.Pattern[str], Callable[[re.Match[str]], str], tuple[Gate, ...]]]] = {}
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")


def normalize_english(text: str, settings: Settings | None = None, *, gated: bool = True) -> str:
    """``text`` as a newsreader says it. Each rule runs only on text that holds what its
    matches must (``gates``); ``gated=False`` runs every rule, for the tests that check
    the gates change nothing."""
    settings = settings or Settings()
    rules = _RULES.get(settings)
    if rules is None:
        rules = _RULES[settings] = [
            (pattern, replace, gates_for(pattern)) for pattern, replace in build_rules(settings)
        ]
    final = text[-1:] if text[-1:] in ".?!" else ""
    chars = frozenset(text)
    for pattern, replace, gates in rules:
        if not gated or passes(gates, text, chars):
            changed = pattern.sub(replace, text)
            if changed is not text:
                text, chars = changed, frozenset(changed)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)).strip()
    if final and text and text[-1] not in ".?!\"'\u201d\u2019)":
        text += final  # a rule read the abbreviation that ended the sentence ("9 a.m.")
    return text
