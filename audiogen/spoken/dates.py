"""Dates and times in English as a newsreader says them: numeric and ISO dates, months and
days (abbreviated or not), decades, eras, quarters, seasons and clock times.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from audiogen.spoken import tables
from audiogen.spoken.money import unit_count
from audiogen.spoken.numbers import cardinal, digits, ordinal, plural, year
from audiogen.spoken.titles import NEWS, keep_stop, lead_words


@dataclass(frozen=True)
class Settings:
    #: how to read numeric dates such as 03/04/2025: "us" (month first) or "day-first"
    date_order: str = "us"


MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)


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


def read_iso_date(m: re.Match[str]) -> str:
    y, mo, d = m.group(1), int(m.group(2)), int(m.group(3))
    if not _valid_date(mo, d):
        return m.group(0).replace("-", " ")
    return _date_words(mo, d, y)


def read_numeric_date(settings: Settings) -> Callable[[re.Match[str]], str]:
    def read(m: re.Match[str]) -> str:
        a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
        month, day, day_first = (b, a, True) if settings.date_order == "day-first" or a > 12 else (a, b, False)
        if not _valid_date(month, day):
            return " ".join(digits(g) for g in (m.group(1), m.group(2), y))
        return _date_words(month, day, y, day_first=day_first)

    return read


def read_month_day(m: re.Match[str]) -> str:
    month = tables.MONTH_NAMES.index(month_name(m.group("month"))) + 1
    day = _day(m.group("day"))
    if not _valid_date(month, day):
        return m.group(0)
    return _date_words(month, day, m.group("year"))


def read_day_month(m: re.Match[str]) -> str:
    month = tables.MONTH_NAMES.index(month_name(m.group("month"))) + 1
    day = _day(m.group("day"))
    if not _valid_date(month, day):
        return m.group(0)
    return _date_words(month, day, m.group("year"), day_first=True)


def read_month_year(m: re.Match[str]) -> str:
    return f"{month_name(m.group(1))} {_year_words(m.group(2))}"


def read_quarter(m: re.Match[str]) -> str:
    return f"the {ordinal(int(m.group(1)))} quarter of {_year_words(m.group(2))}"


def read_era(m: re.Match[str]) -> str:
    era = m.group(2).replace(".", "").upper()
    return f"{year(int(m.group(1)))} {era}"


def read_decade(m: re.Match[str]) -> str:
    text = m.group(1).removesuffix("s")
    if text.startswith(("'", "\u2019")):
        return plural(cardinal(int(text[1:])))
    number = int(text)
    return plural(year(number) if number >= 1000 else cardinal(number))


def read_time(m: re.Match[str]) -> str:
    hours, minutes, seconds = int(m.group("h")), m.group("m"), m.group("s")
    half = (m.group("ampm") or "").replace(".", "").replace(" ", "").upper()
    zone = m.group("zone")
    zone = " " + zone.replace(".", "").upper() if zone else ""
    if seconds is not None:
        parts = [unit_count(hours, "hour"), unit_count(int(minutes), "minute")]
        spoken = f"{' '.join(parts)} and {unit_count(int(seconds), 'second')}"
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


def read_season(m: re.Match[str]) -> str:
    """ "2023/24": a season or fiscal year, when the second year follows the first."""
    first, second = m.group(1), m.group(2)
    if (int(first[2:]) + 1) % 100 != int(second):
        return m.group(0)
    return read_year_range(m)


def read_year_range(m: re.Match[str]) -> str:
    start, end = m.group(1), m.group(2)
    if len(end) == 2:  # 1960-80
        end_words = cardinal(int(end)) if not end.startswith("0") else "oh " + cardinal(int(end))
    else:
        end_words = year(int(end))
    return f"{year(int(start))} to {end_words}"


def read_decade_range(m: re.Match[str]) -> str:
    return f"{read_decade(m)} to {plural(year(int(m.group(2))))}"


def read_plain_year(m: re.Match[str]) -> str:
    return year(int(m.group(0)))


def read_weekday(m: re.Match[str]) -> str:
    return lead_words(m) + NEWS.weekdays[m.group("day").capitalize()] + keep_stop(m)


def read_month_alone(m: re.Match[str]) -> str:
    return NEWS.months[m.group(1)] + keep_stop(m)


def read_month_days(m: re.Match[str]) -> str:
    """ "Aug. 1–15" → "August first to fifteenth"."""
    month = tables.MONTH_NAMES.index(month_name(m.group("month"))) + 1
    first, last = int(m.group("day")), int(m.group("day2"))
    if not (_valid_date(month, first) and _valid_date(month, last)) or last <= first:
        return m.group(0)
    return f"{tables.MONTH_NAMES[month - 1]} {ordinal(first)} to {ordinal(last)}"


def read_quarter_alone(m: re.Match[str]) -> str:
    before = m.group(1) or ""
    the = "the " if before and before.strip().lower() in _PREPOSITIONS else ""
    return f"{before}{the}{ordinal(int(m.group(2)))} quarter"


_PREPOSITIONS = frozenset(
    {"in", "during", "for", "of", "by", "from", "to", "since", "through", "until", "before", "after", "into", "over"}
)
