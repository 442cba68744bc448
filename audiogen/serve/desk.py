"""The audio desk: the service's pages for the person who answers for the audio.

Server-rendered HTML (no third-party code; the pages' own script and style only, under
a strict Content-Security-Policy) behind a sign-in: an editor key is given once, the
desk keeps a session (an HTTP-only, SameSite=Strict cookie holding a random id the
database knows hashed), and every form that changes something carries the session's
own token (``csrf``), checked against it. What the desk shows:

- **Articles**: every article, newest first, by status, paged; each with its player,
  the script as spoken sentence by sentence, where proof-listening heard it wrong, its
  jobs, and buttons to narrate it again or take it down.
- **Pronunciations**: the site's rules (word or phrase → what to say), added from any
  sentence (select a word, type how to say it, hear that sentence said so at once), each
  save showing first how many articles and sentences it narrates again.
- **Reading rules and settings**: CSS selectors left out of pages or read alone, a voice
  per section, whether narrations are heard back (off, report, fix).
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from audiogen.errors import AudiogenError, ServiceError
from audiogen.serve import articles, auth, site
from audiogen.serve.runner import EPISODES
from audiogen.serve.service import PROOF_MODES, Service, flagged_sentences

COOKIE = "audiogen_desk"
PAGE_SIZE = 50
STATUSES = ("queued", "running", "done", "failed")
#: the desk's pages load only from the service; audio may play from a fetched preview
DESK_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:;"
    " media-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class Desk:
    """The desk's pages for ``service``."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.store = service.store
        self.episodes = service.data / EPISODES
        self.secure = service.api_url.startswith("https://")

    # -- sessions ------------------------------------------------------------------------------

    def signed_in(self, request: Request) -> tuple[auth.KeyInfo, str] | None:
        return auth.session_key(self.store, request.cookies.get(COOKIE, ""))

    async def form(self, request: Request) -> dict[str, str]:
        """A posted form's fields (the last value of each)."""
        body = (await request.body()).decode("utf-8", errors="replace")
        return {name: values[-1] for name, values in parse_qs(body, keep_blank_values=True).items()}

    def checked(self, request: Request, fields: dict[str, str]) -> tuple[auth.KeyInfo, str] | None:
        """The session of a state-changing form, when its token is the session's own and
        it comes from this site's pages; else ``None`` (refused)."""
        session = self.signed_in(request)
        if session is None or not auth.same_token(fields.get("csrf"), session[1]):
            return None
        origin = request.headers.get("origin")
        if origin and origin != "null" and not self._same_origin(request, origin):
            return None
        return session

    def _same_origin(self, request: Request, origin: str) -> bool:
        host = request.headers.get("host", "")
        return origin.split("://", 1)[-1].rstrip("/") in (host, self.service.api_url.split("://", 1)[-1])

    def login(self, key: str) -> tuple[str, str] | str:
        """A session for an editor key, or why not."""
        info = auth.check_key(self.store, key.strip()) if key else None
        if info is None:
            return "That key is not valid (or was revoked)."
        if info.role != "editor":
            return "That key may read the listening figures only (role: stats); the desk needs an editor key."
        return auth.start_session(self.store, info)

    def cookie(self, response: Response, session: str) -> None:
        response.set_cookie(
            COOKIE,
            session,
            max_age=auth.SESSION_S,
            httponly=True,
            samesite="strict",
            secure=self.secure,
            path="/",
        )

    # -- pages -----------------------------------------------------------------------------------

    def page(self, title: str, body: str, *, token: str | None = None, status: int = 200) -> HTMLResponse:
        nav = ""
        if token is not None:
            nav = (
                '<nav aria-label="Desk"><ul>'
                '<li><a href="/desk/articles">Articles</a></li>'
                '<li><a href="/desk/pronunciations">Pronunciations</a></li>'
                '<li><a href="/desk/rules">Reading rules and settings</a></li>'
                '<li><a href="/admin">Listening figures</a></li>'
                f'<li><form method="post" action="/desk/logout">{_token(token)}'
                '<button type="submit">Sign out</button></form></li></ul></nav>'
            )
        html = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} — audiogen desk</title>"
            '<link rel="stylesheet" href="/desk/desk.css"><link rel="icon" href="data:,">'
            '<script src="/desk/desk.js" defer></script></head><body>'
            f'<header><p class="brand">audiogen desk</p>{nav}</header>'
            f'<main id="main"><h1>{escape(title)}</h1>{body}</main></body></html>'
        )
        return HTMLResponse(
            html,
            status_code=status,
            headers={
                "Content-Security-Policy": DESK_POLICY,
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
            },
        )

    def login_page(self, message: str = "", status: int = 200) -> HTMLResponse:
        alert = f'<p role="alert" class="error">{escape(message)}</p>' if message else ""
        body = (
            f'{alert}<form method="post" action="/desk/login" class="stack">'
            '<label for="key">Editor API key</label>'
            '<input id="key" name="key" type="password" autocomplete="off" required>'
            '<button type="submit">Sign in</button>'
            '<p class="muted">Create one with <code>audiogen serve keys create --name NAME --role editor</code>. '
            "The desk keeps you signed in for 12 hours with a cookie only this service reads.</p></form>"
        )
        return self.page("Sign in", body, status=status)

    def articles_page(self, token: str, status: str | None, page: int) -> HTMLResponse:
        status = status if status in STATUSES else None
        total = articles.count_articles(self.store, status)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(page, 1), pages)
        rows = articles.list_articles(self.store, PAGE_SIZE, (page - 1) * PAGE_SIZE, status, columns=articles.LISTED)
        choices = "".join(f'<option value="{s}"{" selected" if s == status else ""}>{s}</option>' for s in STATUSES)
        filters = (
            '<form method="get" action="/desk/articles" class="row">'
            '<label for="status">Status</label>'
            f'<select id="status" name="status"><option value="">all</option>{choices}</select>'
            '<button type="submit">Show</button></form>'
        )
        lines = []
        for row in rows:
            record = _record(row)
            proof = ""
            if record.get("proof_accuracy") is not None:
                proof = f"{record['proof_accuracy'] * 100:.0f} %, {record.get('proof_flagged', 0)} flagged"
            state = row["status"] + (" (draft)" if row.get("draft") else "")
            error = _one_line(row.get("error") or "") if row["status"] == "failed" else ""
            lines.append(
                "<tr>"
                f'<td><a href="/desk/articles/{quote(row["id"], safe="")}">{escape(row["title"] or row["id"])}</a></td>'
                f'<td><span class="status {escape(row["status"])}">{escape(state)}</span></td>'
                f"<td>{escape(record.get('voice') or row.get('voice') or '')}</td>"
                f'<td class="n">{_duration(record.get("duration_ms"))}</td>'
                f"<td>{escape((record.get('finished') or row['updated'] or '')[:16].replace('T', ' '))}</td>"
                f"<td>{escape(proof)}</td>"
                f"<td>{escape(error)}</td>"
                "</tr>"
            )
        table = (
            f'<table><caption class="muted">{total} articles{" " + escape(status) if status else ""}, newest first'
            f"</caption><thead><tr>"
            '<th scope="col">Title</th><th scope="col">Status</th><th scope="col">Voice</th>'
            '<th scope="col">Duration</th><th scope="col">Narrated</th><th scope="col">Proof</th>'
            '<th scope="col">Error</th></tr></thead>'
            f"<tbody>{''.join(lines) or _empty(7, 'No articles yet.')}</tbody></table>"
        )
        pager = self._pager(page, pages, status)
        return self.page("Articles", filters + table + pager, token=token)

    def _pager(self, page: int, pages: int, status: str | None) -> str:
        if pages <= 1:
            return ""

        def link(number: int, text: str) -> str:
            query = urlencode({"page": number, **({"status": status} if status else {})})
            return f'<a href="/desk/articles?{query}">{text}</a>'

        parts = []
        if page > 1:
            parts.append(link(page - 1, "Newer"))
        parts.append(f'<span aria-current="page">Page {page} of {pages}</span>')
        if page < pages:
            parts.append(link(page + 1, "Older"))
        return f'<nav aria-label="Pages" class="pager">{" ".join(parts)}</nav>'

    def article_page(self, token: str, article_id: str, message: str = "") -> HTMLResponse | None:
        """The article's page; ``None`` when there is no such article."""
        with self.store.snapshot():  # (its status and its job at one moment)
            article = articles.get_article(self.store, article_id)
            if article is None:
                return None
            view = self.service.article_view(article)
        record = _record(article)
        timings = site.timings_of(self.episodes, article)
        report = self.service.proof_report(article, record)
        parts = []
        if message:
            parts.append(f'<p role="status" class="notice">{escape(message)}</p>')
        facts = [
            ("Status", article["status"] + (" — draft, not in the feed" if article.get("draft") else "")),
            ("Voice", record.get("voice") or self.service.voice_of(article) or "the service's default"),
            ("Section", article.get("section") or "—"),
            ("Duration", _duration(record.get("duration_ms"))),
            ("Source", view.get("url") or article["kind"]),
        ]
        if article.get("error"):
            facts.append(("Error", _one_line(article["error"])))
        if report is not None:
            facts.append(
                (
                    "Proof",
                    f"{report.get('accuracy', 0) * 100:.1f} % of words heard as written, "
                    f"{report.get('flagged', 0)} sentences flagged",
                )
            )
        parts.append(
            '<dl class="facts">'
            + "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(str(v))}</dd></div>" for k, v in facts)
            + "</dl>"
        )
        audio = self._audio_url(article, record)
        if audio:
            parts.append(
                f'<section aria-labelledby="listen"><h2 id="listen">Listen</h2>'
                f'<audio id="narration" controls preload="metadata" src="{escape(audio)}"></audio>'
            )
            if article.get("draft") and view.get("preview"):
                parts.append(
                    f'<p>Preview link (until published, or 7 days): <a href="{escape(view["preview"]["url"])}">'
                    f"{escape(view['preview']['url'])}</a></p>"
                )
            parts.append("</section>")
        actions = (
            '<section aria-labelledby="act"><h2 id="act">Actions</h2><div class="row">'
            f'<form method="post" action="/desk/articles/{quote(article["id"], safe="")}/narrate">{_token(token)}'
            '<button type="submit">Narrate again</button></form>'
            f'<form method="post" action="/desk/articles/{quote(article["id"], safe="")}/unpublish">{_token(token)}'
            '<button type="submit" class="danger">Unpublish</button></form></div></section>'
        )
        parts.append(actions)
        if report is not None:
            parts.append(self._flagged(report))
        if timings is not None:
            parts.append(self._script(token, article, timings, report))
        parts.append(self._jobs(article))
        return self.page(article["title"] or article["id"], "".join(parts), token=token)

    def _audio_url(self, article: dict[str, Any], record: dict[str, Any]) -> str | None:
        if record.get("status") != "done" or not record.get("audio"):
            return None
        url = f"/{EPISODES}/{quote(article['episode'])}/{quote(record['audio'])}"
        if article.get("draft"):
            url += f"?preview={quote(str(article.get('preview_token') or ''))}"
        return url

    def _flagged(self, report: dict[str, Any]) -> str:
        flagged = flagged_sentences(report)
        if not flagged:
            return (
                '<section aria-labelledby="heard"><h2 id="heard">Heard back</h2>'
                "<p>Every sentence was heard as written.</p></section>"
            )
        items = []
        for sentence in flagged:
            found = {str(w.get("meant", "")).strip(".,;:!?\"'").lower() for w in sentence.get("words", [])}
            meant, heard = _marked(str(sentence.get("meant", "")), str(sentence.get("heard", "")), found)
            kinds = ", ".join(sorted({str(w.get("kind")) for w in sentence.get("words", [])})) or "heard wrong"
            label = "flagged" if sentence.get("flagged") else "check this name"
            details = "".join(
                f"<li>{escape(str(w.get('kind')))}: <mark>{escape(str(w.get('meant')))}</mark>"
                f"{' heard “' + escape(str(w.get('heard'))) + '”' if w.get('heard') else ''}"
                f"{' — ' + escape(str(w.get('detail'))) if w.get('detail') else ''} "
                f'<button type="button" class="play" data-start="{int(w.get("start_ms", 0))}" '
                f'data-end="{int(w.get("end_ms", 0))}">Play the word</button></li>'
                for w in sentence.get("words", [])
            )
            items.append(
                f'<li class="heard-wrong"><p><strong>{escape(label)}</strong> ({escape(kinds)}; '
                f"score {float(sentence.get('score', 0)):.2f}) "
                f'<button type="button" class="play" data-start="{int(sentence.get("start_ms", 0))}" '
                f'data-end="{int(sentence.get("end_ms", 0))}">Play the sentence</button></p>'
                f'<p>Meant: <span class="meant">{meant}</span></p><p>Heard: <span class="heard">{heard}</span></p>'
                f"{'<ul>' + details + '</ul>' if details else ''}</li>"
            )
        return (
            '<section aria-labelledby="heard"><h2 id="heard">Heard back: what to check, worst first</h2>'
            f'<ol class="flagged">{"".join(items)}</ol></section>'
        )

    def _script(
        self, token: str, article: dict[str, Any], timings: dict[str, Any], report: dict[str, Any] | None
    ) -> str:
        wrong = {int(s.get("index", -1)) for s in (report or {}).get("sentences", []) if s.get("flagged")}
        items = []
        index = 0
        article_path = quote(article["id"], safe="")
        for part in timings.get("segments", []):
            for sentence in part.get("sentences", []):
                text = str(sentence.get("text", ""))
                start, end = int(sentence.get("start_ms", 0)), int(sentence.get("end_ms", 0))
                mark = ' <span class="tag">heard wrong</span>' if index in wrong else ""
                items.append(
                    f'<li id="s{index}" data-index="{index}"><span class="said">{escape(text)}</span>{mark} '
                    f'<button type="button" class="play" data-start="{start}" data-end="{end}">Play</button>'
                    f"<details><summary>Say a word differently</summary>"
                    f'<form method="post" action="/desk/pronunciations" class="rule" '
                    f'data-preview="/desk/articles/{article_path}/preview">{_token(token)}'
                    f'<input type="hidden" name="sentence" value="{index}">'
                    f'<input type="hidden" name="back" value="/desk/articles/{escape(article_path)}">'
                    f'<label for="w{index}">Word or phrase</label>'
                    f'<input id="w{index}" name="phrase" required maxlength="{site.MAX_PHRASE}" class="word">'
                    f'<label for="y{index}">Say it as</label>'
                    f'<input id="y{index}" name="say" required maxlength="{site.MAX_SAY}">'
                    f'<label><input type="checkbox" name="case_sensitive" value="1"> Only in this case</label>'
                    f'<label><input type="checkbox" name="this_voice" value="1"> Only in this voice</label>'
                    '<button type="button" class="hear">Hear the sentence so</button>'
                    '<button type="submit">Save the rule…</button>'
                    '<span class="preview-status" role="status" aria-live="polite"></span></form></details></li>'
                )
                index += 1
        return (
            '<section aria-labelledby="script"><h2 id="script">The script as spoken</h2>'
            '<p class="muted">Select a word in a sentence, open “Say a word differently”, type how it is said, '
            "and hear that sentence at once; saving the rule narrates again every article that holds it.</p>"
            f'<ol class="script">{"".join(items)}</ol></section>'
        )

    def _jobs(self, article: dict[str, Any]) -> str:
        rows = articles.jobs_of(self.store, article["id"])
        lines = []
        for job in rows:
            result = json.loads(job["result"]) if job.get("result") else {}
            said = ""
            if "sentences_synthesized" in result:
                said = f"{result['sentences_synthesized']} synthesized, {result.get('sentences_cached', 0)} from cache"
            lines.append(
                f"<tr><td>{job['id']}</td><td>{escape(job['reason'])}</td><td>{escape(job['state'])}</td>"
                f"<td>{escape((job['created'] or '')[:19].replace('T', ' '))}</td>"
                f"<td>{escape((job.get('finished') or '')[:19].replace('T', ' '))}</td>"
                f"<td>{escape(said)}</td><td>{escape(_one_line(job.get('error') or ''))}</td></tr>"
            )
        return (
            '<section aria-labelledby="jobs"><h2 id="jobs">Jobs</h2><table><thead><tr>'
            '<th scope="col">Job</th><th scope="col">Why</th><th scope="col">State</th><th scope="col">Queued</th>'
            '<th scope="col">Finished</th><th scope="col">Sentences</th><th scope="col">Error</th></tr></thead>'
            f"<tbody>{''.join(lines)}</tbody></table></section>"
        )

    def pronunciations_page(self, token: str, message: str = "", error: str = "", status: int = 200) -> HTMLResponse:
        found = site.rules(self.store)
        parts = []
        if error:
            parts.append(f'<p role="alert" class="error">{escape(error)}</p>')
        if message:
            parts.append(f'<p role="status" class="notice">{escape(message)}</p>')
        parts.append(
            '<section aria-labelledby="add"><h2 id="add">Add or change a rule</h2>'
            f'<form method="post" action="/desk/pronunciations" class="stack">{_token(token)}'
            '<label for="phrase">Word or phrase</label>'
            f'<input id="phrase" name="phrase" required maxlength="{site.MAX_PHRASE}">'
            '<label for="say">Say it as</label>'
            f'<input id="say" name="say" required maxlength="{site.MAX_SAY}">'
            '<label for="scope">For</label>'
            '<input id="scope" name="scope" placeholder="every voice (or an engine or voice name)">'
            '<label><input type="checkbox" name="case_sensitive" value="1"> Only in this case</label>'
            '<button type="submit">Save the rule…</button></form></section>'
        )
        lines = "".join(
            f"<tr><td>{escape(r.phrase)}</td><td>{escape(r.say)}</td><td>{escape(r.scope or 'every voice')}</td>"
            f"<td>{'yes' if r.case_sensitive else 'no'}</td><td>{escape(r.updated[:16].replace('T', ' '))}</td>"
            f'<td><form method="post" action="/desk/pronunciations/{r.id}/delete">{_token(token)}'
            f'<button type="submit" class="danger" aria-label="Delete the rule for {escape(r.phrase)}">Delete</button>'
            "</form></td></tr>"
            for r in found
        )
        parts.append(
            '<section aria-labelledby="rules"><h2 id="rules">The site\'s rules</h2><table><thead><tr>'
            '<th scope="col">Word or phrase</th><th scope="col">Said as</th><th scope="col">For</th>'
            '<th scope="col">Case-sensitive</th><th scope="col">Changed</th><th scope="col">Delete</th></tr></thead>'
            f"<tbody>{lines or _empty(6, 'No rules yet.')}</tbody></table></section>"
        )
        history = "".join(
            f"<tr><td>{escape(c['at'][:16].replace('T', ' '))}</td><td>{escape(c['who'])}</td>"
            f"<td>{escape(c['phrase'])}</td><td>{escape(c['old'] or '—')}</td><td>{escape(c['new'] or 'deleted')}</td></tr>"
            for c in site.changes(self.store)
        )
        parts.append(
            '<section aria-labelledby="history"><h2 id="history">Changes</h2><table><thead><tr>'
            '<th scope="col">When</th><th scope="col">Who</th><th scope="col">Word or phrase</th>'
            '<th scope="col">Was</th><th scope="col">Now</th></tr></thead>'
            f"<tbody>{history}</tbody></table></section>"
        )
        return self.page("Pronunciations", "".join(parts), token=token, status=status)

    def confirm_page(
        self, token: str, fields: dict[str, str], touched: list[site.Touched], existing: site.Rule | None = None
    ) -> HTMLResponse:
        sentences = sum(t.sentences for t in touched)
        hidden = "".join(
            f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
            for k, v in fields.items()
            if k in ("phrase", "say", "scope", "case_sensitive", "back", "version")
        )
        listed = "".join(
            f'<li><a href="/desk/articles/{quote(t.article_id, safe="")}">{escape(t.title)}</a> '
            f"({t.sentences} sentence{'s' if t.sentences != 1 else ''})</li>"
            for t in touched[:50]
        )
        more = f"<p>… and {len(touched) - 50} more.</p>" if len(touched) > 50 else ""
        change = (
            f"<p>This changes the site's rule for it, now said <strong>{escape(existing.say)}</strong>.</p>"
            if existing
            else ""
        )
        body = change + (
            f"<p>Saying <strong>{escape(fields.get('phrase', ''))}</strong> as "
            f"<strong>{escape(fields.get('say', ''))}</strong> narrates again "
            f'<strong id="touched">{len(touched)} article{"s" if len(touched) != 1 else ""}</strong> '
            f"({sentences} sentence{'s' if sentences != 1 else ''} spoken again; the rest comes from the cache).</p>"
            f"<ul>{listed}</ul>{more}"
            f'<form method="post" action="/desk/pronunciations" class="row">{_token(token)}{hidden}'
            '<input type="hidden" name="confirm" value="1"><button type="submit">Save and narrate again</button>'
            '<a href="/desk/pronunciations">Cancel</a></form>'
        )
        return self.page("Save this pronunciation?", body, token=token)

    def rules_page(self, token: str, message: str = "", error: str = "", status: int = 200) -> HTMLResponse:
        parts = []
        if error:
            parts.append(f'<p role="alert" class="error">{escape(error)}</p>')
        if message:
            parts.append(f'<p role="status" class="notice">{escape(message)}</p>')
        rows = "".join(
            f"<tr><td>{'leave out' if r['kind'] == 'exclude' else 'read only'}</td><td><code>{escape(r['selector'])}</code></td>"
            f'<td><form method="post" action="/desk/rules/{int(r["id"])}/delete">{_token(token)}'
            f'<button type="submit" class="danger" aria-label="Delete the rule {escape(r["selector"])}">Delete</button>'
            "</form></td></tr>"
            for r in site.reading_rules(self.store)
        )
        parts.append(
            '<section aria-labelledby="reading"><h2 id="reading">What is read of a page</h2>'
            '<p class="muted">For pages submitted as a URL or as HTML; a rule applies from the next narration.</p>'
            '<table><thead><tr><th scope="col">Rule</th><th scope="col">CSS selector</th><th scope="col">Delete</th>'
            f"</tr></thead><tbody>{rows or _empty(3, 'No rules: the whole article is read.')}"
            "</tbody></table>"
            f'<form method="post" action="/desk/rules" class="row">{_token(token)}'
            '<label for="kind">Rule</label><select id="kind" name="kind">'
            '<option value="exclude">leave out</option><option value="only">read only</option></select>'
            '<label for="selector">CSS selector</label><input id="selector" name="selector" required maxlength="300"'
            ' placeholder="aside.newsletter">'
            '<button type="submit">Add</button></form></section>'
        )
        voices = "".join(
            f"<tr><td>{escape(section)}</td><td>{escape(voice)}</td>"
            f'<td><form method="post" action="/desk/sections/delete">{_token(token)}'
            f'<input type="hidden" name="section" value="{escape(section)}">'
            f'<button type="submit" class="danger" aria-label="Delete the voice of {escape(section)}">Delete</button>'
            "</form></td></tr>"
            for section, voice in sorted(site.section_voices(self.store).items())
        )
        parts.append(
            '<section aria-labelledby="sections"><h2 id="sections">A voice per section</h2>'
            '<table><thead><tr><th scope="col">Section</th><th scope="col">Voice</th><th scope="col">Delete</th>'
            f"</tr></thead><tbody>{voices}</tbody></table>"
            f'<form method="post" action="/desk/sections" class="row">{_token(token)}'
            '<label for="section">Section</label><input id="section" name="section" required maxlength="100">'
            '<label for="voice">Voice</label><input id="voice" name="voice" required maxlength="100">'
            '<button type="submit">Set</button></form></section>'
        )
        kept = "".join(
            f"<li>{escape(section)}: {escape(access)}</li>"
            for section, access in sorted(site.section_access(self.store).items())
        )
        parts.append(
            '<section aria-labelledby="access"><h2 id="access">Subscribers only, by section</h2>'
            f"<ul>{kept}</ul>"
            f'<form method="post" action="/desk/access" class="row">{_token(token)}'
            '<label for="access-section">Section</label><input id="access-section" name="section" required maxlength="100">'
            '<label for="access-kind">Heard by</label><select id="access-kind" name="access">'
            '<option value="public">everyone</option><option value="subscribers">subscribers only</option></select>'
            '<button type="submit">Set</button></form>'
            '<p class="muted">For articles that do not say; a subscriber-only episode is left out of the public feed '
            "and served only by signed links (POST /links, or signed by your paywall).</p></section>"
        )
        feed = f"{self.service.public_url}/feed.xml"
        snippet = (
            f'<script type="module" src="{self.service.public_url}/player/audiogen-player.js"></script>\n'
            f'<audiogen-playlist src="{feed}" max="20"></audiogen-playlist>'
        )
        parts.append(
            '<section aria-labelledby="playlist"><h2 id="playlist">The site\'s playlist</h2>'
            "<p>Paste this where readers should find the latest episodes, one after another "
            '(<a href="/playlist">see it</a>; add <code>section="…"</code> for one section):</p>'
            f"<pre><code>{escape(snippet)}</code></pre></section>"
        )
        mode = self.service.proof_mode()
        options = "".join(f'<option value="{m}"{" selected" if m == mode else ""}>{m}</option>' for m in PROOF_MODES)
        parts.append(
            '<section aria-labelledby="proofing"><h2 id="proofing">Hearing narrations back</h2>'
            f'<form method="post" action="/desk/settings" class="row">{_token(token)}'
            f'<label for="proof">Proof-listening</label><select id="proof" name="proof">{options}</select>'
            '<button type="submit">Save</button></form>'
            '<p class="muted">report: every narration is heard back and what was heard wrong is shown here; '
            "fix: what was heard wrong is also voiced again, the best reading kept.</p></section>"
        )
        return self.page("Reading rules and settings", "".join(parts), token=token, status=status)

    # -- a sentence said with a rule, at once ------------------------------------------------------

    def preview(self, article: dict[str, Any], index: int, phrase: str, say: str, case_sensitive: bool) -> bytes:
        """The sentence ``index`` of the article's narration said with the rule (and the
        site's other rules), as WAV."""
        import tempfile

        from audiogen.conversion import ConvertOptions, convert
        from audiogen.voices import resolve_voice

        phrase, say, _ = site.check_rule(phrase, say, "", case_sensitive)
        sentences = site.sentences_of(self.episodes, article)
        if not 0 <= index < len(sentences):
            raise ServiceError("no such sentence in the narration")
        voice = self.service.voice_of(article)
        preset = resolve_voice(voice)
        candidate = site.Rule(0, phrase, "", say, case_sensitive, 1, "")
        lexicon = site.lexicon_toml([*site.rules(self.store), candidate], preset.engine, voice or "")
        with tempfile.TemporaryDirectory(dir=self.service.data) as folder:
            work = Path(folder)
            paths = []
            for name, text in (("site.toml", lexicon), ("article.toml", article.get("lexicon"))):
                if text:
                    (work / name).write_text(text, encoding="utf-8")
                    paths.append(str(work / name))
            source = work / "sentence.txt"
            source.write_text(sentences[index] + "\n", encoding="utf-8")
            options = ConvertOptions(
                voice=voice, notice=False, cover=False, lexicons=tuple(paths), language=article.get("language")
            )
            result = convert(source, work / "preview.wav", options)
            return result.paths[0].read_bytes()


