"""Where the service's public files live when nodes share no folder: object storage (S3
and what speaks its protocol: MinIO, Ceph, R2, GCS's S3 mode), through fsspec (``s3fs``
for ``s3://``, so ``gs://`` and others follow with their own packages).

Every object is written whole: a single PUT, or a multipart upload that is completed or
abandoned, so no reader ever sees part of a file. An episode's files go under a prefix of
their own version (``episodes/EPISODE/VERSION/``): a narration whose upload fails leaves
the version the feed points at untouched, and the feed moves to the new version only once
all of it is there. Credentials and the endpoint come the usual way for the store
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL`` …).
"""

from __future__ import annotations

import logging
import mimetypes
import uuid
from pathlib import Path
from typing import Any

from audiogen.errors import ServiceError

log = logging.getLogger("audiogen")

#: how long listeners and CDNs may keep each kind of object
CACHE_CONTROL = {
    "episode": "public, max-age=31536000, immutable",  # a version's files never change
    "feed": "public, max-age=60",
    "asset": "public, max-age=3600",
}
_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".js": "text/javascript; charset=utf-8",
}


def content_type(name: str) -> str:
    if name.endswith(".chapters.json"):
        return "application/json+chapters"
    suffix = Path(name).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


class ObjectStorage:
    """An fsspec location (``s3://BUCKET/PREFIX``) holding the service's public files."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        try:
            import fsspec

            self.fs, self.root = fsspec.core.url_to_fs(self.url)
        except ImportError as exc:
            raise ServiceError(
                f"object storage ({self.url.split('://', 1)[0]}://) needs its fsspec package: {exc.name}",
                hint="pip install 'audiogen[s3]'",
            ) from None
        except (ValueError, TypeError) as exc:
            raise ServiceError(f"cannot use {self.url} as storage: {exc}") from None
        self.root = self.root.rstrip("/")

    def _path(self, key: str) -> str:
        return f"{self.root}/{key.lstrip('/')}"

    def _explain(self, exc: BaseException, doing: str) -> ServiceError:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if isinstance(exc, FileNotFoundError):
            return ServiceError(f"the bucket of {self.url} does not exist ({reason})")
        if isinstance(exc, PermissionError):
            return ServiceError(
                f"the store refused {doing} {self.url}: the credentials are wrong or may not write there ({reason})"
            )
        return ServiceError(f"cannot reach the store {self.url} for {doing}: {reason}")

    def check(self) -> None:
        """At start: write and remove a small object, so a missing bucket, wrong
        credentials or a store that cannot be written to are said now, in one line."""
        probe = f".audiogen-probe-{uuid.uuid4().hex}"
        try:
            self.fs.pipe_file(self._path(probe), b"audiogen")
            self.fs.rm_file(self._path(probe))
        except Exception as exc:  # the store's client raises what it raises
            raise self._explain(exc, "writing to") from None

    def put_file(self, key: str, path: Path, kind: str = "episode") -> None:
        """Upload ``path`` whole to ``key`` (with its type and how long it may be kept)."""
        extra = {"ContentType": content_type(key), "CacheControl": CACHE_CONTROL[kind]}
        try:
            try:
                self.fs.put_file(str(path), self._path(key), **extra)
            except TypeError:  # a store whose client takes no such headers
                self.fs.put_file(str(path), self._path(key))
        except Exception as exc:
            raise self._explain(exc, f"uploading {key} to") from None

    def put_bytes(self, key: str, data: bytes, kind: str = "asset") -> None:
        extra = {"ContentType": content_type(key), "CacheControl": CACHE_CONTROL[kind]}
        try:
            try:
                self.fs.pipe_file(self._path(key), data, **extra)
            except TypeError:
                self.fs.pipe_file(self._path(key), data)
        except Exception as exc:
            raise self._explain(exc, f"uploading {key} to") from None

    def read_bytes(self, key: str) -> bytes | None:
        try:
            return bytes(self.fs.cat_file(self._path(key)))
        except FileNotFoundError:
            return None
        except Exception as exc:
            raise self._explain(exc, f"reading {key} from") from None

    def versions(self, prefix: str) -> list[str]:
        """The names directly under ``prefix`` (an episode's versions)."""
        try:
            found: list[Any] = self.fs.ls(self._path(prefix), detail=False, refresh=True)
        except FileNotFoundError:
            return []
        except Exception as exc:
            raise self._explain(exc, f"listing {prefix} in") from None
        return [str(path).rstrip("/").rsplit("/", 1)[-1] for path in found]

    def delete(self, prefix: str) -> None:
        """Remove everything under ``prefix`` (an episode, or one version of it)."""
        try:
            if self.fs.exists(self._path(prefix)):
                self.fs.rm(self._path(prefix), recursive=True)
        except FileNotFoundError:
            return
        except Exception as exc:
            log.warning("could not remove %s from the store: %s", prefix, exc)
