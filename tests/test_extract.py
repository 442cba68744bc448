from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES, SEED_PAGE

import audiogen
from audiogen.errors import ExtractionError, SourceError
from audiogen.reading.decode import decode_document
from audiogen.reading.webpage import parse

# The 13 body paragraphs of the seed article, by their opening words.
BODY_OPENINGS = [
    'Europe needs a "massive defense plan"',
    "Macron's remarks come ahead of his planned visit",
    "\"I'm going to tell him (Trump)",
    "Macron has been rallying European leaders",
    "In his Feb. 20 remarks, Macron slammed Russia",
    'Macron called on Europe to come together to create a "massive defense plan"',
    "Europe is not likely to form a common army",
    "Regarding Ukraine, France is open to providing Kyiv",
    '"I have not decided to send troops to Ukraine tomorrow, no,"',
    "In partnership with the U.K., France is ready",
    "Supporting NATO membership for Ukraine",
    "While Macron on Feb. 18 said he would not send combat troops",
    "The U.K. is reportedly going to pitch Trump a plan",
]
NEVER_READ = [
    "Elysee presidential palace",  # photo caption
    "Getty Images",  # photo credit
    "The Power Within",  # magazine pre-order banner
    "pre-order",
    "This audio is created with AI assistance",  # player label
    "death toll",  # related-article teaser
    "News Feed",
    "Trump admits Russia attacked Ukraine",  # news feed item
    "MORE NEWS",
    "Editors' Picks",
    "subscribe",
    "newsletter",
    "indicates required",
    "Skip to content",
]


@pytest.fixture(scope="module")
def seed_article() -> audiogen.Article:
    return audiogen.load(SEED_PAGE)


def test_seed_page_title_and_metadata(seed_article: audiogen.Article) -> None:
    assert seed_article.title == "Europe needs 'massive defense plan,' US can't be 'weak' with Putin, Macron says"
    assert seed_article.published == "2025-02-21T02:15:00+00:00"
    assert seed_article.language == "en"
    assert seed_article.byline and "Kyiv Independent" in seed_article.byline


def test_seed_page_has_every_body_paragraph_in_order(seed_article: audiogen.Article) -> None:
    paragraphs = [s.text for s in seed_article.segments]
    assert len(paragraphs) == len(BODY_OPENINGS)
    for text, opening in zip(paragraphs, BODY_OPENINGS, strict=True):
        assert text.startswith(opening)
    assert all(s.kind == "paragraph" for s in seed_article.segments)


@pytest.mark.parametrize("phrase", NEVER_READ)
def test_seed_page_drops_boilerplate(seed_article: audiogen.Article, phrase: str) -> None:
    everything = "\n".join([seed_article.title, *(s.text for s in seed_article.segments)])
    assert phrase.casefold() not in everything.casefold()


def test_markdown_sample_structure() -> None:
    article = audiogen.load(SAMPLES / "community-garden.md")
    assert article.title == "A Parking Lot Becomes the Town's Busiest Garden"
    assert article.byline == "Maren Holt"
    kinds = [s.kind for s in article.segments]
    assert kinds[0] == "paragraph"  # the "# title" heading is the title, not read twice
    assert {"heading", "list_item", "quote", "paragraph"} <= set(kinds)
    ordered = [s for s in article.segments if s.kind == "list_item" and s.ordered]
    assert [s.position for s in ordered] == [1, 2, 3]
    assert ordered[0].text == "Water your bed at least twice a week, or ask a neighbour to."


def test_plain_text_sample_structure() -> None:
    article = audiogen.load(SAMPLES / "night-ferry.txt")
    assert article.title == "The Last Night Ferry Across the Sound"
    headings = [s.text for s in article.segments if s.kind == "heading"]
    assert headings == ["Who rides at night", "What happens next"]
    assert [s.kind for s in article.segments].count("list_item") == 3
    quote = next(s for s in article.segments if s.kind == "quote")
    assert quote.text.startswith('"You can set your watch by the horn.')


