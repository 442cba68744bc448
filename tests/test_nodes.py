"""The service beyond one machine: nodes sharing only a PostgreSQL database (the pgserver
wheel) and object storage (moto's S3 server, a real S3 HTTP endpoint), each with a data
folder of its own; a node killed mid-job, the store failing an upload, the database
restarting, nodes whose clocks disagree, a bucket that is not there. All on 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from conftest import end_session
from test_serve import Server, cli

BUCKET = "newsroom"
STORY = """# Council story {n}

The council met on Tuesday to talk about story number {n}.

Members voted to fund plan number {n} [slow].

The work on plan {n} starts in the spring.
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Store:
    endpoint: str
    env: dict[str, str]

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1")


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """moto's S3 server on 127.0.0.1, with the bucket made."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=dict(os.environ, **env),
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/moto-api/", timeout=2).status_code < 500:
                    break
            time.sleep(0.1)
        store = Store(f"http://127.0.0.1:{port}", env)
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            client = store.client()
            client.create_bucket(Bucket=BUCKET)
            # listeners read the bucket (a CDN in front would, too); only the nodes write
            statement = {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            }
            client.put_bucket_policy(
                Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
            )
            yield store
    finally:
        end_session(process)


@pytest.fixture(scope="module")
def postgresql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(tmp_path_factory.mktemp("postgresql"), cleanup_mode="stop")
    try:
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()
        # (a server restarted by a test has a postmaster the wheel's cleanup does not know)
        user = {"user": server.system_user} if getattr(server, "system_user", None) else {}
        with contextlib.suppress(Exception):
            pgserver.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=server.pgdata, **user)


@pytest.fixture
def cluster_env(s3: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The store's credentials and endpoint for the nodes, and a synthesis counter."""
    for name, value in s3.env.items():
        monkeypatch.setenv(name, value)
    counter = tmp_path / "spoken"
    monkeypatch.setenv("AUDIOGEN_FAKE_COUNT", str(counter))
    return counter


def node(tmp_path: Path, name: str, database: str, prefix: str, s3: Store, *extra: str) -> Server:
    """A node: its own data folder, the shared database and bucket; listeners fetch from
    the bucket's own address."""
    data = tmp_path / name
    server = Server(data, "--database", database, "--storage", f"s3://{BUCKET}/{prefix}", "--no-notice")
    server.extra = (*server.extra, "--public-url", f"{s3.endpoint}/{BUCKET}/{prefix}", *extra)
    server.extra = (*server.extra, "--api-url", server.url)
    server.env = {"AUDIOGEN_CACHE_DIR": str(tmp_path / name / "cache")}  # a clip cache per node
    return server


