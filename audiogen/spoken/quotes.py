"""Direct speech in a sentence: which words are a quotation a person said, so a second
voice can speak them while the narrator reads the attribution.

A sentence holds direct speech when a quotation of at least ``MIN_WORDS`` words stands
in it with an attribution outside the quotation marks (a verb of saying, "according
to"), in the shapes newswriting uses: ``"We will not retreat," she said.``,
``She said, "We will not retreat."``, ``"We will," she said, "not retreat."``. Quoted
titles and scare quotes (``the so-called "peace plan"``) are too short or lack the
attribution, and stay with the narrator.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from audiogen.article import Sentence

MIN_WORDS = 3
#: the pause between a quotation and its attribution within one sentence
JOIN_PAUSE_MS = 140

QUOTATION = re.compile(r"[\"“”„«»]([^\"“”„«»]+)[\"“”„«»]")
_SAYING = re.compile(
    r"\b(?:said|says|say|told|tells|asked|asks|added|adds|wrote|writes|recalled|recalls|explained|explains|"
    r"insisted|insists|argued|argues|noted|notes|warned|warns|declared|declares|replied|replies|continued|"
    r"stated|states|announced|announces|tweeted|posted|according to|quoted|shouted|whispered|admitted|"
    r"acknowledged|conceded|urged|urges|pleaded|vowed|vows|promised|promises|said in a statement|"
    # the same verbs in the other languages audiogen narrates
    r"dit|déclare|affirme|explique|ajoute|a déclaré|dijo|afirmó|declaró|señaló|explicó|añadió|dice|"
    r"disse|afirmou|declarou|explicou|ha detto|ha dichiarato|ha spiegato|ha aggiunto|sagte|erklärte)\b",
    re.IGNORECASE,
)


def speech_pieces(text: str) -> list[tuple[str, bool]] | None:
    """``text`` cut into (piece, is quoted speech) in order, when it holds attributed
    direct speech; ``None`` when it does not (the narrator reads it whole). The quotation
    marks stay with their pieces; pieces are stripped of the spaces between them."""
    matches = [m for m in QUOTATION.finditer(text) if m.group(1).strip()]
    if not matches:
        return None
    outside = QUOTATION.sub(" ", text)
    if not _SAYING.search(outside) and not outside.strip(" ,.;:—–-").endswith(":"):
        return None
    quoted_words = sum(len(m.group(1).split()) for m in matches)
    if quoted_words < MIN_WORDS:
        return None
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in matches:
        before = text[position : match.start()]
        if before.strip(" "):
            pieces.append((before.strip(), False))
        quote = match.group(0)
        # a comma or full stop just after the closing mark belongs to the quotation's voice
        end = match.end()
        while end < len(text) and text[end] in ",.;:!?":
            quote += text[end]
            end += 1
        pieces.append((quote.strip(), True))
        position = end
    if text[position:].strip():
        pieces.append((text[position:].strip(), False))
    if not any(not quoted for _, quoted in pieces):
        return None
    # only what can be spoken: a piece of punctuation alone joins its neighbour
    merged: list[tuple[str, bool]] = []
    for piece, quoted in pieces:
        if merged and not any(ch.isalnum() for ch in piece):
            merged[-1] = (merged[-1][0] + piece, merged[-1][1])
        else:
            merged.append((piece, quoted))
    return merged


def split_quoted(sentence: Sentence, voice: str) -> list[Sentence]:
    """``sentence`` as the pieces its voices speak: the quotation's in ``voice``, the
    attribution's in the narrator's. Split only when the written and the spoken forms
    cut the same way; otherwise it stays whole, with the narrator."""
    return split_speech(sentence, lambda display, said: (voice, said))


def split_speech(sentence: Sentence, choose: Callable[[str, str], tuple[str, str] | None]) -> list[Sentence]:
    """``sentence`` cut at its attributed direct speech, when ``choose`` (given each
    quotation as written and as spoken) names a voice for one: ``(voice, words to say)``;
    a quotation given no words to say is left out; ``None`` keeps it with the narrator.
    Nothing is cut unless the written and spoken forms cut the same way and ``choose``
    names a voice for at least one quotation."""
    written = speech_pieces(sentence.display)
    spoken = speech_pieces(sentence.spoken)
    if written is None or spoken is None or [q for _, q in written] != [q for _, q in spoken]:
        return [sentence]
    chosen = [
        choose(display, said) if quoted else None for (display, quoted), (said, _) in zip(written, spoken, strict=True)
    ]
    if all(choice is None for choice in chosen):
        return [sentence]
    pieces = []
    for index, ((display, _), (said, _), choice) in enumerate(zip(written, spoken, chosen, strict=True)):
        voice, words = choice if choice is not None else ("", said)
        if not words.strip():
            continue
        last = index == len(written) - 1
        pieces.append(
            replace(
                sentence,
                display=display,
                spoken=words,
                pause_after_ms=sentence.pause_after_ms if last else JOIN_PAUSE_MS,
                voice=voice,
            )
        )
    if pieces:
        pieces[-1] = replace(pieces[-1], pause_after_ms=sentence.pause_after_ms)
    return pieces
