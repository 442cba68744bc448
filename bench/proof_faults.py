"""Proof-listening against one-word faults: does it catch a single word said wrong,
dropped, said twice or drowned in noise, and does it leave a clean article alone?

    python bench/proof_faults.py [--runs 2] [--voice joe]

An article of this project's own (eight paragraphs of news, read as paragraphs, not
sentence by sentence) is narrated afresh in each run (no clip cache: Piper's audio
differs a little every time) with its word timings, and proof-listened as it is (false
alarms: the share of its sentences flagged). Then, in eight of its sentences, one word
each is damaged, one kind of fault per narration:

- ``lexicon``: a word the voice says as another word through a lexicon ("captain" →
  "umbrella"): the misreading a wrong pronunciation rule makes;
- ``swapped``: the word's audio replaced by another word's audio from the narration;
- ``dropped``: the word's audio cut out (the timings after it moved up);
- ``repeated``: the word's audio said twice;
- ``noise``: noise at the word's own level added over it.

Caught is the share of damaged sentences flagged; the sentences left undamaged in those
narrations count towards false alarms too. Cost: proof time over synthesis time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARTICLE = """# Harbor town weighs a new ferry schedule after a stormy winter

The harbor commission met on Wednesday evening to weigh a new ferry schedule. Dozens of residents filled the
library basement, and several waited an hour to speak. The chairwoman promised a decision before the summer.

Storms closed the crossing on eleven days last winter, twice as many as the year before. Commuters said the
closures cost them wages and sleep. One nurse described sleeping in her car near the terminal.

The proposal would add an early sailing at dawn and drop the last evening trip. Fishermen welcomed the change,
saying the early boat suits their routine. Restaurant owners warned that diners would lose their way home.

Engineers presented a study of the aging pier on the eastern shore. The timber pilings have softened, and the
railing leans toward the water. Repairs could take three months and would close the eastern landing.

A retired captain urged the commission to buy a sturdier vessel. He said the current boat rolls badly in
crosswinds and frightens children. The treasurer replied that a new hull would strain the budget for years.

Students from the high school presented a survey of riders. Most said they valued a reliable timetable more
than a cheaper ticket. Their teacher praised the project as a lesson in civic patience.

The commission also heard from the tourism office, which expects a busy season. Hotels reported strong bookings
for July and August. A cyclist group asked for racks on the upper deck.

Members will vote on the schedule at their next meeting in May. The public may send written comments until
then. Copies of the proposal are available at the town hall and the library.

Commissioner Dolores Whitfield opened the hearing with a moment of silence. The harbor master, Tobias Lindqvist,
described the storm damage in detail. Deputy mayor Ramona Castellanos read a letter from the governor.

A ferry engineer, Priya Raghunathan, said the engines need new pumps. The town planner, Gideon Abernathy, showed
maps of the flooded road. A nurse, Marguerite Okonkwo, spoke for the clinic on the island.

