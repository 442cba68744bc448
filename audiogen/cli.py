"""The ``audiogen`` command: parses options, calls the library, reports.

The only module that prints, shows progress or chooses an exit code: 0 success, 1 a
user error (one line saying what and what to do), 2 a usage error.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any, TypeVar

import click

from audiogen import __version__
from audiogen.errors import AudiogenError, ExportError

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("audiogen")


def _option(*decls: str, **kwargs: Any) -> Callable[[F], F]:
    """A click option that also reads ``AUDIOGEN_<NAME>`` from the environment."""
    long_name = next(d for d in decls if d.startswith("--")).split("/")[0]
    kwargs.setdefault("envvar", "AUDIOGEN_" + long_name.lstrip("-").replace("-", "_").upper())
    kwargs.setdefault("show_envvar", True)
    return click.option(*decls, **kwargs)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so the same clean-up runs (engines stopped, partial
    files removed)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _reports_errors(command: F) -> F:
    """Turn library errors into one line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _sigterm_as_interrupt():
                return command(*args, **kwargs)
        except AudiogenError as exc:
            log.debug("failed", exc_info=True)
            hint = f" — {exc.hint}" if exc.hint else ""
            click.echo(f"Error: {exc.message}{hint}", err=True)
            sys.exit(1)
        except BrokenPipeError:
            # The reader went away (``| head``); say nothing more to it.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except KeyboardInterrupt as exc:
            what = "Stopped" if isinstance(exc, _Terminated) else "Interrupted"
            click.echo(f"{what}; nothing more was written.", err=True)
            sys.exit(143 if isinstance(exc, _Terminated) else 130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug, reported in one line; --verbose shows where
            log.debug("unexpected error", exc_info=True)
            click.echo(f"Error: unexpected {type(exc).__name__}: {exc} (run with --verbose for details)", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger = logging.getLogger("audiogen")
    logger.handlers = [h for h in logger.handlers if not isinstance(h, logging.StreamHandler)]
    logger.addHandler(handler)
    logger.setLevel(level)


def _common(command: F) -> F:
    command = _option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")(command)
    command = _option("-v", "--verbose", is_flag=True, help="Show the log (and details of errors).")(command)
    return command


def _script_options(command: F) -> F:
    """Options that shape what is said: the notice, lexicons, how dates are read."""
    command = _option(
        "--date-order",
        type=click.Choice(["us", "day-first"]),
        default="us",
        show_default=True,
        help="How to read numeric dates such as 03/04/2025.",
    )(command)
    command = _option(
        "--lexicon",
        "lexicons",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="A pronunciation lexicon (TOML) applied over the shipped one; repeatable.",
    )(command)
    command = _option("--notice-text", metavar="TEXT", help="Speak TEXT as the AI-assistance notice.")(command)
    command = _option(
        "--notice",
        "notice_position",
        type=click.Choice(["intro", "outro", "both", "none"]),
        default="intro",
        show_default=True,
        help="Where the spoken AI-assistance notice goes.",
    )(command)
    command = _option("--no-notice", is_flag=True, help="Do not speak the AI-assistance notice (--notice none).")(
        command
    )
    return command


def _rendering_options(command: F) -> F:
    """How the narration sounds and is encoded: the same for ``convert`` and ``batch``."""
    options = [
        _option(
            "--loudness",
            type=click.FloatRange(-40, -5),
            default=-16.0,
            show_default=True,
            metavar="LUFS",
            help="Integrated loudness target (-14 for streaming platforms).",
        ),
        _option(
            "--true-peak",
            type=click.FloatRange(-9, 0),
            default=-1.0,
            show_default=True,
            metavar="DBTP",
            help="True-peak ceiling.",
        ),
        _option(
            "--bitrate", metavar="KBPS", help="Bitrate of lossy formats, e.g. 96k (default: 64k mp3/m4a, 48k ogg)."
        ),
        _option("--vbr", is_flag=True, help="Variable bitrate averaging near --bitrate (mp3 and ogg)."),
        _option("--srt", is_flag=True, help="Also write SRT captions beside the WebVTT ones."),
        _option(
            "--word-timings", is_flag=True, help="Time every word in the timings file (engines that align: Piper)."
        ),
        _option(
            "--intro", type=click.Path(dir_okay=False), help="Audio file played before the narration (a station ident)."
        ),
        _option("--outro", type=click.Path(dir_okay=False), help="Audio file played after the narration."),
        _option(
            "--music", type=click.Path(dir_okay=False), help="Background music, looped and ducked under the voice."
        ),
        _option(
            "--music-level",
            type=click.FloatRange(-40, 0),
            default=-20.0,
            show_default=True,
            metavar="DB",
            help="Music level under the voice, relative to the voice's loudness.",
        ),
        _option("--no-cache", is_flag=True, help="Synthesize every sentence, without the clip cache."),
        _option(
            "--timeout",
            type=click.FloatRange(min=1),
            default=60.0,
            show_default=True,
            metavar="SECONDS",
            help="Seconds to wait for the engine per sentence.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _check_notice(notice_text: str | None) -> None:
    if notice_text is not None and not notice_text.strip():
        raise click.BadParameter(
            "the notice text is empty; use --no-notice to leave the notice out", param_hint="--notice-text"
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audiogen")
def main() -> None:
    """Turn written articles into narrated audio, marked as made with AI assistance."""


# -- convert ------------------------------------------------------------------------


@main.command()
@click.argument("source")
@click.option(
    "-o", "--output", "output", metavar="OUT", help="Output file (default: <title-slug>.mp3 here; - for stdout)."
)
@_option("--voice", metavar="VOICE", help="A preset (see 'audiogen voices'), a preset file, or ENGINE:VOICE.")
@_option(
    "--format",
    "audio_format",
    type=click.Choice(["mp3", "m4a", "ogg", "wav", "flac"]),
    help="Audio format (default: from OUT's extension, else mp3).",
)
@_script_options
@_rendering_options
@_option("--cover", type=click.Path(dir_okay=False), help="Cover art (JPEG or PNG); default: the article's lead image.")
@_option("--no-cover", is_flag=True, help="No cover art.")
@_option("--allow-private", is_flag=True, help="Allow URLs on private or local networks.")
@_common
@_reports_errors
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
    quiet: bool,
    verbose: bool,
) -> None:
    """Narrate SOURCE (an HTML, Markdown or text file, an http(s) URL, or - for stdin).

    Writes OUT at -16 LUFS with OUT.vtt captions, OUT.json timings and OUT.chapters.json
    beside it. Sentences already narrated (same voice, same words) come from the clip
    cache, so converting an edited article again only synthesizes what changed."""
    from audiogen.backends.registry import target_for
    from audiogen.backends.worker import EngineWorker
    from audiogen.convert import ConvertOptions
    from audiogen.convert import convert as convert_article
    from audiogen.voices import resolve_voice

    _setup_logging(verbose, quiet)
    _check_notice(notice_text)
    if output == "-" and sys.stdout.isatty():
        raise ExportError("refusing to write audio to a terminal", hint="redirect stdout to a file or use -o FILE")
    preset = resolve_voice(voice)
    options = ConvertOptions(
        voice=voice,
        audio_format=audio_format,
        notice=not no_notice and notice_position != "none",
        notice_position=notice_position if notice_position != "none" else "intro",
        notice_text=notice_text,
        lexicons=lexicons,
        date_order=date_order,
        loudness=loudness,
        true_peak=true_peak,
        bitrate=bitrate,
        vbr=vbr,
        srt=srt,
        word_timings=word_timings,
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
    # Start the engine first: its model loads while the rest of audiogen is imported and
    # the article is fetched and parsed. (A bad option below still stops it at once.)
    worker = EngineWorker(preset.engine, target_for(preset.engine), timeout=timeout, voice=preset.voice).start()
    try:
        with _progress(quiet) as progress:
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


def _closing(progress: Callable[[int, int], None] | None, worker: Any) -> Callable[[int, int], None]:
    """Progress that also lets the engine go (and frees its memory) as soon as the last
    sentence is spoken, while the audio is finished."""

    def update(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total)
        if done == total:
            threading.Thread(target=worker.close, name="audiogen-worker-close").start()

    return update


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr while the voice speaks; none when stderr is not a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("Narrating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("sentences"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("narrate", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


# -- extract / script ---------------------------------------------------------------


@main.command()
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@_option("--allow-private", is_flag=True, help="Allow URLs on private or local networks.")
@_common
@_reports_errors
def extract(source: str, as_json: bool, allow_private: bool, quiet: bool, verbose: bool) -> None:
    """Print the article found in SOURCE: metadata, then one segment per line."""
    from audiogen.pipeline import load

    _setup_logging(verbose, quiet)
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


@main.command()
@click.argument("source")
@_option("--voice", metavar="VOICE", help="The preset whose engine, pauses and lexicons to use.")
@_script_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON (display and spoken text, pauses).")
@_option("--allow-private", is_flag=True, help="Allow URLs on private or local networks.")
@_common
@_reports_errors
def script(
    source: str,
    voice: str | None,
    no_notice: bool,
    notice_position: str,
    notice_text: str | None,
    lexicons: tuple[str, ...],
    date_order: str,
    as_json: bool,
    allow_private: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Print what the voice will say for SOURCE, one sentence per line."""
    from audiogen.pipeline import load, make_script
    from audiogen.voices import resolve_voice

    _setup_logging(verbose, quiet)
    _check_notice(notice_text)
    preset = resolve_voice(voice)
    result = make_script(
        load(source, allow_private=allow_private),
        preset,
        notice=not no_notice and notice_position != "none",
        notice_text=notice_text,
        notice_position=notice_position if notice_position != "none" else "intro",
        lexicons=lexicons,
        date_order=date_order,
    )
    if as_json:
        click.echo(json.dumps(asdict(result), ensure_ascii=False, indent=1))
        return
    for part in result.parts:
        for sentence in part.sentences:
            click.echo(f"{sentence.spoken}  [{sentence.pause_after_ms} ms]")
        click.echo("")


# -- voices -------------------------------------------------------------------------


@main.command()
@_option("--engine", metavar="ENGINE", help="List only this engine's voices.")
@_common
@_reports_errors
def voices(engine: str | None, quiet: bool, verbose: bool) -> None:
    """List voice presets, speech engines and the voices they have here."""
    from audiogen.backends.registry import available
    from audiogen.backends.worker import EngineWorker
    from audiogen.voices import DEFAULT_VOICE, list_presets

    _setup_logging(verbose, quiet)
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


# -- cache --------------------------------------------------------------------------


@main.group()
def cache() -> None:
    """The clip cache: sentences already synthesized, reused when nothing changed."""


@cache.command("info")
@_common
@_reports_errors
def cache_info(quiet: bool, verbose: bool) -> None:
    """Where the cache is, how many sentences it holds and how big it is."""
    from audiogen.cache import ClipCache

    _setup_logging(verbose, quiet)
    info = ClipCache().info()
    click.echo(f"folder:  {info.folder}")
    click.echo(f"entries: {info.entries}")
    click.echo(f"size:    {_megabytes(info.bytes)} of {_megabytes(info.max_bytes)} (AUDIOGEN_CACHE_SIZE)")


@cache.command("clear")
@_common
@_reports_errors
def cache_clear(quiet: bool, verbose: bool) -> None:
    """Delete every cached sentence."""
    from audiogen.cache import ClipCache

    _setup_logging(verbose, quiet)
    store = ClipCache()
    removed = store.clear()
    if not quiet:
        click.echo(f"Deleted {removed} cached sentences from {store.folder}")


def _megabytes(count: int) -> str:
    return f"{count / 1024**2:.1f} MB"


# batch, feed and embed live in a module of their own; importing it registers them.
from audiogen import cli_publish  # noqa: E402, F401
