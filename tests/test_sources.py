"""Listing a batch's articles: folders, URL lists, feeds, sitemaps (and their traps)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from audiogen.publish.sources import BatchItem, ListingError, canonical_url, list_sources, parse_since

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Site</title>
<item><title>New</title><link>https://news.example/new?utm_source=rss</link>
  <pubDate>Thu, 20 Feb 2025 10:00:00 GMT</pubDate></item>
<item><title>Old</title><link>/old</link><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>
<item><title>Guid only</title><guid>https://news.example/guid-only</guid></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Site</title>
<entry><title>A</title><link rel="alternate" href="https://news.example/a"/><link rel="edit" href="https://x/edit"/>
  <updated>2025-02-21T08:00:00Z</updated></entry>
</feed>"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/n1</loc>
  <news:news><news:publication_date>2025-02-20T09:00:00+00:00</news:publication_date>
  <news:title>N1</news:title></news:news></url>
<url><loc>https://news.example/n2</loc><lastmod>2023-05-01</lastmod></url>
</urlset>"""


def items(listed: list[BatchItem | ListingError]) -> list[str]:
    return [entry.key for entry in listed if isinstance(entry, BatchItem)]


def errors(listed: list[BatchItem | ListingError]) -> list[str]:
    return [entry.message for entry in listed if isinstance(entry, ListingError)]


def test_canonical_url_drops_what_does_not_name_the_page() -> None:
    assert canonical_url("HTTPS://News.Example:443/a/?utm_source=x&id=3#top") == "https://news.example/a?id=3"
    assert canonical_url("http://news.example") == "http://news.example/"
    assert canonical_url("http://news.example:8080/a") == "http://news.example:8080/a"


