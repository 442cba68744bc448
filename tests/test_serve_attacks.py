"""The service under attack and faults: replays, hostile values, oversized and chunked
bodies, inflated figures, a database that cannot be written, and what its answers say
about themselves. Each answer is a clear 4xx or 503 in one line, never a 500."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_serve import STORY, Server, cli, make_key, narrate, signed

from audiogen.serve import auth, stats
from audiogen.serve.store import Store


def test_a_replayed_or_older_webhook_call_never_rolls_an_article_back(
    server: tuple[Server, httpx.Client],
    data: Path,
) -> None:
    running, client = server
    secret = cli("webhook-secret", data=data).stdout.strip()
    old = json.dumps({"event": "publish", "id": "roll", "markdown": STORY, "modified": "2026-12-01T10:00:00Z"}).encode()
    new = json.dumps(
        {
            "event": "update",
            "id": "roll",
            "markdown": STORY.replace("twelve", "fourteen"),
            "modified": "2026-12-01T11:30:00+01:00",  # 10:30 UTC: after the first, before the newest
        }
    ).encode()
    newer = json.dumps(
        {
            "event": "update",
            "id": "roll",
            "markdown": STORY.replace("twelve", "fifteen"),
            "modified": "2026-12-01T12:00:00Z",
        }
    ).encode()
    old_headers = signed(secret, old)
    first = httpx.post(running.url + "/webhooks/generic", content=old, headers=old_headers)
    assert first.status_code == 201
    assert (
        httpx.post(running.url + "/webhooks/generic", content=newer, headers=signed(secret, newer)).status_code == 202
    )
    # the very same call again, inside the five minutes: refused
    replay = httpx.post(running.url + "/webhooks/generic", content=old, headers=old_headers)
    assert replay.status_code == 409 and "received already" in replay.json()["error"]
    # the older version, freshly signed (a CMS's retry arriving late): ignored, not narrated
    late = httpx.post(running.url + "/webhooks/generic", content=old, headers=signed(secret, old, int(time.time()) + 1))
    assert late.status_code == 200 and "older" in late.json()["ignored"]
    article = client.get("/articles/roll").json()
    deadline = time.monotonic() + 60
    while article["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.1)
        article = client.get("/articles/roll").json()
    timings = httpx.get(article["links"]["timings"]).json()
    assert "fifteen" in json.dumps(timings)
    # an unpublish older than the version narrated does not take it down either
    gone = json.dumps({"event": "unpublish", "id": "roll", "modified": "2026-12-01T11:30:00Z"}).encode()
    answer = httpx.post(running.url + "/webhooks/generic", content=gone, headers=signed(secret, gone))
    assert answer.status_code == 200 and answer.json()["removed"] is False
    assert client.get("/articles/roll").status_code == 200
    # an edit older than the version narrated, never seen before: ignored too
    assert httpx.post(running.url + "/webhooks/generic", content=new, headers=signed(secret, new)).status_code == 200


def test_hostile_values_get_a_clear_4xx_never_a_500(server: tuple[Server, httpx.Client], data: Path) -> None:
    running, client = server
    secret = cli("webhook-secret", data=data).stdout.strip()
    body = json.dumps({"event": "publish", "id": "x", "markdown": STORY}).encode()
    headers = signed(secret, body) | {"X-Audiogen-Signature": "sha256=ünïcode".encode()}  # type: ignore[dict-item]
    assert httpx.post(running.url + "/webhooks/generic", content=body, headers=headers).status_code == 401

    # a body over the limit, sent chunked (no Content-Length), to both kinds of endpoint
    def chunks(size: int) -> Iterator[bytes]:
        for _ in range(size // 1024 + 1):
            yield b" " * 1024

    for path, size in (("/webhooks/generic", 6 * 1024 * 1024), ("/events", 4096)):
        answer = httpx.post(running.url + path, content=chunks(size), headers={"Content-Type": "application/json"})
        assert answer.status_code == 413, (path, answer.text)
    # addresses that do not parse
    for url in ("http://example.org:99999/a", "http://[::1/a", "http://example.org:port/a"):
        answer = client.post("/articles", json={"url": url})
        assert answer.status_code == 422 and "not a web address" in answer.json()["error"], (url, answer.text)
    # a lone surrogate, valid JSON, in every text field; /events needs no key
    lone = '"\\ud800"'
    for field in ("text", "voice", "id", "lexicon", "language"):
        raw = '{"markdown": "# A\\n\\nWords.", "%s": %s}' % (field, lone)  # noqa: UP031
        if field == "text":
            raw = '{"text": %s}' % lone  # noqa: UP031
        answer = client.post("/articles", content=raw, headers={"Content-Type": "application/json"})
        assert answer.status_code == 422, (field, answer.status_code, answer.text)
    answer = httpx.post(running.url + "/events", content='{"episode": %s, "event": "play"}' % lone)  # noqa: UP031
    assert answer.status_code == 422
    hooked = ('{"event": "publish", "id": "s", "text": %s}' % lone).encode()  # noqa: UP031
    assert (
        httpx.post(running.url + "/webhooks/generic", content=hooked, headers=signed(secret, hooked)).status_code == 422
    )
    # numbers past 2^63
    huge = str(2**64)
    assert client.get("/articles", params={"offset": huge}).status_code == 422
    assert client.get("/articles", params={"limit": huge}).status_code == 422
    assert client.get(f"/jobs/{huge}").status_code == 422
    # lexicons that are not tables of strings
    for lexicon in ("words = 5", "[words]\nEverest = 5", '[words.a.b.c]\nsay = "x"', "[words]\nx = [1, 2]"):
        answer = client.post("/articles", json={"markdown": STORY, "lexicon": lexicon})
        assert answer.status_code == 422, (lexicon, answer.text)
    # a float where a whole number belongs, without a key
    answer = httpx.post(running.url + "/events", json={"episode": "x", "event": "progress", "percent": 25.0})
    assert answer.status_code == 422
    # an id with a trailing newline is no id (it would be a second article)
    assert client.post("/articles", json={"id": "story\n", "markdown": STORY}).status_code == 422


def test_headers_head_requests_and_figures_that_cannot_be_inflated(
    server: tuple[Server, httpx.Client],
) -> None:
    running, client = server
    article = narrate(client, id="heads", markdown=STORY)
    for url in (article["audio"]["url"], running.url + "/feed.xml", running.url + "/player/audiogen-player.js"):
        head = httpx.head(url)
        got = httpx.get(url)
        assert head.status_code == 200 and not head.content, url
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers.get("x-content-type-options") == "nosniff"
    admin = httpx.get(running.url + "/admin")
    assert "frame-ancestors 'none'" in admin.headers["content-security-policy"]
    assert admin.headers["x-frame-options"] == "DENY" and admin.headers["x-content-type-options"] == "nosniff"
    # one play, "heard it all" four times: completion is 100 %, not 400 %
    send = [{"event": "play"}] + [{"event": "progress", "percent": 100}] * 4
    for event in send:
        assert httpx.post(running.url + "/events", json={"episode": "heads", **event}).status_code == 204
    episode = client.get("/stats", params={"episode": "heads"}).json()["episodes"][0]
    assert episode["plays"] == 1 and episode["heard100"] == 1 and episode["completion"]["100"] == 1.0


def test_a_commit_that_fails_is_a_503_and_a_finished_job_is_recorded_once_it_can_be(
    tmp_path: Path,
) -> None:
    from audiogen.errors import ServiceError

    store = Store(str(tmp_path / "db.sqlite3"))
    # the database refuses every write (as a full disk does at COMMIT)
    store.execute("CREATE TRIGGER refuse BEFORE INSERT ON webhook_calls BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(ServiceError, match="the database failed"):
        auth.first_call(store, "sha256=abc")
    store.execute("DROP TRIGGER refuse")
    assert auth.first_call(store, "sha256=abc") and not auth.first_call(store, "sha256=abc")
    store.close()
    # the float percent that once reached the database as an unknown column
    with pytest.raises(ValueError):
        stats.parse_event({"episode": "x", "event": "progress", "percent": 50.0})


def test_a_job_whose_end_cannot_be_recorded_is_recorded_on_a_later_turn(tmp_path: Path) -> None:
    from audiogen.errors import ServiceError
    from audiogen.publish.batch import BatchOptions
    from audiogen.serve import articles
    from audiogen.serve.articles import Submission
    from audiogen.serve.runner import Runner

    store = Store(str(tmp_path / "db.sqlite3"))
    articles.submit(store, Submission("a", "text", "Words."), "api")
    failures = [ServiceError("the database failed: disk I/O error")]

    def finish(job_id: int, runner: str, record: dict[str, object]) -> bool:
        if failures:
            raise failures.pop()
        return articles.finish(store, job_id, runner, record)

    runner = Runner(store, tmp_path, BatchOptions(), finish=finish)
    claimed = articles.claim(store, runner.id)
    assert claimed is not None
    runner._finished(claimed, {"status": "done", "title": "A", "files": []})
    assert articles.get_job(store, claimed["job"]["id"])["state"] == "running"  # type: ignore[index]
    runner._record_pending()  # the loop's next turn
    assert articles.get_job(store, claimed["job"]["id"])["state"] == "done"  # type: ignore[index]
    store.close()


def test_worker_processes_end_with_a_killed_service(data: Path) -> None:
    import psutil

    key = make_key(data)
    running = Server(data).start()
    assert running.process is not None
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=running.url, headers=headers, timeout=30) as client:
        narrate(client, id="kill", markdown=STORY)
    service = psutil.Process(running.process.pid)
    children = service.children(recursive=True)
    assert children  # the pool's worker and its engine
    os.kill(service.pid, signal.SIGKILL)
    running.process.wait(10)
    running.process = None
    _, alive = psutil.wait_procs(children, timeout=20)
    try:
        assert not alive, [p.cmdline()[:3] for p in alive]
    finally:
        for process in alive:
            process.kill()
