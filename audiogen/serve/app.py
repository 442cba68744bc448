"""The service's HTTP API (FastAPI on uvicorn): articles, jobs, webhooks, episodes, the
feed, the player, listening events and figures, and the admin page.

Every write but the player's events needs an API key as a bearer token (webhooks carry
an HMAC signature instead); reading articles, jobs and figures needs one too. What a
listener's browser fetches (audio, captions, the player, the feed) does not. The API's
description is served at ``/openapi.json`` and read at ``/docs`` (no third-party
requests: the documentation's files are served by the service).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from importlib import resources
from typing import Any

from fastapi import Depends, HTTPException, Query, Request, Response
from fastapi import Path as FastPath
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from audiogen import __version__
from audiogen.errors import AudiogenError, ServiceError
from audiogen.serve import articles, auth, desk, site, spots, stats, subscribers, webhooks
from audiogen.serve.articles import Submission
from audiogen.serve.runner import EPISODES
from audiogen.serve.service import FEED_FILE, PLAYER_PATH, LinkGone, LinkRefused, Service, ServiceConfig
from audiogen.serve.storage import content_type

log = logging.getLogger("audiogen")

#: a language tag: es, fr, en-GB, pt-BR
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,2}$")
#: the largest number a query or path takes (the databases' integers are 64-bit)
_LARGEST = 2**62
#: pages of the service itself load only from the service
_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:;"
    " frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class ArticleIn(BaseModel):
    """An article to narrate: exactly one of url, html, markdown or text."""

    id: str | None = Field(None, description="Your id for it (repeat it to re-narrate an edit)")
    url: str | None = Field(None, description="An http(s) page to fetch")
    html: str | None = Field(None, description="The page's HTML")
    markdown: str | None = None
    text: str | None = None
    voice: str | None = Field(None, description="A voice preset, or ENGINE:VOICE (see 'audiogen voices')")
    lexicon: str | None = Field(None, description="A pronunciation lexicon (TOML) for this article")
    language: str | None = Field(None, description="Its language (es, fr, en-GB…), over what it says or seems")
    quote_voice: str | None = Field(None, description="The voice of its quotations (a preset or ENGINE:VOICE)")
    status: str = Field(
        "publish",
        description="publish, or draft: narrated but not in the feed, its audio only by its preview link",
    )
    section: str | None = Field(None, description="The site's section (a voice may be set per section)")
    access: str | None = Field(
        None,
        description="public, or subscribers: its files only by signed link (POST /links), out of the public feed;"
        " default: the section's, else public",
    )


class SubscriberIn(BaseModel):
    """A subscriber to give a private feed."""

    id: str = Field(description="The subscriber's id or e-mail address (nothing else is kept)")


class LinkIn(BaseModel):
    """A signed link to one of a subscriber-only article's files."""

    id: str = Field(description="The article's id")
    file: str = Field("audio", description="audio, captions, timings or chapters")
    ttl_s: int = Field(6 * 3600, ge=60, le=7 * 24 * 3600, description="How long it works (seconds)")


class PronunciationIn(BaseModel):
    """A site pronunciation: the words, what to say, for which voices, in which case."""

    phrase: str = Field(description="A word or phrase, as written")
    say: str = Field(description="What the voice says instead (up to 200 characters)")
    scope: str = Field("", description="Every voice (empty), an engine (piper) or a voice (a preset or ENGINE:VOICE)")
    case_sensitive: bool = Field(False, description="Only where it is written in this case")
    version: int | None = Field(None, description="The version you changed (another editor's save since is refused)")
    dry_run: bool = Field(False, description="Only say what saving would narrate again")