def _empty(columns: int, text: str) -> str:
    return f'<tr><td colspan="{columns}">{escape(text)}</td></tr>'


def _token(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(token)}">'


def _record(row: dict[str, Any]) -> dict[str, Any]:
    try:
        record = json.loads(row["record"]) if row.get("record") else {}
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def _duration(ms: Any) -> str:
    if not isinstance(ms, (int, float)) or ms <= 0:
        return ""
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes}:{seconds:02d}"


def _one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= 160 else line[:157] + "…"


def _marked(meant: str, heard: str, found: set[str]) -> tuple[str, str]:
    """Meant and heard as HTML, the words that differ (and the words of the findings) marked."""
    a, b = meant.split(), heard.split()

    def bare(word: str) -> str:
        return re.sub(r"[^\w]", "", word).lower()

    matcher = difflib.SequenceMatcher(None, [bare(w) for w in a], [bare(w) for w in b], autojunk=False)
    out_a: list[str] = []
    out_b: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for word in a[i1:i2]:
            marked = op != "equal" or bare(word) in found
            out_a.append(f"<mark>{escape(word)}</mark>" if marked else escape(word))
        for word in b[j1:j2]:
            out_b.append(f"<mark>{escape(word)}</mark>" if op != "equal" else escape(word))
    return " ".join(out_a), " ".join(out_b)


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def register(app: FastAPI, service: Service) -> None:
    """Add the desk's pages to the service's application."""
    desk = Desk(service)

    def known(article_id: str) -> dict[str, Any] | None:
        return articles.get_article(service.store, article_id)

    def refused() -> HTMLResponse:
        return desk.page(
            "Not allowed",
            '<p role="alert">This form was not sent from your desk session. '
            '<a href="/desk/login">Sign in</a> and try again.</p>',
            status=403,
        )

    async def guarded(request: Request, handle: Callable[[auth.KeyInfo, str, dict[str, str]], Any]) -> Any:
        fields = await desk.form(request)
        session = await run_in_threadpool(desk.checked, request, fields)
        if session is None:
            return refused()
        return await run_in_threadpool(handle, session[0], session[1], fields)

    def signed_page(request: Request, render: Callable[[str], Any]) -> Any:
        """The page ``render`` makes with the session's token, or the way to sign in."""
        session = desk.signed_in(request)
        if session is None:
            return RedirectResponse("/desk/login", status_code=303)
        return render(session[1])

    def done(request: Request) -> str:
        return request.query_params.get("done", "")[:200]

    @app.get("/desk", include_in_schema=False)
    def desk_home(request: Request) -> Any:
        return RedirectResponse("/desk/articles" if desk.signed_in(request) else "/desk/login", status_code=303)

    @app.get("/desk/login", include_in_schema=False)
    def login_form() -> Any:
        return desk.login_page()

    @app.post("/desk/login", include_in_schema=False)
    async def login(request: Request) -> Any:
        fields = await desk.form(request)
        made = await run_in_threadpool(desk.login, fields.get("key", ""))
        if isinstance(made, str):
            return desk.login_page(made, status=401)
        response = RedirectResponse("/desk/articles", status_code=303)
        desk.cookie(response, made[0])
        return response

    @app.post("/desk/logout", include_in_schema=False)
    async def logout(request: Request) -> Any:
        fields = await desk.form(request)
        if await run_in_threadpool(desk.checked, request, fields) is None:
            return refused()
        await run_in_threadpool(auth.end_session, service.store, request.cookies.get(COOKIE, ""))
        response = RedirectResponse("/desk/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/desk/articles", include_in_schema=False)
    def articles_list(request: Request, status: str | None = None, page: str = "1") -> Any:
        number = int(page) if page.isdigit() and len(page) < 10 else 1
        return signed_page(request, lambda token: desk.articles_page(token, status, number))

    @app.get("/desk/articles/{article_id}", include_in_schema=False)
    def article(request: Request, article_id: str) -> Any:
        def render(token: str) -> Any:
            shown = desk.article_page(token, article_id, done(request))
            if shown is None:
                return desk.page("No such article", '<p role="alert">No such article.</p>', token=token, status=404)
            return shown

        return signed_page(request, render)

    @app.post("/desk/articles/{article_id}/narrate", include_in_schema=False)
    async def narrate(request: Request, article_id: str) -> Any:
        def handle(key: auth.KeyInfo, token: str, fields: dict[str, str]) -> Any:
            if known(article_id) is None:
                return desk.page("No such article", '<p role="alert">No such article.</p>', token=token, status=404)
            articles.narrate_again(service.store, [article_id], "desk")
            service.runner.wake()
            return _back(f"/desk/articles/{quote(article_id, safe='')}", "Queued: it is narrated again.")

        return await guarded(request, handle)

    @app.post("/desk/articles/{article_id}/unpublish", include_in_schema=False)
    async def unpublish(request: Request, article_id: str) -> Any:
        def handle(key: auth.KeyInfo, token: str, fields: dict[str, str]) -> Any:
            service.unpublish(article_id)
            return RedirectResponse("/desk/articles", status_code=303)

        return await guarded(request, handle)

    @app.post("/desk/articles/{article_id}/preview", include_in_schema=False)
    async def preview(request: Request, article_id: str) -> Any:
        def handle(key: auth.KeyInfo, token: str, fields: dict[str, str]) -> Any:
            found = known(article_id)
            if found is None:
                return Response("no such article", status_code=404, media_type="text/plain")
            try:
                index = int(fields.get("sentence", "-1"))
                audio = desk.preview(
                    found, index, fields.get("phrase", ""), fields.get("say", ""), bool(fields.get("case_sensitive"))
                )
            except (ValueError, AudiogenError) as exc:
                message = exc.message if isinstance(exc, AudiogenError) else "the sentence is a number"
                return Response(message, status_code=422, media_type="text/plain; charset=utf-8")
            return Response(audio, media_type="audio/wav", headers={"Cache-Control": "no-store"})

        return await guarded(request, handle)

    @app.get("/desk/pronunciations", include_in_schema=False)
    def pronunciations(request: Request) -> Any:
        return signed_page(request, lambda token: desk.pronunciations_page(token, done(request)))

    @app.post("/desk/pronunciations", include_in_schema=False)
    async def save_pronunciation(request: Request) -> Any:
        def handle(key: auth.KeyInfo, token: str, fields: dict[str, str]) -> Any:
            case = bool(fields.get("case_sensitive"))
            scope = fields.get("scope", "")
            if fields.get("this_voice") and fields.get("back", "").startswith("/desk/articles/"):
                found = known(_article_of(fields["back"]))
                scope = (service.voice_of(found) or "") if found else ""
            try:
                phrase, say, scope = site.check_rule(fields.get("phrase", ""), fields.get("say", ""), scope, case)
            except ServiceError as exc:
                return desk.pronunciations_page(token, error=exc.message, status=422)
            values = {**fields, "phrase": phrase, "say": say, "scope": scope, "case_sensitive": "1" if case else ""}
            touched = site.touched(service.store, desk.episodes, phrase, case)
            if not fields.get("confirm"):
                # the rule as it is now: saving changes that version, or refuses if it changed
                existing = site.existing_rule(service.store, phrase, scope, case)
                values["version"] = str(existing.version) if existing else ""
                return desk.confirm_page(token, values, touched, existing)
            try:
                version = int(fields["version"]) if fields.get("version", "").isdigit() else None
                site.save_rule(
                    service.store, phrase, say, scope=scope, case_sensitive=case, who=key.name, version=version
                )
            except ServiceError as exc:
                return desk.pronunciations_page(
                    token, error=exc.message, status=409 if isinstance(exc, site.Conflict) else 422
                )
            queued = articles.narrate_again(service.store, [t.article_id for t in touched], "pronunciation")
            service.runner.wake()
            back = fields.get("back", "")
            message = f"Saved: {phrase} is said as {say}; {queued} article{'s' if queued != 1 else ''} narrated again."
            if back.startswith("/desk/articles/") and known(_article_of(back)) is not None:
                return _back(back, message)
            return _back("/desk/pronunciations", message)

        return await guarded(request, handle)

    @app.post("/desk/pronunciations/{rule_id}/delete", include_in_schema=False)
    async def delete_pronunciation(request: Request, rule_id: int) -> Any:
        def handle(key: auth.KeyInfo, token: str, fields: dict[str, str]) -> Any:
            removed = site.delete_rule(service.store, rule_id, who=key.name)
            if removed is None:
                return desk.pronunciations_page(token, error="That rule was deleted already.", status=404)
            touched = site.touched(service.store, desk.episodes, removed.phrase, removed.case_sensitive)
            queued = articles.narrate_again(service.store, [t.article_id for t in touched], "pronunciation")
            service.runner.wake()
            return _back("/desk/pronunciations", f"Deleted the rule for {removed.phrase}; {queued} narrated again.")

        return await guarded(request, handle)

    @app.get("/desk/rules", include_in_schema=False)
    def rules(request: Request) -> Any:
        return signed_page(request, lambda token: desk.rules_page(token, done(request)))

    def settings_form(change: Callable[[dict[str, str]], str]) -> Callable[[auth.KeyInfo, str, dict[str, str]], Any]:
        def handle(key: auth.KeyInfo, token: str, fields: dict[str, str]) -> Any:
            try:
                message = change(fields)
            except ServiceError as exc:
                return desk.rules_page(token, error=exc.message, status=422)
            return _back("/desk/rules", message)

        return handle

    @app.post("/desk/rules", include_in_schema=False)
    async def add_rule(request: Request) -> Any:
        def change(fields: dict[str, str]) -> str:
            made = site.add_reading_rule(service.store, fields.get("kind", ""), fields.get("selector", ""))
            return f"Added: {made['selector']}"

        return await guarded(request, settings_form(change))

    @app.post("/desk/rules/{rule_id}/delete", include_in_schema=False)
    async def delete_rule(request: Request, rule_id: int) -> Any:
        def change(fields: dict[str, str]) -> str:
            return "Deleted." if site.delete_reading_rule(service.store, rule_id) else "That rule was deleted already."

        return await guarded(request, settings_form(change))

    @app.post("/desk/sections", include_in_schema=False)
    async def set_section(request: Request) -> Any:
        def change(fields: dict[str, str]) -> str:
            site.set_section_voice(service.store, fields.get("section", ""), fields.get("voice", ""))
            return f"Section {fields.get('section', '').strip()} is read by {fields.get('voice', '').strip()}."

        return await guarded(request, settings_form(change))

    @app.post("/desk/sections/delete", include_in_schema=False)
    async def delete_section(request: Request) -> Any:
        def change(fields: dict[str, str]) -> str:
            site.delete_section_voice(service.store, fields.get("section", ""))
            return "Deleted."

        return await guarded(request, settings_form(change))

    @app.post("/desk/access", include_in_schema=False)
    async def set_access(request: Request) -> Any:
        def change(fields: dict[str, str]) -> str:
            site.set_section_access(service.store, fields.get("section", ""), fields.get("access", ""))
            return f"Section {fields.get('section', '').strip()}: {fields.get('access')}."

        return await guarded(request, settings_form(change))

    @app.post("/desk/settings", include_in_schema=False)
    async def settings(request: Request) -> Any:
        def change(fields: dict[str, str]) -> str:
            service.set_proof_mode(fields.get("proof", ""))
            return f"Proof-listening: {fields.get('proof')}."

        return await guarded(request, settings_form(change))

    for name, media in (("desk.css", "text/css; charset=utf-8"), ("desk.js", "text/javascript; charset=utf-8")):

        def asset(name: str = name, media: str = media) -> Any:
            return Response(_asset(name), media_type=media, headers={"Cache-Control": "no-cache"})

        app.get(f"/desk/{name}", include_in_schema=False)(asset)


def _article_of(path: str) -> str:
    from urllib.parse import unquote

    return unquote(path.removeprefix("/desk/articles/").split("/", 1)[0])


def _back(path: str, message: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'done': message})}", status_code=303)
