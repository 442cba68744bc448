"""The audio desk: the site's rules and their checks, sign-in, sessions and the form token,
drafts heard by their preview link, pronunciations that narrate again only the sentences
holding their words, reading rules — on the real service (uvicorn on 127.0.0.1, SQLite
and PostgreSQL) with the fake engine, and the whole desk in Chromium with Piper and
proof-listening, checked by axe-core."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_serve import STORY, Server, cli, make_key, narrate, wait_for_job

from audiogen.errors import ServiceError
from audiogen.serve import site
from audiogen.serve.store import Store
from audiogen.spoken.lexicon import parse_lexicon

# -- the rules and their checks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "say", "case", "message"),
    [
        ("", "x", False, "the word or phrase is empty: a rule for nothing would match everything"),
        ("  ,. ", "x", False, "the word or phrase is empty: a rule for nothing would match everything"),
        ("a", "ay", False, "a one-letter word ('a') in any case would match every such letter"),
        ("Kyiv", "", False, "say how the word is to be said"),
        ("Kyiv", "k" * 201, False, "what to say is longer than 200 characters"),
        ("x" * 101, "y", False, "the word or phrase is longer than 100 characters"),
        ("Kyiv\x00", "keev", False, "a rule may not hold control characters"),
    ],
)
def test_a_rule_that_would_match_everything_or_say_too_much_is_refused(
    phrase: str, say: str, case: bool, message: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        site.check_rule(phrase, say, "", case)
    assert caught.value.message == message


def test_a_rule_is_tidied_and_a_one_letter_word_may_be_case_sensitive() -> None:
    assert site.check_rule("  Banco   Santander ", " bahnko  santahnder ", "", False) == (
        "Banco Santander",
        "bahnko santahnder",
        "",
    )
    assert site.check_rule("A", "ay", "", True)[0] == "A"
    assert site.check_rule("Kyiv", "keev", "piper", False)[2] == "piper"  # an engine
    with pytest.raises(ServiceError, match="is not an engine or a voice"):
        site.check_rule("Kyiv", "keev", "no-such-voice", False)
    with pytest.raises(ServiceError, match="is not a CSS selector"):
        site.check_selector("div[")
    assert site.check_selector(" aside.newsletter ") == "aside.newsletter"


def test_phrases_and_exact_case_in_a_lexicon() -> None:
    lexicon = parse_lexicon(
        '[words]\n"Banco Santander" = "bahnko santahnder"\nnice = { say = "niece", exact = true }\n'
    )
    assert lexicon.apply("Banco  Santander said", "kokoro") == "bahnko santahnder said"
    assert lexicon.apply("Nice is nice.", "kokoro") == "Nice is niece."
    rules = [
        site.Rule(1, "Banco Santander", "", "bahnko santahnder", False, 1, ""),
        site.Rule(2, "Nice", "piper", "neess", True, 1, ""),
        site.Rule(3, "Kyiv", "kokoro", "keev", False, 1, ""),
    ]
    written = site.lexicon_toml(rules, "piper", "joe")
    assert written is not None
    again = parse_lexicon(written)
    assert set(again.words) == {"banco santander", "Nice"} and again.words["Nice"].exact  # kokoro's rule left out
    assert site.lexicon_toml(rules[2:], "piper", "joe") is None
    # the site's rule in lower case replaces a shipped entry written with a capital
    from audiogen.spoken.lexicon import Lexicon, Pronunciation

    shipped = Lexicon(words={"Kyiv": Pronunciation(ipa="kˈiːv")})
    assert shipped.merge(parse_lexicon('[words]\nkyiv = "keev"\n')).apply("In Kyiv today.", "piper") == "In keev today."


def test_two_editors_saving_one_rule_one_wins_and_every_change_is_recorded(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "db.sqlite3"))
    first = site.save_rule(store, "Kyiv", "keev", who="ana")
    # both read version 1; the first save wins, the second is told
    changed = site.save_rule(store, "Kyiv", "kee-iv", who="ana", version=first.version)
    with pytest.raises(site.Conflict, match="another editor changed the rule for 'Kyiv' meanwhile"):
        site.save_rule(store, "Kyiv", "kyeev", who="ben", version=first.version)
    # two adding the same new rule at once: the second finds it there
    with pytest.raises(site.Conflict, match="there is a rule for 'Kyiv' already"):
        site.save_rule(store, "Kyiv", "kyeev", who="ben")
    assert site.rules(store)[0].say == "kee-iv" and changed.version == 2
    site.delete_rule(store, changed.id, who="ben")
    history = [(c["who"], c["old"], c["new"]) for c in site.changes(store)]
    assert history == [("ben", "kee-iv", None), ("ana", "keev", "kee-iv"), ("ana", None, "keev")]
    store.close()


def test_reading_rules_leave_out_or_read_only_a_part_of_the_page() -> None:
    page = (
        "<html><head><title>T</title></head><body><article><h1>T</h1><p>Kept.</p>"
        '<aside class="newsletter">Sign up now.</aside><div class="story-body"><p>Body.</p></div></article>'
        "</body></html>"
    )
    out = site.apply_reading_rules(page, [("exclude", "aside.newsletter")])
    assert "Sign up" not in out and "Kept." in out and "<title>T</title>" in out
    only = site.apply_reading_rules(page, [("only", "article .story-body")])
    assert "Body." in only and "Kept." not in only and "<title>T</title>" in only
    assert site.apply_reading_rules(page, [("only", ".nothing-here")]) == page or "Kept." in site.apply_reading_rules(
        page, [("only", ".nothing-here")]
    )


def test_an_edited_lexicon_file_narrates_the_batch_again(tmp_path: Path) -> None:
    from audiogen.publish.batch import BatchOptions

    lexicon = tmp_path / "site.toml"
    lexicon.write_text('[words]\nKyiv = "keev"\n', encoding="utf-8")
    options = BatchOptions(lexicons=(str(lexicon),))
    before = options.fingerprint()
    lexicon.write_text('[words]\nKyiv = "kee-iv"\n', encoding="utf-8")
    assert options.fingerprint() != before  # the same path, another lexicon


# -- the service: sign-in, drafts, pronunciations, reading rules (fake engine) ----------------


def sign_in(url: str, key: str) -> tuple[httpx.Client, str]:
    """A browser-like client signed in to the desk, and the session's form token."""
    desk = httpx.Client(base_url=url, timeout=60, follow_redirects=False)
    answer = desk.post("/desk/login", data={"key": key})
    assert answer.status_code == 303 and answer.headers["location"] == "/desk/articles", answer.text
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    page = desk.get("/desk/articles")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    return desk, token.group(1)


