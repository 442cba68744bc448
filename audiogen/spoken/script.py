"""Article → Script: what the voice says, sentence by sentence, and the pause after each.

Pauses follow the structure: a longer rest after the notice, the title and headings, a
paragraph break after the last sentence of a paragraph, a short one between sentences,
and room around block quotes and list items, so a listener hears where the text turns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from audiogen.article import Article, Pauses, Script, ScriptPart, Segment, Sentence
from audiogen.errors import ExtractionError
from audiogen.spoken import base_language, normalize, split_sentences
from audiogen.spoken.language import SAME_SCRIPT_WORDS, foreign_language
from audiogen.spoken.lexicon import Lexicon
from audiogen.spoken.quotes import QUOTATION

DEFAULT_NOTICE = "This audio was generated with AI assistance."
#: the spoken notice in the languages audiogen narrates (written for audiogen)
NOTICES = {
    "en": DEFAULT_NOTICE,
    "es": "Este audio se generó con ayuda de inteligencia artificial.",
    "fr": "Cet audio a été généré avec l'aide de l'intelligence artificielle.",
    "it": "Questo audio è stato generato con l'aiuto dell'intelligenza artificiale.",
    "pt": "Este áudio foi gerado com a ajuda de inteligência artificial.",
    "de": "Dieses Audio wurde mit Hilfe künstlicher Intelligenz erstellt.",
    "nl": "Deze audio is gemaakt met behulp van kunstmatige intelligentie.",
    "hi": "यह ऑडियो कृत्रिम बुद्धिमत्ता की सहायता से बनाया गया है।",
    "ja": "この音声はAIの支援を受けて生成されました。",
    "zh": "本音频由人工智能辅助生成。",
}


def notice_for(language: str | None) -> str:
    """The spoken AI notice in ``language`` (English when there is none in it)."""
    return NOTICES.get((language or "en").replace("_", "-").split("-")[0].lower(), DEFAULT_NOTICE)


NOTICE_POSITIONS = ("intro", "outro", "both")

# A sentence with no letter or digit (a lone bullet, a row of dashes) has nothing to say.
_SPEAKABLE = re.compile(r"\w")


def build_script(
    article: Article,
    pauses: Pauses | None = None,
    *,
    notice: str | None = DEFAULT_NOTICE,
    language: str | None = None,
    lexicon: Lexicon | None = None,
    engine: str = "",
    date_order: str = "us",
    notice_position: str = "intro",
) -> Script:
    """The spoken script of ``article``; ``notice=None`` leaves the AI notice out, and
    ``notice_position`` puts it at the start (``"intro"``), the end (``"outro"``) or both.

    Each sentence keeps its text as written (``display``) and gets the words the voice
    is given (``spoken``): normalized, then passed through the pronunciation
    ``lexicon`` in the form ``engine`` understands (phonemes for Piper)."""
    pauses = pauses or Pauses()
    lang = base_language(language or article.language)
    regional = language or article.language or lang  # "pt-BR": numbers in Brazil's words
    lexicon = lexicon or Lexicon()

    def speak(text: str) -> str:
        spoken = normalize(text, regional, date_order=date_order)
        return lexicon.apply(spoken, engine) if lang == "en" else spoken

    tables = table_speech(article.segments, lang)
    parts: list[ScriptPart] = []
    if notice_position not in NOTICE_POSITIONS:
        raise ValueError(f"notice_position must be one of {', '.join(NOTICE_POSITIONS)}")
    say_notice = bool(notice and notice.strip())
    if say_notice and notice_position in ("intro", "both"):
        parts.append(_part("notice", notice or "", lang, speak, pauses.sentence, pauses.notice))
    if not _title_opens_body(article):
        parts.append(_part("title", article.title, lang, speak, pauses.sentence, pauses.title))
    for index, segment in enumerate(article.segments):
        end_pause = _end_pause(
            segment, article.segments[index + 1] if index + 1 < len(article.segments) else None, pauses
        )
        text = segment.text
        if segment.kind == "table":
            text = tables.get(index, "")
            if not text:
                continue
        part = _part(segment.kind, text, lang, speak, pauses.sentence, end_pause, index, segment.level)
        if not part.sentences:
            continue
        if segment.kind == "quote" and parts:
            parts[-1] = _lengthen_last_pause(parts[-1], pauses.quote)
        parts.append(part)
    if say_notice and notice_position in ("outro", "both"):
        if parts:
            parts[-1] = _lengthen_last_pause(parts[-1], pauses.notice)
        parts.append(_part("notice", notice or "", lang, speak, pauses.sentence, 0))
    return Script(title=article.title, language=lang, parts=[p for p in parts if p.sentences])


def _outside_quotations(text: str) -> str:
    """What a paragraph's own language is judged from: its words outside quotation marks
    (an English paragraph quoting a French minister is English, its quotation is given
    its own voice later), or all of it when too few are left to tell."""
    outside = QUOTATION.sub(" ", text)
    return outside if len(outside.split()) >= SAME_SCRIPT_WORDS else text


def _title_opens_body(article: Article) -> bool:
    """Whether the title is only the opening words of the first segment (an article
    with no headline of its own is titled by its first words): spoken, they would be
    heard twice."""
    if not article.segments:
        return False
    title = " ".join(article.title.removesuffix("…").split())
    return bool(title) and " ".join(article.segments[0].text.split()).startswith(title)


def _part(
    kind: str,
    text: str,
    lang: str,
    speak: Callable[[str], str],
    between: int,
    end_pause: int,
    segment_index: int | None = None,
    level: int = 0,
) -> ScriptPart:
    other = foreign_language(_outside_quotations(text), lang) if kind != "notice" else None
    if other is not None:
        # another script: split by its own rules and given to its voice as written
        lang, speak = other, lambda written: normalize(written, other)
    else:
        _refuse_absurd_words(text, kind, segment_index)
    sentences: list[Sentence] = []
    for display in split_sentences(text, lang):
        spoken = speak(display)
        if spoken[:1].islower() and not display[:1].islower():
            spoken = spoken[0].upper() + spoken[1:]  # "12 jurors …" → "Twelve jurors …"
        if _SPEAKABLE.search(spoken):
            sentences.append(Sentence(display=display, spoken=spoken, pause_after_ms=between))
    if sentences:
        last = sentences[-1]
        sentences[-1] = Sentence(last.display, last.spoken, end_pause)
    return ScriptPart(
        kind=kind,  # type: ignore[arg-type]
        sentences=tuple(sentences),
        segment_index=segment_index,
        level=level,
        language=other,
    )


#: longer than this, a run of text without a space is not anything written to be read
#: (a pasted blob, an attack): the article is refused rather than spelled out for
#: minutes. Shorter runs over ``MAX_WORD_CHARS`` are given to the voice in pieces.
MAX_TOKEN_CHARS = 2000
_ABSURD_WORD = re.compile(rf"\S{{{MAX_TOKEN_CHARS + 1},}}")


def _refuse_absurd_words(text: str, kind: str, segment_index: int | None) -> None:
    match = _ABSURD_WORD.search(text)
    if match is None:
        return
    where = (
        f"{kind.replace('_', ' ')} {segment_index + 1} of the article" if segment_index is not None else f"the {kind}"
    )
    raise ExtractionError(
        f"{where} holds a {len(match.group(0)):,}-character run of text with no space; it cannot be read aloud",
        hint="remove it from the article, or break it up",
    )


#: tables larger than this are announced, not read: nobody follows 40 rows by ear
MAX_SPOKEN_ROWS = 10
MAX_SPOKEN_COLUMNS = 6


def table_speech(segments: list[Segment], lang: str) -> dict[int, str]:
    """What to say for each table row, by segment index ("" for nothing).

    A small table with a header row is read row by row with each value named by its
    column ("Team: Spain; Points: 9."); the header row itself is not read. A large table
    is replaced by one short spoken note at its first row (English only; in other
    languages it is skipped without a word)."""
    speech: dict[int, str] = {}
    index = 0
    while index < len(segments):
        if segments[index].kind != "table":
            index += 1
            continue
        start, index = index, index + 1
        while index < len(segments) and segments[index].kind == "table" and segments[index].position > 1:
            index += 1
        speech.update(_one_table(segments[start:index], start, lang))
    return speech


def _one_table(rows: list[Segment], start: int, lang: str) -> dict[int, str]:
    header = rows[0] if rows[0].level == 1 else None
    data = rows[1:] if header else rows
    columns = max(len(row.cells) or 1 for row in rows)
    if len(data) > MAX_SPOKEN_ROWS or columns > MAX_SPOKEN_COLUMNS:
        note = f"A table with {len(data)} rows and {columns} columns appears here in the article; it is not read aloud."
        return {start: note if lang == "en" else ""}
    speech = {start: ""} if header else {}
    for offset, row in enumerate(data, start=start + (1 if header else 0)):
        if header and len(header.cells) == len(row.cells):
            named = (
                f"{name}: {value}" if name else value
                for name, value in zip(header.cells, row.cells, strict=True)
                if value
            )
            speech[offset] = "; ".join(named) + "."
        else:
            speech[offset] = row.text
    return speech


def _end_pause(segment: Segment, following: Segment | None, pauses: Pauses) -> int:
    if segment.kind == "heading":
        return pauses.heading
    if segment.kind == "quote":
        return max(pauses.quote, pauses.paragraph)
    if segment.kind == "list_item":
        # The end of a list is the end of a block: rest as after a paragraph.
        return pauses.list_item if following is not None and following.kind == "list_item" else pauses.paragraph
    if segment.kind == "table":
        return pauses.list_item if following is not None and following.kind == "table" else pauses.paragraph
    return pauses.paragraph


def _lengthen_last_pause(part: ScriptPart, at_least: int) -> ScriptPart:
    last = part.sentences[-1]
    if last.pause_after_ms >= at_least:
        return part
    sentences = (*part.sentences[:-1], Sentence(last.display, last.spoken, at_least))
    return replace(part, sentences=sentences)
