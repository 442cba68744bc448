"""Several service nodes on one PostgreSQL database and one S3 bucket: throughput with 1,
2 and 3 nodes, what claiming and storing cost per job, and how long a node's death keeps
its job from finishing.

    python bench/nodes.py [--articles 30] [--nodes 1,2,3]

Starts moto's S3 server and a PostgreSQL server (the pgserver wheel) on this machine,
then for each node count: that many ``audiogen serve --storage s3://… --database …``
processes (narration by the tests' fake engine, a tone as long as the text, so the
figures are the service's own), ``--articles`` articles posted across them, and the time
until all are done. It prints articles per minute, and per job: the time a node spent on
it (claimed → recorded as done, which includes uploading its files) and the wait between
a node recording one job and starting its next (writing the feed under the cluster's lock
and uploading it, then claiming from the queue). The nodes
share this machine's two cores, so more nodes are not expected to be faster.

Then a node is killed (SIGKILL) in the middle of a job, and the time until that job's
article is done on another node is measured twice: with the node on this machine (its
process is seen to be gone) and as if on another machine (only its heartbeat lapses,
``--node-timeout 10``).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVER = """
import sys
from audiogen.backends import registry
registry.register("fake", "fake_engines:FakeBackend")
from audiogen.cli import main
sys.exit(main(["serve", *sys.argv[1:]]))
"""
STORY = """# Story {n}

The council met on Tuesday to discuss item {n} of the agenda.

