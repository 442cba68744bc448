"""Proof-listening: does it catch misreadings, does it leave good sentences alone, and
what does it cost?

    python bench/proof.py [--speech-dir ../shared/bench/speech] [--model tiny.en]

1. Recall. ``news_sentences.txt`` is narrated with normalization switched off (every
   sentence given to the voice as written) and proof-listened. Whether a sentence "has a
   misreading" is decided without any recognizer, from its written form and its
   hand-written spoken form (``news_sentences.spoken.txt``): the two are aligned word by
   word, and each stretch where they differ is turned into the voice's own phonemes
   (espeak-ng, as Piper speaks them) both ways; a stretch whose phonemes share less than
   half their sounds ("Cmte." said as letters against "committee", "II" against "the
   second") is a misreading. Readings that only differ in style ("two thousand nineteen"
   against "twenty nineteen") share more than half and are not counted. Recall is the
   share of sentences with a misreading that proof flags (target >= 0.8).
2. False alarms. ``news_sentences.spoken.txt`` narrated as it is: the share of its
   sentences flagged (target <= 0.08), read one sentence a paragraph and all as one
   paragraph (as an article's sentences are heard: sharing out a stretch among its
   sentences is part of what can go wrong).
3. Repair. ``news_sentences.txt`` converted with ``--proof=fix``; the ASR round trip
   (``asr_wer.py`` of the speech benchmark, when its recognizer is installed) before and
   after.
Piper's synthesis is not the same audio twice, and 42 sentences make each one 0.024 of a
figure, so recall, false alarms and cost are the means over ``--runs`` syntheses of each
reading (default 4), each run printed, and the flagging rule is swept over all of them.

4. Cost. The time proof-listening took, as a ratio of the time the same narration took
   to synthesize (with no clip cache), in the same run (aim <= 0.4): for the raw reading
   (many sentences doubted, each heard again by the confirming model) and for the spoken
   form (few).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


#: below this share of sounds in common, a stretch of text is said as something else
MISREADING_LIKENESS = 0.5


def misreadings(written: str, spoken: str) -> list[tuple[str, str]]:
    """The stretches of ``written`` the voice says as something other than ``spoken``."""
    import os
    from difflib import SequenceMatcher

    import piper
    from piper.phonemize_espeak import EspeakPhonemizer

    phonemizer = EspeakPhonemizer(os.path.join(os.path.dirname(piper.__file__), "espeak-ng-data"))

    def sounds(text: str) -> str:
        return "".join(c for s in phonemizer.phonemize("en-us", text) for c in s if c not in "ˈˌ ,.;:!?—–-()\"'")

    def key(word: str) -> str:
        return re.sub(r"[^\w]", "", word.lower())

    a, b = written.split(), spoken.split()
    opcodes = SequenceMatcher(None, [key(w) for w in a], [key(w) for w in b], autojunk=False).get_opcodes()
    # stretches that differ; a word only one side has joins the stretch beside it (up to
    # two equal words away): "$2.4 billion" against "two point four billion dollars" is
    # one stretch, said alike
    regions: list[list[int]] = []
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            continue
        one_sided = (
            i1 == i2 or j1 == j2 or (regions and (regions[-1][0] == regions[-1][1] or regions[-1][2] == regions[-1][3]))
        )
        if regions and one_sided and i1 - regions[-1][1] <= 2 and j1 - regions[-1][3] <= 2:
            regions[-1][1], regions[-1][3] = i2, j2
        else:
            regions.append([i1, i2, j1, j2])
    found = []
    for i1, i2, j1, j2 in regions:
        left, right = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        likeness = SequenceMatcher(None, sounds(left) if left else "", sounds(right) if right else "").ratio()
        if likeness < MISREADING_LIKENESS:
            found.append((left, right))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speech-dir", type=Path, default=ROOT.parent / "shared" / "bench" / "speech")
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument(
        "--runs", type=int, default=4, help="syntheses of each reading to measure over (Piper's differ a little)"
    )
    parser.add_argument("--asr-python", help="a Python with the speech benchmark's recognizer, for asr_wer.py")
    parser.add_argument(
        "--keep", type=Path, help="also write the first run's two proof reports (JSON) into this folder"
    )
    args = parser.parse_args()

    import audiogen
    from audiogen.conversion import ConvertOptions, convert
    from audiogen.pipeline import load, make_script
    from audiogen.proof import proof_narration, repair
    from audiogen.proof.listen import Recognizer
    from audiogen.voices import resolve_voice

    written = args.speech_dir / "news_sentences.txt"
    spoken = args.speech_dir / "news_sentences.spoken.txt"
    written_lines = [line for line in written.read_text(encoding="utf-8").splitlines() if line.strip()]
    spoken_lines = [line for line in spoken.read_text(encoding="utf-8").splitlines() if line.strip()]
    options = ConvertOptions(notice=False, cache=False, word_timings=True)  # as --proof narrates
    recognizer = Recognizer(args.model)
    wrong = {i: misreadings(w, s) for i, (w, s) in enumerate(zip(written_lines, spoken_lines, strict=True))}
    misread = {i for i, found in wrong.items() if found}
    print(f"{len(misread)} of {len(written_lines)} sentences have a misreading when read as written")

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        # one sentence a paragraph, so each is heard on its own
        raw_text = out / "raw.txt"
        raw_text.write_text("\n\n".join(written_lines) + "\n", encoding="utf-8")
        clean_text = out / "clean.txt"
        clean_text.write_text("\n\n".join(spoken_lines) + "\n", encoding="utf-8")
        paragraph_text = out / "paragraph.txt"
        paragraph_text.write_text(" ".join(spoken_lines) + "\n", encoding="utf-8")
        article = load(raw_text)
        script = make_script(article, resolve_voice(None), notice=False)
        displays = [s.display for part in script.parts for s in part.sentences]
        raw_rows: list[tuple[float, bool, bool, bool]] = []
        clean_rows: list[tuple[float, bool, bool, bool]] = []
        recalls, alarms, costs, clean_costs, paragraph_alarms = [], [], [], [], []
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            convert(article, out / "raw.mp3", options, respoken=dict(enumerate(displays)))
            synthesis = time.perf_counter() - started
            raw = proof_narration(out / "raw.mp3", recognizer=recognizer)
            started = time.perf_counter()
            convert(clean_text, out / "clean.mp3", options)
            clean_synthesis = time.perf_counter() - started
            clean = proof_narration(out / "clean.mp3", recognizer=recognizer)
            convert(paragraph_text, out / "paragraph.mp3", options)
            paragraph = proof_narration(out / "paragraph.mp3", recognizer=recognizer)
            paragraph_alarms.append(len(paragraph.flagged) / len(paragraph.sentences))
            print(
                f"run {run}: as one paragraph, false alarms {paragraph_alarms[-1]:.3f} "
                f"({len(paragraph.flagged)} of {len(paragraph.sentences)})",
                flush=True,
            )
            for sentence in paragraph.flagged:
                print(f"  false alarm {sentence.score:.2f} {sentence.meant[:60]!r} heard {sentence.heard[:50]!r}")
            flagged = {s.index for s in raw.flagged}
            recalls.append(len(misread & flagged) / len(misread) if misread else 1.0)
            alarms.append(len(clean.flagged) / len(clean.sentences))
            costs.append(raw.seconds / synthesis)
            clean_costs.append(clean.seconds / clean_synthesis)
            print(
                f"run {run}: recall {recalls[-1]:.3f} ({len(misread & flagged)} of {len(misread)} caught, "
                f"{len(flagged - misread)} other sentences flagged); false alarms {alarms[-1]:.3f} "
                f"({len(clean.flagged)} of {len(clean.sentences)}); proof {raw.seconds:.1f} s for a synthesis of "
                f"{synthesis:.1f} s (ratio {costs[-1]:.2f}), spoken form {clean.seconds:.1f} s for "
                f"{clean_synthesis:.1f} s (ratio {clean_costs[-1]:.2f})",
                flush=True,
            )
            for sentence in raw.sentences:
                if sentence.index in misread and not sentence.flagged:
                    print(f"  missed {sentence.score:.2f} {sentence.meant[:60]!r} heard {sentence.heard[:50]!r}")
            for sentence in clean.flagged:
                print(f"  false alarm {sentence.score:.2f} {sentence.meant[:60]!r} heard {sentence.heard[:50]!r}")
            raw_rows += _rows(raw, misread)
            clean_rows += _rows(clean, set())
            if args.keep and run == 1:
                import json

                args.keep.mkdir(parents=True, exist_ok=True)
                for name, report in (("raw", raw), ("clean", clean)):
                    path = args.keep / f"{name}.proof.json"
                    path.write_text(json.dumps(report.to_json(), indent=1), encoding="utf-8")
                (args.keep / "misread.json").write_text(json.dumps(sorted(misread)), encoding="utf-8")
        recall, false_alarms = statistics.mean(recalls), statistics.mean(alarms)
        cost, clean_cost = statistics.mean(costs), statistics.mean(clean_costs)
        print(
            f"over {args.runs} runs: recall {recall:.3f}, false alarms {false_alarms:.3f}, "
            f"as one paragraph {statistics.mean(paragraph_alarms):.3f}"
        )
        print("the flagging rule, swept over all runs (recall on the raw reading / false alarms on the spoken form):")
        for threshold in (0.75, 0.8, 0.83, 0.85, 0.87):
            for rule in ("score", "score or abbreviation", "score or abbreviation or phrase"):
                hit = sum(1 for r in raw_rows if r[3] and _flags(r, threshold, rule))
                flagged_clean = sum(1 for r in clean_rows if _flags(r, threshold, rule))
                print(
                    f"  under {threshold:.2f}, {rule:<32} recall {hit / max(len(misread) * args.runs, 1):.3f} "
                    f"false alarms {flagged_clean / len(clean_rows):.3f}"
                )

        # repair the last raw reading, as convert --proof=fix would, and hear both with the
        # speech benchmark's own round trip
        fixed = repair(
            article,
            out / "fixed.mp3",
            ConvertOptions(notice=False),  # with the clip cache: each round speaks only what it tries
            recognizer=recognizer,
            start=dict(enumerate(displays)),
        )
        revoiced = [s for s in fixed.sentences if s.action.startswith("re-voiced")]
        print(
            f"repair of the raw reading: {len(revoiced)} sentences re-voiced, {len(fixed.flagged)} still flagged; "
            f"heard-word accuracy {raw.accuracy:.3f} -> {fixed.accuracy:.3f}"
        )
        if args.asr_python:
            for name, audio in (("before repair", out / "raw.mp3"), ("after repair", out / "fixed.mp3")):
                run_asr = subprocess.run(
                    [
                        args.asr_python,
                        str(args.speech_dir / "asr_wer.py"),
                        str(audio),
                        str(args.speech_dir / "news_sentences.ref.txt"),
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                output = run_asr.stdout.strip()
                last = output.splitlines()[-1] if output else run_asr.stderr.strip()[-200:]
                print(f"ASR round trip of the raw reading {name}: {last}")
    print(
        f"proof: recall {recall:.3f} false-alarms {false_alarms:.3f} cost-ratio {cost:.2f} "
        f"(spoken form {clean_cost:.2f}; mean of {args.runs} runs; audiogen {audiogen.__version__}, model {args.model})"
    )


def _rows(report: object, misreadings_at: set[int]) -> list[tuple[float, bool, bool, bool]]:
    """(score, an abbreviation read as written, a misread phrase, has a misreading) per
    sentence, from the report."""
    from audiogen.proof.compare import abbreviation_read_as_written, align, misread_phrase, score
    from audiogen.proof.fold import fold

    rows = []
    for sentence in report.sentences:  # type: ignore[attr-defined]
        meant = fold(sentence.meant)
        heard = sentence.heard.split()
        charged, _ = align(meant, heard)
        rows.append(
            (
                score(len(meant), sum(charged)),
                abbreviation_read_as_written(meant, heard),
                misread_phrase(charged, meant),
                sentence.index in misreadings_at,
            )
        )
    return rows


def _flags(row: tuple[float, bool, bool, bool], threshold: float, rule: str) -> bool:
    return row[0] < threshold or ("abbreviation" in rule and row[1]) or ("phrase" in rule and row[2])


if __name__ == "__main__":
    main()
