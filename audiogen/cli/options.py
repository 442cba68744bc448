"""What the commands share: options that also read ``AUDIOGEN_<NAME>`` from the
environment, the option groups several commands take, logging, a progress bar, and the
one place that turns errors (and Ctrl-C, and SIGTERM) into one line and an exit code:
0 success, 1 a user error, 2 a usage error, 130 after Ctrl-C, 143 after SIGTERM."""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from audiogen.article import DATE_ORDERS
from audiogen.errors import AudiogenError

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("audiogen")


def option(*decls: str, **kwargs: Any) -> Callable[[F], F]:
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


def reports_errors(command: F) -> F:
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


def setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger = logging.getLogger("audiogen")
    logger.handlers = [h for h in logger.handlers if not isinstance(h, logging.StreamHandler)]
    logger.addHandler(handler)
    logger.setLevel(level)


def common_options(command: F) -> F:
    command = option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")(command)
    command = option("-v", "--verbose", is_flag=True, help="Show the log (and details of errors).")(command)
    return command


def script_options(command: F) -> F:
    """Options that shape what is said: the notice, lexicons, how dates are read, who
    reads the quotations."""
    command = option(
        "--language",
        metavar="CODE",
        help="The article's language (es, fr, en-GB…), over what it declares or seems; picks the voice.",
    )(command)
    command = option(
        "--quote-voice",
        metavar="VOICE",
        help="Read block quotes and attributed direct speech in VOICE (a preset or ENGINE:VOICE).",
    )(command)
    command = option(
        "--date-order",
        type=click.Choice(DATE_ORDERS),
        default="us",
        show_default=True,
        help="How to read numeric dates such as 03/04/2025.",
    )(command)
    command = option(
        "--lexicon",
        "lexicons",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="A pronunciation lexicon (TOML) applied over the shipped one; repeatable.",
    )(command)
    command = option("--notice-text", metavar="TEXT", help="Speak TEXT as the AI-assistance notice.")(command)
    command = option(
        "--notice",
        "notice_position",
        type=click.Choice(["intro", "outro", "both", "none"]),
        default="intro",
        show_default=True,
        help="Where the spoken AI-assistance notice goes.",
    )(command)
    command = option("--no-notice", is_flag=True, help="Do not speak the AI-assistance notice (--notice none).")(
        command
    )
    return command


def rendering_options(command: F) -> F:
    """How the narration sounds and is encoded: the same for ``convert`` and ``batch``."""
    options = [
        option(
            "--loudness",
            type=click.FloatRange(-40, -5),
            default=-16.0,
            show_default=True,
            metavar="LUFS",
            help="Integrated loudness target (-14 for streaming platforms).",
        ),
        option(
            "--true-peak",
            type=click.FloatRange(-9, 0),
            default=-1.0,
            show_default=True,
            metavar="DBTP",
            help="True-peak ceiling.",
        ),
        option("--bitrate", metavar="KBPS", help="Bitrate of lossy formats, e.g. 96k (default: 64k mp3/m4a, 48k ogg)."),
        option("--vbr", is_flag=True, help="Variable bitrate averaging near --bitrate (mp3 and ogg)."),
        option("--srt", is_flag=True, help="Also write SRT captions beside the WebVTT ones."),
        option("--word-timings", is_flag=True, help="Time every word in the timings file (engines that align: Piper)."),
        option(
            "--intro", type=click.Path(dir_okay=False), help="Audio file played before the narration (a station ident)."
        ),
        option("--outro", type=click.Path(dir_okay=False), help="Audio file played after the narration."),
        option("--music", type=click.Path(dir_okay=False), help="Background music, looped and ducked under the voice."),
        option(
            "--music-level",
            type=click.FloatRange(-40, 0),
            default=-20.0,
            show_default=True,
            metavar="DB",
            help="Music level under the voice, relative to the voice's loudness.",
        ),
        option("--no-cache", is_flag=True, help="Synthesize every sentence, without the clip cache."),
        option(
            "--timeout",
            type=click.FloatRange(min=1),
            default=60.0,
            show_default=True,
            metavar="SECONDS",
            help="Seconds to wait for the engine per sentence.",
        ),
    ]
    for decorate in reversed(options):
        command = decorate(command)
    return command


def check_notice(notice_text: str | None) -> None:
    if notice_text is not None and not notice_text.strip():
        raise click.BadParameter(
            "the notice text is empty; use --no-notice to leave the notice out", param_hint="--notice-text"
        )


def feed_options(command: F) -> F:
    """What the podcast says of itself; everything has a default from the episodes."""
    options = [
        option("--max-items", type=click.IntRange(min=1), metavar="N", help="Only the newest N episodes in the feed."),
        option(
            "--locked/--unlocked", default=True, show_default=True, help="podcast:locked: refuse moves to other hosts."
        ),
        option("--explicit", is_flag=True, help="Mark the podcast explicit."),
        option("--category", default="News", show_default=True, help="Apple Podcasts category (e.g. 'News')."),
        option("--subcategory", help="Apple Podcasts subcategory (e.g. 'Daily News')."),
        option(
            "--image", metavar="URL", help="Cover art URL (JPEG/PNG, 1400-3000 px); default: one made from the title."
        ),
        option(
            "--owner-email",
            metavar="EMAIL",
            help="itunes:owner e-mail, required: Apple and others verify the podcast by it.",
        ),
        option("--owner-name", metavar="NAME", help="itunes:owner name (default: the author or title)."),
        option("--author", help="itunes:author (default: the episodes' byline when they share one)."),
        option("--description", help="The podcast's description (at most 4,000 bytes)."),
        option("--title", help="The podcast's title (default: the site's name)."),
        option("--link", metavar="URL", help="The site the podcast belongs to (default: --base-url)."),
        option("--feed-url", metavar="URL", help="Where the feed itself is served (default: BASE-URL/feed.xml)."),
    ]
    for decorate in options:
        command = decorate(command)
    return command


@contextmanager
def progress_bar(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
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
