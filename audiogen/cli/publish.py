"""Publishing: ``batch`` (a whole site as episodes), ``feed`` (their podcast feed) and
``embed`` (the player on an article page)."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from audiogen.cli.options import (
    check_notice,
    common_options,
    feed_options,
    option,
    rendering_options,
    reports_errors,
    script_options,
    setup_logging,
)
from audiogen.cli.proof import FLAGGED_EXIT, proof_options
from audiogen.errors import FeedError

EXIT_PARTIAL = 3


# -- batch ------------------------------------------------------------------------------


#: sponsor spots for a feed (``batch --feed`` and ``feed``)
_spots_option = option(
    "--spots",
    "spots",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Sponsor spots stitched into the feed's episodes: audio files, with campaigns.toml (see the README).",
)


@click.command()
@click.argument("sources", nargs=-1)
@option("--out", "out", required=True, metavar="DIR", help="Output folder (or fsspec URL with --scheduler).")
@option("--urls", "urls_file", type=click.Path(dir_okay=False), help="A text file of URLs, one per line (# comments).")
@option("--since", metavar="DATE", help="Only feed and sitemap entries published or changed since DATE.")
@option("--jobs", type=click.IntRange(min=1), metavar="N", help="Worker processes (default: the number of cores).")
@option("--scheduler", metavar="tcp://HOST:PORT", help="Run on this Dask cluster instead (audiogen[dask]).")
@option("--feed", "feed_path", metavar="FILE", help="Also write the podcast feed to FILE (needs --base-url).")
@option("--base-url", metavar="URL", help="Where the output folder is served, for the feed's links.")
@_spots_option
@feed_options
@option("--voice", metavar="VOICE", help="A preset (see 'audiogen voices'), a preset file, or ENGINE:VOICE.")
@option(
    "--format",
    "audio_format",
    type=click.Choice(["mp3", "m4a", "ogg", "wav", "flac"]),
    default="mp3",
    show_default=True,
)
@script_options
@rendering_options
@option("--no-cover", is_flag=True, help="No cover art in the audio files.")
@option("--allow-private", is_flag=True, help="Allow URLs on private or local networks.")
@proof_options
@common_options
@reports_errors
def batch(sources: tuple[str, ...], **options: Any) -> None:
    """Narrate every article in SOURCES into one episode folder each under DIR.

    SOURCES are folders of article files, article files or URLs, RSS/Atom feeds and
    sitemaps (files or URLs). DIR gets manifest.json, the record of every item: a re-run
    skips what is done and unchanged, narrates again what changed and retries what
    failed. Exit code 3 when some items failed."""
    from audiogen.audio.pcm import check_audio_file
    from audiogen.publish.batch import run_batch
    from audiogen.publish.sources import parse_since

    setup_logging(options["verbose"], options["quiet"])
    check_notice(options["notice_text"])
    if not sources and not options["urls_file"]:
        raise click.UsageError("give at least one SOURCE or --urls FILE")
    if options["feed_path"] and not options["base_url"]:
        raise click.UsageError("--feed needs --base-url (where the episodes will be served)")
    if options["base_url"]:
        from audiogen.publish.feed import check_absolute

        check_absolute(options["base_url"])
    if options["feed_path"]:
        _check_owner_email(options.get("owner_email"))
    if options["spots"]:
        if not options["feed_path"]:
            raise click.UsageError("--spots goes into the feed: give --feed too")
        from audiogen.publish.sponsors import read_spot_folder

        read_spot_folder(options["spots"])  # a folder that will not do is said before any narration
    for path, what in (
        (options["intro"], "intro file"),
        (options["outro"], "outro file"),
        (options["music"], "music file"),
    ):
        if path is not None:
            check_audio_file(path, what=what)  # before any article is narrated
    since = parse_since(options["since"]) if options["since"] else None
    batch_options = episode_options(
        options,
        cover=not options["no_cover"],
        allow_private=options["allow_private"],
        proof=options["proof"],
        asr_model=options["asr_model"],
        confirm_model=options["confirm_model"],
        proof_threshold=options["proof_threshold"],
    )
    if options["proof"]:
        from audiogen.proof.listen import resolve_model

        resolve_model(options["asr_model"])  # a missing recognizer model stops before any speech
    out = options["out"]
    if "://" not in out:
        out = str(Path(out).resolve())
    started = time.monotonic()
    with _batch_progress(options["quiet"]) as progress:
        result = run_batch(
            sources,
            out,
            batch_options,
            urls_file=options["urls_file"],
            since=since,
            jobs=options["jobs"],
            scheduler=options["scheduler"],
            progress=progress,
        )
    if not options["quiet"]:
        _summary(result, time.monotonic() - started)
    if options["feed_path"]:
        if "://" in out:
            raise FeedError("--feed works on a local output folder", hint="run 'audiogen feed' where the files are")
        path = _write_feed(Path(out), options["base_url"], options["feed_path"], options)
        if not options["quiet"]:
            click.echo(f"Wrote the feed {path}", err=True)
    if result.to_listen and not options["quiet"]:
        click.echo(f"Proof-listening flagged {len(result.to_listen)} episodes; listen to:", err=True)
        for source, accuracy, flagged in sorted(result.to_listen, key=lambda item: item[1]):
            click.echo(f"  {accuracy:.1%} heard right, {flagged} sentences flagged: {source}", err=True)
    if result.failed:
        sys.exit(EXIT_PARTIAL)
    if result.to_listen:
        sys.exit(FLAGGED_EXIT)


def episode_options(options: dict[str, Any], **more: Any) -> Any:
    """The ``BatchOptions`` of a command's script and rendering options (``batch``,
    ``serve``), with ``more`` of them set."""
    from audiogen.audio.encode import normalize_bitrate
    from audiogen.publish.batch import BatchOptions

    position = options["notice_position"]
    return BatchOptions(
        voice=options["voice"],
        audio_format=options["audio_format"],
        notice=not options["no_notice"] and position != "none",
        notice_position=position if position != "none" else "intro",
        notice_text=options["notice_text"],
        lexicons=tuple(str(Path(p).resolve()) for p in options["lexicons"]),
        date_order=options["date_order"],
        quote_voice=options["quote_voice"],
        language=options["language"],
        loudness=options["loudness"],
        true_peak=options["true_peak"],
        bitrate=normalize_bitrate(options["bitrate"]),
        vbr=options["vbr"],
        srt=options["srt"],
        word_timings=options["word_timings"] or bool(more.get("proof")),  # proof places its findings on words
        intro=_absolute(options["intro"]),
        outro=_absolute(options["outro"]),
        music=_absolute(options["music"]),
        music_level_db=options["music_level"],
        artist=options["author"] or options["title"],
        cache=not options["no_cache"],
        timeout=options["timeout"],
        **more,
    )


def _absolute(path: str | None) -> str | None:
    """A path the batch's worker processes can open wherever they run."""
    return str(Path(path).resolve()) if path else None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_owner_email(email: str | None) -> None:
    """Apple Podcasts, Spotify and others verify who owns a podcast by the e-mail in
    ``itunes:owner``: a feed without one cannot be claimed."""
    if not email:
        raise FeedError(
            "the feed needs the owner's e-mail address (podcast directories verify ownership by it)",
            hint="pass --owner-email EMAIL, or set AUDIOGEN_OWNER_EMAIL",
        )
    if not _EMAIL.match(email):
        raise FeedError(f"'{email}' is not an e-mail address", hint="pass --owner-email like desk@news.example")


