"""Articles and their jobs in the database: what is asked for, queued, running, done.

An article has an id (the publisher's, or one made for it), a source (a URL, or the
page's HTML, Markdown or plain text), a voice and a lexicon. Submitting it queues a job
unless the same request is already narrated or queued. A job reads the article as it is
when the job starts, so edits that arrive while a job waits fold into that job; an edit
that arrives while a job runs queues one more, run after it. Never are two jobs of one
article running at once, and a job is claimed by one runner only (a conditional update,
and on PostgreSQL a skipped row lock), so none runs twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from audiogen.errors import ServiceError
from audiogen.publish.batch import episode_id
from audiogen.serve.store import Store, now

KINDS = ("url", "html", "markdown", "text")
#: what an article's request is made of, as the articles table's columns
REQUEST_COLUMNS = ("kind", "source", "voice", "lexicon", "language", "quote_voice")
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
#: a job that failed this many times because its worker died is not tried again
MAX_ATTEMPTS = 3
#: how long a draft's preview link works (it ends sooner when the draft is published)
PREVIEW_S = 7 * 24 * 3600
ACCESS = ("public", "subscribers")


@dataclass(frozen=True)
class Submission:
    """What a publisher asks to be narrated."""

    id: str
    kind: str
    source: str
    voice: str | None = None
    lexicon: str | None = None
    language: str | None = None
    quote_voice: str | None = None
    #: the CMS's modified time of this version (UTC ISO 8601), when it says
    modified: str | None = None
    #: narrated but not published: out of the feed, its audio only by its preview link
    draft: bool = False
    #: the site's section (its voice may be set per section)
    section: str | None = None
    #: "public", "subscribers" (files by signed link only, out of the public feed), or
    #: None: the section's default, else public
    access: str | None = None

    def columns(self) -> tuple[str | None, ...]:
        """The values of ``REQUEST_COLUMNS``, in order."""
        return tuple(getattr(self, name) for name in REQUEST_COLUMNS)

    def request_hash(self) -> str:
        """What the narration is made from (a draft published as it is is not narrated again)."""
        fields: list[str | None] = [self.kind, self.source, self.voice, self.lexicon]
        if self.language or self.quote_voice or self.section:  # (older requests keep their hash)
            fields += [self.language, self.quote_voice]
        if self.section:
            fields.append(self.section)
        what = json.dumps(fields, ensure_ascii=False)
        return hashlib.sha256(what.encode("utf-8")).hexdigest()


def check_id(article_id: str) -> str:
    if not ID_PATTERN.fullmatch(article_id):
        raise ServiceError(
            f"'{article_id[:140]}' is not an article id",
            hint="use 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
        )
    return article_id


def new_id(kind: str, source: str) -> str:
    """An id for an article submitted without one: from its URL (the same page gets the
    same id), else random."""
    if kind == "url":
        return "u-" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:20]
    import secrets

    return "a-" + secrets.token_hex(10)


def episode_of(article_id: str) -> str:
    """The episode folder of an article: stable, and safe as a file name."""
    return episode_id(f"article:{article_id}")


@dataclass
class Submitted:
    article: dict[str, Any]
    job: dict[str, Any] | None
    #: the same request was narrated already: nothing queued
    unchanged: bool = False
    created: bool = False
    #: older (by the CMS's modified time) than the version narrated: ignored
    stale: bool = False
    #: a narrated draft published as it is (the feed must list it now)
    published: bool = False


def submit(store: Store, submission: Submission, reason: str) -> Submitted:
    """Record ``submission`` and queue its narration when one is needed."""
    request_hash = submission.request_hash()
    stamp = now()
    published = False  # (the public feed must be written again: a draft published, access changed)
    with store.transaction():
        article = get_article(store, submission.id)
        created = article is None
        if article is None:
            store.execute(
                f"INSERT INTO articles (id, episode, {', '.join(REQUEST_COLUMNS)}, request_hash, status, created,"
                f" updated, modified, section) VALUES (?, ?, {', '.join('?' * len(REQUEST_COLUMNS))}, ?, 'queued',"
                " ?, ?, ?, ?)",
                (
                    submission.id,
                    episode_of(submission.id),
                    *submission.columns(),
                    request_hash,
                    stamp,
                    stamp,
                    submission.modified,
                    submission.section,
                ),
            )
            _set_draft(store, submission.id, submission.draft, was=False)
            _set_access(store, submission, was="public")
        else:
            known = article.get("modified")
            if submission.modified and known and submission.modified < known:
                return Submitted(article, active_job(store, submission.id), unchanged=True, stale=True)
            if submission.modified:
                store.execute("UPDATE articles SET modified = ? WHERE id = ?", (submission.modified, submission.id))
            published = _set_draft(store, submission.id, submission.draft, was=bool(article.get("draft")))
            published = _set_access(store, submission, was=article.get("access") or "public") or published
            active = active_job(store, submission.id)
            if article["request_hash"] == request_hash and (article["status"] == "done" or active):
                article = get_article(store, submission.id) or article
                return Submitted(article, active, unchanged=active is None, published=published)
            status = "running" if article["status"] == "running" else "queued"
            store.execute(
                f"UPDATE articles SET {', '.join(f'{c} = ?' for c in REQUEST_COLUMNS)}, request_hash = ?, status = ?,"
                " updated = ?, section = ? WHERE id = ?",
                (*submission.columns(), request_hash, status, stamp, submission.section, submission.id),
            )
        job = store.row(
            "SELECT * FROM jobs WHERE article_id = ? AND state = 'queued' ORDER BY id LIMIT 1", (submission.id,)
        )
        if job is None:
            store.execute(
                "INSERT INTO jobs (article_id, state, reason, created) VALUES (?, 'queued', ?, ?)",
                (submission.id, reason, stamp),
            )
            job = store.row(
                "SELECT * FROM jobs WHERE article_id = ? AND state = 'queued' ORDER BY id DESC LIMIT 1",
                (submission.id,),
            )
        article = get_article(store, submission.id)
    assert article is not None
    return Submitted(article, job, created=created, published=published)


def _set_access(store: Store, submission: Submission, *, was: str) -> bool:
    """Who may hear the article: as the submission says, else its section's default,
    else public; whether it changed (the public feed must be written again)."""
    access = submission.access
    if access is None and submission.section:
        row = store.row("SELECT access FROM section_access WHERE section = ?", (submission.section,))
        access = row["access"] if row else None
    access = access if access in ACCESS else "public"
    if access == was:
        return False
    store.execute("UPDATE articles SET access = ? WHERE id = ?", (access, submission.id))
    return True


def _set_draft(store: Store, article_id: str, draft: bool, *, was: bool) -> bool:
    """Make the article a draft (with a new preview link) or published; whether a draft
    was published by this."""
    if draft and not was:
        import secrets
        import time

        store.execute(
            "UPDATE articles SET draft = 1, preview_token = ?, preview_expires = ? WHERE id = ?",
            (secrets.token_urlsafe(24), time.time() + PREVIEW_S, article_id),
        )
    elif not draft and was:
        store.execute(
            "UPDATE articles SET draft = 0, preview_token = NULL, preview_expires = NULL WHERE id = ?", (article_id,)
        )
        return True
    return False


def get_article(store: Store, article_id: str) -> dict[str, Any] | None:
    return store.row("SELECT * FROM articles WHERE id = ?", (article_id,))


#: what the articles page shows of each article (its request's source, which may be a
#: whole page, is left in the database)
LISTED = "id, episode, kind, status, title, voice, error, record, created, updated, draft, section"


def list_articles(
    store: Store, limit: int = 100, offset: int = 0, status: str | None = None, *, columns: str = "*"
) -> list[dict[str, Any]]:
    """The articles, newest first (``status``: only those in it)."""
    where, params = ("WHERE status = ?", [status]) if status else ("", [])
    return store.rows(
        f"SELECT {columns} FROM articles {where} ORDER BY created DESC, id LIMIT ? OFFSET ?", (*params, limit, offset)
    )


def count_articles(store: Store, status: str | None = None) -> int:
    where, params = ("WHERE status = ?", (status,)) if status else ("", ())
    row = store.row(f"SELECT COUNT(*) AS n FROM articles {where}", params)
    return int(row["n"]) if row else 0


def jobs_of(store: Store, article_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """An article's jobs, the latest first."""
    return store.rows("SELECT * FROM jobs WHERE article_id = ? ORDER BY id DESC LIMIT ?", (article_id, limit))


