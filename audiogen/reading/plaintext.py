"""Plain text → ``Article``: blank lines between blocks; the first line is the title
when it reads as a headline; list, quote and heading lines by their marks."""

from __future__ import annotations

import re
from collections.abc import Iterator

from audiogen.article import Article, Segment
from audiogen.reading.clean import clean_text, detect_language, first_words, no_article

_LIST_MARK = re.compile(r"^\s*(?:[-*•–]|(\d+)[.)])\s+")
_TERMINAL = tuple('.!?:;…"”’)')


def parse_text(text: str, where: str = "the document") -> Article:
    """Plain text → ``Article``. Blocks are separated by blank lines; the first block is
    the title when it is one line; ``- `` / ``1.`` lines are list items; ``>`` lines are
    quotes; a short line with no closing punctuation is a heading."""
    blocks = [b for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")) if b.strip()]
    if not blocks:
        raise no_article(where)
    title = ""
    first_lines = blocks[0].strip().splitlines()
    if len(first_lines) == 1 and len(blocks) > 1 and _is_title_line(first_lines[0]):
        title = clean_text(first_lines[0].lstrip("# "))
        blocks = blocks[1:]
    segments: list[Segment] = []
    for block in blocks:
        lines = [line for line in block.splitlines() if line.strip()]
        if all(line.lstrip().startswith(">") for line in lines):
            segments.append(Segment("quote", clean_text(" ".join(line.lstrip()[1:] for line in lines))))
        elif _LIST_MARK.match(lines[0]):
            segments.extend(_list_items(lines))
        elif lines[0].lstrip().startswith("#"):
            hashes = len(lines[0].lstrip()) - len(lines[0].lstrip().lstrip("#"))
            segments.append(Segment("heading", clean_text(" ".join(lines).lstrip("# ")), level=min(hashes, 6)))
        elif len(lines) == 1 and len(lines[0]) <= 100 and not lines[0].rstrip().endswith(_TERMINAL):
            segments.append(Segment("heading", clean_text(lines[0]), level=2))
        else:
            segments.append(Segment("paragraph", clean_text(" ".join(lines))))
    segments = [s for s in segments if s.text]
    if not segments:
        raise no_article(where)
    language = detect_language(" ".join(s.text for s in segments[:20]))
    return Article(title=title or first_words(segments[0].text), segments=segments, language=language)


#: longer than this, a first line is the article's opening paragraph, not its headline
MAX_TITLE_CHARS = 150
_NOT_TITLE_END = (".", ",", ";", ":")


def _is_title_line(line: str) -> bool:
    """A Markdown heading, or a short line that does not end as a sentence or a clause
    does (a headline may end with "?" or "!", never with a full stop)."""
    line = line.strip()
    if line.startswith("#"):
        return True
    return len(line) <= MAX_TITLE_CHARS and not (line.endswith(_NOT_TITLE_END) and not line.endswith("..."))


def _list_items(lines: list[str]) -> Iterator[Segment]:
    items: list[tuple[str, bool]] = []
    for line in lines:
        mark = _LIST_MARK.match(line)
        if mark:
            items.append((line[mark.end() :], mark.group(1) is not None))
        elif items:
            items[-1] = (f"{items[-1][0]} {line.strip()}", items[-1][1])
    for position, (item, ordered) in enumerate(items, start=1):
        yield Segment("list_item", clean_text(item), level=1, position=position, ordered=ordered)
