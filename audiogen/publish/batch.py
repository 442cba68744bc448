"""Many sources → many episodes, in parallel, resumable, one failure never the batch's end.

The output folder holds one folder per episode (audio, captions, chapters, timings and
``episode.json``, the article's metadata and the item's record) and ``manifest.json``,
the record of every item: source, content hash, status, files, duration, error. Both
are written atomically. An episode is laid out in a staging folder and moved into
place whole; its record goes into the manifest as soon as it is done, so killing the
batch at any moment loses nothing finished (a record the manifest missed is read back
from the episode's own ``episode.json`` on the next run).

Items run in worker processes (``jobs``), each with its own speech engine kept for all
its items, or as tasks on a Dask cluster (``scheduler``), whose workers write episodes
to a shared output location (a path, or an fsspec URL) while this process merges the
manifest. Re-running skips what is done and unchanged, narrates again what changed,
and retries what failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from audiogen.conversion import ConvertOptions
from audiogen.errors import AudiogenError, SourceError
from audiogen.proof.listen import DEFAULT_MODEL
from audiogen.publish.episodes import EPISODE_RECORD, MANIFEST, Manifest, Output, now
from audiogen.publish.sources import BatchItem, ListingError, canonical_url, is_url, list_sources

log = logging.getLogger("audiogen")


@dataclass(frozen=True)
class BatchOptions(ConvertOptions):
    """How each episode is narrated and written (those of ``convert``), the same for
    every item of a batch. ``artist`` tags episodes whose article names no author and no
    site (the podcast's author; by default the output folder's name)."""

    audio_format: str = "mp3"
    #: speech engines registered at run time in this process (import paths), for the workers
    engines: dict[str, str] = field(default_factory=dict)
    #: threads each worker's engine may use (the batch is parallel across items)
    engine_threads: int | None = 1
    #: hear each episode back: "report" (its OUT.proof.json and .html) or "fix" (re-voice)
    proof: str | None = None
    asr_model: str = DEFAULT_MODEL
    #: the model that hears again what the first flags ("auto": base when installed)
    confirm_model: str | None = "auto"
    #: None: the default for the models used (see ``proof.check``)
    proof_threshold: float | None = None

    def fingerprint(self) -> str:
        """What changes the episode's files: a different fingerprint narrates again."""
        settings = asdict(self)
        for key in (
            "cache",
            "timeout",
            "allow_private",
            "engines",
            "engine_threads",
            "proof",
            "asr_model",
            "confirm_model",
            "proof_threshold",
        ):
            settings.pop(key)
        for key, default in _LATER_FIELDS.items():
            if settings[key] == default:
                settings.pop(key)  # so episodes narrated before these existed stay unchanged
        if settings.get("lexicons"):
            # a lexicon is what its file says: the same file edited narrates again
            settings["lexicons"] = [_file_digest(path) for path in settings["lexicons"]]
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def _file_digest(path: str) -> str:
    """A file's content hash (its path when it cannot be read: the narration reports that)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return str(path)


#: options added after the first batches were narrated, with their defaults
_LATER_FIELDS: dict[str, object] = {
    "intro": None,
    "outro": None,
    "music": None,
    "music_level_db": -20.0,
    "artist": None,
    "cover_image": None,
    "quote_voice": None,
    "language": None,
}


@dataclass
class BatchResult:
    """What a batch did: counts by outcome, and the failures (source, message)."""

    done: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    audio_seconds: float = 0.0
    manifest: Path | str = ""
    #: episodes proof-listening flagged: (source, heard-word accuracy, sentences flagged)
    to_listen: list[tuple[str, float, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


#: called after each item with (record, totals so far: done, failed, queued, audio seconds)
BatchProgress = Callable[[dict[str, Any], dict[str, float]], None]


def episode_id(key: str) -> str:
    """A folder name for the episode of ``key``: readable, stable, unique."""
    tail = key.rstrip("/").rsplit("/", 1)[-1] if "/" in key else key
    tail = re.sub(r"\.(html?|xhtml|md|markdown|txt|php|aspx?)$", "", tail, flags=re.IGNORECASE)
    slug = re.sub(r"[^a-z0-9]+", "-", tail.lower()).strip("-")[:60].rstrip("-") or "episode"
    return f"{slug}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


# -- one episode (runs in a worker process) ------------------------------------------

_workers: dict[str, Any] = {}


def narrate_item(
    item: BatchItem, location: str, options: BatchOptions, previous: dict[str, Any] | None
) -> dict[str, Any]:
    """Load, narrate and write one item's episode; its record. Never raises for a
    problem of the item (its record says ``failed``): the batch goes on."""
    started = time.monotonic()
    _prepare_process(options)
    record = _record_of(item)
    record["attempts"] = int((previous or {}).get("attempts", 0)) + 1
    record["first_done"] = (previous or {}).get("first_done")
    try:
        record.update(_narrate_item(item, Output(location), options, previous))
    except AudiogenError as exc:
        record.update(status="failed", error=exc.message)
    except Exception as exc:  # a bug or an engine's crash of a kind we did not foresee
        log.debug("item %s failed", item.source, exc_info=True)
        record.update(status="failed", error=f"unexpected {type(exc).__name__}: {exc}")
    record["seconds"] = round(time.monotonic() - started, 2)
    record["updated"] = now()
    if record["status"] == "done" and not record.get("first_done"):
        record["first_done"] = record["updated"]
    return record


def _narrate_item(
    item: BatchItem, output: Output, options: BatchOptions, previous: dict[str, Any] | None
) -> dict[str, Any]:
    from audiogen.conversion import convert
    from audiogen.pipeline import load
    from audiogen.voices import resolve_voice

    article = load(item.source, allow_private=options.allow_private)
    canonical = item.key
    if article.url and is_url(article.url):
        canonical = canonical_url(article.url)
    episode = item.episode or episode_id(canonical)
    owner = output.claim(episode, item.key)
    if owner != item.key:
        return {"status": "duplicate", "duplicate_of": owner, "canonical": canonical, "episode": episode}
    content_hash = hashlib.sha256(f"{options.fingerprint()}:{article.source_hash}".encode()).hexdigest()[:32]
    if (
        previous
        and previous.get("status") == "done"
        and previous.get("content_hash") == content_hash
        and all(output.exists(f"{previous.get('episode')}/{name}") for name in previous.get("files", []))
    ):
        return {**_kept(previous), "status": "done", "unchanged": True}

    preset = resolve_voice(options.voice)
    staged = output.staging()
    try:
        target = staged / f"{episode}.{options.audio_format}"
        proof = _proof(options, article, target, item.source, output) if options.proof == "fix" else None
        result = convert(
            article,
            target,
            _convert_options(options, output),
            worker=_worker(preset, options.timeout),
            origin=item.source,
            respoken=proof.respoken if proof is not None else None,
        )
        narration, paths = result.narration, result.paths
        if options.proof == "report":
            proof = _proof(options, article, target, item.source, output)
        if proof is not None:
            paths = [*paths, *proof.files]
        record = {
            "status": "done",
            "unchanged": False,
            "error": None,
            "canonical": canonical,
            "episode": episode,
            "content_hash": content_hash,
            "files": [p.name for p in paths] + [EPISODE_RECORD],
            "audio": paths[0].name,
            "duration_ms": narration.duration_ms,
            "bytes": paths[0].stat().st_size,
            "title": article.title,
            "published": article.published,
            "sentences_synthesized": result.sentences_synthesized,
            "sentences_cached": result.sentences_cached,
            "streamed": result.streamed,
        }
        if proof is not None:
            record.update(
                proof_accuracy=round(proof.report.accuracy, 4),
                proof_flagged=len(proof.report.flagged),
                proof_revoiced=len(proof.respoken),
            )
        metadata = {
            "title": article.title,
            "byline": article.byline,
            "published": article.published,
            "language": article.language,
            "url": article.url,
            "site_name": article.site_name,
            "description": article.description,
            "image": article.image,
            "source_hash": article.source_hash,
        }
        full = {**record, "key": item.key, "source": item.source, "updated": now()}
        (staged / EPISODE_RECORD).write_text(
            json.dumps({"article": metadata, "record": full}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        output.publish(staged, episode)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return record


@dataclass
class _Proofed:
    report: Any
    files: list[Path]
    #: the re-voiced sentences (index → words), for the episode's final narration
    respoken: dict[int, str]


def _proof(options: BatchOptions, article: Any, target: Path, origin: str, output: Output) -> _Proofed | None:
    """Hear the episode back (``fix``: narrate it, re-voicing what was heard wrong) and
    write its report beside it; ``None`` when the recognizer does not hear the article's
    language (an English-only model and an article in Spanish: narrated, not heard back)."""
    from audiogen.proof import proof_narration, repair, write_report

    language = str(getattr(article, "language", None) or "en").split("-")[0].lower()
    if language != "en" and (options.asr_model.endswith(".en") or Path(options.asr_model).name.endswith(".en")):
        log.info("not heard back: %s hears only English and the article is in %r", options.asr_model, language)
        return None

    recognizer = _recognizer(options.asr_model, options.confirm_model)
    if options.proof == "fix":
        report = repair(
            article,
            target,
            _convert_options(options, output),
            recognizer=recognizer,
            threshold=options.proof_threshold,
            origin=origin,
        )
        respoken = dict(report.respoken)
    else:
        report = proof_narration(target, recognizer=recognizer, threshold=options.proof_threshold)
        respoken = {}
    return _Proofed(report, list(write_report(report, target)), respoken)


_recognizers: dict[str, Any] = {}


def _recognizer(model: str, confirm: str | None) -> Any:
    """This process's recognizer, loaded once for all its items."""
    from audiogen.proof import Recognizer

    key = f"{model}+{confirm}"
    if key not in _recognizers:
        _recognizers[key] = Recognizer(model, confirm=confirm)
    return _recognizers[key]


