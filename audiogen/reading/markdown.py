"""Markdown → ``Article``: front matter for the metadata, headings, paragraphs, quotes,
lists and tables from the parsed document (markdown-it-py)."""

from __future__ import annotations

import re

from audiogen.article import Article, Segment
from audiogen.reading.clean import clean_text, detect_language, first_words, no_article

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def parse_markdown(text: str, where: str = "the document") -> Article:
    """Markdown (CommonMark, via markdown-it-py) → ``Article``. A leading ``# Title`` or a
    front-matter ``title:`` becomes the title."""
    from markdown_it import MarkdownIt

    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        for line in match.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip().strip("'\"")
        text = text[match.end() :]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    segments: list[Segment] = []
    quote_depth = 0
    lists: list[tuple[bool, int]] = []  # (ordered, position of the current item) per open list
    heading_level = 0
    row: list[str] | None = None  # the cells of the table row being read
    table_row, in_head = 0, False
    for token in tokens:
        kind = token.type
        if kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append((kind == "ordered_list_open", 0))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            lists[-1] = (lists[-1][0], lists[-1][1] + 1)
        elif kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind == "table_open":
            table_row = 0
        elif kind in ("thead_open", "thead_close"):
            in_head = kind == "thead_open"
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            if row and any(row):
                table_row += 1
                text = "; ".join(cell for cell in row if cell)
                segments.append(Segment("table", text, level=int(in_head), position=table_row, cells=tuple(row)))
            row = None
        elif kind == "inline":
            content = clean_text(_inline_text(token))
            if row is not None:
                row.append(content)
            elif not content:
                heading_level = 0
            elif heading_level:
                segments.append(Segment("heading", content, level=heading_level))
                heading_level = 0
            elif lists:
                ordered, position = lists[-1]
                last = segments[-1] if segments else None
                if last and last.kind == "list_item" and last.position == position and last.level == len(lists):
                    segments[-1] = Segment("list_item", f"{last.text} {content}", len(lists), position, ordered)
                else:
                    segments.append(Segment("list_item", content, len(lists), position, ordered))
            elif quote_depth:
                segments.append(Segment("quote", content))
            else:
                segments.append(Segment("paragraph", content))
    title = meta.get("title", "")
    first = segments[0] if segments else None
    if (
        first
        and first.kind == "heading"
        and first.level == 1
        and (not title or first.text.casefold() == title.casefold())
    ):
        title, segments = title or first.text, segments[1:]
    if not segments:
        raise no_article(where)
    return Article(
        title=title or first_words(segments[0].text),
        segments=segments,
        byline=meta.get("author") or meta.get("byline"),
        published=meta.get("date") or meta.get("published"),
        language=meta.get("lang") or meta.get("language") or detect_language(" ".join(s.text for s in segments[:20])),
        url=meta.get("url"),
        description=meta.get("description"),
    )


def _inline_text(token: object) -> str:
    parts: list[str] = []
    for child in getattr(token, "children", None) or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content if child.type != "html_inline" else "")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)
