"""Extraction on pages in the styles of real publishing systems, metadata, tables,
encodings, and pages that are not articles at all."""

from __future__ import annotations

import string
import time
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import audiogen
from audiogen.article import Article
from audiogen.errors import ExtractionError, SourceError
from audiogen.reading.decode import decode_document
from audiogen.reading.webpage import parse
from audiogen.spoken.script import build_script

PAGES = ROOT / "tests" / "pages"

# For each page: sentences a listener must hear (in this order) and text they must not.
CASES = {
    "wordpress.html": (
        [
            "Councillors in Port Alder voted nine to two on Tuesday night",
            "The work will cost about 4.2 million pounds",
            "Engineers told the meeting that two sections of the wall had moved",
            "What the plan includes",
            "Drainage gates that close automatically at high tide.",
            "Harbourmaster Elspeth Rowe said the fleet would move",
            "We have waited long enough for this wall to be fixed",
            "The two councillors who voted against the plan",
        ],
        [
            "We use cookies",
            "Skip to the content",
            "News from the north shore",
            "Waves break over the old seawall",  # caption
            "Ian Drummond",  # photo credit
            "Ferry timetable cut again",  # inline "Read also" teaser
            "Share this",
            "Facebook",
            "Harbour dredging finally finished",  # related posts
            "Tagged",
            "previously worked as a ferry purser",  # author bio
            "My grandfather was saying",  # comment
            "Leave a Reply",
            "morning newsletter",
            "Lifeboat crew rescues",  # most read
            "All rights reserved",
        ],
    ),
    "ghost.html": (
        [
            "Ten years ago the sleeper train looked finished.",
            "Today the picture is very different.",
            "Three journeys",
            "We took the first train from Vienna to Hamburg",
            "The second, from Stockholm to Berlin",
            "The third, a new service from Zurich to Amsterdam",
            "The best hotel is the one that moves while you sleep.",
            "Prices are still higher than flying on most routes",
        ],
        [
            "6 min read",
            "The Vienna sleeper pulls into Hamburg at dawn",  # caption
            "What to pack for a night on the rails",  # bookmark card to another post
            "Sign up for more like this",
            "Enter your email",
            "The ferry diaries",  # read-more card
            "Powered by Ghost",
        ],
    ),
    "substack.html": (
        [
            "When the last shop in Little Hambury closed in 2019",
            "Two years later the villagers opened their own.",
            "Little Hambury is not alone.",
            "Why they survive",
            "The secret, the people who run them told me",
            "Many shops also double as post offices",
            "Start with a public meeting, not a business plan.",
            "Recruit twice as many volunteers as you think you need.",
        ],
        [
            "Volunteers restock the shelves",  # caption
            "Thanks for reading Small Places",
            "Type your email",
            "148",
            "Restacks",
            "Ready for more?",
            "Our village did exactly this in 2021",  # comment
            "Start Writing",
            "Get the app",
        ],
    ),
    "amp.html": (
        [
            "Cedar Lake reservoir has fallen to 31 percent of its capacity",
            "Officials asked every household in the valley",
            "The old village of Millbrook",
            "Farmers who draw on the reservoir",
        ],
        [
            "personalise ads",
            "Local news",  # sidebar menu
            "The exposed bed of Cedar Lake",  # caption
            "Advertisement",
            "Related coverage",
            "Wildfire risk rises",
            "View full site",
        ],
    ),
    "jsonld-only.html": (
        [
            "The city opened six cooling centres on Monday",
            "Libraries and two sports halls will stay open until midnight",
            "Doctors urged older residents to stay indoors",
            "The heatwave is expected to break on Thursday",
        ],
        ["You need to enable JavaScript"],
    ),
    "noscript.html": (
        [
            "A century of handwritten logbooks from the Saltness lighthouse",
            "The books record storms, shipwrecks and the daily routine",
            "Archivists said the most popular entries",
        ],
        ["Loading"],
    ),
    "liveblog.html": (
        [
            "Coalition talks expected to begin on Friday",
            "neither of the two largest parties can govern alone",
            "Turnout highest since 1992",
            "Turnout across the region reached 71 percent",
            "Queues out of the door at St Anne's polling station",
            "First result declared in Harrowfield",
            "The first result of the night came from Harrowfield",
            "Polls have closed",
            "counting has begun in all twenty-four constituencies",
        ],
        ["Key events", "Copy link", "Load earlier entries", "Politics Weekly", "Sign up", "registered in England"],
    ),
}