def test_inline_markup_collapses_to_clean_text() -> None:
    body = "".join(
        f"<p>Paragraph {i} has <a href='#'>a link</a>, <em>emphasis</em> and a soft\u00adhyphen and\u00a0a "
        f"non-breaking space and a zero\u200bwidth space, all of which must read as plain words.</p>"
        for i in range(1, 6)
    )
    article = parse(
        f"<html><head><title>Inline | Site</title></head><body><article><h1>Inline</h1>{body}</article></body></html>"
    )
    assert article.segments[0].text == (
        "Paragraph 1 has a link, emphasis and a softhyphen and a non-breaking space and a "
        "zerowidth space, all of which must read as plain words."
    )


def test_hidden_and_script_content_is_not_read() -> None:
    paragraphs = "".join(
        f"<p>Visible paragraph number {i} of the story, long enough to count as text.</p>" for i in range(5)
    )
    html = (
        "<html><body><article><h1>Story</h1>"
        f"{paragraphs}<p hidden>Secret hidden words.</p><p style='display:none'>Invisible styled words.</p>"
        "<p aria-hidden='true'>Aria hidden words.</p><script>var x = 'script words';</script>"
        "<noscript>Noscript words.</noscript></article></body></html>"
    )
    text = parse(html).text
    for absent in ("Secret hidden", "Invisible styled", "Aria hidden", "script words", "Noscript words"):
        assert absent not in text
    assert "Visible paragraph number 4" in text


def test_windows_1251_page_decodes() -> None:
    html = (
        '<html lang="uk"><head><meta charset="windows-1251"><title>Новини</title></head><body><article>'
        "<h1>Київ готується до зими</h1>"
        + "".join(
            f"<p>Міська влада повідомила про підготовку {i} котелень до опалювального сезону.</p>" for i in range(5)
        )
        + "</article></body></html>"
    ).encode("cp1251")
    article = parse(decode_document(html))
    assert article.title == "Київ готується до зими"
    assert article.language == "uk"
    assert "котелень" in article.segments[0].text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n%binary", "is a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is a PNG image"),
        (b"\x00\x01\x02\x03" * 20, "is binary data"),
    ],
)
def test_binary_input_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        decode_document(data)


def test_page_without_article_text() -> None:
    with pytest.raises(ExtractionError, match="no article text"):
        parse("<html><body><nav><a href='/'>Home</a></nav><form><input></form></body></html>")


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        audiogen.load(tmp_path / "nope.html")
    empty = tmp_path / "empty.html"
    empty.write_text("  \n")
    with pytest.raises(SourceError, match="is empty"):
        audiogen.load(empty)
    with pytest.raises(SourceError, match="is a folder"):
        audiogen.load(tmp_path)


def test_control_characters_do_not_cost_the_article() -> None:
    from audiogen.reading.webpage import parse

    html = (
        "<html><body><article><h1>Floods\x07 return</h1>"
        + "<p>The river rose\x0b again overnight, and the town's\x00 levees held.</p>" * 3
        + "</article></body></html>"
    )
    article = parse(html)
    assert article.title == "Floods return"
    assert "The river rose again overnight" in article.segments[-1].text


@pytest.mark.parametrize(
    ("first_line", "is_title"),
    [
        ("The Last Night Ferry Across the Sound", True),
        ("# The Last Night Ferry", True),
        ("Is this the end of the night ferry?", True),
        ("Ferry to close after 61 years!", True),
        ("The ferry made its last crossing on Tuesday night.", False),
        ("Officials said the ferry would close, citing costs:", False),
        ("Officials say " + "the ferry is old and costly and " * 6 + "so it closes", False),
    ],
)
def test_plain_text_title_is_a_headline_only(first_line: str, is_title: bool) -> None:
    from audiogen.reading.plaintext import parse_text

    body = "The island's residents met on Tuesday. They asked for a trial period."
    article = parse_text(f"{first_line}\n\n{body}\n")
    if is_title:
        assert article.title == first_line.lstrip("# ")
        assert [s.text for s in article.segments] == [body]
    else:
        assert article.segments[0].text == first_line
        assert len(article.segments) == 2


