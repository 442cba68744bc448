"""Articles in other languages, heard back: does the normalized reading beat the text
read as written?

    python bench/languages.py [--languages es,fr,it,pt,hi,en-GB,ja,zh] [--keep DIR] [--pages DIR]

For each language's sample article in ``samples/`` (no notice), narrated with the
voice audiogen picks for the language (the studio voices when ``audiogen[studio]`` is
installed):

- the **normalized** reading: what audiogen says (numbers, money, times in words);
- the **raw** reading: the same voice given each sentence as written.

Both are transcribed by the multilingual Whisper ``base`` model (faster-whisper, told the
language; the model a package ships, as proof-listening uses) and scored by word error
rate against the article's text. Reference and transcripts are folded the same way for
every language: numbers, money and times written in digits become the language's words
(audiogen's own reading, so "4,5" and "cuatro coma cinco" are the same words), then case,
punctuation and accents go. A reading the voice got wrong stays wrong after folding: a
raw "4,5" read as "cuatro cinco" is heard as such, and does not fold back. Japanese and
Mandarin are scored on their sounds (see ``UNITS``), the error rate per mora or syllable.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "es": "es-presupuesto-autobuses.md",
    "fr": "fr-budget-bus.md",
    "it": "it-bilancio-autobus.md",
    "pt": "pt-orcamento-onibus.md",
    "hi": "hi-bijli-bus.md",
    "en-GB": "en-gb-rail-strike.md",
    "ja": "ja-denki-bus.md",
    "zh": "zh-diandong-gongjiao.md",
}
#: the languages scored on their sounds, not on written words: Japanese on kana (each
#: reading mora, the text's numbers and both its scripts read by OpenJTalk), Mandarin on
#: toneless pinyin syllables (so simplified and traditional characters, and digits and
#: numerals, compare alike)
UNITS = {"ja": "morae", "zh": "syllables"}


#: what Whisper is told it hears first (nothing, for now)
PROMPTS: dict[str, str] = {}


#: Hindi is scored on consonant skeletons, so that speech Whisper writes in the Urdu
#: script (as it often does for Hindustani) is compared with the Devanagari it was read
#: from: each letter of either script → a Latin consonant, vowels (which Urdu mostly
#: does not write) and the letters that are vowels or consonants by turns (v/w, y) left
#: out, aspiration and nukta dropped, a word-initial vowel kept as "a"
_DEVANAGARI = dict(
    zip(
        "कखगघङचछजझञटठडढणतथदधनपफबभमरलशषसहळ",
        "kkggnccjjnttddnttddnppbbmrlsssh" + "l",
        strict=True,
    )
)
_URDU = dict(
    zip(
        "بپتٹثجچحخدڈذرڑزژسشصضطظغفقکگلمنںہۂ",
        "bpttsjchkddjrrjjsssjtjgpkkglmnnhh",
        strict=True,
    )
)
_INITIAL_VOWELS = set("अआइईउऊएऐओऔऋاآعای")


def skeleton(word: str) -> str:
    out = []
    for index, char in enumerate(word):
        if char in _DEVANAGARI:
            out.append(_DEVANAGARI[char])
        elif char in _URDU:
            out.append(_URDU[char])
        elif char in "ंँ":
            out.append("n")
        elif index == 0 and char in _INITIAL_VOWELS:
            out.append("a")
        elif char.isdigit():
            out.append(char)
    return "".join(out)


def fold(text: str, language: str) -> list[str]:
    """The words of ``text`` as they are compared: numbers in the language's words, then
    no case, punctuation or accents (Hindi: consonant skeletons, see ``skeleton``)."""
    from audiogen.pipeline import DAY_FIRST_REGIONS
    from audiogen.spoken import normalize

    base, _, region = language.partition("-")
    base = base.lower()
    order = "day-first" if base == "en" and region.upper() in DAY_FIRST_REGIONS else "us"
    text = normalize(text, lang=language, date_order=order)
    if base == "ja":
        import pyopenjtalk

        return [c for c in pyopenjtalk.g2p(text, kana=True) if c.isalpha()]
    if base == "zh":
        import cn2an
        from pypinyin import lazy_pinyin

        text = re.sub(r"[^\u3400-\u9fff]+", " ", cn2an.transform(text, "an2cn"))
        return [syllable for syllable in lazy_pinyin(text) if syllable.strip()]
    text = text.lower().replace("’", "'")
    if base == "hi":
        text = unicodedata.normalize("NFD", text).replace("\u093c", "")  # nukta letters as their base
        return [word for word in (skeleton(w) for w in re.findall(r"[\w\u0900-\u097f]+", text)) if word]
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", text)


def word_errors(reference: list[str], heard: list[str]) -> int:
    """The edit distance in words (substitutions, deletions, insertions)."""
    previous = list(range(len(heard) + 1))
    for i, word in enumerate(reference, start=1):
        current = [i]
        for j, other in enumerate(heard, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return previous[-1]


def pages_report(folder: Path) -> None:
    """The benchmark's pages not in English: each one's language, the voice it gets and
    how many of its parts no voice reads (none should be; none is ever spelled out)."""
    import gzip

    from audiogen.pipeline import make_script
    from audiogen.reading.webpage import parse
    from audiogen.voices import voice_for_article

    count = unread = 0
    for path in sorted(folder.glob("*.html*")):
        data = path.read_bytes()
        html = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")
        article = parse(html, str(path))
        if not article.language or article.language.lower().startswith("en"):
            continue
        voice = voice_for_article(article.language)
        script = make_script(article, voice)
        count += 1
        unread += len(script.unread)
        print(f"page {path.name[:12]} {article.language:<6} {voice.label:<20} parts unread: {len(script.unread)}")
    print(f"pages: {count} not in English, each read by a voice in its language; {unread} parts unread")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default=",".join(SAMPLES))
    parser.add_argument("--keep", help="keep the narrations in this folder")
    parser.add_argument("--pages", help="also report on the pages in this folder (the extraction benchmark's)")
    args = parser.parse_args()
    if args.pages:
        pages_report(Path(args.pages))

    from faster_whisper import WhisperModel

    from audiogen.conversion import ConvertOptions, convert
    from audiogen.pipeline import load, make_script
    from audiogen.proof.listen import resolve_model
    from audiogen.voices import voice_for_article

    model = WhisperModel(resolve_model("base"), device="cpu", compute_type="int8")
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="audiogen-languages-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for language in args.languages.split(","):
        source = ROOT / "samples" / SAMPLES[language]
        article = load(source)
        voice = voice_for_article(article.language)
        script = make_script(article, voice, notice=False)
        written = [s.display for _, _, s in script.sentences()]
        tag = article.language or language  # "pt-BR": Brazil's number words on both sides
        reference = fold(" ".join(written), tag)
        scores = {}
        for reading in ("normalized", "raw"):
            out = folder / f"{language}-{reading}.mp3"
            respoken = dict(enumerate(written)) if reading == "raw" else None
            started = time.perf_counter()
            convert(
                article,
                out,
                ConvertOptions(voice=voice.name, notice=False, cover=False, cache=False),
                respoken=respoken,
            )
            segments, _ = model.transcribe(
                str(out),
                language=language.split("-")[0],
                beam_size=5,
                condition_on_previous_text=False,
                initial_prompt=PROMPTS.get(language),
            )
            heard = fold(" ".join(segment.text for segment in segments), tag)
            scores[reading] = word_errors(reference, heard) / max(1, len(reference))
            print(
                f"{language:<6} {reading:<10} WER {scores[reading]:.3f}  ({len(reference)} {UNITS.get(language, 'words')}, {voice.label}, "
                f"{time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        results.append((language, scores["normalized"], scores["raw"], len(reference)))
    print(f"narrations in {folder}")
    print(
        "languages: "
        + "; ".join(
            f"{lang} {norm:.3f} (raw {raw:.3f}, {n} {UNITS.get(lang, 'words')})" for lang, norm, raw, n in results
        )
    )


if __name__ == "__main__":
    sys.exit(main())
