"""What was meant and what was heard, folded the same way so they can be compared.

A recognizer writes "$2.4 billion", "Feb. 20", "D.C." or "two point four billion
dollars", "February 20th", "DC"; the text of an article writes either. Both sides are
folded into the same plain tokens: lower case, no punctuation, numbers as values
("thirty thousand" = "30,000" = "30000", "third" = "3rd" = "3", "twenty nineteen" =
"2019"), the abbreviations of newswriting expanded ("Feb." = "February", "Sen." =
"Senator") and initialisms as one token ("U.S." = "U-S" = "u s" = "us"). Words a listener
cannot tell apart ("Street" and "St.") fold to one token.

This folding is independent of audiogen's own reading rules: it never asks the normalizer
how to say a thing, so a misreading by the normalizer still shows as a difference.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from audiogen.spoken.newswriting import newswriting

_ONES = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 10**12}
_ORDINALS = {
    "first": "one", "second": "two", "third": "three", "fourth": "four", "fifth": "five", "sixth": "six",
    "seventh": "seven", "eighth": "eight", "ninth": "nine", "tenth": "ten", "eleventh": "eleven",
    "twelfth": "twelve", "thirteenth": "thirteen", "fourteenth": "fourteen", "fifteenth": "fifteen",
    "sixteenth": "sixteen", "seventeenth": "seventeen", "eighteenth": "eighteen", "nineteenth": "nineteen",
    "twentieth": "twenty", "thirtieth": "thirty", "fortieth": "forty", "fiftieth": "fifty", "sixtieth": "sixty",
    "seventieth": "seventy", "eightieth": "eighty", "ninetieth": "ninety", "hundredth": "hundred",
    "thousandth": "thousand", "millionth": "million",
}  # fmt: skip
#: words a listener cannot tell apart, or that name the same thing. "St." and "Dr." are
#: each two words (an article's "St. Paul" and "Elm St." are both heard right whichever the
#: table reads), so each pair folds to one token, which a bare "st" or "dr" (the letters,
#: as a recognizer writes them when it hears letters) is not: "Mt." heard as "em tee" is a
#: misreading, heard as "Mount" it is not
_SAME = {
    "saint": "saint/street", "street": "saint/street", "doctor": "doctor/drive", "drive": "doctor/drive",
    "mister": "mr", "misses": "mrs", "missus": "mrs", "miz": "ms", "percent": "percent", "per cent": "percent",
    "&": "and", "versus": "vs", "okay": "ok", "o'clock": "", "a.m": "am", "p.m": "pm", "the": "the",
}  # fmt: skip
_CURRENCY = {"$": "dollars", "€": "euros", "£": "pounds", "¥": "yen", "₹": "rupees"}
_SYMBOLS = {
    "%": " percent ",
    "&": " and ",
    "+": " plus ",
    "=": " equals ",
    "@": " at ",
    "°": " degrees ",
    "±": " plus or minus ",
}


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str]:
    """Written abbreviation (lower case, without its period) → its words."""
    news = newswriting()
    table: dict[str, str] = {}
    for section in (news.states_ap, news.organizations, news.general, news.numbered, news.after_names, news.titles):
        for form, words in section.items():
            table.setdefault(form.lower(), words.lower())
    for section in (news.weekdays, news.months):
        for form, words in section.items():
            table[form.lower()] = words.lower()
    for form, (_singular, plural) in news.units.items():
        if form.isalpha() and len(form) > 1:
            table.setdefault(form.lower(), plural.lower())
    return table


@lru_cache(maxsize=1)
def _units() -> re.Pattern[str]:
    """A unit written after a number ("5 km", "36 hrs.")."""
    forms = sorted((f for f in newswriting().units if not f[:1].isdigit()), key=len, reverse=True)
    return re.compile(r"(\d)\s?(" + "|".join(re.escape(f) for f in forms) + r")\.?(?![\w\u00b2\u00b3])")


#: a web address: its dots (and a path's slashes) are said ("example dot org slash report")
_ADDRESS = re.compile(r"\b(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,6})((?:/[\w.-]+)*)/?(?![\w.])", re.IGNORECASE)
_ABBREVIATED = re.compile(r"\b([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)\.")
_INITIALISM = re.compile(r"\b(?:[A-Za-z]\.){2,}[A-Za-z]?\.?|\b(?:[A-Za-z]-){1,}[A-Za-z]\b")
_MONEY = re.compile(r"([$€£¥₹])\s?(\d[\d,]*(?:\.\d+)?)(\s?(?:thousand|million|billion|trillion|[kmb]n?|tn)\b)?", re.I)
_SCALE_SUFFIX = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion", "tn": "trillion"}
_ORDINAL_SUFFIX = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.I)
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b|\b(\d{1,2})\.(\d{2})(?=\s*[ap]\.?\s?m\b)", re.I)


#: an ordinal written as one word with its tens ("fifty-fifth"), which stays one number
_HYPHENATED_ORDINAL = re.compile(
    r"\b(" + "|".join(_TENS) + r")-(" + "|".join(o for o in _ORDINALS if _ORDINALS[o] in _ONES) + r")\b", re.I
)


def _hyphenated_ordinal(m: re.Match[str]) -> str:
    return str(_TENS[m.group(1).lower()] + _ONES[_ORDINALS[m.group(2).lower()]])


def fold(text: str) -> list[str]:
    """``text`` as a list of plain tokens for comparison."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = _PARTY_TAG.sub(_party_tag, text)
    text = _MONEY.sub(_money, text)
    text = _CLOCK.sub(lambda m: f"{m.group(1) or m.group(3)}{m.group(2) or m.group(4)}", text)
    text = _HYPHENATED_ORDINAL.sub(_hyphenated_ordinal, text)
    text = _ORDINAL_SUFFIX.sub(r"\1", text)
    text = _units().sub(lambda m: f"{m.group(1)} {newswriting().units[m.group(2)][1].lower()} ", text)
    text = _ADDRESS.sub(_address, text)
    text = _INITIALISM.sub(lambda m: " " + re.sub(r"[.\-]", "", m.group(0)).lower() + " ", text)
    text = _CAPITAL_FORMS.sub(lambda m: " " + newswriting().general[m.group(0)] + " ", text)
    text = _ROMAN.sub(lambda m: f"{m.group(1)} {_roman_value(m.group(2))}", text)
    abbreviations = _abbreviations()
    text = _ABBREVIATED.sub(lambda m: " " + abbreviations.get(m.group(1).lower(), m.group(1)) + " ", text)
    for symbol, said in _SYMBOLS.items():
        text = text.replace(symbol, said)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 30,000 → 30000
    text = re.sub(r"(?<=\d)-(?=\d)", " to ", text)  # 5-4, 2019-2023 ("to" between numbers goes below)
    # a comma stays a token until the numbers are read: "eight hundred, five" is two
    words = re.findall(r"\d+s\b|\d+(?:\.\d+)?|[^\W\d_]+(?:'[^\W\d_]+)?|[,;:]", text.lower())
    words = [_SAME.get(w, w) for w in words]
    words = [f"{_TENS[w[:-3] + 'y']}s" if w.endswith("ies") and w[:-3] + "y" in _TENS else w for w in words]
    return _numbers(_join_letters(_time_of_day([w for w in words if w])))


