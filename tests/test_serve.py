"""The newsroom service: the real server (uvicorn, started here on 127.0.0.1), its real
database (SQLite, and PostgreSQL from the pgserver wheel), the fake engine narrating,
and the player in Chromium sending real beacons."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import end_session

from audiogen.serve import articles, auth, stats, webhooks
from audiogen.serve.articles import Submission
from audiogen.serve.store import Store

SERVER = """
import sys
from audiogen.backends import registry
registry.register("fake", "fake_engines:FakeBackend")
from audiogen.cli import main
sys.exit(main(["serve", *sys.argv[1:]]))
"""

STORY = """# Council passes the budget

The city council passed the budget on Tuesday after a long debate.

The plan funds twelve new buses and a library branch.

Members will meet again in March to review the spending.
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "audiogen", "serve", *args, "--data", str(data)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


class Server:
    """``audiogen serve`` in a process of its own, on a free port of 127.0.0.1."""

    def __init__(self, data: Path, *extra: str) -> None:
        self.data = data
        self.extra = extra
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None
        self.log = data.parent / f"server-{self.port}.log"
        #: environment variables of this server's own
        self.env: dict[str, str] = {}

    def start(self) -> Server:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p), **self.env)
        command = [sys.executable, "-c", SERVER, "--data", str(self.data), "--port", str(self.port)]
        command += ["--voice", "fake:tone", "--owner-email", "desk@news.example", "--proof", "off", *self.extra]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            time.sleep(0.1)
        raise AssertionError("the server did not start: " + self.log.read_text())

    def stop(self) -> int | None:
        """SIGTERM, as a service manager stops it; its exit code."""
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(30)
        except subprocess.TimeoutExpired:
            code = None
        end_session(self.process)
        self.process = None
        return code

    def kill(self) -> None:
        if self.process is not None:
            end_session(self.process)
            self.process = None


def make_key(data: Path) -> str:
    result = cli("keys", "create", "--name", "tests", data=data)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def wait_for_job(client: httpx.Client, job_id: int, seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}").json()
        if job["state"] in ("done", "failed", "cancelled"):
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def narrate(client: httpx.Client, **body: Any) -> dict[str, Any]:
    response = client.post("/articles", json=body)
    assert response.status_code in (200, 201, 202), response.text
    posted = response.json()
    if posted["job"] is not None:
        job = wait_for_job(client, posted["job"]["id"])
        assert job["state"] == "done", json.dumps(job)
    return dict(client.get(f"/articles/{posted['id']}").json())


# -- the API, end to end ---------------------------------------------------------------------


