from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audiogen import normalize, split_sentences
from audiogen.normalize import MAX_SENTENCE_CHARS
from audiogen.textsplit import split_long


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith went to Washington, D.C. on Feb. 20. He met the U.S. president.",
            ["Mr. Smith went to Washington, D.C. on Feb. 20.", "He met the U.S. president."],
        ),
        (
            "Dr. Jones lives at No. 5 Main St. in the city. She is 4.5 feet tall.",
            ["Dr. Jones lives at No. 5 Main St. in the city.", "She is 4.5 feet tall."],
        ),
        (
            "Some fruits, e.g. apples, are red. Others are not.",
            ["Some fruits, e.g. apples, are red.", "Others are not."],
        ),
        (
            "\"It's not in your interest,'\" Macron said on Feb. 20. Then he left.",
            ["\"It's not in your interest,'\" Macron said on Feb. 20.", "Then he left."],
        ),
        ('He paused... then spoke. "Why?" she asked.', ["He paused... then spoke.", '"Why?" she asked.']),
    ],
)
def test_split_sentences_survives_abbreviations(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_long_sentences_are_split_at_clauses() -> None:
    clause = "the council met again to discuss the budget for the coming year"
    sentence = ", ".join([clause] * 8) + "."
    pieces = split_sentences(sentence)
    assert len(pieces) > 1
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in pieces)
    assert " ".join(pieces) == sentence


@given(st.lists(st.text(alphabet="abcdefgh ,;", min_size=1, max_size=30), min_size=1, max_size=30))
def test_split_long_keeps_every_word(parts: list[str]) -> None:
    text = " ".join(parts)
    pieces = split_long(text, 40)
    assert " ".join(pieces).split() == text.split()
    assert all(len(p) <= 40 or " " not in p for p in pieces)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("on Feb. 20", "on February 20"),
        ("Washington, D.C., where", "Washington, D C, where"),
        ("U.S. President Donald Trump", "U S President Donald Trump"),
        ("in the U.K.", "in the U K."),
        ("Dr. Smith and Gen. Jones", "Doctor Smith and General Jones"),
        ("Lt. Col. Vance", "Lieutenant Colonel Vance"),
        ("a 30% rise", "a 30 percent rise"),
        ("No. 5", "number 5"),
        ("apples vs. oranges", "apples versus oranges"),
        ("war \u2014 and peace", "war, and peace"),
        ("salt & pepper", "salt and pepper"),
    ],
)
def test_normalize_english(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


def test_other_languages_pass_through() -> None:
    text = "Le 20 févr. 2025, M. Macron a parlé à 30 % des électeurs."
    assert normalize(text, lang="fr") == text
    assert split_sentences("Bonjour. Je suis là.", lang="fr") == ["Bonjour.", "Je suis là."]
