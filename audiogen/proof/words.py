"""Word-level proof: a single word said as another, dropped or said twice, which a
sentence's score hides (one wrong word of fifteen still scores 0.93).

Every word the first hearing got wrong makes its sentence heard again, by the second
model; a word is reported only when both hearings show the same thing at the same meant
word, so one recognizer's slip is not a finding. A word heard as another counts only
when the two *sound* different in the voice's own phonemes (espeak-ng's, as Piper and
Kokoro speak): "won" for "one", "mays" for "Mace" are the recognizer's spelling, not a
misreading. A word heard merged with its neighbour ("everyday" for "every day") is
neither dropped nor misread.
"""

from __future__ import annotations

import os
import re
from collections.abc import Set as AbstractSet
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from audiogen.proof.compare import FUNCTION_WORDS, align, word_events
from audiogen.proof.fold import fold

#: two words whose phonemes are at least this alike sound the same to a listener
SOUNDALIKE = 0.55
#: an extra word at least this like its neighbour is that word said again, heard askew
ECHO = 0.6
#: a heard word at least this like two meant words said together is them, run together
MERGED = 0.75
#: a word of grammar heard as a content word less like it than this was said as another
STRANGER = 0.3
#: a meant word whose heard words sound at least this like it costs its sentence nothing:
#: the recognizer's spelling ("hachel" for "Hochul", "just as" for "Justices"), where a
#: word said as another ("umbrella" for "captain") is far from it
SPELLED_ITS_WAY = 0.6


#: the words of a web address, read by rule ("example dot org slash budget"): a
#: recognizer writes the address its own way, which the sentence's score weighs
_ADDRESS_WORDS = frozenset({"dot", "slash", "www", "http", "https", "com", "org", "net", "gov", "edu"})


def doubted_words(
    meant: list[str], heard: list[str], spelled: frozenset[str] = frozenset()
) -> list[tuple[str, int, str]]:
    """The single-word events worth hearing again: a content word heard as another or
    not at all, any word heard twice. ``spelled``: the words the sentence spells letter
    by letter ("E S T"), which a recognizer writes as it likes ("est", "EST", "E.S.T.")."""
    out = []
    _, owner = align(meant, heard)
    for kind, index, word in word_events(meant, heard):
        wanted = meant[index]
        short = len(wanted) <= 2 and not wanted.isdigit()  # a figure heard as a word is no slip
        pieces = [w for w, at in zip(heard, owner, strict=True) if at == index]
        if kind == "misread" and _in_pieces(wanted, pieces):
            continue  # "6 date" for "sixty-eight": the word heard in pieces, said right
        if wanted in spelled or wanted in _ADDRESS_WORDS or (short and kind != "repeated"):
            continue
        if kind == "inserted":
            # a word said twice that the recognizer wrote as a word like it ("strain the
            # brain"): an extra content word that sounds like a meant word beside it
            if word not in FUNCTION_WORDS and word.isalpha() and _echoes(word, meant, index):
                out.append(("repeated", index, word))
            elif _said_besides(word, meant, index, heard):
                out.append(("inserted", index, word))
            continue
        if kind != "repeated":
            if _merged(meant, heard, index) or (wanted in FUNCTION_WORDS and not _stranger(wanted, word)):
                continue
            if kind == "misread" and wanted[:1].isdigit() and word[:1].isdigit():
                continue  # a figure heard as another figure: recognizers mishear numbers
        out.append((kind, index, word))
    return out


def _in_pieces(wanted: str, pieces: list[str]) -> bool:
    """Whether several heard words together sound like the one meant word they stand for."""
    return len(pieces) > 1 and _sound_likeness(wanted, " ".join(pieces)) >= SPELLED_ITS_WAY


def _said_besides(word: str, meant: list[str], index: int, heard: list[str]) -> bool:
    """Whether a content word heard but not meant, after meant word ``index``, was said
    besides the text ("Louis Roman fourteen" for "Louis XIV"): a word of four letters or
    more sounding like neither meant word beside it, nor, with a heard word beside it,
    like one of them in pieces ("america shed" for "Marrakesh")."""
    if len(word) < 4 or not word.isalpha() or word in FUNCTION_WORDS:
        return False
    beside = [meant[other] for other in (index, index + 1) if 0 <= other < len(meant)]
    if any(_sound_likeness(wanted, word) >= STRANGER for wanted in beside):
        return False
    words = [wanted for wanted in beside if not wanted[:1].isdigit()]  # a figure is written, not split
    for at, said in enumerate(heard):
        if said == word:
            pairs = [" ".join(heard[at - 1 : at + 1]) if at else "", " ".join(heard[at : at + 2])]
            if any(_in_pieces(wanted, pair.split()) for wanted in words for pair in pairs if pair):
                return False
    return True


def _stranger(wanted: str, word: str) -> bool:
    """Whether a short word of grammar was heard as a content word that sounds nothing
    like it ("which" as "giraffe"): a word said as another, not a recognizer's slip."""
    return len(word) >= 4 and word.isalpha() and word not in FUNCTION_WORDS and _sound_likeness(wanted, word) < STRANGER


def _echoes(word: str, meant: list[str], index: int) -> bool:
    """Whether ``word`` sounds like the meant word it follows or the one after it."""
    return any(
        0 <= other < len(meant) and meant[other].isalpha() and _sound_likeness(word, meant[other]) >= ECHO
        for other in (index, index + 1)
    )


