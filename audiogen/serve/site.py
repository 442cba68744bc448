"""What the site sets for all its narrations, kept in the database and edited on the desk.

- **Pronunciations**: a word or phrase → what the voice says instead, for every voice or
  only one engine or voice (``scope``), matched in any case or only as written. Each
  change is recorded: who (the key's name), when, the old and the new saying. A rule is
  given to every narration as a lexicon of its own (after the service's, before the
  article's), so saving one re-narrates the articles that hold the words and only their
  sentences are spoken again (the clip cache has the rest).
- **What is read**: CSS selectors whose elements are left out of every page (``exclude``:
  ``.related``, ``aside.newsletter``), or the only part read (``only``:
  ``article .story-body``), applied to pages submitted as a URL or as HTML.
- **Section voices**: a voice for each section (the API's ``section``, the page's
  ``articleSection``, a WordPress category), used when the article names none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audiogen.errors import ServiceError
from audiogen.serve.store import Store, now

#: the longest saying a rule may have, and the longest word or phrase
MAX_SAY = 200
MAX_PHRASE = 100
READING_KINDS = ("exclude", "only")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Conflict(ServiceError):
    """A rule changed by someone else since the editor read it."""


@dataclass(frozen=True)
class Rule:
    id: int
    phrase: str
    scope: str
    say: str
    case_sensitive: bool
    version: int
    updated: str

    def applies_to(self, engine: str, voice: str) -> bool:
        return self.scope in ("", engine, voice)


def check_rule(phrase: str, say: str, scope: str, case_sensitive: bool) -> tuple[str, str, str]:
    """A rule's words made tidy, or a ``ServiceError`` saying in one line what is wrong."""
    phrase = " ".join(str(phrase).split())
    say = " ".join(str(say).split())
    scope = str(scope or "").strip()
    if not phrase or not re.search(r"\w", phrase):
        raise ServiceError("the word or phrase is empty: a rule for nothing would match everything")
    if _CONTROL.search(phrase) or _CONTROL.search(say):
        raise ServiceError("a rule may not hold control characters")
    if len(phrase) > MAX_PHRASE:
        raise ServiceError(f"the word or phrase is longer than {MAX_PHRASE} characters")
    if len(phrase) == 1 and not case_sensitive:
        raise ServiceError(
            f"a one-letter word ('{phrase}') in any case would match every such letter",
            hint="make the rule case-sensitive, or give a longer word",
        )
    if not say:
        raise ServiceError("say how the word is to be said")
    if len(say) > MAX_SAY:
        raise ServiceError(f"what to say is longer than {MAX_SAY} characters")
    if scope:
        check_scope(scope)
    return phrase, say, scope


def check_scope(scope: str) -> None:
    """A rule's scope: an engine's name or a voice (a preset or ENGINE:VOICE)."""
    from audiogen.backends.registry import available
    from audiogen.errors import AudiogenError
    from audiogen.voices import resolve_voice

    if scope in available():
        return
    if any(mark in scope for mark in ("/", "\\")) or scope.endswith(".toml") or len(scope) > 100:
        raise ServiceError(f"'{scope[:100]}' is not an engine or a voice")
    try:
        resolve_voice(scope)
    except AudiogenError:
        raise ServiceError(f"'{scope[:100]}' is not an engine or a voice", hint="see 'audiogen voices'") from None


def rules(store: Store) -> list[Rule]:
    rows = store.rows(
        "SELECT id, phrase, scope, say, case_sensitive, version, updated FROM pronunciations ORDER BY phrase, scope"
    )
    return [_rule(row) for row in rows]


def rule(store: Store, rule_id: int) -> Rule | None:
    row = store.row(
        "SELECT id, phrase, scope, say, case_sensitive, version, updated FROM pronunciations WHERE id = ?", (rule_id,)
    )
    return _rule(row) if row else None


def _rule(row: dict[str, Any]) -> Rule:
    return Rule(
        int(row["id"]),
        row["phrase"],
        row["scope"],
        row["say"],
        bool(row["case_sensitive"]),
        int(row["version"]),
        row["updated"],
    )


