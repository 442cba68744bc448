"""What a CMS sends when an article is published, updated or unpublished.

Two shapes are read. The generic one, for any CMS or script::

    {"event": "publish" | "update" | "unpublish", "id": "…",
     "url": "…" | "html": "…" | "markdown": "…" | "text": "…",
     "voice": "…", "language": "es", "quote_voice": "…", "section": "Sports",
     "status": "publish" | "draft", "modified": "2026-12-07T10:00:00Z"}   (the last six optional)

A call carrying the CMS's modified time (``modified``; WordPress's ``modified_gmt``)
older than the version already narrated is ignored, so calls that arrive out of order
never roll an article back.

and WordPress's, the post as its REST API gives it (``id``, ``status``, ``link``,
``title.rendered``, ``content.rendered``) or as a ``WP_Post`` (``ID``, ``post_status``,
``post_title``, ``post_content``, ``permalink``/``guid``), alone or under ``"post"``, with
what the audiogen plugin adds: ``author_name``, ``category_names``, ``lang`` (the site's
locale, ``en_US``: the page's language, as its ``<html lang>`` would say) and ``voice``.
A post whose status is ``publish`` is narrated and published; ``draft``, ``pending`` and
``future`` are narrated as drafts (heard on the desk and by their preview link, not in
the feed; one still empty takes its episode down); any other status (private, trash)
takes its episode down. Its first category
(``category_names``, or ``categories`` given as names) is its section.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from audiogen.serve.articles import KINDS, Submission, check_id

#: WordPress statuses narrated as drafts
WORDPRESS_DRAFTS = ("draft", "pending", "future")


@dataclass(frozen=True)
class Action:
    """What a webhook call asks: ``publish`` (with the submission) or ``unpublish``."""

    kind: str
    article_id: str
    submission: Submission | None = None
    #: when the CMS last changed the article (UTC, ISO 8601): an older call never wins
    modified: str | None = None


def generic(body: Any) -> Action:
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    event = body.get("event")
    if event not in ("publish", "update", "unpublish"):
        raise ValueError("'event' must be publish, update or unpublish")
    article_id = body.get("id")
    if not isinstance(article_id, str):
        raise ValueError("'id' must be the article's id (a string)")
    check_id(article_id)
    modified = modified_time(body.get("modified"))
    if event == "unpublish":
        return Action("unpublish", article_id, modified=modified)
    given = [kind for kind in KINDS if body.get(kind) is not None]
    if len(given) != 1 or not isinstance(body[given[0]], str) or not body[given[0]].strip():
        raise ValueError("give exactly one of url, html, markdown or text")
    for name in ("voice", "language", "quote_voice", "section"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise ValueError(f"'{name}' must be a string")
    status = body.get("status", "publish")
    if status not in ("publish", "draft"):
        raise ValueError("'status' must be publish or draft")
    access = body.get("access")
    if access is not None and access not in ("public", "subscribers"):
        raise ValueError("'access' must be public or subscribers")
    submission = Submission(
        article_id,
        given[0],
        body[given[0]],
        body.get("voice"),
        language=body.get("language"),
        quote_voice=body.get("quote_voice"),
        modified=modified,
        draft=status == "draft",
        section=section_name(body.get("section")),
        access=access,
    )
    return Action("publish", article_id, submission, modified)


def section_name(value: Any) -> str | None:
    """A section's name, tidied (``None`` for none)."""
    if not isinstance(value, str) or not value.strip():
        return None
    name = " ".join(value.split())
    if len(name) > 100:
        raise ValueError("a section's name has at most 100 characters")
    return name


