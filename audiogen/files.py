"""Files written whole or not at all: a temporary part beside the target, then a rename.

A reader never sees half a file, and a failure leaves the earlier version in place. A
part's name carries the writer's process id (``.NAME.PID-RANDOM.part``), so a later run
can tell the parts of a writer that was killed (its process is gone) from those of one
still at work, and removes the first kind.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from audiogen.errors import AudiogenError

PART_SUFFIX = ".part"
#: a part whose name carries no process id (an older version's) is stale after this
_UNOWNED_PART_AGE = 3600.0
_PART_OWNER = re.compile(r"^(\d+)-")


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def model_folder() -> Path:
    """Where models made once from the shipped ones are kept (unpacked, joined, or given
    one more output): ``AUDIOGEN_MODEL_DIR``, else the user cache folder. Apart from the
    clip cache, which is pruned by size."""
    override = os.environ.get("AUDIOGEN_MODEL_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("audiogen", appauthor=False))


def temp_part(folder: Path, name: str) -> Path:
    """A new empty part for ``name`` in ``folder``, with the usual mode for new files
    (``mkstemp`` alone makes it private)."""
    handle, tmp = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}-", suffix=PART_SUFFIX, dir=folder)
    os.close(handle)
    os.chmod(tmp, 0o666 & ~umask())
    return Path(tmp)


def remove_stale_parts(folder: Path, names: Iterable[str] | None = None) -> int:
    """Delete the parts (of the files ``names``, or of any file) in ``folder`` that a
    killed writer left; how many. Parts of a writer still running are left alone. The
    folder is read once."""
    prefixes = tuple(f".{name}." for name in names) if names is not None else None
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(PART_SUFFIX)):
            continue
        if prefixes is None:
            tail = entry.name.rsplit(".", 2)[-2]
        else:
            prefix = next((p for p in prefixes if entry.name.startswith(p)), None)
            if prefix is None:
                continue
            tail = entry.name[len(prefix) :]
        if _is_stale(entry, tail):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed


def _is_stale(entry: os.DirEntry[str], tail: str) -> bool:
    owner = _PART_OWNER.match(tail)
    if owner is None:
        try:
            return time.time() - entry.stat().st_mtime > _UNOWNED_PART_AGE
        except OSError:
            return False
    return not _process_alive(int(owner.group(1)))


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # someone else's process, or a number the system rejects: leave it be
    return True


@contextlib.contextmanager
def _replacing(target: Path, error: type[AudiogenError] | None) -> Iterator[Path]:
    """A temporary path to fill; it becomes ``target`` when the block ends well. An
    ``OSError`` is raised as ``error`` (a one-line message) when one is given."""
    tmp: Path | None = None
    try:
        tmp = temp_part(target.parent, target.name)
        yield tmp
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


def write_chunks_atomically(
    target: Path, chunks: Iterable[bytes | memoryview], *, error: type[AudiogenError] | None = None
) -> Path:
    """Write ``chunks`` one after the other to ``target`` (a large file, never held whole)."""
    with _replacing(target, error) as tmp, tmp.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return target


def copy_atomically(source: Path, target: Path, *, error: type[AudiogenError] | None = None) -> Path:
    with _replacing(target, error) as tmp:
        shutil.copyfile(source, tmp)
    return target
