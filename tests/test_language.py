"""Paragraphs in another script: found by their writing system, given a voice for their
language, or left out; an article with nothing speakable is refused."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiogen import Article, Segment
from audiogen.cli import main
from audiogen.errors import ExtractionError
from audiogen.pipeline import make_script, narrate
from audiogen.spoken.language import dominant_script, foreign_language
from audiogen.voices import resolve_voice

CHINESE = "中国外交部发言人表示，双方将继续就贸易问题进行沟通，并希望尽快达成协议。"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (CHINESE, "zh"),
        ("日本政府は月曜日、新しい経済対策を発表した。", "ja"),
        ("정부는 월요일 새로운 경제 대책을 발표했다.", "ko"),
        ("Правительство объявило о новых мерах в понедельник.", "ru"),
        ("Уряд оголосив про нові заходи в понеділок, і це важливо.", "uk"),
        ("أعلنت الحكومة يوم الاثنين عن إجراءات جديدة.", "ar"),
        ("Η κυβέρνηση ανακοίνωσε νέα μέτρα τη Δευτέρα.", "el"),
        ("सरकार ने सोमवार को नए उपायों की घोषणा की।", "hi"),
        ("הממשלה הודיעה ביום שני על צעדים חדשים.", "he"),
        ("รัฐบาลประกาศมาตรการใหม่เมื่อวันจันทร์", "th"),
    ],
)
def test_a_paragraph_in_another_script_is_found_with_its_language(text: str, language: str) -> None:
    assert foreign_language(text, "en") == language


@pytest.mark.parametrize(
    "text",
    [
        "The minister, Wang Yi (王毅), spoke on Tuesday about trade and the coming summit.",
        "Café owners in Zürich said the ñ and ø keys were fine.",
        "Moscow's mayor wrote «Москва» on the banner, the agency said in its report on the rally.",
        "3.5% — 12,000 — $4bn",
        "",
    ],
)
def test_english_with_a_foreign_word_stays_english(text: str) -> None:
    assert foreign_language(text, "en") is None


def test_the_articles_own_script_is_never_foreign() -> None:
    assert foreign_language(CHINESE, "zh") is None
    assert foreign_language("The talks ended without an agreement in Beijing.", "zh") == "en"
    assert foreign_language("Правительство объявило о новых мерах.", "ru") is None
    assert dominant_script("日本の政府")[0] == "KANA"


def _mixed() -> Article:
    return Article(
        title="Tea and trade",
        language="en",
        segments=[
            Segment("paragraph", "The delegation arrived on Tuesday. Talks began at once."),
            Segment("paragraph", CHINESE),
            Segment("paragraph", "The talks ended without an agreement."),
        ],
    )


def test_without_a_voice_for_it_the_paragraph_is_left_out_with_a_log_line(
    fake_engine: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("audiogen.pipeline.voice_for_language", lambda language: None)
    with caplog.at_level(logging.WARNING, logger="audiogen"):
        narration = narrate(_mixed(), fake_engine, cache=False)
    assert "paragraph 2 is in another language (zh) and no voice for it is installed" in caplog.text
    assert [c.text for c in narration.cues if c.kind == "paragraph"] == [
        "The delegation arrived on Tuesday.",
        "Talks began at once.",
        "The talks ended without an agreement.",
    ]


def test_with_a_voice_for_it_the_paragraph_is_read_by_that_voice(
    fake_engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mandarin.toml").write_text('engine = "fake"\nvoice = "tone-8k"\nlanguage = "zh"\n')
    monkeypatch.setenv("AUDIOGEN_VOICES_DIR", str(tmp_path))
    script = make_script(_mixed(), resolve_voice(fake_engine))
    assert [(p.segment_index, p.language, p.voice) for p in script.parts if p.segment_index is not None] == [
        (0, None, ""),
        (1, "zh", "mandarin"),
        (2, None, ""),
    ]
    narration = narrate(_mixed(), fake_engine, cache=False)
    assert CHINESE in [c.text for c in narration.cues]
    # the 8 kHz voice was brought to the narration's rate and level
    assert narration.sample_rate == 16000 and narration.spans


def test_an_article_with_nothing_speakable_is_refused(fake_engine: str, tmp_path: Path) -> None:
    source = tmp_path / "emoji.md"
    source.write_text("# 🎉🎉\n\n🎉🎉🎉 🎊🎊\n\n👍👍 — ✨\n")
    result = CliRunner().invoke(main, ["convert", str(source), "-o", str(tmp_path / "e.mp3"), "--voice", fake_engine])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no speakable text")
    assert not list(tmp_path.glob("e.*"))
    with pytest.raises(ExtractionError, match="no speakable text"):
        make_script(Article(title="🎉", segments=[Segment("paragraph", "👍 ✨ ★")]), resolve_voice(fake_engine))
