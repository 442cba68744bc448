"""A sponsor's spot stitched into a narrated episode: how exact, how loud, how fast.

Narrates the sample article (Piper; or takes an MP3 audiogen made, with its timings
beside it), then stitches a 6-second spot before, in the middle of and after it, and
prints for each: where the spot is heard against where its chapter says (samples), the
largest difference between the narration's decoded samples and the same samples before
the spot went in (0 = untouched), the loudness and decoded true peak of the whole, and the
time the stitch took against encoding the whole narration again (a ratio, same run).

    python bench/stitch.py [EPISODE.mp3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("episode", nargs="?")
    args = parser.parse_args()

    from audiogen.audio.encode import decoded_true_peak
    from audiogen.audio.master import LoudnessTarget, loudness
    from audiogen.audio.pcm import decode_audio_file, ffmpeg_exe
    from audiogen.export.stitch import master_spot, stitch

    with tempfile.TemporaryDirectory() as folder:
        if args.episode:
            episode = Path(args.episode)
        else:
            episode = Path(folder) / "sample.mp3"
            sample = ROOT / "samples" / "kyiv-independent-macron-defense-plan.html"
            command = [sys.executable, "-m", "audiogen", "convert", str(sample), "-o", str(episode), "-q"]
            subprocess.run(command, check=True)
        import json

        rate = int(json.loads(episode.with_suffix(".json").read_text())["sample_rate"])
        codec = ["-c:a", "libmp3lame", "-b:a", "64k"]
        original = decode_audio_file(episode, rate).astype(np.float64) / 32768
        noise = np.random.default_rng(6).normal(0, 0.1, 6 * rate)
        spot = master_spot((noise * 32767).astype(np.int16), rate, LoudnessTarget(-16.0, -1.0))
        start = time.perf_counter()
        whole = Path(folder) / "whole.mp3"
        pcm = (original * 32767).astype("<i2").tobytes()
        encode = [ffmpeg_exe(), "-v", "error", "-y", "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "-"]
        subprocess.run([*encode, *codec, str(whole)], input=pcm, check=True)
        reencode_s = time.perf_counter() - start
        print(
            f"episode: {episode.name} ({original.size / rate:.1f} s at {rate} Hz); encoding it again: {reencode_s:.3f} s"
        )
        for placement in ("pre", "mid", "post"):
            target = Path(folder) / f"stitched-{placement}.mp3"
            start = time.perf_counter()
            made = stitch(episode, spot, placement, target, codec, ffmpeg=ffmpeg_exe())
            took = time.perf_counter() - start
            decoded = decode_audio_file(target, rate).astype(np.float64) / 32768
            chapter = made.spot_start_ms * rate // 1000
            low = max(0, chapter - 2000)
            window = decoded[low : chapter + 4000]
            heard = int(np.argmax(np.correlate(window, spot[:1500] / 32768, mode="valid"))) + low
            # the narration before the spot, and after it moved by the spot's block
            before = original[: made.at]
            moved = decoded[made.at + made.inserted : made.at + made.inserted + original.size - made.at]
            difference = max(
                float(np.max(np.abs(decoded[: before.size] - before))) if before.size else 0.0,
                float(np.max(np.abs(moved - original[made.at : made.at + moved.size]))) if moved.size else 0.0,
            )
            print(
                f"{placement:>4}: spot heard {heard - chapter:+d} samples from its chapter;"
                f" narration differs by at most {difference:.5f};"
                f" {loudness(decoded, rate):.2f} LUFS, {decoded_true_peak(target)[0]:.2f} dBTP decoded;"
                f" stitched in {took:.3f} s = {took / reencode_s:.2f} of encoding again"
            )


if __name__ == "__main__":
    main()
