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
flag a sentence by mistake: a voice's misreading is heard wrong by both. Nothing is charged
to what a recognizer writes its own way: a word whose heard words sound like it in the
voice's phonemes ("fischl" for "officials"), a name heard as anything like it.

Single words are checked on their own too (``words``): a content word heard as another,
not heard, or heard twice makes the stretch around it heard again, and a word both
hearings agree on flags its sentence. Time and sound are evidence of their own
(``timing``): the first hearing's words are placed on the narration's clock, so a word
the voice gave no time, a word whose span holds the same sound twice, or a sound in a
pause that is a neighbouring word said again flags its sentence without a second
hearing; and every name is read by force over its audio, so a name the model does not
write back and finds improbable there is reported apart, "check this name", without
flagging. The audio itself is checked for noise, clipping and silences (``signal``).
Each finding names its word and span in the report.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from audiogen.errors import ProofError
from audiogen.proof.compare import align, misread, score, split_heard
from audiogen.proof.fold import abbreviated_words, fold
from audiogen.proof.listen import DEFAULT_MODEL, SAMPLE_RATE, Recognizer, load_audio
from audiogen.proof.signal import signal_faults
from audiogen.proof.timing import (
    NAME_PROBABILITY,
    SAME_SOUND,
    SILENT_MS,
    ClipMap,
    Placed,
    copies,
    doubled,
    doubtful_names,
    echoes,
    forced_by_sentence,
    letter_time,
    not_said,
    sound_distance,
)
from audiogen.proof.words import (
    STRANGER,
    confirmed,
    doubted_words,
    name_words,
    sound_likeness,
    soundalikes_forgiven,
    spelled_words,
    word_spans,
)

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
#: the longest stretch of joined sentences given to the recognizer at once, silences and
#: margins counted (under the 30 seconds a Whisper model hears in one window)
WINDOW_SECONDS = 28.0
#: silence put between joined sentences, so words do not run together
_GAP_SECONDS = 0.3
#: and between the doubted sentences heard again together, which do not follow one another
_CONFIRM_GAP_SECONDS = 1.0


