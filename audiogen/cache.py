"""A content-addressed cache of synthesized sentences, so that narrating an article again
costs nothing and narrating an edited one costs only the sentences that changed; beside
them, the MP3 blocks the narrations were encoded in, keyed by their samples.

An entry is keyed by what decides the sound: the engine, the voice, the settings and the
exact text the voice is given. It lives in the user cache folder (``platformdirs``;
``AUDIOGEN_CACHE_DIR`` overrides), one file per sentence under a two-letter fan-out,
written under a temporary name and renamed, so concurrent runs never see half an entry.
Each file carries a checksum of its content and a digest of its key: a damaged entry,
or one that is not the entry asked for (a file copied or renamed into another's place),
is deleted and the sentence synthesized again. The folder is kept under a size cap (``AUDIOGEN_CACHE_SIZE``, default
2 GB) by deleting the entries used least recently.

Nodes of a service may share a second tier (``AUDIOGEN_CACHE_SHARED``, an fsspec URL such
as ``s3://BUCKET/cache``): an entry missing from the local folder is looked up there (and
kept locally), and every new entry is written there too, each object whole; so a sentence
one node synthesized is not synthesized again by another. The shared tier is checked like
the local one (checksum and key digest), and a store that fails only costs the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import struct
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiogen.article import Clip
from audiogen.errors import AudiogenError
from audiogen.files import remove_stale_parts, write_atomically

log = logging.getLogger("audiogen")

#: bump when the meaning of an entry changes, so old entries are never misread
FORMAT_VERSION = 2
DEFAULT_MAX_BYTES = 2 * 1024**3
_MAGIC = b"AGCLIP2\x00"
# magic, blake2b-128 of the key, sample rate, sample count, length of the words JSON,
# blake2b-128 of the payload
_HEADER = struct.Struct("<8s16sIQI16s")
_SUFFIX = ".clip"
# encoded MP3 blocks (``audiogen.audio.mp3splice``): magic, blake2b-128 of the key and of the payload
_BLOCK_MAGIC = b"AGMP3B2\x00"
_BLOCK_HEADER = struct.Struct("<8s16s16s")
_BLOCK_SUFFIX = ".mp3blk"
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def default_folder() -> Path:
    override = os.environ.get("AUDIOGEN_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("audiogen", appauthor=False)) / "clips"


def parse_size(text: str) -> int:
    """``"2GB"``, ``"500 MB"``, ``"750m"``, ``"1048576"`` → bytes."""
    match = _SIZE.match(text)
    if not match:
        raise AudiogenError(f"cannot read the cache size '{text}'", hint="write it like 500MB or 2GB")
    scale = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def default_max_bytes() -> int:
    setting = os.environ.get("AUDIOGEN_CACHE_SIZE")
    return parse_size(setting) if setting else DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class CacheInfo:
    folder: Path
    entries: int
    bytes: int
    max_bytes: int


class SharedTier:
    """Cache entries in an fsspec location shared by several machines."""

    def __init__(self, url: str) -> None:
        import fsspec

        self.url = url.rstrip("/")
        self.fs, root = fsspec.core.url_to_fs(self.url)
        self.root = str(root).rstrip("/")
        self.failed = 0

    def _path(self, name: str) -> str:
        return f"{self.root}/{name[:2]}/{name}"

    def read(self, name: str) -> bytes | None:
        try:
            return bytes(self.fs.cat_file(self._path(name)))
        except FileNotFoundError:
            return None
        except Exception as exc:  # a store that fails costs the cache only
            self._failed("read", exc)
            return None

    def write(self, name: str, data: bytes) -> None:
        try:
            self.fs.pipe_file(self._path(name), data)
        except Exception as exc:
            self._failed("write", exc)

    def _failed(self, doing: str, exc: BaseException) -> None:
        self.failed += 1
        report = log.warning if self.failed == 1 else log.debug
        report("cannot %s the shared clip cache %s: %s", doing, self.url, " ".join(str(exc).split()))


def shared_tier() -> SharedTier | None:
    """The shared tier ``AUDIOGEN_CACHE_SHARED`` names, if any (one per process)."""
    url = os.environ.get("AUDIOGEN_CACHE_SHARED")
    if not url:
        return None
    global _SHARED
    if _SHARED is None or _SHARED.url != url.rstrip("/"):
        try:
            _SHARED = SharedTier(url)
        except (ImportError, ValueError) as exc:
            raise AudiogenError(
                f"cannot use {url} as a shared cache: {exc}", hint="pip install 'audiogen[s3]'"
            ) from None
    return _SHARED


_SHARED: SharedTier | None = None


class ClipCache:
    """Sentences' audio by (engine, voice, settings, spoken text)."""

    def __init__(self, folder: str | Path | None = None, *, max_bytes: int | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()
        self.max_bytes = default_max_bytes() if max_bytes is None else max_bytes
        self.hits = 0
        self.misses = 0
        self.discarded = 0
        self.writes_failed = 0
        self.shared = shared_tier()

    def _from_shared(self, path: Path, good: Callable[[bytes], bool]) -> bool:
        """Fetch ``path``'s entry from the shared tier into the local folder when it is
        there and passes ``good`` (a check of the entry's bytes); whether it did."""
        if self.shared is None:
            return False
        data = self.shared.read(path.name)
        if data is None or not good(data):
            return False
        self._store(path, data, share=False)
        return True

    @staticmethod
    def key(engine: str, voice: str, settings: Mapping[str, object], text: str) -> str:
        identity = json.dumps(
            {"v": FORMAT_VERSION, "engine": engine, "voice": voice, "settings": dict(settings), "text": text},
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(identity.encode("utf-8")).hexdigest()

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / (key + _SUFFIX)

    def contains(self, key: str) -> bool:
        """Whether there is a whole entry for ``key``: its header read and its length
        checked (a truncated entry is deleted here; a damaged payload is found on read)."""
        path = self.path(key)
        if not path.exists() and not self._from_shared(path, lambda data: _decode(data, key, "") is not None):
            return False
        try:
            with path.open("rb") as handle:
                header = handle.read(_HEADER.size)
                size = os.fstat(handle.fileno()).st_size
        except OSError:
            return False
        if len(header) == _HEADER.size:
            magic, key_digest, _, count, words_length, _ = _HEADER.unpack(header)
            if magic == _MAGIC and key_digest == _digest(key) and size == _HEADER.size + count * 2 + words_length:
                return True
        log.warning("damaged cache entry %s deleted; the sentence is synthesized again", path.name)
        path.unlink(missing_ok=True)
        self.discarded += 1
        return False

    def get(self, key: str, text: str = "") -> Clip | None:
        """The cached clip, or ``None`` (a damaged entry is deleted and counts as a miss)."""
        path = self.path(key)
        if not path.exists():
            self._from_shared(path, lambda data: _decode(data, key, "") is not None)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError as exc:
            log.warning("cannot read cache entry %s: %s", path.name, exc)
            self.misses += 1
            return None
        clip = _decode(data, key, text)
        if clip is None:
            log.warning("damaged cache entry %s deleted; the sentence is synthesized again", path.name)
            path.unlink(missing_ok=True)
            self.discarded += 1
            self.misses += 1
            return None
        self.hits += 1
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: last in line for eviction
        return clip

    def put(self, key: str, clip: Clip) -> None:
        """Store ``clip``; a full disk or a read-only folder only costs the cache."""
        self._store(self.path(key), _encode(key, clip))

    def get_block(self, key: str) -> bytes | None:
        """An encoded MP3 block stored under ``key``, or ``None`` (a damaged one is deleted)."""
        path = self._block_path(key)
        if not path.exists():
            self._from_shared(path, lambda data: _block_good(data, key))
        try:
            data = path.read_bytes()
        except OSError:
            return None
        payload = data[_BLOCK_HEADER.size :]
        if not _block_good(data, key):
            log.warning("damaged cache entry %s deleted; the block is encoded again", path.name)
            path.unlink(missing_ok=True)
            self.discarded += 1
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return payload

    def put_block(self, key: str, data: bytes) -> None:
        header = _BLOCK_HEADER.pack(_BLOCK_MAGIC, _digest(key), _digest(data))
        self._store(self._block_path(key), header + data)

    def _block_path(self, key: str) -> Path:
        return self.folder / key[:2] / (key + _BLOCK_SUFFIX)

    def _store(self, path: Path, data: bytes, *, share: bool = True) -> None:
        """Write an entry whole or not at all (and to the shared tier); a full disk or a
        read-only folder only costs the cache."""
        if share and self.shared is not None:
            self.shared.write(path.name, data)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, data)
        except OSError as exc:
            self.writes_failed += 1
            # said once: a read-only cache would otherwise say it for every sentence
            report = log.warning if self.writes_failed == 1 else log.debug
            report("cannot write to the clip cache in %s: %s", self.folder, exc.strerror or exc)

    def _entries(self) -> Iterator[os.DirEntry[str]]:
        if not self.folder.is_dir():
            return
        for sub in os.scandir(self.folder):
            if not sub.is_dir() or len(sub.name) != 2:
                continue
            for entry in os.scandir(sub.path):
                if entry.name.endswith((_SUFFIX, _BLOCK_SUFFIX)) and entry.is_file():
                    yield entry

    def info(self) -> CacheInfo:
        count = size = 0
        for entry in self._entries():
            count += 1
            size += entry.stat().st_size
        return CacheInfo(self.folder, count, size, self.max_bytes)

    def clear(self) -> int:
        """Delete every entry; return how many there were."""
        (self.folder / LEVELS_FILE).unlink(missing_ok=True)
        removed = 0
        for entry in list(self._entries()):
            try:
                os.unlink(entry.path)
                removed += 1
            except FileNotFoundError:
                pass
        return removed

    def evict(self) -> int:
        """Delete the least recently used entries until the cache fits its cap (and the
        parts of entries whose writer was killed)."""
        if self.folder.is_dir():
            for sub in os.scandir(self.folder):
                if sub.is_dir() and len(sub.name) == 2:
                    remove_stale_parts(Path(sub.path))
        entries = []
        total = 0
        for entry in self._entries():
            try:
                stat = entry.stat()
            except FileNotFoundError:
                continue
            entries.append((stat.st_mtime, stat.st_size, entry.path))
            total += stat.st_size
        removed = 0
        if total <= self.max_bytes:
            return 0
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            total -= size
            removed += 1
        return removed


LEVELS_FILE = "levels.json"
MAX_LEVELS = 2000
#: a remembered gain beyond this is not one mastering ever used
MAX_GAIN_DB = 100.0


class LevelMemory:
    """The mastering gain that brought an article, read by a voice, to the loudness
    target last time. Re-narrating it (most of it from the clip cache) can then be
    mastered and encoded while it is assembled instead of after; the result is measured
    and redone the usual way if the article's loudness moved too far."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.path = (Path(folder) if folder is not None else default_folder()) / LEVELS_FILE

    @staticmethod
    def key(*parts: object) -> str:
        return hashlib.sha256(json.dumps([str(p) for p in parts]).encode("utf-8")).hexdigest()[:32]

    def _read(self) -> dict[str, Level]:
        """The remembered gains (and places held lower); a damaged file (or a damaged
        value in it) is only a memory lost: the next narration masters the usual way and
        writes it anew."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict):
            return {}
        levels: dict[str, Level] = {}
        for key, value in data.items():
            if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) <= MAX_GAIN_DB:
                levels[str(key)] = float(value)  # NaN and infinities fail the comparison
            elif isinstance(value, list) and (spots := _spots(value)) is not None:
                levels[str(key)] = spots
        return levels

    def get(self, key: str) -> float | None:
        value = self._read().get(key)
        return value if isinstance(value, float) else None

    def get_spots(self, key: str) -> tuple[tuple[int, int, float], ...]:
        """Places (first and last sample, ceiling) held under a lower ceiling last time."""
        value = self._read().get(key)
        return value if isinstance(value, tuple) else ()

    def put(self, key: str, gain_db: float) -> None:
        self._put(key, gain_db)

    def put_spots(self, key: str, spots: tuple[tuple[int, int, float], ...]) -> None:
        """Remember the places (none: forget those remembered under ``key``)."""
        if spots:
            self._put(key, tuple(spots))
        elif key in self._read():
            self._put(key, None)

    def _put(self, key: str, value: Level | None) -> None:
        levels = self._read()
        levels.pop(key, None)
        if value is not None:
            levels[key] = value  # newest last; the oldest go first when the file is full
        while len(levels) > MAX_LEVELS:
            levels.pop(next(iter(levels)))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, json.dumps(levels))
        except OSError as exc:
            log.debug("cannot remember the mastering gain: %s", exc)