def narrate_again(store: Store, article_ids: list[str], reason: str) -> int:
    """Queue a job for each article that has none waiting (after a site-wide change: a
    pronunciation, a reading rule); how many were queued."""
    queued = 0
    stamp = now()
    for article_id in article_ids:
        with store.transaction():
            if get_article(store, article_id) is None:
                continue
            if store.row("SELECT id FROM jobs WHERE article_id = ? AND state = 'queued'", (article_id,)):
                continue
            store.execute(
                "INSERT INTO jobs (article_id, state, reason, created) VALUES (?, 'queued', ?, ?)",
                (article_id, reason, stamp),
            )
            store.execute(
                "UPDATE articles SET status = CASE WHEN status = 'running' THEN status ELSE 'queued' END WHERE id = ?",
                (article_id,),
            )
            queued += 1
    return queued


def active_job(store: Store, article_id: str) -> dict[str, Any] | None:
    """The article's job that is queued or running, if any (the running one first)."""
    return store.row(
        "SELECT * FROM jobs WHERE article_id = ? AND state IN ('queued', 'running') ORDER BY state DESC, id LIMIT 1",
        (article_id,),
    )


def latest_job(store: Store, article_id: str) -> dict[str, Any] | None:
    return store.row("SELECT * FROM jobs WHERE article_id = ? ORDER BY id DESC LIMIT 1", (article_id,))


