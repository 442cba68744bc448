"""Proof-listening a narration: every sentence heard back and compared with its text.

The narration's timings (``OUT.json`` beside the audio) give each sentence's text and
its span. Consecutive spans are cut out and joined into stretches of up to
``WINDOW_SECONDS`` (the length a Whisper model hears at once, so no window is wasted on
silence), each stretch is transcribed, and what was heard is shared out among its
sentences by aligning it with their folded text (``compare``). A sentence is flagged
when the share of its words heard as meant falls below the threshold, when two words in
a row were heard as something else, when a word was heard as its own first letters (an
abbreviation read as written: "feb" for "February"), or when the word an abbreviation in
the text stands for ("Tues.": "Tuesday") was heard wrong by both models. The sentences the first hearing
doubts are heard again (with a wider search) before they are reported, by the confirming
model when there is one — several at a time, spaced by a second of silence, since a
Whisper model hears thirty seconds whether they hold one sentence or six — and the better
of the two hearings counts, so that sharing out a stretch, or one model's slip, does not
flag a sentence by mistake: a voice's misreading is heard wrong by both.

Single words are checked on their own too (``words``): a content word heard as another,
not heard, or heard twice makes its sentence heard again, and a word both hearings agree
on flags it (a name heard as another is reported apart, "check this name", without
flagging). The audio itself is checked for noise, clipping and silences (``signal``).
Each finding names its word and span in the report.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from audiogen.errors import ProofError
from audiogen.proof.compare import misread, score, split_heard
from audiogen.proof.fold import abbreviated_words, fold
from audiogen.proof.listen import DEFAULT_MODEL, SAMPLE_RATE, Recognizer, load_audio
from audiogen.proof.signal import signal_faults
from audiogen.proof.words import confirmed, doubted_words, name_words, spelled_words, word_spans

#: a sentence heard with fewer of its words right than this is flagged. Measured on the
#: 42 news sentences of the speech benchmark, four saved syntheses of each reading (Piper's
#: voice differs a little each time) scored again with their hearings kept: 0.83 caught
#: 0.850 of the raw reading's misread sentences and flagged 0.036 of the hand-written
#: spoken form's (0.80: 0.800 and 0.030; 0.85: 0.883 and 0.071); bench/proof.py measures
#: on fresh syntheses. With tiny.en alone, 0.75 caught 0.60 and flagged 0.12 (measured
#: before the folding of letters, addresses and times was widened).
DEFAULT_THRESHOLD = 0.83
THRESHOLD_ALONE = 0.75
#: what the first, quick hearing passes on to the confirming model
SCREEN_THRESHOLD = 0.9
#: the kinds of word-level finding, in the order a report lists them
FINDING_KINDS = ("misread", "dropped", "repeated", "noise", "name")
#: the longest stretch of joined sentences given to the recognizer at once
WINDOW_SECONDS = 28.0
#: silence put between joined sentences, so words do not run together
_GAP_SECONDS = 0.3
#: and between the doubted sentences heard again together, which do not follow one another
_CONFIRM_GAP_SECONDS = 1.0


@dataclass
class WordFinding:
    """A word that sounds wrong: ``kind`` is ``misread``, ``dropped``, ``repeated``,
    ``noise`` (a burst of noise, clipping, a silence that stops the sentence) or ``name``;
    ``meant`` the narration's word there (when its word timings are known)."""

    meant: str
    heard: str
    start_ms: int
    end_ms: int
    kind: str
    detail: str = ""


@dataclass
class SentenceProof:
    index: int
    start_ms: int
    end_ms: int
    meant: str
    heard: str
    score: float
    flagged: bool
    action: str = "none"
    words: list[WordFinding] = field(default_factory=list)


@dataclass
class ProofReport:
    audio: str
    model: str
    threshold: float
    accuracy: float
    sentences: list[SentenceProof] = field(default_factory=list)
    seconds: float = 0.0
    #: the sentences a repair re-voiced: index → the words now said
    respoken: dict[int, str] = field(default_factory=dict)

    @property
    def flagged(self) -> list[SentenceProof]:
        return [s for s in self.sentences if s.flagged]

    def to_json(self) -> dict[str, Any]:
        return {
            "audio": self.audio,
            "model": self.model,
            "threshold": self.threshold,
            "accuracy": round(self.accuracy, 4),
            "flagged": len(self.flagged),
            "seconds": round(self.seconds, 2),
            "sentences": [
                {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(s).items()} for s in self.sentences
            ],
            "findings": {kind: sum(w.kind == kind for s in self.sentences for w in s.words) for kind in FINDING_KINDS},
        }


