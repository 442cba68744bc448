"""Abbreviations and titles in English as a newsreader says them: titles before names,
initialisms, party tags, states, organizations and the general abbreviations of newswriting,
with the full stops that also end a sentence kept; symbols read as words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from audiogen.spoken import tables
from audiogen.spoken.newswriting import newswriting
from audiogen.spoken.sentences import SENTENCE_STARTERS, ends_sentence


def stop_ends_sentence(m: re.Match[str]) -> bool:
    """Whether the period a rule just read also ends its sentence: nothing follows, or a
    word that opens sentences ("St. It was …"), not a name or a quadrant ("Ave. NW")."""
    rest = m.string[m.end() :]
    if not rest.strip():
        return True
    following = re.match(r"\s+([\"'“‘]|[A-Z][\w'’]*)", rest)
    return following is not None and (following.group(1) in SENTENCE_STARTERS or not following.group(1)[0].isalpha())


def any_case(words: Iterable[str]) -> list[str]:
    """Each word as written in running text, at a sentence's start and in a headline."""
    return [form for word in words for form in (word, word.capitalize(), word.upper())]


def read_name_initial(m: re.Match[str]) -> str:
    following = re.match(r"(?:[A-Z]\.\s)*([A-Z][\w'\u2019]*)", m.string[m.end() :])
    if following and following.group(1) in SENTENCE_STARTERS:  # "Plan B. The report": a stop
        return m.group(0)
    return m.group(1) + " "


_NUMBER_WORD_BEFORE = re.compile(
    r"(?:\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|oh|hundred|o'clock)|teen|ty)\s$"
)


def read_prime_minister(m: re.Match[str]) -> str:
    """ "PM Keir Starmer"; "ten PM Eastern" is a time."""
    return m.group(0) if _NUMBER_WORD_BEFORE.search(m.string, 0, m.start()) else "Prime Minister"


def read_title(m: re.Match[str]) -> str:
    return tables.TITLES[m.group(1)]


def read_initialism(m: re.Match[str]) -> str:
    """ "U.S." → "US" (spelled out for the voice later; see ``lexicon``)."""
    letters = m.group(1).replace(".", "").upper()
    # Text reaches here a sentence at a time: only a final period ends the sentence.
    return letters + ("." if m.group(1).endswith(".") and not m.string[m.end() :].strip() else "")


def read_number_sign(m: re.Match[str]) -> str:
    return "number "


def read_symbol(m: re.Match[str]) -> str:
    return f" {tables.SYMBOLS[m.group(0)]} "


NEWS = newswriting()


def keep_stop(m: re.Match[str]) -> str:
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
    return "." if (verdict if verdict is not None else stop_ends_sentence(m)) else ""


def _lookup(table: dict[str, str], form: str) -> str:
    """``form`` as written, else with its first letter lowered or raised ("Approx.")."""
    for key in (form, form[:1].lower() + form[1:], form[:1].upper() + form[1:], form.upper()):
        if key in table:
            return table[key]
    raise KeyError(form)


def alternation(forms: object) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))  # type: ignore[call-overload]


def read_party_tag(m: re.Match[str]) -> str:
    """ "D-N.Y." → "Democrat of New York", "R-Ariz." → "Republican of Arizona"."""
    state = m.group("state").rstrip(".")
    name = NEWS.states_postal.get(state) or NEWS.states_ap.get(state) or state
    return f"{NEWS.parties[m.group('party')]} of {name}"


def read_ap_state(m: re.Match[str]) -> str:
    return lead_words(m) + NEWS.states_ap[m.group("state")] + keep_stop(m)


def lead_words(m: re.Match[str]) -> str:
    """The context a rule matched before the abbreviation it reads, given back."""
    return (m.groupdict().get("lead") or "") if "lead" in m.re.groupindex else ""


def read_after_name(m: re.Match[str]) -> str:
    return f"{m.group(1)}{NEWS.after_names[m.group(2)]}{keep_stop(m)}"


def read_degree(m: re.Match[str]) -> str:
    return NEWS.degrees[m.group(1)] + keep_stop(m)


def read_organization(m: re.Match[str]) -> str:
    written = m.group(1)
    spoken = NEWS.organizations.get(written) or NEWS.organizations[written.capitalize()].lower()
    return spoken + keep_stop(m)


def read_general(m: re.Match[str]) -> str:
    spoken = _lookup(NEWS.general, m.group(1))
    if m.group(1) not in NEWS.general and spoken[0].islower():
        spoken = spoken[0].upper() + spoken[1:]  # "Approx. 3/4 of …" opens its sentence
    return spoken + keep_stop(m)


def read_numbered(m: re.Match[str]) -> str:
    return _lookup(NEWS.numbered, m.group(1)) + " "


def either_first_letter(forms: Iterable[str]) -> list[str]:
    """Each form as written and with its first letter capitalised (it may open a sentence)."""
    out: list[str] = []
    for form in forms:
        out.append(form)
        if form[:1].islower() and len(form) > 1:  # "V." is an initial, not "versus"
            out.append(form[:1].upper() + form[1:])
    return out


#: states written in full in a party tag ("R-Ohio")
FULL_STATE_TAGS = ("Ohio", "Texas", "Utah", "Iowa", "Idaho", "Maine", "Alaska", "Hawaii", "Guam")


#: organizations read only with their period: without it they are words or names
ORGANIZATIONS_NEED_STOP = frozenset(
    {"Co", "Cos", "Comm", "Div", "Dist", "Admin", "Dem", "Dems", "Acad", "Inst", "Cong", "Hosp", "Rte", "Assoc", "Fed"}
)


#: lower-case abbreviations also read without their period
GENERAL_BARE = frozenset({"vs", "etc", "aka"})


def read_slash_words(m: re.Match[str]) -> str:
    left, right = m.group(1), m.group(2)
    if right == "or":  # "and/or"
        return f"{left} or"
    joiner = "or" if left.islower() and right.islower() else "slash"
    return f"{left} {joiner} {right}"
