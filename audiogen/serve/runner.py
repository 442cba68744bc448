"""The service's narrators: a pool of worker processes, each keeping its engine loaded,
fed by one dispatching thread that claims jobs from the database.

The runner registers itself with a heartbeat, on the database's clock (nodes whose own
clocks disagree still agree on it). Jobs left running by a runner that is
gone (its process is dead on this machine, or its heartbeat stopped) go back to the
queue, so a killed service loses nothing; a finished job is never run again. When a
worker process dies, the jobs it may have been narrating are queued again (up to
``MAX_ATTEMPTS``) and a new pool takes over: one failing article never stops the
others. A job's end is recorded through ``finish`` (the service's writes the feed in the
same step, so an article is never done without being in the feed); an end that could not
be recorded (the database unwritable for a while) is kept and recorded again on each
turn of the loop, so no job stays "running" until a restart.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Any

from audiogen.publish.batch import BatchOptions, end_pool, narrate_item, start_process
from audiogen.publish.sources import BatchItem
from audiogen.serve import articles
from audiogen.serve.store import Store

log = logging.getLogger("audiogen")

EPISODES = "episodes"
WORK = "work"
HEARTBEAT_S = 5.0
#: a runner whose heartbeat is older than this is taken for dead
RUNNER_TIMEOUT_S = 60.0
#: a staging folder untouched this long was left by a killed service (another service
#: sharing the folder may be staging an episode right now)
STAGING_LEFTOVER_S = 600.0
_SUFFIX = {"html": ".html", "markdown": ".md", "text": ".txt"}


def run_job(job: dict[str, Any], article: dict[str, Any], data: str, options: BatchOptions) -> dict[str, Any]:
    """Narrate one job's article into its episode folder (in a worker process); the
    batch record of the episode. Never raises for a problem of the article."""
    work = Path(data) / WORK
    work.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        source = article["source"]
        if article["kind"] != "url":
            path = work / f"{article['episode']}{_SUFFIX[article['kind']]}"
            path.write_text(article["source"], encoding="utf-8")
            written.append(path)
            source = str(path)
        if article.get("reading_rules") and article["kind"] in ("url", "html"):
            source = _read_only_wanted(article, source, work, written, options)
        lexicons = options.lexicons
        # the site's pronunciations, then the article's own (which win where both speak)
        for name, text in (("site", article.get("site_lexicon")), ("lexicon", article.get("lexicon"))):
            if text:
                lexicon = work / f"{article['episode']}.{name}.toml"
                lexicon.write_text(text, encoding="utf-8")
                written.append(lexicon)
                lexicons = (*lexicons, str(lexicon))
        proof = article.get("proof")
        hearing = proof in ("report", "fix")
        item_options = replace(
            options,
            voice=article.get("voice") or article.get("section_voice") or options.voice,
            lexicons=lexicons,
            language=article.get("language") or options.language,
            quote_voice=article.get("quote_voice") or options.quote_voice,
            proof=proof if hearing else options.proof,
            word_timings=options.word_timings or hearing,  # findings carry their words' spans
        )
        item = BatchItem(source=source, key=f"article:{article['id']}", episode=article["episode"])
        previous = json.loads(article["record"]) if article.get("record") else None
        return narrate_item(item, str(Path(data) / EPISODES), item_options, previous)
    finally:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()


def _read_only_wanted(
    article: dict[str, Any], source: str, work: Path, written: list[Path], options: BatchOptions
) -> str:
    """The page with the site's reading rules applied (fetched first when it is a URL,
    its address kept in its metadata), as a file to narrate."""
    from audiogen.reading.decode import decode_document
    from audiogen.serve.site import apply_reading_rules

    if article["kind"] == "url":
        from audiogen.fetch import fetch_url

        fetched = fetch_url(source, allow_private=options.allow_private)
        html = decode_document(fetched.body, charset=fetched.charset, where=fetched.url)
        address = fetched.url.replace('"', "%22")
        html = html.replace("<head>", f'<head><meta property="og:url" content="{address}">', 1)
    else:
        html = Path(source).read_text(encoding="utf-8")
    rules = [(str(kind), str(selector)) for kind, selector in article["reading_rules"]]
    path = work / f"{article['episode']}.read.html"
    path.write_text(apply_reading_rules(html, rules), encoding="utf-8")
    written.append(path)
    return str(path)


class Runner:
    """Runs the queued jobs of ``store`` in ``jobs`` worker processes; ``prepare`` adds to
    each claimed article what the site sets for it (its pronunciations, reading rules,
    section voice, whether it is heard back)."""

    def __init__(
        self,
        store: Store,
        data: Path,
        options: BatchOptions,
        jobs: int = 1,
        finish: Callable[[int, str, dict[str, Any]], bool] | None = None,
        prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        timeout: float = RUNNER_TIMEOUT_S,
    ) -> None:
        self.store = store
        #: a runner whose heartbeat (on the database's clock) is older than this is taken for dead
        self.timeout = timeout
        self.prepare = prepare
        self.data = data
        self.options = options
        self.jobs = max(1, jobs)
        self.finish: Callable[[int, str, dict[str, Any]], bool] = finish or (
            lambda job_id, runner, record: articles.finish(store, job_id, runner, record)
        )
        #: ends of jobs not yet recorded: (claimed, record)
        self._unrecorded: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._running: dict[Future[dict[str, Any]], dict[str, Any]] = {}

    # -- life ------------------------------------------------------------------------------

    def start(self) -> None:
        (self.data / EPISODES / ".audiogen" / "claims").mkdir(parents=True, exist_ok=True)
        staging = self.data / EPISODES / ".audiogen" / "staging"
        staging.mkdir(parents=True, exist_ok=True)
        for leftover in staging.iterdir():  # what a killed service left half-made
            with contextlib.suppress(OSError):
                if time.time() - leftover.stat().st_mtime > STAGING_LEFTOVER_S:
                    shutil.rmtree(leftover, ignore_errors=True)
        self._beat()
        self.recover()
        self._thread = threading.Thread(target=self._loop, name="audiogen-runner", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Stop taking jobs, end the workers now, and give their jobs back to the queue."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(30)
        self._end_pool()
        self._record_pending()
        for job in list(self._running.values()):
            articles.requeue(self.store, job["job"]["id"], "the service stopped", counts=False)
        self._running.clear()
        self.store.execute("DELETE FROM runners WHERE id = ?", (self.id,))

    # -- the loop ----------------------------------------------------------------------------

    def _loop(self) -> None:
        last_beat = last_sweep = time.monotonic()
        while not self._stopping.is_set():
            try:
                if time.monotonic() - last_beat > HEARTBEAT_S:
                    self._beat()
                    last_beat = time.monotonic()
                if time.monotonic() - last_sweep > min(self.timeout / 2, 30.0):
                    self.recover()
                    last_sweep = time.monotonic()
                self._record_pending()
                self._fill()
                if self._running:
                    finished, _ = wait(list(self._running), timeout=0.5, return_when=FIRST_COMPLETED)
                    self._collect(finished)
                else:
                    self._wake.wait(0.5)
                    self._wake.clear()
            except Exception:  # the loop must outlive any one problem (a database hiccup)
                log.exception("the job runner hit a problem; going on")
                time.sleep(1)

    def _fill(self) -> None:
        while len(self._running) < self.jobs and not self._stopping.is_set():
            claimed = articles.claim(self.store, self.id)
            if claimed is None:
                return
            if self.prepare is not None:
                try:
                    claimed["article"] = {**claimed["article"], **self.prepare(claimed["article"])}
                except Exception:  # the site's settings could not be read: narrate without them
                    log.exception("job %s: the site's settings could not be read", claimed["job"]["id"])
            try:
                future = self._ensure_pool().submit(
                    run_job, claimed["job"], claimed["article"], str(self.data), self.options
                )
            except BrokenProcessPool:
                self._broken()
                future = self._ensure_pool().submit(
                    run_job, claimed["job"], claimed["article"], str(self.data), self.options
                )
            self._running[future] = claimed
            log.info("job %s: narrating article %s", claimed["job"]["id"], claimed["article"]["id"])

    def _collect(self, finished: set[Future[dict[str, Any]]]) -> None:
        broken = False
        for future in finished:
            claimed = self._running.pop(future)
            try:
                record = future.result()
            except BrokenProcessPool:
                broken = True
                articles.requeue(self.store, claimed["job"]["id"], "the worker process died while narrating it")
                continue
            except Exception as exc:  # the job could not even be sent or read back
                record = {"status": "failed", "error": f"unexpected {type(exc).__name__}: {exc}"}
            self._finished(claimed, record)
        if broken:
            self._broken()

    def _finished(self, claimed: dict[str, Any], record: dict[str, Any]) -> None:
        job, article = claimed["job"], claimed["article"]
        try:
            exists = self.finish(job["id"], self.id, record)
        except Exception as exc:
            log.warning("job %s: its end could not be recorded (%s); trying again", job["id"], exc)
            self._unrecorded.append((claimed, record))
            return
        if not exists:  # deleted while it was narrated
            remove_episode(self.data, article["episode"])
        log.info("job %s: %s", job["id"], record.get("status"))

    def _record_pending(self) -> None:
        pending, self._unrecorded = self._unrecorded, []
        for claimed, record in pending:
            self._finished(claimed, record)
        if self._unrecorded:
            time.sleep(0.5)

    def _broken(self) -> None:
        """The pool lost a worker: every job in flight goes back to the queue, counted."""
        for claimed in self._running.values():
            articles.requeue(self.store, claimed["job"]["id"], "the worker process died while narrating it")
        self._running.clear()
        self._end_pool()

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=start_process,
                initargs=(self.options,),
            )
        return self._pool

    def _end_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            end_pool(pool)

    # -- runners' health ----------------------------------------------------------------------

    def _beat(self) -> None:
        host, pid = socket.gethostname(), os.getpid()
        self.store.execute(
            "INSERT INTO runners (id, host, pid, heartbeat) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET heartbeat = excluded.heartbeat",
            (self.id, host, pid, self.store.clock()),
        )

    def recover(self) -> int:
        """Queue again the jobs of runners that are gone; how many."""
        alive = {self.id}
        host = socket.gethostname()
        clock = self.store.clock()
        for runner in self.store.rows("SELECT id, host, pid, heartbeat FROM runners"):
            if runner["id"] == self.id:
                continue
            dead = clock - float(runner["heartbeat"]) > self.timeout or (
                runner["host"] == host and not _process_alive(int(runner["pid"]))
            )
            if dead:
                self.store.execute("DELETE FROM runners WHERE id = ?", (runner["id"],))
            else:
                alive.add(runner["id"])
        orphans = [
            job
            for job in self.store.rows("SELECT id, runner FROM jobs WHERE state = 'running'")
            if job["runner"] not in alive
        ]
        for job in orphans:
            log.warning("job %s was left running by a service that stopped; queued again", job["id"])
            articles.requeue(self.store, job["id"], "the service stopped while narrating it")
        if orphans:
            self._wake.set()
        return len(orphans)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_episode(data: Path, episode: str) -> None:
    """An episode's files and its claim, gone."""
    folder = data / EPISODES / episode
    if folder.is_dir():
        trash = data / EPISODES / ".audiogen" / "staging" / f"deleted-{episode}-{uuid.uuid4().hex[:8]}"
        with contextlib.suppress(OSError):
            os.replace(folder, trash)
            folder = trash
        shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        (data / EPISODES / ".audiogen" / "claims" / episode).unlink()
