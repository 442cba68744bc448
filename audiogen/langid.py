"""Which language a text is in (py3langid, its probabilities normalized), for the
readers (an article that declares none) and the script (a paragraph in another)."""

from __future__ import annotations

import functools
from typing import Any


def classify(text: str) -> tuple[str, float] | None:
    """The most likely language of ``text`` and its probability; ``None`` when the model
    cannot be loaded (it unpacks into a temporary file first)."""
    try:
        language, probability = _identifier().classify(text[:5000])
    except (OSError, ValueError, MemoryError):
        return None
    return str(language), float(probability)


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid import langid

    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
