"""Peak memory (and time) converting a long article: about 20,000 words, some two
hours of audio.

Generates the article, then times in one run (a) raw Piper speaking every sentence
audiogen would speak into a WAV file and (b) ``audiogen convert`` of the article to MP3
(clip cache off, so everything is synthesized). Prints the peak resident memory of the
convert's whole process tree (target: at most 600 MB) and its time as a ratio of raw
Piper's.

    python bench/memory.py [--words 20000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from articles import article
from overhead import RAW_PIPER, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20000)
    args = parser.parse_args()

    import audiogen
    from audiogen.pipeline import make_script

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        text, paragraphs = article(args.words, unique=True)
        source = root / "long.md"
        source.write_text(text)
        script = make_script(audiogen.load(source), audiogen.resolve_voice("joe"))
        sentences = [s.spoken for _, _, s in script.sentences()]
        sentences_file = root / "sentences.json"
        sentences_file.write_text(json.dumps(sentences))
        raw_time, raw_peak = timed([sys.executable, "-c", RAW_PIPER, str(sentences_file), str(root / "raw.wav")])
        out = root / "long.mp3"
        convert_time, convert_peak = timed(
            [sys.executable, "-m", "audiogen", "convert", str(source), "-o", str(out), "-q", "--no-cache"]
        )
        duration = json.loads(out.with_suffix(".json").read_text())["duration_ms"] / 1000
    words = sum(len(p.split()) for p in paragraphs)
    print(
        f"article: {words} words, {len(paragraphs)} paragraphs, {len(sentences)} sentences; audio {duration / 60:.1f} min"
    )
    print(f"raw piper        {raw_time:8.1f} s  peak RSS {raw_peak / 1024:6.0f} MB")
    print(f"audiogen convert {convert_time:8.1f} s  peak RSS {convert_peak / 1024:6.0f} MB (all processes)")
    print(f"time ratio convert/raw: {convert_time / raw_time:.3f}")
    print(f"peak RSS of convert: {convert_peak / 1024:.0f} MB (target <= 600 MB)")


if __name__ == "__main__":
    main()
