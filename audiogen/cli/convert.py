"""``audiogen convert``: one article into narrated audio, through the library's ``convert``."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from audiogen.cli.options import (
    check_notice,
    common_options,
    option,
    progress_bar,
    rendering_options,
    reports_errors,
    script_options,
    setup_logging,
)
from audiogen.cli.proof import FLAGGED_EXIT, print_summary, proof_options
from audiogen.errors import ExportError


@click.command()
@click.argument("source")
@click.option(
    "-o", "--output", "output", metavar="OUT", help="Output file (default: <title-slug>.mp3 here; - for stdout)."
)
@option("--voice", metavar="VOICE", help="A preset (see 'audiogen voices'), a preset file, or ENGINE:VOICE.")
@option(
    "--format",
    "audio_format",
    type=click.Choice(["mp3", "m4a", "ogg", "wav", "flac"]),
    help="Audio format (default: from OUT's extension, else mp3).",
)
@script_options
@rendering_options
@option("--cover", type=click.Path(dir_okay=False), help="Cover art (JPEG or PNG); default: the article's lead image.")
@option("--no-cover", is_flag=True, help="No cover art.")
@option("--allow-private", is_flag=True, help="Allow URLs on private or local networks.")
@proof_options
@common_options
@reports_errors
def convert(
    source: str,
    output: str | None,
    voice: str | None,
    audio_format: str | None,
    no_notice: bool,
    notice_position: str,
    notice_text: str | None,
    lexicons: tuple[str, ...],
    date_order: str,
    quote_voice: str | None,
    language: str | None,
    loudness: float,
    true_peak: float,
    bitrate: str | None,
    vbr: bool,
    srt: bool,
    word_timings: bool,
    cover: str | None,
    no_cover: bool,
    intro: str | None,
    outro: str | None,
    music: str | None,
    music_level: float,
    no_cache: bool,
    timeout: float,
    allow_private: bool,
    proof: str | None,
    asr_model: str,
    confirm_model: str,
    proof_threshold: float | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Narrate SOURCE (an HTML, Markdown or text file, an http(s) URL, or - for stdin).

    Writes OUT at -16 LUFS with OUT.vtt captions, OUT.json timings and OUT.chapters.json
    beside it. Sentences already narrated (same voice, same words) come from the clip
    cache, so converting an edited article again only synthesizes what changed. With
    --proof, the narration is heard back and OUT.proof.json and OUT.proof.html report the
    sentences to listen to (--proof=fix re-voices them first)."""
    from audiogen.backends.registry import target_for
    from audiogen.backends.worker import EngineWorker
    from audiogen.conversion import ConvertOptions
    from audiogen.conversion import convert as convert_article
    from audiogen.voices import resolve_voice

    setup_logging(verbose, quiet)
    check_notice(notice_text)
    if output == "-" and sys.stdout.isatty():
        raise ExportError("refusing to write audio to a terminal", hint="redirect stdout to a file or use -o FILE")
    preset = resolve_voice(voice)
    if proof and output == "-":
        raise ExportError("--proof needs an output file to hear", hint="give -o FILE")
    recognizer = _recognizer(proof, asr_model, confirm_model)  # a missing recognizer stops before any speech
    options = ConvertOptions(
        voice=voice,
        audio_format=audio_format,
        notice=not no_notice and notice_position != "none",
        notice_position=notice_position if notice_position != "none" else "intro",
        notice_text=notice_text,
        lexicons=lexicons,
        date_order=date_order,
        quote_voice=quote_voice,
        language=language,
        loudness=loudness,
        true_peak=true_peak,
        bitrate=bitrate,
        vbr=vbr,
        srt=srt,
        word_timings=word_timings or bool(proof),  # proof places what it finds on its words
        cover=not no_cover,
        cover_image=cover,
        intro=intro,
        outro=outro,
        music=music,
        music_level_db=music_level,
        cache=not no_cache,
        timeout=timeout,
        allow_private=allow_private,
    )
    if proof == "fix":
        _convert_and_fix(source, output, options, recognizer, proof_threshold, quiet)
        return
    # Start the engine first: its model loads while the rest of audiogen is imported and
    # the article is fetched and parsed. (A bad option below still stops it at once.)
    worker = EngineWorker(preset.engine, target_for(preset.engine), timeout=timeout, voice=preset.voice).start()
    try:
        with progress_bar(quiet) as progress:
            target = sys.stdout.buffer if output == "-" else output
            result = convert_article(source, target, options, worker=worker, progress=_closing(progress, worker))
    finally:
        worker.close()
    if not quiet and result.paths:
        narration = result.narration
        minutes, seconds = divmod(narration.duration_ms // 1000, 60)
        click.echo(
            f"Wrote {result.paths[0]} ({minutes}:{seconds:02d}, {preset.label}; "
            f"{result.sentences_synthesized} sentences synthesized, {result.sentences_cached} from cache) "
            f"with {', '.join(p.name for p in result.paths[1:])}",
            err=True,
        )
    if proof and result.paths:
        from audiogen.proof import proof_narration, write_report
        from audiogen.spoken.lexicon import sayings

        report = proof_narration(
            result.paths[0], recognizer=recognizer, threshold=proof_threshold, lexicon=sayings(options.lexicons)
        )
        print_summary(report, write_report(report, result.paths[0]), quiet)
        if report.flagged:
            raise SystemExit(FLAGGED_EXIT)


def _recognizer(proof: str | None, model: str, confirm: str) -> Any:
    if not proof:
        return None
    from audiogen.proof import Recognizer

    return Recognizer(model, confirm=confirm)


def _convert_and_fix(
    source: str, output: str | None, options: Any, recognizer: Any, threshold: float | None, quiet: bool
) -> None:
    from audiogen.conversion import slugify
    from audiogen.pipeline import load
    from audiogen.proof import repair, write_report

    article = load(source, allow_private=options.allow_private)
    target = Path(output) if output else Path(f"{slugify(article.title)}.{options.audio_format or 'mp3'}")
    report = repair(article, target, options, recognizer=recognizer, threshold=threshold, origin=source)
    written = write_report(report, target)
    if not quiet:
        fixed = [s for s in report.sentences if s.action.startswith("re-voiced")]
        click.echo(f"Wrote {target}; {len(fixed)} sentences re-voiced after proof-listening", err=True)
    print_summary(report, written, quiet)
    if report.flagged:
        raise SystemExit(FLAGGED_EXIT)


def _closing(progress: Callable[[int, int], None] | None, worker: Any) -> Callable[[int, int], None]:
    """Progress that also lets the engine go (and frees its memory) as soon as the last
    sentence is spoken, while the audio is finished."""

    def update(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total)
        if done == total:
            threading.Thread(target=worker.close, name="audiogen-worker-close").start()

    return update
