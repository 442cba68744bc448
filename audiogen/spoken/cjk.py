"""Numbers in Japanese and Mandarin text, written so their voices' readers say them right.

Both languages' text-to-phoneme readers know their number words: OpenJTalk reads
「2日」 as *futsuka* and 「三百」 as *sanbyaku*, misaki's Mandarin reader reads 「2026年」
digit by digit and 「12%」 as 百分之十二. What they miss is what newswriting adds around
the digits, so that is all this module changes:

- Japanese: digits become kanji numerals (the reader of the Japanese voice cuts a run of
  digits off from the counter after it, 「2日」 would be *ni hi*); a decimal point is 点,
  「%」 is パーセント, thousands commas go, and a clock time 「10:30」 is 10時30分.
- Mandarin: thousands commas go (「1,200人」 is 一千二百人, not 一,二百人) and a clock
  time 「10:30」 is 10点30分 (「10:00」 just 10点).
"""

from __future__ import annotations

import re

#: kanji numerals by digit, and the powers of ten within a group of four
_KANJI_DIGITS = "〇一二三四五六七八九"
_SMALL = ((1000, "千"), (100, "百"), (10, "十"))
#: the powers of ten thousand
_LARGE = ((10**16, "京"), (10**12, "兆"), (10**8, "億"), (10**4, "万"))

_GROUPED = r"\d{1,3}(?:,\d{3})+"
_NUMBER = re.compile(rf"({_GROUPED}|\d+)(?:\.(\d+))?\s?([%％])?")
_CLOCK = re.compile(r"(?<![\d:：])([01]?\d|2[0-3])[:：]([0-5]\d)(?![\d:：])")
#: full-width digits and percent sign → their plain forms (punctuation is left as written)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９％", "0123456789%")
_THOUSANDS = re.compile(rf"(?<![\d.,]){_GROUPED}(?![\d,])")


def kanji_number(value: int) -> str:
    """A whole number in kanji numerals as they are read: 2026 → 二千二十六,
    10000 → 一万, 1200 → 千二百."""
    if value == 0:
        return "〇"
    said = ""
    for size, name in _LARGE:
        if value >= size:
            said += _below_ten_thousand(value // size, leading_one=True) + name
            value %= size
    return said + _below_ten_thousand(value, leading_one=False)


def _below_ten_thousand(value: int, *, leading_one: bool) -> str:
    """0–9999 in kanji: 一 is left out before 千, 百 and 十 (千二百, not 一千二百), except
    for 千 in front of a larger unit (一千万)."""
    said = ""
    for size, name in _SMALL:
        digit, value = divmod(value, size)
        if digit:
            one = "一" if digit > 1 or (leading_one and size == 1000) else ""
            said += (_KANJI_DIGITS[digit] if digit > 1 else one) + name
    if value:
        said += _KANJI_DIGITS[value]
    return said


def normalize_japanese(text: str) -> str:
    """Japanese text with its numbers in kanji numerals (see the module's note)."""
    text = text.translate(_FULL_WIDTH)
    if not any(c.isdigit() for c in text):
        return text
    text = _CLOCK.sub(lambda m: f"{int(m.group(1))}時" + (f"{int(m.group(2))}分" if int(m.group(2)) else ""), text)

    def read(m: re.Match[str]) -> str:
        whole, fraction, percent = m.group(1), m.group(2), m.group(3)
        said = kanji_number(int(whole.replace(",", "")))
        if fraction:
            said += "点" + "".join(_KANJI_DIGITS[int(d)] for d in fraction)
        return said + ("パーセント" if percent else "")

    return _NUMBER.sub(read, text)


def normalize_chinese(text: str) -> str:
    """Mandarin text with thousands commas dropped and clock times in 点 and 分."""
    text = text.translate(_FULL_WIDTH)
    if not any(c.isdigit() for c in text):
        return text
    text = _CLOCK.sub(lambda m: f"{int(m.group(1))}点" + (f"{int(m.group(2))}分" if int(m.group(2)) else ""), text)
    return _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