def _convert_options(options: BatchOptions, output: Output) -> ConvertOptions:
    """The batch's options as one item's (episodes without an author or a site are
    tagged with the output folder's name unless the batch names an artist)."""
    settings = {f.name: getattr(options, f.name) for f in fields(ConvertOptions)}
    return ConvertOptions(**{**settings, "artist": options.artist or output.name})


def _kept(previous: dict[str, Any]) -> dict[str, Any]:
    fields = ("canonical", "episode", "content_hash", "files", "audio", "duration_ms", "bytes", "title", "published")
    return {name: previous.get(name) for name in fields} | {"error": None}


def _prepare_process(options: BatchOptions, *, start_engine: bool = False) -> None:
    """Set this worker process up for ``options``: the engines registered in the batch's
    process, the engine's threads, and (``start_engine``) the engine itself, whose model
    then loads while the first article is fetched and read."""
    from audiogen.backends import registry

    for name, target in options.engines.items():
        registry.register(name, target)
    if options.engine_threads:
        os.environ["AUDIOGEN_ENGINE_THREADS"] = str(options.engine_threads)
    if start_engine:
        from audiogen.voices import resolve_voice

        with contextlib.suppress(AudiogenError):  # a bad voice is each item's error to report
            _worker(resolve_voice(options.voice), options.timeout)