def test_the_desk_signs_in_with_an_editor_key_and_refuses_forms_without_the_session_token(
    server: tuple[Server, httpx.Client], data: Path
) -> None:
    running, client = server
    posted = narrate(client, id="budget", markdown=STORY)
    key = client.headers["Authorization"].removeprefix("Bearer ")
    stats_key = cli("keys", "create", "--name", "figures", "--role", "stats", data=data).stdout.strip()
    with httpx.Client(base_url=running.url, timeout=30) as anonymous:
        assert anonymous.get("/desk/articles").status_code == 303  # to the sign-in page
        assert anonymous.post("/desk/login", data={"key": "ag_nope_nope"}).status_code == 401
        refused = anonymous.post("/desk/login", data={"key": stats_key})
        assert refused.status_code == 401 and "listening figures only" in refused.text
    with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {stats_key}"}) as figures:
        assert figures.get("/stats").status_code == 200
        assert figures.get("/articles").status_code == 403
        assert figures.post("/articles", json={"markdown": STORY}).status_code == 403
    desk, token = sign_in(running.url, key)
    with contextlib.closing(desk):
        _desk_forms(desk, token, client, posted["id"])


def _desk_forms(desk: httpx.Client, token: str, client: httpx.Client, article_id: str) -> None:
    listing = desk.get("/desk/articles")
    assert "Council passes the budget" in listing.text
    assert listing.headers["content-security-policy"].startswith("default-src 'none'")
    job_before = client.get("/articles/budget").json()["job"]["id"]
    where = f"/desk/articles/{article_id}/narrate"
    # no token, a wrong token, another site's page: refused, nothing queued
    assert desk.post(where, data={}).status_code == 403
    assert desk.post(where, data={"csrf": "wrong"}).status_code == 403
    foreign = desk.post(where, data={"csrf": token}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert client.get("/articles/budget").json()["status"] == "done"
    assert client.get("/articles/budget").json()["job"]["id"] == job_before  # nothing queued
    accepted = desk.post(where, data={"csrf": token})
    assert accepted.status_code == 303
    job = client.get("/articles/budget").json()["job"]
    assert job["reason"] == "desk"
    wait_for_job(client, job["id"])
    # signed out: the cookie is forgotten, the session too
    assert desk.post("/desk/logout", data={"csrf": token}).status_code == 303
    assert desk.get("/desk/articles").status_code == 303


def test_a_draft_is_narrated_out_of_the_feed_and_heard_only_by_its_preview_link(
    server: tuple[Server, httpx.Client],
) -> None:
    running, client = server
    draft = narrate(client, id="embargoed", markdown=STORY, status="draft")
    assert draft["status_detail"] == "draft" and "audio" not in draft and draft["preview"]["url"]
    preview = draft["preview"]["url"]
    audio = preview.split("?", 1)[0]
    assert httpx.get(audio).status_code == 404  # no token: as if there were nothing
    assert httpx.get(audio + "?preview=not-the-token").status_code == 404
    assert httpx.get(preview).status_code == 200
    assert "embargoed" not in httpx.get(running.url + "/feed.xml").text
    assert client.get("/articles/embargoed/player").status_code == 404
    # published as it is: not narrated again, in the feed at once
    published = client.post("/articles", json={"id": "embargoed", "markdown": STORY})
    assert published.status_code == 200 and published.json()["unchanged"], published.text
    assert published.json()["status_detail"] == "published"
    assert httpx.get(audio).status_code == 200
    assert httpx.get(preview).status_code == 200  # (a published episode is anyone's)
    assert published.json()["audio"]["url"] in httpx.get(running.url + "/feed.xml").text
    # WordPress's draft, pending and future posts are drafts
    from audiogen.serve import webhooks

    action = webhooks.wordpress({"id": 7, "status": "future", "title": {"rendered": "T"}, "content": "<p>Hi.</p>"})
    assert action.kind == "publish" and action.submission is not None and action.submission.draft
    assert webhooks.wordpress({"id": 7, "status": "trash"}).kind == "unpublish"


def test_a_pronunciation_narrates_again_only_the_sentences_that_hold_its_words(
    server: tuple[Server, httpx.Client],
) -> None:
    _pronunciations(server[1])


def _pronunciations(client: httpx.Client) -> None:
    narrate(client, id="one", markdown=STORY)
    other = STORY.replace("Council passes", "Mayor signs").replace("twelve new buses and", "a park and")
    narrate(client, id="two", markdown=other)  # its sentence with the words is its own
    narrate(client, id="three", markdown="# Weather\n\nRain is expected on Friday.\n\nThe sun returns on Sunday.\n")
    reach = client.post(
        "/pronunciations", json={"phrase": "library branch", "say": "lie-brary branch", "dry_run": True}
    )
    assert reach.status_code == 200 and reach.json() == {"articles": 2, "sentences": 2}
    saved = client.post("/pronunciations", json={"phrase": "library branch", "say": "lie-brary branch"})
    assert saved.status_code == 201, saved.text
    assert saved.json()["narrating"] == 2 and saved.json()["version"] == 1
    for article_id in ("one", "two"):
        job = client.get(f"/articles/{article_id}").json()["job"]
        assert job["reason"] == "pronunciation"
        done = wait_for_job(client, job["id"])
        assert done["state"] == "done" and done["sentences_synthesized"] == 1, json.dumps(done)  # the one sentence
    assert client.get("/articles/three").json()["job"]["reason"] == "api"  # untouched
    listed = client.get("/pronunciations").json()
    assert listed["pronunciations"][0]["say"] == "lie-brary branch"
    assert listed["changes"][0]["who"] == "tests" and listed["changes"][0]["old"] is None
    # what would match everything, or says too much, or overwrites another's change
    bad = client.post("/pronunciations", json={"phrase": "a", "say": "ay"})
    assert bad.status_code == 422 and bad.json()["error"].startswith("a one-letter word")
    assert client.post("/pronunciations", json={"phrase": "x y", "say": "z" * 201}).status_code == 422
    stale = client.post("/pronunciations", json={"phrase": "library branch", "say": "libe", "version": 7})
    assert stale.status_code == 409 and "another editor" in stale.json()["error"]
    assert client.get("/pronunciations").json()["pronunciations"][0]["say"] == "lie-brary branch"
    rule_id = listed["pronunciations"][0]["id"]
    assert client.delete(f"/pronunciations/{rule_id}").status_code == 204
    assert client.delete(f"/pronunciations/{rule_id}").status_code == 404


def test_a_reading_rule_keeps_a_newsletter_box_out_and_a_bad_selector_is_refused(
    server: tuple[Server, httpx.Client],
) -> None:
    running, client = server
    key = client.headers["Authorization"].removeprefix("Bearer ")
    desk, token = sign_in(running.url, key)
    with contextlib.closing(desk):
        _reading_rules(desk, token, client)


def _reading_rules(desk: httpx.Client, token: str, client: httpx.Client) -> None:
    bad = desk.post("/desk/rules", data={"csrf": token, "kind": "exclude", "selector": "div["})
    assert bad.status_code == 422 and "is not a CSS selector" in bad.text
    assert (
        desk.post("/desk/rules", data={"csrf": token, "kind": "exclude", "selector": "aside.newsletter"}).status_code
        == 303
    )
    assert "aside.newsletter" in desk.get("/desk/rules").text
    page = (
        "<html><head><title>Ferry news</title></head><body><article><h1>Ferry news</h1>"
        "<p>The ferry returned to service on Tuesday after a week of repairs.</p>"
        '<aside class="newsletter"><p>Sign up for our morning newsletter today.</p></aside>'
        "<p>Passengers said the crossing was calm and quick.</p></article></body></html>"
    )
    article = narrate(client, id="ferry", html=page)
    timings = httpx.get(article["links"]["timings"]).json()
    said = " ".join(s["text"] for part in timings["segments"] for s in part["sentences"])
    assert "calm and quick" in said and "newsletter" not in said
    unknown = desk.post("/desk/sections", data={"csrf": token, "section": "Sports", "voice": "nobody"})
    assert unknown.status_code == 422 and "is not a voice" in unknown.text
    # a voice per section: the API's section, or the page's own (JSON-LD articleSection)
    set_voice = desk.post("/desk/sections", data={"csrf": token, "section": "Sports", "voice": "fake:tone-8k"})
    assert set_voice.status_code == 303
    game = narrate(
        client, id="game", markdown="# The match\n\nThe home side won in the last minute.\n", section="Sports"
    )
    assert httpx.get(game["links"]["timings"]).json()["voice"] == "tone-8k"
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "articleSection": ["Sports"]}</script>'
    tagged = narrate(client, id="tagged", html=page.replace("<title>", ld + "<title>"))
    assert httpx.get(tagged["links"]["timings"]).json()["voice"] == "tone-8k"
    assert httpx.get(article["links"]["timings"]).json()["voice"] == "tone"  # no section: the service's voice


