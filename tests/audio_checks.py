"""Helpers for tests that look inside written audio files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np


def decode(path: Path, rate: int = 16000) -> np.ndarray:
    """Decode any audio file to mono 16-bit samples with the bundled ffmpeg; fails loudly."""
    result = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-",
        ],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert not result.stderr.strip(), result.stderr.decode(errors="replace")
    return np.frombuffer(result.stdout, dtype=np.int16)
