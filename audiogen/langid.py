"""Which language a text is in (py3langid, its probabilities normalized), for the
readers (an article that declares none) and the script (a paragraph in another)."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

_lock = threading.Lock()
_model: Any = None


def classify(text: str) -> tuple[str, float] | None:
    """The most likely language of ``text`` and its probability; ``None`` when the model
    cannot be loaded (it unpacks into a temporary file first)."""
    try:
        language, probability = _identifier().classify(text[:5000])
    except (OSError, ValueError, MemoryError):
        return None
    return str(language), float(probability)


def preload() -> None:
    """Unpack the model in a thread of its own while the caller reads the article (most
    of the work is decompression, which runs beside Python code); ``classify`` then finds
    it ready, or waits for it."""

    def load() -> None:
        with contextlib.suppress(OSError, ValueError, MemoryError):  # classify meets them again
            _identifier()

    threading.Thread(target=load, name="audiogen-langid", daemon=True).start()


def _identifier() -> Any:
    global _model
    with _lock:
        if _model is None:
            from py3langid import langid

            _model = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
        return _model