def test_an_article_is_narrated_served_with_range_and_in_the_feed(server: tuple[Server, httpx.Client]) -> None:
    running, client = server
    article = narrate(client, id="budget-1", markdown=STORY)
    assert article["status"] == "done" and article["title"] == "Council passes the budget"
    audio = httpx.get(article["audio"]["url"])
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    assert len(audio.content) == article["audio"]["bytes"]
    part = httpx.get(article["audio"]["url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == audio.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(audio.content)}"
    captions = httpx.get(article["links"]["captions"])
    assert captions.headers["content-type"].startswith("text/vtt") and "WEBVTT" in captions.text
    chapters = httpx.get(article["links"]["chapters"])
    assert chapters.headers["content-type"] == "application/json+chapters"
    assert "chapters" in chapters.json()
    timings = httpx.get(article["links"]["timings"]).json()
    assert timings["ai_generated"] is True
    # the player's snippet, and the script it loads
    snippet = httpx.get(article["links"]["player"]).text
    assert f'stats="{running.url}/events"' in snippet and 'episode="budget-1"' in snippet
    assert "customElements.define" in httpx.get(running.url + "/player/audiogen-player.js").text
    # the feed: the episode, its enclosure's length the file's
    feed = httpx.get(running.url + "/feed.xml")
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert f'url="{article["audio"]["url"]}"' in feed.text
    assert f'length="{len(audio.content)}"' in feed.text
    assert "<podcast:transcript" in feed.text
    # what is not an episode file is not served
    assert httpx.get(f"{running.url}/episodes/{article['episode']}/episode.json").status_code == 404
    assert httpx.get(f"{running.url}/episodes/{article['episode']}/..%2Faudiogen.sqlite3").status_code == 404
    assert httpx.get(f"{running.url}/episodes/nothing/a.mp3").status_code == 404


def test_an_edit_renarrates_only_what_changed(server: tuple[Server, httpx.Client]) -> None:
    _, client = server
    first = narrate(client, id="budget-2", markdown=STORY)
    assert first["job"]["sentences_cached"] == 0
    same = client.post("/articles", json={"id": "budget-2", "markdown": STORY})
    assert same.status_code == 200 and same.json()["unchanged"] is True and same.json()["job"]["state"] == "done"
    edited = STORY.replace("twelve new buses", "fourteen new buses")
    response = client.post("/articles", json={"id": "budget-2", "markdown": edited})
    assert response.status_code == 202
    job = wait_for_job(client, response.json()["job"]["id"])
    assert job["state"] == "done" and job["sentences_synthesized"] == 1 and job["sentences_cached"] >= 3
    assert job["id"] != first["job"]["id"]


def test_every_write_needs_a_valid_key_and_bad_requests_get_one_line(
    server: tuple[Server, httpx.Client], data: Path
) -> None:
    running, client = server
    body = {"id": "x", "markdown": STORY}
    assert httpx.post(running.url + "/articles", json=body).status_code == 401
    wrong = {"Authorization": "Bearer ag_0000_nothing"}
    assert httpx.post(running.url + "/articles", json=body, headers=wrong).status_code == 401
    assert httpx.get(running.url + "/stats").status_code == 401
    assert httpx.delete(running.url + "/articles/x").status_code == 401
    # a revoked key is refused at once
    other = make_key(data)
    listed = cli("keys", "list", data=data).stdout
    other_id = other.split("_")[1]
    assert other_id in listed
    assert httpx.get(running.url + "/articles", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    assert cli("keys", "revoke", other_id, data=data).returncode == 0
    assert httpx.get(running.url + "/articles", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    # wrong requests: one line saying what is wrong
    cases = [
        ({"id": "x", "markdown": STORY, "html": "<p>a</p>"}, "exactly one"),
        ({"id": "bad id!", "markdown": STORY}, "not an article id"),
        ({"markdown": STORY, "voice": "nobody:nothing"}, "unknown speech engine"),
        ({"markdown": STORY, "voice": "no-such-preset"}, "unknown voice"),
        ({"markdown": STORY, "voice": "../../etc/passwd"}, "preset"),
        ({"url": "http://127.0.0.1:9/story"}, "private"),
        ({"url": "file:///etc/passwd"}, "http(s)"),
        ({"markdown": STORY, "lexicon": "words = 3 ="}, "lexicon"),
    ]
    for payload, words in cases:
        response = client.post("/articles", json=payload)
        assert response.status_code == 422, (payload, response.text)
        assert words in response.json()["error"], response.text
    huge = client.post("/articles", json={"markdown": "word " * 1_100_000})
    assert huge.status_code == 413
    assert client.get("/articles/unknown").status_code == 404


def test_delete_takes_the_episode_down(server: tuple[Server, httpx.Client], data: Path) -> None:
    running, client = server
    article = narrate(client, id="gone", markdown=STORY)
    assert (data / "episodes" / article["episode"]).is_dir()
    assert client.delete("/articles/gone").status_code == 204
    assert client.get("/articles/gone").status_code == 404
    assert not (data / "episodes" / article["episode"]).exists()
    assert httpx.get(article["audio"]["url"]).status_code == 404
    assert article["audio"]["url"] not in httpx.get(running.url + "/feed.xml").text
    assert client.delete("/articles/gone").status_code == 404


def signed(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    return {
        "X-Audiogen-Timestamp": stamp,
        "X-Audiogen-Signature": auth.sign(secret, stamp, body),
        "Content-Type": "application/json",
    }


def test_webhooks_publish_update_and_unpublish_when_signed(server: tuple[Server, httpx.Client], data: Path) -> None:
    running, client = server
    secret = cli("webhook-secret", data=data).stdout.strip()
    assert secret.startswith("whsec_")
    post = {
        "id": 7,
        "status": "publish",
        "link": "https://news.example/2026/12/budget",
        "title": {"rendered": "Budget &#8211; passed"},
        "content": {"rendered": "<p>The council passed the budget on Tuesday.</p><p>It takes effect in July.</p>"},
    }
    body = json.dumps(post).encode()
    response = httpx.post(running.url + "/webhooks/wordpress", content=body, headers=signed(secret, body))
    assert response.status_code == 201, response.text
    job = wait_for_job(client, response.json()["job"]["id"])
    assert job["state"] == "done" and job["reason"] == "webhook"
    article = client.get("/articles/wp-7").json()
    assert article["title"] == "Budget – passed"
    # refused: no signature, a wrong one, another body, an old timestamp
    assert httpx.post(running.url + "/webhooks/wordpress", content=body).status_code == 401
    bad = signed("whsec_other", body)
    assert httpx.post(running.url + "/webhooks/wordpress", content=body, headers=bad).status_code == 401
    assert (
        httpx.post(running.url + "/webhooks/wordpress", content=body + b" ", headers=signed(secret, body)).status_code
        == 401
    )
    old = signed(secret, body, int(time.time()) - 3600)
    replay = httpx.post(running.url + "/webhooks/wordpress", content=body, headers=old)
    assert replay.status_code == 401 and "five minutes" in replay.json()["error"]
    # the generic hook: publish, then unpublish
    generic = json.dumps({"event": "publish", "id": "desk-1", "markdown": STORY}).encode()
    response = httpx.post(running.url + "/webhooks/generic", content=generic, headers=signed(secret, generic))
    assert wait_for_job(client, response.json()["job"]["id"])["state"] == "done"
    gone = json.dumps({"event": "unpublish", "id": "desk-1"}).encode()
    response = httpx.post(running.url + "/webhooks/generic", content=gone, headers=signed(secret, gone))
    assert response.json() == {"id": "desk-1", "action": "unpublish", "removed": True}
    # WordPress: a post moved to the trash comes down
    trashed = json.dumps(dict(post, status="trash")).encode()
    response = httpx.post(running.url + "/webhooks/wordpress", content=trashed, headers=signed(secret, trashed))
    assert response.json()["removed"] is True
    assert client.get("/articles/wp-7").status_code == 404
    assert "<item>" not in httpx.get(running.url + "/feed.xml").text


def test_a_cms_checks_its_signing_and_asks_for_a_narration_again(
    server: tuple[Server, httpx.Client], data: Path
) -> None:
    running, client = server
    secret = cli("webhook-secret", data=data).stdout.strip()
    body = b'{"check": "1"}'
    assert httpx.post(running.url + "/webhooks/check", content=body, headers=signed(secret, body)).json() == {
        "ok": True
    }
    wrong = httpx.post(running.url + "/webhooks/check", content=body, headers=signed("whsec_other", body))
    assert wrong.status_code == 401 and wrong.json()["error"] == "the signature does not match the body"
    assert httpx.post(running.url + "/webhooks/check", content=body).status_code == 401
    article = narrate(client, id="again-1", markdown=STORY)
    embed = article["embed"]
    assert embed["script"] == running.url + "/player/audiogen-player.js" and embed["version"].startswith("0.")
    assert embed["attributes"]["src"] == article["audio"]["url"] and embed["attributes"]["episode"] == "again-1"
    assert embed["attributes"]["timings"] == article["links"]["timings"]
    again = client.post("/articles/again-1/narrate")
    assert again.status_code == 202 and again.json()["job"]["reason"] == "api"
    job = wait_for_job(client, again.json()["job"]["id"])
    assert job["state"] == "done" and job["unchanged"] is True  # nothing changed: the narration stands
    assert client.post("/articles/nobody/narrate").status_code == 404
    assert httpx.post(running.url + "/articles/again-1/narrate").status_code == 401


def test_one_failing_article_never_stops_the_others(server: tuple[Server, httpx.Client]) -> None:
    _, client = server
    jobs = {}
    for name, text in (
        ("fails", STORY + "\nThis sentence makes the engine fail [fail].\n"),
        ("crashes", STORY + "\nThis sentence crashes the engine [crash].\n"),
        ("fine", STORY),
    ):
        jobs[name] = client.post("/articles", json={"id": name, "markdown": text}).json()["job"]["id"]
    results = {name: wait_for_job(client, job) for name, job in jobs.items()}
    assert results["fine"]["state"] == "done"
    assert results["fails"]["state"] == "failed" and results["fails"]["error"]
    assert results["crashes"]["state"] == "failed" and results["crashes"]["error"]
    assert client.get("/articles/fails").json()["status"] == "failed"


def test_a_restart_mid_queue_loses_and_duplicates_nothing(data: Path) -> None:
    key = make_key(data)
    first = Server(data).start()
    headers = {"Authorization": f"Bearer {key}"}
    slow = STORY + "\nA slower sentence [slow].\nAnother slower one [slow].\n"
    for number in range(6):
        body = {"id": f"story-{number}", "markdown": slow.replace("Tuesday", f"day {number}")}
        assert httpx.post(first.url + "/articles", json=body, headers=headers).status_code == 201
    database = data / "audiogen.sqlite3"

    def done_jobs() -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(database, timeout=30)) as connection:
            return connection.execute("SELECT article_id, finished FROM jobs WHERE state = 'done'").fetchall()

    deadline = time.monotonic() + 90
    while len(done_jobs()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    first.kill()  # SIGKILL: no clean-up at all, a job was running
    before = dict(done_jobs())
    assert 2 <= len(before) < 6
    # the episodes whose jobs were recorded done (a job killed after writing its files but
    # before its end was recorded is rightly narrated again)
    mtimes = {
        articles.episode_of(article): (data / "episodes" / articles.episode_of(article) / "episode.json")
        .stat()
        .st_mtime_ns
        for article in before
    }

    second = Server(data).start()
    try:
        deadline = time.monotonic() + 120
        while len(done_jobs()) < 6 and time.monotonic() < deadline:
            time.sleep(0.2)
        listing = httpx.get(second.url + "/articles", headers=headers).json()["articles"]
    finally:
        assert second.stop() is not None  # SIGTERM ends it by itself
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT article_id, state, attempts FROM jobs ORDER BY id").fetchall()
    assert sorted(r[0] for r in rows if r[1] == "done") == [f"story-{n}" for n in range(6)]  # each once
    assert all(state == "done" for _, state, _ in rows), rows
    assert max(attempts for *_, attempts in rows) <= 2
    assert {a["id"]: a["status"] for a in listing} == {f"story-{n}": "done" for n in range(6)}
    # what was done before the kill was not narrated again
    after = dict(done_jobs())
    for article, finished in before.items():
        assert after[article] == finished
    for episode, mtime in mtimes.items():
        assert (data / "episodes" / episode / "episode.json").stat().st_mtime_ns == mtime
    assert len([p for p in (data / "episodes").iterdir() if not p.name.startswith(".")]) == 6


def test_events_are_counted_rate_limited_and_summed(data: Path) -> None:
    key = make_key(data)
    running = Server(data, "--events-per-minute", "60").start()
    try:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=running.url, headers=headers, timeout=30) as client:
            narrate(client, id="heard", markdown=STORY)
            sent = [
                {"event": "play", "speed": 1.0},
                {"event": "play", "speed": 1.5},
                {"event": "play"},
                {"event": "progress", "percent": 25, "speed": 1.0},
                {"event": "progress", "percent": 25, "speed": 2.0},
                {"event": "progress", "percent": 100, "speed": 1.5},
            ]
            for event in sent:
                # as sendBeacon sends it: text/plain, no cookie
                response = httpx.post(
                    running.url + "/events",
                    content=json.dumps({"episode": "heard", **event}),
                    headers={"Content-Type": "text/plain;charset=UTF-8"},
                )
                assert response.status_code == 204 and "set-cookie" not in response.headers
            assert httpx.post(running.url + "/events", json={"episode": "nobody", "event": "play"}).status_code == 404
            for wrong in (
                {"episode": "heard", "event": "pause"},
                {"episode": "heard", "event": "progress", "percent": 33},  # (tenths and quarters only),
                {"episode": "heard", "event": "play", "speed": 99},
                [1, 2],
            ):
                assert httpx.post(running.url + "/events", json=wrong).status_code == 422
            assert httpx.post(running.url + "/events", content=b"x" * 5000).status_code == 413
            figures = client.get("/stats").json()
            episode = figures["episodes"][0]
            assert (episode["episode"], episode["plays"], episode["heard25"], episode["heard100"]) == ("heard", 3, 2, 1)
            assert episode["completion"]["25"] == pytest.approx(2 / 3, abs=1e-3)
            assert episode["average_speed"] == pytest.approx((1.0 + 1.5 + 1.0 + 2.0 + 1.5) / 5, abs=1e-3)
            assert episode["title"] == "Council passes the budget"
            # the rate limit: the burst (a quarter of a minute's 60) passes, then 429; what
            # was accepted is what is stored
            codes = [
                httpx.post(running.url + "/events", json={"episode": "heard", "event": "play"}).status_code
                for _ in range(30)
            ]
            accepted = codes.count(204)
            assert 1 <= accepted < 30 and codes.count(429) == 30 - accepted
            assert client.get("/stats").json()["totals"]["plays"] == 3 + accepted
            # the admin page and its files come from the service alone
            page = httpx.get(running.url + "/admin")
            assert "default-src 'none'" in page.headers["content-security-policy"]
            assert "admin.js" in page.text and "http" not in page.text.split("<body>")[1]
    finally:
        running.kill()


def test_openapi_docs_are_served_without_third_parties(server: tuple[Server, httpx.Client]) -> None:
    running, _ = server
    spec = httpx.get(running.url + "/openapi.json").json()
    for path in (
        "/articles",
        "/articles/{article_id}",
        "/webhooks/generic",
        "/webhooks/wordpress",
        "/events",
        "/stats",
    ):
        assert path in spec["paths"], path
    docs = httpx.get(running.url + "/docs").text
    assert "swagger-ui" in docs
    for line in docs.splitlines():
        if "src=" in line or "href=" in line:
            assert "://" not in line, line


def test_the_log_never_holds_a_key_or_the_webhook_secret(data: Path) -> None:
    key = make_key(data)
    secret = cli("webhook-secret", data=data).stdout.strip()
    running = Server(data, "--verbose").start()
    try:
        headers = {"Authorization": f"Bearer {key}"}
        assert httpx.get(running.url + "/articles", headers=headers).status_code == 200
        body = json.dumps({"event": "publish", "id": "logged", "markdown": STORY}).encode()
        httpx.post(running.url + "/webhooks/generic", content=body, headers=signed(secret, body))
        httpx.post(running.url + "/webhooks/generic", content=body, headers=signed(secret + "x", body))
        httpx.get(running.url + "/articles", headers={"Authorization": f"Bearer {key}x"})
    finally:
        running.stop()
    log = running.log.read_text()
    assert "POST /webhooks/generic" in log  # the access log is on
    assert key not in log and key[:20] not in log
    assert secret not in log and secret[6:20] not in log


def test_serve_refuses_to_start_without_what_it_needs(data: Path) -> None:
    command = [sys.executable, "-m", "audiogen", "serve", "--data", str(data), "--port", str(free_port())]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1 and "owner's e-mail" in result.stderr and "Traceback" not in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "audiogen", "serve", "--data", str(data), "--port", str(port)]
        result = subprocess.run(
            [*command, "--owner-email", "desk@news.example"], capture_output=True, text=True, timeout=60, check=False
        )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: could not serve on 127.0.0.1")
    result = cli("keys", "revoke", "nothing", data=data)
    assert result.returncode == 1 and result.stderr.startswith("Error: no active key")


# -- the player in Chromium, sending real beacons -------------------------------------------------


def test_the_player_sends_listening_events_from_a_real_browser(server: tuple[Server, httpx.Client]) -> None:
    from browser import CHROMIUM_FLAGS, chromium_path
    from browser import serve as serve_folder
    from playwright.sync_api import sync_playwright

    running, client = server
    article = narrate(client, id="in-browser", markdown=STORY)
    snippet = httpx.get(article["links"]["player"]).text
    site = running.data.parent / "site"
    site.mkdir()
    (site / "index.html").write_text(
        f"<!DOCTYPE html><html lang='en'><head><title>Story</title></head><body><h1>Story</h1>{snippet}</body></html>"
    )
    with serve_folder(site) as (page_url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)
            page.goto(page_url + "/index.html")  # another origin than the service's, as on a news site
            page.wait_for_function("document.querySelector('audiogen-player').cues.length > 0")
            page.evaluate(
                "() => { const p = document.querySelector('audiogen-player'); p.setSpeed(3);"
                " p.shadowRoot.querySelector('button.play').click(); }"
            )
            page.wait_for_function("document.querySelector('audiogen-player').audio.ended", timeout=60000)
            assert not page.context.cookies()
        finally:
            browser.close()
    deadline = time.monotonic() + 20
    figures: dict[str, Any] = {}
    while time.monotonic() < deadline:
        figures = client.get("/stats", params={"episode": "in-browser"}).json()
        if figures["episodes"] and figures["episodes"][0]["heard100"] >= 1:
            break
        time.sleep(0.2)
    episode = figures["episodes"][0]
    assert (episode["plays"], episode["heard25"], episode["heard50"], episode["heard75"], episode["heard100"]) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert episode["average_speed"] == 3.0
    # shown once, played once, every tenth heard: plays per load, the drop-off curve, the share heard
    assert episode["loads"] == 1 and episode["plays_per_load"] == 1.0
    assert [episode["completion"][str(m)] for m in range(10, 101, 10)] == [1.0] * 10
    assert episode["average_heard"] == 1.0


def test_loads_tenths_and_old_quarters_make_the_figures(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "stats.sqlite3"))
    try:
        for kind, percent in [("load", None)] * 4 + [("play", None)] * 2 + [("progress", p) for p in (10, 20, 30)]:
            stats.record(
                store, stats.parse_event({"episode": "e", "event": kind, "percent": percent}), day="2026-12-01"
            )
        # an episode heard before the tenths existed: its quarters still count
        for kind, percent in [("play", None), ("progress", 25), ("progress", 50)]:
            stats.record(
                store, stats.parse_event({"episode": "old", "event": kind, "percent": percent}), day="2026-12-01"
            )
        with pytest.raises(ValueError):
            stats.parse_event({"episode": "e", "event": "progress", "percent": 15})
        with pytest.raises(ValueError):
            stats.parse_event({"episode": "e", "event": "loaded"})
        figures = {e["episode"]: e for e in stats.summary(store, days=3650)["episodes"]}
        assert figures["e"]["plays_per_load"] == 0.5 and figures["e"]["completion"]["30"] == 0.5
        assert figures["e"]["average_heard"] == 0.15  # one of two listens heard three tenths
        assert figures["old"]["plays_per_load"] is None and figures["old"]["average_heard"] == 0.5
    finally:
        store.close()


# -- the parts, directly ------------------------------------------------------------------------


def test_wordpress_bodies_of_both_shapes_are_read() -> None:
    rest = webhooks.wordpress(
        {"id": 12, "status": "publish", "title": {"rendered": "A &amp; B"}, "content": {"rendered": "<p>Text.</p>"}}
    )
    assert rest.kind == "publish" and rest.article_id == "wp-12" and rest.submission is not None
    assert "<h1>A &amp; B</h1>" in rest.submission.source and rest.submission.kind == "html"
    post = webhooks.wordpress(
        {"post": {"ID": "13", "post_status": "publish", "post_title": "T", "post_content": "<p>Body.</p>"}}
    )
    assert post.article_id == "wp-13" and post.submission is not None and "<p>Body.</p>" in post.submission.source
    for status in ("trash", "private"):
        assert webhooks.wordpress({"id": 12, "status": status}).kind == "unpublish"
    for status in ("draft", "pending", "future"):  # narrated as drafts: out of the feed
        draft = webhooks.wordpress({"id": 12, "status": status, "title": "T", "content": "<p>Text.</p>"})
        assert draft.kind == "publish" and draft.submission is not None and draft.submission.draft
        assert webhooks.wordpress({"id": 12, "status": status}).kind == "unpublish"  # nothing to narrate yet
    for wrong in ([], {"status": "publish"}, {"id": 1, "status": "publish", "content": {"rendered": " "}}):
        with pytest.raises(ValueError):
            webhooks.wordpress(wrong)
    with pytest.raises(ValueError, match="exactly one"):
        webhooks.generic({"event": "publish", "id": "a", "url": "https://x.example/", "text": "t"})
    assert webhooks.generic({"event": "unpublish", "id": "a"}).kind == "unpublish"
    localized = webhooks.wordpress(
        {"id": 5, "status": "publish", "title": "T", "content": "<p>Olá.</p>", "lang": "pt_BR", "voice": "joe"}
    )
    assert localized.submission is not None and localized.submission.voice == "joe"
    assert localized.submission.source.startswith('<!DOCTYPE html><html lang="pt-BR">')
    odd = webhooks.wordpress({"id": 5, "status": "publish", "title": "T", "content": "<p>Hi.</p>", "lang": '"><x'})
    assert odd.submission is not None and "<html>" in odd.submission.source
    with pytest.raises(ValueError, match="voice"):
        webhooks.wordpress({"id": 5, "status": "publish", "title": "T", "content": "<p>Hi.</p>", "voice": 5})


def test_signatures() -> None:
    body = b'{"event": "unpublish", "id": "a"}'
    now = str(int(time.time()))
    good = auth.sign("s3cret", now, body)
    assert auth.signature_problem("s3cret", now, good, body) is None
    assert auth.signature_problem("s3cret", now, good, body + b"x") is not None
    assert auth.signature_problem("other", now, good, body) is not None
    assert auth.signature_problem("s3cret", None, good, body) is not None
    assert auth.signature_problem("s3cret", "12abc", good, body) is not None
    late = str(int(time.time()) - 301)
    assert "five minutes" in str(auth.signature_problem("s3cret", late, auth.sign("s3cret", late, body), body))


def test_events_are_checked() -> None:
    assert stats.parse_event({"episode": "a", "event": "progress", "percent": 50, "speed": 1.25}).percent == 50
    for wrong in (
        {"episode": "", "event": "play"},
        {"episode": "a" * 200, "event": "play"},
        {"episode": "a", "event": "progress"},
        {"episode": "a", "event": "play", "speed": True},
        {"episode": "a", "event": "play", "speed": 0.1},
        "play",
    ):
        with pytest.raises(ValueError):
            stats.parse_event(wrong)


def test_the_rate_limiter_refills_with_time(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(stats.time, "monotonic", lambda: clock[0])
    limiter = stats.RateLimiter(per_minute=60)  # a burst of 15, one more each second
    assert sum(limiter.allow("a") for _ in range(40)) == 15
    assert limiter.allow("b")  # another address has its own bucket
    clock[0] += 2.0
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]


def test_migrations_apply_once_and_refuse_a_newer_schema(tmp_path: Path) -> None:
    path = str(tmp_path / "db.sqlite3")
    store = Store(path)
    assert store.migrate() == len(articles_migrations())
    store.close()
    again = Store(path)  # opening again applies nothing twice
    versions = again.rows("SELECT version FROM schema_migrations")
    assert [row["version"] for row in versions] == list(range(1, len(articles_migrations()) + 1))
    again.execute("INSERT INTO schema_migrations (version, applied) VALUES (?, ?)", (99, "later"))
    again.close()
    with pytest.raises(Exception, match="newer than this audiogen knows"):
        Store(path)


def articles_migrations() -> list[list[str]]:
    from audiogen.serve.store import MIGRATIONS

    return MIGRATIONS


def queue_checks(store: Store) -> None:
    """What the queue promises, on a database: edits fold into a waiting job, one job of an
    article runs at a time, and racing runners never take the same job."""
    first = articles.submit(store, Submission("s", "text", "One."), "api")
    assert first.created and first.job is not None
    folded = articles.submit(store, Submission("s", "text", "One, edited."), "api")
    assert folded.job is not None and folded.job["id"] == first.job["id"]
    claimed = articles.claim(store, "runner-a")
    assert claimed is not None and claimed["article"]["source"] == "One, edited."
    # an edit while it runs queues one more, which waits for the running one
    later = articles.submit(store, Submission("s", "text", "One, edited again."), "api")
    assert later.job is not None and later.job["id"] != first.job["id"]
    assert articles.claim(store, "runner-b") is None
    assert articles.finish(store, claimed["job"]["id"], "runner-a", {"status": "done", "title": "S", "files": []})
    assert articles.get_article(store, "s")["status"] == "queued"  # the later job waits
    # many articles, four runners racing: every job taken exactly once
    for number in range(40):
        articles.submit(store, Submission(f"r{number}", "text", f"Story {number}."), "api")
    taken: list[int] = []

    def take(name: str) -> None:
        while (job := articles.claim(store, name)) is not None:
            taken.append(job["job"]["id"])

    threads = [threading.Thread(target=take, args=(f"runner-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(taken) == len(set(taken)) == 41


def test_the_queue_on_sqlite(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "queue.sqlite3"))
    try:
        queue_checks(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def postgresql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL server from the pgserver wheel, for this module's tests."""
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(tmp_path_factory.mktemp("postgresql"), cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()


def test_the_queue_on_postgresql(postgresql: str) -> None:
    store = Store(postgresql)
    try:
        assert store.dialect == "postgresql"
        queue_checks(store)
        second = Store(postgresql)  # a second service on the same database migrates nothing
        try:
            assert second.migrate() == len(articles_migrations())
        finally:
            second.close()
    finally:
        store.close()


def an_article_is_seen_with_its_job_at_one_moment(database: str, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job that ends on another connection (another node, the runner) between the reads of
    the article and of its job: the API shows both as they were, never a finished job on an
    article still running (a client waiting for the job to end then read a running article)."""
    from audiogen.serve.service import Service, ServiceConfig

    service = Service(ServiceConfig(data=data, database=database))
    other = Store(database)
    try:
        submitted = articles.submit(service.store, Submission("seen-together", "text", "One."), "api")
        assert submitted.job is not None
        job = submitted.job["id"]
        other.execute("UPDATE jobs SET state = 'running', runner = 'elsewhere' WHERE id = ?", (job,))
        other.execute("UPDATE articles SET status = 'running' WHERE id = 'seen-together'")
        reading_job = articles.active_job

        def job_read_after_it_ended(store: Store, article_id: str) -> Any:
            articles.finish(
                other, job, "elsewhere", {"status": "done", "title": "One", "audio": "one.mp3", "files": ["one.mp3"]}
            )
            return reading_job(store, article_id)

        monkeypatch.setattr(articles, "active_job", job_read_after_it_ended)
        view = service.current_view("seen-together")
        assert view is not None and (view["status"], view["job"]["state"]) == ("running", "running")
        monkeypatch.setattr(articles, "active_job", reading_job)
        view = service.current_view("seen-together")
        assert view is not None and (view["status"], view["job"]["state"]) == ("done", "done")
        assert service.current_view("no-such-article") is None
    finally:
        other.close()
        service.store.close()


def test_an_article_is_seen_with_its_job_at_one_moment_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    an_article_is_seen_with_its_job_at_one_moment(str(tmp_path / "one.sqlite3"), tmp_path / "data", monkeypatch)


def test_an_article_is_seen_with_its_job_at_one_moment_on_postgresql(
    postgresql: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    an_article_is_seen_with_its_job_at_one_moment(postgresql, tmp_path / "data", monkeypatch)


def test_the_service_runs_on_postgresql(postgresql: str, data: Path) -> None:
    key = cli("keys", "create", "--name", "pg", "--database", postgresql, data=data).stdout.strip()
    running = Server(data, "--database", postgresql).start()
    try:
        with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            article = narrate(client, id="on-postgresql", markdown=STORY)
            assert article["status"] == "done"
            assert httpx.get(article["audio"]["url"]).status_code == 200
    finally:
        running.kill()
    assert not (data / "audiogen.sqlite3").exists()


def test_an_article_can_say_its_language_and_quote_voice(server: tuple[Server, httpx.Client]) -> None:
    _, client = server
    spanish = (Path(__file__).resolve().parent.parent / "samples" / "es-presupuesto-autobuses.md").read_text()
    article = narrate(client, id="es-1", markdown=spanish, language="es", quote_voice="fake:tone-8k")
    assert (article["language"], article["quote_voice"]) == ("es", "fake:tone-8k")
    timings = httpx.get(article["links"]["timings"]).json()
    assert timings["language"] == "es"
    assert timings["ai_notice"] == "Este audio se generó con ayuda de inteligencia artificial."
    voices = {s["text"][:12]: s.get("voice", "") for part in timings["segments"] for s in part["sentences"]}
    assert voices['"Es el mayor'] == "fake:tone-8k" and voices["dijo la alca"] == ""
    wrong = client.post("/articles", json={"markdown": spanish, "language": "spanish please"})
    assert wrong.status_code == 422 and "language" in wrong.json()["error"]


def test_an_older_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    from audiogen.serve import store as stores

    path = str(tmp_path / "old.sqlite3")
    first = stores.MIGRATIONS[:1]
    original = stores.MIGRATIONS
    stores.MIGRATIONS = first
    try:
        old = Store(path)
        request = Submission("kept", "text", "A story told before languages.")
        old.execute(
            "INSERT INTO articles (id, episode, kind, source, request_hash, status, created, updated)"
            " VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
            ("kept", articles.episode_of("kept"), "text", request.source, request.request_hash(), "then", "then"),
        )
        old.execute("INSERT INTO jobs (article_id, state, reason, created) VALUES ('kept', 'queued', 'api', 'then')")
        old.close()
    finally:
        stores.MIGRATIONS = original
    upgraded = Store(path)
    try:
        versions = [row["version"] for row in upgraded.rows("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == list(range(1, len(original) + 1))
        row = upgraded.row("SELECT id, source, language, quote_voice FROM articles WHERE id = 'kept'")
        assert row == {"id": "kept", "source": "A story told before languages.", "language": None, "quote_voice": None}
        # the same request as before is still the same request: nothing is narrated again
        again = articles.submit(upgraded, Submission("kept", "text", "A story told before languages."), "api")
        assert not again.created and again.job is not None and again.job["id"] == 1
    finally:
        upgraded.close()


WITHOUT_EXTRA = """
import sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("fastapi", "fastapi_offline", "uvicorn"):
            raise ImportError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, Missing())
from audiogen.cli import main
sys.exit(main(["serve", "--data", sys.argv[1], "--owner-email", "desk@news.example"]))
"""


def test_without_the_serve_extra_the_error_says_how_to_install_it(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA, str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["Error: the service needs its extra — pip install 'audiogen[serve]'"]


def test_the_admin_page_says_there_are_no_listens_yet(server: tuple[Server, httpx.Client], data: Path) -> None:
    from browser import CHROMIUM_FLAGS, chromium_path
    from playwright.sync_api import sync_playwright

    running, client = server
    key = client.headers["Authorization"].removeprefix("Bearer ")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.goto(running.url + "/admin")
            page.fill("#key", key)
            page.click("button[type=submit]")
            page.wait_for_selector("#figures:not([hidden])")
            # no chart of nothing: no line from 100 % to 0 %, no axis that says "1"
            assert page.locator("#daily-chart svg, #curve-chart svg").count() == 0
            assert "No listens yet in the last 30 days." in page.inner_text("#daily-chart")
            assert "until an episode is heard" in page.inner_text("#curve-chart")
            assert "No episode has been heard yet." in page.inner_text("#episodes")
            assert not errors
        finally:
            browser.close()
