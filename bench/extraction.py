"""Article extraction: audiogen against plain trafilatura, on the same pages in one run.

Runs the shared extraction evaluator (pages of the public Zyte article-extraction
benchmark with hand-checked bodies) twice, once with ``audiogen.parse`` and once with
``trafilatura.extract`` at its defaults, and prints both results side by side: mean F1,
precision, recall (the evaluator's 4-token shingle scores) and median milliseconds per
page. Target: audiogen's F1 above trafilatura's with precision not lower, and a median of
at most 50 ms per page.

    python bench/extraction.py [--bench-dir DIR] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT.parent / "shared" / "bench" / "extraction"
EXTRACTORS = {"audiogen": "audiogen", "trafilatura": "baselines:trafilatura_default"}


def run(bench_dir: Path, extractor: str, jobs: int) -> dict[str, float]:
    """One evaluator run; returns its summary (F1, P, R, median ms...)."""
    with tempfile.TemporaryDirectory() as scratch:
        scores = Path(scratch) / "scores.json"
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), str(bench_dir)])))
        command = [sys.executable, "evaluate.py", "--extractor", extractor, "--jobs", str(jobs), "--json", str(scores)]
        result = subprocess.run(command, cwd=bench_dir, env=environment, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.exit(f"the evaluator failed for {extractor}: {result.stderr.strip().splitlines()[-1:]}")
        summary: dict[str, float] = json.loads(scores.read_text())["summary"]
        summary["last_line"] = result.stdout.strip().splitlines()[-1]  # type: ignore[assignment]
        return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=BENCH_DIR, help="folder holding evaluate.py and pages/")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for each run")
    args = parser.parse_args()
    if not (args.bench_dir / "evaluate.py").is_file():
        sys.exit(f"no evaluate.py in {args.bench_dir}; give --bench-dir")

    results = {name: run(args.bench_dir, extractor, args.jobs) for name, extractor in EXTRACTORS.items()}
    print(f"{'extractor':<12} {'F1':>6} {'P':>6} {'R':>6} {'page F1':>8} {'ms/page':>8} {'errors':>6}")
    for name, summary in results.items():
        print(
            f"{name:<12} {summary['f1']:>6.3f} {summary['precision']:>6.3f} {summary['recall']:>6.3f} "
            f"{summary['mean_page_f1']:>8.3f} {summary['median_ms']:>8.1f} {summary['errors']:>6}"
        )
    ours, theirs = results["audiogen"], results["trafilatura"]
    for name, summary in results.items():
        print(f"{name}: {summary['last_line']}")
    beats = ours["f1"] > theirs["f1"] and ours["precision"] >= theirs["precision"]
    print(
        f"audiogen F1 {ours['f1']:.3f} vs trafilatura {theirs['f1']:.3f} "
        f"({'above' if beats else 'NOT above'}, precision {ours['precision']:.3f} vs {theirs['precision']:.3f}); "
        f"median {ours['median_ms']:.1f} ms/page (target <= 50)"
    )


if __name__ == "__main__":
    main()
