"""The audio desk under load: is the articles page fast with 10,000 articles, and does a
pronunciation re-synthesize only the sentences that hold its words?

    python bench/desk.py [--articles 10000] [--narrated 200] [--touched 50] [--voice joe]

1. Speed. A data folder is filled with ``--articles`` articles (rows as the service writes
   them, with their records), ``audiogen serve`` is started on it, an editor signs in to
   the desk, and the articles page is fetched 20 times each: the first page, a page in
   the middle, the last page, and the failed articles only. Prints the median and the
   slowest time of each (target: under 300 ms on this machine).
2. Reach. In a fresh service, ``--narrated`` short articles (a title and three sentences)
   are narrated with ``--voice``; ``--touched`` of them name a city in one sentence. A
   pronunciation for the city is saved through the API; when every job it queued is
   done, the bench counts the sentences synthesized again (the target: one per touched
   article, and no job for the others).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

CITY = "Zaporizhzhia"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def service(data: Path, *extra: str) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "audiogen", "serve", "--data", str(data), "--port", str(port), "-q"]
    command += ["--owner-email", "audio@news.example", *extra]
    log = (data.parent / f"serve-{port}.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                sys.exit(f"the service stopped: {(data.parent / f'serve-{port}.log').read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        log.close()


def editor_key(data: Path) -> str:
    made = subprocess.run(
        [sys.executable, "-m", "audiogen", "serve", "keys", "create", "--name", "bench", "--data", str(data)],
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip()


def fill(data: Path, count: int) -> None:
    """``count`` articles written as the service writes them (a tenth of them failed)."""
    from audiogen.serve.articles import episode_of
    from audiogen.serve.store import DATABASE_FILE, Store

    data.mkdir(parents=True, exist_ok=True)
    store = Store(str(data / DATABASE_FILE))
    with store.transaction():
        for number in range(count):
            article_id = f"a-{number:05d}"
            failed = number % 10 == 7
            record = {
                "status": "failed" if failed else "done",
                "title": f"Article number {number}",
                "audio": "article.mp3",
                "duration_ms": 60_000 + number,
                "voice": "piper:en_US-joe-medium",
                "finished": f"2026-12-{1 + number % 28:02d}T10:00:00+00:00",
                "proof_accuracy": 0.97,
                "proof_flagged": number % 3,
                "files": ["article.mp3", "article.json"],
            }
            stamp = f"2026-01-01T00:00:00.{number:06d}+00:00"
            store.execute(
                "INSERT INTO articles (id, episode, kind, source, request_hash, status, title, record, error, created,"
                " updated) VALUES (?, ?, 'markdown', ?, 'h', ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    episode_of(article_id),
                    f"# Article number {number}\n\nText.\n",
                    "failed" if failed else "done",
                    record["title"],
                    None if failed else json.dumps(record),
                    "the page could not be fetched: timed out" if failed else None,
                    stamp,
                    stamp,
                ),
            )
    store.close()


def timed(client: httpx.Client, path: str, times: int = 20) -> list[float]:
    out = []
    for _ in range(times):
        started = time.perf_counter()
        answer = client.get(path)
        out.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            sys.exit(f"{path}: {answer.status_code}")
    return out


def speed(folder: Path, count: int) -> None:
    data = folder / "speed"
    fill(data, count)
    key = editor_key(data)
    with service(data, "--proof", "off") as url, httpx.Client(base_url=url, timeout=60) as desk:
        signed = desk.post("/desk/login", data={"key": key})
        if signed.status_code != 303:
            sys.exit(f"cannot sign in: {signed.status_code}")
        first = desk.get("/desk/articles").text
        if f"Article number {count - 1}<" not in first or f"{count} articles" not in first:
            sys.exit("the articles page does not show the newest article first")
        pages = -(-count // 50)
        for name, path in (
            ("first page", "/desk/articles"),
            ("middle page", f"/desk/articles?page={pages // 2}"),
            ("last page", f"/desk/articles?page={pages}"),
            ("failed only", "/desk/articles?status=failed"),
        ):
            times = timed(desk, path)
            print(
                f"articles page, {count} articles, {name:<12} median {statistics.median(times):6.1f} ms, "
                f"slowest {max(times):6.1f} ms (target < 300)"
            )


def reach(folder: Path, narrated: int, touched: int, voice: str) -> None:
    data = folder / "reach"
    key = editor_key(data)
    with (
        service(data, "--voice", voice, "--proof", "off", "--jobs", "2") as url,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client,
    ):
        started = time.perf_counter()
        jobs = []
        for number in range(narrated):
            place = CITY if number < touched else "the capital"
            text = (
                f"# Council meeting number {number}\n\n"
                f"The council met on a Tuesday to discuss item {number} of the agenda.\n\n"
                f"Officials in {place} described the plan for the {number}th district.\n\n"
                f"A vote on item {number} is expected next month.\n"
            )
            posted = client.post("/articles", json={"id": f"m-{number}", "markdown": text}).json()
            jobs.append(posted["job"]["id"])
        wait(client, jobs)
        print(f"narrated {narrated} articles in {time.perf_counter() - started:.0f} s")
        saved = client.post("/pronunciations", json={"phrase": CITY, "say": "zah-po-rizh-zhya"})
        if saved.status_code != 201:
            sys.exit(f"the rule was not saved: {saved.text}")
        reached = saved.json()["reach"]
        again = [client.get(f"/articles/m-{n}").json()["job"] for n in range(narrated)]
        queued = [job["id"] for job in again if job["reason"] == "pronunciation"]
        wait(client, queued)
        results = [client.get(f"/jobs/{job_id}").json() for job_id in queued]
        synthesized = sum(job.get("sentences_synthesized", 0) for job in results)
        cached = sum(job.get("sentences_cached", 0) for job in results)
        print(
            f"a rule for '{CITY}' reached {reached['articles']} articles ({reached['sentences']} sentences); "
            f"{len(queued)} narrated again, {synthesized} sentences synthesized again and {cached} taken from the "
            f"cache; {narrated - len(queued)} articles left alone"
        )


def wait(client: httpx.Client, jobs: list[int]) -> None:
    deadline = time.monotonic() + 3600
    pending = set(jobs)
    while pending and time.monotonic() < deadline:
        for job_id in list(pending):
            if client.get(f"/jobs/{job_id}").json()["state"] in ("done", "failed", "cancelled"):
                pending.discard(job_id)
        time.sleep(0.5)
    if pending:
        sys.exit(f"{len(pending)} jobs did not finish")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--narrated", type=int, default=200)
    parser.add_argument("--touched", type=int, default=50)
    parser.add_argument("--voice", default="joe")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["AUDIOGEN_CACHE_DIR"] = str(Path(folder) / "cache")
        speed(Path(folder), args.articles)
        reach(Path(folder), args.narrated, args.touched, args.voice)


if __name__ == "__main__":
    main()