def test_folder_lists_article_files_in_order_without_hidden_or_output(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("# B\n\ntext")
    (tmp_path / "a.html").write_text("<p>x</p>")
    (tmp_path / "notes.json").write_text("{}")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.md").write_text("x")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "d.md").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "e.txt").write_text("x")
    listed = list(list_sources([str(tmp_path)], exclude=tmp_path / "out"))
    assert [Path(k).name for k in items(listed)] == ["a.html", "b.md", "e.txt"]


def test_url_list_with_comments_and_bad_lines(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(
        "# the morning's stories\nhttps://news.example/a\n\n  https://news.example/b   # second\nftp://x/y\n"
    )
    listed = list(list_sources([], urls_file=str(listing)))
    assert items(listed) == ["https://news.example/a", "https://news.example/b"]
    assert errors(listed) == ["not an http(s) address: ftp://x/y"]


def test_rss_feed_file_with_relative_links_and_since(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(RSS)
    everything = list(list_sources([str(feed)]))
    # relative links resolve against the channel's link (here: none, so they are errors)
    assert items(everything) == ["https://news.example/new", "https://news.example/guid-only"]
    assert errors(everything) == [f"not an http(s) address in {feed.resolve()}: /old"]
    assert all(e.from_feed for e in everything if isinstance(e, BatchItem))
    with_site = tmp_path / "site.xml"
    with_site.write_text(RSS.replace("<title>Site</title>", "<title>Site</title><link>https://news.example/</link>"))
    assert items(list(list_sources([str(with_site)])))[1] == "https://news.example/old"
    recent = list(list_sources([str(feed)], since=parse_since("2025-01-01")))
    # the old entry is left out, the one with no date is kept
    assert items(recent) == ["https://news.example/new", "https://news.example/guid-only"]


def test_feed_and_sitemaps_over_http(web_server) -> None:  # type: ignore[no-untyped-def]
    base, routes = web_server
    routes["/feed.rss"] = (200, "application/rss+xml", RSS.encode())
    routes["/atom"] = (200, "application/atom+xml", ATOM.encode())
    index = f"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>{base}/news.xml.gz</loc></sitemap>
      <sitemap><loc>{base}/index.xml</loc></sitemap>
      <sitemap><loc>{base}/stale.xml</loc><lastmod>2020-01-01</lastmod></sitemap>
    </sitemapindex>"""
    routes["/index.xml"] = (200, "application/xml", index.encode())
    routes["/news.xml.gz"] = (200, "application/gzip", gzip.compress(NEWS_SITEMAP.encode()))
    routes["/stale.xml"] = (500, "text/plain", b"must not be fetched")
    listed = list(list_sources([f"{base}/feed.rss", f"{base}/atom"], allow_private=True))
    assert items(listed) == [
        "https://news.example/new",
        canonical_url(f"{base}/old"),
        "https://news.example/guid-only",
        "https://news.example/a",
    ]
    # the index refers to itself: read once; the stale child is skipped by --since
    mapped = list(list_sources([f"{base}/index.xml"], since=parse_since("2024-01-01"), allow_private=True))
    assert items(mapped) == ["https://news.example/n1"]
    assert errors(mapped) == []
    n1 = next(e for e in mapped if isinstance(e, BatchItem))
    assert n1.title == "N1" and n1.modified == "2025-02-20T09:00:00+00:00" and not n1.from_feed
    everything = list(list_sources([f"{base}/index.xml"], allow_private=True))
    assert "500" in errors(everything)[0]  # the stale child, read without --since, fails alone
    assert items(everything) == ["https://news.example/n1", "https://news.example/n2"]


def test_unreachable_malformed_and_private_sources(tmp_path: Path, web_server) -> None:  # type: ignore[no-untyped-def]
    base, routes = web_server
    routes["/broken.xml"] = (
        200,
        "application/xml",
        b"<?xml version='1.0'?><urlset><url><loc>https://a.example/1</loc></url><url><loc>",
    )
    listed = list(list_sources([f"{base}/broken.xml"], allow_private=True))
    assert items(listed) == ["https://a.example/1"]  # what came before the break stands
    assert errors(listed)[0].startswith(f"malformed XML in {base}/broken.xml")
    assert errors(list(list_sources([f"{base}/missing.xml"], allow_private=True)))[0].startswith("HTTP 404")
    refused = errors(list(list_sources([f"{base}/broken.xml"])))
    assert "private or local address" in refused[0]
    assert errors(list(list_sources([str(tmp_path / "nope")]))) == [f"no such file or folder: {tmp_path / 'nope'}"]
    other = tmp_path / "other.xml"
    other.write_text("<?xml version='1.0'?><html><body/></html>")
    assert "not a feed or a sitemap" in errors(list(list_sources([str(other)])))[0]


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        "<urlset><url><loc>https://x.example/&b;&secret;</loc></url></urlset>"
    )
    listed = list(list_sources([str(bomb)]))
    assert all("root:" not in key for key in items(listed))
    assert all(len(key) < 100 for key in items(listed))


def test_a_hundred_thousand_urls_stream_in_bounded_memory(tmp_path: Path) -> None:
    sitemap = tmp_path / "big.xml"
    with sitemap.open("w") as out:
        out.write('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
        for number in range(100_000):
            out.write(f"<url><loc>https://big.example/story/{number}</loc><lastmod>2025-02-20</lastmod></url>")
        out.write("</urlset>")
    # in a fresh interpreter, so that its peak memory is the listing's own
    program = (
        "import re, sys\n"
        "from audiogen.publish.sources import BatchItem, list_sources\n"
        "count = sum(isinstance(e, BatchItem) for e in list_sources([sys.argv[1]]))\n"
        # VmHWM: this interpreter's own peak (ru_maxrss would carry over the parent's)
        "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
        "print(count, int(peak) // 1024)\n"
    )
    result = subprocess.run([sys.executable, "-c", program, str(sitemap)], capture_output=True, text=True, check=True)
    count, peak_mb = map(int, result.stdout.split())
    assert count == 100_000
    # the 7 MB file is read whole; the tree of 300,000 elements is dropped as it is read
    assert peak_mb < 60, peak_mb  # 93 MB when the elements are kept


def test_since_must_be_a_date() -> None:
    from audiogen.errors import SourceError

    with pytest.raises(SourceError, match="not a date"):
        parse_since("last tuesday")
    assert parse_since("2025-02-20").isoformat() == "2025-02-20T00:00:00+00:00"