def confirmed(
    meant: list[str], first: list[tuple[str, int, str]], second: list[tuple[str, int, str]], language: str = "en"
) -> list[tuple[str, int, str]]:
    """The events both hearings agree on (a word heard as another by both, and sounding
    different from what was meant both times)."""
    again = {(kind, index): word for kind, index, word in second}
    out = []
    for kind, index, word in first:
        if (kind, index) not in again:
            continue
        if kind == "misread" and (
            sounds_alike(meant[index], word, language) or sounds_alike(meant[index], again[(kind, index)], language)
        ):
            continue
        out.append((kind, index, word))
    return out


def spelled_words(text: str) -> frozenset[str]:
    """The words a sentence spells as letters apart ("U S", "A M", "W W W"), as folded."""
    return frozenset("".join(letters.split()).lower() for letters in re.findall(r"\b(?:[A-Za-z] ){1,}[A-Za-z]\b", text))


def name_words(text: str) -> frozenset[str]:
    """The words of a sentence that name someone or something: capitalised inside the
    sentence, or titles and names at its start ("Admiral Susan Miller met …"). A
    recognizer writes an unknown name as it can; a name heard wrong is a softer finding."""
    words = re.findall(r"[A-Za-z][\w'\u2019-]*", text)
    names = {w.lower() for w in words[1:] if w[:1].isupper() and len(w) > 1} - _calendar_words()  # not a letter
    if len(words) > 1 and words[0][:1].isupper() and words[1][:1].isupper():
        names.add(words[0].lower())  # a title or a first name opening the sentence
    return frozenset(names)


@lru_cache(maxsize=1)
def _calendar_words() -> frozenset[str]:
    """Days and months: capitalised, and no names."""
    from audiogen.spoken.newswriting import newswriting

    news = newswriting()
    return frozenset(word.lower() for table in (news.weekdays, news.months) for word in table.values())


def _merged(meant: list[str], heard: list[str], index: int) -> bool:
    """Whether the meant word was heard run together with a neighbour: written as the
    two words joined ("everyday"), or as one word that sounds like them ("rita" for
    "read a")."""
    joined = {meant[index - 1] + meant[index]} if index > 0 else set()
    if index + 1 < len(meant):
        joined.add(meant[index] + meant[index + 1])
    if joined & set(heard):
        return True
    candidates = [word for word in heard if word.isalpha() and word not in meant]
    return any(_sound_likeness(pair, word) >= MERGED for pair in joined if pair.isalpha() for word in candidates)


def soundalikes_forgiven(
    meant: list[str],
    heard: list[str],
    charged: list[float],
    language: str = "en",
    keep: AbstractSet[str] = frozenset(),
    names: frozenset[str] = frozenset(),
) -> list[float]:
    """``charged`` (the cost each meant word was charged) with nothing charged to a word
    whose heard words, together, sound like it (``SPELLED_ITS_WAY``): what a recognizer
    writes its own way was said right. A name (``names``) is forgiven anything that sounds
    at all like it (``STRANGER``): names are judged over their audio ("check this name").
    Words in ``keep`` (an abbreviation's words, whose reading as written sounds like
    them: "sen" for "Senator") keep their charge."""
    if not any(charged):
        return charged
    _, owner = align(meant, heard)
    said: list[list[str]] = [[] for _ in meant]
    for word, at in zip(heard, owner, strict=True):
        if 0 <= at < len(meant):
            said[at].append(word)
    return [
        0.0
        if cost
        and said[at]
        and meant[at] not in keep
        and _sound_likeness(meant[at], " ".join(said[at]), language)
        >= (STRANGER if meant[at] in names else SPELLED_ITS_WAY)
        else cost
        for at, cost in enumerate(charged)
    ]


def sounds_alike(meant: str, heard: str, language: str = "en") -> bool:
    """Whether two words sound the same (or nearly) in espeak-ng's phonemes."""
    if not heard:
        return False
    return _sound_likeness(meant, heard, language) >= SOUNDALIKE


def sound_likeness(one: str, other: str, language: str = "en") -> float:
    """How alike two words sound, 0 to 1 (espeak-ng's phonemes compared)."""
    return _sound_likeness(one, other, language)


def _sound_likeness(one: str, other: str, language: str = "en") -> float:
    a, b = _sounds(one, language), _sounds(other, language)
    if not a or not b:
        return 1.0 if one == other else 0.0
    return SequenceMatcher(None, a, b).ratio()


@lru_cache(maxsize=4096)
def _sounds(word: str, language: str) -> str:
    phonemizer = _phonemizer()
    if phonemizer is None:
        return ""
    voice = "en-us" if language == "en" else language
    try:
        phonemes = phonemizer.phonemize(voice, word)
    except Exception:  # an unknown voice, or a word espeak-ng cannot say: compared as letters
        return ""
    return "".join(p for sentence in phonemes for p in sentence if p not in "ˈˌ ")


@lru_cache(maxsize=1)
def _phonemizer() -> Any:
    try:
        import piper
        from piper.phonemize_espeak import EspeakPhonemizer
    except ImportError:
        return None
    return EspeakPhonemizer(os.path.join(os.path.dirname(piper.__file__), "espeak-ng-data"))


def word_spans(meant: list[str], timed: list[tuple[int, int, str]]) -> list[tuple[int, int, str] | None]:
    """For each folded meant word, the narration's word it belongs to (start, end, text),
    when the narration has word timings: each timed word folded in turn, its tokens laid
    against the meant words in order."""
    spans: list[tuple[int, int, str] | None] = [None] * len(meant)
    position = 0
    for start, end, text in timed:
        for token in fold(text):
            for look in range(position, min(position + 4, len(meant))):
                if meant[look] == token:
                    spans[look] = (start, end, text)
                    position = look + 1
                    break
    return spans