@contextmanager
def _batch_progress(quiet: bool) -> Iterator[Callable[[dict[str, Any], dict[str, float]], None] | None]:
    """Items done, failed and left, minutes of audio and the time left, on stderr (a
    terminal only); elsewhere a line per item in the log."""
    if quiet or not sys.stderr.isatty():
        import logging

        log = logging.getLogger("audiogen")

        def note(record: dict[str, Any], totals: dict[str, float]) -> None:
            log.info("%s: %s", record["status"], record["source"])

        yield note
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with Progress(
        TextColumn("Batch"),
        BarColumn(),
        TextColumn("{task.fields[summary]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("batch", total=None, summary="listing…")

        def update(record: dict[str, Any], totals: dict[str, float]) -> None:
            finished = totals["done"] + totals["failed"]
            left = max(totals["queued"] - finished, 0)
            summary = (
                f"{int(totals['done'])} done, {int(totals['failed'])} failed, {int(left)} left; "
                f"{totals['audio_seconds'] / 60:.1f} min of audio"
            )
            bar.update(task, completed=finished, total=totals["queued"], summary=summary)

        yield update


def _summary(result: Any, seconds: float) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True, soft_wrap=False)
    if result.failed:
        table = Table(title=f"{len(result.failed)} failed", title_justify="left", show_lines=False)
        table.add_column("source", overflow="fold", max_width=60)
        table.add_column("error", overflow="fold")
        for source, message in result.failed:
            table.add_row(source, message)
        console.print(table)
    click.echo(
        f"Narrated {result.done}, unchanged {result.unchanged}, duplicates {result.duplicates}, "
        f"failed {len(result.failed)}; {result.audio_seconds / 60:.1f} min of audio in {seconds:.0f} s; "
        f"manifest {result.manifest}",
        err=True,
    )


# -- feed -------------------------------------------------------------------------------


@click.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@option("--base-url", required=True, metavar="URL", help="Where DIR is served (absolute http(s) URL).")
@_spots_option
@click.option(
    "-o", "--output", "output", metavar="FILE", help="Where to write the feed (default: DIR/feed.xml; - for stdout)."
)
@feed_options
@common_options
@reports_errors
def feed(folder: str, base_url: str, output: str | None, **options: Any) -> None:
    """Write the podcast feed (RSS 2.0, Apple Podcasts and Podcasting 2.0 tags) of the
    episodes that 'audiogen batch' narrated into DIR."""
    setup_logging(options["verbose"], options["quiet"])
    path = _write_feed(Path(folder), base_url, output, options)
    if not options["quiet"] and path is not None:
        click.echo(f"Wrote {path}", err=True)


def _write_feed(folder: Path, base_url: str, output: str | None, options: dict[str, Any]) -> Path | None:
    from audiogen.publish.feed import build_feed, check_absolute, episodes_from_folder, make_channel

    check_absolute(base_url)
    _check_owner_email(options.get("owner_email"))
    base = base_url.rstrip("/") + "/"
    if options.get("spots"):
        episodes, defaults = _sponsored_episodes(folder, base, options)
    else:
        episodes, defaults = episodes_from_folder(folder, base)
    target = None if output == "-" else Path(output) if output else folder / "feed.xml"
    feed_url = options.get("feed_url")
    if not feed_url:
        inside = target is not None and target.resolve().parent == folder.resolve()
        feed_url = base + (target.name if inside and target is not None else "feed.xml")
    channel = make_channel(options, base, feed_url, defaults, folder)
    xml = build_feed(episodes, channel)
    if target is None:
        sys.stdout.write(xml)
        return None
    from audiogen.files import write_atomically

    write_atomically(target, xml, error=FeedError)
    return target


def _sponsored_episodes(folder: Path, base: str, options: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The batch's episodes, each that a campaign of ``--spots`` runs for with the spot
    stitched in (copies made once, beside the episode)."""
    import json

    from audiogen.audio.encode import normalize_bitrate
    from audiogen.publish.episodes import MANIFEST
    from audiogen.publish.feed import episodes_from_records
    from audiogen.publish.sponsors import Stitcher, read_spot_folder

    campaigns = read_spot_folder(options["spots"])
    try:
        records = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["items"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FeedError(
            f"cannot read {folder / MANIFEST}: {exc}", hint="give the output folder of 'audiogen batch'"
        ) from None
    stitcher = Stitcher(
        options.get("loudness") or -16.0,
        options.get("true_peak") or -1.0,
        normalize_bitrate(options.get("bitrate")),
        bool(options.get("vbr")),
    )
    sponsored, _ = stitcher.records(folder, records, campaigns, make=True)
    return episodes_from_records(folder, sponsored, base)


# -- embed ------------------------------------------------------------------------------


@click.command()
@click.argument("episode", required=False)
@click.option("-o", "--output", "output", metavar="DIR", help="Folder for the player's files (default: the episode's).")
@option("--playlist", metavar="FEED", help="A playlist of a podcast feed (its URL or file) instead of one episode.")
@option(
    "--max", "max_items", type=click.IntRange(min=1), default=20, show_default=True, help="Episodes a playlist shows."
)
@option("--section", metavar="NAME", help="Only the playlist's episodes of this section (the items' <category>).")
@option("--base-url", metavar="URL", help="Where DIR will be served, when not beside the page.")
@option("--demo", is_flag=True, help="Also write a demo page with the article beside the player.")
@option(
    "--annotate", metavar="PAGE", type=click.Path(dir_okay=False), help="Mark PAGE's paragraphs for following along."
)
@option("--label", metavar="TEXT", help="The player's AI label (default: 'AI-generated audio').")
@option("--about", metavar="URL", help="A page explaining the AI narration, linked from the label.")
@common_options
@reports_errors
def embed(episode: str, output: str | None, **options: Any) -> None:
    """Put the player for EPISODE (an output of 'convert', or a batch episode folder) on
    a page: writes audiogen-player.js (and the audio, captions and timings when DIR is
    another folder) and prints the HTML snippet to paste into the article."""
    from audiogen.player import embed as embed_episode
    from audiogen.player import embed_playlist

    setup_logging(options["verbose"], options["quiet"])
    if options["playlist"]:
        if episode is not None:
            raise click.UsageError("give an episode or --playlist FEED, not both")
        if output is None:
            raise click.UsageError("a playlist needs -o DIR for the player's files")
        made = embed_playlist(
            options["playlist"],
            output,
            demo=options["demo"],
            max_items=options["max_items"],
            section=options["section"],
        )
        click.echo(made.snippet)
        if not options["quiet"]:
            click.echo(f"Wrote {', '.join(str(p) for p in made.written)}", err=True)
        return
    if episode is None:
        raise click.UsageError("give an EPISODE (or --playlist FEED)")
    if options["base_url"]:
        from audiogen.publish.feed import check_absolute

        check_absolute(options["base_url"])
    result = embed_episode(
        episode,
        output,
        base_url=options["base_url"],
        demo=options["demo"],
        annotate=options["annotate"],
        label=options["label"],
        about=options["about"],
    )
    click.echo(result.snippet)
    if not options["quiet"]:
        click.echo(f"Wrote {', '.join(str(p) for p in result.written)}", err=True)
