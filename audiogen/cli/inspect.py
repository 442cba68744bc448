"""Looking inside: ``extract`` (the article as read), ``script`` (what will be said),
``voices`` (presets, engines and their voices) and ``cache`` (the clip cache)."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

import click

from audiogen.cli.options import check_notice, common_options, option, reports_errors, script_options, setup_logging
from audiogen.errors import AudiogenError

# -- extract / script ---------------------------------------------------------------


@click.command()
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@option("--allow-private", is_flag=True, help="Allow URLs on private or local networks.")
@common_options
@reports_errors
def extract(source: str, as_json: bool, allow_private: bool, quiet: bool, verbose: bool) -> None:
    """Print the article found in SOURCE: metadata, then one segment per line."""
    from audiogen.pipeline import load

    setup_logging(verbose, quiet)
    article = load(source, allow_private=allow_private)
    if as_json:
        click.echo(json.dumps(asdict(article), ensure_ascii=False, indent=1))
        return
    click.echo(f"title: {article.title}")
    for key in ("byline", "published", "language", "site_name", "url"):
        value = getattr(article, key)
        if value:
            click.echo(f"{key}: {value}")
    click.echo("")
    for segment in article.segments:
        label = segment.kind if segment.kind != "heading" else f"h{segment.level}"
        if segment.kind == "list_item":
            label = f"item {segment.position}" if segment.ordered else "item"
        click.echo(f"[{label}] {segment.text}")


@click.command()
@click.argument("source")
@option("--voice", metavar="VOICE", help="The preset whose engine, pauses and lexicons to use.")
@script_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON (display and spoken text, pauses).")
@option("--allow-private", is_flag=True, help="Allow URLs on private or local networks.")
@common_options
@reports_errors
def script(
    source: str,
    voice: str | None,
    no_notice: bool,
    notice_position: str,
    notice_text: str | None,
    lexicons: tuple[str, ...],
    date_order: str,
    quote_voice: str | None,
    language: str | None,
    as_json: bool,
    allow_private: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Print what the voice will say for SOURCE, one sentence per line."""
    from audiogen.pipeline import load, make_script
    from audiogen.voices import resolve_voice, voice_for_article

    setup_logging(verbose, quiet)
    check_notice(notice_text)
    article = load(source, allow_private=allow_private)
    if language:
        article = replace(article, language=language)
    preset = resolve_voice(voice) if voice else voice_for_article(article.language)
    result = make_script(
        article,
        preset,
        notice=not no_notice and notice_position != "none",
        notice_text=notice_text,
        notice_position=notice_position if notice_position != "none" else "intro",
        lexicons=lexicons,
        date_order=date_order,
        quote_voice=quote_voice,
    )
    if as_json:
        click.echo(json.dumps(asdict(result), ensure_ascii=False, indent=1))
        return
    for part in result.parts:
        for sentence in part.sentences:
            who = sentence.voice or part.voice
            click.echo(f"{sentence.spoken}  [{sentence.pause_after_ms} ms]" + (f"  ({who})" if who else ""))
        click.echo("")


# -- voices -------------------------------------------------------------------------


#: what ``voices --sample`` has every voice read: a short news paragraph with the numbers,
#: abbreviations, names and a quotation that tell voices apart
SAMPLE_ARTICLE = """# Voice sample

The Harbor City Council voted 7-2 on Tuesday to spend $4.5 million on 12 electric buses, \
the first to run on Route 9 by Sept. 1.

"We have waited long enough," said Mayor Ana Ruiz, who called the vote a turning point.

Dr. Lee of the transit authority said riders could expect buses every 15 minutes at 6 a.m. on weekdays.
"""