def start_process(options: BatchOptions) -> None:
    """A worker process's initializer: set up for ``options``, the engine started."""
    from audiogen.backends.worker import end_with_parent

    end_with_parent()
    _prepare_process(options, start_engine=True)


def _worker(preset: Any, timeout: float) -> Any:
    """This process's engine for ``preset``, started once and kept for all its items."""
    import atexit

    from audiogen.pipeline import start_worker

    key = f"{preset.engine}:{preset.voice}"
    worker = _workers.get(key)
    if worker is None:
        worker = start_worker(preset, timeout=timeout)
        _workers[key] = worker
        if len(_workers) == 1:
            atexit.register(_close_workers)
    return worker


def _close_workers() -> None:
    for worker in _workers.values():
        with contextlib.suppress(Exception):
            worker.close()
    _workers.clear()


# -- the batch ------------------------------------------------------------------------


def run_batch(
    sources: Iterable[str],
    out: str | Path,
    options: BatchOptions | None = None,
    *,
    urls_file: str | None = None,
    since: datetime | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: BatchProgress | None = None,
) -> BatchResult:
    """Narrate every article the sources list into ``out``; see the module's text."""
    from audiogen.backends import registry

    options = options or BatchOptions()
    if not options.engines:
        options = BatchOptions(**{**asdict(options), "engines": registry.registered()})
    output = Output(out)
    output.prepare()
    try:
        return _run(sources, output, options, urls_file, since, jobs, scheduler, progress)
    finally:
        output.release()


