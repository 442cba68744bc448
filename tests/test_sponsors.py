"""Sponsor spots: uploaded, placed by campaigns, played by the player in Chromium (then the
article; skippable after 5 s; never for a subscriber), VAST tags served from 127.0.0.1
(inline, wrappers, empty, broken, slow, missing) with every tracker hit counted, and the
public feed's episodes with the spot stitched in; and subscribers' private feeds read by
two podcast parsers."""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import threading
import time
import wave
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import numpy as np
import pytest
from browser import AXE
from browser import serve as serve_folder
from test_serve import Server, narrate

from audiogen.audio.encode import decoded_true_peak
from audiogen.audio.master import loudness
from audiogen.audio.pcm import decode_audio_file

STORY = """# Harbour plan approved

The harbour board approved the new plan on Monday after a long meeting.

Work on the north pier will start in the spring and last two years.

The board said ferries will keep running while the work goes on.

Residents can see the drawings at the library until the end of the month.
"""
PLAYER = "document.querySelector('audiogen-player')"
SHADOW = f"{PLAYER}.shadowRoot"
SPOT_HZ = 1000


def spot_wav(seconds: float, rate: int = 44100, hz: int = SPOT_HZ) -> bytes:
    """A spot: a tone with a speech-like swell, as a WAV file."""
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.25 * np.sin(2 * np.pi * hz * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 1.5 * t))
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes((signal * 32767).astype("<i2").tobytes())
    return out.getvalue()


def upload(client: httpx.Client, seconds: float = 6.0, name: str = "Acme read") -> dict[str, Any]:
    response = client.post("/spots", params={"name": name}, content=spot_wav(seconds))
    assert response.status_code == 201, response.text
    return dict(response.json())


