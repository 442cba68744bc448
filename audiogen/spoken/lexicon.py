"""Pronunciation lexicons: how the voice should say names and letters.

A lexicon is a TOML file (``voices/lexicon/en.toml`` ships with audiogen; a voice preset
may name its own and ``--lexicon FILE`` adds a user's) with

* ``acronyms``: upper-case words read as words ("NATO", "MAX"), ``initialisms``: words
  spelled out ("ACLU"); any other all-capital word of two to eight letters is said when
  its letters make English syllables ("FEMA", "HELP") and spelled when they do not or
  when it is three letters or fewer ("FBI", "USMC"), as newsreaders do (``pronounceable``);
* ``[words]``: a word → ``{ say = "respelling" }`` and/or ``{ ipa = "phonemes" }``.
  Engines that take phonemes (Piper reads ``[[ ... ]]`` as espeak-ng IPA) get ``ipa``;
  the others get ``say``. An entry may be a phrase of several words ("Banco Santander"),
  matched whole before single words, and may ask for its case exactly (``exact = true``).

Matching is whole-word and case-aware: an entry written with a capital ("Macron") matches
only capitalised forms (``Macron``, ``MACRON``), a lower-case entry matches any case, an
exact one only as written. Later lexicons override earlier ones.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from audiogen.errors import VoiceError

PHONEME_ENGINES = frozenset({"piper"})
_WORD = re.compile(r"(?<![\w\[-])([A-Za-z](?:[A-Za-z'\u2019]*[A-Za-z])?)(?![\w\]-])")
_POSSESSIVE = re.compile(r"^(.*?)(['\u2019]s)?$")
_UPPER_RUN = re.compile(r"^[A-Z]{2,8}s?$")


@dataclass(frozen=True)
class Pronunciation:
    say: str | None = None
    ipa: str | None = None
    #: matched only in the case it is written in
    exact: bool = False


@dataclass
class Lexicon:
    acronyms: set[str] = field(default_factory=set)
    words: dict[str, Pronunciation] = field(default_factory=dict)
    initialisms: set[str] = field(default_factory=set)

    def merge(self, other: Lexicon) -> Lexicon:
        """``other`` over this one: an entry of ``other`` replaces this one's for the same
        word in any case ("kyiv" over "Kyiv"), unless it asks for its own case only."""
        words = dict(self.words)
        for key, entry in other.words.items():
            if not entry.exact:
                for old in [k for k in words if k.lower() == key.lower()]:
                    del words[old]
            words[key] = entry
        return Lexicon(
            (self.acronyms - other.initialisms) | other.acronyms,
            words,
            (self.initialisms - other.acronyms) | other.initialisms,
        )

    def lookup(self, word: str) -> Pronunciation | None:
        """Exact form first; "MACRON" finds "Macron"; a lower-case entry finds any case."""
        found = self.words.get(word)
        if found is None and word.isupper() and len(word) > 1:
            found = self.words.get(word.capitalize())
            found = None if found is not None and found.exact else found
        if found is None:
            found = self.words.get(word.lower())
            found = None if found is not None and found.exact and word != word.lower() else found
        return found

    def apply(self, text: str, engine: str = "") -> str:
        """The spoken text with lexicon words replaced and initialisms spelled out."""
        shouting = _mostly_upper(text)
        use_ipa = engine in PHONEME_ENGINES
        text = self._phrases(text, use_ipa)

        def replace(match: re.Match[str]) -> str:
            token = match.group(1)
            root, possessive = _split_possessive(token)
            found = self.lookup(root)
            if found is not None:
                if use_ipa and found.ipa:
                    return f"[[ {found.ipa}{'z' if possessive else ''} ]]"
                if found.say:
                    return found.say + (possessive or "")
            if not shouting and _UPPER_RUN.match(root):
                plural = root.endswith("s") and len(root) > 2
                letters = root[:-1] if plural else root
                if letters in self.acronyms or (letters not in self.initialisms and pronounceable(letters)):
                    return letters.capitalize() + ("s" if plural else "") + (possessive or "")
                # Letters joined by hyphens are read as letter names by espeak-ng (which
                # Piper uses too); "AM" alone would be the word "am", "A M" "uh em".
                return "-".join(letters) + ("'s" if plural else "") + (possessive or "")
            return token

        return _WORD.sub(replace, text)

    def _phrases(self, text: str, use_ipa: bool) -> str:
        """Entries of several words, replaced whole (longest first)."""
        phrases = [(key, entry) for key, entry in self.words.items() if " " in key.strip()]
        if not phrases:
            return text
        for key, entry in sorted(phrases, key=lambda item: -len(item[0])):
            said = f"[[ {entry.ipa} ]]" if use_ipa and entry.ipa else entry.say
            if not said:
                continue
            words = r"\s+".join(re.escape(part) for part in key.split())
            flags = 0 if entry.exact or any(c.isupper() for c in key) else re.IGNORECASE
            text = re.sub(rf"(?<![\w\[-]){words}(?![\w\]-])", lambda _m, said=said: said, text, flags=flags)
        return text


# -- say or spell ---------------------------------------------------------------------
# An all-capital word is said as a word when its letters make English syllables
# ("NASA", "FEMA", "HELP", "EBITDA") and spelled when they cannot ("FBI", "USMC", "NYPD").
# Three letters or fewer are spelled (news initialisms: "GOP", "DOJ", "CEO") unless listed.
_VOWELS = frozenset("AEIOU")
_ONSETS = frozenset(
    """B C D F G H J K L M N P Q R S T V W X Y Z BL BR CH CL CR DR FL FR GL GN GR KL KN KR PH PL PR
    QU SC SH SK SL SM SN SP ST SW TH TR TW WH WR SCH SCR SHR SPL SPR SQU STR THR""".split()
)
_CODAS = frozenset(
    """B C D F G K L M N P R S T V W X Z CH CK CT FT GH LD LF LK LM LP LT MB MP ND NG NK NS NT NN
    LL SS FF TT PH PT RB RC RD RF RG RK RL RM RN RP RS RT SH SK SP ST TH TS TZ WN WS NCH RCH RST RTH
    Q BS CS DS GS KS LS MS PS NDS NTS RDS RKS RTS""".split()
)
_VOWEL_PAIRS = frozenset("AI AU EA EE EI EO EU IA IE IO OA OE OI OO OU UA UE UI AY EY OY".split())
_DIGRAPHS = frozenset({"SH", "CH", "TH", "PH", "CK"})


def pronounceable(word: str) -> bool:
    """Whether an all-capital word of four letters or more reads as English syllables."""
    if len(word) < 4:
        return False
    # Y is a vowel at the end of a word or where no other vowel is ("NIMBY", "NYPD").
    has_vowel = any(c in _VOWELS for c in word)
    letters = "".join(
        "V" if c in _VOWELS or (c == "Y" and (i == len(word) - 1 or not has_vowel)) else "C" for i, c in enumerate(word)
    )
    clusters = [(m.group(0)[0], word[m.start() : m.end()]) for m in re.finditer(r"V+|C+", letters)]
    if not any(kind == "V" for kind, _ in clusters):
        return False
    for index, (kind, text) in enumerate(clusters):
        first, last = index == 0, index == len(clusters) - 1
        if kind == "V":
            if len(text) > 2 or (len(text) == 2 and text not in _VOWEL_PAIRS):
                return False
        elif (
            (first and text not in _ONSETS)
            or (last and text not in _CODAS)
            or (
                not first
                and not last
                and not any(
                    (text[:cut] in _CODAS or not text[:cut]) and text[cut:] in _ONSETS for cut in range(len(text))
                )
            )
        ):
            return False
    # "USDA", "ACLU": a vowel, two consonants that make no sound together, a vowel
    return not (len(word) == 4 and letters == "VCCV" and word[1:3] not in _DIGRAPHS)


def _split_possessive(token: str) -> tuple[str, str | None]:
    match = _POSSESSIVE.match(token)
    assert match is not None
    return match.group(1), match.group(2)


def _mostly_upper(text: str) -> bool:
    """A headline in capitals: its words are words, not initialisms."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 12 and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def load_lexicon(path: Path) -> Lexicon:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VoiceError(f"cannot read lexicon {path}: {exc}") from None
    return parse_lexicon(text, f"lexicon {path}")