#: a remembered gain, or places held under a lower ceiling
Level = float | tuple[tuple[int, int, float], ...]
#: at most this many places are remembered for one narration
MAX_SPOTS = 200


def _spots(value: list[object]) -> tuple[tuple[int, int, float], ...] | None:
    """Remembered places, if every one is (first, last, ceiling) with 0 < ceiling <= 1."""
    spots = []
    for item in value[:MAX_SPOTS]:
        if not (isinstance(item, list) and len(item) == 3):
            return None
        first, last, ceiling = item
        if not (
            isinstance(first, int)
            and isinstance(last, int)
            and not isinstance(first, bool)
            and not isinstance(last, bool)
            and first <= last
            and isinstance(ceiling, int | float)
            and not isinstance(ceiling, bool)
            and 0 < ceiling <= 1
        ):
            return None
        spots.append((first, last, float(ceiling)))
    return tuple(spots)


def _block_good(data: bytes, key: str) -> bool:
    payload = data[_BLOCK_HEADER.size :]
    return len(data) >= _BLOCK_HEADER.size and _BLOCK_HEADER.unpack_from(data) == (
        _BLOCK_MAGIC,
        _digest(key),
        _digest(payload),
    )


def _digest(data: str | bytes) -> bytes:
    return hashlib.blake2b(data.encode("utf-8") if isinstance(data, str) else data, digest_size=16).digest()