def create_app(config: ServiceConfig) -> Any:
    """The ASGI application of a service configured by ``config``."""
    service = Service(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        await run_in_threadpool(service.start)
        try:
            yield
        finally:
            await run_in_threadpool(service.stop)

    app = FastAPIOffline(
        title="audiogen",
        version=__version__,
        description="Narrates articles on publish and on every edit, hosts the audio and the podcast feed, "
        "and keeps the publisher's own listening figures.",
        lifespan=lifespan,
    )
    app.state.service = service
    bearer = HTTPBearer(auto_error=False, description="An API key from 'audiogen serve keys create'")

    def error(status: int, message: str, hint: str | None = None, headers: dict[str, str] | None = None) -> Any:
        body = {"error": message} | ({"hint": hint} if hint else {})
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Any:
        return error(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(AudiogenError)
    async def audiogen_error(request: Request, exc: AudiogenError) -> Any:
        status = 503 if isinstance(exc, ServiceError) and exc.message.startswith("the database") else 422
        if isinstance(exc, site.Conflict):
            status = 409
        return error(status, exc.message, exc.hint)

    @app.exception_handler(UnicodeError)
    async def not_text(request: Request, exc: UnicodeError) -> Any:
        return error(422, "the request holds something that is not text (a lone surrogate?)")

    def any_key(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> auth.KeyInfo:  # noqa: B008
        key = auth.check_key(service.store, credentials.credentials) if credentials is not None else None
        if key is None:
            raise HTTPException(401, "a valid API key is needed", headers={"WWW-Authenticate": "Bearer"})
        return key

    def api_key(key: auth.KeyInfo = Depends(any_key)) -> auth.KeyInfo:  # noqa: B008
        """An editor's key: articles, jobs, pronunciations (a stats key reads figures only)."""
        if key.role != "editor":
            raise HTTPException(403, "this key may read the listening figures only (role: stats)")
        return key

    # -- articles and jobs ---------------------------------------------------------------
    def submission_of(body: ArticleIn) -> Submission:
        check_text(body.id, body.url, body.html, body.markdown, body.text, body.voice, body.lexicon)
        check_text(body.language, body.quote_voice)
        given = [kind for kind in articles.KINDS if getattr(body, kind) is not None]
        if len(given) != 1:
            raise HTTPException(422, "give exactly one of url, html, markdown or text")
        kind = given[0]
        source = getattr(body, kind)
        if not source.strip():
            raise HTTPException(422, f"the {kind} is empty")
        if kind == "url":
            from audiogen.fetch import check_address

            if not source.startswith(("http://", "https://")):
                raise HTTPException(422, "the url must be an http(s) address")
            check_address(source, allow_private=config.options.allow_private)
        check_voice(body.voice)
        if body.lexicon is not None:
            from audiogen.spoken.lexicon import parse_lexicon

            parse_lexicon(body.lexicon, "the article's lexicon")
        check_voice(body.quote_voice)
        if body.language is not None and not _LANGUAGE_TAG.match(body.language):
            raise HTTPException(422, "the language is a code such as es, fr or en-GB")
        article_id = articles.check_id(body.id) if body.id is not None else articles.new_id(kind, source)
        if body.status not in ("publish", "draft"):
            raise HTTPException(422, "the status is publish or draft")
        if body.access is not None and body.access not in articles.ACCESS:
            raise HTTPException(422, "access is public or subscribers")
        check_text(body.section)
        try:
            section = webhooks.section_name(body.section)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return Submission(
            article_id,
            kind,
            source,
            body.voice,
            body.lexicon,
            body.language,
            body.quote_voice,
            draft=body.status == "draft",
            section=section,
            access=body.access,
        )

    def check_text(*values: str | None) -> None:
        for value in values:
            if value is not None and not stats.encodable(value):
                raise HTTPException(422, "the text has a lone surrogate (\\ud800-\\udfff): it is not text")

    def check_voice(voice: str | None) -> None:
        if voice is None:
            return
        if any(mark in voice for mark in ("/", "\\", "\x00")) or voice.endswith(".toml") or len(voice) > 100:
            raise HTTPException(422, "a voice is a preset's name or ENGINE:VOICE")
        from audiogen.backends.registry import target_for
        from audiogen.voices import resolve_voice

        target_for(resolve_voice(voice).engine)  # an engine that is not installed is said now

    def queued(submitted: articles.Submitted) -> Any:
        if submitted.job is not None:
            service.runner.wake()
        if submitted.published:  # a narrated draft published as it is: into the feed now
            service.rebuild_feed()
        view = service.current_view(submitted.article["id"]) or service.article_view(submitted.article)
        status = 200 if submitted.unchanged else 201 if submitted.created else 202
        view["unchanged"] = submitted.unchanged
        if submitted.stale:
            view["ignored"] = "older than the version already narrated (by its modified time)"
        return JSONResponse(view, status_code=status, headers={"Location": view["links"]["self"]})

    @app.post("/articles", tags=["articles"], status_code=202, summary="Narrate an article (or its edit)")
    def post_article(body: ArticleIn, key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        """Queues the narration and returns the article with its job: 201 for a new
        article, 202 for a changed one (only the sentences that changed are spoken
        again), 200 when the same request was narrated already."""
        return queued(articles.submit(service.store, submission_of(body), "api"))

    @app.get("/articles", tags=["articles"], summary="The articles, newest first")
    def get_articles(
        limit: int = Query(100, ge=1, le=500),
        offset: int = Query(0, ge=0, le=_LARGEST),
        key: auth.KeyInfo = Depends(api_key),  # noqa: B008
    ) -> Any:
        with service.store.snapshot():  # (each article seen with its job at one moment)
            rows = articles.list_articles(service.store, limit, offset)
            return {"articles": [service.article_view(row) for row in rows]}

    @app.get("/articles/{article_id}", tags=["articles"], summary="An article, its episode and its job")
    def get_article(article_id: str, key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        return known_view(article_id)

    @app.delete(
        "/articles/{article_id}",
        tags=["articles"],
        status_code=204,
        response_class=Response,
        response_model=None,
        summary="Take an episode down",
    )
    def delete_article(article_id: str, key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        unpublish(known(article_id)["id"])
        return Response(status_code=204)

    @app.post(
        "/articles/{article_id}/narrate",
        tags=["articles"],
        status_code=202,
        summary="Narrate an article again (after a pronunciation or a voice was changed)",
    )
    def post_narrate_again(article_id: str, key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        """Queues a job for the article as it stands (unless one is waiting already);
        sentences whose words and voice are unchanged come from the cache."""
        article = known(article_id)
        articles.narrate_again(service.store, [article["id"]], "api")
        service.runner.wake()
        return JSONResponse(known_view(article_id), status_code=202)

    @app.get("/articles/{article_id}/player", tags=["episodes"], summary="The player's HTML for the article page")
    def get_player(article_id: str) -> Any:
        html = service.player_snippet(known(article_id))
        if html is None:
            raise HTTPException(404, "the article has no episode yet")
        return HTMLResponse(html + "\n")

    @app.get("/jobs/{job_id}", tags=["articles"], summary="A narration job")
    def get_job(job_id: int = FastPath(ge=1, le=_LARGEST), key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        job = articles.get_job(service.store, job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        return service.job_view(job)

    def known(article_id: str) -> dict[str, Any]:
        article = articles.get_article(service.store, article_id)
        if article is None:
            raise HTTPException(404, "no such article")
        return article

    def known_view(article_id: str) -> dict[str, Any]:
        view = service.current_view(article_id)
        if view is None:
            raise HTTPException(404, "no such article")
        return view

    def unpublish(article_id: str, modified: str | None = None) -> bool:
        return service.unpublish(article_id, modified)

    @app.post("/subscribers", tags=["subscribers"], status_code=201, summary="A private feed for a subscriber")
    def post_subscriber(body: SubscriberIn, key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        """The subscriber's feed URL (shown once: its token is stored hashed); Apple Podcasts,
        Overcast and Pocket Casts take such private feeds."""
        check_text(body.id)
        token = subscribers.add(service.store, body.id)
        return JSONResponse({"id": body.id, "feed_url": f"{service.api_url}/feeds/{token}.xml"}, status_code=201)

    @app.delete(
        "/subscribers/{subscriber}",
        tags=["subscribers"],
        status_code=204,
        response_class=Response,
        response_model=None,
        summary="End a subscriber's feed and every link it gave",
    )
    def delete_subscriber(subscriber: str, key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        check_text(subscriber)
        if not subscribers.revoke(service.store, subscriber):
            raise HTTPException(404, "no such subscriber (or revoked already)")
        return Response(status_code=204)

    @app.api_route(
        "/feeds/{name}", tags=["subscribers"], summary="A subscriber's private feed", methods=["GET", "HEAD"]
    )
    def private_feed(name: str, request: Request) -> Any:
        if not name.endswith(".xml"):
            raise HTTPException(404, "no such feed")
        try:
            xml = service.private_feed(name.removesuffix(".xml"), request.client.host if request.client else "?")
        except LinkRefused:
            raise HTTPException(404, "no such feed") from None
        except LinkGone as exc:
            raise HTTPException(410, exc.message) from None
        return Response(
            xml, media_type="application/rss+xml; charset=utf-8", headers={"Cache-Control": "private, no-store"}
        )

    @app.post("/links", tags=["episodes"], summary="A signed link to a subscriber-only episode's file")
    def post_link(body: LinkIn, key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        """For a paywall that would rather ask than sign: ``{"url": …?exp=…&sig=…, "expires": UNIX}``.
        A link is ``?exp=UNIX&sig=HEX`` with HEX the HMAC-SHA256, keyed by the secret
        ``audiogen serve link-secret`` prints, of the URL's path followed by ``exp``."""
        check_text(body.id, body.file)
        return service.signed_link(known(body.id), body.file, body.ttl_s)

    # -- the site's pronunciations ----------------------------------------------------------

    def rule_view(rule: site.Rule) -> dict[str, Any]:
        return {
            "id": rule.id,
            "phrase": rule.phrase,
            "say": rule.say,
            "scope": rule.scope,
            "case_sensitive": rule.case_sensitive,
            "version": rule.version,
            "updated": rule.updated,
        }

    @app.get("/pronunciations", tags=["pronunciations"], summary="The site's pronunciations and their changes")
    def get_pronunciations(key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        return {
            "pronunciations": [rule_view(r) for r in site.rules(service.store)],
            "changes": site.changes(service.store),
        }

    @app.post("/pronunciations", tags=["pronunciations"], status_code=201, summary="Add or change a pronunciation")
    def post_pronunciation(body: PronunciationIn, key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        """Saves the rule (201) and narrates again every published article whose narration
        holds the words — only their sentences with it are spoken again. ``dry_run``: only
        what it would narrate again (200). A change another editor made since ``version``
        is not overwritten (409)."""
        check_text(body.phrase, body.say, body.scope)
        phrase, say, scope = site.check_rule(body.phrase, body.say, body.scope, body.case_sensitive)
        touched = site.touched(service.store, service.data / EPISODES, phrase, body.case_sensitive)
        reach = {"articles": len(touched), "sentences": sum(t.sentences for t in touched)}
        if body.dry_run:
            return JSONResponse(reach, status_code=200)
        rule = site.save_rule(
            service.store,
            phrase,
            say,
            scope=scope,
            case_sensitive=body.case_sensitive,
            who=key.name,
            version=body.version,
        )
        queued = articles.narrate_again(service.store, [t.article_id for t in touched], "pronunciation")
        service.runner.wake()
        return JSONResponse(rule_view(rule) | {"narrating": queued} | {"reach": reach}, status_code=201)

    @app.delete(
        "/pronunciations/{rule_id}",
        tags=["pronunciations"],
        status_code=204,
        response_class=Response,
        response_model=None,
        summary="Remove a pronunciation",
    )
    def delete_pronunciation(
        rule_id: int = FastPath(ge=1, le=_LARGEST),
        key: auth.KeyInfo = Depends(api_key),  # noqa: B008
    ) -> Any:
        removed = site.delete_rule(service.store, rule_id, who=key.name)
        if removed is None:
            raise HTTPException(404, "no such pronunciation")
        touched = site.touched(service.store, service.data / EPISODES, removed.phrase, removed.case_sensitive)
        articles.narrate_again(service.store, [t.article_id for t in touched], "pronunciation")
        service.runner.wake()
        return Response(status_code=204)

    # -- sponsor spots ------------------------------------------------------------------------

    def spot_view(spot: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": spot["id"],
            "name": spot["name"],
            "duration_ms": spot["duration_ms"],
            "created": spot["created"],
            "audio": f"{service.api_url}/spots/{spot['id']}/audio",
        }

    @app.post("/spots", tags=["sponsors"], status_code=201, summary="Upload a sponsor spot (the audio as the body)")
    async def post_spot(
        request: Request,
        name: str = Query(..., max_length=100),
        key: auth.KeyInfo = Depends(api_key),  # noqa: B008
    ) -> Any:
        """The body is the audio file (MP3, WAV, M4A, Ogg, FLAC; at most 120 s); it is
        brought to the narration's loudness and kept with the MP3 the player plays."""
        check_text(name)
        body = await request.body()
        target = (config.options.loudness, config.options.true_peak)
        spot = await run_in_threadpool(spots.save_spot, service.store, service.data, name, body, target)
        return JSONResponse(spot_view(spot), status_code=201)

    @app.get("/spots", tags=["sponsors"], summary="The uploaded spots")
    def get_spots(key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        return {"spots": [spot_view(spot) for spot in spots.list_spots(service.store)]}

    @app.delete(
        "/spots/{spot_id}",
        tags=["sponsors"],
        status_code=204,
        response_class=Response,
        response_model=None,
        summary="Remove a spot no running campaign plays",
    )
    def delete_spot(spot_id: int = FastPath(ge=1, le=_LARGEST), key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        if not spots.delete_spot(service.store, spot_id):
            raise HTTPException(404, "no such spot")
        return Response(status_code=204)

    @app.api_route("/spots/{spot_id}/audio", tags=["sponsors"], summary="A spot's audio", methods=["GET", "HEAD"])
    def spot_audio(spot_id: int = FastPath(ge=1, le=_LARGEST)) -> Any:
        spot = spots.get_spot(service.store, spot_id)
        path = spots.spot_audio(service.data, spot) if spot is not None else None
        if path is None or not path.is_file():
            raise HTTPException(404, "no such spot")
        return FileResponse(
            path,
            media_type="audio/mpeg",
            headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
        )

    def campaigns_changed() -> None:
        service.rebuild_feed()  # a campaign that ended leaves the feed's episodes at once
        service.wake_stitcher()

    @app.post("/campaigns", tags=["sponsors"], status_code=201, summary="Start a campaign")
    def post_campaign(body: dict[str, Any], key: auth.KeyInfo = Depends(api_key)) -> Any:  # noqa: B008
        """``{"name", "spot": ID | "vast": URL, "placement": "pre"|"mid"|"post", "starts",
        "ends" (dates), "sections": [...], "max_seconds": 30, "weight": 1}``."""
        check_text(*(value for value in body.values() if isinstance(value, str)))
        campaign = spots.create_campaign(service.store, body)
        campaigns_changed()
        return JSONResponse(
            next(c for c in spots.campaigns_with_figures(service.store) if c["id"] == campaign["id"]),
            status_code=201,
        )

    @app.get("/campaigns", tags=["sponsors"], summary="The campaigns and their figures")
    def get_campaigns(key: auth.KeyInfo = Depends(any_key)) -> Any:  # noqa: B008
        return {"campaigns": spots.campaigns_with_figures(service.store)}

    @app.delete(
        "/campaigns/{campaign_id}",
        tags=["sponsors"],
        status_code=204,
        response_class=Response,
        response_model=None,
        summary="End a campaign",
    )
    def delete_campaign(
        campaign_id: int = FastPath(ge=1, le=_LARGEST),
        key: auth.KeyInfo = Depends(api_key),  # noqa: B008
    ) -> Any:
        if not spots.end_campaign(service.store, campaign_id):
            raise HTTPException(404, "no such running campaign")
        campaigns_changed()
        return Response(status_code=204)

    @app.get("/sponsor", tags=["sponsors"], summary="The spot a listener of an episode hears (the player asks)")
    def sponsor(
        episode: str = Query(..., max_length=128),
        consent: bool = Query(False),
    ) -> Any:
        """204 when none plays: no campaign runs, the episode is for subscribers, or it
        is unknown. A VAST campaign is offered only with the page's consent."""
        check_text(episode)
        article = articles.get_article(service.store, episode)
        if article is None or (article.get("access") or "public") != "public" or article.get("draft"):
            return Response(status_code=204, headers={"Access-Control-Allow-Origin": "*"})
        chosen = spots.choose(service.store, service.data, article.get("section"), vast=consent)
        if chosen is None:
            return Response(status_code=204, headers={"Access-Control-Allow-Origin": "*"})
        answer: dict[str, Any] = {
            "campaign": int(chosen.key),
            "placement": chosen.placement,
            "label": "Sponsor",
            "skip_after": spots.SKIP_AFTER_S,
            "max_seconds": chosen.max_seconds,
        }
        if chosen.vast_url is not None:
            answer["vast"] = chosen.vast_url
        else:
            spot = spots.spot_by_digest(service.store, chosen.spot_digest)
            if spot is None:
                return Response(status_code=204, headers={"Access-Control-Allow-Origin": "*"})
            answer["audio"] = f"{service.api_url}/spots/{spot['id']}/audio"
        return JSONResponse(answer, headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"})

    # -- webhooks --------------------------------------------------------------------------

    async def signed_call(request: Request) -> bytes:
        """The body of a webhook call whose signature is good and which is not a replay."""
        body = await request.body()
        secret = await run_in_threadpool(auth.webhook_secret, service.store)
        problem = auth.signature_problem(
            secret, request.headers.get("x-audiogen-timestamp"), request.headers.get("x-audiogen-signature"), body
        )
        if problem:
            raise HTTPException(401, problem)
        signature = request.headers.get("x-audiogen-signature", "")
        if not await run_in_threadpool(auth.first_call, service.store, signature):
            raise HTTPException(409, "this call was received already (a replayed webhook call is not taken twice)")
        return body

    async def hook(request: Request, read: Callable[[Any], webhooks.Action]) -> Any:
        body = await signed_call(request)
        try:
            action = read(json.loads(body))
        except (ValueError, RecursionError) as exc:
            raise HTTPException(422, f"cannot read the call: {exc}") from None
        check_text(action.article_id)
        if action.kind == "unpublish":
            removed = await run_in_threadpool(unpublish, action.article_id, action.modified)
            return {"id": action.article_id, "action": "unpublish", "removed": removed}
        assert action.submission is not None
        submission = action.submission
        check_text(submission.id, submission.source, submission.voice, submission.lexicon, submission.language)
        check_text(submission.quote_voice)
        if submission.lexicon is not None:
            from audiogen.spoken.lexicon import parse_lexicon

            parse_lexicon(submission.lexicon, "the article's lexicon")
        if submission.kind == "url":
            from audiogen.fetch import check_address

            check_address(submission.source, allow_private=config.options.allow_private)
        check_voice(submission.voice)
        check_voice(submission.quote_voice)
        if submission.language is not None and not _LANGUAGE_TAG.match(submission.language):
            raise HTTPException(422, "the language is a code such as es, fr or en-GB")
        return await run_in_threadpool(lambda: queued(articles.submit(service.store, submission, "webhook")))

    @app.post("/webhooks/check", tags=["webhooks"], summary="Check a CMS's signing of calls (signed, does nothing)")
    async def webhook_check(request: Request) -> Any:
        """A signed call with any body: 200 when the signature is good, 401 with the reason
        when it is not (a plugin's "test connection")."""
        await signed_call(request)
        return {"ok": True}

    @app.post("/webhooks/generic", tags=["webhooks"], summary="A CMS's publish, update or unpublish (signed)")
    async def webhook_generic(request: Request) -> Any:
        """Body: ``{"event": "publish"|"update"|"unpublish", "id": ..., "url"|"html"|"markdown"|"text": ...}``,
        signed with the webhook secret (see the README)."""
        return await hook(request, webhooks.generic)

    @app.post("/webhooks/wordpress", tags=["webhooks"], summary="A WordPress post, as its REST API gives it (signed)")
    async def webhook_wordpress(request: Request) -> Any:
        """A post whose status is ``publish`` is narrated; any other status takes it down."""
        return await hook(request, webhooks.wordpress)

    # -- what listeners fetch ----------------------------------------------------------------

    @app.api_route(
        "/episodes/{episode}/{name}",
        tags=["episodes"],
        summary="An episode's audio, captions or timings",
        methods=["GET", "HEAD"],
    )
    def episode_file(
        episode: str,
        name: str,
        preview: str | None = Query(None, max_length=100),
        exp: str | None = Query(None, max_length=20),
        sig: str | None = Query(None, max_length=200),
        sub: str | None = Query(None, max_length=128),
    ) -> Any:
        return episode_response(episode, name, preview, (f"/episodes/{episode}/{name}", exp, sig), sub)

    def episode_response(
        episode: str,
        name: str,
        preview: str | None,
        link: tuple[str, str | None, str | None],
        sub: str | None,
        version: str | None = None,
    ) -> Any:
        try:
            path = service.episode_file(episode, name, preview, link, sub, version)
        except LinkRefused as exc:
            raise HTTPException(403, exc.message) from None
        except LinkGone as exc:
            raise HTTPException(410, exc.message) from None
        if path is None:
            raise HTTPException(404, "no such file")
        return FileResponse(
            path,
            media_type=content_type(name),
            headers={"Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*"},
        )

    @app.api_route(
        "/episodes/{episode}/{version}/{name}",
        tags=["episodes"],
        summary="A file of an episode's version in object storage, through this node",
        methods=["GET", "HEAD"],
    )
    def stored_episode_file(
        episode: str,
        version: str,
        name: str,
        preview: str | None = Query(None, max_length=100),
        exp: str | None = Query(None, max_length=20),
        sig: str | None = Query(None, max_length=200),
        sub: str | None = Query(None, max_length=128),
    ) -> Any:
        link = (f"/episodes/{episode}/{version}/{name}", exp, sig)
        return episode_response(episode, name, preview, link, sub, version)

    @app.api_route("/" + FEED_FILE, tags=["episodes"], summary="The podcast feed", methods=["GET", "HEAD"])
    def feed() -> Any:
        # Read whole, at once: the feed is replaced (renamed over) whenever an episode or a
        # campaign changes, and a reader streaming the file while its size was taken from
        # the one before would get a body cut short.
        # (a playlist on the publisher's pages reads it from another origin)
        return Response(
            service.feed_path.read_bytes(),
            media_type="application/rss+xml; charset=utf-8",
            headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60"},
        )

    @app.get("/playlist", tags=["episodes"], summary="A page playing the site's episodes one after another")
    def playlist(section: str | None = Query(None, max_length=100)) -> Any:
        from html import escape

        check_text(section)
        chosen = f' section="{escape(section)}"' if section else ""
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(str(config.channel.get('title') or 'Episodes'))}</title>"
            f'<script type="module" src="{PLAYER_PATH}"></script></head><body><main>'
            f'<audiogen-playlist src="/{FEED_FILE}"{chosen}></audiogen-playlist></main></body></html>'
        )
        return HTMLResponse(
            page, headers={"Content-Security-Policy": _PAGE_POLICY.replace("img-src", "media-src 'self'; img-src")}
        )

    @app.api_route("/cover.png", include_in_schema=False, methods=["GET", "HEAD"])
    def cover() -> Any:
        path = service.data / "cover.png"
        if not path.is_file():
            raise HTTPException(404, "no cover")
        return FileResponse(path, media_type="image/png")

    @app.api_route(PLAYER_PATH, include_in_schema=False, methods=["GET", "HEAD"])
    def player_script() -> Any:
        from audiogen.player import player_script

        return Response(
            player_script(),
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
        )

    # -- listening figures -------------------------------------------------------------------

    @app.post(
        "/events",
        tags=["figures"],
        status_code=204,
        response_class=Response,
        response_model=None,
        summary="A listening event from the player",
    )
    async def event(request: Request) -> Any:
        """What the player sends with ``navigator.sendBeacon``: ``{"episode": id, "event":
        "play"|"progress", "percent": 25|50|75|100, "speed": 1.5}``. No cookie is read or
        set and nothing about the listener is stored."""
        client = request.client.host if request.client else "?"
        if not service.limiter.allow(client):
            raise HTTPException(429, "too many events", headers={"Retry-After": "10"})
        body = await request.body()
        try:
            data = json.loads(body)
            if isinstance(data, dict) and "campaign" in data:  # a sponsor spot's event
                campaign, kind = spots.parse_event(data)
                if not await run_in_threadpool(spots.record, service.store, campaign, kind):
                    raise HTTPException(404, "no such campaign")
                return Response(status_code=204, headers={"Access-Control-Allow-Origin": "*"})
            parsed = stats.parse_event(data)
        except (ValueError, RecursionError) as exc:
            raise HTTPException(422, str(exc)) from None
        if await run_in_threadpool(articles.get_article, service.store, parsed.episode) is None:
            raise HTTPException(404, "no such episode")
        await run_in_threadpool(stats.record, service.store, parsed)
        return Response(status_code=204, headers={"Access-Control-Allow-Origin": "*"})

    @app.get("/stats", tags=["figures"], summary="Listening figures, per episode and day")
    def get_stats(
        days: int = Query(30, ge=1, le=_LARGEST),
        episode: str | None = Query(None, max_length=128),
        key: auth.KeyInfo = Depends(any_key),  # noqa: B008
    ) -> Any:
        check_text(episode)
        figures = stats.summary(service.store, min(days, 366), episode)
        # private feeds fetched from many places in a day: passed around
        figures["shared_feeds"] = subscribers.shared(service.store)
        return figures

    @app.get("/admin", include_in_schema=False)
    def admin() -> Any:
        return HTMLResponse(_asset("admin.html"), headers={"Content-Security-Policy": _PAGE_POLICY})

    @app.get("/admin.js", include_in_schema=False)
    def admin_script() -> Any:
        return Response(_asset("admin.js"), media_type="text/javascript; charset=utf-8")

    @app.get("/admin.css", include_in_schema=False)
    def admin_style() -> Any:
        return Response(_asset("admin.css"), media_type="text/css; charset=utf-8")

    @app.get("/healthz", include_in_schema=False)
    def health() -> Any:
        service.store.row("SELECT 1 AS ok")
        return PlainTextResponse("ok")

    desk.register(app, service)
    return BodyLimit(app, config.max_body, {"/events": config.max_event_body})


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


class BodyLimit:
    """Refuses (413) a request whose body is larger than its path allows, by its
    Content-Length or as it arrives (chunked): the body is read whole before the
    application sees it, so nothing half-read reaches a handler. Every answer also says
    ``nosniff``, and a page may not be framed by another site."""

    def __init__(self, app: Any, limit: int, limits: dict[str, int]) -> None:
        self.app = app
        self.limit = limit
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope.get("path", ""), self.limit)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = True
                if too_big:
                    await _refuse(send, limit)
                    return
        body: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            seen += len(message.get("body", b""))
            if seen > limit:
                await _refuse(send, limit)
                return
            body.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": b"".join(body), "more_body": False}
        given = False

        async def replay() -> Message:
            nonlocal given
            if not given:
                given = True
                return whole
            return await receive()

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                if any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    headers.append((b"x-frame-options", b"DENY"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, replay, guarded)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"error": f"the request body is larger than {limit:,} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def run(config: ServiceConfig, host: str, port: int, *, log_level: str = "warning") -> None:
    """Serve until stopped (Ctrl-C or SIGTERM end it cleanly: the jobs in flight go back
    to the queue). The access log (at ``info`` and below) names paths only: keys and
    signatures travel in headers, which are never logged."""
    import socket

    import uvicorn

    try:  # a taken port or a wrong address is said in one line, before anything starts
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise ServiceError(
            f"could not serve on {host}:{port}: {exc.strerror or exc}",
            hint="is the port taken? choose another with --port",
        ) from None
    app = create_app(config)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level=log_level,
            access_log=log_level in ("info", "debug"),
            lifespan="on",
            server_header=False,
        )
    )
    server.run()
    if not server.started:
        raise ServiceError(f"could not serve on {host}:{port}", hint="is the port taken? choose another with --port")