def wordpress(body: Any) -> Action:
    if isinstance(body, dict) and isinstance(body.get("post"), dict):
        body = body["post"]
    if not isinstance(body, dict):
        raise ValueError("the body must be a WordPress post as JSON")
    number = body.get("id", body.get("ID"))
    if isinstance(number, bool) or not isinstance(number, (int, str)) or not str(number).strip():
        raise ValueError("the post has no id")
    article_id = check_id(f"wp-{str(number).strip()}")
    status = body.get("status", body.get("post_status"))
    if not isinstance(status, str):
        raise ValueError("the post has no status")
    modified = modified_time(body.get("modified_gmt", body.get("post_modified_gmt")), utc=True)
    if status not in ("publish", *WORDPRESS_DRAFTS):
        return Action("unpublish", article_id, modified=modified)
    title = _rendered(body.get("title", body.get("post_title")))
    content = _rendered(body.get("content", body.get("post_content")))
    if not content.strip():
        if status in WORDPRESS_DRAFTS:  # a draft begun and saved empty: nothing to narrate yet
            return Action("unpublish", article_id, modified=modified)
        raise ValueError("the post has no content")
    link = body.get("link") or body.get("permalink") or _rendered(body.get("guid"))
    link = link if isinstance(link, str) and link.startswith(("http://", "https://")) else ""
    author = body["author_name"] if isinstance(body.get("author_name"), str) else ""
    date = body.get("date_gmt") or body.get("post_date_gmt") or ""
    page = _page(title, content, link, author, date if isinstance(date, str) else "", _language(body.get("lang")))
    names = body.get("category_names", body.get("categories"))
    section = section_name(names[0]) if isinstance(names, list) and names and isinstance(names[0], str) else None
    content_field = body.get("content")
    protected = bool(body.get("password") or body.get("post_password")) or (
        isinstance(content_field, dict) and content_field.get("protected") is True
    )
    voice = body.get("voice")
    if voice is not None and (not isinstance(voice, str) or not voice.strip()):
        raise ValueError("'voice' must be a voice's name")
    submission = Submission(
        article_id,
        "html",
        page,
        voice.strip() if voice else None,
        modified=modified,
        draft=status in WORDPRESS_DRAFTS,
        section=section,
        access="subscribers" if protected else None,  # a password-protected post: for subscribers
    )
    return Action("publish", article_id, submission, modified)


def modified_time(value: Any, *, utc: bool = False) -> str | None:
    """A CMS's modified time as UTC ISO 8601 (so times compare as text); ``utc``: a time
    without an offset is UTC (WordPress's ``*_gmt`` fields)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("'modified' must be a date and time (ISO 8601)")
    from datetime import UTC, datetime

    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("'modified' must be a date and time (ISO 8601)") from None
    if stamp.tzinfo is None:
        if not utc:
            raise ValueError("'modified' needs its offset from UTC (…Z or …+02:00)")
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).isoformat(timespec="microseconds")


def _rendered(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("rendered", value.get("raw"))
    return value if isinstance(value, str) else ""


def _language(locale: Any) -> str:
    """A WordPress locale (``en_US``, ``pt_BR``, ``de_DE_formal``) as a language tag, or
    "" when it is none."""
    if not isinstance(locale, str):
        return ""
    parts = locale.strip().replace("_", "-").split("-")
    if not parts or not parts[0].isascii() or not parts[0].isalpha() or not 2 <= len(parts[0]) <= 3:
        return ""
    tag = parts[0].lower()
    if len(parts) > 1 and parts[1].isascii() and parts[1].isalpha() and len(parts[1]) == 2:
        tag += "-" + parts[1].upper()
    return tag


def _page(title: str, content: str, link: str, author: str, date: str, language: str = "") -> str:
    """The post as a page the reader knows: its title (already HTML in WordPress), link,
    author and date in the head, its content as the article."""
    head = [f"<title>{title}</title>"]
    if link:
        head.append(f'<link rel="canonical" href="{escape(link, quote=True)}">')
        head.append(f'<meta property="og:url" content="{escape(link, quote=True)}">')
    if author:
        head.append(f'<meta name="author" content="{escape(author, quote=True)}">')
    if date:
        stamp = date if date.endswith("Z") or "+" in date else date + "Z"
        head.append(f'<meta property="article:published_time" content="{escape(stamp, quote=True)}">')
    opening = f'<html lang="{language}">' if language else "<html>"
    return (
        f'<!DOCTYPE html>{opening}<head><meta charset="utf-8">'
        + "".join(head)
        + f"</head><body><article><h1>{title}</h1>{content}</article></body></html>"
    )
