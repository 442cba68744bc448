"""The plain dataclasses that travel between the pipeline's stages.

``Article`` (what was written) → ``Script`` (what is said) → ``Clip`` (one sentence of
audio) → ``Narration`` (the assembled audio with its cues and chapters). Each can be
printed, compared in a test and hashed for a cache; none of them knows how it is made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from audiogen.audio.mix import MusicBed
    from audiogen.audio.pcm import PcmBuffer

#: how numeric dates such as 03/04/2025 are read: "us" March 4, "day-first" 3 April
DATE_ORDERS: tuple[str, ...] = ("us", "day-first")

SegmentKind = Literal["heading", "paragraph", "quote", "list_item", "table"]
SEGMENT_KINDS: tuple[str, ...] = ("heading", "paragraph", "quote", "list_item", "table")


@dataclass(frozen=True)
class Segment:
    """One block of the article body, in reading order."""

    kind: SegmentKind
    text: str
    #: heading level (1-6) for headings; nesting depth for list items; 1 for a table's
    #: header row; 0 otherwise
    level: int = 0
    #: for list items: the 1-based position in its list, and whether the list is ordered;
    #: for table rows: the 1-based row number in its table
    position: int = 0
    ordered: bool = False
    #: for table rows: the text of each cell
    cells: tuple[str, ...] = ()


@dataclass
class Article:
    """An article as written: metadata and body segments (the title is not a segment)."""

    title: str
    segments: list[Segment]
    byline: str | None = None
    published: str | None = None
    language: str | None = None
    url: str | None = None
    site_name: str | None = None
    description: str | None = None
    image: str | None = None
    source_hash: str = ""

    def __post_init__(self) -> None:
        if not self.source_hash:
            self.source_hash = content_hash(self.title, *(s.text for s in self.segments))

    @property
    def text(self) -> str:
        """The body as plain text, one blank line between segments."""
        return "\n\n".join(s.text for s in self.segments)

    @property
    def word_count(self) -> int:
        return len(self.title.split()) + sum(len(s.text.split()) for s in self.segments)


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


@dataclass(frozen=True)
class Pauses:
    """Silence, in milliseconds, after each kind of part; the script stage applies them."""

    notice: int = 900
    title: int = 1100
    heading: int = 850
    sentence: int = 280
    paragraph: int = 700
    quote: int = 650
    list_item: int = 420


@dataclass(frozen=True)
class Sentence:
    """One sentence: what a reader sees, what the voice is given, and the pause after it."""

    display: str
    spoken: str
    pause_after_ms: int = 0
    #: the voice that speaks it when not its part's (a quotation in the quote voice)
    voice: str = ""


ScriptPartKind = Literal["notice", "title", "heading", "paragraph", "quote", "list_item", "table"]


@dataclass(frozen=True)
class ScriptPart:
    """The spoken form of one segment (or of the title, or of the AI notice)."""

    kind: ScriptPartKind
    sentences: tuple[Sentence, ...]
    #: index into ``Article.segments``; ``None`` for the notice and the title
    segment_index: int | None = None
    level: int = 0
    #: the part's language when it is written in another than the script's (a paragraph
    #: of Chinese in an English article); ``None``: the script's
    language: str | None = None
    #: the voice that speaks it (a preset name or ``engine:voice``); ``""``: the narrator
    voice: str = ""


@dataclass
class Script:
    """Everything the voice will say, in order."""

    title: str
    language: str
    parts: list[ScriptPart]
    #: what is not read for want of a voice in its language: (segment index or ``None``
    #: for the title, the language)
    unread: list[tuple[int | None, str]] = field(default_factory=list)

    def sentences(self) -> Iterator[tuple[int, int, Sentence]]:
        """Yield (part index, sentence index within the part, sentence)."""
        for part_index, part in enumerate(self.parts):
            for sentence_index, sentence in enumerate(part.sentences):
                yield part_index, sentence_index, sentence

    @property
    def sentence_count(self) -> int:
        return sum(len(part.sentences) for part in self.parts)

    @property
    def spoken_text(self) -> str:
        return "\n".join(" ".join(s.spoken for s in part.sentences) for part in self.parts)


@dataclass
class Clip:
    """One sentence's audio: mono 16-bit samples at ``sample_rate``.

    ``words`` (when the engine aligns its output) holds (first sample, end sample, word)
    for each spoken word; ``source`` names the engine and voice, so clips from different
    voices can be matched in level."""

    samples: npt.NDArray[np.int16]
    sample_rate: int
    text: str
    words: tuple[tuple[int, int, str], ...] = ()
    source: str = ""

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // self.sample_rate


@dataclass(frozen=True)
class Word:
    """When one spoken word is heard (the word as the voice was given it)."""

    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class Cue:
    """When one sentence is heard. ``segment_index`` is ``None`` for the notice and title."""

    start_ms: int
    end_ms: int
    part_index: int
    segment_index: int | None
    sentence_index: int
    kind: str
    text: str
    words: tuple[Word, ...] = ()
    #: who speaks it: a voice (preset name or ``engine:voice``) other than the narrator's
    voice: str = ""


@dataclass(frozen=True)
class Chapter:
    start_ms: int
    end_ms: int
    title: str


@dataclass(frozen=True)
class LevelSpan:
    """A stretch of the narration (in samples) played at ``gain``: clips of another voice,
    an intro or an outro, brought to the level of the main voice."""

    start: int
    end: int
    gain: float


@dataclass
class Narration:
    """The assembled audio with its captions and chapters, ready to export.

    The samples live in ``audio`` (a temporary file, so a long narration does not fill
    memory); ``spans`` and ``music`` say how they are mixed on export."""

    audio: PcmBuffer
    sample_rate: int
    cues: list[Cue]
    chapters: list[Chapter]
    title: str
    artist: str | None = None
    album: str | None = None
    language: str | None = None
    url: str | None = None
    published: str | None = None
    engine: str = ""
    voice: str = ""
    notice: str | None = None
    source_hash: str = ""
    spans: list[LevelSpan] = field(default_factory=list)
    #: background music under the speech
    music: MusicBed | None = None
    #: cover art: the image file's bytes (JPEG or PNG)
    cover: bytes | None = None
    #: the lead image's address, when the article gave one
    image_url: str | None = None
    #: integrated loudness (LUFS) and sample peak (1.0 = full scale) of ``audio`` as
    #: assembled, measured on the way; ``None`` when spans or music change the mix
    measured: tuple[float, float] | None = None
    #: sample positions between paragraphs where the audio may be cut into blocks
    #: encoded on their own (on the MP3 frame grid, in silence; see ``audiogen.audio.mp3splice``)
    blocks: list[int] = field(default_factory=list)
    #: where encoded MP3 blocks are kept on export, as the narration was made: ``True``
    #: the user's clip cache, ``False`` none (the file is encoded whole), or the
    #: ``ClipCache`` it was narrated with
    cache: object = True
    #: how many sentences the engines spoke for this narration, and how many came from
    #: the clip cache
    sentences_synthesized: int = 0
    sentences_cached: int = 0
    #: the parts not read for want of a voice in their language (see ``Script.unread``)
    unread: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def duration_ms(self) -> int:
        return self.audio.size * 1000 // self.sample_rate

    @property
    def samples(self) -> npt.NDArray[np.int16]:
        """All samples as one array, before mixing and loudness (loads them into memory)."""
        return self.audio.to_array()

    def export(self, path: str | Path, format: str | None = None, **options: object) -> list[Path]:
        """Write the audio to ``path`` plus ``.vtt`` captions, ``.json`` timings and
        ``.chapters.json`` beside it; ``options`` are those of
        ``audiogen.export.export_narration`` (loudness, bitrate, srt …).

        The only import of a later stage from this module, kept lazy so the dataclasses
        stay importable on their own.
        """
        from audiogen.export import export_narration

        return export_narration(self, Path(path), format=format, **options)