def save_rule(
    store: Store,
    phrase: str,
    say: str,
    *,
    scope: str = "",
    case_sensitive: bool = False,
    who: str,
    version: int | None = None,
) -> Rule:
    """Add a rule (``version`` None), or change the saying of the one for the same words,
    scope and case (``version``: the version the editor saw). When the rule was added,
    changed or deleted since (another editor saved first), nothing is saved and
    ``Conflict`` says so."""
    phrase, say, scope = check_rule(phrase, say, scope, case_sensitive)
    stamp = now()
    with store.transaction():
        existing = store.row(
            "SELECT id, say, version FROM pronunciations WHERE phrase = ? AND scope = ? AND case_sensitive = ?",
            (phrase, scope, int(case_sensitive)),
        )
        if existing is None:
            if version:
                raise Conflict(f"the rule for '{phrase}' was deleted meanwhile", hint="add it again")
            added = store.execute(
                "INSERT INTO pronunciations (phrase, scope, say, case_sensitive, version, created, updated)"
                " VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT DO NOTHING",
                (phrase, scope, say, int(case_sensitive), stamp, stamp),
            )
            if not added:
                raise Conflict(f"another editor added a rule for '{phrase}' just now", hint="reload and look")
            old = None
        else:
            if version is None:
                raise Conflict(
                    f"there is a rule for '{phrase}' already (said '{existing['say']}')",
                    hint=f"to change it, send its version ({existing['version']})",
                )
            if int(existing["version"]) != version:
                raise Conflict(
                    f"another editor changed the rule for '{phrase}' meanwhile (now: '{existing['say']}')",
                    hint="reload and decide again",
                )
            changed = store.execute(
                "UPDATE pronunciations SET say = ?, version = version + 1, updated = ? WHERE id = ? AND version = ?",
                (say, stamp, existing["id"], existing["version"]),
            )
            if not changed:
                raise Conflict(f"another editor changed the rule for '{phrase}' meanwhile", hint="reload")
            old = existing["say"]
        store.execute(
            "INSERT INTO pronunciation_changes (phrase, scope, who, at, old, new) VALUES (?, ?, ?, ?, ?, ?)",
            (phrase, scope, who, stamp, old, say),
        )
        row = store.row(
            "SELECT id, phrase, scope, say, case_sensitive, version, updated FROM pronunciations"
            " WHERE phrase = ? AND scope = ? AND case_sensitive = ?",
            (phrase, scope, int(case_sensitive)),
        )
    assert row is not None
    return _rule(row)


def existing_rule(store: Store, phrase: str, scope: str, case_sensitive: bool) -> Rule | None:
    row = store.row(
        "SELECT id, phrase, scope, say, case_sensitive, version, updated FROM pronunciations"
        " WHERE phrase = ? AND scope = ? AND case_sensitive = ?",
        (phrase, scope, int(case_sensitive)),
    )
    return _rule(row) if row else None


def delete_rule(store: Store, rule_id: int, *, who: str) -> Rule | None:
    """Remove a rule (recorded); the rule as it was, or ``None`` when there was none."""
    with store.transaction():
        found = rule(store, rule_id)
        if found is None:
            return None
        store.execute("DELETE FROM pronunciations WHERE id = ?", (rule_id,))
        store.execute(
            "INSERT INTO pronunciation_changes (phrase, scope, who, at, old, new) VALUES (?, ?, ?, ?, ?, NULL)",
            (found.phrase, found.scope, who, now(), found.say),
        )
    return found


def changes(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT phrase, scope, who, at, old, new FROM pronunciation_changes ORDER BY id DESC LIMIT ?", (limit,)
    )


def lexicon_toml(found: list[Rule], engine: str, voice: str) -> str | None:
    """The rules that apply to a narration in ``voice`` of ``engine``, as a lexicon file
    (``None``: none apply). A rule for one voice is written after one for all, so it wins."""
    chosen = sorted((r for r in found if r.applies_to(engine, voice)), key=lambda r: (r.scope != "", r.phrase))
    if not chosen:
        return None
    lines = ["[words]"]
    for item in chosen:
        entry = {"say": item.say}
        key = item.phrase if item.case_sensitive else item.phrase.lower()
        exact = ", exact = true" if item.case_sensitive else ""
        lines.append(f"{json.dumps(key)} = {{ say = {json.dumps(entry['say'])}{exact} }}")
    return "\n".join(lines) + "\n"


def matcher(phrase: str, case_sensitive: bool) -> re.Pattern[str]:
    """Where a rule's words stand in a text: whole words, spaces as any space."""
    words = r"\s+".join(re.escape(part) for part in phrase.split())
    return re.compile(rf"(?<![\w-]){words}(?![\w-])", 0 if case_sensitive else re.IGNORECASE)


# -- what a rule touches ----------------------------------------------------------------------


@dataclass(frozen=True)
class Touched:
    article_id: str
    title: str
    sentences: int


def touched(store: Store, episodes: Path, phrase: str, case_sensitive: bool) -> list[Touched]:
    """The published articles whose narration holds the words (by the sentences of their
    timings), with how many of their sentences do: what saving the rule narrates again."""
    pattern = matcher(phrase, case_sensitive)
    out = []
    for row in store.rows("SELECT id, title, episode, record FROM articles WHERE record IS NOT NULL ORDER BY id"):
        count = sum(1 for text in _sentences(episodes, row) if pattern.search(text))
        if count:
            out.append(Touched(row["id"], row["title"] or row["id"], count))
    return out


def sentences_of(episodes: Path, article: dict[str, Any]) -> list[str]:
    """The sentences of an article's narration, as written, in order."""
    return _sentences(episodes, article)


