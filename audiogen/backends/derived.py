"""ONNX models given one more output (the durations word timings are made from), made
once from the shipped model into the model folder (``audiogen.files.model_folder``).

Changing a graph needs the ``onnx`` package, whose import alone takes most of a second
of a core (``ml_dtypes`` in it): done on every start of an engine, that second came
before its first sentence. The changed model is named after the model it came from (its
path, size and time) and written whole or not at all, so a later start only opens it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from audiogen.files import model_folder, write_atomically

log = logging.getLogger("audiogen")


def derived_model(model: Path, kind: str, change: Callable[[Any], None]) -> Path | bytes:
    """``model`` with ``change`` made to it (given the ``onnx.ModelProto``), kept as
    ``KIND-TAG.onnx`` in the model folder: its path; or, where the folder cannot be
    written, the changed model itself (made again on the next start)."""
    stat = model.stat()
    tag = hashlib.sha256(f"{model.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    folder = model_folder()
    made = folder / f"{kind}-{tag}.onnx"
    if made.is_file():
        return made
    import onnx

    graph = onnx.load(str(model))
    change(graph)
    data: bytes = graph.SerializeToString()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(made, data)
    except OSError as exc:
        log.warning("cannot keep the %s model in %s (%s); it is made again next time", kind, folder, exc.strerror)
        return data
    log.info("made the %s model: %s", kind, made)
    return made