def _load(name: str) -> Article:
    return audiogen.load(PAGES / name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_reads_the_article_and_nothing_else(name: str) -> None:
    present, absent = CASES[name]
    article = _load(name)
    text = article.text
    position = -1
    for sentence in present:
        found = text.find(sentence)
        assert found >= 0, f"missing: {sentence!r}"
        assert found > position, f"out of order: {sentence!r}"
        position = found
    for phrase in absent:
        assert phrase not in text, f"read aloud by mistake: {phrase!r}"
        assert phrase not in article.title


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("wordpress.html", "A single severe storm could breach them."),
        ("substack.html", "Nobody wants to see their own twenty pounds wasted."),
    ],
)
def test_pull_quote_that_repeats_the_body_is_read_once(name: str, sentence: str) -> None:
    assert _load(name).text.casefold().count(sentence[:-1].casefold()) == 1


def test_structure_kinds_levels_and_list_context() -> None:
    wordpress = _load("wordpress.html")
    heading = next(s for s in wordpress.segments if s.kind == "heading")
    assert (heading.text, heading.level) == ("What the plan includes", 2)
    items = [s for s in wordpress.segments if s.kind == "list_item"]
    assert [(s.position, s.ordered) for s in items] == [(1, False), (2, False), (3, False)]
    quotes = [s.text for s in wordpress.segments if s.kind == "quote"]
    assert quotes == [
        "We have waited long enough for this wall to be fixed, and the fishermen know it better than anyone."
    ]
    substack = [s for s in _load("substack.html").segments if s.kind == "list_item"]
    assert [(s.position, s.ordered) for s in substack] == [(1, True), (2, True), (3, True)]


def test_metadata_comes_from_json_ld_first() -> None:
    amp = _load("amp.html")
    # og:title says "Reservoir hits record low | Valley Herald"; JSON-LD's headline wins.
    assert amp.title == "Drought shrinks reservoir to lowest level in 40 years"
    assert amp.byline == "Dana Whitfield and Luis Ortega"
    assert amp.published == "2025-08-19T09:12:00-07:00"
    assert amp.language == "en"
    assert amp.site_name == "Valley Herald"
    assert amp.url == "https://valleyherald.example/news/2025/08/reservoir-drought"
    assert amp.image == "https://valleyherald.example/img/reservoir-16x9.jpg"
    assert amp.description == "Water officials asked residents to cut use by a fifth."


def test_metadata_from_meta_tags_and_page() -> None:
    wordpress = _load("wordpress.html")
    assert wordpress.title == "Harbour town votes to rebuild its seawall before winter storms"
    assert wordpress.byline == "Morag Ellison"
    assert wordpress.published == "2025-10-14T18:30:00+00:00"
    assert wordpress.site_name == "The Coastline Courier"
    assert wordpress.url == "https://coastline-courier.example/2025/10/harbour-seawall-vote/"
    assert wordpress.image == "https://coastline-courier.example/wp-content/uploads/2025/10/seawall.jpg"
    assert wordpress.description == "Councillors approved the plan after a three-hour meeting."
    assert wordpress.language == "en"


PROSE = "".join(
    f"<p>Paragraph {word} of the story goes on long enough, with a comma, to count as prose here.</p>"
    for word in ("one", "two", "three", "four", "five")
)


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Bridge reopens after repairs | The Daily Span", "The Daily Span", "Bridge reopens after repairs"),
        ("The Daily Span - Bridge reopens after repairs", "The Daily Span", "Bridge reopens after repairs"),
        ("Bridge reopens after repairs – dailyspan.example", None, "Bridge reopens after repairs"),
        ("Mother - a short story", None, "Mother - a short story"),
    ],
)
def test_title_loses_its_site_name(title: str, site: str | None, expected: str) -> None:
    site_meta = f'<meta property="og:site_name" content="{site}">' if site else ""
    html = f"<html><head><title>{title}</title>{site_meta}</head><body><article>{PROSE}</article></body></html>"
    assert parse(html, url="https://dailyspan.example/news/1").title == expected


