"""``audiogen serve``: the narration service, its API keys and its webhook secret."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
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
from audiogen.errors import ServiceError

DEFAULT_DATA = "audiogen-data"


def _data_option(command: Any) -> Any:
    command = option(
        "--database",
        metavar="URL",
        help="A PostgreSQL database (postgresql://…) instead of the SQLite file in DIR.",
    )(command)
    return option(
        "--data",
        metavar="DIR",
        default=DEFAULT_DATA,
        show_default=True,
        help="The service's folder: database, episodes, feed, clip cache.",
    )(command)


@contextlib.contextmanager
def _store(data: str, database: str | None) -> Iterator[Any]:
    """The service's database, for a command that works on it while the service may run."""
    from audiogen.serve.store import DATABASE_FILE, Store

    folder = Path(data)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ServiceError(f"cannot use {folder} as the data folder: {exc.strerror or exc}") from None
    store = Store(database or str(folder / DATABASE_FILE))
    try:
        yield store
    finally:
        store.close()


@click.group(invoke_without_command=True)
@_data_option
@option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="The port to listen on.")
@option(
    "--public-url",
    metavar="URL",
    help="Where listeners reach the service (default: http://HOST:PORT); with --storage, the bucket or its CDN.",
)
@option(
    "--storage",
    metavar="URL",
    envvar="AUDIOGEN_STORAGE",
    help="Keep episodes, the feed and the player in object storage (s3://BUCKET/PREFIX; audiogen[s3]), "
    "so several nodes share no folder. Also AUDIOGEN_STORAGE.",
)
@option(
    "--cache",
    "shared_cache",
    metavar="URL",
    help="A clip cache the nodes share besides their own (s3://BUCKET/cache): a sentence one node "
    "synthesized is not synthesized again by another.",
)
@option(
    "--api-url",
    metavar="URL",
    help="With --storage: where this node's API and listening events are reached (default: http://HOST:PORT).",
)
@option(
    "--node-timeout",
    type=click.FloatRange(min=5),
    default=60.0,
    show_default=True,
    help="Seconds without a heartbeat after which another node takes over a node's jobs.",
)
@option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Articles narrated at once.")
@option(
    "--events-per-minute",
    type=click.IntRange(min=1),
    default=120,
    show_default=True,
    help="Listening events accepted per minute from one address.",
)
@option("--voice", metavar="VOICE", help="The default voice (a preset, or ENGINE:VOICE).")
@option(
    "--proof",
    "proof_mode",
    type=click.Choice(["off", "report", "fix"]),
    help="Hear every narration back (audiogen[proof]): report what was heard wrong, or also re-voice it "
    "(default: report when the recognizer is installed, else off). The desk can change it.",
)
@option(
    "--format",
    "audio_format",
    type=click.Choice(["mp3", "m4a", "ogg"]),
    default="mp3",
    show_default=True,
    help="The episodes' audio format.",
)
@feed_options
@script_options
@rendering_options
@common_options
@click.pass_context
@reports_errors
def serve(ctx: click.Context, /, **options: Any) -> None:
    """Run the narration service: an HTTP API that narrates articles on publish and on
    every edit, hosts the episodes and the podcast feed, and keeps listening figures.

    Create an API key first with 'audiogen serve keys create'. The API is described at
    /docs once it runs."""
    if ctx.invoked_subcommand is not None:
        return
    setup_logging(options["verbose"], options["quiet"])
    _serve(options)


