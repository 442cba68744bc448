from __future__ import annotations

from audiogen import Article, Pauses, Segment, build_script

PAUSES = Pauses(notice=901, title=1102, heading=853, sentence=204, paragraph=705, quote=656, list_item=427)


def _article() -> Article:
    return Article(
        title="Budget Day",
        segments=[
            Segment("paragraph", "The council met on Feb. 20. It voted twice."),
            Segment("heading", "What was decided", level=2),
            Segment("list_item", "A new library.", level=1, position=1, ordered=True),
            Segment("list_item", "A bus lane.", level=1, position=2, ordered=True),
            Segment("quote", "We did what we could."),
            Segment("paragraph", "The mayor left early."),
            Segment("paragraph", "* * *"),
        ],
    )


def test_notice_comes_first_then_title() -> None:
    script = build_script(_article(), PAUSES)
    assert [p.kind for p in script.parts[:2]] == ["notice", "title"]
    assert script.parts[0].sentences[0].display == "This audio was generated with AI assistance."
    assert script.parts[0].sentences[-1].pause_after_ms == 901
    assert script.parts[1].sentences[-1].pause_after_ms == 1102


def test_notice_can_be_changed_or_left_out() -> None:
    assert build_script(_article(), PAUSES, notice=None).parts[0].kind == "title"
    custom = build_script(_article(), PAUSES, notice="A synthetic voice reads this story.")
    assert custom.parts[0].sentences[0].spoken == "A synthetic voice reads this story."


def test_pauses_follow_structure() -> None:
    script = build_script(_article(), PAUSES, notice=None)
    by_kind = {(p.kind, p.segment_index): [s.pause_after_ms for s in p.sentences] for p in script.parts}
    assert by_kind[("paragraph", 0)] == [204, 705]
    assert by_kind[("heading", 1)] == [853]
    assert by_kind[("list_item", 2)] == [427]
    # the last item ends the list, and the quote that follows wants room before it
    assert by_kind[("list_item", 3)] == [705]
    assert by_kind[("quote", 4)] == [705]
    assert by_kind[("paragraph", 5)] == [705]


def test_room_before_a_quote_is_at_least_the_quote_pause() -> None:
    pauses = Pauses(paragraph=300, quote=900)
    article = Article(title="T", segments=[Segment("paragraph", "Before."), Segment("quote", "Quoted.")])
    script = build_script(article, pauses, notice=None)
    assert script.parts[1].sentences[-1].pause_after_ms == 900
    assert script.parts[2].sentences[-1].pause_after_ms == 900


def test_display_text_stays_exact_and_unspeakable_parts_are_dropped() -> None:
    script = build_script(_article(), PAUSES, notice=None)
    first = script.parts[1].sentences[0]
    assert first.display == "The council met on Feb. 20."
    assert first.spoken == "The council met on February twentieth."
    assert all(p.segment_index != 6 for p in script.parts)  # "* * *" says nothing
    assert script.sentence_count == 1 + 2 + 1 + 1 + 1 + 1 + 1


def test_a_long_run_without_spaces_reaches_the_voice_in_pieces() -> None:
    import random

    from audiogen.spoken import MAX_SENTENCE_CHARS
    from audiogen.textsplit import MAX_WORD_CHARS

    rng = random.Random(7)
    blob = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(1900))
    article = Article(title="Long", segments=[Segment("paragraph", f"The key was {blob} and nothing else.")])
    script = build_script(article, PAUSES, notice=None)
    spoken = [sentence.spoken for _, _, sentence in script.sentences()]
    assert max(len(s.display) for _, _, s in script.sentences()) <= MAX_SENTENCE_CHARS
    assert max(len(word) for s in spoken for word in s.split()) <= MAX_WORD_CHARS
    assert "".join(s.display for _, _, s in script.sentences()).replace(" ", "").count(blob[:500]) == 1


def test_an_absurdly_long_word_is_refused_at_once() -> None:
    import pytest

    from audiogen.errors import ExtractionError

    article = Article(title="Long", segments=[Segment("paragraph", "Fine."), Segment("paragraph", "x" * 100_000)])
    with pytest.raises(ExtractionError, match="paragraph 2 of the article holds a 100,000-character run"):
        build_script(article, PAUSES)
