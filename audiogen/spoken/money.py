"""Numbers and money in English as a newsreader says them: amounts in any currency, percentages,
measures and units, ranges, scores, fractions, ordinals, roman numerals and scaled figures.
"""

from __future__ import annotations

import re

from audiogen.spoken import tables
from audiogen.spoken.numbers import cardinal, decimal, fraction, ordinal, year

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"


ORD_SUFFIX = r"(?:st|nd|rd|th)"


def counted(number: int, forms: tuple[str, str]) -> str:
    return f"{cardinal(number)} {forms[0] if number == 1 else forms[1]}"


def unit_count(number: int, unit: str) -> str:
    return f"{cardinal(number)} {unit}{'' if number == 1 else 's'}"


def read_money(m: re.Match[str]) -> str:
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


def read_money_span(m: re.Match[str]) -> str:
    """ "$5-10 million" → "five to ten million dollars": the currency written once."""
    singular, plural_name, cent = tables.CURRENCIES[(m.group("symbol") or m.group("code") or "").upper()]
    low, high, scale = m.group("low"), m.group("amount"), m.group("scale")
    if scale or ("." not in low and "." not in high):
        return f"{decimal(low)} to {_amount(high, scale, singular, plural_name, cent)}"
    return f"{_amount(low, None, singular, plural_name, cent)} to {_amount(high, None, singular, plural_name, cent)}"


def read_million_or_meters(m: re.Match[str]) -> str:
    """ "1.5m people" is a million and a half; "the 100m finals" are run over meters."""
    following = m.string[m.end() :].split(None, 1)[0].strip(",.;:").lower()
    if following in tables.METER_EVENTS:
        return f"{decimal(m.group(1))} meter"
    return f"{decimal(m.group(1))} million"


def read_money_range(m: re.Match[str]) -> str:
    return f"{_money_text(m.group(1))} to {_money_text(m.group(2))}"


def money_pattern() -> str:
    """An amount of money: a currency code or sign, the number, and a scale ("$1.2 bn")."""
    scales = "|".join(sorted(tables.SCALES, key=len, reverse=True))
    symbols = "|".join(re.escape(s) for s in tables.CURRENCIES if not s.isalpha())
    codes = "|".join(s for s in tables.CURRENCIES if s.isalpha())
    return (
        rf"(?:(?P<code>\b(?:{codes}))\s?|(?P<symbol>{symbols})\s?)(?P<amount>{NUM})"
        rf"(?:\s?(?P<scale>(?:{scales}))\b)?"
    )


_MONEY_RE = re.compile(money_pattern(), re.IGNORECASE)


def _money_text(text: str) -> str:
    return _MONEY_RE.sub(read_money, text)


def read_measure(m: re.Match[str]) -> str:
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


def read_percent(m: re.Match[str]) -> str:
    return f"{decimal(m.group(1))} percent"


def read_percent_range(m: re.Match[str]) -> str:
    return f"{decimal(m.group(1))} to {decimal(m.group(2))} percent"


def read_score(m: re.Match[str]) -> str:
    return f"{m.group(1)}{cardinal(int(m.group(2)))} to {cardinal(int(m.group(3)))}"


#: one side of a score or a vote ("5–4", "218-214"): whole, short, no leading zero
_SCORE_SIDE = re.compile(r"0|[1-9]\d{0,2}")


def read_number_range(m: re.Match[str]) -> str:
    """ "2-10" is a range and "5–4" a score or a vote: both read "to"."""
    left, right = m.group(1), m.group(2)
    a, b = float(left.replace(",", "")), float(right.replace(",", ""))
    if a == b:  # "a 50-50 chance"
        return f"{number_words(left)}-{number_words(right)}"
    if b <= a and not (_SCORE_SIDE.fullmatch(left) and _SCORE_SIDE.fullmatch(right)):
        # not a range or a score: an identifier such as 978-0123
        return f"{number_words(left)}, {number_words(right)}"
    return f"{number_words(left)} to {number_words(right)}"


def number_words(text: str) -> str:
    clean = text.replace(",", "")
    if re.fullmatch(r"\d{4}", clean) and "," not in text and 1100 <= int(clean) <= 2099:
        return year(int(clean))
    return decimal(text)


def read_fraction(m: re.Match[str]) -> str:
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


def read_vulgar(m: re.Match[str]) -> str:
    numerator, denominator = tables.VULGAR_FRACTIONS[m.group("frac")]
    return _mixed(m.group("whole"), numerator, denominator)


def read_ordinal(m: re.Match[str]) -> str:
    return ordinal(int(m.group(1).replace(",", "")))