def read_timings(audio: Path) -> dict[str, Any]:
    timings = audio.with_suffix(".json")
    try:
        data = json.loads(timings.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProofError(
            f"no timings beside {audio.name} ({timings.name})",
            hint="proof-listen a narration written by audiogen convert, with its .json beside it",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProofError(f"cannot read the timings {timings}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise ProofError(f"{timings.name} is not an audiogen timings file")
    return data


def sentence_words(timings: dict[str, Any]) -> list[list[tuple[int, int, str]]]:
    """(start_ms, end_ms, text) of every word of every sentence, where the narration has
    word timings (``--word-timings``; an empty list for a sentence without)."""
    out: list[list[tuple[int, int, str]]] = []
    for part in timings["segments"]:
        for sentence in part.get("sentences", []):
            words = sentence.get("words") if isinstance(sentence, dict) else None
            try:
                out.append([(int(w["start_ms"]), int(w["end_ms"]), str(w["text"])) for w in words or []])
            except (KeyError, TypeError, ValueError):
                out.append([])
    return out


def spoken_sentences(timings: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(start_ms, end_ms, text) of every sentence, in order."""
    out = []
    for part in timings["segments"]:
        for sentence in part.get("sentences", []):
            try:
                out.append((int(sentence["start_ms"]), int(sentence["end_ms"]), str(sentence["text"])))
            except (KeyError, TypeError, ValueError):
                raise ProofError("the timings file has a sentence without its times or text") from None
    return out


def proof_narration(
    audio: str | Path,
    *,
    model: str = DEFAULT_MODEL,
    threshold: float | None = None,
    recognizer: Recognizer | None = None,
    confirm: Recognizer | None = None,
    only: Iterable[int] | None = None,
    lexicon: Mapping[str, str] | None = None,
) -> ProofReport:
    """Hear ``audio`` back, sentence by sentence; ``only``: the indexes of the sentences
    to hear (the others are left out of the report). With a ``confirm`` recognizer, the
    first hearing passes on every sentence it doubts (under ``SCREEN_THRESHOLD``) to the
    confirming model, and the better of the two hearings is scored; ``threshold`` defaults to
    ``DEFAULT_THRESHOLD`` then, to ``THRESHOLD_ALONE`` without one. ``lexicon``: the user's
    pronunciation rules (word → what it is said as), named in the findings they explain."""
    audio = Path(audio)
    if not audio.is_file():
        raise ProofError(f"no such narration: {audio}")
    timings = read_timings(audio)
    language = str(timings.get("language") or "en").split("-")[0]
    started = time.perf_counter()
    recognizer = recognizer or Recognizer(model)
    if recognizer.english_only and language != "en":
        raise ProofError(
            f"the narration is in {language!r} and the model {recognizer.model_name} hears only English",
            hint="give a multilingual Whisper model folder with --asr-model",
        )
    samples = load_audio(audio)
    sentences = spoken_sentences(timings)
    wanted = set(range(len(sentences))) if only is None else set(only)
    confirm = confirm or recognizer.confirm
    if threshold is None:
        threshold = DEFAULT_THRESHOLD if confirm is not None else THRESHOLD_ALONE
    first_bar = max(threshold, SCREEN_THRESHOLD) if confirm is not None else threshold
    name = recognizer.model_name + (f" + {confirm.model_name}" if confirm is not None else "")
    report = ProofReport(audio=audio.name, model=name, threshold=threshold, accuracy=1.0)
    meant_total = cost_total = 0.0
    heard_first: dict[int, tuple[list[str], list[str], float, list[float]]] = {}
    for window in _windows([(i, *sentences[i]) for i in sorted(wanted) if 0 <= i < len(sentences)]):
        clip = _join([_cut(samples, s, e, sentences) for _, s, e, _ in window])
        heard = fold(recognizer.transcribe(clip, language)) if clip.size else []
        meant = [fold(text) for _, _, _, text in window]
        for (index, *_), words, (heard_words, cost, charged) in zip(
            window, meant, split_heard(meant, heard), strict=True
        ):
            heard_first[index] = (words, heard_words, cost, charged)
    abbreviated = {index: abbreviated_words(sentences[index][2]) for index in heard_first}
    # single words heard wrong: their sentences are heard again, whatever the score
    spelled = {index: spelled_words(sentences[index][2]) for index in heard_first}
    word_doubts = {
        index: doubted_words(words, heard_words, spelled[index])
        for index, (words, heard_words, *_) in heard_first.items()
    }
    rules = {written.lower(): (written, said) for written, said in (lexicon or {}).items()}
    doubted = [
        index
        for index, (words, heard_words, cost, charged) in heard_first.items()
        if score(len(words), cost) < first_bar
        or misread(words, heard_words, charged)
        or any(c >= 0.9 and word in abbreviated[index] for word, c in zip(words, charged, strict=True))
        or word_doubts[index]
    ]
    #: per doubted sentence, the words of its second hearing
    heard_again: dict[int, list[str]] = {}
    second = confirm or recognizer
    #: per doubted sentence, the meant words both hearings got wrong
    wrong_twice: dict[int, set[str]] = {}
    if doubted:
        # the doubted sentences heard again: by the confirming model, a few at a time
        # (spaced by silence, shared out again: a Whisper model hears 30 seconds whether
        # they hold one sentence or six); without one, each alone by the same model. The
        # better of the two hearings is kept: a misreading is heard wrong by both, a
        # recognizer's slip ("Justices" as "just as a") mostly by one
        again = (
            _windows([(i, *sentences[i]) for i in doubted], consecutive=False, gap=_CONFIRM_GAP_SECONDS)
            if confirm is not None
            else [[(i, *sentences[i])] for i in doubted]
        )
        for window in again:
            clip = _join([_cut(samples, s, e, sentences) for _, s, e, _ in window], gap=_CONFIRM_GAP_SECONDS)
            heard = fold(second.transcribe(clip, language, careful=True))
            meant = [heard_first[index][0] for index, *_ in window]
            for (index, start, end, _), (heard_words, cost, charged) in zip(
                window, split_heard(meant, heard), strict=True
            ):
                words, _, first_cost, _ = heard_first[index]
                if len(window) > 1 and cost > first_cost:
                    # heard worse among the others than at first (a stretch shared out
                    # wrong, or a recognizer that stopped short): heard once more, alone
                    alone = fold(
                        second.transcribe(_join([_cut(samples, start, end, sentences)]), language, careful=True)
                    )
                    heard_words, cost, charged = split_heard([words], alone)[0]
                heard_again[index] = heard_words
                first_charged = heard_first[index][3]
                wrong_twice[index] = {
                    word for word, a, b in zip(words, first_charged, charged, strict=True) if a >= 0.9 and b >= 0.9
                }
                if cost < first_cost:
                    heard_first[index] = (words, heard_words, cost, charged)
    timed_words = sentence_words(timings)
    for index in sorted(heard_first):
        words, heard_words, cost, charged = heard_first[index]
        start, end, text = sentences[index]
        value = score(len(words), cost)
        bar = threshold if index in doubted else first_bar
        timed = timed_words[index] if index < len(timed_words) else []
        findings = _word_findings(
            words,
            word_doubts.get(index, []),
            heard_again.get(index),
            (start, end),
            timed,
            language,
            text,
            spelled[index],
        ) + _signal_findings(samples, start, end, timed)
        flagged = (
            value < bar
            or misread(words, heard_words, charged)
            # an abbreviation's word that neither model heard: the abbreviation misread
            or bool(wrong_twice.get(index, set()) & abbreviated[index])
            or any(finding.kind != "name" for finding in findings)
        )
        meant_total += len(words)
        cost_total += min(cost, len(words)) if words else 0.0
        if rules:
            findings = [_explained(finding, rules) for finding in findings]
        report.sentences.append(
            SentenceProof(index, start, end, text, " ".join(heard_words), value, flagged, words=findings)
        )
    report.accuracy = 1.0 - cost_total / meant_total if meant_total else 1.0
    report.seconds = time.perf_counter() - started
    return report


def _word_findings(
    words: list[str],
    first: list[tuple[str, int, str]],
    again: list[str] | None,
    span: tuple[int, int],
    timed: list[tuple[int, int, str]],
    language: str,
    text: str,
    spelled: frozenset[str],
) -> list[WordFinding]:
    """The single-word faults both hearings agree on, placed on the narration's words; a
    name heard as another is a softer finding, ``name`` ("check this name"), which does
    not flag its sentence."""
    if not first or again is None:
        return []
    agreed = confirmed(words, first, doubted_words(words, again, spelled), language)
    if not agreed:
        return []
    names = name_words(text)
    spans = word_spans(words, timed)
    findings = []
    for kind, index, heard in agreed:
        found = spans[index] or _nearest(spans, index)
        start, end, said = found if found else (span[0], span[1], words[index])
        kind = "name" if kind == "misread" and words[index] in names else kind
        findings.append(WordFinding(said if spans[index] else words[index], heard, start, end, kind))
    return findings


def _explained(finding: WordFinding, rules: Mapping[str, tuple[str, str]]) -> WordFinding:
    """A finding on a word a lexicon rule says otherwise (``rules``: the rule's word in
    lower case → the rule), with that rule named."""
    if finding.kind not in ("misread", "name") or not finding.meant:
        return finding
    rule = rules.get(finding.meant.strip(".,;:!?\"'\u201c\u201d\u2019").lower())
    if rule is None:
        return finding
    return replace(finding, detail=f"your lexicon says {rule[0]} \u2192 {rule[1]}")


def _nearest(spans: list[tuple[int, int, str] | None], index: int) -> tuple[int, int, str] | None:
    """The span of the closest word that has one (a dropped word lies beside it)."""
    for distance in range(1, len(spans)):
        for other in (index - distance, index + distance):
            if 0 <= other < len(spans) and spans[other] is not None:
                return spans[other]
    return None


def _signal_findings(
    samples: np.ndarray, start_ms: int, end_ms: int, words: list[tuple[int, int, str]]
) -> list[WordFinding]:
    """What the audio itself shows within a sentence (noise, clipping, a silence), each
    named by the words it falls on."""
    findings = []
    for fault in signal_faults(samples, start_ms, end_ms):
        over = [text for s, e, text in words if s < fault.end_ms and e > fault.start_ms]
        findings.append(WordFinding(" ".join(over), "", fault.start_ms, fault.end_ms, fault.kind, fault.detail))
    return findings


def _windows(
    sentences: list[tuple[int, int, int, str]], *, consecutive: bool = True, gap: float = _GAP_SECONDS
) -> list[list[tuple[int, int, int, str]]]:
    """Sentences grouped into stretches a recognizer hears at once (``consecutive``: only
    sentences that follow one another in the narration)."""
    windows: list[list[tuple[int, int, int, str]]] = []
    length = 0.0
    for sentence in sentences:
        seconds = (sentence[2] - sentence[1]) / 1000 + gap
        follows = not consecutive or (bool(windows) and windows[-1][-1][0] == sentence[0] - 1)
        if windows and length + seconds <= WINDOW_SECONDS and follows:
            windows[-1].append(sentence)
            length += seconds
        else:
            windows.append([sentence])
            length = seconds
    return windows


#: heard beyond a sentence's span on each side (its first sound starts a little early)
_MARGIN_MS = 150


def _cut(samples: np.ndarray, start_ms: int, end_ms: int, sentences: list[tuple[int, int, str]]) -> np.ndarray:
    """A sentence's span with a margin that stays clear of its neighbors."""
    before = max((e for _, e, _ in sentences if e <= start_ms), default=0)
    after = min((s for s, _, _ in sentences if s >= end_ms), default=end_ms + 2 * _MARGIN_MS)
    start = max(start_ms - _MARGIN_MS, (before + start_ms) // 2)
    end = min(end_ms + _MARGIN_MS, (end_ms + after) // 2)
    return samples[int(start * SAMPLE_RATE / 1000) : int(end * SAMPLE_RATE / 1000)]


def _join(clips: list[np.ndarray], gap: float = _GAP_SECONDS) -> np.ndarray:
    silence = np.zeros(int(gap * SAMPLE_RATE), dtype=np.float32)
    pieces: list[np.ndarray] = [silence]  # a recognizer misses a first word that starts at once
    for clip in clips:
        pieces.extend([clip.astype(np.float32), silence])
    return np.concatenate(pieces) if len(pieces) > 1 else np.zeros(0, dtype=np.float32)
