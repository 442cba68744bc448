"""The proof report a producer reads: ``OUT.proof.json`` and ``OUT.proof.html``.

The page is self-contained (the player's script inlined, no request to anyone) and sits
beside the audio: it lists the flagged sentences worst first, each with what was meant,
what was heard and a button that plays just that sentence in the player, and the
narration's overall heard-word accuracy.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import escape
from pathlib import Path

from audiogen.errors import ProofError
from audiogen.files import write_atomically
from audiogen.player import player_script
from audiogen.proof.check import ProofReport, WordFinding


def report_paths(audio: Path) -> tuple[Path, Path]:
    stem = audio.with_suffix("")
    return stem.with_name(stem.name + ".proof.json"), stem.with_name(stem.name + ".proof.html")


def write_report(report: ProofReport, audio: Path) -> tuple[Path, Path]:
    """Write both files beside ``audio``; their paths."""
    json_path, html_path = report_paths(audio)
    write_atomically(json_path, json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n", error=ProofError)
    write_atomically(html_path, proof_page(report, audio.name), error=ProofError)
    return json_path, html_path


_PAGE_SCRIPT = """
const player = document.querySelector("audiogen-player");
let stopAt = null;
let watching = false;
document.querySelectorAll("button[data-start]").forEach((button) => {
  button.addEventListener("click", () => {
    const audio = player.audio;
    const start = Number(button.dataset.start) / 1000;
    stopAt = Number(button.dataset.end) / 1000;
    if (!watching) {
      watching = true;
      audio.addEventListener("timeupdate", () => {
        if (stopAt !== null && audio.currentTime >= stopAt) { audio.pause(); stopAt = null; }
      });
    }
    const go = () => { audio.currentTime = start; player.play(); };
    if (audio.readyState >= 1) go();
    else { audio.addEventListener("loadedmetadata", go, { once: true }); audio.preload = "metadata"; audio.load(); }
  });
});
"""


def proof_page(report: ProofReport, audio_name: str) -> str:
    flagged = sorted(report.flagged, key=lambda s: s.score)
    rows = []
    for sentence in flagged:
        start, end = sentence.start_ms, sentence.end_ms
        rows.append(
            "<li>"
            f'<button type="button" data-start="{start}" data-end="{end}" '
            f'aria-label="Play sentence {sentence.index + 1} ({_clock(start)})">Play</button> '
            f'<span class="score">{sentence.score:.0%}</span> '
            f'<span class="when">{_clock(start)}</span>'
            f'<p class="meant"><strong>Meant:</strong> {_marked(sentence.meant, sentence.words)}</p>'
            f'<p class="heard"><strong>Heard:</strong> {escape(sentence.heard) or "(nothing)"}</p>'
            + _findings(sentence.words)
            + (f'<p class="action">{escape(sentence.action)}</p>' if sentence.action != "none" else "")
            + "</li>"
        )
    # inlined, the player's own "</script" (in a string) would end the element early
    player = re.sub(r"</(script)", r"<\\/\1", player_script(), flags=re.IGNORECASE)
    scripts = [player, _PAGE_SCRIPT]
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    policy = f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; media-src 'self'; connect-src 'self'"
    summary = (
        f"{len(flagged)} of {len(report.sentences)} sentences to listen to"
        if flagged
        else f"All {len(report.sentences)} sentences were heard as written"
    )
    listing = f"<ol>{''.join(rows)}</ol>" if rows else "<p>Nothing to listen to.</p>"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="color-scheme" content="light dark">
<title>Proof: {escape(audio_name)}</title>
<style>
body {{ font: 17px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem; }}
li {{ margin: 1rem 0; }} .findings li {{ margin: .25rem 0; }} mark {{ padding: 0 .15rem; }} .score {{ font-weight: bold; }} .when {{ color: GrayText; margin-left: .5rem; }}
.meant, .heard, .action {{ margin: .25rem 0; }} button {{ font: inherit; padding: .2rem .8rem; }}
</style>
<script type="module">{player}</script>
</head>
<body>
<main>
<h1>Proof-listening: {escape(audio_name)}</h1>
<p>Heard-word accuracy <strong>{report.accuracy:.1%}</strong> ({escape(report.model)}, a sentence is flagged under
{report.threshold:.0%} of its words heard right). {summary}, worst first.</p>
<audiogen-player src="{escape(audio_name, quote=True)}" label="Narration"></audiogen-player>
{listing}
</main>
<script type="module">{_PAGE_SCRIPT}</script>
</body>
</html>
"""


_KIND_WORDS = {
    "misread": "said as another word",
    "dropped": "not heard",
    "repeated": "said twice",
    "noise": "noise",
    "name": "check this name",
}


def _findings(words: list[WordFinding]) -> str:
    """Each word-level finding with a button that plays just its span."""
    if not words:
        return ""
    items = []
    for word in words:
        what = word.detail or _KIND_WORDS.get(word.kind, word.kind)
        said = f" “{escape(word.meant)}”" if word.meant else ""
        heard = f", heard “{escape(word.heard)}”" if word.heard else ""
        items.append(
            f'<li class="finding {escape(word.kind)}">'
            f'<button type="button" data-start="{max(0, word.start_ms - 250)}" data-end="{word.end_ms + 250}" '
            f'aria-label="Play {escape(what, quote=True)} at {_clock(word.start_ms)}">Play</button> '
            f"<strong>{escape(what)}</strong>{said}{heard} at {_clock(word.start_ms)}</li>"
        )
    return f'<ul class="findings">{"".join(items)}</ul>'


def _marked(meant: str, words: list[WordFinding]) -> str:
    """The meant sentence with the words of the findings marked."""
    text = escape(meant)
    for word in words:
        for part in word.meant.split():
            text = re.sub(rf"(?<![\w>])({re.escape(escape(part))})(?!\w)", r"<mark>\1</mark>", text, count=1)
    return text


def _clock(ms: int) -> str:
    minutes, seconds = divmod(ms // 1000, 60)
    return f"{minutes}:{seconds:02d}"