def _serve(options: dict[str, Any]) -> None:
    from audiogen.audio.pcm import check_audio_file
    from audiogen.backends import registry
    from audiogen.cli.publish import episode_options
    from audiogen.publish.feed import check_absolute
    from audiogen.voices import resolve_voice

    try:
        from audiogen.serve.app import run
    except ImportError:
        raise ServiceError("the service needs its extra", hint="pip install 'audiogen[serve]'") from None
    from audiogen.serve.service import ServiceConfig

    check_notice(options["notice_text"])
    _check_owner(options["owner_email"])
    for path, what in (
        (options["intro"], "intro file"),
        (options["outro"], "outro file"),
        (options["music"], "music file"),
    ):
        if path is not None:
            check_audio_file(path, what=what)
    host, port = options["host"], options["port"]
    local_url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    public_url = options["public_url"] or local_url
    check_absolute(public_url, "public URL")
    api_url = options["api_url"] or (local_url if options["storage"] else public_url)
    check_absolute(api_url, "API URL")
    if options["storage"] and not options["public_url"]:
        raise click.UsageError("--storage needs --public-url: where listeners reach the bucket (or its CDN)")
    if options["storage"] and "://" not in options["storage"]:
        raise click.UsageError("--storage is a URL such as s3://BUCKET/PREFIX")
    if options["shared_cache"]:
        from audiogen.cache import shared_tier

        os.environ["AUDIOGEN_CACHE_SHARED"] = options["shared_cache"]  # (the workers read it too)
        shared_tier()
    resolve_voice(options["voice"])  # a wrong default voice stops here, not in every job
    batch_options = episode_options(options, engines=registry.registered())
    channel = {
        name: options[name]
        for name in (
            "title",
            "author",
            "owner_email",
            "owner_name",
            "description",
            "image",
            "link",
            "feed_url",
            "category",
            "subcategory",
            "explicit",
            "locked",
            "max_items",
        )
    }
    config = ServiceConfig(
        data=Path(options["data"]).resolve(),
        database=options["database"],
        public_url=public_url,
        jobs=options["jobs"],
        options=batch_options,
        channel=channel,
        events_per_minute=options["events_per_minute"],
        proof=options["proof_mode"],
        storage=options["storage"],
        api_url=api_url,
        node_timeout=options["node_timeout"],
    )
    level = "debug" if options["verbose"] else "error" if options["quiet"] else "info"
    if not options["quiet"]:
        click.echo(f"audiogen serves on {api_url} (API described at {api_url}/docs); Ctrl-C stops it", err=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C or SIGTERM, after a clean shutdown
        run(config, host, port, log_level=level)
    if not options["quiet"]:
        click.echo("Stopped; jobs still queued run at the next start.", err=True)


def _check_owner(email: str | None) -> None:
    from audiogen.cli.publish import _check_owner_email

    _check_owner_email(email)


@serve.group()
def keys() -> None:
    """API keys: every write to the service needs one, sent as a bearer token."""


@keys.command("create")
@_data_option
@option("--name", required=True, help="What the key is for (e.g. 'wordpress', 'newsdesk').")
@option(
    "--role",
    type=click.Choice(["editor", "stats"]),
    default="editor",
    show_default=True,
    help="editor: the desk and every write of the API; stats: the listening figures only.",
)
@reports_errors
def create_key(data: str, database: str | None, name: str, role: str) -> None:
    """Create a key and print it (shown only now; store it where the caller keeps secrets)."""
    from audiogen.serve.auth import create_key

    with _store(data, database) as store:
        info, key = create_key(store, name, role)
    click.echo(key)
    click.echo(f"Created {info.role} key {info.id} ('{info.name}'); it is shown only this once.", err=True)


@keys.command("list")
@_data_option
@reports_errors
def list_keys(data: str, database: str | None) -> None:
    """The keys: id, name, when created and last used, whether revoked."""
    from audiogen.serve.auth import list_keys

    with _store(data, database) as store:
        keys = list_keys(store)
    for info in keys:
        state = f"revoked {info.revoked[:16]}" if info.revoked else "active"
        used = info.last_used[:16] if info.last_used else "never used"
        click.echo(f"{info.id}  {info.name:<20}  {info.role:<6}  created {info.created[:16]}  {used:<16}  {state}")


@keys.command("revoke")
@click.argument("key_id", metavar="ID")
@_data_option
@reports_errors
def revoke_key(key_id: str, data: str, database: str | None) -> None:
    """Revoke the key ID (see 'keys list'): it is refused from now on."""
    from audiogen.serve.auth import revoke_key

    with _store(data, database) as store:
        revoke_key(store, key_id)
    click.echo(f"Revoked key {key_id}.", err=True)


@serve.command("webhook-secret")
@_data_option
@option("--rotate", is_flag=True, help="Make a new secret (calls signed with the old one are refused).")
@reports_errors
def webhook_secret(data: str, database: str | None, rotate: bool) -> None:
    """Print the secret the CMS signs its webhook calls with (made on first use)."""
    from audiogen.serve.auth import webhook_secret

    with _store(data, database) as store:
        secret = webhook_secret(store, rotate=rotate)
    sys.stdout.write(secret + "\n")


@serve.command("link-secret")
@_data_option
@option("--rotate", is_flag=True, help="Make a new secret (every link signed with the old one stops working).")
@reports_errors
def link_secret(data: str, database: str | None, rotate: bool) -> None:
    """Print the secret subscriber links are signed with (a paywall that mints its own links
    needs it; see the README)."""
    from audiogen.serve.auth import link_secret

    with _store(data, database) as store:
        secret = link_secret(store, rotate=rotate)
    sys.stdout.write(secret + "\n")


@serve.group("subscribers")
def subscribers_group() -> None:
    """Subscribers' private feeds (subscriber-only episodes, every link signed for them)."""


@subscribers_group.command("add")
@click.argument("subscriber", metavar="EMAIL|ID")
@_data_option
@option(
    "--public-url",
    metavar="URL",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Where the service is reached.",
)
@reports_errors
def add_subscriber(subscriber: str, data: str, database: str | None, public_url: str) -> None:
    """Give a subscriber a private feed and print its URL (shown only now)."""
    from audiogen.serve import subscribers

    with _store(data, database) as store:
        token = subscribers.add(store, subscriber)
    click.echo(f"{public_url.rstrip('/')}/feeds/{token}.xml")


@subscribers_group.command("revoke")
@click.argument("subscriber", metavar="EMAIL|ID")
@_data_option
@reports_errors
def revoke_subscriber(subscriber: str, data: str, database: str | None) -> None:
    """End a subscriber's feed and every link it gave (they answer 410 at once)."""
    from audiogen.serve import subscribers

    with _store(data, database) as store:
        if not subscribers.revoke(store, subscriber):
            raise ServiceError(f"no active subscriber '{subscriber[:128]}'")
    click.echo(f"Revoked {subscriber}.", err=True)


@subscribers_group.command("list")
@_data_option
@reports_errors
def list_subscribers(data: str, database: str | None) -> None:
    """The subscribers: id, when added, whether revoked."""
    from audiogen.serve import subscribers

    with _store(data, database) as store:
        for row in subscribers.listed(store):
            state = f"revoked {row['revoked'][:16]}" if row["revoked"] else "active"
            click.echo(f"{row['id']:<40}  added {row['created'][:16]}  {state}")
