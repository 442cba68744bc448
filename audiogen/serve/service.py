"""The service itself, apart from HTTP: its data folder, database, runner and feed.

The data folder holds the database (SQLite, unless ``database`` names a PostgreSQL
one), ``episodes/`` (one folder per episode, laid out as a batch's), ``feed.xml``
(rewritten in the same step as an episode is published, changed or taken down: the
feed is written inside the transaction that records the change, so whoever reads an
article as done finds it in the feed), the feed's cover,
and ``cache/``, the clip cache of its narrations (so an edited article re-speaks only
what changed). With PostgreSQL, services on several machines share the queue; the
data folder must then be storage they share.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from audiogen.errors import ServiceError
from audiogen.files import write_atomically
from audiogen.publish.batch import BatchOptions
from audiogen.publish.sponsors import Stitcher
from audiogen.serve import articles, site, spots, subscribers
from audiogen.serve.runner import EPISODES, Runner, remove_episode
from audiogen.serve.stats import RateLimiter
from audiogen.serve.storage import ObjectStorage
from audiogen.serve.store import DATABASE_FILE, Store

log = logging.getLogger("audiogen")

FEED_FILE = "feed.xml"
PLAYER_PATH = "/player/audiogen-player.js"
#: the advisory lock the nodes sharing a PostgreSQL database take to write the feed
FEED_LOCK = 0x617564696F67  # "audiog"
#: the flagged sentences an article's view lists (the worst first)
FLAGGED_SHOWN = 20


@functools.cache
def player_version() -> str:
    """The player script's version: the package's, and a digest of the script (a page's
    cache of an older script is passed by)."""
    from audiogen import __version__
    from audiogen.player import player_script

    return f"{__version__}-{hashlib.sha256(player_script().encode('utf-8')).hexdigest()[:10]}"


def flagged_sentences(report: dict[str, Any]) -> list[dict[str, Any]]:
    """A proof report's sentences heard wrong (flagged, or with a word to check), the
    flagged first, the worst first."""
    return sorted(
        (s for s in report.get("sentences", []) if isinstance(s, dict) and (s.get("flagged") or s.get("words"))),
        key=lambda s: (not s.get("flagged"), s.get("score", 1.0)),
    )


#: files of an episode folder that are not served
PRIVATE_FILES = frozenset({"episode.json"})


@dataclass(frozen=True)
class ServiceConfig:
    """How the service runs."""

    data: Path
    #: ``postgresql://…``; default: a SQLite file in ``data``
    database: str | None = None
    #: where the service is reached from outside (links in the feed and the player)
    public_url: str = "http://127.0.0.1:8000"
    #: object storage for the public files (``s3://BUCKET/PREFIX``): ``public_url`` is then
    #: where listeners reach them (the bucket or a CDN), and ``api_url`` where this node is
    storage: str | None = None
    api_url: str | None = None
    #: a node whose heartbeat is older than this (seconds) is taken for dead
    node_timeout: float = 60.0
    #: worker processes narrating at once
    jobs: int = 1
    options: BatchOptions = field(default_factory=BatchOptions)
    #: what the podcast says of itself (the feed options by name: title, owner_email…)
    channel: dict[str, Any] = field(default_factory=dict)
    #: listening events accepted per minute from one address
    events_per_minute: int = 120
    #: the largest request body accepted (bytes); events are capped at ``max_event_body``
    max_body: int = 5 * 1024 * 1024
    max_event_body: int = 2048
    #: hear every narration back: off, report or fix (None: report when the recognizer
    #: is installed); the desk's setting overrides it
    proof: str | None = None


PROOF_MODES = ("off", "report", "fix")


class LinkRefused(ServiceError):
    """A signed link that is not good (expired, altered, for another file)."""


class LinkGone(ServiceError):
    """A link, or a private feed, of a subscriber whose subscription was revoked."""


#: the desk's choice of proof mode, in the settings table
PROOF_SETTING = "proof_mode"


class Service:
    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.data = config.data
        self.public_url = config.public_url.rstrip("/")
        #: where this service's API, events and pages are reached (the public URL unless
        #: the files are in object storage)
        self.api_url = (config.api_url or config.public_url).rstrip("/")
        self.storage = ObjectStorage(config.storage) if config.storage else None
        if self.storage is not None:
            self.storage.check()  # a missing bucket or wrong credentials: said now, in one line
        self._cover_uploaded: bytes | None = None
        #: the sponsored copies this node put in the store (``EPISODE/VERSION/NAME``)
        self._in_store: set[str] = set()
        #: the stored versions whose small files this node holds a copy of
        self._mirrored: set[Path] = set()
        try:
            self.data.mkdir(parents=True, exist_ok=True)
            (self.data / EPISODES).mkdir(exist_ok=True)
        except OSError as exc:
            raise ServiceError(f"cannot use {self.data} as the data folder: {exc.strerror or exc}") from None
        if not os.access(self.data, os.W_OK | os.X_OK):
            raise ServiceError(f"cannot write to the data folder {self.data}")
        self.store = Store(config.database or str(self.data / DATABASE_FILE))
        self.limiter = RateLimiter(config.events_per_minute)
        self._feed_lock = threading.Lock()
        #: sponsor spots are stitched into the public feed's episodes by a thread of their own
        self._stitch_wanted = threading.Event()
        self._stopping = threading.Event()
        self._stitcher: threading.Thread | None = None
        options = config.options
        self.stitcher = Stitcher(options.loudness, options.true_peak, options.bitrate, options.vbr)
        self.runner = Runner(
            self.store,
            self.data,
            config.options,
            config.jobs,
            finish=self.finish_job,
            prepare=self.prepare_job,
            timeout=config.node_timeout,
        )

    def start(self) -> None:
        # the workers' clip cache lives with the service's data unless one is set
        os.environ.setdefault("AUDIOGEN_CACHE_DIR", str(self.data / "cache"))
        if self.storage is not None:
            from audiogen.player import player_script

            self.storage.put_bytes(PLAYER_PATH.lstrip("/"), player_script().encode("utf-8"), "asset")
        self.rebuild_feed()
        self.runner.start()
        self._stitcher = threading.Thread(target=self._stitch_loop, name="audiogen-stitcher", daemon=True)
        self._stitcher.start()

    def stop(self) -> None:
        self._stopping.set()
        self._stitch_wanted.set()
        if self._stitcher is not None:
            self._stitcher.join(30)
        self.runner.stop()
        self.store.close()

    # -- what the site sets for each narration ----------------------------------------------

    def proof_mode(self) -> str:
        """off, report or fix: the desk's choice, else the configured one, else report
        when the recognizer is installed."""
        chosen = self.store.setting(PROOF_SETTING) or self.config.proof
        if chosen in PROOF_MODES:
            return chosen
        from audiogen.proof.listen import DEFAULT_MODEL, has_model

        return "report" if has_model(DEFAULT_MODEL) else "off"

    def set_proof_mode(self, mode: str) -> None:
        if mode not in PROOF_MODES:
            raise ServiceError(f"proof is one of {', '.join(PROOF_MODES)}")
        if mode != "off":
            from audiogen.proof.listen import DEFAULT_MODEL, INSTALL_HINT, has_model

            if not has_model(DEFAULT_MODEL):
                raise ServiceError("proof-listening needs its recognizer", hint=INSTALL_HINT)
        self.store.put_setting(PROOF_SETTING, mode)

    def voice_of(self, article: dict[str, Any]) -> str | None:
        """The voice an article is read in: its own, its section's (as the API or the CMS
        gave it, else as the page's own metadata says: JSON-LD articleSection), the service's."""
        if article.get("voice"):
            return str(article["voice"])
        section = article.get("section")
        if not section and article.get("kind") == "html" and article.get("source"):
            from audiogen.reading.metadata import page_section

            section = page_section(str(article["source"]))
        if section:
            voice = site.section_voices(self.store).get(section)
            if voice:
                return voice
        return self.config.options.voice

    def prepare_job(self, article: dict[str, Any]) -> dict[str, Any]:
        """What the site adds to a claimed article's narration (see ``Runner``)."""
        from audiogen.voices import resolve_voice

        voice = self.voice_of(article)
        preset = resolve_voice(voice)
        extras: dict[str, Any] = {
            "site_lexicon": site.lexicon_toml(site.rules(self.store), preset.engine, voice or ""),
            "reading_rules": [(r["kind"], r["selector"]) for r in site.reading_rules(self.store)],
            "proof": self.proof_mode(),
        }
        if not article.get("voice") and voice != self.config.options.voice:
            extras["section_voice"] = voice
        return extras

    # -- the feed --------------------------------------------------------------------------

    def rebuild_feed(self) -> Path:
        """Write ``feed.xml`` anew from the episodes that are done."""
        with self._feed_lock, self.store.transaction():
            return self._write_feed()

    def _write_feed(self) -> Path:
        from audiogen.publish.feed import build_feed, episodes_from_records, make_channel

        # one node writes the feed at a time, from what the database holds then: a feed
        # written later is never older than one written before it
        self.store.lock(FEED_LOCK)
        records = articles.done_records(self.store)
        if self.storage is not None:
            # the versions the database points at, their metadata read through this node's copy
            records = {key: self.stored_record(record) for key, record in records.items() if record.get("version")}
        # an episode whose sponsored copy is not made yet is listed plain until it is
        sponsored, missing = self.stitcher.records(
            self.data / EPISODES, records, spots.campaigns(self.store, self.data), make=False
        )
        if self.storage is not None:  # a copy is listed once it is in the store, not before
            for key, record in sponsored.items():
                if (
                    record.get("audio") != records[key].get("audio")
                    and f"{record['episode']}/{record['audio']}" not in self._in_store
                ):
                    sponsored[key] = records[key]
                    missing = True
        if missing:
            self._stitch_wanted.set()
        episodes, defaults = episodes_from_records(self.data / EPISODES, sponsored, self.episodes_url)
        channel = make_channel(self.config.channel, self.public_url + "/", self.feed_url, defaults, self.data)
        xml = build_feed(episodes, channel)
        path = write_atomically(self.data / FEED_FILE, xml, error=ServiceError)
        if self.storage is not None:
            cover = self.data / "cover.png"
            if cover.is_file() and self._cover_uploaded != (data := cover.read_bytes()):
                self.storage.put_bytes("cover.png", data, "asset")
                self._cover_uploaded = data
            self.storage.put_bytes(FEED_FILE, xml.encode("utf-8"), "feed")
        return path

    # -- object storage ------------------------------------------------------------------------

    def stored_record(self, record: dict[str, Any]) -> dict[str, Any]:
        """A record as the feed reads it from storage: its folder is the version's (whose
        metadata this node copies from the store when it has none)."""
        self.mirror(record)
        return {**record, "episode": f"{record['episode']}/{record['version']}"}

    def mirror(self, record: dict[str, Any], names: list[str] | None = None) -> Path:
        """This node's copy of a stored version's small files (all but the audio, or
        ``names``), fetched from the store when missing; the folder."""
        assert self.storage is not None
        folder: Path = self.data / EPISODES / str(record["episode"]) / str(record["version"])
        whole = names is None
        if whole and folder in self._mirrored and folder.is_dir():
            # (every feed written lists every episode: their files are looked for once, unless
            # a narration here replaced the episode's folder meanwhile)
            return folder
        wanted = names if names is not None else [n for n in record.get("files", []) if n != record.get("audio")]
        for name in wanted:
            if "/" in name or (folder / name).exists():
                continue
            data = self.storage.read_bytes(f"{EPISODES}/{record['episode']}/{record['version']}/{name}")
            if data is None:
                whole = False
                continue
            folder.mkdir(parents=True, exist_ok=True)
            write_atomically(folder / name, data, error=ServiceError)
        if whole:
            self._mirrored.add(folder)
        return folder

    def upload_episode(self, record: dict[str, Any]) -> dict[str, Any]:
        """A narrated episode's files uploaded to the store under a new version, each whole;
        the record pointing at it. Raises when any file could not be uploaded (the
        database and the feed still point at the version before)."""
        assert self.storage is not None
        import shutil
        import uuid

        version = uuid.uuid4().hex[:12]
        folder = self.data / EPISODES / record["episode"]
        for name in record.get("files", []):
            self.storage.put_file(f"{EPISODES}/{record['episode']}/{version}/{name}", folder / name, "episode")
        stored = {**record, "version": version}
        copy = folder / version
        copy.mkdir(exist_ok=True)
        for name in record.get("files", []):
            if name != record.get("audio"):
                shutil.copyfile(folder / name, copy / name)
        return stored

    def _prune_versions(self, episode: str, keep: set[str]) -> None:
        """Remove an episode's stored versions but ``keep`` (the current one and the one
        before it, which a CDN's copy of the feed may still name for a minute)."""
        assert self.storage is not None
        for version in self.storage.versions(f"{EPISODES}/{episode}"):
            if version not in keep:
                self.storage.delete(f"{EPISODES}/{episode}/{version}")

    # -- sponsor spots in the public feed ------------------------------------------------------

    def wake_stitcher(self) -> None:
        """Campaigns changed: stitch what the feed now wants, then write the feed."""
        self._stitch_wanted.set()

    def _stitch_loop(self) -> None:
        while not self._stopping.is_set():
            self._stitch_wanted.wait(60)
            if self._stopping.is_set():
                return
            self._stitch_wanted.clear()
            try:
                # the copies the feed wants made, the ones no campaign wants removed; then the feed
                records = articles.done_records(self.store)
                campaigns = spots.campaigns(self.store, self.data)
                if self.storage is not None:
                    records = self._stitch_stored(records, campaigns)
                self.stitcher.records(self.data / EPISODES, records, campaigns, make=True)
                if self.storage is not None:
                    self._upload_sponsored(records)
                self.rebuild_feed()
            except Exception:  # a stitcher that fails must not end the service
                log.exception("stitching sponsor spots failed")

    def _stitch_stored(self, records: dict[str, dict[str, Any]], campaigns: list[Any]) -> dict[str, dict[str, Any]]:
        """The stored versions as the stitcher reads them: each one a campaign runs for with
        its audio fetched into this node's copy (stitching needs the narration's frames)."""
        from audiogen.publish.sponsors import feed_choice

        out = {}
        for key, record in records.items():
            if not record.get("version"):
                continue
            if feed_choice(campaigns, record.get("section"), key) is not None:
                self.mirror(record, [record["audio"]])
            out[key] = self.stored_record(record)
        return out

    def _upload_sponsored(self, records: dict[str, dict[str, Any]]) -> None:
        """The sponsored copies this node made, into the store beside their versions."""
        assert self.storage is not None
        for record in records.values():
            folder = self.data / EPISODES / record["episode"]
            stem = str(record.get("audio", "")).rsplit(".", 1)[0]
            made_files = (
                sorted(folder.glob(f"{stem}.sponsor-*"), key=lambda f: f.suffix == ".mp3") if folder.is_dir() else []
            )
            for made in made_files:  # (the audio last: the feed lists it once it is there)
                name = f"{record['episode']}/{made.name}"
                if name not in self._in_store:
                    self.storage.put_file(f"{EPISODES}/{name}", made, "episode")
                    self._in_store.add(name)

    def finish_job(self, job_id: int, runner: str, record: dict[str, Any]) -> bool:
        """Record the end of a job and, when it published or removed an episode, write the
        feed in the same transaction: the article turns done only with the feed already
        listing it (a feed that cannot be written leaves the job unrecorded, to be tried
        again). Whether the article still exists."""
        before: dict[str, Any] = {}
        if self.storage is not None and record.get("status") == "done":
            job = articles.get_job(self.store, job_id)
            article = articles.get_article(self.store, job["article_id"]) if job else None
            before = json.loads(article["record"]) if article and article.get("record") else {}
            if record.get("unchanged") and before.get("version"):
                record = {**record, "version": before["version"]}  # the stored version stands
            else:
                record = self.upload_episode(record)  # (a failure is retried; the old version stays)
        with self._feed_lock, self.store.transaction():
            exists = articles.finish(self.store, job_id, runner, record)
            if record.get("status") == "done" or not exists:
                self._write_feed()
        if self.storage is not None and record.get("version") and exists:
            keep = {record["version"], str(before.get("version", ""))}
            # (off the runner's path: the next job need not wait for the store's deletes)
            threading.Thread(target=self._prune_versions, args=(record["episode"], keep), daemon=True).start()
        return exists

    def unpublish(self, article_id: str, modified: str | None = None) -> bool:
        """Take an article's episode down (out of the feed in the same step); whether it
        was (not when the article changed after ``modified``, the CMS's time of the call)."""
        with self._feed_lock, self.store.transaction():
            article = articles.delete_article(self.store, article_id, modified)
            if article is None:
                return False
            self._write_feed()
        remove_episode(self.data, article["episode"])
        if self.storage is not None:
            self.storage.delete(f"{EPISODES}/{article['episode']}")
        return True

    @property
    def feed_path(self) -> Path:
        return self.data / FEED_FILE

    @property
    def feed_url(self) -> str:
        return self.config.channel.get("feed_url") or f"{self.public_url}/{FEED_FILE}"

    @property
    def episodes_url(self) -> str:
        return f"{self.public_url}/{EPISODES}/"

    # -- what the API shows ----------------------------------------------------------------

    def episode_file(
        self,
        episode: str,
        name: str,
        preview: str | None = None,
        link: tuple[str, str | None, str | None] | None = None,
        subscriber: str | None = None,
        version: str | None = None,
    ) -> Path | None:
        """A served file of a published episode (of a draft: with its live preview token;
        of a subscribers' episode: with a live signed ``link``: (path, exp, sig)), or
        ``None``. A link that is not good raises ``LinkRefused``, whether the episode is
        there or not (a link says nothing of what exists)."""
        import hmac
        import time

        from audiogen.serve.auth import LINK_REFUSED, link_good, link_secret

        signed = link is not None and (link[1] is not None or link[2] is not None)
        if signed:
            assert link is not None
            if not link_good(link_secret(self.store), *link, subscriber):
                raise LinkRefused(LINK_REFUSED)
            if subscriber is not None and not subscribers.active(self.store, subscriber):
                raise LinkGone("this subscription has ended")
        if name in PRIVATE_FILES or "/" in name or name.startswith("."):
            return None
        row = self.store.row(
            "SELECT record, draft, preview_token, preview_expires, access FROM articles WHERE episode = ?", (episode,)
        )
        if row is None or not row["record"]:
            return None
        if row["access"] == "subscribers" and not signed:
            return None
        if row["draft"] and not (
            preview
            and row["preview_token"]
            and hmac.compare_digest(str(preview).encode(), str(row["preview_token"]).encode())
            and (row["preview_expires"] or 0) > time.time()
        ):
            return None
        record = json.loads(row["record"])
        stem = str(record.get("audio", "")).rsplit(".", 1)[0]
        # the public feed's copy with a sponsor's spot stitched in (see ``_stitch_missing``)
        sponsored = bool(stem) and row["access"] != "subscribers" and name.startswith(stem + ".sponsor-")
        if name not in record.get("files", []) and not sponsored:
            return None
        if self.storage is not None and record.get("version"):
            if version is not None and version != record["version"]:
                return None
            path = self.mirror(record, [name]) / name  # (fetched from the store once)
            return path if path.is_file() else None
        if version is not None:
            return None
        path = self.data / EPISODES / episode / name
        return path if path.is_file() else None

    def job_view(self, job: dict[str, Any] | None) -> dict[str, Any] | None:
        if job is None:
            return None
        view = {name: job[name] for name in ("id", "state", "reason", "attempts", "created", "started", "finished")}
        view["article"] = job["article_id"]
        view["error"] = job["error"]
        view["url"] = f"{self.api_url}/jobs/{job['id']}"
        if job["result"]:
            result = json.loads(job["result"])
            for name in ("unchanged", "sentences_synthesized", "sentences_cached", "duration_ms"):
                if name in result:
                    view[name] = result[name]
        return view

    def current_view(self, article_id: str) -> dict[str, Any] | None:
        """The article as the API shows it, its row and its job read at one moment (a job
        that ended between two reads would show as finished on an article still running);
        ``None`` when there is no such article."""
        with self.store.snapshot():
            article = articles.get_article(self.store, article_id)
            return None if article is None else self.article_view(article)

    def article_view(self, article: dict[str, Any]) -> dict[str, Any]:
        """The API's view of ``article`` with its job (read in one ``store.snapshot()``
        with the article, or the two may disagree)."""
        job = articles.active_job(self.store, article["id"]) or articles.latest_job(self.store, article["id"])
        view: dict[str, Any] = {
            "id": article["id"],
            "episode": article["episode"],
            "status": article["status"],
            "title": article["title"],
            "kind": article["kind"],
            "url": article["source"] if article["kind"] == "url" else None,
            "voice": article["voice"],
            "language": article.get("language"),
            "quote_voice": article.get("quote_voice"),
            "created": article["created"],
            "updated": article["updated"],
            "error": article["error"],
            "status_detail": "draft" if article.get("draft") else "published",
            "access": article.get("access") or "public",
            "section": article.get("section"),
            "job": self.job_view(job),
            "links": {"self": f"{self.api_url}/articles/{quote(article['id'])}"},
        }
        record = json.loads(article["record"]) if article["record"] else None
        if record and record.get("status") == "done" and article.get("draft"):
            token = quote(str(article.get("preview_token") or ""))
            view["preview"] = {
                "url": f"{self.files_url(article, record, node=True)}{quote(record['audio'])}?preview={token}",
                "expires": article.get("preview_expires"),
            }
        elif record and record.get("status") == "done":
            base = self.files_url(article, record)
            files = set(record.get("files", []))
            audio = record["audio"]
            stem = audio.rsplit(".", 1)[0]
            view["audio"] = {
                "url": base + quote(audio),
                "bytes": record.get("bytes"),
                "duration_ms": record.get("duration_ms"),
            }
            for name, file in (
                ("captions", f"{stem}.vtt"),
                ("timings", f"{stem}.json"),
                ("chapters", f"{stem}.chapters.json"),
                ("srt", f"{stem}.srt"),
            ):
                if file in files:
                    view["links"][name] = base + quote(file)
            view["links"]["player"] = view["links"]["self"] + "/player"
            view["player"] = self.player_snippet(article)
            embed = self.player_embed(article)
            if embed is not None:
                view["embed"] = embed
        if record and record.get("status") == "done" and "proof_accuracy" in record:
            view["proof"] = {"accuracy": record["proof_accuracy"], "flagged": record.get("proof_flagged", 0)}
            report = self.proof_report(article, record)
            if report is not None:
                view["proof"]["sentences"] = [
                    {
                        "meant": sentence.get("meant", ""),
                        "heard": sentence.get("heard", ""),
                        "score": sentence.get("score"),
                        "kinds": sorted({str(w.get("kind")) for w in sentence.get("words", []) if w.get("kind")}),
                    }
                    for sentence in flagged_sentences(report)[:FLAGGED_SHOWN]
                ]
        return view

    def proof_report(self, article: dict[str, Any], record: dict[str, Any]) -> dict[str, Any] | None:
        """What proof-listening heard in the article's narration (its ``.proof.json``)."""
        if record.get("status") != "done" or not record.get("audio"):
            return None
        stem = str(record["audio"]).rsplit(".", 1)[0]
        try:
            folder = self.data / EPISODES / article["episode"]
            if self.storage is not None and record.get("version"):
                folder = self.mirror(record, [f"{stem}.proof.json"])
            path = folder / f"{stem}.proof.json"
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def private_feed(self, token: str, address: str) -> str:
        """The feed of the subscriber whose token it is: the public and the subscriber-only
        episodes, every file's link signed for that subscriber (for seven days: a podcast
        app fetches the feed again long before). ``LinkGone`` once revoked; ``None``-like
        refusal (``LinkRefused``) for a token nobody has."""
        from dataclasses import replace as changed

        from audiogen.publish.feed import build_feed, episodes_from_records, make_channel
        from audiogen.serve.auth import MAX_LINK_LIFE_S, link_secret, sign_link

        found = subscribers.by_token(self.store, token)
        if found is None:
            raise LinkRefused("no such feed")
        if found["revoked"]:
            raise LinkGone("this subscription has ended")
        secret = link_secret(self.store)
        subscribers.count_fetch(self.store, found["id"], address, secret)
        records = articles.done_records(self.store, everyone=False)
        if self.storage is not None:  # served by the nodes, which check the signatures
            records = {key: self.stored_record(record) for key, record in records.items() if record.get("version")}
        base = self.api_url if self.storage is not None else self.public_url
        episodes, defaults = episodes_from_records(self.data / EPISODES, records, f"{base}/{EPISODES}/")

        def signed(url: str | None) -> str | None:
            if not url or not url.startswith(base):
                return url
            from urllib.parse import unquote

            path = unquote(url[len(base) :])
            expires, signature = sign_link(secret, path, MAX_LINK_LIFE_S, found["id"])
            return f"{url}?exp={expires}&sub={quote(found['id'])}&sig={signature}"

        episodes = [
            changed(
                e,
                audio_url=signed(e.audio_url) or e.audio_url,
                transcript_url=signed(e.transcript_url),
                chapters_url=signed(e.chapters_url),
            )
            for e in episodes
        ]
        feed_url = f"{self.api_url}/feeds/{token}.xml"
        settings = dict(self.config.channel) | {"feed_url": feed_url}
        channel = make_channel(settings, self.public_url + "/", feed_url, defaults, self.data)
        return build_feed(episodes, channel)

    def signed_link(self, article: dict[str, Any], file: str, life_s: int) -> dict[str, Any]:
        """A signed link to one of an article's files ("audio", "captions", "timings",
        "chapters") that works for ``life_s`` seconds."""
        from audiogen.serve.auth import link_secret, sign_link

        record = json.loads(article["record"]) if article.get("record") else None
        if not record or record.get("status") != "done":
            raise ServiceError("the article has no episode yet")
        stem = str(record["audio"]).rsplit(".", 1)[0]
        names = {"audio": record["audio"], "captions": f"{stem}.vtt", "timings": f"{stem}.json"}
        names["chapters"] = f"{stem}.chapters.json"
        if file not in names or names[file] not in record.get("files", []):
            raise ServiceError(
                f"the episode has no {file}" if file in names else f"a link is to one of {', '.join(names)}"
            )
        path = f"/{EPISODES}/{article['episode']}/{names[file]}"
        expires, signature = sign_link(link_secret(self.store), path, life_s)
        address = f"/{EPISODES}/{quote(article['episode'])}/{quote(names[file])}"
        return {"url": f"{self.api_url}{address}?exp={expires}&sig={signature}", "expires": expires}

    def player_embed(self, article: dict[str, Any]) -> dict[str, Any] | None:
        """The player as data, for a CMS that prints it itself: the script to load (as a
        module) with its version, and the ``<audiogen-player>`` element's attributes."""
        from audiogen.player import player_attributes

        found = self._player_parts(article)
        if found is None:
            return None
        files, options = found
        return {
            "script": self.public_url + PLAYER_PATH,
            "version": player_version(),
            "attributes": player_attributes(files, **options),
        }

    def player_snippet(self, article: dict[str, Any]) -> str | None:
        """The HTML that puts the episode's player on the article's page, with listening
        figures sent to this service."""
        from audiogen.player import snippet

        found = self._player_parts(article)
        if found is None:
            return None
        files, options = found
        return snippet(files, script_url=self.public_url + PLAYER_PATH, **options)

    def _player_parts(self, article: dict[str, Any]) -> tuple[Any, dict[str, Any]] | None:
        """The episode's files and where the player finds them and reports, for a public
        episode that is done; ``None`` otherwise."""
        from audiogen.errors import EmbedError
        from audiogen.player import EpisodeFiles, find_episode

        record = json.loads(article["record"]) if article["record"] else None
        if not record or record.get("status") != "done" or article.get("draft"):
            return None
        if (article.get("access") or "public") != "public":
            return None  # a subscriber's page mints signed links (POST /links)
        if self.storage is not None:
            names = set(record.get("files", []))
            stem = str(record["audio"]).rsplit(".", 1)[0]
            files = EpisodeFiles(
                audio=Path(record["audio"]),
                timings_file=Path(f"{stem}.json"),
                timings={},
                captions=Path(f"{stem}.vtt") if f"{stem}.vtt" in names else None,
                chapters=None,
            )
        else:
            try:
                files = find_episode(self.data / EPISODES / article["episode"] / record["audio"])
            except EmbedError as exc:
                log.warning("no player for %s: %s", article["id"], exc)
                return None
        options = {
            "base_url": self.files_url(article, record),
            "stats": (f"{self.api_url}/events", article["id"]),
            "sponsor": f"{self.api_url}/sponsor",
        }
        return files, options

    def files_url(self, article: dict[str, Any], record: dict[str, Any], *, node: bool = False) -> str:
        """Where an episode's files are fetched: its folder on this service, or its version
        in object storage (``node``: through this node, which checks preview tokens)."""
        if self.storage is not None and record.get("version"):
            base = f"{self.api_url}/{EPISODES}/" if node else self.episodes_url
            return f"{base}{quote(article['episode'])}/{quote(record['version'])}/"
        return f"{self.episodes_url}{quote(article['episode'])}/"