def database_url(postgresql: Any, tmp_path: Path) -> str:
    """A database of the test's own on the shared server."""
    name = re.sub(r"\W", "_", tmp_path.name)[-40:].lower()
    import psycopg

    with psycopg.connect(postgresql.get_uri(), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", postgresql.get_uri(), count=1)


def wait_until(check: Any, what: str, seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(what)


def feed_items(url: str) -> list[tuple[str, str]]:
    root = ET.fromstring(httpx.get(url, timeout=30).content)
    return [(item.findtext("title") or "", item.find("enclosure").get("url")) for item in root.iter("item")]  # type: ignore[union-attr]


# -- many nodes, one killed --------------------------------------------------------------------


def test_three_nodes_share_the_work_and_survive_one_killed(
    s3: Store, postgresql: Any, cluster_env: Path, tmp_path: Path
) -> None:
    import psycopg

    database = database_url(postgresql, tmp_path)
    key = cli("keys", "create", "--name", "tests", "--database", database, data=tmp_path / "keys").stdout.strip()
    nodes = [node(tmp_path, f"node{i}", database, "news", s3, "--node-timeout", "10").start() for i in range(3)]
    clients = [httpx.Client(base_url=n.url, headers={"Authorization": f"Bearer {key}"}, timeout=60) for n in nodes]
    try:
        for number in range(60):  # webhooks and API calls may reach any node
            posted = clients[number % 3].post(
                "/articles", json={"id": f"story-{number}", "markdown": STORY.format(n=number)}
            )
            assert posted.status_code == 201, posted.text
        real = clients[1].post(
            "/articles", json={"id": "real-voice", "text": "A story read by a real voice.", "voice": "joe"}
        )
        assert real.status_code == 201, real.text
        victim = nodes[0]
        assert victim.process is not None
        pid = victim.process.pid

        def running_on_victim() -> bool:
            with psycopg.connect(database, autocommit=True) as connection:
                rows = connection.execute("SELECT runner FROM jobs WHERE state = 'running'").fetchall()
            return any(f":{pid}:" in row[0] for row in rows)

        wait_until(running_on_victim, "the first node took no job")
        victim.kill()  # SIGKILL, mid-job
        survivors = clients[1:]

        def all_done() -> bool:
            listed = survivors[0].get("/articles", params={"limit": 100}).json()["articles"]
            return len(listed) == 61 and all(a["status"] == "done" for a in listed)

        wait_until(all_done, "not every article was narrated", 240)
        with psycopg.connect(database, autocommit=True) as connection:
            done = connection.execute(
                "SELECT article_id, COUNT(*) FROM jobs WHERE state = 'done' GROUP BY article_id"
            ).fetchall()
            taken = connection.execute(
                "SELECT COUNT(*) FROM jobs WHERE reason LIKE '%stopped%' OR attempts > 1"
            ).fetchone()
        assert len(done) == 61 and all(count == 1 for _, count in done)  # each article done exactly once
        assert taken is not None
        # syntheses: every sentence of every article once, and at most the killed job's again
        spoken = len(cluster_env.read_text())
        sentences = 60 * 4  # the title and three sentences, each its article's own
        assert sentences <= spoken <= sentences + 4, spoken
        # the feed in the bucket lists all 61, its enclosures served by the store, with Range
        items = feed_items(f"{s3.endpoint}/{BUCKET}/news/feed.xml")
        assert len(items) == 61
        assert all(url.startswith(f"{s3.endpoint}/{BUCKET}/news/episodes/") for _, url in items)
        for _, url in items[::10]:
            whole = httpx.get(url, timeout=30)
            part = httpx.get(url, headers={"Range": "bytes=10-99"}, timeout=30)
            assert whole.status_code == 200 and whole.headers["content-type"] == "audio/mpeg"
            assert part.status_code == 206 and part.content == whole.content[10:100]
        real_url = next(url for title, url in items if "real voice" in title.lower())
        assert len(httpx.get(real_url, timeout=30).content) > 10_000
        # every node shows the same article with the stored version's links
        view = survivors[1].get("/articles/story-0").json()
        assert view["audio"]["url"].startswith(f"{s3.endpoint}/{BUCKET}/news/episodes/")
        assert httpx.get(view["links"]["timings"], timeout=30).json()["title"] == "Council story 0"
    finally:
        for client in clients:
            client.close()
        for running in nodes:
            running.kill()


# -- faults -------------------------------------------------------------------------------------


class _Proxy(http.server.BaseHTTPRequestHandler):
    """In front of the store: passes every request on, but answers uploads with 500 while
    ``failing`` (a store failing mid-upload)."""

    target: ClassVar[str] = ""
    failing: ClassVar[bool] = False
    #: answer every request as a store that does not know the access key
    denying: ClassVar[bool] = False
    protocol_version = "HTTP/1.1"  # (S3 clients send "Expect: 100-continue" with uploads)

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = b""
            for _ in range(1 << 20):  # (a bounded loop: chunks until the last, empty one)
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
            return out
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _forward(self) -> None:
        body = self._body()
        if self.denying:
            refusal = (
                b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>InvalidAccessKeyId</Code>"
                b"<Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>"
            )
            self.send_response(403)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(refusal)))
            self.end_headers()
            self.wfile.write(refusal)
            return
        if self.failing and self.command in ("PUT", "POST"):
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        skip = ("host", "content-length", "transfer-encoding", "expect")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
        answer = httpx.request(self.command, self.target + self.path, headers=headers, content=body, timeout=60)
        self.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.content)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

    def log_message(self, *args: Any) -> None:
        pass


