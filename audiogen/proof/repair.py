"""Repairing what proof-listening flagged: other ways of saying a sentence, tried and
heard, the best kept.

For each flagged sentence a few renderings are tried: initialisms spelled out letter by
letter (or, where the script spelled a word, said), and the sentence as written (the
engine's own reading). Each round re-narrates through the clip cache, so only the
sentences tried are synthesized and only their MP3 blocks encoded again; only those
sentences are heard again. A rendering is kept when it is heard better than the one
before it; the report says, sentence by sentence, what was done.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from audiogen.article import Article
from audiogen.conversion import ConvertOptions, convert
from audiogen.proof.check import ProofReport, SentenceProof, proof_narration
from audiogen.proof.listen import DEFAULT_MODEL, Recognizer

log = logging.getLogger("audiogen")

_SPELLED = re.compile(r"\b(?:[A-Z]-)+[A-Z]\b")
_CAPITALS = re.compile(r"\b[A-Z]{2,8}\b")


#: word-level findings that a fresh rendering of the same words mends: the voice's glitches
GLITCHES = frozenset({"dropped", "repeated", "noise"})


def alternatives(
    display: str, spoken: str, normalized: str | None = None, *, glitch: bool = False
) -> list[tuple[str, str]]:
    """(name, words to say) for a sentence heard wrong, the most likely to help first:
    for a voice's glitch (a word dropped, said twice, a burst of noise), the same words
    said again; the normalizer's reading (when what was said was something else),
    initialisms spelled or said the other way, and the sentence as written. The same
    words said again carry a space more, so the clip cache keeps the new rendering apart
    from the old one and the better of the two can be kept."""
    options: list[tuple[str, str]] = []
    if glitch:
        options.append(("said again", spoken + " "))
    if normalized:
        options.append(("the normalizer's reading", normalized))
    toggled = _SPELLED.sub(lambda m: m.group(0).replace("-", "").capitalize(), spoken)
    if toggled == spoken:
        toggled = _CAPITALS.sub(lambda m: "-".join(m.group(0)), spoken)
    options.append(("initialisms said the other way", toggled))
    options.append(("read as written", display))
    seen = {spoken}
    unique = []
    for name, words in options:
        if words.strip() and words not in seen:
            seen.add(words)
            unique.append((name, words))
    return unique


def _standing(sentence: SentenceProof) -> tuple[bool, int, float]:
    """How well a sentence was heard, better the greater: not flagged, fewer word-level
    findings (names apart), then its score."""
    faults = sum(w.kind != "name" for w in sentence.words)
    return (not sentence.flagged, -faults, sentence.score)


def repair(
    source: str | Path | Article,
    target: str | Path,
    options: ConvertOptions | None = None,
    *,
    recognizer: Recognizer | None = None,
    model: str = DEFAULT_MODEL,
    threshold: float | None = None,
    report_progress: Callable[[str], None] | None = None,
    origin: str | Path | None = None,
    start: Mapping[int, str] | None = None,
) -> ProofReport:
    """Convert ``source`` into ``target``, proof-listen it, and re-voice the sentences
    heard wrong with the renderings heard best; the report of the final narration.
    ``start``: words to say for some sentences in the first narration (as
    ``convert``'s ``respoken``), the readings a repair starts from."""
    from audiogen.pipeline import load, make_script
    from audiogen.voices import resolve_voice

    options = options or ConvertOptions()
    recognizer = recognizer or Recognizer(model)
    article = source if isinstance(source, Article) else load(source, allow_private=options.allow_private)
    origin = source if isinstance(source, (str, Path)) else origin
    start = dict(start or {})
    from audiogen.spoken.lexicon import sayings

    rules = sayings(options.lexicons)  # a finding a rule explains is named in the report
    result = convert(article, target, options, origin=origin, respoken=start)
    audio = result.paths[0]
    report = proof_narration(audio, recognizer=recognizer, threshold=threshold, lexicon=rules)
    if not report.flagged:
        return report
    script = make_script(
        article,
        resolve_voice(options.voice),
        notice=options.notice,
        notice_text=options.notice_text,
        notice_position=options.notice_position,
        lexicons=options.lexicons,
        date_order=options.date_order,
    )
    sentences = [s for part in script.parts for s in part.sentences]
    best = {s.index: s for s in report.flagged}
    chosen: dict[int, str] = {}
    said = {i: start.get(i, sentences[i].spoken) for i in best if i < len(sentences)}
    tries = {
        i: alternatives(
            sentences[i].display,
            said[i],
            sentences[i].spoken if said[i] != sentences[i].spoken else None,
            glitch=any(w.kind in GLITCHES for w in best[i].words),
        )
        for i in said
    }
    for round_index in range(max((len(t) for t in tries.values()), default=0)):
        trying = {i: t[round_index] for i, t in tries.items() if round_index < len(t) and best[i].flagged}
        if not trying:
            break
        if report_progress is not None:
            report_progress(f"trying other readings of {len(trying)} sentences")
        respoken = {**start, **chosen, **{i: w for i, (_, w) in trying.items()}}
        convert(article, target, options, origin=origin, respoken=respoken)
        heard = proof_narration(audio, recognizer=recognizer, threshold=threshold, only=trying, lexicon=rules)
        for sentence in heard.sentences:
            if _standing(sentence) > _standing(best[sentence.index]):
                name, words = trying[sentence.index]
                best[sentence.index] = replace(sentence, action=f"re-voiced: {name}")
                chosen[sentence.index] = words
    # the narration written last must hold the best reading of every sentence
    convert(article, target, options, origin=origin, respoken={**start, **chosen})
    final = {s.index: s for s in report.sentences}
    for index, sentence in best.items():
        final[index] = sentence if index in chosen else replace(sentence, action="kept: nothing was heard better")
    report.sentences = [final[i] for i in sorted(final)]
    report.respoken = chosen
    meant = sum(len(s.meant.split()) for s in report.sentences) or 1
    report.accuracy = sum(s.score * len(s.meant.split()) for s in report.sentences) / meant
    log.info("proof: %d sentences re-voiced, %d still flagged", len(chosen), len(report.flagged))
    return report