def timings_of(episodes: Path, article: dict[str, Any]) -> dict[str, Any] | None:
    """The timings file of an article's narration (its sentences and their times)."""
    try:
        record = json.loads(article["record"]) if article.get("record") else None
        if not record or record.get("status") != "done":
            return None
        stem = str(record["audio"]).rsplit(".", 1)[0]
        data = json.loads((episodes / article["episode"] / f"{stem}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def _sentences(episodes: Path, article: dict[str, Any]) -> list[str]:
    data = timings_of(episodes, article)
    if data is None:
        return []
    return [
        str(sentence.get("text", ""))
        for part in data.get("segments", [])
        for sentence in part.get("sentences", [])
        if isinstance(sentence, dict)
    ]


# -- what is read of a page --------------------------------------------------------------------


def check_selector(selector: str) -> str:
    selector = " ".join(str(selector).split())
    if not selector or len(selector) > 300:
        raise ServiceError("a selector has 1 to 300 characters")
    try:
        from lxml.cssselect import CSSSelector

        CSSSelector(selector)
    except ImportError:
        raise ServiceError("reading rules need cssselect", hint="pip install 'audiogen[serve]'") from None
    except Exception as exc:  # cssselect's SelectorSyntaxError and ExpressionError
        raise ServiceError(f"'{selector[:100]}' is not a CSS selector: {exc}") from None
    return selector


def reading_rules(store: Store) -> list[dict[str, Any]]:
    return store.rows("SELECT id, kind, selector, created FROM reading_rules ORDER BY id")


def add_reading_rule(store: Store, kind: str, selector: str) -> dict[str, Any]:
    if kind not in READING_KINDS:
        raise ServiceError(f"a reading rule is one of {', '.join(READING_KINDS)}")
    selector = check_selector(selector)
    with store.transaction():
        store.execute("INSERT INTO reading_rules (kind, selector, created) VALUES (?, ?, ?)", (kind, selector, now()))
        row = store.row("SELECT id, kind, selector, created FROM reading_rules ORDER BY id DESC LIMIT 1")
    assert row is not None
    return row


def delete_reading_rule(store: Store, rule_id: int) -> bool:
    return store.execute("DELETE FROM reading_rules WHERE id = ?", (rule_id,)) > 0


def apply_reading_rules(html: str, found: list[tuple[str, str]]) -> str:
    """``html`` with the elements of ``exclude`` rules taken out and, when there are
    ``only`` rules, its body made of what they select (the head, with the page's
    metadata, kept). A page where an ``only`` rule selects nothing is left whole."""
    if not found:
        return html
    from lxml import html as lxml_html
    from lxml.cssselect import CSSSelector

    try:
        document = lxml_html.document_fromstring(html)
    except (ValueError, TypeError, Exception):  # lxml's ParserError for an empty page
        return html
    for kind, selector in found:
        if kind == "exclude":
            for element in CSSSelector(selector)(document):
                parent = element.getparent()
                if parent is not None:
                    element.drop_tree()
    only = [selector for kind, selector in found if kind == "only"]
    if only:
        kept = [element for selector in only for element in CSSSelector(selector)(document)]
        body = document.find("body")
        if kept and body is not None:
            copies = [lxml_html.fromstring(lxml_html.tostring(element, encoding="unicode")) for element in kept]
            for child in list(body):
                body.remove(child)
            body.text = None
            for element in copies:
                body.append(element)
    return str(lxml_html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>"))


# -- a voice per section -----------------------------------------------------------------------


def section_voices(store: Store) -> dict[str, str]:
    return {row["section"]: row["voice"] for row in store.rows("SELECT section, voice FROM section_voices")}


def set_section_voice(store: Store, section: str, voice: str) -> None:
    from audiogen.errors import AudiogenError
    from audiogen.voices import resolve_voice

    section = " ".join(str(section).split())
    if not section or len(section) > 100:
        raise ServiceError("a section's name has 1 to 100 characters")
    voice = str(voice).strip()
    if any(mark in voice for mark in ("/", "\\")) or voice.endswith(".toml") or not voice or len(voice) > 100:
        raise ServiceError(f"'{voice[:100]}' is not a voice")
    try:
        resolve_voice(voice)
    except AudiogenError:
        raise ServiceError(f"'{voice[:100]}' is not a voice", hint="see 'audiogen voices'") from None
    store.execute(
        "INSERT INTO section_voices (section, voice) VALUES (?, ?)"
        " ON CONFLICT (section) DO UPDATE SET voice = excluded.voice",
        (section, voice),
    )


def delete_section_voice(store: Store, section: str) -> bool:
    return store.execute("DELETE FROM section_voices WHERE section = ?", (section,)) > 0


def section_access(store: Store) -> dict[str, str]:
    return {row["section"]: row["access"] for row in store.rows("SELECT section, access FROM section_access")}


def set_section_access(store: Store, section: str, access: str) -> None:
    """The access of a section's articles when they say none (public or subscribers)."""
    section = " ".join(str(section).split())
    if not section or len(section) > 100:
        raise ServiceError("a section's name has 1 to 100 characters")
    if access not in ("public", "subscribers"):
        raise ServiceError("access is public or subscribers")
    store.execute(
        "INSERT INTO section_access (section, access) VALUES (?, ?)"
        " ON CONFLICT (section) DO UPDATE SET access = excluded.access",
        (section, access),
    )