@pytest.fixture(scope="module")
def postgresql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL server from the pgserver wheel."""
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(tmp_path_factory.mktemp("postgresql"), cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()


def test_the_desk_on_postgresql(postgresql: str, data: Path) -> None:
    store = Store(postgresql)  # the rules' race, on the other engine
    try:
        first = site.save_rule(store, "Odesa", "oh-deh-sah", who="ana")
        with pytest.raises(site.Conflict):
            site.save_rule(store, "Odesa", "oh-deh-sa", who="ben")
        site.delete_rule(store, first.id, who="ana")
    finally:
        store.close()
    key = cli("keys", "create", "--name", "tests", "--database", postgresql, data=data).stdout.strip()
    running = Server(data, "--database", postgresql).start()
    try:
        with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
            story = STORY.replace("and a library branch", "and a park")  # (the rule below is for the others)
            posted = narrate(client, id="budget", markdown=story, status="draft")
            assert httpx.get(posted["preview"]["url"]).status_code == 200
            assert httpx.get(posted["preview"]["url"].split("?")[0]).status_code == 404
            desk, token = sign_in(running.url, key)
            with contextlib.closing(desk):
                _desk_forms(desk, token, client, "budget")
            _pronunciations(client)
    finally:
        running.kill()
    assert not (data / "audiogen.sqlite3").exists()


# -- the whole desk in Chromium, with Piper and proof-listening --------------------------------


def _axe(page: Any) -> list[str]:
    from browser import AXE

    # evaluated by the browser's own hand: the desk's CSP (script-src 'self') stays in force
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def _shot(page: Any, name: str, folder: Path) -> None:
    path = folder / f"desk-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("AUDIOGEN_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(keep) / path.name)


HARBOR = """# Harbor ferry returns after repairs