_Item = TypeVar("_Item", bound=tuple[Any, ...])


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
    heard_placed: list[Placed] = []  # every word of the first hearing, on the narration's clock
    forced: dict[int, list[Placed]] = {}  # per sentence, its text read by force over its audio
    windows = _windows([(i, *sentences[i]) for i in sorted(wanted) if 0 <= i < len(sentences)])
    joined = [_joined(samples, [_span(s, e, sentences) for _, s, e, _ in window]) for window in windows]
    hearings = recognizer.hear_many(
        [clip for clip, _ in joined],
        language,
        # read by force where there are names to judge (an alignment more for each stretch)
        forced=[
            " ".join(texts) if any(name_words(text) for text in texts) else None
            for texts in ([text for *_, text in window] for window in windows)
        ],
    )
    for window, (_, clip_map), hearing in zip(windows, joined, hearings, strict=True):
        texts = [text for *_, text in window]
        heard = fold(hearing.text)
        heard_placed.extend(clip_map.place(hearing.words))
        meant = [fold(text) for text in texts]
        for (index, *_), words, (heard_words, _cost, charged), read in zip(
            window, meant, split_heard(meant, heard), forced_by_sentence(hearing.forced, texts, clip_map), strict=True
        ):
            forced[index] = read
            heard_first[index] = _names_forgiven(words, heard_words, charged, read, name_words(sentences[index][2]))
    timed_words = sentence_words(timings)
    per_letter = letter_time([word for sentence in timed_words for word in sentence])
    abbreviated = {index: abbreviated_words(sentences[index][2]) for index in heard_first}
    for index, (words, heard_words, cost, charged) in heard_first.items():
        heard_first[index] = (
            words,
            *_soundalikes(words, (heard_words, cost, charged), language, abbreviated[index], sentences[index][2]),
        )
    # single words heard wrong: their sentences are heard again, whatever the score
    spelled = {index: spelled_words(sentences[index][2]) for index in heard_first}
    word_doubts = {
        index: doubted_words(words, heard_words, spelled[index])
        for index, (words, heard_words, *_) in heard_first.items()
    }
    # words not said or said twice, shown by time and sound: no second hearing needed
    shown = {
        index: _shown(
            samples, heard_first[index][0], doubts, timed_words[index] if index < len(timed_words) else [], heard_placed
        )
        for index, doubts in word_doubts.items()
        if doubts
    }
    rules = {written.lower(): (written, said) for written, said in (lexicon or {}).items()}
    doubted = [
        index
        for index, (words, heard_words, cost, charged) in heard_first.items()
        if score(len(words), cost) < first_bar
        or misread(words, heard_words, charged)
        or any(c >= 0.9 and word in abbreviated[index] for word, c in zip(words, charged, strict=True))
        or len(shown.get(index, [])) < len(word_doubts[index])
    ]
    #: per doubted sentence, the single-word events of its second hearing
    events_again: dict[int, list[tuple[str, int, str]]] = {}
    second = confirm or recognizer
    #: per doubted sentence, the meant words both hearings got wrong
    wrong_twice: dict[int, set[str]] = {}
    if doubted:
        # the doubted sentences heard again: by the confirming model, a few at a time
        # (spaced by silence, shared out again: a Whisper model hears 30 seconds whether
        # they hold one sentence or six); without one, each alone by the same model. Where
        # the narration has word timings only the stretch around the doubted words is
        # heard again, so more fit in one hearing. The better of the two hearings is
        # kept: a misreading is heard wrong by both, a recognizer's slip ("Justices" as
        # "just as a") mostly by one
        items = [_region(index, heard_first[index], word_doubts[index], timed_words, sentences) for index in doubted]
        again = (
            _windows(items, consecutive=False, gap=_CONFIRM_GAP_SECONDS)
            if confirm is not None
            else [[item] for item in items]
        )
        clips = [
            _joined(samples, [_span(s, e, sentences) for _, s, e, *_ in batch], gap=_CONFIRM_GAP_SECONDS)[0]
            for batch in again
        ]
        shared: dict[int, tuple[list[str], float, list[float]]] = {}
        for batch, hearing in zip(again, second.hear_many(clips, language, careful=True), strict=True):
            parts = [_part(heard_first[index][0], region) for index, *_, region in batch]
            for (index, *_), part, result in zip(batch, parts, split_heard(parts, fold(hearing.text)), strict=True):
                shared[index] = _soundalikes(part, result, language, abbreviated[index], sentences[index][2])
        # a whole sentence heard worse among the others than at first (a stretch shared out
        # wrong, or a recognizer that stopped short) is heard once more, alone
        alone = [
            item
            for batch in again
            for item in batch
            if len(batch) > 1
            and item[4] == (0, len(heard_first[item[0]][0]))
            and shared[item[0]][1] > heard_first[item[0]][2]
        ]
        if alone:
            clips = [_joined(samples, [_span(start, end, sentences)])[0] for _, start, end, *_ in alone]
            for (index, *_), hearing in zip(alone, second.hear_many(clips, language, careful=True), strict=True):
                whole = heard_first[index][0]
                shared[index] = _soundalikes(
                    whole,
                    split_heard([whole], fold(hearing.text))[0],
                    language,
                    abbreviated[index],
                    sentences[index][2],
                )
        for index, *_, region in (item for batch in again for item in batch):
            heard_words, cost, charged = shared[index]
            words, first_heard, first_cost, first_charged = heard_first[index]
            low, high = region
            part = _part(words, region)
            events_again[index] = [
                (kind, low + at, word) for kind, at, word in doubted_words(part, heard_words, spelled[index])
            ]
            wrong_twice[index] = {
                word for word, a, b in zip(part, first_charged[low:high], charged, strict=True) if a >= 0.9 and b >= 0.9
            }
            then = sum(first_charged[low:high])
            if cost < then:
                heard_first[index] = (
                    words,
                    _spliced(words, first_heard, region, heard_words),
                    first_cost - then + cost,
                    first_charged[:low] + charged + first_charged[high:],
                )
    for index in sorted(heard_first):
        words, heard_words, cost, charged = heard_first[index]
        start, end, text = sentences[index]
        value = score(len(words), cost)
        bar = threshold if index in doubted else first_bar
        timed = timed_words[index] if index < len(timed_words) else []
        findings = _word_findings(
            words,
            word_doubts.get(index, []),
            events_again.get(index),
            (start, end),
            timed,
            language,
            text,
            spelled[index],
        )
        findings = _merged_findings(
            shown.get(index, []),
            [WordFinding(said, "", s, e, "repeated", "said again in a pause") for s, e, said in echoes(samples, timed)],
            [
                WordFinding(said, "", s, e, "repeated", "said twice")
                for s, e, said in doubled(samples, timed, per_letter)
            ],
            findings,
            _name_findings(text, forced.get(index, []), heard_words, heard_placed, language),
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
    again: list[tuple[str, int, str]] | None,
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
    agreed = confirmed(words, first, again, language)
    if not agreed:
        return []
    names = name_words(text)
    spans = word_spans(words, timed)
    findings = []
    for kind, index, heard in agreed:
        found = spans[index] or _nearest(spans, index)
        start, end, said = found if found else (span[0], span[1], words[index])
        if kind == "misread" and words[index] in names:
            continue  # a name heard as another: judged by forced scoring (_name_findings)
        near = {words[at] for at in (index - 1, index, index + 1) if 0 <= at < len(words)}
        if kind == "repeated" and heard != words[index] and near & names:
            continue  # a name heard in pieces ("to buy a" for "Tobias"), not a word said twice
        if kind == "inserted" and any(sound_likeness(name, heard, language) >= STRANGER for name in near & names):
            continue  # a piece of a name ("shed" of "america shed" for "Marrakesh")
        if kind == "inserted":  # a word said that the text does not have
            findings.append(
                WordFinding(said if spans[index] else words[index], heard, start, end, "misread", "said besides")
            )
            continue
        findings.append(WordFinding(said if spans[index] else words[index], heard, start, end, kind))
    return findings


#: meant words heard again on each side of the doubted ones
_CONTEXT_WORDS = 3
#: a stretch around the doubted words longer than this share of the sentence: the whole
_MOST = 0.7


def _region(
    index: int,
    first: tuple[list[str], list[str], float, list[float]],
    doubts: list[tuple[str, int, str]],
    timed_words: list[list[tuple[int, int, str]]],
    sentences: list[tuple[int, int, str]],
) -> tuple[int, int, int, str, tuple[int, int]]:
    """What of a doubted sentence is heard again, as a window item: the sentence's index,
    the span (ms) and text, and the meant words (from, to) it holds. Only the words heard
    wrong and a few on each side where the narration has word timings; else all of it."""
    words, _, _, charged = first
    start, end, text = sentences[index]
    whole = (index, start, end, text, (0, len(words)))
    wrong = [at for at, cost in enumerate(charged) if cost >= 0.5] + [at for _, at, _ in doubts]
    timed = timed_words[index] if index < len(timed_words) else []
    if not wrong or not timed:
        return whole
    low, high = max(0, min(wrong) - _CONTEXT_WORDS), min(len(words), max(wrong) + 1 + _CONTEXT_WORDS)
    if high - low >= _MOST * len(words):
        return whole
    spans = word_spans(words, timed)
    if spans[low] is None or spans[high - 1] is None:
        return whole
    first_ms, last_ms = spans[low][0], spans[high - 1][1]  # type: ignore[index]
    return (index, max(start, first_ms), min(end, last_ms), text, (low, high))


def _soundalikes(
    meant: list[str], result: tuple[list[str], float, list[float]], language: str, keep: AbstractSet[str], text: str
) -> tuple[list[str], float, list[float]]:
    """A hearing's (heard words, cost, cost per meant word) of a sentence (``text``) with
    nothing charged to what it wrote its own way (``soundalikes_forgiven``)."""
    heard, _, charged = result
    charged = soundalikes_forgiven(meant, heard, charged, language, keep, name_words(text))
    return heard, sum(charged), charged


def _part(words: list[str], region: tuple[int, int]) -> list[str]:
    return words[region[0] : region[1]]


def _spliced(words: list[str], heard: list[str], region: tuple[int, int], again: list[str]) -> list[str]:
    """The first hearing's words with those of ``region`` (meant words from, to) put back
    as heard the second time."""
    if region == (0, len(words)):
        return again
    _, owner = align(words, heard)
    low, high = region
    before = [word for word, at in zip(heard, owner, strict=True) if 0 <= at < low or (at < 0 and low > 0)]
    after = [word for word, at in zip(heard, owner, strict=True) if at >= high]
    return before + again + after


def _names_forgiven(
    words: list[str], heard: list[str], charged: list[float], read: list[Placed], names: frozenset[str]
) -> tuple[list[str], list[str], float, list[float]]:
    """A first hearing with nothing charged to the names the model accepts over their
    audio when made to read them (a name it writes its own way, said right)."""
    accepted = {
        bare
        for word in read
        if (bare := word.text.strip(".,;:!?\"'\u201c\u201d\u2018\u2019()").lower()) in names
        and word.probability >= NAME_PROBABILITY
    }
    if accepted:
        charged = [0.0 if word in accepted else cost for word, cost in zip(words, charged, strict=True)]
    return words, heard, sum(charged), charged


def _shown(
    samples: np.ndarray,
    words: list[str],
    doubts: list[tuple[str, int, str]],
    timed: list[tuple[int, int, str]],
    heard: list[Placed],
) -> list[WordFinding]:
    """The first hearing's dropped and repeated words that time and sound confirm: a
    word the voice gave no time or that nothing heard covers; a word heard twice whose
    two copies sound the same."""
    if not timed:
        return []
    spans = word_spans(words, timed)
    out = []
    for kind, index, word in doubts:
        span = spans[index]
        if span is None:
            continue
        start, end, said = span
        if (kind == "dropped" and not_said(span, heard)) or (kind == "misread" and end - start < SILENT_MS):
            # not heard where the narration has it, or given no time by the voice (what a
            # recognizer hears there instead is made up in the gap)
            out.append(WordFinding(said, "", start, end, "dropped", "not said"))
        elif kind == "repeated":
            following = next((s for s in spans[index + 1 :] if s is not None), None)
            twice = copies(word, heard, (start - 300, (following[0] if following else end) + 300))
            if twice is None:
                continue
            one, two = twice
            if sound_distance(samples, (one.start_ms, one.end_ms), (two.start_ms, two.end_ms)) <= SAME_SOUND:
                out.append(
                    WordFinding(said, f"{one.text} {two.text}", one.start_ms, two.end_ms, "repeated", "said twice")
                )
    return out


def _name_findings(
    text: str, read: list[Placed], heard_words: list[str], heard: list[Placed], language: str
) -> list[WordFinding]:
    """Names not written back as meant that the model, made to read them there, doubts."""
    out = []

    def over(start: int, end: int) -> list[str]:
        return [w.text for w in heard if w.start_ms < end and w.end_ms > start]

    def likeness(name: str, start: int, end: int) -> float:
        return max(
            (sound_likeness(name, w.strip(".,;:!?'\"").lower(), language) for w in over(start, end)), default=0.0
        )

    for word in doubtful_names(name_words(text), read, heard_words, likeness):
        detail = f"the recognizer gives the name {word.probability:.0%} over its audio"
        heard_there = " ".join(over(word.start_ms, word.end_ms))
        out.append(WordFinding(word.text, heard_there, word.start_ms, word.end_ms, "name", detail))
    return out


def _merged_findings(*groups: list[WordFinding]) -> list[WordFinding]:
    """Findings from several checks, one per word: the first group's over the later ones
    (time and sound show what happened more surely than two hearings agreeing)."""
    seen: set[str] = set()
    out = []
    for finding in (f for group in groups for f in group):
        key = finding.meant.strip(".,;:!?\"'").lower()
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


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


def _windows(sentences: list[_Item], *, consecutive: bool = True, gap: float = _GAP_SECONDS) -> list[list[_Item]]:
    """Sentences (index, start, end, …) grouped into stretches a recognizer hears at once
    (``consecutive``: only sentences that follow one another in the narration)."""
    windows: list[list[_Item]] = []
    length = 0.0
    for sentence in sentences:
        # as ``_joined`` lays it out: the span with its margins, silence after it, and
        # silence before the first (a clip over a window is heard by the slow, full search)
        seconds = (sentence[2] - sentence[1] + 2 * _MARGIN_MS) / 1000 + gap
        follows = not consecutive or (bool(windows) and windows[-1][-1][0] == sentence[0] - 1)
        if windows and length + seconds <= WINDOW_SECONDS and follows:
            windows[-1].append(sentence)
            length += seconds
        else:
            windows.append([sentence])
            length = gap + seconds
    return windows


#: heard beyond a sentence's span on each side (its first sound starts a little early)
_MARGIN_MS = 150


def _span(start_ms: int, end_ms: int, sentences: list[tuple[int, int, str]]) -> tuple[int, int]:
    """A sentence's span in samples, with a margin that stays clear of its neighbors."""
    before = max((e for _, e, _ in sentences if e <= start_ms), default=0)
    after = min((s for s, _, _ in sentences if s >= end_ms), default=end_ms + 2 * _MARGIN_MS)
    start = max(start_ms - _MARGIN_MS, (before + start_ms) // 2)
    end = min(end_ms + _MARGIN_MS, (end_ms + after) // 2)
    return int(start * SAMPLE_RATE / 1000), int(end * SAMPLE_RATE / 1000)


def _joined(samples: np.ndarray, spans: list[tuple[int, int]], gap: float = _GAP_SECONDS) -> tuple[np.ndarray, ClipMap]:
    """Spans of the narration joined by silence (and silence before the first: a
    recognizer misses a first word that starts at once), with where each piece came from."""
    silence = np.zeros(int(gap * SAMPLE_RATE), dtype=np.float32)
    pieces: list[np.ndarray] = [silence]
    places, position = [], silence.size
    for start, end in spans:
        piece = samples[start:end].astype(np.float32)
        places.append((position, start, piece.size))
        pieces.extend([piece, silence])
        position += piece.size + silence.size
    if len(pieces) == 1:
        return np.zeros(0, dtype=np.float32), ClipMap([])
    return np.concatenate(pieces), ClipMap(places)