_PARTY_TAG = re.compile(
    r"(?<![\w-])([DRI])-((?:[A-Z]\.){1,2}(?:[A-Z][a-z]?\.?)?|[A-Z][a-z]+\.?|[A-Z]{2})(?=[\s,;:)]|$)"
)


def _address(m: re.Match[str]) -> str:
    host, path = m.group(1), m.group(2)
    if not any(len(label) > 1 and label.isalpha() for label in host.split(".")[:-1]):
        return m.group(0)  # not a site's name ("a.m", "U.S")
    said = host.replace(".", " dot ") + path.replace("/", " slash ").replace(".", " dot ")
    return f" {said} "


def _party_tag(m: re.Match[str]) -> str:
    """ "D-N.Y." → "Democrat of New York", as a newsreader says a congressional tag."""
    news = newswriting()
    state = m.group(2).rstrip(".")
    name = news.states_postal.get(state) or news.states_ap.get(state) or state
    return f" {news.parties[m.group(1)]} of {name} "


_CAPITAL_FORMS = re.compile(
    r"\b(?:" + "|".join(re.escape(f) for f in newswriting().general if f.isupper() and f.isalpha()) + r")\b"
)
#: a Roman numeral of two letters or more after a word: "World War II", "Louis XIV"
_ROMAN = re.compile(r"\b([A-Za-z]+) ([IVXL]{2,}|[ivxl]{2,})\b")
_ROMAN_LETTERS = {"i": 1, "v": 5, "x": 10, "l": 50}