def test_a_failed_upload_leaves_the_previous_version(
    s3: Store, postgresql: Any, cluster_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = type("Proxy", (_Proxy,), {"target": s3.endpoint, "failing": False})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{proxy.server_address[1]}")
    database = database_url(postgresql, tmp_path)
    key = cli("keys", "create", "--name", "tests", "--database", database, data=tmp_path / "keys").stdout.strip()
    running = node(tmp_path, "node", database, "faults", s3).start()
    closing = contextlib.ExitStack()
    try:
        client = httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)
        closing.callback(client.close)
        client.post("/articles", json={"id": "budget", "markdown": STORY.format(n=1)})
        first = wait_until(
            lambda: (a := client.get("/articles/budget").json())["status"] == "done" and a, "not narrated"
        )
        before = httpx.get(first["audio"]["url"], timeout=30).content
        handler.failing = True
        client.post("/articles", json={"id": "budget", "markdown": STORY.format(n=1) + "\nAnd one more line.\n"})
        time.sleep(6)  # the narration is made; its upload fails, again and again
        now = client.get("/articles/budget").json()
        assert now["status"] == "running" and now["audio"]["url"] == first["audio"]["url"]
        assert httpx.get(first["audio"]["url"], timeout=30).content == before  # the old version, whole
        items = feed_items(f"{s3.endpoint}/{BUCKET}/faults/feed.xml")
        assert [url for _, url in items] == [first["audio"]["url"]]
        handler.failing = False  # the store is back: the upload is tried again and lands
        second = wait_until(lambda: (a := client.get("/articles/budget").json())["status"] == "done" and a, "stuck", 60)
        assert second["audio"]["url"] != first["audio"]["url"]
        assert [url for _, url in feed_items(f"{s3.endpoint}/{BUCKET}/faults/feed.xml")] == [second["audio"]["url"]]
        assert httpx.get(second["audio"]["url"], timeout=30).status_code == 200
    finally:
        closing.close()
        running.kill()
        proxy.shutdown()
        proxy.server_close()


def test_nodes_reconnect_after_the_database_restarts(
    s3: Store, postgresql: Any, cluster_env: Path, tmp_path: Path
) -> None:
    import pgserver

    database = database_url(postgresql, tmp_path)
    key = cli("keys", "create", "--name", "tests", "--database", database, data=tmp_path / "keys").stdout.strip()
    running = node(tmp_path, "node", database, "restart", s3).start()
    client = httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)
    try:
        assert client.post("/articles", json={"id": "before", "markdown": STORY.format(n=1)}).status_code == 201
        wait_until(lambda: client.get("/articles/before").json()["status"] == "done", "not narrated")
        user = {"user": postgresql.system_user} if getattr(postgresql, "system_user", None) else {}
        pgserver.pg_ctl(["-w", "restart", "-m", "fast"], pgdata=postgresql.pgdata, **user)
        posted = wait_until(
            lambda: (
                (r := client.post("/articles", json={"id": "after", "markdown": STORY.format(n=2)})).status_code == 201
                and r
            ),
            "the node did not reconnect",
            60,
        )
        assert posted.status_code == 201
        wait_until(lambda: client.get("/articles/after").json()["status"] == "done", "not narrated after the restart")
        assert "the database connection was lost; connecting again" in running.log.read_text()
    finally:
        client.close()
        running.kill()