Members voted to approve plan {n} after a short debate.
"""
BUCKET = "bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait(check: Any, what: str, seconds: float = 300) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    sys.exit(f"bench: {what}")


def stop(process: subprocess.Popen[Any]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


class Cluster:
    def __init__(self, folder: Path, env: dict[str, str], database: str) -> None:
        self.folder, self.env, self.database = folder, env, database
        self.nodes: list[tuple[subprocess.Popen[Any], str]] = []

    def start(self, name: str, prefix: str, *extra: str) -> str:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-c", SERVER, "--data", str(self.folder / name), "--port", str(port)]
        command += ["--database", self.database, "--storage", f"s3://{BUCKET}/{prefix}", "--no-notice"]
        command += ["--public-url", f"{self.env['AWS_ENDPOINT_URL']}/{BUCKET}/{prefix}", "--api-url", url]
        command += ["--voice", "fake:tone", "--owner-email", "bench@news.example", "--proof", "off", "-q", *extra]
        env = dict(self.env, AUDIOGEN_CACHE_DIR=str(self.folder / name / "cache"))
        process = subprocess.Popen(command, env=env, start_new_session=True, stderr=subprocess.DEVNULL)
        wait(lambda: _answers(url), f"node {name} did not start", 60)
        self.nodes.append((process, url))
        return url

    def stop_all(self) -> None:
        for process, _ in self.nodes:
            stop(process)
        self.nodes.clear()


def _answers(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url + "/healthz", timeout=2).status_code == 200
    return False


def stamp(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--nodes", default="1,2,3")
    args = parser.parse_args()
    import boto3
    import pgserver
    import psycopg

    sys.path.insert(0, str(ROOT / "tests"))
    with tempfile.TemporaryDirectory(prefix="audiogen-nodes-") as temp:
        folder = Path(temp)
        port = free_port()
        env = dict(
            os.environ,
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
            PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), *sys.path]),
        )
        moto = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        postgres = pgserver.get_server(folder / "postgresql", cleanup_mode="stop")
        try:
            wait(lambda: _answers_s3(env["AWS_ENDPOINT_URL"]), "moto did not start", 60)
            s3 = boto3.client(
                "s3",
                endpoint_url=env["AWS_ENDPOINT_URL"],
                region_name="us-east-1",
                aws_access_key_id="bench",
                aws_secret_access_key="bench",
            )
            s3.create_bucket(Bucket=BUCKET)
            for count in (int(n) for n in args.nodes.split(",")):
                run_round(folder, env, postgres, psycopg, count, args.articles)
            takeover(folder, env, postgres, psycopg)
        finally:
            stop(moto)
            with contextlib.suppress(Exception):
                postgres.cleanup()


def _answers_s3(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url + "/moto-api/", timeout=2).status_code < 500
    return False


def new_database(postgres: Any, psycopg: Any, name: str) -> str:
    with psycopg.connect(postgres.get_uri(), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    uri = postgres.get_uri()
    base, _, query = uri.partition("?")
    return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")


def api_key(folder: Path, env: dict[str, str], database: str) -> str:
    command = [sys.executable, "-m", "audiogen", "serve", "keys", "create", "--name", "bench"]
    command += ["--database", database, "--data", str(folder / "keys")]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.strip()


def run_round(folder: Path, env: dict[str, str], postgres: Any, psycopg: Any, count: int, articles: int) -> None:
    database = new_database(postgres, psycopg, f"round{count}")
    key = api_key(folder, env, database)
    cluster = Cluster(folder / f"round{count}", env, database)
    try:
        urls = [cluster.start(f"node{i}", f"round{count}") for i in range(count)]
        headers = {"Authorization": f"Bearer {key}"}
        started = time.perf_counter()
        with httpx.Client(headers=headers, timeout=60) as client:
            for n in range(articles):
                client.post(urls[n % count] + "/articles", json={"id": f"s{n}", "markdown": STORY.format(n=n)})

            def done() -> bool:
                with psycopg.connect(database, autocommit=True) as connection:
                    row = connection.execute("SELECT COUNT(*) FROM jobs WHERE state = 'done'").fetchone()
                return bool(row and row[0] >= articles)

            wait(done, "the articles were not all narrated")
        seconds = time.perf_counter() - started
        with psycopg.connect(database, autocommit=True) as connection:
            jobs = connection.execute("SELECT runner, started, finished FROM jobs WHERE state = 'done'").fetchall()
        spans = [stamp(f) - stamp(s) for _, s, f in jobs]
        gaps: list[float] = []
        by_runner: dict[str, list[tuple[float, float]]] = {}
        for runner, s, f in jobs:
            by_runner.setdefault(runner, []).append((stamp(s), stamp(f)))
        for runs in by_runner.values():
            runs.sort()
            gaps += [max(0.0, later[0] - earlier[1]) for earlier, later in itertools.pairwise(runs)]
        print(
            f"{count} node{'s' if count > 1 else ' '}: {articles} articles in {seconds:.1f} s ="
            f" {articles * 60 / seconds:.0f} per minute; per job: {statistics.mean(spans) * 1000:.0f} ms on a node"
            f" (claimed to recorded, its upload included), {statistics.mean(gaps) * 1000 if gaps else 0:.0f} ms"
            f" between a node's jobs (the feed written and uploaded, the next job claimed)"
        )
    finally:
        cluster.stop_all()


def takeover(folder: Path, env: dict[str, str], postgres: Any, psycopg: Any) -> None:
    for remote in (False, True):
        takeover_once(folder, env, postgres, psycopg, remote=remote)


def takeover_once(folder: Path, env: dict[str, str], postgres: Any, psycopg: Any, *, remote: bool) -> None:
    database = new_database(postgres, psycopg, f"takeover{int(remote)}")
    key = api_key(folder, env, database)
    cluster = Cluster(folder / f"takeover{int(remote)}", env, database)
    try:
        first = cluster.start("first", "takeover", "--node-timeout", "10")
        cluster.start("second", "takeover", "--node-timeout", "10")
        victim = cluster.nodes[0][0]
        slow = "\n\n".join(f"Slow sentence number {i} [slow]." for i in range(12))
        with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
            client.post(first + "/articles", json={"id": "slow", "markdown": f"# A slow story\n\n{slow}\n"})

        def running_on_first() -> bool:
            with psycopg.connect(database, autocommit=True) as connection:
                rows = connection.execute("SELECT runner FROM jobs WHERE state = 'running'").fetchall()
                if remote:  # as if the node ran on another machine: only its heartbeat tells
                    connection.execute("UPDATE runners SET host = 'another-machine' WHERE pid = %s", (victim.pid,))
            return any(f":{victim.pid}:" in r[0] for r in rows)

        wait(running_on_first, "the first node took no job", 60)
        killed = time.perf_counter()
        stop(victim)

        def finished() -> bool:
            with psycopg.connect(database, autocommit=True) as connection:
                row = connection.execute("SELECT status FROM articles WHERE id = 'slow'").fetchone()
            return bool(row and row[0] == "done")

        wait(finished, "the job was not taken over", 180)
        after = time.perf_counter() - killed
        with psycopg.connect(database, autocommit=True) as connection:
            row = connection.execute(
                "SELECT started, finished FROM jobs WHERE article_id = 'slow' AND state = 'done'"
            ).fetchone()
        narrating = stamp(row[1]) - stamp(row[0]) if row else float("nan")
        where = "on another machine (heartbeat, --node-timeout 10)" if remote else "on this machine"
        print(
            f"a node killed mid-job {where}: its article done elsewhere {after:.1f} s later"
            f" ({narrating:.1f} s of it narrating again, {after - narrating:.1f} s to notice and take it)"
        )
    finally:
        cluster.stop_all()


if __name__ == "__main__":
    main()
