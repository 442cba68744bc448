"""Which language a text is in (py3langid, its probabilities normalized), for the
readers (an article that declares none) and the script (a paragraph in another).

py3langid ships its model compressed: 68 MB of tables that take half a second of a core
to unpack, on every run. They are unpacked once into the model folder
(``audiogen.files.model_folder``) as one file of raw arrays, which later runs map into
memory: a run reads only the pages its texts lead it to, and processes running at once
share them. The file is named after the model it came from (package version, size and
time), written whole or not at all, and checked against its own header on every use: one
that does not read back right is ignored and made again. Where no file can be written the
model is unpacked in memory, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import struct
import threading
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

_lock = threading.Lock()
_model: Any = None

_MAGIC = b"AGLANGID1\n"
_LENGTH = struct.Struct("<I")
#: each array starts on a multiple of this many bytes of the file
_ALIGN = 64
#: the arrays, in the order py3langid's identifier takes them, with their types
_ARRAYS = (("ptc", "<f2"), ("pc", "<f4"), ("nextmove", "<u4"), ("row", "<u2"), ("output", "<i4"))


def classify(text: str) -> tuple[str, float] | None:
    """The most likely language of ``text`` and its probability; ``None`` when the model
    cannot be loaded."""
    try:
        language, probability = _identifier().classify(text[:5000])
    except (OSError, ValueError, MemoryError):
        return None
    return str(language), float(probability)


def preload() -> None:
    """Load the model in a thread of its own while the caller reads the article;
    ``classify`` then finds it ready, or waits for it."""

    def load() -> None:
        with contextlib.suppress(OSError, ValueError, MemoryError):  # classify meets them again
            _identifier()

    threading.Thread(target=load, name="audiogen-langid", daemon=True).start()


def _identifier() -> Any:
    global _model
    with _lock:
        if _model is None:
            from py3langid import langid

            source = Path(langid.MODEL_DIR) / langid.MODEL_FILE
            stored = unpacked_path(source)
            tables = _read(stored)
            if tables is None:
                from py3langid.modelio import load_model

                ptc, pc, classes, nextmove, row, output = load_model(source)
                tables = {"classes": classes, "ptc": ptc, "pc": pc, "nextmove": nextmove, "row": row, "output": output}
                with contextlib.suppress(OSError):  # unpacked again next time
                    _write(stored, tables)
            _model = langid.LanguageIdentifier(
                np.asarray(tables["ptc"]),
                np.asarray(tables["pc"]),
                list(tables["classes"]),
                tables["nextmove"],
                tables["output"],
                norm_probs=True,
                tk_row=tables["row"],
            )
        return _model


def unpacked_path(source: Path) -> Path:
    """Where the model at ``source`` is kept unpacked."""
    from importlib.metadata import version

    from audiogen.files import model_folder

    stat = source.stat()
    tag = f"{version('py3langid')}:{stat.st_size}:{stat.st_mtime_ns}"
    return model_folder() / f"langid-{hashlib.sha256(tag.encode()).hexdigest()[:12]}.bin"


def _write(target: Path, tables: dict[str, Any]) -> None:
    from audiogen.files import write_chunks_atomically

    arrays = {name: np.ascontiguousarray(np.asarray(tables[name]), dtype=kind) for name, kind in _ARRAYS}
    layout, offset = [], 0
    for name, kind in _ARRAYS:
        layout.append([name, kind, arrays[name].size, offset])
        offset += -(-arrays[name].nbytes // _ALIGN) * _ALIGN
    header = json.dumps({"classes": list(tables["classes"]), "arrays": layout, "size": offset}).encode()
    start = -(-(len(_MAGIC) + _LENGTH.size + len(header)) // _ALIGN) * _ALIGN

    def chunks() -> Iterator[bytes | memoryview]:
        yield _MAGIC + _LENGTH.pack(len(header)) + header
        yield bytes(start - len(_MAGIC) - _LENGTH.size - len(header))
        for name, _ in _ARRAYS:
            data = arrays[name]
            yield data.data.cast("B")
            yield bytes(-data.nbytes % _ALIGN)

    target.parent.mkdir(parents=True, exist_ok=True)
    write_chunks_atomically(target, chunks())


def _read(path: Path) -> dict[str, Any] | None:
    """The tables of an unpacked model, mapped from ``path``; ``None`` when there is no
    such file or it is not one whole."""
    try:
        with path.open("rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, unreadable, or empty
        return None
    try:
        if mapped[: len(_MAGIC)] != _MAGIC:
            return None
        (length,) = _LENGTH.unpack_from(mapped, len(_MAGIC))
        header = json.loads(mapped[len(_MAGIC) + _LENGTH.size : len(_MAGIC) + _LENGTH.size + length])
        start = -(-(len(_MAGIC) + _LENGTH.size + length) // _ALIGN) * _ALIGN
        if mapped.size() != start + header["size"] or [a[:2] for a in header["arrays"]] != [
            list(kind) for kind in _ARRAYS
        ]:
            return None
        tables: dict[str, Any] = {"classes": [str(name) for name in header["classes"]]}
        for name, kind, count, offset in header["arrays"]:
            tables[name] = np.frombuffer(mapped, dtype=kind, count=count, offset=start + offset)
    except (ValueError, KeyError, TypeError, struct.error):
        return None
    classes = len(tables["classes"])
    if not classes or tables["ptc"].size % classes or tables["pc"].size != classes:
        return None
    tables["ptc"] = tables["ptc"].reshape(-1, classes)
    # the state machine is walked a byte at a time from Python: plain arrays index fastest
    tables["nextmove"] = _plain(tables["nextmove"])
    tables["row"] = _plain(tables["row"])
    tables["output"] = tables["output"].tolist()  # Python ints, as py3langid has them
    return tables


def _plain(values: np.ndarray[Any, Any]) -> memoryview:
    """The values as a memoryview of machine integers (indexed as fast as an array's)."""
    raw = values.data.cast("B")
    if values.itemsize == 2:
        return raw.cast("H")
    return raw.cast("I") if array("I").itemsize == 4 else raw.cast("L")
