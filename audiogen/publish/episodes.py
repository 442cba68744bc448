"""Where a batch's episodes go: the output location (a local folder, written with atomic
renames, or an fsspec URL) and ``manifest.json``, the record of every item.

An episode is laid out in a staging folder and moved into place whole; claims (one file
per episode) make sure two items that turn out to be the same article are narrated once,
even by workers on different machines.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from audiogen.errors import SourceError
from audiogen.files import umask, write_atomically

log = logging.getLogger("audiogen")

MANIFEST = "manifest.json"
EPISODE_RECORD = "episode.json"
_STATE = ".audiogen"  # staging, claims: the batch's own bookkeeping inside the output
_MANIFEST_VERSION = 1


# -- where episodes go ------------------------------------------------------------------


class Output:
    """The output location: a local folder (atomic renames) or an fsspec URL."""

    def __init__(self, location: str | Path) -> None:
        self.location = str(location).rstrip("/") or "/"
        self.remote = "://" in self.location and not self.location.startswith("file://")
        if self.remote:
            try:
                import fsspec
            except ImportError:
                raise SourceError(
                    f"writing to {self.location} needs fsspec", hint="pip install 'audiogen[dask]'"
                ) from None
            self.fs, self.root = fsspec.core.url_to_fs(self.location)
        else:
            self.folder = Path(self.location.removeprefix("file://"))

    @property
    def name(self) -> str:
        """The folder's own name (the last part of the location)."""
        return self.location.rstrip("/").rsplit("/", 1)[-1] or self.location

    def prepare(self) -> None:
        """Make the folder ready and take it for this run: a second batch on the same
        folder is refused while this one runs (the lock goes with the process, so a
        killed run never leaves it taken)."""
        if self.remote:
            self.fs.makedirs(f"{self.root}/{_STATE}/claims", exist_ok=True)
            return
        try:
            (self.folder / _STATE / "claims").mkdir(parents=True, exist_ok=True)
            (self.folder / _STATE / "staging").mkdir(exist_ok=True)
        except OSError as exc:
            raise SourceError(f"cannot write to {self.folder}: {exc.strerror or exc}") from None
        if not os.access(self.folder, os.W_OK | os.X_OK):
            raise SourceError(f"cannot write to {self.folder}: permission denied")
        self._lock: IO[str] | None = _take_lock(self.folder / _STATE / LOCK_FILE, self.folder)
        # what a killed run left half-made
        for leftover in (self.folder / _STATE / "staging").iterdir():
            shutil.rmtree(leftover, ignore_errors=True)

    def release(self) -> None:
        """Let another batch use the folder."""
        lock = getattr(self, "_lock", None)
        if lock is not None:
            lock.close()
            self._lock = None

    def read_text(self, name: str) -> str | None:
        try:
            if self.remote:
                with self.fs.open(f"{self.root}/{name}", "r", encoding="utf-8") as handle:
                    return str(handle.read())
            return (self.folder / name).read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None

    def write_text(self, name: str, text: str) -> None:
        if self.remote:
            with self.fs.open(f"{self.root}/{name}", "w", encoding="utf-8") as handle:
                handle.write(text)
            return
        write_atomically(self.folder / name, text)

    def exists(self, name: str) -> bool:
        return bool(self.fs.exists(f"{self.root}/{name}")) if self.remote else (self.folder / name).exists()

    def episodes(self) -> Iterator[str]:
        """The episode folders present."""
        if self.remote:
            try:
                found = self.fs.ls(self.root, detail=False)
            except FileNotFoundError:  # (object storage has no empty folders: nothing yet)
                return
            for path in found:
                name = str(path).rstrip("/").rsplit("/", 1)[-1]
                if not name.startswith(".") and self.fs.isdir(path):
                    yield name
            return
        if self.folder.is_dir():
            for path in sorted(self.folder.iterdir()):
                if path.is_dir() and not path.name.startswith("."):
                    yield path.name

    def claim(self, episode: str, key: str) -> str:
        """Make ``key`` the owner of ``episode`` unless another key owns it; the owner."""
        name = f"{_STATE}/claims/{episode}"
        if self.remote:
            owner = self.read_text(name)
            if owner is None:
                self.write_text(name, key)
                return key
            return owner
        path = self.folder / name
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return path.read_text(encoding="utf-8") or key
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(key)
        return key

    def staging(self) -> Path:
        """A new empty folder in which to lay out an episode."""
        base = self.folder / _STATE / "staging" if not self.remote else None
        folder = Path(tempfile.mkdtemp(prefix="episode-", dir=base))
        folder.chmod(0o777 & ~umask())  # mkdtemp makes it private; episodes are published
        return folder

    def publish(self, staged: Path, episode: str) -> None:
        """Put the staged episode in place, whole, replacing an older one."""
        if self.remote:
            # each file uploaded whole over the one it replaces (never a moment without the
            # episode), then the files the new version no longer has removed
            remote = f"{self.root}/{episode}"
            names = {path.name for path in staged.iterdir() if path.is_file()}
            for name in sorted(names):
                self.fs.put_file(str(staged / name), f"{remote}/{name}")
            with contextlib.suppress(FileNotFoundError):
                for old in self.fs.ls(remote, detail=False, refresh=True):
                    if str(old).rstrip("/").rsplit("/", 1)[-1] not in names:
                        self.fs.rm(old, recursive=True)
            shutil.rmtree(staged, ignore_errors=True)
            return
        target = self.folder / episode
        old = None
        if target.exists():
            old = self.folder / _STATE / "staging" / f"old-{episode}-{uuid.uuid4().hex[:8]}"
            os.replace(target, old)
        os.replace(staged, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


LOCK_FILE = "lock"


def _take_lock(path: Path, folder: Path) -> IO[str]:
    """An exclusive lock on ``path`` held by the returned open file, or a clear error
    when another process holds it."""
    handle = path.open("a+", encoding="utf-8")
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise SourceError(
            f"another batch is running on {folder}" + (f" (process {holder})" if holder.isdigit() else ""),
            hint="wait for it to finish, or give another --out",
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


# -- the manifest ---------------------------------------------------------------------


class Manifest:
    """Every item's record, keyed by the item's canonical key; saved atomically."""

    #: above this many records, saving after every item would cost more than narrating
    THROTTLE_AFTER = 2000

    def __init__(self, output: Output) -> None:
        self.output = output
        self.items: dict[str, dict[str, Any]] = {}
        self.created = now()
        self._saved = 0.0

    def load(self) -> Manifest:
        text = self.output.read_text(MANIFEST)
        if text:
            try:
                data = json.loads(text)
                self.items = dict(data.get("items", {}))
                self.created = data.get("created", self.created)
            except (json.JSONDecodeError, AttributeError, TypeError):
                log.warning("%s is damaged; rebuilding it from the episode folders", MANIFEST)
        # records of episodes finished after the last save (a run killed in between)
        for episode in self.output.episodes():
            record_text = self.output.read_text(f"{episode}/{EPISODE_RECORD}")
            if not record_text:
                continue
            try:
                record = json.loads(record_text)["record"]
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
            key = record.get("key")
            known = self.items.get(key) if key else None
            if key and (known is None or known.get("status") != "done" or known.get("updated", "") < record["updated"]):
                self.items[key] = record
        return self

    def put(self, record: dict[str, Any]) -> None:
        self.items[record["key"]] = record
        if len(self.items) <= self.THROTTLE_AFTER or time.monotonic() - self._saved > 2.0:
            self.save()

    def save(self) -> None:
        data = {"version": _MANIFEST_VERSION, "created": self.created, "updated": now(), "items": self.items}
        self.output.write_text(MANIFEST, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
        self._saved = time.monotonic()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
