"""Re-narrating an edited article: only the edited paragraph should cost synthesis.

Converts an article of about ten paragraphs with ``audiogen convert`` (empty clip cache),
edits one paragraph, converts again, and prints the second run's wall time as a ratio
of the first (target: at most 0.2) with the number of sentences synthesized each time;
then once more unchanged (nothing to synthesize). With ``--batch`` the same article is
narrated as the one item of ``audiogen batch`` (one worker), which goes through the same
library ``convert`` and so the same re-render path.

    python bench/rerender.py [--paragraphs 10] [--sentences 4] [--runs 3] [--batch] [--voice VOICE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from articles import paragraph, render


def batch(source: Path, out: Path, env: dict[str, str]) -> tuple[float, str]:
    """The article's folder as a batch of one; the time and what the manifest says."""
    folder = out.parent / "episodes"
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "audiogen", "batch", str(source.parent), "--out", str(folder), "--jobs", "1", "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"batch failed: {result.stderr.strip()}")
    (record,) = json.loads((folder / "manifest.json").read_text())["items"].values()
    if record.get("unchanged"):
        return elapsed, "unchanged, skipped"
    counts = f"{record.get('sentences_synthesized', '?')} synthesized, {record.get('sentences_cached', '?')} cached"
    return elapsed, counts + (", encoded while assembling" if record.get("streamed") else "")


def convert(source: Path, out: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "audiogen", "convert", str(source), "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"convert failed: {result.stderr.strip()}")
    found = re.search(r"(\d+) sentences synthesized, (\d+) from cache", result.stderr)
    return elapsed, f"{found.group(1)} synthesized, {found.group(2)} cached" if found else "?"


def one_round(
    paragraphs: list[str], sentences: int, run: Callable[[Path, Path, dict[str, str]], tuple[float, str]]
) -> tuple[float, str, float, str, float, str]:
    paragraphs = list(paragraphs)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        env = dict(os.environ, AUDIOGEN_CACHE_DIR=str(root / "cache"))
        (root / "site").mkdir()
        source = root / "site" / "article.md"
        source.write_text(render(paragraphs, 4))
        first, first_counts = run(source, root / "out.mp3", env)
        paragraphs[len(paragraphs) // 2] = paragraph(random.Random(99), sentences)
        source.write_text(render(paragraphs, 4))
        second, second_counts = run(source, root / "out.mp3", env)
        third, third_counts = run(source, root / "out.mp3", env)
    return first, first_counts, second, second_counts, third, third_counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=10)
    parser.add_argument("--sentences", type=int, default=4, help="sentences per paragraph")
    parser.add_argument("--runs", type=int, default=3, help="rounds (each with an empty cache); medians are printed")
    parser.add_argument("--batch", action="store_true", help="narrate through 'audiogen batch' instead of 'convert'")
    parser.add_argument("--voice", help="the voice to narrate with (default: audiogen's)")
    args = parser.parse_args()
    if args.voice:
        os.environ["AUDIOGEN_VOICE"] = args.voice  # convert and batch read --voice from it
    rng = random.Random(7)
    paragraphs = [paragraph(rng, args.sentences) for _ in range(args.paragraphs)]
    rounds = [one_round(paragraphs, args.sentences, batch if args.batch else convert) for _ in range(args.runs)]
    first, second, third = (statistics.median(r[i] for r in rounds) for i in (0, 2, 4))
    ratios = [r[2] / r[0] for r in rounds]
    words = sum(len(p.split()) for p in paragraphs)
    print(f"article: {len(paragraphs)} paragraphs, {words} words; paragraph {len(paragraphs) // 2 + 1} edited")
    print(f"first run    {first:6.2f} s  ({rounds[0][1]})")
    print(f"after edit   {second:6.2f} s  ({rounds[0][3]})")
    print(f"unchanged    {third:6.2f} s  ({rounds[0][5]})")
    print(f"ratios by round: {', '.join(f'{r:.3f}' for r in ratios)}")
    how = "batch" if args.batch else "convert"
    print(f"re-render ratio edited/first through {how} (median): {statistics.median(ratios):.3f} (target <= 0.2)")


if __name__ == "__main__":
    main()
