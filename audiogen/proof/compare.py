"""Meant against heard: an alignment of folded words that forgives a name heard nearly
right and nothing else.

The cost of hearing one word for another is 1, except for two words of four letters or
more that share most of their letters ("Hochul" heard as "Hachul": a recognizer's
spelling of a name it does not know, not a misreading), or of three letters and one more
("Ana" as "Anna"), which cost what they differ by.
A number must be heard exactly.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache
from itertools import pairwise

#: below this likeness two words are simply different
_NEAR = 0.6
_NEAR_SHORT = 0.85
#: a name misspelled by a recognizer is about as long as the name
_SIMILAR_LENGTH = 0.7


@lru_cache(maxsize=4096)
def substitution_cost(meant: str, heard: str) -> float:
    if meant == heard:
        return 0.0
    shorter = min(len(meant), len(heard))
    if meant[:1].isdigit() or heard[:1].isdigit() or shorter < 3:
        return 1.0
    if shorter < _SIMILAR_LENGTH * max(len(meant), len(heard)):
        return 1.0  # much shorter or longer: a word cut short ("Tues." said "tooz"), not misspelled
    likeness = SequenceMatcher(None, meant, heard).ratio()
    # a three-letter word only by a letter more ("Ana" heard "Anna")
    return 1.0 - likeness if likeness >= (_NEAR if shorter >= 4 else _NEAR_SHORT) else 1.0


def _costs(meant: list[str], heard: list[str]) -> list[list[float]]:
    """The edit-distance table of meant against heard words (substitutions at their cost)."""
    rows, columns = len(meant), len(heard)
    cost = [[0.0] * (columns + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        cost[i][0] = float(i)
    for j in range(1, columns + 1):
        cost[0][j] = float(j)
    for i in range(1, rows + 1):
        for j in range(1, columns + 1):
            cost[i][j] = min(
                cost[i - 1][j - 1] + substitution_cost(meant[i - 1], heard[j - 1]),
                cost[i - 1][j] + 1.0,  # meant, not heard
                cost[i][j - 1] + 1.0,  # heard, not meant
            )
    return cost


def align(meant: list[str], heard: list[str]) -> tuple[list[float], list[int]]:
    """For each meant word, the cost charged to it; for each heard word, the index of the
    meant word it was matched to or stands before (-1 when nothing was meant).

    A word heard but not meant costs 1, charged to the meant word it stands before (the
    last one, at the end)."""
    rows, columns = len(meant), len(heard)
    cost = _costs(meant, heard)
    charged = [0.0] * rows
    owner = [-1] * columns
    i, j = rows, columns
    while i > 0 or j > 0:
        if i > 0 and j > 0 and cost[i][j] == cost[i - 1][j - 1] + substitution_cost(meant[i - 1], heard[j - 1]):
            charged[i - 1] += substitution_cost(meant[i - 1], heard[j - 1])
            owner[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + 1.0:
            charged[i - 1] += 1.0
            i -= 1
        else:
            # a word heard but not meant belongs with the meant word it comes before (so a
            # stray word at the start of a sentence is that sentence's, not the last one's)
            target = i if i < rows else i - 1
            owner[j - 1] = target
            if target >= 0:
                charged[target] += 1.0
            j -= 1
    return charged, owner


#: words a voice swallows and a recognizer drops without anything being wrong
FUNCTION_WORDS = frozenset(
    """a an the of to in on at by for and or but as is are was were be been it its that this with from if so
    not no do did does has have had he she they we you i his her their our my your will would can could may
    might should than then into up out over off about when while who what which there here also just all""".split()
)


def word_events(meant: list[str], heard: list[str]) -> list[tuple[str, int, str]]:
    """What happened to single words: ``("misread", i, heard)`` for a meant word heard as
    another, ``("dropped", i, "")`` for one not heard at all, ``("repeated", i, heard)``
    for a word heard twice where it was meant once, ``("inserted", i, heard)`` for any
    other word heard but not meant, after meant word ``i``."""
    rows, columns = len(meant), len(heard)
    cost = _costs(meant, heard)
    events: list[tuple[str, int, str]] = []
    i, j = rows, columns
    while i > 0 or j > 0:
        if i > 0 and j > 0 and cost[i][j] == cost[i - 1][j - 1] + substitution_cost(meant[i - 1], heard[j - 1]):
            if substitution_cost(meant[i - 1], heard[j - 1]) >= 0.9:
                events.append(("misread", i - 1, heard[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + 1.0:
            events.append(("dropped", i - 1, ""))
            i -= 1
        else:
            word = heard[j - 1]
            beside = {heard[k] for k in (j - 2, j) if 0 <= k < columns}
            if word in beside and i > 0 and (meant[i - 1] == word or (i < rows and meant[i] == word)):
                events.append(("repeated", i - 1 if meant[i - 1] == word else i, word))
            elif rows:
                events.append(("inserted", max(0, min(i, rows) - 1), word))  # after meant word i - 1
            j -= 1
    return events[::-1]


def split_heard(sentences: list[list[str]], heard: list[str]) -> list[tuple[list[str], float, list[float]]]:
    """What was heard of each of several consecutive sentences, what it cost, and the
    cost charged to each of its words: the words heard for a stretch of audio holding
    them all, shared out by alignment."""
    meant = [word for sentence in sentences for word in sentence]
    charged, owner = align(meant, heard)
    sentence_of = [index for index, sentence in enumerate(sentences) for _ in sentence]
    heard_by: list[list[str]] = [[] for _ in sentences]
    for j, word in enumerate(heard):
        if sentences:
            heard_by[sentence_of[owner[j]] if owner[j] >= 0 and sentence_of else 0].append(word)
    result: list[tuple[list[str], float, list[float]]] = []
    start = 0
    for index, sentence in enumerate(sentences):
        end = start + len(sentence)
        cost = sum(charged[start:end])
        if not sentence:  # nothing meant: every word heard for it is an error
            cost = float(len(heard_by[index]))
        result.append((heard_by[index], cost, charged[start:end]))
        start = end
    return result


#: a sentence shorter than this is scored as if it had this many words: one word of a
#: two-word headline misheard is not half the headline misread
MIN_WORDS = 4


def misread_phrase(charged: list[float], meant: list[str] | None = None) -> bool:
    """Two words in a row heard as something else: a phrase misread ("Lt. Col." said
    "L T Col"), which one misheard name does not make. Two numbers in a row are left to
    the score: a recognizer mishears figures ("218 to 214" as "280 240") far more often
    than a voice misreads them."""
    words = meant or [""] * len(charged)
    return any(
        a >= 0.9 and b >= 0.9 and not (x[:1].isdigit() or y[:1].isdigit())
        for (a, x), (b, y) in pairwise(zip(charged, words, strict=True))
    )


def abbreviation_read_as_written(meant: list[str], heard: list[str]) -> bool:
    """A word heard as a shortening of what was meant ("feb" for "February", "sgt" for
    "Sergeant"): an abbreviation the voice read as written. A misheard name is almost
    never a shortening of itself."""
    from audiogen.proof.words import SPELLED_ITS_WAY, sound_likeness

    _, owner = align(meant, heard)
    for j, i in enumerate(owner):
        if i < 0:
            continue
        said, wanted = heard[j], meant[i]
        if wanted in FUNCTION_WORDS or (len(said) >= 5 and said[-2:] == wanted[-2:]):
            continue  # "the" for "their", "chairman" for "chairwoman": other words, not shortenings
        if said.isalpha() and wanted.isalpha() and 2 <= len(said) <= len(wanted) - 2 and _shortened(said, wanted):
            pieces = [word for word, at in zip(heard, owner, strict=True) if at == i]
            if len(pieces) > 1 and sound_likeness(wanted, " ".join(pieces)) >= SPELLED_ITS_WAY:
                continue  # heard in pieces ("just as a" for "Justices"), not cut short
            return True
    return False


#: endings a recognizer drops or a speaker swallows ("peaked" heard "peak", "highest" heard "high"): a word heard
#: without one is that word misheard, not shortened
_ENDINGS = ("s", "es", "d", "ed", "ing", "er", "ers", "est", "ly")


def _shortened(said: str, wanted: str) -> bool:
    """Whether ``said`` is ``wanted`` cut short as newswriting cuts words: its first
    letter, then some of its letters in order ("sgt" of "sergeant", "feb" of "february"),
    and not the word without an ending ("peak" of "peaked")."""
    if said[0] != wanted[0] or any(wanted in (said + ending, said + said[-1] + ending) for ending in _ENDINGS):
        return False  # "peak" of "peaked", "top" of "topped"
    rest = iter(wanted[1:])
    return all(letter in rest for letter in said[1:])


def misread(meant: list[str], heard: list[str], charged: list[float]) -> bool:
    """A misreading a score can hide in a long sentence: a phrase said as something else,
    or an abbreviation read as written."""
    return misread_phrase(charged, meant) or abbreviation_read_as_written(meant, heard)


def score(meant_words: int, cost: float) -> float:
    """The share of a sentence's words heard as meant (1.0 for a sentence with none)."""
    if meant_words == 0:
        return 1.0 if cost == 0 else 0.0
    return max(0.0, 1.0 - cost / max(meant_words, MIN_WORDS))