def test_language_is_detected_when_the_page_does_not_say() -> None:
    paragraphs = "".join(
        f"<p>Le conseil municipal a voté mardi soir la rénovation de la digue du port, numéro {i}, "
        "après un long débat qui a divisé la ville pendant toute l'année.</p>"
        for i in range(4)
    )
    article = parse(f"<html><body><article><h1>La digue sera rénovée</h1>{paragraphs}</article></body></html>")
    assert article.language == "fr"


def _table_page(rows: int, columns: int = 2) -> str:
    head = "".join(
        f"<th>{name}</th>" for name in ["Team", "Points", "Wins", "Losses", "Draws", "Goals", "Cards"][:columns]
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{'Club ' + str(r) if c == 0 else r * 3 + c}</td>" for c in range(columns)) + "</tr>"
        for r in range(1, rows + 1)
    )
    return (
        f"<html><body><article><h1>League table</h1>{PROSE}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></article></body></html>"
    )


def test_small_table_is_read_row_by_row_with_its_column_names() -> None:
    article = parse(_table_page(rows=3))
    rows = [s for s in article.segments if s.kind == "table"]
    assert [(r.position, r.level, r.cells) for r in rows[:2]] == [(1, 1, ("Team", "Points")), (2, 0, ("Club 1", "4"))]
    spoken = [s.display for part in build_script(article).parts if part.kind == "table" for s in part.sentences]
    assert spoken == ["Team: Club 1; Points: 4.", "Team: Club 2; Points: 7.", "Team: Club 3; Points: 10."]


def test_large_table_gets_a_short_spoken_note_instead() -> None:
    article = parse(_table_page(rows=40, columns=7))
    assert sum(1 for s in article.segments if s.kind == "table") == 41  # the text keeps every row
    spoken = [s.display for part in build_script(article).parts if part.kind == "table" for s in part.sentences]
    assert spoken == ["A table with 40 rows and 7 columns appears here in the article; it is not read aloud."]


@pytest.mark.parametrize(
    ("codec", "text", "declare"),
    [
        (
            "latin-1",
            "Le café de la gare a rouvert ses portes après des années de fermeture, à la joie des voyageurs.",
            True,
        ),
        ("cp1252", "Señora Muñoz said the “new” café would open on Tuesday — weather permitting.", False),
        ("shift_jis", "駅前の喫茶店が長い休業の後に営業を再開し、多くの旅行者が喜んでいます。", True),
        ("shift_jis", "駅前の喫茶店が長い休業の後に営業を再開し、多くの旅行者が喜んでいます。", False),
        ("cp1251", "Міська влада повідомила про підготовку котелень до опалювального сезону.", False),
    ],
)
def test_pages_in_other_encodings_come_out_right(codec: str, text: str, declare: bool) -> None:
    meta = f'<meta charset="{codec}">' if declare else ""
    html = (
        f"<html><head>{meta}<title>T</title></head><body><article>" + f"<p>{text}</p>" * 4 + "</article></body></html>"
    )
    assert parse(decode_document(html.encode(codec))).segments[0].text == text


def test_charset_from_the_http_header_wins() -> None:
    text = "Das Café an der Straßenecke öffnet wieder, zur Freude der Nachbarn und der Pendler."
    html = f"<html><body><article>{'<p>' + text + '</p>' * 1}" * 4 + "</article></body></html>"
    assert text in parse(decode_document(html.encode("latin-1"), charset="ISO-8859-1")).text


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        "<html></html>",
        "<html><body><nav>"
        + "".join(f"<li><a href='/{i}'>Headline number {i} about the day's news</a></li>" for i in range(40))
        + "</nav><ul>"
        + "".join(f"<li><a href='/s/{i}'>Another story teaser number {i} for readers</a></li>" for i in range(40))
        + "</ul></body></html>",
        "<html><head><title>Sign in</title></head><body><h1>Sign in</h1><form><label>Email</label><input>"
        "<label>Password</label><input type=password><button>Sign in</button></form><p>Forgot your password?</p></body></html>",
        "<html><head><title>Page not found</title></head><body><h1>404</h1><p>Sorry, the page you were looking "
        "for could not be found.</p><a href='/'>Back to the home page</a></body></html>",
    ],
    ids=["empty", "blank", "no-body", "home-page", "login-page", "404-page"],
)
def test_pages_without_an_article_give_a_clear_error(html: str) -> None:
    with pytest.raises(ExtractionError, match="no article text found"):
        parse(html)


