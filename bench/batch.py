"""Batch throughput: the same 20 short articles narrated with --jobs 1 and --jobs 2.

Runs ``audiogen batch`` on a folder of generated articles (clip cache off, so every
sentence is synthesized each time) once per job count, in alternating order over
``--runs`` rounds, and prints the median wall time of each, the speedup of --jobs 2
over --jobs 1 (target: at least 1.8 on a 2-core machine) and the seconds of audio
produced per wall-clock second.

    python bench/batch.py [--articles 20] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from articles import paragraph


def write_articles(folder: Path, count: int) -> None:
    rng = random.Random(20)
    folder.mkdir()
    for number in range(count):
        body = "\n\n".join(paragraph(rng, 3) for _ in range(2))
        (folder / f"story-{number:02d}.md").write_text(f"# Short story number {number}\n\n{body}\n")


def run(folder: Path, out: Path, jobs: int, env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "audiogen",
            "batch",
            str(folder),
            "--out",
            str(out),
            "--jobs",
            str(jobs),
            "--no-cache",
            "-q",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"batch --jobs {jobs} failed: {result.stderr.strip()}")
    items = json.loads((out / "manifest.json").read_text())["items"].values()
    audio = sum(item["duration_ms"] for item in items) / 1000
    return elapsed, audio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1, help="rounds; medians are printed")
    args = parser.parse_args()
    times: dict[int, list[float]] = {1: [], 2: []}
    audio = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_articles(root / "site", args.articles)
        env = dict(os.environ, AUDIOGEN_CACHE_DIR=str(root / "cache"))
        for round_number in range(args.runs):
            order = (1, 2) if round_number % 2 == 0 else (2, 1)
            for jobs in order:
                out = root / f"out-{round_number}-{jobs}"
                elapsed, audio = run(root / "site", out, jobs, env)
                times[jobs].append(elapsed)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"articles: {args.articles}, audio {audio:.0f} s in all; cores: {os.cpu_count()}")
    print(f"--jobs 1  {one:7.1f} s  ({audio / one:.1f} audio-seconds per second)")
    print(f"--jobs 2  {two:7.1f} s  ({audio / two:.1f} audio-seconds per second)")
    print(f"speedup --jobs 2 over --jobs 1: {one / two:.2f}x (target >= 1.8)")


if __name__ == "__main__":
    main()