The fisherman Anselm Kowalczyk asked about the fuel dock. A teacher, Beatrix Montgomery, thanked the crew for its
courage. The pastor, Emeka Nwachukwu, closed the meeting with a short prayer.
"""

#: what a wrong lexicon rule makes a word into
STRANGERS = ["umbrella", "pancake", "refrigerator", "giraffe", "volcano", "saxophone", "cucumber", "trampoline"]
KINDS = ("lexicon", "swapped", "dropped", "repeated", "noise", "name")
#: a name said subtly wrong: its first sound made into a near one (voiced for voiceless,
#: a neighbouring vowel), as a wrong pronunciation rule or a voice's guess would
NEAR_SOUNDS = {
    "b": "p",
    "p": "b",
    "d": "t",
    "t": "d",
    "g": "k",
    "k": "g",
    "c": "g",
    "v": "f",
    "f": "v",
    "z": "s",
    "s": "z",
    "m": "n",
    "n": "m",
    "l": "r",
    "r": "l",
    "w": "v",
    "h": "",
    "j": "ch",
    "a": "o",
    "o": "a",
    "e": "i",
    "i": "e",
    "u": "o",
    "y": "i",
}


def garbled(name: str) -> str:
    """``name`` with its first sound changed for a near one ("Whitfield" → "Vhitfield")."""
    first = name[0].lower()
    swapped = NEAR_SOUNDS.get(first, first)
    return (swapped[:1].upper() + swapped[1:] + name[1:]) if swapped else name[1:].capitalize()


FAULTS_PER_KIND = 8


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as source:
        return np.frombuffer(source.readframes(source.getnframes()), dtype="<i2").astype(
            np.float64
        ), source.getframerate()


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.clip(samples, -32768, 32767).astype("<i2").tobytes())


def sentences_of(timings: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for part in timings["segments"] if part["kind"] == "paragraph" for s in part["sentences"]]


def candidate_word(sentence: dict[str, Any], counts: dict[str, int], name: bool = False) -> dict[str, Any] | None:
    """A content word of the sentence, said once in the article, long enough to hear
    (``name``: a surname, capitalised inside the sentence and followed by no other)."""
    pattern = r"[A-Z][a-z]{4,}[.,]?" if name else r"[a-z]{5,}[.,]?"
    words = [
        w
        for w in sentence.get("words", [])[1:]
        if re.fullmatch(pattern, w["text"]) and counts.get(w["text"].strip(".,"), 0) == 1
    ]
    if name:  # the last of a run of capitalised words: the surname, not a title
        texts = [w["text"] for w in sentence.get("words", [])]
        words = [
            w
            for w in words
            if texts.index(w["text"]) > 0
            and texts[texts.index(w["text"]) - 1][:1].isupper()
            and texts.index(w["text"]) - 1 > 0
        ]
    words = [w for w in words if w["end_ms"] - w["start_ms"] >= 180]
    return words[len(words) // 2] if words else None


def shift(timings: dict[str, Any], after_ms: int, by_ms: int) -> None:
    """Move every time at or after ``after_ms`` by ``by_ms``."""
    for part in timings["segments"]:
        for key in ("start_ms", "end_ms"):
            if part.get(key, -1) >= after_ms:
                part[key] += by_ms
        for sentence in part["sentences"]:
            for item in [sentence, *sentence.get("words", [])]:
                for key in ("start_ms", "end_ms"):
                    if item[key] >= after_ms:
                        item[key] += by_ms


def damage(
    kind: str,
    samples: np.ndarray,
    rate: int,
    timings: dict[str, Any],
    targets: list[dict[str, Any]],
    rng: random.Random,
) -> np.ndarray:
    """The narration with one word of each target sentence damaged (its timings kept true)."""
    out = samples.copy()
    everyone = [w for s in sentences_of(timings) for w in s.get("words", []) if len(w["text"]) >= 5]
    for word in sorted(targets, key=lambda w: -w["start_ms"]):  # from the end: earlier times stay put
        a, b = word["start_ms"] * rate // 1000, word["end_ms"] * rate // 1000
        if kind == "swapped":
            other = rng.choice([w for w in everyone if w["text"] != word["text"]])
            piece = samples[other["start_ms"] * rate // 1000 : other["end_ms"] * rate // 1000]
            out[a:b] = np.resize(piece, b - a) if piece.size < b - a else piece[: b - a]
        elif kind == "dropped":
            out = np.concatenate((out[:a], out[b:]))
            shift(timings, word["end_ms"], -(word["end_ms"] - word["start_ms"]))
            word["end_ms"] = word["start_ms"]
        elif kind == "repeated":
            out = np.concatenate((out[:b], out[a:b], out[b:]))
            shift(timings, word["end_ms"], word["end_ms"] - word["start_ms"])
        elif kind == "noise":
            level = np.sqrt(np.mean(out[a:b] ** 2))
            out[a:b] += np.random.default_rng(rng.randrange(1 << 30)).normal(0, level, b - a)
    return out


def convert(source: Path, target: Path, voice: str, lexicon: Path | None = None) -> float:
    command = [sys.executable, "-m", "audiogen", "convert", str(source), "-o", str(target), "--voice", voice]
    command += ["--word-timings", "--no-notice", "--no-cover", "-q", "--no-cache"]
    if lexicon is not None:
        command += ["--lexicon", str(lexicon)]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--voice", default="joe")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from audiogen.proof import Recognizer, proof_narration

    recognizer = Recognizer("tiny.en")
    rng = random.Random(args.seed)
    caught = dict.fromkeys(KINDS, 0)
    tried = dict.fromkeys(KINDS, 0)
    clean_flagged = clean_total = 0
    name_checks = 0  # undamaged sentences given a "check this name"
    spent = synthesis = 0.0
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        source = folder / "harbor.md"
        source.write_text(ARTICLE, encoding="utf-8")
        for run in range(args.runs):
            clean = folder / f"clean{run}.wav"
            synthesis += convert(source, clean, args.voice)
            timings = json.loads(clean.with_suffix(".json").read_text(encoding="utf-8"))
            started = time.perf_counter()
            report = proof_narration(clean, recognizer=recognizer)
            spent += time.perf_counter() - started
            clean_flagged += len(report.flagged)
            name_checks += sum(any(w.kind == "name" for w in s.words) for s in report.sentences)
            clean_total += len(report.sentences)
            print(f"run {run + 1}: clean article, {len(report.flagged)} of {len(report.sentences)} sentences flagged")
            for flagged in report.flagged:
                print(
                    f"    false alarm: {flagged.meant!r} heard {flagged.heard!r} {[(w.kind, w.meant, w.heard) for w in flagged.words]}"
                )
            body = sentences_of(timings)
            counts: dict[str, int] = {}
            every = [s for part in timings["segments"] for s in part["sentences"]]  # the title too
            for sentence in every:
                for word in sentence.get("words", []):
                    counts[word["text"].strip(".,")] = counts.get(word["text"].strip(".,"), 0) + 1
            for kind in KINDS:
                is_name = kind == "name"
                chosen = [s for s in body if candidate_word(s, counts, is_name)]
                rng.shuffle(chosen)
                chosen = chosen[:FAULTS_PER_KIND]
                damaged = folder / f"{kind}{run}.wav"
                edited = json.loads(json.dumps(timings))
                edited_body = sentences_of(edited)
                targets = [candidate_word(edited_body[body.index(s)], counts, is_name) for s in chosen]
                if kind in ("lexicon", "name"):
                    lexicon = folder / "wrong.toml"
                    lines = [
                        f'"{t["text"].strip(".,")}" = "{garbled(t["text"].strip(".,")) if is_name else STRANGERS[i % len(STRANGERS)]}"'
                        for i, t in enumerate(targets)
                    ]
                    lexicon.write_text("[words]\n" + "\n".join(lines) + "\n", encoding="utf-8")
                    convert(source, damaged, args.voice, lexicon)
                else:
                    samples, rate = read_wav(clean)
                    write_wav(damaged, damage(kind, samples, rate, edited, targets, rng), rate)  # type: ignore[arg-type]
                    damaged.with_suffix(".json").write_text(json.dumps(edited), encoding="utf-8")
                started = time.perf_counter()
                report = proof_narration(damaged, recognizer=recognizer)
                spent += time.perf_counter() - started
                target_texts = {s["text"] for s in chosen}
                hit = [
                    s
                    for s in report.sentences
                    if s.meant in target_texts and (s.flagged or (is_name and any(w.kind == "name" for w in s.words)))
                ]
                caught[kind] += len(hit)
                tried[kind] += len(chosen)
                others = [s for s in report.sentences if s.meant not in target_texts]
                clean_flagged += sum(s.flagged for s in others)
                name_checks += sum(any(w.kind == "name" for w in s.words) for s in others)
                clean_total += len(others)
                for flagged in (s for s in others if s.flagged):
                    found = [(w.kind, w.meant, w.heard) for w in flagged.words]
                    print(f"    false alarm: {flagged.meant!r} heard {flagged.heard!r} {found}")
                print(f"run {run + 1}: {kind:9} caught {len(hit)} of {len(chosen)}")
                for missed in (s for s in report.sentences if s.meant in target_texts and s not in hit):
                    print(f"    missed: {missed.meant!r} heard {missed.heard!r}")
    for kind in KINDS:
        print(f"{kind:9} caught {caught[kind]} of {tried[kind]} ({caught[kind] / max(1, tried[kind]):.2f})")
    print(
        f"false alarms: {clean_flagged} of {clean_total} undamaged sentences ({clean_flagged / max(1, clean_total):.3f})"
    )
    print(
        f"names to check on undamaged sentences: {name_checks} of {clean_total} ({name_checks / max(1, clean_total):.3f})"
    )
    print(
        f"cost: proof {spent:.1f} s for {args.runs * (len(KINDS) + 1)} narrations; synthesis of one {synthesis / args.runs:.1f} s"
    )
    shutil.rmtree(folder_name, ignore_errors=True)
    os.environ.pop("AUDIOGEN_CACHE_DIR", None)


if __name__ == "__main__":
    main()
