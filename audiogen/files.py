"""Files written whole or not at all: a temporary file beside the target, then a rename.

A reader never sees half a file, and a failure leaves the earlier version in place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from audiogen.errors import AudiogenError


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _replacing(target: Path, error: type[AudiogenError] | None) -> Iterator[Path]:
    """A temporary path to fill; it becomes ``target`` when the block ends well. An
    ``OSError`` is raised as ``error`` (a one-line message) when one is given."""
    tmp: str | None = None
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(handle)
        yield Path(tmp)
        # mkstemp makes the file private; outputs get the usual mode for new files
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, target)
    except OSError as exc:
        if error is None:
            raise
        raise error(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def write_atomically(target: Path, data: str | bytes, *, error: type[AudiogenError] | None = None) -> Path:
    """Write ``data`` (text is UTF-8) to ``target``."""
    with _replacing(target, error) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return target


def copy_atomically(source: Path, target: Path, *, error: type[AudiogenError] | None = None) -> Path:
    with _replacing(target, error) as tmp:
        shutil.copyfile(source, tmp)
    return target
