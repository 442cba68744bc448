"""Articles made up for benchmarks: plain news-like prose of a chosen length, the same
every time (a seeded generator), written as Markdown with a heading every few paragraphs."""

from __future__ import annotations

import random

SUBJECTS = [
    "The city council",
    "The harbor authority",
    "A group of engineers",
    "The regional hospital",
    "Local farmers",
    "The school board",
    "Transit officials",
    "The weather service",
    "A team of volunteers",
    "The new library",
]
VERBS = [
    "approved a plan to",
    "announced that it would",
    "said on Monday it expects to",
    "has spent two years trying to",
    "voted narrowly to",
    "is asking residents to help",
]
OBJECTS = [
    "rebuild the north pier before winter",
    "extend bus service to the outer districts",
    "replace the aging water mains under Main Street",
    "open a second clinic near the river",
    "plant four hundred trees along the old rail line",
    "publish its budget in plain language",
    "hire more nurses for the night shift",
    "study why the spring floods keep getting worse",
]
TAILS = [
    "Critics said the cost was too high.",
    "Supporters called it overdue.",
    "The work is expected to take several months.",
    "Residents will be able to comment at a public meeting next week.",
    "Officials did not say how it would be paid for.",
    "It is the third such proposal in a decade.",
]


TOWNS = [
    "Ashford",
    "Bramley",
    "Calder",
    "Dunmore",
    "Elton",
    "Fairhaven",
    "Glenrock",
    "Holloway",
    "Ivybridge",
    "Jarrow",
    "Kelso",
    "Langley",
    "Marlow",
    "Newbury",
    "Oakham",
    "Penrith",
    "Quarry Bank",
    "Redcar",
    "Selby",
    "Thirsk",
    "Ulverston",
    "Ventnor",
    "Whitby",
    "Yarm",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def paragraph(rng: random.Random, sentences: int = 4, seen: set[str] | None = None) -> str:
    """A paragraph of ``sentences``. Given ``seen`` (the sentences so far), every one is
    new: real articles do not repeat themselves, and a repeated sentence is spoken only
    once, which would flatter a benchmark that compares against speaking every one."""
    out = []
    for index in range(sentences):
        for _attempt in range(1000):
            if index < sentences - 1:
                subject = rng.choice(SUBJECTS)
                if seen is not None:
                    subject += f" in {rng.choice(TOWNS)}"
                sentence = f"{subject} {rng.choice(VERBS)} {rng.choice(OBJECTS)}."
            else:
                sentence = rng.choice(TAILS)
                if seen is not None:
                    sentence = f"{sentence[:-1]}, {rng.choice(TOWNS)} was told on {rng.choice(DAYS)}."
            if seen is None or sentence not in seen:
                break
        if seen is not None:
            seen.add(sentence)
        out.append(sentence)
    return " ".join(out)


def article(
    words: int, *, seed: int = 1, paragraphs_per_section: int = 6, unique: bool = False
) -> tuple[str, list[str]]:
    """(Markdown text, paragraphs) of about ``words`` words; with ``unique``, no sentence
    comes twice."""
    rng = random.Random(seed)
    seen: set[str] | None = set() if unique else None
    paragraphs: list[str] = []
    count = 0
    while count < words:
        text = paragraph(rng, seen=seen)
        paragraphs.append(text)
        count += len(text.split())
    return render(paragraphs, paragraphs_per_section), paragraphs


def render(paragraphs: list[str], paragraphs_per_section: int = 6) -> str:
    lines = ["# A long report from the coast", ""]
    for index, text in enumerate(paragraphs):
        if index and index % paragraphs_per_section == 0:
            lines += [f"## Part {index // paragraphs_per_section + 1}", ""]
        lines += [text, ""]
    return "\n".join(lines)
