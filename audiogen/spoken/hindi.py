"""Numbers in Hindi as a Hindi newsreader says them (num2words has no Hindi).

Hindi has a word of its own for every number below a hundred (इक्यावन is 51, not
"fifty-one"), so those are a table; above it the Indian scale counts सौ (100), हज़ार
(1,000), लाख (1,00,000), करोड़ (1,00,00,000) and अरब (100 crore), and digits are grouped
the same way ("12,50,000" is बारह लाख पचास हज़ार). The rules here:

- whole numbers, either grouping ("1,250,000" and "12,50,000"), Devanagari digits too;
- decimals with दशमलव and the digits after it one by one (3.25 → तीन दशमलव दो पाँच);
- percentages (प्रतिशत), rupees (₹, "Rs", "रु." before the amount: रुपये after it);
- years from 1100 to 1999 written alone the way they are said (1999 → उन्नीस सौ
  निन्यानबे); other years as numbers (2026 → दो हज़ार छब्बीस);
- clock times: 10:30 → दस बजकर तीस मिनट.
"""

from __future__ import annotations

import re

#: 0–99: every number has its own word
_BELOW_HUNDRED = (
    "शून्य एक दो तीन चार पाँच छह सात आठ नौ "
    "दस ग्यारह बारह तेरह चौदह पंद्रह सोलह सत्रह अठारह उन्नीस "
    "बीस इक्कीस बाईस तेईस चौबीस पच्चीस छब्बीस सत्ताईस अट्ठाईस उनतीस "
    "तीस इकतीस बत्तीस तैंतीस चौंतीस पैंतीस छत्तीस सैंतीस अड़तीस उनतालीस "
    "चालीस इकतालीस बयालीस तैंतालीस चौवालीस पैंतालीस छियालीस सैंतालीस अड़तालीस उनचास "
    "पचास इक्यावन बावन तिरपन चौवन पचपन छप्पन सत्तावन अट्ठावन उनसठ "
    "साठ इकसठ बासठ तिरसठ चौंसठ पैंसठ छियासठ सड़सठ अड़सठ उनहत्तर "
    "सत्तर इकहत्तर बहत्तर तिहत्तर चौहत्तर पचहत्तर छिहत्तर सतहत्तर अठहत्तर उन्यासी "
    "अस्सी इक्यासी बयासी तिरासी चौरासी पचासी छियासी सत्तासी अट्ठासी नवासी "
    "नब्बे इक्यानबे बानबे तिरानबे चौरानबे पचानबे छियानबे सत्तानबे अट्ठानबे निन्यानबे"
).split()
#: the Indian scale, largest first
_SCALE = ((10**9, "अरब"), (10**7, "करोड़"), (10**5, "लाख"), (1000, "हज़ार"), (100, "सौ"))
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")

#: a number grouped either way (1,250,000 or 12,50,000) or not at all, with its decimals
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d{1,3}(?:,\d{2})*,\d{3}|\d+"
_AMOUNT = re.compile(rf"(?<![\w.,])({_NUMBER})(?:\.(\d+))?(?![\w]|[.,]\d)(\s?(?:%|प्रतिशत))?")
_RUPEES = re.compile(
    rf"(?:₹|\bRs\.?|रु\.?)\s?({_NUMBER})(?:\.(\d+))?(?![\w]|[.,]\d)(\s?(?:लाख|करोड़|अरब|हज़ार|हजार)(?!\w))?"
)
_CLOCK = re.compile(r"(?<![\d:.])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(?:\s?बजे(?!\w))?")
_YEAR = re.compile(r"(?<![\w.,])(1[1-9]\d\d)(?![\w]|[.,]\d)")


def hindi_number(value: int) -> str:
    """A whole number in Hindi words: 1250000 → बारह लाख पचास हज़ार."""
    if value < 100:
        return _BELOW_HUNDRED[value]
    words = []
    for size, name in _SCALE:
        if value >= size:
            count, value = divmod(value, size)
            words += [hindi_number(count), name]
    if value:
        words.append(_BELOW_HUNDRED[value])
    return " ".join(words)


def _decimal(whole: str, fraction: str | None) -> str:
    said = hindi_number(int(whole.replace(",", "")))
    if fraction:
        said += " दशमलव " + " ".join(_BELOW_HUNDRED[int(d)] for d in fraction)
    return said


def _rupees(m: re.Match[str]) -> str:
    """₹12.50 → बारह रुपये पचास पैसे; ₹5 करोड़ → पाँच करोड़ रुपये; ₹2.5 लाख → दो
    दशमलव पाँच लाख रुपये."""
    whole, fraction, scale = m.group(1), m.group(2), (m.group(3) or "").strip()
    if scale:
        return f"{_decimal(whole, fraction)} {scale} रुपये"
    said = f"{hindi_number(int(whole.replace(',', '')))} रुपये"
    if fraction and len(fraction) == 2 and int(fraction):
        said += f" {_BELOW_HUNDRED[int(fraction)]} पैसे"
    return said


def _year(m: re.Match[str]) -> str:
    value = int(m.group(1))
    hundreds, rest = divmod(value, 100)
    return f"{_BELOW_HUNDRED[hundreds]} सौ" + (f" {_BELOW_HUNDRED[rest]}" if rest else "")


def normalize_hindi(text: str) -> str:
    """Hindi text with its numbers, amounts, percentages and times in words."""
    text = text.translate(_DEVANAGARI_DIGITS)
    if not any(c.isdigit() for c in text):
        return text
    text = _CLOCK.sub(
        lambda m: (
            f"{hindi_number(int(m.group(1)))} बजे"
            if not int(m.group(2))
            else f"{hindi_number(int(m.group(1)))} बजकर {hindi_number(int(m.group(2)))} मिनट"
        ),
        text,
    )
    text = _RUPEES.sub(_rupees, text)
    text = _YEAR.sub(_year, text)

    def read(m: re.Match[str]) -> str:
        said = _decimal(m.group(1), m.group(2))
        return f"{said} प्रतिशत" if m.group(3) else said

    return _AMOUNT.sub(read, text)