The harbor ferry returned to service on Tuesday after a week of repairs.

Passengers said the crossing was calm and quick.
"""


def test_the_whole_desk_in_a_browser(data: Path, tmp_path: Path) -> None:
    from browser import CHROMIUM_FLAGS, chromium_path
    from playwright.sync_api import expect, sync_playwright

    key = make_key(data)
    running = Server(data, "--voice", "joe", "--proof", "report").start()
    try:
        with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
            narrate(client, id="ferry", markdown=HARBOR)
            failed = client.post("/articles", json={"id": "broken", "markdown": "# Nothing\n\n"}).json()
            wait_for_job(client, failed["job"]["id"])
            draft = narrate(client, id="draft", markdown=HARBOR.replace("Tuesday", "Friday"), status="draft")
            assert httpx.get(draft["preview"]["url"].split("?")[0]).status_code == 404
            assert httpx.get(draft["preview"]["url"]).status_code == 200
            error = client.get("/articles/broken").json()["error"]
            assert error
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
                )
                try:
                    page = browser.new_page()
                    page.set_default_timeout(60000)
                    problems: list[str] = []
                    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
                    page.goto(running.url + "/desk")
                    assert _axe(page) == []
                    page.fill("#key", key)
                    page.click("button[type=submit]")
                    page.wait_for_url("**/desk/articles")
                    listing = page.inner_text("main")
                    assert "failed" in listing and " ".join(error.split())[:40] in " ".join(listing.split())
                    assert "draft" in listing
                    assert _axe(page) == []
                    _shot(page, "articles", tmp_path)
                    page.click("a[href='/desk/articles/ferry']")
                    page.wait_for_selector("#narration")
                    assert "Heard back" in page.inner_text("main")  # proof-listening ran
                    assert _axe(page) == []
                    _shot(page, "article", tmp_path)
                    # select "harbor" in the first sentence, open its form: the word is filled in
                    sentence = page.locator("ol.script li").filter(has_text="harbor ferry returned")
                    sentence.locator(".said").evaluate(
                        """element => {
                            const text = element.firstChild;
                            const at = text.textContent.indexOf("harbor");
                            const range = document.createRange();
                            range.setStart(text, at); range.setEnd(text, at + 6);
                            const chosen = window.getSelection(); chosen.removeAllRanges(); chosen.addRange(range);
                        }"""
                    )
                    sentence.locator("summary").click()
                    expect(sentence.locator("input.word")).to_have_value("harbor")
                    sentence.locator("input[name=say]").fill("umbrella")
                    sentence.locator("button.hear").click()
                    expect(sentence.locator(".preview-status")).to_have_text("Here is the sentence said so.")
                    assert sentence.locator("audio").get_attribute("src").startswith("blob:")
                    _shot(page, "pronounce", tmp_path)
                    sentence.locator("button[type=submit]").click()
                    page.wait_for_selector("#touched")
                    assert page.inner_text("#touched") == "2 articles"  # the ferry and its draft
                    assert _axe(page) == []
                    page.click("text=Save and narrate again")
                    page.wait_for_selector("p.notice")
                    assert "narrated again" in page.inner_text("p.notice")
                    job = client.get("/articles/ferry").json()["job"]
                    assert job["reason"] == "pronunciation"
                    again = [
                        wait_for_job(client, client.get(f"/articles/{a}").json()["job"]["id"], 240)
                        for a in ("ferry", "draft")
                    ]
                    # the shared title once, and each article's sentence with the word: nothing else
                    assert [j["state"] for j in again] == ["done", "done"]
                    assert sum(j["sentences_synthesized"] for j in again) == 3, again
                    # the new audio says the new word: proof-listening hears it
                    article = client.get("/articles/ferry").json()
                    report = article["links"]["timings"].replace(".json", ".proof.json")
                    heard = " ".join(s["heard"] for s in httpx.get(report).json()["sentences"])
                    assert "umbrella" in heard, heard
                    for path in ("/desk/pronunciations", "/desk/rules", "/desk/articles?status=failed"):
                        page.goto(running.url + path)
                        assert _axe(page) == [], path
                    page.goto(running.url + "/desk/pronunciations")
                    assert "umbrella" in page.inner_text("main") and "tests" in page.inner_text("main")
                    _shot(page, "pronunciations", tmp_path)
                    assert not problems, problems
                    # a page of another site posting to the desk: the cookie stays home
                    other = tmp_path / "other"
                    other.mkdir()
                    (other / "attack.html").write_text(
                        f'<form id="f" method="post" action="{running.url}/desk/articles/ferry/narrate">'
                        '<input name="csrf" value="guess"></form><script>document.getElementById("f").submit()</script>',
                        encoding="utf-8",
                    )
                    from browser import serve

                    with serve(other) as (base, _):
                        attack = page.goto(base + "/attack.html")
                        page.wait_for_load_state()
                        assert page.url.endswith("/narrate")
                        assert "not sent from your desk session" in page.inner_text("body")
                    assert attack is not None
                    assert client.get("/articles/ferry").json()["job"]["id"] == job["id"]  # nothing queued
                finally:
                    browser.close()
    finally:
        running.kill()


def test_the_service_serves_a_playlist_page_and_a_feed_other_sites_may_read(
    server: tuple[Server, httpx.Client],
) -> None:
    running, client = server
    narrate(client, id="game", markdown="# The match\n\nThe home side won.\n", section="Sports")
    feed = httpx.get(running.url + "/feed.xml")
    assert feed.headers["access-control-allow-origin"] == "*"
    assert "<category>Sports</category>" in feed.text  # a playlist shows one section
    page = httpx.get(running.url + "/playlist", params={"section": 'Sports"><script>'})
    assert page.status_code == 200 and "media-src 'self'" in page.headers["content-security-policy"]
    assert '<audiogen-playlist src="/feed.xml" section="Sports&quot;&gt;&lt;script&gt;">' in page.text


# -- subscriber-only episodes: signed links --------------------------------------------------


def test_a_subscribers_episode_is_served_only_by_a_live_signed_link(
    server: tuple[Server, httpx.Client], data: Path
) -> None:
    import hashlib
    import hmac
    import time as clock

    running, client = server
    members = narrate(client, id="members", markdown=STORY, access="subscribers")
    everyone = narrate(client, id="everyone", markdown=STORY.replace("Tuesday", "Friday"))
    assert members["access"] == "subscribers" and members.get("player") is None
    feed = httpx.get(running.url + "/feed.xml").text
    assert members["episode"] not in feed and everyone["episode"] in feed  # out of the public feed
    audio = members["audio"]["url"]
    path = "/" + audio.split("/", 3)[3]
    assert httpx.get(audio).status_code == 404  # as if there were nothing
    minted = client.post("/links", json={"id": "members", "ttl_s": 600})
    assert minted.status_code == 200, minted.text
    link = minted.json()["url"]
    assert httpx.get(link).status_code == 200
    ranged = httpx.get(link, headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100
    # a paywall signs its own, by the README's formula
    secret = cli("link-secret", data=data).stdout.strip()
    expires = int(clock.time()) + 300
    signature = hmac.new(secret.encode(), f"{path}{expires}".encode(), hashlib.sha256).hexdigest()
    assert httpx.get(f"{audio}?exp={expires}&sig={signature}").status_code == 200
    # expired, altered, for another file, for nothing at all: refused alike, in one line
    stale = int(clock.time()) - 10
    old = hmac.new(secret.encode(), f"{path}{stale}".encode(), hashlib.sha256).hexdigest()
    captions = audio.rsplit(".", 1)[0] + ".vtt"
    for refused in (
        f"{audio}?exp={stale}&sig={old}",
        f"{audio}?exp={expires}&sig={signature[:-1]}0"
        if signature[-1] != "0"
        else f"{audio}?exp={expires}&sig={signature[:-1]}1",
        f"{audio}?exp={expires + 1}&sig={signature}",
        f"{captions}?exp={expires}&sig={signature}",
        f"{running.url}/episodes/nothing-here/x.mp3?exp={expires}&sig={signature}",
        f"{audio}?exp=99999999999999999999&sig={signature}",
    ):
        answer = httpx.get(refused)
        assert answer.status_code == 403 and answer.json() == {"error": "this link is not valid (it may have expired)"}
    # a link minted for captions works for captions
    assert httpx.get(client.post("/links", json={"id": "members", "file": "captions"}).json()["url"]).status_code == 200
    assert client.post("/links", json={"id": "members", "file": "secret.txt"}).status_code == 422
    # rotating the secret ends every link signed with the old one
    cli("link-secret", "--rotate", data=data)
    assert httpx.get(link).status_code == 403
    # back to public: in the feed again, served to anyone
    again = client.post("/articles", json={"id": "members", "markdown": STORY, "access": "public"})
    assert again.status_code == 200 and again.json()["access"] == "public"
    assert members["episode"] in httpx.get(running.url + "/feed.xml").text and httpx.get(audio).status_code == 200
    assert client.post("/articles", json={"id": "x", "markdown": STORY, "access": "friends"}).status_code == 422
    from audiogen.serve import webhooks

    locked = webhooks.wordpress(
        {"id": 9, "status": "publish", "title": "T", "content": {"rendered": "<p>x</p>", "protected": True}}
    )
    assert locked.submission is not None and locked.submission.access == "subscribers"


def test_a_subscribers_private_feed_signs_every_link_for_them_and_ends_when_revoked(
    server: tuple[Server, httpx.Client], data: Path
) -> None:
    from lxml import etree

    running, client = server
    narrate(client, id="members", markdown=STORY, access="subscribers")
    narrate(client, id="everyone", markdown=STORY.replace("Tuesday", "Friday"))
    made = client.post("/subscribers", json={"id": "ana@reader.example"})
    assert made.status_code == 201, made.text
    feed_url = made.json()["feed_url"]
    other = cli("subscribers", "add", "ben", "--public-url", running.url, data=data).stdout.strip()
    assert other.startswith(running.url + "/feeds/") and other != feed_url
    feed = httpx.get(feed_url)
    assert feed.status_code == 200 and feed.headers["cache-control"] == "private, no-store"
    items = etree.fromstring(feed.content).findall("channel/item")
    enclosures = [item.find("enclosure").get("url") for item in items]
    assert len(enclosures) == 2  # the public episode and the subscribers' one
    assert all("sub=ana%40reader.example" in url and "&sig=" in url for url in enclosures)
    for url in enclosures:
        assert httpx.get(url, headers={"Range": "bytes=0-9"}).status_code == 206
    # a link of Ana's with Ben's name on it, a feed token that is no one's
    borrowed = enclosures[0].replace("sub=ana%40reader.example", "sub=ben")
    assert httpx.get(borrowed).status_code == 403
    assert httpx.get(running.url + "/feeds/not-a-token.xml").status_code == 404
    assert client.post("/subscribers", json={"id": "<script>/../x"}).status_code == 422
    assert client.post("/subscribers", json={"id": "ana@reader.example"}).status_code == 422  # has one already
    # revoked: the feed and every link it gave end at once
    assert client.delete("/subscribers/ana@reader.example").status_code == 204
    assert httpx.get(feed_url).status_code == 410
    assert httpx.get(enclosures[0]).status_code == 410
    assert httpx.get(other).status_code == 200  # Ben's goes on
    # a feed passed around: fetched from 50 places in a day, flagged on the admin page's figures
    from audiogen.serve import subscribers
    from audiogen.serve.store import DATABASE_FILE

    store = Store(str(data / DATABASE_FILE))
    try:
        for place in range(50):
            subscribers.count_fetch(store, "ben", f"203.0.113.{place}", "s")
    finally:
        store.close()
    shared = client.get("/stats").json()["shared_feeds"]
    assert [(s["subscriber"], s["places"]) for s in shared] == [("ben", 51)]  # (and the fetch above)