def get_job(store: Store, job_id: int) -> dict[str, Any] | None:
    return store.row("SELECT * FROM jobs WHERE id = ?", (job_id,))


def delete_article(store: Store, article_id: str, modified: str | None = None) -> dict[str, Any] | None:
    """Forget the article and cancel its queued job; the deleted row (``None``: unknown,
    or changed in the CMS after ``modified``, the time of the call that asks).
    A job already running finishes, and its episode is removed then."""
    with store.transaction():
        article = get_article(store, article_id)
        if article is None or (modified and article.get("modified") and modified < article["modified"]):
            return None
        store.execute(
            "UPDATE jobs SET state = 'cancelled', finished = ? WHERE article_id = ? AND state = 'queued'",
            (now(), article_id),
        )
        store.execute("DELETE FROM articles WHERE id = ?", (article_id,))
    return article


def done_records(store: Store, *, everyone: bool = True) -> dict[str, dict[str, Any]]:
    """The episodes of the public feed (not drafts, not subscribers'; ``everyone=False``:
    a subscriber's feed, theirs too): key → the record of their last narration."""
    records = {}
    public = " AND access = 'public'" if everyone else ""
    for row in store.rows("SELECT id, record, section FROM articles WHERE record IS NOT NULL AND draft = 0" + public):
        record = json.loads(row["record"])
        if record.get("status") == "done":
            records[f"article:{row['id']}"] = record | ({"section": row["section"]} if row["section"] else {})
    return records


# -- the queue, for runners -----------------------------------------------------------------


def claim(store: Store, runner: str) -> dict[str, Any] | None:
    """The next queued job whose article has none running, now running for ``runner``,
    with its article's source as it is now; ``None`` when there is none."""
    with store.transaction():
        candidate = store.row(
            "SELECT id FROM jobs AS j WHERE state = 'queued' AND NOT EXISTS"
            " (SELECT 1 FROM jobs AS r WHERE r.article_id = j.article_id AND r.state = 'running')"
            " ORDER BY id LIMIT 1" + store.claim_clause()
        )
        if candidate is None:
            return None
        stamp = now()
        taken = store.execute(
            "UPDATE jobs SET state = 'running', runner = ?, started = ?, attempts = attempts + 1"
            " WHERE id = ? AND state = 'queued'",
            (runner, stamp, candidate["id"]),
        )
        if not taken:
            return None
        job = get_job(store, candidate["id"])
        assert job is not None
        article = get_article(store, job["article_id"])
        if article is None:  # deleted between the two statements of another runner
            store.execute("UPDATE jobs SET state = 'cancelled', finished = ? WHERE id = ?", (stamp, job["id"]))
            return None
        store.execute("UPDATE articles SET status = 'running' WHERE id = ?", (article["id"],))
    return {"job": job, "article": article}


def finish(store: Store, job_id: int, runner: str, record: dict[str, Any]) -> bool:
    """Record what job ``job_id`` made (its batch record); whether the article still
    exists. Nothing changes when the job is no longer this runner's."""
    stamp = now()
    failed = record.get("status") != "done"
    with store.transaction():
        changed = store.execute(
            "UPDATE jobs SET state = ?, finished = ?, error = ?, result = ? WHERE id = ? AND runner = ?"
            " AND state = 'running'",
            ("failed" if failed else "done", stamp, record.get("error"), json.dumps(record), job_id, runner),
        )
        job = get_job(store, job_id)
        if not changed or job is None:
            return True
        article = get_article(store, job["article_id"])
        if article is None:
            return False
        waiting = store.row("SELECT id FROM jobs WHERE article_id = ? AND state = 'queued'", (article["id"],))
        status = "queued" if waiting else "failed" if failed else "done"
        if failed:
            store.execute(
                "UPDATE articles SET status = ?, error = ?, updated = ? WHERE id = ?",
                (status, record.get("error"), stamp, article["id"]),
            )
        else:
            store.execute(
                "UPDATE articles SET status = ?, error = NULL, title = ?, record = ?, updated = ? WHERE id = ?",
                (status, record.get("title"), json.dumps(record), stamp, article["id"]),
            )
    return True


def requeue(store: Store, job_id: int, why: str, *, counts: bool = True) -> None:
    """Put a running job back in the queue: its worker died (``counts``: after
    ``MAX_ATTEMPTS`` such deaths it fails), or the service stopped (it does not count)."""
    with store.transaction():
        job = get_job(store, job_id)
        if job is None or job["state"] != "running":
            return
        if not counts:
            store.execute("UPDATE jobs SET attempts = attempts - 1 WHERE id = ?", (job_id,))
        elif job["attempts"] >= MAX_ATTEMPTS:
            record = {"status": "failed", "error": f"{why} ({job['attempts']} times)"}
            finish(store, job_id, job["runner"], record)
            return
        store.execute("UPDATE jobs SET state = 'queued', runner = NULL WHERE id = ?", (job_id,))
        store.execute("UPDATE articles SET status = 'queued' WHERE id = ?", (job["article_id"],))