@click.command()
@option("--engine", metavar="ENGINE", help="List only this engine's voices.")
@option("--sample", is_flag=True, help="Write the same short news paragraph in every preset's voice.")
@option(
    "-o",
    "--output",
    "sample_dir",
    metavar="DIR",
    default="voice-samples",
    show_default=True,
    help="Where --sample writes (one MP3 per preset).",
)
@common_options
@reports_errors
def voices(engine: str | None, sample: bool, sample_dir: str, quiet: bool, verbose: bool) -> None:
    """List voice presets, speech engines and the voices they have here; with --sample,
    write the same news paragraph in every preset's voice, to compare by ear."""
    from audiogen.backends.registry import available
    from audiogen.backends.worker import EngineWorker
    from audiogen.voices import DEFAULT_VOICE, list_presets

    setup_logging(verbose, quiet)
    if sample:
        _write_samples(sample_dir, engine, quiet)
        return
    engines = available()
    if engine and engine not in engines:
        raise AudiogenError(f"unknown speech engine '{engine}'", hint=f"installed engines: {', '.join(engines)}")
    if not engine:
        click.echo("Presets (--voice NAME):")
        for preset in list_presets():
            mark = " (default)" if preset.name == DEFAULT_VOICE else ""
            click.echo(f"  {preset.name:<12} {preset.label:<28} {preset.description}{mark}")
        click.echo("")
    for name, target in engines.items():
        if engine and name != engine:
            continue
        try:
            with EngineWorker(name, target, timeout=30) as worker:
                found = worker.voices()
        except AudiogenError as exc:
            click.echo(f"Engine {name}: unavailable: {exc.message}")
            continue
        count = f"{len(found)} voice" + ("" if len(found) == 1 else "s")
        click.echo(f"Engine {name} ({count}; --voice {name}:ID):")
        for info in found:
            language = f" [{info.language}]" if info.language else ""
            click.echo(f"  {info.id}{language}" + (f"  {info.name}" if info.name != info.id else ""))


def _write_samples(folder: str, engine: str | None, quiet: bool) -> None:
    """Every preset (of ``engine``) reads ``SAMPLE_ARTICLE`` into ``folder/PRESET.mp3``;
    a preset whose engine is not installed is named and skipped."""
    from pathlib import Path

    from audiogen.backends.registry import available
    from audiogen.conversion import ConvertOptions, convert
    from audiogen.reading.markdown import parse_markdown
    from audiogen.voices import list_presets

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    article = parse_markdown(SAMPLE_ARTICLE, "the voice sample")
    written = 0
    for preset in list_presets():
        if engine and preset.engine != engine:
            continue
        if preset.engine not in available():
            click.echo(f"  {preset.name:<12} skipped: engine '{preset.engine}' is not installed", err=True)
            continue
        target = out / f"{preset.name}.mp3"
        try:
            result = convert(article, target, ConvertOptions(voice=preset.name, cover=False))
        except AudiogenError as exc:
            hint = f" — {exc.hint}" if exc.hint else ""
            click.echo(f"  {preset.name:<12} skipped: {exc.message}{hint}", err=True)
            continue
        written += 1
        if not quiet:
            seconds = result.narration.duration_ms / 1000
            click.echo(f"  {preset.name:<12} {target}  ({seconds:.1f} s, {preset.description})")
    if not written:
        raise AudiogenError("no voice could read the sample", hint="see 'audiogen voices' for what is installed")


# -- cache --------------------------------------------------------------------------


@click.group()
def cache() -> None:
    """The clip cache: sentences already synthesized, reused when nothing changed."""


@cache.command("info")
@common_options
@reports_errors
def cache_info(quiet: bool, verbose: bool) -> None:
    """Where the cache is, how many sentences it holds and how big it is."""
    from audiogen.cache import ClipCache

    setup_logging(verbose, quiet)
    info = ClipCache().info()
    click.echo(f"folder:  {info.folder}")
    click.echo(f"entries: {info.entries}")
    click.echo(f"size:    {_megabytes(info.bytes)} of {_megabytes(info.max_bytes)} (AUDIOGEN_CACHE_SIZE)")


@cache.command("clear")
@common_options
@reports_errors
def cache_clear(quiet: bool, verbose: bool) -> None:
    """Delete every cached sentence."""
    from audiogen.cache import ClipCache

    setup_logging(verbose, quiet)
    store = ClipCache()
    removed = store.clear()
    if not quiet:
        click.echo(f"Deleted {removed} cached sentences from {store.folder}")


def _megabytes(count: int) -> str:
    return f"{count / 1024**2:.1f} MB"