def parse_lexicon(text: str, where: str = "the lexicon") -> Lexicon:
    """A lexicon from its TOML text; ``where`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise VoiceError(f"cannot read {where}: {exc}", hint="check its TOML syntax") from None
    unknown = set(data) - {"acronyms", "initialisms", "words"}
    if unknown:
        raise VoiceError(
            f"{where} has unknown keys: {', '.join(sorted(unknown))}",
            hint="use 'acronyms', 'initialisms' and [words]",
        )
    lists: dict[str, set[str]] = {}
    for key in ("acronyms", "initialisms"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
            raise VoiceError(f"{where}: '{key}' must be a list of words")
        lists[key] = set(value)
    table = data.get("words", {})
    if not isinstance(table, dict):
        raise VoiceError(f"{where}: 'words' must be a table of word = \"what to say\"")
    words: dict[str, Pronunciation] = {}
    for word, entry in table.items():
        if isinstance(entry, str):
            entry = {"say": entry}
        # each given value a string: a number, a list or a nested table would fail only
        # later, in the middle of a narration
        exact = entry.get("exact", False) if isinstance(entry, dict) else False
        spoken = {k: v for k, v in entry.items() if k != "exact"} if isinstance(entry, dict) else entry
        if (
            not isinstance(spoken, dict)
            or not spoken
            or set(spoken) - {"say", "ipa"}
            or not all(isinstance(value, str) for value in spoken.values())
            or not isinstance(exact, bool)
        ):
            raise VoiceError(
                f'{where}: entry \'{word[:60]}\' needs say = "..." and/or ipa = "..." (and exact = true or false)'
            )
        words[word] = Pronunciation(say=spoken.get("say"), ipa=spoken.get("ipa"), exact=exact)
    return Lexicon(lists["acronyms"], words, lists["initialisms"])


def sayings(paths: Iterable[str | Path]) -> dict[str, str]:
    """The user's lexicon files as word → what it is said as (its ``say``, else its
    ``ipa``), later files over earlier ones: what a proof report names."""
    out: dict[str, str] = {}
    for path in paths:
        for word, entry in load_lexicon(Path(path)).words.items():
            said = entry.say or (f"/{entry.ipa}/" if entry.ipa else None)
            if said:
                out[word] = said
    return out


def shipped_lexicon_path(language: str) -> Path:
    from audiogen.voices import shipped_presets_dir

    return shipped_presets_dir() / "lexicon" / f"{language}.toml"


def build_lexicon(language: str, extra: Iterable[Path] = ()) -> Lexicon:
    """The shipped lexicon for ``language`` (if any) with ``extra`` files over it, in order."""
    lexicon = Lexicon()
    shipped = shipped_lexicon_path(language)
    if shipped.is_file():
        lexicon = load_lexicon(shipped)
    for path in extra:
        if not Path(path).is_file():
            raise VoiceError(f"no such lexicon file: {path}")
        lexicon = lexicon.merge(load_lexicon(Path(path)))
    return lexicon
