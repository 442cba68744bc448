"""The service under load: how many article submissions and listening events per second
it takes, at what latency, and that nothing is lost.

    python bench/serve.py [--articles 200] [--events 3000] [--clients 8] [--jobs 2]

Starts ``audiogen serve`` on 127.0.0.1 (a fresh data folder, SQLite), with narration
done by the tests' fake engine (a tone as long as the text), so the figures are the
service's own, not a voice's. Then, from ``--clients`` threads at once:

1. ``POST /articles`` with a Markdown body, each a new article: requests per second and
   the p50/p99 latency; then every job is waited for (bounded), and the articles and
   done jobs in the database are counted against the requests accepted.
2. ``POST /events`` as the player sends them (text/plain JSON), a play or a progress
   mark: the same figures; then ``GET /stats`` must count every accepted event.

Every loop is bounded; the server is stopped at the end whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
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

Members voted to approve the plan after a short debate.
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def hammer(url: str, bodies: list[Any], clients: int, headers: dict[str, str], raw: bool) -> tuple[float, list, list]:
    """POST every body from ``clients`` threads; (seconds, latencies, status codes)."""
    latencies: list[float] = []
    codes: list[int] = []
    lock = threading.Lock()
    queue = list(reversed(bodies))

    def work() -> None:
        with httpx.Client(headers=headers, timeout=60) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                started = time.perf_counter()
                if raw:
                    response = client.post(url, content=json.dumps(body), headers={"Content-Type": "text/plain"})
                else:
                    response = client.post(url, json=body)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    codes.append(response.status_code)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    return time.perf_counter() - started, latencies, codes


def report(name: str, seconds: float, latencies: list[float], codes: list[int]) -> None:
    print(
        f"{name}: {len(codes)} requests in {seconds:.2f} s = {len(codes) / seconds:,.0f}/s; "
        f"latency p50 {percentile(latencies, 0.5) * 1000:.1f} ms, p99 {percentile(latencies, 0.99) * 1000:.1f} ms; "
        f"status {dict(sorted((c, codes.count(c)) for c in set(codes)))}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="audiogen-serve-bench-"))
    data = folder / "data"
    env = dict(os.environ, AUDIOGEN_CACHE_DIR=str(folder / "cache"), AUDIOGEN_FAKE_STATE=str(folder / "fake"))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests"), str(ROOT), env.get("PYTHONPATH", "")])
    created = subprocess.run(
        [sys.executable, "-m", "audiogen", "serve", "keys", "create", "--name", "bench", "--data", str(data)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    key = created.stdout.strip()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", SERVER, "--data", str(data), "--port", str(port), "--voice", "fake:tone"]
    command += [
        "--owner-email",
        "desk@news.example",
        "--jobs",
        str(args.jobs),
        "--events-per-minute",
        "100000000",
        "-q",
    ]
    server = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {key}"}

        bodies = [{"id": f"story-{n}", "markdown": STORY.format(n=n)} for n in range(args.articles)]
        seconds, latencies, codes = hammer(url + "/articles", bodies, args.clients, headers, raw=False)
        report("POST /articles", seconds, latencies, codes)
        article_figures = (len(codes) / seconds, percentile(latencies, 0.5), percentile(latencies, 0.99))
        accepted = codes.count(201)
        started = time.perf_counter()
        database = data / "audiogen.sqlite3"
        deadline = time.monotonic() + 600
        done = 0
        while time.monotonic() < deadline:
            with sqlite3.connect(database, timeout=30) as connection:
                done = connection.execute("SELECT COUNT(*) FROM jobs WHERE state = 'done'").fetchone()[0]
                stored = connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            if done >= accepted:
                break
            time.sleep(0.5)
        print(
            f"articles: {accepted} accepted, {stored} stored, {done} narrated "
            f"(all jobs done {time.perf_counter() - started:.1f} s after the last request, {args.jobs} workers)"
        )

        events = []
        for n in range(args.events):
            story = f"story-{n % max(1, accepted)}"
            mark = (None, 25, 50, 75, 100)[n % 5]
            event = {"episode": story, "event": "play"} if mark is None else {"episode": story, "event": "progress"}
            if mark is not None:
                event["percent"] = mark
            event["speed"] = 1.0 + (n % 3) * 0.25
            events.append(event)
        seconds, latencies, codes = hammer(url + "/events", events, args.clients, {}, raw=True)
        report("POST /events", seconds, latencies, codes)
        event_figures = (len(codes) / seconds, percentile(latencies, 0.5), percentile(latencies, 0.99))
        figures = httpx.get(url + "/stats", params={"days": 1}, headers=headers, timeout=60).json()["totals"]
        counted = sum(figures[name] for name in ("plays", "heard25", "heard50", "heard75", "heard100"))
        print(f"events: {codes.count(204)} accepted, {counted} counted")
        lost = (accepted != stored or done != accepted) or counted != codes.count(204)
        print(
            "serve: POST /articles {:,.0f}/s (p50 {:.1f} ms, p99 {:.1f} ms); POST /events {:,.0f}/s (p50 {:.1f} ms, "
            "p99 {:.1f} ms); nothing lost: {} (articles {}/{}, events {}/{})".format(
                article_figures[0],
                article_figures[1] * 1000,
                article_figures[2] * 1000,
                event_figures[0],
                event_figures[1] * 1000,
                event_figures[2] * 1000,
                "no" if lost else "yes",
                stored,
                accepted,
                counted,
                codes.count(204),
            )
        )
        return 1 if lost else 0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