def read_number(m: re.Match[str]) -> str:
    return decimal(m.group(0))


def read_minus(m: re.Match[str]) -> str:
    return f"{m.group(1)}minus {decimal(m.group(2))}"


def read_roman(m: re.Match[str]) -> str:
    before, numeral = m.group(1), m.group(2)
    value = roman_value(numeral)
    if value is None:
        return m.group(0)
    last_word = before.split()[-1].rstrip(".").lower()
    if last_word in tables.COUNTED_BEFORE_ROMAN:
        return f"{before} {cardinal(value)}"
    return f"{before} the {ordinal(value)}"


#: what is numbered by a roman numeral in any case ("chapter iv", "PART II")
NUMBERED_PARTS = (
    "part chapter volume vol. vol act phase book section article stage level round season episode canto psalm"
    " appendix annex schedule title"
).split()


def read_numbered_roman(m: re.Match[str]) -> str:
    """ "Part II", "chapter iv", "PHASE III": what a part is numbered by, in any case
    ("in part I think" is no part one: a lone I after a lower-case word stays)."""
    word, numeral = m.group("word"), m.group("numeral")
    value = roman_value(numeral.upper())
    if value is None or (numeral in ("I", "i") and word[0].islower()):
        return m.group(0)
    if word.lower().rstrip(".") == "vol":
        word = "Volume" if word[0].isupper() else "volume"
    return f"{word} {cardinal(value)}"


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


def read_per_period(m: re.Match[str]) -> str:
    return f"{m.group(1)} per {tables.PER_PERIODS[m.group(2).lower()]}"


def read_range_to(m: re.Match[str]) -> str:
    return f"{m.group(1)} to {m.group(2)}"


def read_split_letters_digits(m: re.Match[str]) -> str:
    return f"{m.group(1)} {m.group(2)}"


def read_times(m: re.Match[str]) -> str:
    return f"{decimal(m.group(1))} x"  # "a 4.4x return", as analysts say it


def read_dimension(m: re.Match[str]) -> str:
    return f"{decimal(m.group(1))} by {decimal(m.group(2))}"


def read_word_number(m: re.Match[str]) -> str:
    return f"{m.group(1)} {decimal(m.group(2))}"


def read_inches(m: re.Match[str]) -> str:
    low = f"{decimal(m.group('low'))} to " if m.group("low") else ""
    if m.group(3) == "-":  # "a 6.1-in. display": a six point one-inch display
        return f"{low}{decimal(m.group(2))}-inch"
    return low + _counted_decimal(m.group(2), ("inch", "inches"))


def _counted_decimal(number: str, forms: tuple[str, str]) -> str:
    return f"{decimal(number)} {forms[0] if number in ('1', '1.0') else forms[1]}"


def read_magnitude(m: re.Match[str]) -> str:
    return f"magnitude {decimal(m.group(1))}"


def read_out_of(m: re.Match[str]) -> str:
    return f"{cardinal(int(m.group(1)))} out of {cardinal(int(m.group(2)))}"


def read_space_grouped(m: re.Match[str]) -> str:
    """ "1 000 000" is a million; "10 12" two numbers. Groups of three digits are one
    number when there are two or more of them, or one starts with a zero."""
    groups = m.group(0).split(" ")
    if len(groups) > 2 or any(g.startswith("0") for g in groups[1:]):
        return "".join(groups)
    return m.group(0)


#: unit abbreviations that are also words ("a ha moment", "a cal graduate")
UNIT_WORDS = frozenset({"ha", "cal", "in", "st", "ac", "am", "min", "sec", "mo", "pt", "yo", "kn", "pa", "mt", "ft"})


def read_a_unit(m: re.Match[str]) -> str:
    """ "$82 a bbl." → "a barrel"; "$4 per lb." → "per pound"."""
    return f"{m.group(1)} {tables.UNITS[m.group(2)][0]}"


_SCALE_LETTERS = {"K": "thousand", "M": "million", "B": "billion"}


#: "a 5K run" is five kilometers, said "five K"
_RACES = re.compile(r"\s+(?:runs?|races?|walks?|fun\s+run|course)\b")


def read_scaled(m: re.Match[str]) -> str:
    """ "15K runners" → "fifteen thousand runners"; "127.7M viewers"."""
    if m.group(2) == "K" and _RACES.match(m.string, m.end()):
        return m.group(0)
    return f"{decimal(m.group(1))} {_SCALE_LETTERS[m.group(2)]}"


def read_percent_both(m: re.Match[str]) -> str:
    return f"{decimal(m.group(1))} to {decimal(m.group(2))} percent"