def test_broken_markup_still_reads() -> None:
    html = (
        "<html><body><article><p>Unclosed <b>bold <i>italic text that runs on for a good while, as it does.</p>"
        "<p>Second paragraph with <a href=x>a link</b> and more text to read aloud here today, unclosed."
        "</div></span><p>A last paragraph after stray closing tags, still part of the story.</p></article>"
    )
    text = parse(html).text
    assert "Unclosed bold italic text" in text
    assert "A last paragraph after stray closing tags" in text


def test_ten_thousand_levels_of_nesting() -> None:
    story = "The story survives being wrapped ten thousand times, and still reads as prose. " * 3
    html = "<html><body>" + "<div>" * 10_000 + f"<p>{story}</p>" + "</div>" * 10_000 + "</body></html>"
    assert parse(html).segments[0].text == story.strip()


def test_twenty_megabyte_page_is_read_or_refused_quickly() -> None:
    # Mostly inline scripts and styles, as real heavy pages are: the article comes out.
    filler = "<script>var blob = '" + "x" * 1_000_000 + "';</script><style>.a{color:red}" + " " * 1_000_000 + "</style>"
    heavy = f"<html><head>{filler * 10}</head><body><article><h1>Heavy</h1>{PROSE}</article></body></html>"
    assert len(heavy) > 20_000_000
    started = time.monotonic()
    assert "Paragraph five of the story" in parse(heavy).text
    # 20 MB of actual text is not one article: refused with a clear error.
    text_page = "<html><body>" + "<p>Words upon words for a very long page of text.</p>" * 420_000 + "</body></html>"
    assert len(text_page) > 20_000_000
    with pytest.raises(ExtractionError, match="too much for one article"):
        parse(text_page)
    # Not a timing assertion (machines vary) but a guard against a hang: minutes, not hours.
    assert time.monotonic() - started < 600


def test_unknown_encoding_and_binary_data() -> None:
    noise = bytes(range(128, 256)) * 64
    try:
        text = decode_document(noise)
    except SourceError as error:
        assert "encoding" in str(error) or "binary" in str(error)
    else:
        with pytest.raises(ExtractionError):
            parse(text)


_TAGS = ["p", "div", "span", "article", "section", "h1", "h2", "li", "ul", "table", "tr", "td", "script", "a", "br"]
_markup = st.recursive(
    st.text(alphabet=string.ascii_letters + " .,<>&;'\"\u00ad\u200b/=-", max_size=40),
    lambda inner: st.builds(
        lambda tag, attrs, children: f"<{tag}{attrs}>{''.join(children)}</{tag}>",
        st.sampled_from(_TAGS),
        st.sampled_from(["", " hidden", ' class="related"', ' style="display:none"', ' class="content"', " id=x"]),
        st.lists(inner, max_size=4),
    ),
    max_leaves=30,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_markup, max_size=6), st.booleans())
def test_arbitrary_markup_gives_an_article_or_an_extraction_error(parts: list[str], wrap: bool) -> None:
    html = "".join(parts)
    if wrap:
        html = f"<html><head><title>t</title></head><body>{html}</body></html>"
    try:
        article = parse(html)
    except ExtractionError:
        return
    assert article.segments and all(segment.text for segment in article.segments)


def test_extract_command_shows_segments(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from audiogen.cli import main

    result = CliRunner().invoke(main, ["extract", str(PAGES / "liveblog.html")])
    assert result.exit_code == 0, result.output
    assert "[h2] Polls have closed" in result.output