def _run(
    sources: Iterable[str],
    output: Output,
    options: BatchOptions,
    urls_file: str | None,
    since: datetime | None,
    jobs: int | None,
    scheduler: str | None,
    progress: BatchProgress | None,
) -> BatchResult:
    manifest = Manifest(output).load()
    result = BatchResult(manifest=output.location + "/" + MANIFEST)
    exclude = None if output.remote else output.folder
    listed = list_sources(
        sources, urls_file=urls_file, since=since, allow_private=options.allow_private, exclude=exclude
    )
    items = _new_items(listed, manifest, result)
    totals = {"done": 0.0, "failed": 0.0, "queued": 0.0, "audio_seconds": 0.0}

    def record_done(record: dict[str, Any]) -> None:
        manifest.put(record)
        status = record["status"]
        if status == "done" and record.get("unchanged"):
            result.unchanged += 1
        elif status == "done":
            result.done += 1
            result.audio_seconds += (record.get("duration_ms") or 0) / 1000
            if record.get("proof_flagged"):
                result.to_listen.append((record["source"], record["proof_accuracy"], record["proof_flagged"]))
        elif status == "duplicate":
            result.duplicates += 1
        else:
            result.failed.append((record["source"], record.get("error") or "failed"))
        totals["done"] += status != "failed"
        totals["failed"] += status == "failed"
        totals["audio_seconds"] = result.audio_seconds
        if progress is not None:
            progress(record, totals)

    def work() -> Iterator[tuple[BatchItem, dict[str, Any] | None]]:
        for item in items:
            totals["queued"] += 1
            yield item, manifest.items.get(item.key)

    counted = work()
    try:
        if scheduler:
            _run_on_dask(scheduler, counted, output.location, options, record_done)
        else:
            _run_locally(counted, output.location, options, jobs or os.cpu_count() or 1, record_done)
    finally:
        manifest.save()
    if totals["queued"] == 0 and result.unchanged == 0 and result.duplicates == 0 and result.failed:
        # nothing could even be listed: the source itself is the error
        raise SourceError(result.failed[0][1])
    return result


def _new_items(
    listed: Iterator[BatchItem | ListingError], manifest: Manifest, result: BatchResult
) -> Iterator[BatchItem]:
    """Items once each (by canonical key), less feed entries already narrated and
    listed pages whose listing date says they did not change."""
    seen: set[str] = set()
    for entry in listed:
        if isinstance(entry, ListingError):
            result.failed.append((entry.source, entry.message))
            continue
        if entry.key in seen:
            continue
        seen.add(entry.key)
        known = manifest.items.get(entry.key)
        listed_same = entry.from_feed or (entry.modified and entry.modified == (known or {}).get("listed_modified"))
        if known and known.get("status") in ("done", "duplicate") and listed_same:
            result.unchanged += known["status"] == "done"
            result.duplicates += known["status"] == "duplicate"
            continue
        yield entry


