"""Re-narrating an edited article: only the edited paragraph should cost synthesis.

Converts an article of about ten paragraphs with ``audiogen convert`` (empty clip cache),
edits one paragraph, converts again, and prints the second run's wall time as a ratio
of the first (target: at most 0.2) with the number of sentences synthesized each time;
then once more unchanged (nothing to synthesize).

    python bench/rerender.py [--paragraphs 10] [--sentences 4]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from articles import paragraph, render


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=10)
    parser.add_argument("--sentences", type=int, default=4, help="sentences per paragraph")
    args = parser.parse_args()
    rng = random.Random(7)
    paragraphs = [paragraph(rng, args.sentences) for _ in range(args.paragraphs)]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        env = dict(os.environ, AUDIOGEN_CACHE_DIR=str(root / "cache"))
        source = root / "article.md"
        source.write_text(render(paragraphs, 4))
        first, first_counts = convert(source, root / "out.mp3", env)
        middle = len(paragraphs) // 2
        paragraphs[middle] = paragraph(random.Random(99), args.sentences)
        source.write_text(render(paragraphs, 4))
        second, second_counts = convert(source, root / "out.mp3", env)
        third, third_counts = convert(source, root / "out.mp3", env)
    words = sum(len(p.split()) for p in paragraphs)
    print(f"article: {len(paragraphs)} paragraphs, {words} words; paragraph {middle + 1} edited")
    print(f"first run    {first:6.2f} s  ({first_counts})")
    print(f"after edit   {second:6.2f} s  ({second_counts})")
    print(f"unchanged    {third:6.2f} s  ({third_counts})")
    print(f"re-render ratio edited/first: {second / first:.3f} (target <= 0.2)")


if __name__ == "__main__":
    main()