def test_heartbeats_are_on_the_database_clock(postgresql: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A node whose clock is 30 s ahead still beats on the database's time, and takes a
    node whose clock is behind for alive."""
    from audiogen.publish.batch import BatchOptions
    from audiogen.serve.runner import Runner
    from audiogen.serve.store import Store as Database

    store = Database(database_url(postgresql, tmp_path))
    try:
        ahead = Runner(store, tmp_path / "a", BatchOptions(), 1, timeout=20)
        behind = Runner(store, tmp_path / "b", BatchOptions(), 1, timeout=20)
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + 30)
        ahead._beat()
        monkeypatch.setattr(time, "time", lambda: real() - 30)
        behind._beat()
        rows = {r["id"]: float(r["heartbeat"]) for r in store.rows("SELECT id, heartbeat FROM runners")}
        clock = store.clock()
        assert all(abs(clock - beat) < 2 for beat in rows.values()), (clock, rows)
        # neither takes the other for dead (their pids are this process's: another host's are not checked)
        store.execute("UPDATE runners SET host = 'elsewhere'")
        ahead.recover()
        assert len(store.rows("SELECT id FROM runners")) == 2
        store.execute("UPDATE runners SET heartbeat = heartbeat - 25 WHERE id = ?", (behind.id,))
        ahead.recover()  # 25 s without a beat, on the database's clock: taken for dead
        assert [r["id"] for r in store.rows("SELECT id FROM runners")] == [ahead.id]
    finally:
        store.close()


def test_a_store_that_will_not_do_stops_the_node_in_one_line(s3: Store, cluster_env: Path, tmp_path: Path) -> None:
    base = [sys.executable, "-m", "audiogen", "serve", "--data", str(tmp_path / "data"), "--owner-email", "a@b.example"]
    for storage, endpoint, words in (
        (f"s3://no-such-bucket-{os.getpid()}/x", s3.endpoint, "does not exist"),
        (f"s3://{BUCKET}/x", f"http://127.0.0.1:{free_port()}", "cannot reach the store"),
    ):
        env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_MAX_ATTEMPTS="1")
        command = [
            *base,
            "--storage",
            storage,
            "--public-url",
            "https://cdn.news.example/audio",
            "--port",
            str(free_port()),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)
        assert done.returncode == 1, done.stderr
        errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and words in errors[0] and "Traceback" not in done.stderr, done.stderr
    # wrong credentials: the store refuses the node's key
    handler = type("Proxy", (_Proxy,), {"target": s3.endpoint, "denying": True})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        env = dict(os.environ, AWS_ENDPOINT_URL=f"http://127.0.0.1:{proxy.server_address[1]}", AWS_MAX_ATTEMPTS="1")
        command = [*base, "--storage", f"s3://{BUCKET}/x", "--public-url", "https://cdn.news.example/a"]
        command += ["--port", str(free_port())]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)
    finally:
        proxy.shutdown()
        proxy.server_close()
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert done.returncode == 1 and len(errors) == 1, done.stderr
    assert "the credentials are wrong or may not write there" in errors[0] and "Access Key Id" in errors[0]
    missing = subprocess.run(
        [*base, "--storage", f"s3://{BUCKET}/x"], capture_output=True, text=True, timeout=60, check=False
    )
    assert missing.returncode != 0 and "--storage needs --public-url" in missing.stderr


@pytest.mark.parametrize("shared", [False, True])
def test_an_edit_on_another_node_with_a_shared_cache(
    shared: bool, s3: Store, postgresql: Any, cluster_env: Path, tmp_path: Path
) -> None:
    """An article narrated on one node and edited on another: with a shared clip cache
    only the changed sentence is synthesized again; with each node's own, all of it."""
    database = database_url(postgresql, tmp_path)
    key = cli("keys", "create", "--name", "tests", "--database", database, data=tmp_path / "keys").stdout.strip()
    extra = ("--cache", f"s3://{BUCKET}/cache-{tmp_path.name}") if shared else ()
    first = node(tmp_path, "first", database, f"edit-{shared}", s3, *extra).start()
    try:
        with httpx.Client(base_url=first.url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
            client.post("/articles", json={"id": "ferry", "markdown": STORY.format(n=7)})
            wait_until(lambda: client.get("/articles/ferry").json()["status"] == "done", "not narrated")
    finally:
        first.stop()
    before = len(cluster_env.read_text())
    second = node(tmp_path, "second", database, f"edit-{shared}", s3, *extra).start()
    try:
        with httpx.Client(base_url=second.url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
            edited = STORY.format(n=7).replace("in the spring", "in the summer")
            job = client.post("/articles", json={"id": "ferry", "markdown": edited}).json()["job"]["id"]
            done = wait_until(lambda: (j := client.get(f"/jobs/{job}").json())["state"] == "done" and j, "not narrated")
    finally:
        second.kill()
    synthesized = len(cluster_env.read_text()) - before
    assert done["sentences_synthesized"] == synthesized == (1 if shared else 4), (done, synthesized)


# -- batch to the same store -------------------------------------------------------------------


@pytest.mark.parametrize("dask", [False, True])
def test_batch_writes_to_the_store(dask: bool, s3: Store, cluster_env: Path, fake_engine: str, tmp_path: Path) -> None:
    """``batch --out s3://…``: with its own worker processes, and on a Dask cluster whose
    workers share nothing but the store."""
    from audiogen.publish.batch import BatchOptions, run_batch

    site = tmp_path / "site"
    site.mkdir()
    for number in range(3):
        (site / f"story-{number}.md").write_text(STORY.format(n=number).replace(" [slow]", ""))
    location = f"s3://{BUCKET}/batch-{tmp_path.name}"
    options = BatchOptions(voice=fake_engine, artist="The Desk")
    with contextlib.ExitStack() as stack:
        scheduler = None
        if dask:
            distributed = pytest.importorskip("distributed")
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
                )
            )
            scheduler = cluster.scheduler_address
        result = run_batch([str(site)], location, options, jobs=2, scheduler=scheduler)
        assert (result.done, result.failed) == (3, [])
        (site / "story-1.md").write_text(STORY.format(n=1).replace(" [slow]", "").replace("spring", "summer"))
        again = run_batch([str(site)], location, options, jobs=2, scheduler=scheduler)
        assert (again.done, again.unchanged) == (1, 2)
    client = s3.client()
    prefix = f"batch-{tmp_path.name}/"
    keys = {
        o["Key"][len(prefix) :]: o["Size"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]
    }
    manifest = json.loads(client.get_object(Bucket=BUCKET, Key=prefix + "manifest.json")["Body"].read())["items"]
    for record in manifest.values():
        for name in record["files"]:
            assert f"{record['episode']}/{name}" in keys
        assert keys[f"{record['episode']}/{record['audio']}"] == record["bytes"]


def test_sponsor_spots_are_stitched_into_stored_episodes(
    s3: Store, postgresql: Any, cluster_env: Path, tmp_path: Path
) -> None:
    from test_sponsors import spot_wav

    database = database_url(postgresql, tmp_path)
    key = cli("keys", "create", "--name", "tests", "--database", database, data=tmp_path / "keys").stdout.strip()
    running = node(tmp_path, "node", database, "sponsored", s3).start()
    try:
        with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
            client.post("/articles", json={"id": "ferry", "markdown": STORY.format(n=3)})
            article = wait_until(lambda: (a := client.get("/articles/ferry").json())["status"] == "done" and a, "stuck")
            spot = client.post("/spots", params={"name": "Acme"}, content=spot_wav(2.0)).json()
            assert (
                client.post("/campaigns", json={"name": "Acme", "spot": spot["id"], "placement": "post"}).status_code
                == 201
            )

            def sponsored() -> str | None:
                items = feed_items(f"{s3.endpoint}/{BUCKET}/sponsored/feed.xml")
                return items[0][1] if items and ".sponsor-" in items[0][1] else None

            url = wait_until(sponsored, "the feed never carried the spot", 60)
            assert url.startswith(f"{s3.endpoint}/{BUCKET}/sponsored/episodes/")
            audio = httpx.get(url, timeout=30)
            plain = httpx.get(article["audio"]["url"], timeout=30)
            assert audio.status_code == 200 and len(audio.content) > len(plain.content)
            chapters = httpx.get(url.removesuffix(".mp3") + ".chapters.json", timeout=30).json()["chapters"]
            assert chapters[-1]["title"] == "Sponsor"
    finally:
        running.kill()
