"""Which text a rule's match must contain, so a rule that cannot match a sentence is
skipped without scanning it.

The English rules are a hundred regular expressions run one after another; scanning
every sentence with each is most of the time ``normalize`` takes. Each pattern's parse
tree says what any match must hold: a "%" for a percentage, a digit for a number, "www."
or "://" for a link, one of "Mon", "Tue", … for a weekday. A sentence without it is passed
over. The gate is derived from the pattern itself, so it cannot fall out of step with it.
"""

from __future__ import annotations

import importlib
import re
import string
from dataclasses import dataclass
from typing import Any

_sre: Any
_sre_parse: Any
try:  # the parser behind ``re``; without it (another Python), every rule simply runs
    _sre = importlib.import_module("re._constants")
    _sre_parse = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover
    _sre = _sre_parse = None

#: a gate that costs more than this to check is not worth having
MAX_COST = 24
_DIGITS = frozenset(string.digits)
#: characters in nearly every sentence: a gate on them passes everything
_COMMON = frozenset(" etaoinsrhldcuETAOINSRHLDCU")

Tokens = frozenset[str]


@dataclass(frozen=True)
class Gate:
    """A text passes when it holds one of ``chars`` or one of ``strings`` (compared in
    lower case when ``ignore_case``)."""

    chars: frozenset[str]
    strings: tuple[str, ...]
    ignore_case: bool

    def passes(self, text: str, chars: frozenset[str], lowered: str) -> bool:
        if self.ignore_case:
            return any(c in lowered for c in self.chars) or any(s in lowered for s in self.strings)
        return not self.chars.isdisjoint(chars) or any(s in text for s in self.strings)


def gates_for(pattern: re.Pattern[str]) -> tuple[Gate, ...]:
    """The two most selective gates ``pattern`` has (none when nothing useful is known)."""
    if _sre_parse is None:
        return ()
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - a pattern ``re`` compiled always parses
        return ()
    ignore_case = bool(pattern.flags & re.IGNORECASE)
    candidates = sorted((t for t in _candidates(list(parsed), ignore_case) if _cost(t) <= MAX_COST), key=_cost)
    gates: list[Gate] = []
    for tokens in candidates[:2]:
        chars = frozenset(t for t in tokens if len(t) == 1)
        gates.append(Gate(chars, tuple(sorted(t for t in tokens if len(t) > 1)), ignore_case))
    return tuple(gates)


def passes(gates: tuple[Gate, ...], text: str, chars: frozenset[str]) -> bool:
    """Whether ``text`` (made of ``chars``) passes every gate."""
    lowered = ""
    for gate in gates:
        if gate.ignore_case and not lowered:
            lowered = text.lower()
        if not gate.passes(text, chars, lowered):
            return False
    return True


def _cost(tokens: Tokens) -> float:
    return sum((25 if t in _COMMON else 1) if len(t) == 1 else 0.5 for t in tokens)


def _candidates(items: list[tuple[Any, Any]], ignore_case: bool) -> list[Tokens]:
    """Token sets one of whose members every match of this sequence holds: one per
    mandatory element, and one per run of literal characters ("www.")."""
    found: list[Tokens] = []
    run = ""
    for op, value in items:
        if op is _sre.LITERAL:
            run += chr(value)
            continue
        if run:
            found.append(frozenset({run.lower() if ignore_case else run}))
        run = ""
        tokens = _element(op, value, ignore_case)
        if tokens is not None:
            found.append(tokens)
    if run:
        found.append(frozenset({run.lower() if ignore_case else run}))
    return found


def _best(items: list[tuple[Any, Any]], ignore_case: bool) -> Tokens | None:
    candidates = _candidates(items, ignore_case)
    return min(candidates, key=_cost) if candidates else None


def _element(op: Any, value: Any, ignore_case: bool) -> Tokens | None:
    if op is _sre.LITERAL:
        char = chr(value)
        return frozenset({char.lower() if ignore_case else char})
    if op is _sre.IN:
        return _char_class(value, ignore_case)
    if op is _sre.SUBPATTERN:
        return _best(list(value[-1]), ignore_case)
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
        low, _high, item = value
        return _best(list(item), ignore_case) if low >= 1 else None
    if op is _sre.BRANCH:
        union: set[str] = set()
        for alternative in value[1]:
            found = _best(list(alternative), ignore_case)
            if found is None:
                return None
            union |= found
        return frozenset(union)
    return None  # assertions, anchors, "." and backreferences require nothing


def _char_class(items: list[tuple[Any, Any]], ignore_case: bool) -> Tokens | None:
    chars: set[str] = set()
    for op, value in items:
        if op is _sre.LITERAL:
            chars.add(chr(value))
        elif op is _sre.RANGE:
            low, high = value
            if high - low > MAX_COST:
                return None
            chars |= {chr(code) for code in range(low, high + 1)}
        elif op is _sre.CATEGORY and value is _sre.CATEGORY_DIGIT:
            chars |= _DIGITS
        else:  # \w, \s, a negated class: any character might do
            return None
    return frozenset(c.lower() for c in chars) if ignore_case else frozenset(chars)