def _roman_value(numeral: str) -> str:
    values = [_ROMAN_LETTERS[c] for c in numeral.lower()]
    total = sum(-v if i + 1 < len(values) and values[i + 1] > v else v for i, v in enumerate(values))
    return str(total)


def _money(m: re.Match[str]) -> str:
    scale = (m.group(3) or "").strip().lower()
    scale = _SCALE_SUFFIX.get(scale, scale)
    amount = m.group(2).replace(",", "")
    whole, _, cents = amount.partition(".")
    if cents and len(cents) == 2 and not scale and m.group(1) in "$€£":
        return f" {whole} {_CURRENCY[m.group(1)]} {int(cents)} cents "  # "$42.17": 42 dollars 17 cents
    return f" {amount} {scale} {_CURRENCY[m.group(1)]} "


def _join_letters(words: list[str]) -> list[str]:
    """Runs of single letters are one spelled word: "f b i" → "fbi", "a m" → "am" (a
    lone "a" or "i" is a word), "e u's" → "eu's"."""
    out: list[str] = []
    run: list[str] = []
    padded = [*words, ""]
    for index, word in enumerate(padded):
        letter = len(word) == 1 and word.isalpha()
        if letter and (word not in ("a", "i") or run or _spelled(padded[index + 1])):
            run.append(word)
            continue
        if run and _spelled(word) and len(word) == 3:  # a possessive ends the run: "e u's"
            run.append(word)
            out.append("".join(run))
            run = []
            continue
        if run:
            out.extend(["".join(run)] if len(run) > 1 else run)
            run = []
        if word:
            out.append(word)
    return out


def abbreviated_words(text: str) -> set[str]:
    """The folded words the newswriting abbreviations written in ``text`` stand for
    ("Tues." → "tuesday", "Lt. Col." → "lieutenant", "colonel")."""
    table = _abbreviations()
    found: set[str] = set()
    for match in _ABBREVIATED.finditer(text):
        words = table.get(match.group(1).lower())
        if words:
            found.update(word for word in fold(words) if not word.isdigit())
    return found


def _time_of_day(words: list[str]) -> list[str]:
    """ "nine a m" → "nine am": the letters after a time are one word, kept apart from an
    initialism that follows ("a m e s t" is "am est")."""
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if (
            word in ("a", "p")
            and index + 1 < len(words)
            and words[index + 1] == "m"
            and out
            and (out[-1].isdigit() or out[-1] in _ONES or out[-1] in _TENS or out[-1] in ("o'clock", "noon"))
        ):
            out.append(word + "m")
            index += 2
            continue
        out.append(word)
        index += 1
    return out


def _spelled(word: str) -> bool:
    """A single letter, or one with a possessive ("u's")."""
    return (len(word) == 1 and word.isalpha()) or (len(word) == 3 and word[0].isalpha() and word[1:] == "'s")


def _numbers(words: list[str]) -> list[str]:
    """Number words → values; digits kept; a pair like "twenty nineteen" → 2019."""
    out: list[str] = []
    index = 0
    while index < len(words):
        value, used = _number_at(words, index)
        if used:
            out.append(value)
            index += used
        else:
            out.append(words[index])
            index += 1
    return [w for w in _clock_times(_scaled(_years(_digit_runs(out)))) if w not in ",;:"]


def _digit_runs(words: list[str]) -> list[str]:
    """Digits read one by one are one group as written: "five five five" = "555"."""
    out: list[str] = []
    joining = False
    for word in words:
        single = len(word) == 1 and word.isdigit()
        if single and joining:
            out[-1] += word
        else:
            out.append(word)
            joining = single
    return out


def _clock_times(words: list[str]) -> list[str]:
    """ "2 15 pm" = "215 pm" = "2:15 p.m."."""
    out: list[str] = []
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if (
            following in ("am", "pm")
            and len(word) == 2
            and word.isdigit()
            and out
            and out[-1].isdigit()
            and len(out[-1]) <= 2
        ):
            out[-1] += word
        else:
            out.append(word)
    return out