def campaign(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post("/campaigns", json={"name": "Acme", **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def figures(client: httpx.Client, campaign_id: int) -> dict[str, Any]:
    found = [c for c in client.get("/campaigns").json()["campaigns"] if c["id"] == campaign_id]
    return dict(found[0]["figures"])


# -- the service ------------------------------------------------------------------------------


def test_spots_and_campaigns_are_checked_and_chosen(server: tuple[Server, httpx.Client]) -> None:
    running, client = server
    article = narrate(client, id="harbour", markdown=STORY)
    assert 'sponsor="' in article["player"] and article["embed"]["attributes"]["sponsor"].endswith("/sponsor")
    spot = upload(client)
    assert 5900 <= spot["duration_ms"] <= 6100
    played = httpx.get(spot["audio"])
    assert played.status_code == 200 and played.headers["content-type"] == "audio/mpeg"
    assert httpx.get(spot["audio"], headers={"Range": "bytes=0-99"}).status_code == 206
    # bad uploads and campaigns: one line each
    bad = client.post("/spots", params={"name": "text"}, content=b"not audio at all")
    assert bad.status_code == 422 and "not audio" in bad.json()["error"]
    for fields, words in (
        ({}, "one of the two"),
        ({"spot": spot["id"], "vast": "https://ads.example/vast"}, "one of the two"),
        ({"spot": spot["id"], "max_seconds": 5}, "longer than the campaign's cap of 5 s"),
        ({"spot": spot["id"], "placement": "middle"}, "placement"),
        ({"spot": spot["id"], "starts": "2027-02-01", "ends": "2027-01-01"}, "ends before it starts"),
        ({"vast": "javascript:alert(1)"}, "VAST tag's http(s) URL"),
        ({"spot": 999}, "no spot 999"),
    ):
        response = client.post("/campaigns", json={"name": "Bad", **fields})
        assert response.status_code == 422 and words in response.json()["error"], (fields, response.text)
    assert httpx.get(running.url + "/sponsor", params={"episode": "harbour"}).status_code == 204  # none yet
    later = campaign(client, spot=spot["id"], starts="2099-01-01")
    sports = campaign(client, spot=spot["id"], sections=["Sports"])
    assert httpx.get(running.url + "/sponsor", params={"episode": "harbour"}).status_code == 204
    running_now = campaign(client, spot=spot["id"], placement="mid", weight=3)
    chosen = httpx.get(running.url + "/sponsor", params={"episode": "harbour"}).json()
    assert chosen["campaign"] == running_now["id"] and chosen["placement"] == "mid" and chosen["skip_after"] == 5
    assert chosen["audio"] == spot["audio"] and chosen["label"] == "Sponsor"
    # a VAST campaign is offered only with the page's consent
    vast = campaign(client, vast="http://127.0.0.1:9/vast", weight=1000)
    assert httpx.get(running.url + "/sponsor", params={"episode": "harbour"}).json()["campaign"] == running_now["id"]
    offers = Counter(
        httpx.get(running.url + "/sponsor", params={"episode": "harbour", "consent": "1"}).json()["campaign"]
        for _ in range(20)
    )
    assert offers[vast["id"]] >= 15  # weight 1000 against 3
    # subscribers' episodes, drafts and unknown episodes get none
    narrate(client, id="members", markdown=STORY, access="subscribers")
    assert httpx.get(running.url + "/sponsor", params={"episode": "members"}).status_code == 204
    assert httpx.get(running.url + "/sponsor", params={"episode": "nobody"}).status_code == 204
    # the player's events, per campaign
    for kind in ("impression", "start", "firstQuartile", "skip"):
        sent = httpx.post(
            running.url + "/events", json={"episode": "harbour", "campaign": running_now["id"], "kind": kind}
        )
        assert sent.status_code == 204
    assert (
        httpx.post(running.url + "/events", json={"campaign": running_now["id"], "kind": "clicked"}).status_code == 422
    )
    assert httpx.post(running.url + "/events", json={"campaign": 424242, "kind": "start"}).status_code == 404
    counted = figures(client, running_now["id"])
    assert (counted["impressions"], counted["starts"], counted["q25"], counted["skips"]) == (1, 1, 1, 1)
    # ending campaigns; a spot a running campaign plays cannot be removed
    assert client.delete(f"/spots/{spot['id']}").status_code == 422
    for ended in (later, sports, running_now, vast):
        assert client.delete(f"/campaigns/{ended['id']}").status_code == 204
    assert client.delete(f"/campaigns/{later['id']}").status_code == 404
    assert httpx.get(running.url + "/sponsor", params={"episode": "harbour", "consent": "1"}).status_code == 204
    assert client.delete(f"/spots/{spot['id']}").status_code == 204
    assert httpx.post(running.url + "/spots", params={"name": "x"}, content=spot_wav(1)).status_code == 401


def _tone_onset(samples: np.ndarray, rate: int, hz: int, start: int, stop: int) -> float | None:
    """The first 10 ms window (seconds) in [start, stop) where ``hz`` stands out."""
    window = rate // 100
    t = np.arange(window) / rate
    probe = np.exp(-2j * np.pi * hz * t)
    for offset in range(max(start, 0), min(stop, samples.size - window), window // 2):
        chunk = samples[offset : offset + window]
        if abs(np.dot(chunk, probe)) / window > 0.02:
            return offset / rate
    return None


def test_the_public_feed_carries_the_spot_stitched_in(server: tuple[Server, httpx.Client], data: Path) -> None:
    running, client = server
    article = narrate(client, id="harbour", markdown=STORY)
    spot = upload(client, seconds=4.0)
    campaign(client, spot=spot["id"], placement="mid")
    deadline = time.monotonic() + 60
    feed = ""
    while time.monotonic() < deadline and ".sponsor-" not in feed:
        feed = httpx.get(running.url + "/feed.xml").text
        time.sleep(0.2)
    assert ".sponsor-" in feed, feed
    enclosure = feed.split('<enclosure url="', 1)[1].split('"', 1)[0]
    stem = enclosure.rsplit(".", 1)[0]
    timings = httpx.get(stem + ".json").json()
    chapters = httpx.get(stem + ".chapters.json").json()["chapters"]
    captions = httpx.get(stem + ".vtt").text
    audio = data / "episodes" / article["episode"] / enclosure.rsplit("/", 1)[1]
    assert audio.stat().st_size == int(feed.split('length="', 1)[1].split('"', 1)[0])
    rate = timings["sample_rate"]
    decoded = decode_audio_file(audio, rate).astype(np.float64) / 32768
    # the length the feed and the timings say is the audio's, to the frame
    assert abs(decoded.size / rate * 1000 - timings["duration_ms"]) < 30
    sponsor = [c for c in chapters if c["title"] == "Sponsor"]
    assert len(sponsor) == 1 and timings["sponsor"]["placement"] == "mid"
    start, end = sponsor[0]["startTime"], sponsor[0]["endTime"]
    # in the paragraph break nearest the middle of the narration
    original = httpx.get(article["links"]["timings"]).json()
    parts = [p for p in original["segments"] if p["kind"] != "notice"]
    middle = original["duration_ms"] / 2
    after_break = min(range(1, len(parts)), key=lambda i: abs(parts[i]["start_ms"] - middle))
    assert parts[after_break - 1]["end_ms"] / 1000 < start < parts[after_break]["start_ms"] / 1000, (start, parts)
    heard = _tone_onset(decoded, rate, SPOT_HZ, int((start - 1) * rate), int((start + 1) * rate))
    assert heard is not None and abs(heard - start) <= 0.05, (heard, start)
    assert abs((end - start) - 4.0) < 0.05
    # the narration after the spot moved with its captions: the next cue's tone starts on time
    after = next(c for c in timings["segments"] if c["start_ms"] / 1000 > end)["start_ms"] / 1000
    onset = _tone_onset(decoded, rate, 220, int((after - 0.5) * rate), int((after + 0.5) * rate))
    assert onset is not None and abs(onset - after) <= 0.05, (onset, after)
    assert f"{int(after // 60):02d}:{after % 60:06.3f}" in captions
    # loudness and peaks as every episode's
    assert -17.0 <= loudness(decoded, rate) <= -15.0
    assert decoded_true_peak(audio)[0] <= -1.0
    # subscribers' feeds never carry it; ending the campaign takes it out of the public feed
    private = httpx.get(client.post("/subscribers", json={"id": "reader@news.example"}).json()["feed_url"])
    assert private.status_code == 200 and ".sponsor-" not in private.text and article["episode"] in private.text
    campaigns = client.get("/campaigns").json()["campaigns"]
    assert client.delete(f"/campaigns/{campaigns[0]['id']}").status_code == 204
    assert ".sponsor-" not in httpx.get(running.url + "/feed.xml").text


def test_the_feed_is_whole_while_campaigns_rewrite_it(server: tuple[Server, httpx.Client]) -> None:
    """Readers of /feed.xml while it is written again and again (campaigns started and
    ended) each get a whole feed."""
    import xml.etree.ElementTree as ET

    running, client = server
    narrate(client, id="harbour", markdown=STORY)
    spot = upload(client, seconds=1.0)
    stop = threading.Event()
    problems: list[str] = []

    def churn() -> None:
        for _ in range(60):  # (bounded)
            if stop.is_set():
                return
            started = client.post("/campaigns", json={"name": "Churn", "spot": spot["id"], "placement": "post"})
            client.delete(f"/campaigns/{started.json()['id']}")

    writer = threading.Thread(target=churn)
    writer.start()
    try:
        with httpx.Client(timeout=30) as reader:
            for _ in range(300):  # (bounded)
                try:
                    ET.fromstring(reader.get(running.url + "/feed.xml").content)
                except (httpx.HTTPError, ET.ParseError) as exc:
                    problems.append(f"{type(exc).__name__}: {exc}")
                if not writer.is_alive():
                    break
    finally:
        stop.set()
        writer.join(60)
    assert problems == []


def test_private_feeds_read_by_podcast_parsers(server: tuple[Server, httpx.Client], data: Path) -> None:
    import feedparser
    import podcastparser

    running, client = server
    narrate(client, id="open", markdown=STORY)
    narrate(client, id="members", markdown=STORY.replace("Monday", "Tuesday"), access="subscribers")
    mine = client.post("/subscribers", json={"id": "reader-1"}).json()
    theirs = client.post("/subscribers", json={"id": "reader-2"}).json()
    text = httpx.get(mine["feed_url"]).text
    parsed = podcastparser.parse(mine["feed_url"], io.BytesIO(text.encode("utf-8")))
    urls = [e["enclosures"][0]["url"] for e in parsed["episodes"]]
    assert len(urls) == 2 and all("sub=reader-1" in url and "sig=" in url for url in urls)
    assert all(httpx.get(url).status_code == 200 for url in urls)
    swapped = [url.replace("sub=reader-1", "sub=reader-2") for url in urls]
    assert all(httpx.get(url).status_code == 403 for url in swapped)  # a link is its subscriber's
    other = feedparser.parse(httpx.get(theirs["feed_url"]).text)
    assert not other.bozo and len(other.entries) == 2
    assert all("sub=reader-2" in e.enclosures[0].href for e in other.entries)
    public = feedparser.parse(httpx.get(running.url + "/feed.xml").text)
    assert [e.title for e in public.entries] == ["Harbour plan approved"]  # the members' one is left out


# -- the player -------------------------------------------------------------------------------


def _page(folder: Path, snippet: str, name: str = "index.html") -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(
        "<!DOCTYPE html><html lang='en'><head><title>Harbour</title></head>"
        f"<body><main><h1>Harbour plan approved</h1>{snippet}<p>Text.</p></main></body></html>"
    )


def _press_play(page: Any) -> None:
    page.wait_for_function(f"() => {PLAYER}.cues.length > 0")
    page.evaluate(f"() => {SHADOW}.querySelector('button.play').click()")


def test_the_player_plays_the_spot_then_the_article(server: tuple[Server, httpx.Client], new_page: Any) -> None:
    running, client = server
    article = narrate(client, id="harbour", markdown=STORY)
    spot = upload(client, seconds=8.0)
    chosen = campaign(client, spot=spot["id"], placement="pre")
    site = running.data.parent / "site"
    _page(site, article["player"])
    with serve_folder(site) as (base, _):
        page = new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base + "/index.html")
        _press_play(page)
        page.wait_for_function(f"() => !{SHADOW}.querySelector('.sponsor').hidden")
        row = page.locator("audiogen-player .sponsor")
        assert row.get_attribute("aria-label") == "Sponsor message" and "Sponsor" in str(row.text_content())
        skip = page.locator("audiogen-player .skip-spot")
        assert skip.is_disabled() and skip.inner_text().startswith("Skip in")
        assert page.evaluate(f"() => {PLAYER}.audio.paused && {PLAYER}.audio.currentTime === 0")
        # axe-core: nothing serious while the spot plays
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(
            "async () => (await axe.run(document.querySelector('audiogen-player'))).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)"
        )
        assert found == []
        page.wait_for_function(f"() => !{SHADOW}.querySelector('.skip-spot').disabled", timeout=15000)
        assert skip.inner_text() == "Skip"
        skip.click()
        page.wait_for_function(f"() => {PLAYER}.audio.currentTime > 0.3 && !{PLAYER}.audio.paused")
        assert page.evaluate(f"() => {SHADOW}.querySelector('.sponsor').hidden")
        assert errors == []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and figures(client, chosen["id"])["skips"] < 1:
        time.sleep(0.2)
    counted = figures(client, chosen["id"])
    assert (counted["impressions"], counted["starts"], counted["skips"], counted["completes"]) == (1, 1, 1, 0)
    assert counted["q25"] == 1  # 2 s of 8 heard before the skip at 5 s
    # the campaign's figures on the admin page
    page = new_page()
    page.goto(running.url + "/admin")
    page.fill("#key", client.headers["Authorization"].split(" ", 1)[1])
    page.click("#login button[type=submit]")
    page.wait_for_selector("#sponsors:not([hidden])")
    row = [
        page.locator("#campaigns tbody tr th").inner_text(),
        *page.locator("#campaigns tbody tr td").all_inner_texts(),
    ]
    assert row[0] == "Acme" and row[1] == "pre" and row[3] == "1" and row[8] == "1" and row[10] == "0 %", row


def test_no_spot_for_a_subscriber_link_or_with_ads_off(server: tuple[Server, httpx.Client], new_page: Any) -> None:
    running, client = server
    article = narrate(client, id="harbour", markdown=STORY)
    campaign(client, spot=upload(client, seconds=3.0)["id"], placement="pre")
    site = running.data.parent / "site"
    signed = article["player"].replace('.mp3"', '.mp3?exp=9999999999&amp;sig=00"')
    _page(site, signed, "signed.html")
    _page(site, article["player"].replace("<audiogen-player ", '<audiogen-player ads="off" '), "off.html")
    with serve_folder(site) as (base, _):
        for name in ("signed.html", "off.html"):
            page = new_page()
            asked: list[str] = []
            page.on("request", lambda request, asked=asked: asked.append(request.url))
            page.goto(f"{base}/{name}")
            _press_play(page)
            page.wait_for_timeout(800)
            assert not [url for url in asked if "/sponsor" in url or "/spots/" in url], asked
            assert page.evaluate(f"() => {SHADOW}.querySelector('.sponsor').hidden")


# -- VAST ----------------------------------------------------------------------------------


class _Vast(http.server.BaseHTTPRequestHandler):
    """A VAST server on 127.0.0.1: /vast answers per ``mode``; /w1, /w2 are wrappers;
    /t/NAME counts a tracker hit; /media.mp3 is the ad's audio."""

    mode: ClassVar[str] = "inline"
    hits: ClassVar[Counter[str]] = Counter()
    media: ClassVar[bytes] = b""
    base: ClassVar[str] = ""

    def _inline(self) -> str:
        events = "".join(
            f'<Tracking event="{kind}"><![CDATA[{self.base}/t/{kind}]]></Tracking>'
            for kind in ("start", "firstQuartile", "midpoint", "thirdQuartile", "complete", "skip")
        )
        return (
            '<VAST version="4.0"><Ad id="1"><InLine><AdSystem>test</AdSystem><AdTitle>Spot</AdTitle>'
            f"<Impression><![CDATA[{self.base}/t/impression]]></Impression>"
            f"<Error><![CDATA[{self.base}/t/error-[ERRORCODE]]]></Error>"
            f"<Creatives><Creative><Linear><Duration>00:00:02</Duration><TrackingEvents>{events}</TrackingEvents>"
            f'<MediaFiles><MediaFile delivery="progressive" type="{self._type()}">'
            f"<![CDATA[{self.base}/media.mp3]]></MediaFile></MediaFiles></Linear></Creative></Creatives>"
            "</InLine></Ad></VAST>"
        )

    def _type(self) -> str:
        return "video/x-flv" if self.mode == "unsupported" else "audio/mpeg"

    def _wrapper(self, name: str, next_url: str) -> str:
        return (
            f'<VAST version="4.0"><Ad id="{name}"><Wrapper><AdSystem>test</AdSystem>'
            f"<VASTAdTagURI><![CDATA[{next_url}]]></VASTAdTagURI>"
            f"<Impression><![CDATA[{self.base}/t/impression-{name}]]></Impression>"
            f"<Error><![CDATA[{self.base}/t/error-{name}-[ERRORCODE]]]></Error>"
            "</Wrapper></Ad></VAST>"
        )

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.hits[path] += 1
        if path.startswith("/t/"):
            return self._send(200, b"", "image/gif")
        if path == "/media.mp3":
            return self._send(200, self.media, "audio/mpeg")
        body = {
            "/w1": lambda: self._wrapper("w1", f"{self.base}/w2"),
            "/w2": lambda: self._wrapper("w2", f"{self.base}/inline"),
            "/inline": self._inline,
        }
        mode = self.mode
        if path == "/vast":
            if mode == "slow":
                time.sleep(5)
            if mode == "missing":
                return self._send(404, b"gone", "text/plain")
            if mode == "broken":
                return self._send(200, b"<VAST version='4.0'><Ad><InLine>", "application/xml")
            if mode == "empty":
                return self._send(200, b'<VAST version="4.0"/>', "application/xml")
            text = body["/w1"]() if mode == "wrapper" else self._inline()
        elif path in body:
            text = body[path]()
        else:
            return self._send(404, b"", "text/plain")
        self._send(200, text.encode(), "application/xml")
        return None

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def vast_server(server: tuple[Server, httpx.Client]) -> Iterator[type[_Vast]]:
    _running, client = server
    spot = upload(client, seconds=2.0)
    handler = type("Vast", (_Vast,), {"hits": Counter(), "media": httpx.get(spot["audio"]).content})
    client.delete(f"/spots/{spot['id']}")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    handler.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("mode", ["inline", "wrapper", "empty", "broken", "slow", "missing", "unsupported"])
def test_vast_ads_play_or_step_aside(
    mode: str, server: tuple[Server, httpx.Client], vast_server: type[_Vast], new_page: Any
) -> None:
    running, client = server
    article = narrate(client, id="harbour", markdown=STORY)
    chosen = campaign(client, vast=vast_server.base + "/vast", placement="pre")
    vast_server.mode = mode
    site = running.data.parent / "site"
    _page(site, article["player"].replace("<audiogen-player ", '<audiogen-player ads="on" '))
    _page(site, article["player"], "no-consent.html")
    with serve_folder(site) as (base, _):
        page = new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.goto(base + "/index.html")
        pressed = time.monotonic()
        _press_play(page)
        if mode in ("inline", "wrapper"):
            page.wait_for_function(f"() => !{SHADOW}.querySelector('.sponsor').hidden")
            page.wait_for_function(f"() => {PLAYER}.audio.currentTime > 0.2 && !{PLAYER}.audio.paused", timeout=20000)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and vast_server.hits["/t/complete"] < 1:
                time.sleep(0.1)
            for kind in ("impression", "start", "firstQuartile", "midpoint", "thirdQuartile", "complete"):
                assert vast_server.hits[f"/t/{kind}"] == 1, (kind, vast_server.hits)
            if mode == "wrapper":
                assert vast_server.hits["/t/impression-w1"] == 1 and vast_server.hits["/t/impression-w2"] == 1
            assert figures(client, chosen["id"])["completes"] == 1
        else:
            page.wait_for_function(f"() => {PLAYER}.audio.currentTime > 0.1 && !{PLAYER}.audio.paused", timeout=10000)
            waited = time.monotonic() - pressed
            assert waited < (4.5 if mode == "slow" else 2.0), waited  # the article, at once (3 s at most)
            assert page.evaluate(f"() => {SHADOW}.querySelector('.sponsor').hidden")
            if mode == "unsupported":
                assert vast_server.hits["/t/error-403"] == 1 and vast_server.hits["/media.mp3"] == 0
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and figures(client, chosen["id"])["errors"] < 1:
                time.sleep(0.1)
            assert figures(client, chosen["id"])["errors"] == 1
        # a failed fetch may be logged by the browser itself; the player adds no error
        assert [e for e in errors if "Failed to load resource" not in e] == []
        # without the page's consent, the VAST server is never asked
        before = sum(vast_server.hits.values())
        page = new_page()
        page.goto(base + "/no-consent.html")
        _press_play(page)
        page.wait_for_function(f"() => {PLAYER}.audio.currentTime > 0.1", timeout=10000)
        assert sum(vast_server.hits.values()) == before


# -- batch and feed ----------------------------------------------------------------------------


def test_batch_feeds_carry_spots_from_a_folder(
    fake_engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from audiogen.cli import main

    stories = tmp_path / "stories"
    stories.mkdir()
    (stories / "harbour.md").write_text(STORY)
    (stories / "ferry.md").write_text(STORY.replace("Harbour plan", "Ferry plan").replace("harbour", "ferry"))
    spots = tmp_path / "spots"
    spots.mkdir()
    (spots / "acme.wav").write_bytes(spot_wav(3.0))
    (spots / "promo.wav").write_bytes(spot_wav(50.0))
    (spots / "campaigns.toml").write_text(
        '[[campaign]]\nname = "Acme"\nspot = "acme.wav"\nplacement = "post"\nweight = 5\n\n'
        '[[campaign]]\nname = "Old promo"\nspot = "promo.wav"\nends = 2020-01-01\n'
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["batch", str(stories), "--out", "out", "--voice", fake_engine, "--feed", "out/feed.xml"]
    args += ["--base-url", "https://news.example/audio/", "--owner-email", "desk@news.example", "--spots", str(spots)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    feed = (tmp_path / "out" / "feed.xml").read_text()
    enclosures = [part.split('"', 1)[0] for part in feed.split('<enclosure url="')[1:]]
    assert len(enclosures) == 2 and all(".sponsor-" in url and "-post-" in url for url in enclosures)
    made = sorted((tmp_path / "out").rglob("*.sponsor-*.mp3"))
    assert len(made) == 2
    stamps = [path.stat().st_mtime_ns for path in made]
    for path in made:
        chapters = json.loads(path.with_suffix(".json").read_text())["chapters"]
        assert chapters[-1]["title"] == "Sponsor" and abs(chapters[-1]["end_ms"] - chapters[-1]["start_ms"] - 3000) < 20
    # the feed written again reuses the copies; without --spots it lists the plain episodes
    again = runner.invoke(
        main,
        [
            "feed",
            "out",
            "--base-url",
            "https://news.example/audio/",
            "--spots",
            str(spots),
            "--owner-email",
            "desk@news.example",
        ],
    )
    assert again.exit_code == 0, again.output
    assert [path.stat().st_mtime_ns for path in made] == stamps
    plain = runner.invoke(
        main, ["feed", "out", "--base-url", "https://news.example/audio/", "--owner-email", "desk@news.example"]
    )
    assert plain.exit_code == 0 and ".sponsor-" not in (tmp_path / "out" / "feed.xml").read_text()
    # a folder that will not do: one line, before anything is narrated
    (spots / "campaigns.toml").write_text('[[campaign]]\nspot = "missing.mp3"\n')
    bad = runner.invoke(main, args)
    assert bad.exit_code != 0 and "'spot' is the name of an audio file" in bad.output
    assert "Traceback" not in bad.output
