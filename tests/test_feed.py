"""The podcast feed: every Apple Podcasts and Podcasting 2.0 rule, checked by XPath."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from test_batch import page

from audiogen.cli import main
from audiogen.errors import FeedError
from audiogen.publish.batch import BatchOptions, run_batch
from audiogen.publish.feed import Channel, Episode, build_feed, episode_guid, podcast_guid

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}
BASE = "https://cdn.example/pod/"


@pytest.fixture
def episodes_folder(
    fake_engine: str, tmp_path: Path, web_server: tuple[str, dict[str, tuple[int, str, bytes]]]
) -> Path:
    base, routes = web_server
    titles = ["Bridge & tunnel <plans>", 'The "quiet" vote 🎉', "Floods\x07 return"]
    for number, title in enumerate(titles):
        html = page(
            title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), f"{base}/a/{number}", 10 + number
        )
        routes[f"/a/{number}"] = (200, "text/html", html)
    urls = tmp_path / "urls.txt"
    urls.write_text("".join(f"{base}/a/{n}\n" for n in range(3)))
    out = tmp_path / "out"
    result = run_batch([], out, BatchOptions(voice=fake_engine, allow_private=True), urls_file=str(urls), jobs=1)
    assert result.done == 3, result.failed
    return out


def write_feed(folder: Path, *extra: str) -> tuple[etree._Element, str]:
    result = CliRunner().invoke(
        main, ["feed", str(folder), "--base-url", BASE, "--owner-email", "desk@news.example", *extra]
    )
    assert result.exit_code == 0, result.output
    text = (folder / "feed.xml").read_text(encoding="utf-8")
    return etree.fromstring(text.encode()), text


def one(tree: etree._Element, path: str) -> str:
    found = tree.xpath(path, namespaces=NS)
    assert len(found) == 1, (path, found)
    return str(found[0])


def test_feed_has_what_apple_requires_and_recommends(episodes_folder: Path) -> None:
    from PIL import Image

    tree, _ = write_feed(episodes_folder)
    assert tree.tag == "rss" and tree.get("version") == "2.0"
    assert one(tree, "/rss/channel/title/text()") == "The Daily Example"
    description = one(tree, "/rss/channel/description/text()")
    assert 0 < len(description.encode()) <= 4000 and "AI-generated" in description
    assert one(tree, "/rss/channel/language/text()") == "en"
    assert one(tree, "/rss/channel/atom:link[@rel='self']/@href") == BASE + "feed.xml"
    assert one(tree, "/rss/channel/itunes:category/@text") == "News"
    assert one(tree, "/rss/channel/itunes:explicit/text()") == "false"
    assert one(tree, "/rss/channel/itunes:author/text()")
    assert one(tree, "/rss/channel/itunes:owner/itunes:email/text()") == "desk@news.example"
    assert one(tree, "/rss/channel/itunes:owner/itunes:name/text()")
    image = one(tree, "/rss/channel/itunes:image/@href")
    assert image == BASE + "cover.png"
    with Image.open(episodes_folder / "cover.png") as cover:
        assert cover.size[0] == cover.size[1] and 1400 <= cover.size[0] <= 3000 and cover.mode == "RGB"


def test_items_have_exact_enclosures_durations_dates_and_guids(episodes_folder: Path) -> None:
    from mutagen.mp3 import MP3

    tree, _ = write_feed(episodes_folder)
    items = tree.xpath("/rss/channel/item")
    assert len(items) == 3
    dates = [parsedate_to_datetime(item.findtext("pubDate")) for item in items]
    assert dates == sorted(dates, reverse=True)  # newest first
    assert dates[0] == datetime(2025, 2, 12, 8, tzinfo=UTC)  # the article's own date
    records = json.loads((episodes_folder / "manifest.json").read_text())["items"]
    by_url = {BASE + r["episode"] + "/" + r["audio"]: r for r in records.values()}
    titles = set()
    for item in items:
        titles.add(item.findtext("title"))
        url = one(item, "enclosure/@url")
        record = by_url[url]
        audio = episodes_folder / record["episode"] / record["audio"]
        assert int(one(item, "enclosure/@length")) == audio.stat().st_size
        assert one(item, "enclosure/@type") == "audio/mpeg"
        assert abs(int(one(item, "itunes:duration/text()")) - MP3(audio).info.length) <= 1.0
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false" and guid.text == episode_guid(record["canonical"])
        description = one(item, "description/text()")
        assert "AI-generated narration" in description and record["canonical"] in description
        assert one(item, "link/text()") == record["canonical"]
        stem = url.rsplit(".", 1)[0]
        assert one(item, "podcast:transcript/@url") == stem + ".vtt"
        assert one(item, "podcast:transcript/@type") == "text/vtt"
        assert one(item, "podcast:transcript/@rel") == "captions"
        assert one(item, "podcast:chapters/@url") == stem + ".chapters.json"
        assert one(item, "podcast:chapters/@type") == "application/json+chapters"
    # the titles survive the XML whole; only the control character is gone
    assert titles == {"Bridge & tunnel <plans>", 'The "quiet" vote 🎉', "Floods return"}


def test_podcasting_2_channel_tags_and_stable_guids(episodes_folder: Path) -> None:
    tree, first = write_feed(episodes_folder)
    bare = (BASE + "feed.xml").removeprefix("https://")
    expected = str(uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), bare))
    assert one(tree, "/rss/channel/podcast:guid/text()") == expected == podcast_guid(BASE + "feed.xml")
    assert one(tree, "/rss/channel/podcast:locked/text()") == "yes"
    assert one(tree, "/rss/channel/podcast:locked/@owner") == "desk@news.example"
    _, second = write_feed(episodes_folder)
    assert second == first  # rebuilt: the same feed, guids and all
    limited, _ = write_feed(episodes_folder, "--max-items", "2", "--unlocked")
    assert len(limited.xpath("/rss/channel/item")) == 2
    assert one(limited, "/rss/channel/podcast:locked/text()") == "no"


def test_spec_example_of_podcast_guid() -> None:
    # the example in the Podcasting 2.0 specification
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("mp3s.nashownotes.com/pc20rss.xml/") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def _episode(**fields: object) -> Episode:
    """An episode with the fields every feed needs, and ``fields`` over them."""
    base: dict[str, object] = {
        "title": "Episode",
        "audio_url": "https://cdn.example/a.mp3",
        "audio_bytes": 10,
        "mime_type": "audio/mpeg",
        "duration_s": 61.6,
        "guid": episode_guid("k"),
        "published": datetime(2025, 2, 20, tzinfo=UTC),
    }
    return Episode(**{**base, **fields})  # type: ignore[arg-type]


def test_any_text_makes_well_formed_xml() -> None:
    nasty = "A & B <script>alert(\"x\")</script> 'quoted' ]]> 😀 \x00\x0b\ud800 end"
    episode = _episode(
        title=nasty,
        link="https://news.example/a?b=1&c=2",
        description=nasty,
        author=nasty,
    )
    channel = Channel(
        title=nasty, link="https://news.example/", feed_url="https://cdn.example/feed.xml", description="word " * 2000
    )
    tree = etree.fromstring(build_feed([episode], channel).encode())
    clean = "A & B <script>alert(\"x\")</script> 'quoted' ]]> 😀  end"
    assert one(tree, "/rss/channel/title/text()") == clean
    assert one(tree, "/rss/channel/item/title/text()") == clean
    assert len(one(tree, "/rss/channel/description/text()").encode()) <= 4000
    assert one(tree, "/rss/channel/item/itunes:duration/text()") == "62"
    # the item's description is HTML carried as text: its markup is escaped, once
    description = one(tree, "/rss/channel/item/description/text()")
    assert "&lt;script&gt;" in description and "<script>" not in description


def test_bad_feed_input(tmp_path: Path, episodes_folder: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["feed", str(episodes_folder), "--base-url", "/pod/"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the base URL must be an absolute http(s) URL, not '/pod/'")
    result = runner.invoke(main, ["feed", str(tmp_path / "empty"), "--base-url", BASE, "--owner-email", "a@b.example"])
    assert result.exit_code == 1 and "has no manifest.json" in result.stderr
    with pytest.raises(FeedError, match="feed URL"):
        build_feed([], Channel(title="t", link="https://x.example/", feed_url="feed.xml"))
    assert not (tmp_path / "empty").exists()


def test_item_descriptions_are_capped_like_the_channels() -> None:
    long = "A sentence of the article's own summary, & <more>. " * 40_000  # 2 MB
    episode = _episode(
        title="Long",
        link="https://news.example/a",
        description=long,
    )
    channel = Channel(title="t", link="https://news.example/", feed_url="https://cdn.example/feed.xml")
    tree = etree.fromstring(build_feed([episode], channel).encode())
    description = one(tree, "/rss/channel/item/description/text()")
    assert len(description.encode()) <= 4000
    assert description.startswith("<p>A sentence of the article&#x27;s own summary, &amp; &lt;more&gt;.")
    assert "AI-generated narration" in description and "https://news.example/a" in description


def test_terminal_and_bidi_controls_never_reach_the_feed() -> None:
    nasty = "Evil\x1b[2J\x1b]0;owned\x07 \u202etitle\u2066"
    episode = _episode(
        title=nasty,
        duration_s=1,
        description=nasty,
        author=nasty,
    )
    channel = Channel(title=nasty, link="https://news.example/", feed_url="https://cdn.example/feed.xml", author=nasty)
    xml = build_feed([episode], channel)
    assert not any(c in xml for c in "\x1b\x07\u202e\u2066")


def test_the_feed_requires_the_owners_email(episodes_folder: Path) -> None:
    runner = CliRunner(env={"AUDIOGEN_OWNER_EMAIL": None})
    result = runner.invoke(main, ["feed", str(episodes_folder), "--base-url", BASE])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: the feed needs the owner's e-mail address (podcast directories verify ownership by it)"
        " — pass --owner-email EMAIL, or set AUDIOGEN_OWNER_EMAIL"
    ]
    assert not (episodes_folder / "feed.xml").exists()
    result = runner.invoke(main, ["feed", str(episodes_folder), "--base-url", BASE, "--owner-email", "desk"])
    assert result.exit_code == 1 and "is not an e-mail address" in result.stderr
    result = CliRunner(env={"AUDIOGEN_OWNER_EMAIL": "desk@news.example"}).invoke(
        main, ["feed", str(episodes_folder), "--base-url", BASE]
    )
    assert result.exit_code == 0, result.output
    tree = etree.fromstring((episodes_folder / "feed.xml").read_bytes())
    assert one(tree, "/rss/channel/itunes:owner/itunes:email/text()") == "desk@news.example"


def test_batch_with_feed_checks_the_owner_before_narrating(fake_engine: str, tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.md").write_text("# A\n\nOne paragraph.\n")
    result = CliRunner(env={"AUDIOGEN_OWNER_EMAIL": None}).invoke(
        main,
        [
            "batch",
            str(tmp_path / "site"),
            "--out",
            str(tmp_path / "out"),
            "--voice",
            fake_engine,
            "--feed",
            str(tmp_path / "out" / "feed.xml"),
            "--base-url",
            BASE,
        ],
    )
    assert result.exit_code == 1 and "owner's e-mail" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_episode_without_a_byline_is_tagged_with_the_podcasts_author(fake_engine: str, tmp_path: Path) -> None:
    from mutagen.id3 import ID3

    site = tmp_path / "site"
    site.mkdir()
    (site / "a.md").write_text("# No byline here\n\nOne paragraph of text.\n")
    runner = CliRunner()
    out = tmp_path / "The Island Gazette"
    result = runner.invoke(main, ["batch", str(site), "--out", str(out), "--voice", fake_engine, "-q"])
    assert result.exit_code == 0, result.output
    (audio,) = out.glob("*/*.mp3")
    assert ID3(audio)["TPE1"].text == ["The Island Gazette"]
    out = tmp_path / "second"
    result = runner.invoke(
        main, ["batch", str(site), "--out", str(out), "--voice", fake_engine, "-q", "--author", "Desk"]
    )
    assert result.exit_code == 0, result.output
    (audio,) = out.glob("*/*.mp3")
    assert ID3(audio)["TPE1"].text == ["Desk"]