def _scaled(words: list[str]) -> list[str]:
    """ "900 million" → "900000000"; "to" between two numbers dropped ("6 to 3" = "6–3")."""
    out: list[str] = []
    for index, word in enumerate(words):
        if word in ("million", "billion", "trillion") and out and _is_number(out[-1]):
            value = float(out[-1]) * _SCALES[word]
            out[-1] = str(int(value)) if value == int(value) else str(value)
        elif (
            word == "to" and out and _is_number(out[-1]) and index + 1 < len(words) and _is_number(words[index + 1])
        ) or (
            word == "and"
            and out
            and out[-1] in ("dollars", "euros", "pounds")
            and index + 1 < len(words)
            and _is_number(words[index + 1])
        ):
            continue
        elif word == "the" and index + 1 < len(words) and _is_number(words[index + 1]):
            continue  # "Louis the 14" = "Louis XIV", "the 4 of July" = "4 of July"
        else:
            out.append(word)
    return out


def _is_number(word: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", word))


def _number_at(words: list[str], start: int) -> tuple[str, int]:
    total, current, used, seen = 0, 0, 0, False
    index = start
    if words[start] in ("zero", "oh"):
        if start + 2 < len(words) and words[start + 1] == "point" and words[start + 2] in _ONES:
            fraction, used = _after_point(words, start + 2)
            return f"0.{fraction}", 2 + used  # "zero point two five" = 0.25
        return "0", 1  # a digit read alone: "zero one nine nine"
    while index < len(words):
        if seen and words[index] in _ORDINALS and words[index - 1] in _TENS:
            # "three fifty Fifth Avenue": an ordinal after a number is a number of its own
            # (one written as one, "fifty-fifth", was joined before the words were cut)
            break
        word = _ORDINALS.get(words[index], words[index])
        if word in ("zero", "oh"):
            break
        if word in _ONES and (current % 10 == 0 or current >= 100) and not (current % 100 and _ONES[word] >= 10):
            if current % 100 and current % 100 < 20 and current >= 1:
                break
            current += _ONES[word]
        elif word in _TENS and current % 100 == 0:
            current += _TENS[word]
        elif word == "hundred" and seen and current % 100:
            current = current * 100
        elif word == "thousand" and seen:
            total += max(current, 1) * _SCALES[word]
            current = 0
        elif (
            word == "and"
            and seen
            and words[index - 1] in ("hundred", "thousand")
            and index + 1 < len(words)
            and words[index + 1] in {**_ONES, **_TENS}
        ):
            pass
        else:
            break
        seen = True
        index += 1
        used = index - start
    if not seen:
        return "", 0
    value = total + current
    if index < len(words) and words[index] == "point" and index + 1 < len(words) and words[index + 1] in _ONES:
        digits, taken = _after_point(words, index + 1)
        return f"{value}.{digits}", index + 1 + taken - start
    return str(value), used


def _after_point(words: list[str], start: int) -> tuple[str, int]:
    """The digits read one by one after "point", and how many words they took."""
    digits = ""
    index = start
    while index < len(words) and words[index] in _ONES and _ONES[words[index]] < 10:
        digits += str(_ONES[words[index]])
        index += 1
    return digits, index - start


def _years(words: list[str]) -> list[str]:
    """ "20 19" → "2019", "14 28" → "1428", "7 37" → "737": a number read in pairs (a
    year, a house, a flight, a jet). Two numbers a comma parts are never joined."""
    out: list[str] = []
    for word in words:
        decade = word.endswith("s") and word[:-1].isdigit()
        digits = word[:-1] if decade else word
        if (
            out
            and digits.isdigit()
            and out[-1].isdigit()
            and 1 <= int(out[-1]) <= 99
            and (10 <= int(digits) <= 99 or digits.startswith("0"))
            and len(digits) == 2
            and out[-1] != digits  # "fifty-fifty" is a tie, not 5050
        ):
            out[-1] = str(int(out[-1]) * 100 + int(digits)) + ("s" if decade else "")
        else:
            out.append(word)
    return out
