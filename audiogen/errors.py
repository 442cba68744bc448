"""The one exception tree of audiogen.

Every error the library raises on purpose derives from :class:`AudiogenError`, and
carries a message meant for a person plus an optional hint saying what to do.
Only ``cli.py`` turns these into exit codes::

    AudiogenError
    ├── SourceError       the input could not be read (missing file, HTTP error, wrong type)
    ├── ExtractionError   the input was read but holds no article text
    ├── VoiceError        an unknown voice, preset or backend
    ├── BackendError      a speech engine failed, crashed or hung
    ├── ExportError       an output file could not be written
    │   └── SpliceError   (internal) an MP3 could not be made block by block: it is encoded whole
    ├── FeedError         a podcast feed could not be built
    ├── EmbedError        an episode's player could not be set up
    ├── ProofError        a narration could not be proof-listened
    └── ServiceError      the narration service could not start or do what was asked
"""

from __future__ import annotations


class AudiogenError(Exception):
    """Base class; ``hint`` says what the user can do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class SourceError(AudiogenError):
    """The source could not be read: missing, unreachable, refused or not a document."""


class ExtractionError(AudiogenError):
    """The source was read but no article text was found in it."""


class VoiceError(AudiogenError):
    """The requested voice, preset or backend does not exist or cannot be loaded."""


class BackendError(AudiogenError):
    """A speech engine failed, crashed, hung or produced no audio."""


class ExportError(AudiogenError):
    """An output file could not be written."""


class SpliceError(ExportError):
    """The encoder did not produce what splicing MP3 blocks relies on; the caller
    encodes the file in one piece instead (never seen by a user)."""


class FeedError(AudiogenError):
    """A podcast feed could not be built."""


class EmbedError(AudiogenError):
    """The episode could not be found or the player's files not written."""


class ProofError(AudiogenError):
    """A narration could not be proof-listened: no recognizer, no model, no timings."""


class ServiceError(AudiogenError):
    """The narration service could not start (its data folder, database, address) or
    do what was asked of it."""