def _run_locally(
    work: Iterator[tuple[BatchItem, dict[str, Any] | None]],
    location: str,
    options: BatchOptions,
    jobs: int,
    record_done: Callable[[dict[str, Any]], None],
) -> None:
    """A pool of ``jobs`` processes, at most two items each in flight: the list of items
    is read as the work goes, never held whole. When a worker process dies, the items
    in flight are recorded as failed (the next run retries them) and a new pool takes
    the rest."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    pending = iter(work)
    exhausted = False
    while not exhausted:
        broken = False
        with (
            ProcessPoolExecutor(
                max_workers=jobs, mp_context=context, initializer=start_process, initargs=(options,)
            ) as pool,
            _stopped_at_once(pool),
        ):
            running: dict[Future[dict[str, Any]], BatchItem] = {}
            while True:
                while not exhausted and len(running) < 2 * jobs:
                    pair = next(pending, None)
                    if pair is None:
                        exhausted = True
                        break
                    item, previous = pair
                    running[pool.submit(narrate_item, item, location, options, previous)] = item
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    item = running.pop(future)
                    try:
                        record_done(future.result())
                    except BrokenProcessPool:
                        broken = True
                        record_done(_failure(item, "the worker process died while narrating it"))
                if broken:
                    for item in running.values():
                        record_done(_failure(item, "the worker process died while narrating another item"))
                    running.clear()
                    break
        if not broken:
            break


@contextlib.contextmanager
def _stopped_at_once(pool: ProcessPoolExecutor) -> Iterator[None]:
    """On Ctrl-C or SIGTERM, end the worker processes now rather than wait for the items
    they are narrating (their staged episodes are cleared by the next run)."""
    try:
        yield
    except BaseException:
        end_pool(pool)
        raise


def end_pool(pool: ProcessPoolExecutor) -> None:
    """End a pool's worker processes now, whatever they are doing."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(5)


def _run_on_dask(
    address: str,
    work: Iterator[tuple[BatchItem, dict[str, Any] | None]],
    location: str,
    options: BatchOptions,
    record_done: Callable[[dict[str, Any]], None],
) -> None:
    """Each episode one task on the cluster at ``address``; the workers write the
    episodes to ``location``, which they must all reach (a shared path or an fsspec URL)."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise SourceError(
            "running on a Dask cluster needs dask.distributed", hint="pip install 'audiogen[dask]'"
        ) from None
    try:
        client = Client(address, timeout=30, set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise SourceError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        pending = iter(work)
        queue = as_completed(loop=client.loop)  # type: ignore[no-untyped-call]
        items: dict[Any, BatchItem] = {}

        def submit() -> bool:
            pair = next(pending, None)
            if pair is None:
                return False
            item, previous = pair
            future = client.submit(narrate_item, item, location, options, previous, pure=False, retries=0)
            items[future.key] = item
            queue.add(future)  # type: ignore[no-untyped-call]
            return True

        for _ in range(2 * workers):
            if not submit():
                break
        for future in queue:
            item = items.pop(future.key)
            try:
                record = future.result()
            except Exception as exc:  # the task itself died (a lost worker)
                record = _failure(item, f"the Dask task failed: {type(exc).__name__}: {exc}")
            record_done(record)
            future.release()
            submit()
    finally:
        client.close()  # type: ignore[no-untyped-call]


def _record_of(item: BatchItem) -> dict[str, Any]:
    """What every record says of its item."""
    return {"key": item.key, "source": item.source, "origin": item.origin, "listed_modified": item.modified}


def _failure(item: BatchItem, message: str) -> dict[str, Any]:
    return {**_record_of(item), "status": "failed", "error": message, "updated": now()}
