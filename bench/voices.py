"""The voices side by side: what each costs and how well it is understood.

    python bench/voices.py [ARTICLE] [--voices joe,heart] [--speech-dir ../shared/bench/speech]
                           [--asr-python PY] [--asr-model tiny.en]

In one run, on the same article (its spoken script, without the notice):

1. For each voice, ``audiogen convert --no-cache`` in a process of its own: wall time,
   CPU seconds (the process tree's) per second of audio, peak RSS of the process tree,
   and the engine's load time (a fresh process loading the voice, nothing else).
2. The ASR round trip of each narration (``asr_wer.py`` of the speech benchmark, run by
   ``--asr-python``, a Python with faster-whisper, jiwer and whisper-normalizer): its
   last line, WER against the article's text as written.
3. Kokoro against its raw model: the same sentences, cut the same way, spoken by the
   model's session alone (tokens in, audio out) and by audiogen's Kokoro engine
   (phonemes, chunks, durations, word timings, 16-bit samples), alternately, fastest of
   ``--rounds`` each; the ratio (target <= 1.15).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import DEFAULT_ARTICLE, timed

LOAD = textwrap.dedent(
    """
    import sys, time
    started = time.perf_counter()
    from audiogen.backends.registry import load_class, target_for
    from audiogen.voices import resolve_voice
    preset = resolve_voice(sys.argv[1])
    engine = load_class(target_for(preset.engine))()
    engine.prepare(preset.voice)
    print(time.perf_counter() - started)
    """
)

RAW_KOKORO = textwrap.dedent(
    """
    import json, sys, time
    from audiogen.backends.base import SynthesisOptions
    from audiogen.backends.kokoro import KokoroBackend, _chunks
    sentences = json.load(open(sys.argv[1]))
    rounds = int(sys.argv[2])
    engine = KokoroBackend()
    engine.prepare("af_heart")
    pack = engine.voice_pack("af_heart")
    pieces = [engine.tokens(c) for s in sentences for c in _chunks(engine.phonemes(s, "af_heart"), engine._vocab)]
    options = SynthesisOptions(voice="af_heart", word_timings=True)
    engine.speak(pieces[0], pack)  # warm up
    raw, full = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        for tokens in pieces:
            engine.speak(tokens, pack)
        raw.append(time.perf_counter() - started)
        started = time.perf_counter()
        for _clip in engine.synthesize(sentences, options):
            pass
        full.append(time.perf_counter() - started)
    print(json.dumps({"raw": raw, "full": full}))
    """
)


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(DEFAULT_ARTICLE))
    parser.add_argument("--voices", default="joe,heart")
    parser.add_argument(
        "--speech-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "bench" / "speech")
    )
    parser.add_argument("--asr-python", default=sys.executable)
    parser.add_argument("--asr-model", default="tiny.en")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import audiogen
    from audiogen.pipeline import make_script

    article = audiogen.load(args.article)
    script = make_script(article, audiogen.resolve_voice("joe"), notice=False)
    sentences = [s.spoken for _, _, s in script.sentences()]
    written = "\n".join(s.display for _, _, s in script.sentences())
    asr = Path(args.speech_dir) / "asr_wer.py"
    print(f"article: {Path(args.article).name} ({len(sentences)} sentences, {len(written.split())} words)")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        reference = Path(folder) / "reference.txt"
        reference.write_text(written + "\n")
        for voice in args.voices.split(","):
            out = Path(folder) / f"{voice}.mp3"
            command = [sys.executable, "-m", "audiogen", "convert", args.article, "-o", str(out)]
            command += ["--voice", voice, "--notice", "none", "--no-cache", "--no-cover", "-q"]
            cpu_before = cpu_of_children()
            wall, peak = timed(command)
            cpu = cpu_of_children() - cpu_before
            audio_s = json.loads(out.with_suffix(".json").read_text())["duration_ms"] / 1000
            load = float(
                subprocess.run([sys.executable, "-c", LOAD, voice], capture_output=True, text=True, check=True).stdout
            )
            wer = "not measured (no asr_wer.py)"
            if asr.is_file():
                result = subprocess.run(
                    [args.asr_python, str(asr), str(out), str(reference), "--model", args.asr_model],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                lines = result.stdout.strip().splitlines()
                wer = lines[-1] if result.returncode == 0 and lines else f"failed: {result.stderr.strip()[-200:]}"
            rows.append((voice, wall, cpu / audio_s, peak / 1024, load, audio_s, wer))
        print(f"{'voice':<8} {'wall s':>7} {'CPU s/audio s':>14} {'peak RSS MB':>12} {'load s':>7} {'audio s':>8}  ASR")
        for voice, wall, ratio, peak_mb, load, audio_s, wer in rows:
            print(f"{voice:<8} {wall:7.1f} {ratio:14.3f} {peak_mb:12.0f} {load:7.2f} {audio_s:8.1f}  {wer}")
        if any(row[0] in ("heart", "michael", "emma", "george") for row in rows):
            sentences_file = Path(folder) / "sentences.json"
            sentences_file.write_text(json.dumps(sentences))
            result = subprocess.run(
                [sys.executable, "-c", RAW_KOKORO, str(sentences_file), str(args.rounds)],
                capture_output=True,
                text=True,
                check=True,
            )
            times = json.loads(result.stdout.strip().splitlines()[-1])
            raw, full = min(times["raw"]), min(times["full"])
            print(
                f"kokoro raw model {raw:.2f} s, audiogen's engine {full:.2f} s on the same {len(sentences)} sentences "
                f"(fastest of {args.rounds})"
            )
    summary = " ".join(f"{voice} {ratio:.3f} CPU s/audio s;" for voice, _, ratio, *_ in rows)
    wers = " ".join(f"{voice} {re.sub(r'^WER ', '', wer).split(' ')[0]}" for voice, *_, wer in rows)
    ratio_text = f"; kokoro engine/raw {full / raw:.3f} (target <= 1.15)" if "raw" in locals() else ""
    print(f"voices: {summary} WER {wers}{ratio_text}")


if __name__ == "__main__":
    main()