def test_text_opening_with_a_paragraph_is_read_once(tmp_path: Path) -> None:
    """Titled by its first words, the article does not say them twice."""
    from audiogen.pipeline import make_script
    from audiogen.voices import resolve_voice

    source = tmp_path / "story.txt"
    source.write_text(
        "The ferry made its last crossing on Tuesday night, after sixty-one years on the route.\n\n"
        "Island residents have asked for a trial period before it is sold.\n"
    )
    article = audiogen.load(source)
    assert article.title.endswith("…")
    script = make_script(article, resolve_voice("joe"), notice=False)
    spoken = " ".join(sentence.display for _, _, sentence in script.sentences())
    assert spoken.count("The ferry made its last crossing") == 1


BODY = "<p>The river rose again overnight, and the town's levees held through the storm.</p>" * 4
UNSAFE = ["\x00", "\x01", "\x07", "\x1b", "\x9b", "\u202e", "\u2066", "\ud800", "\udfff"]


def _json_ld(**fields: object) -> str:
    import json

    return f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", **fields})}</script>'


@pytest.mark.parametrize(
    "html",
    [
        _json_ld(headline="Floods\u0000 return") + f"<article><h1>Floods return</h1>{BODY}</article>",
        _json_ld(headline="Floods \ud800return", author={"name": "Ana \udfff Diaz"})
        + f"<article><h1>Floods return</h1>{BODY}</article>",
        f"<article><h1>Floods &#1;return</h1>{BODY.replace('again', 'again&#1;&#x1b;&#xD800;&#7')}</article>",
        f"<title>Floods\x1b]0;owned\x07 return</title><article><h1>Floods \u202ereturn\u2066</h1>{BODY}</article>",
    ],
)
def test_hostile_characters_are_removed_and_the_article_kept(html: str) -> None:
    article = parse(
        f"<html><head>{html.split('<article>')[0]}</head><body><article>{html.split('<article>', 1)[1]}</body></html>"
    )
    texts = [article.title, article.byline or "", *(s.text for s in article.segments)]
    assert not [t for t in texts if any(c in t for c in UNSAFE)]
    assert article.title.startswith("Floods") and article.title.endswith("return")
    assert "The river rose again overnight" in article.segments[-1].text


def test_hostile_characters_never_reach_the_terminal_or_the_files(tmp_path: Path, fake_engine: str) -> None:
    from click.testing import CliRunner

    from audiogen.cli import main

    page = tmp_path / "evil.html"
    page.write_text(
        f"<html><head><title>Evil\x1b[2J\x1b]0;owned\x07 \u202etitle</title></head><body><article>"
        f"<h1>Evil\x1b[2J\x1b]0;owned\x07 \u202etitle</h1>{BODY}</article></body></html>",
        encoding="utf-8",
    )
    runner = CliRunner()
    for command in (["extract", str(page)], ["script", str(page)], ["extract", str(page), "--json"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 0 and not any(c in result.output for c in UNSAFE)
    result = runner.invoke(
        main, ["convert", str(page), "-o", str(tmp_path / "evil.mp3"), "--voice", fake_engine, "--srt"]
    )
    assert result.exit_code == 0, result.output
    for name in ("evil.vtt", "evil.srt", "evil.json", "evil.chapters.json"):
        assert not any(c in (tmp_path / name).read_text() for c in UNSAFE)
    from mutagen.id3 import ID3

    assert not any(c in str(frame) for frame in ID3(tmp_path / "evil.mp3").values() for c in UNSAFE)
