"""Quotations in a second voice: which words are attributed direct speech, how a
sentence is cut between the voices, and what the script, timings and captions say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audiogen.article import Sentence
from audiogen.spoken.quotes import JOIN_PAUSE_MS, speech_pieces, split_quoted

SPEECH = [
    ('"We will not retreat," she said.', [('"We will not retreat,"', True), ("she said.", False)]),
    ('She said, "We will not retreat."', [("She said,", False), ('"We will not retreat."', True)]),
    (
        '"We will," the general said, "not retreat from this city."',
        [('"We will,"', True), ("the general said,", False), ('"not retreat from this city."', True)],
    ),
    ("“It was a hard winter for everyone,” Mayor Ruiz told reporters.", None),
    ('The minister added: "Nobody leaves the city tonight."', None),
    ('"The vote is a turning point," according to the council\'s statement.', None),
    ('"That is simply not true," Smith wrote on Tuesday.', None),
    ("«Nous resterons ici jusqu'à la fin», a-t-elle dit.", None),
]
NOT_SPEECH = [
    'The so-called "peace plan" was rejected.',  # scare quotes: too short, no attribution
    'She read "War and Peace" twice last winter.',  # a title
    'The council called it "a plan for every neighborhood in the city" in its report.',  # no verb of saying
    "He said the plan would fail.",  # reported speech: nothing quoted
]


@pytest.mark.parametrize(("text", "expected"), SPEECH)
def test_attributed_direct_speech_is_found(text: str, expected: list[tuple[str, bool]] | None) -> None:
    pieces = speech_pieces(text)
    assert pieces is not None
    if expected is not None:
        assert pieces == expected
    assert any(quoted for _, quoted in pieces) and any(not quoted for _, quoted in pieces)
    # nothing is lost or added but the spaces between pieces
    assert "".join(piece for piece, _ in pieces).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("text", NOT_SPEECH)
def test_other_quotation_marks_stay_with_the_narrator(text: str) -> None:
    assert speech_pieces(text) is None


def test_a_sentence_is_cut_only_where_written_and_spoken_forms_agree() -> None:
    sentence = Sentence(
        '"We cut 12% of the budget," Sen. Lee said.', '"We cut twelve percent of the budget," Senator Lee said.', 280
    )
    pieces = split_quoted(sentence, "michael")
    assert [(p.display, p.voice, p.pause_after_ms) for p in pieces] == [
        ('"We cut 12% of the budget,"', "michael", JOIN_PAUSE_MS),
        ("Sen. Lee said.", "", 280),
    ]
    assert pieces[0].spoken == '"We cut twelve percent of the budget,"'
    # the spoken form lost its marks: the sentence stays whole, with the narrator
    whole = Sentence('"We cut it," she said.', "We cut it, she said.", 280)
    assert split_quoted(whole, "michael") == [whole]


STORY = """# Troops hold the line

"We will not retreat from this city," she said. The army said it would hold the bridge.

> The bridge is ours and it will stay ours.

The so-called "peace plan" was rejected.
"""


def test_a_narration_with_a_quote_voice_says_who_speaks(fake_engine: str, tmp_path: Path) -> None:
    from audiogen.conversion import ConvertOptions, convert

    source = tmp_path / "story.md"
    source.write_text(STORY)
    # the narrator at 16 kHz, the quotations in the fake engine's 8 kHz voice: another worker
    result = convert(
        source, tmp_path / "out.mp3", ConvertOptions(voice=fake_engine, quote_voice="fake:tone-8k", cover=False)
    )
    timings = json.loads((tmp_path / "out.json").read_text())
    said = [(s["text"], s.get("voice", "")) for part in timings["segments"] for s in part["sentences"]]
    assert ('"We will not retreat from this city,"', "fake:tone-8k") in said
    assert ("she said.", "") in said
    assert ("The army said it would hold the bridge.", "") in said
    assert ("The bridge is ours and it will stay ours.", "fake:tone-8k") in said
    assert ('The so-called "peace plan" was rejected.', "") in said
    vtt = (tmp_path / "out.vtt").read_text()
    assert '<v fake:tone-8k>"We will not retreat from this city,"' in vtt
    assert "<v fake:tone-8k>The bridge is ours" in vtt
    assert "<v fake:tone-8k>she said." not in vtt
    assert result.sentences_synthesized == len(said)


def test_a_preset_can_name_its_quote_voice(fake_engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from audiogen.pipeline import load, make_script
    from audiogen.voices import resolve_voice

    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "desk.toml").write_text('engine = "fake"\nvoice = "tone"\nquote_voice = "fake:tone-8k"\n')
    monkeypatch.setenv("AUDIOGEN_VOICES_DIR", str(presets))
    source = tmp_path / "story.md"
    source.write_text(STORY)
    script = make_script(load(source), resolve_voice("desk"))
    voices = {s.display: s.voice or p.voice for p in script.parts for s in p.sentences}
    assert voices["The bridge is ours and it will stay ours."] == "fake:tone-8k"
    (presets / "bad.toml").write_text('engine = "fake"\nvoice = "tone"\nquote_voice = 3\n')
    with pytest.raises(Exception, match="quote_voice"):
        resolve_voice("bad")


@pytest.mark.engine
def test_quotations_in_a_voice_of_another_engine(fake_engine: str, tmp_path: Path) -> None:
    from audiogen.conversion import ConvertOptions, convert

    source = tmp_path / "story.md"
    source.write_text(STORY)
    convert(source, tmp_path / "out.mp3", ConvertOptions(voice=fake_engine, quote_voice="espeak", cover=False))
    timings = json.loads((tmp_path / "out.json").read_text())
    voices = {s["text"]: s.get("voice", "") for part in timings["segments"] for s in part["sentences"]}
    assert voices['"We will not retreat from this city,"'] == "espeak"
    assert voices["she said."] == ""


def test_voice_samples_are_written_for_each_preset(
    fake_engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from audiogen.cli import main

    presets = tmp_path / "presets"
    presets.mkdir()
    for name in ("alto", "bass"):
        (presets / f"{name}.toml").write_text(f'description = "{name}"\nengine = "fake"\nvoice = "tone"\n')
    monkeypatch.setenv("AUDIOGEN_VOICES_DIR", str(presets))
    result = CliRunner().invoke(main, ["voices", "--sample", "--engine", "fake", "-o", str(tmp_path / "samples")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "samples").glob("*.mp3")) == ["alto.mp3", "bass.mp3"]
    assert "alto" in result.output and "bass" in result.output
    timings = json.loads((tmp_path / "samples" / "alto.json").read_text())
    text = " ".join(s["text"] for part in timings["segments"] for s in part["sentences"])
    assert "$4.5 million" in text and "We have waited long enough" in text