def _encode(key: str, clip: Clip) -> bytes:
    samples = np.ascontiguousarray(clip.samples, dtype="<i2").tobytes()
    words = json.dumps([list(w) for w in clip.words], ensure_ascii=False).encode("utf-8") if clip.words else b""
    payload = samples + words
    return (
        _HEADER.pack(_MAGIC, _digest(key), clip.sample_rate, clip.samples.size, len(words), _digest(payload)) + payload
    )


def _decode(data: bytes, key: str, text: str) -> Clip | None:
    if len(data) < _HEADER.size:
        return None
    magic, key_digest, rate, count, words_length, digest = _HEADER.unpack_from(data)
    payload = data[_HEADER.size :]
    if (
        magic != _MAGIC
        or key_digest != _digest(key)
        or rate <= 0
        or count == 0
        or len(payload) != count * 2 + words_length
        or _digest(payload) != digest
    ):
        return None
    samples = np.frombuffer(payload[: count * 2], dtype="<i2").astype(np.int16)
    words: tuple[tuple[int, int, str], ...] = ()
    if words_length:
        try:
            words = tuple((int(a), int(b), str(w)) for a, b, w in json.loads(payload[count * 2 :]))
        except (ValueError, TypeError):
            return None
    return Clip(samples=samples, sample_rate=rate, text=text, words=words)
