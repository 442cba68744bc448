"""The WordPress plugin against a real WordPress (Debian's package, MariaDB, PHP's own
server, all on this machine) and a real ``audiogen serve`` (the fake engine): posts made
through WordPress's REST API with an application password, pages and edit screens opened
in Chromium. And the plugin's PHP: ``php -l``, ``phpcs`` with the project's ruleset, and
the rules WordPress's own standard would hold (escaping, nonces, capabilities)."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from test_serve import Server, cli, make_key
from wordpress import PLUGIN, WordPressSite

PHP_FILES = sorted(PLUGIN.rglob("*.php"))
PLAYER = "document.querySelector('audiogen-player')"
SHADOW = f"{PLAYER}.shadowRoot"
AUDIO = f"{SHADOW}.querySelector('audio')"

STORY = [
    "The city council passed the budget on Tuesday after a long debate.",
    "The plan funds twelve new buses and a library branch.",
    "Members will meet again in March to review the spending.",
]


@dataclass
class Newsroom:
    service: Server
    site: WordPressSite
    key: str
    secret: str

    def settings(self, **changes: Any) -> dict[str, Any]:
        settings = {
            "service_url": self.service.url,
            "api_key": self.key,
            "webhook_secret": self.secret,
            "voice": "",
            "placement": "before",
            "post_types": ["post"],
            "categories": [],
        }
        settings.update(changes)
        return settings

    def article(self, post_id: int) -> dict[str, Any] | None:
        answer = httpx.get(
            f"{self.service.url}/articles/wp-{post_id}", headers={"Authorization": f"Bearer {self.key}"}, timeout=30
        )
        if answer.status_code == 404:
            return None
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def wait(self, post_id: int, test: Any, what: str, seconds: float = 120) -> dict[str, Any] | None:
        """Until the service's article for the post passes ``test``; visitors come to the
        site meanwhile (each visit lets WP-Cron run what is due, as on a real site)."""
        deadline = time.monotonic() + seconds
        article = None
        while time.monotonic() < deadline:
            article = self.article(post_id)
            if test(article):
                return article
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(self.site.url + "/", timeout=30)
                httpx.get(self.site.url + "/wp-cron.php", timeout=30)  # (as a system cron would)
            time.sleep(0.3)
        raise AssertionError(f"{what}: {article}\n{self.site.server_log.read_text()[-3000:]}")

    def done(self, post_id: int, after_job: int = 0) -> dict[str, Any]:
        def finished(article: dict[str, Any] | None) -> bool:
            return bool(
                article
                and article["job"]
                and article["job"]["id"] > after_job
                and article["job"]["state"] in ("done", "failed")
            )

        article = self.wait(post_id, finished, "the post was not narrated")
        assert article is not None and article["status"] == "done", article
        return article


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Newsroom]:
    folder = tmp_path_factory.mktemp("newsroom")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDIOGEN_CACHE_DIR", str(folder / "cache"))
        patch.setenv("AUDIOGEN_FAKE_STATE", str(folder / "fake-state"))
        data = folder / "data"
        key = make_key(data)
        secret = cli("webhook-secret", data=data).stdout.strip()
        service = Server(data).start()
        site = WordPressSite(folder / "wordpress")
        room = Newsroom(service, site, key, secret)
        try:
            site.start(room.settings())
            site.mu_plugin("classic-editor", CLASSIC_EDITOR)
            yield room
        finally:
            site.stop()
            service.kill()
    ours = [line for line in site.debug_lines() if "plugins/audiogen" in line or "integrations/wordpress" in line]
    assert ours == [], "\n".join(ours)  # no PHP warning or notice from the plugin in the whole run


#: ?classic-editor on an edit screen opens the classic editor (as the Classic Editor plugin does)
CLASSIC_EDITOR = """<?php
add_filter( 'use_block_editor_for_post', function ( $use ) {
	return isset( $_GET['classic-editor'] ) ? false : $use;
} );
"""


def publish(rest: httpx.Client, **post: Any) -> dict[str, Any]:
    post.setdefault("status", "publish")
    response = rest.post("/", params={"rest_route": "/wp/v2/posts"}, json=post)
    assert response.status_code == 201, response.text
    return dict(response.json())


def update(rest: httpx.Client, post_id: int, **post: Any) -> dict[str, Any]:
    response = rest.post("/", params={"rest_route": f"/wp/v2/posts/{post_id}"}, json=post)
    assert response.status_code == 200, response.text
    return dict(response.json())


def paragraphs(*texts: str) -> str:
    return "".join(f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->\n" for text in texts)


def page_once_narrated(link: str, seconds: float = 30) -> str:
    """The post's page once it shows the player: a post whose narration is done shows it
    within seconds (the page asks the service again at most every five seconds)."""
    deadline = time.monotonic() + seconds
    while True:
        html = httpx.get(link, timeout=30).text
        if "<audiogen-player" in html or time.monotonic() > deadline:
            return html
        time.sleep(0.5)


def feed_links(newsroom: Newsroom) -> str:
    return httpx.get(newsroom.service.url + "/feed.xml", timeout=30).text


@pytest.fixture
def local_page(new_page: Any) -> Any:
    """A page whose requests beyond 127.0.0.1 (WordPress's avatars, emoji images) are
    refused at once, as this machine's closed network would after a wait."""

    def make() -> Any:
        page = new_page()
        page.set_default_timeout(60000)  # (WordPress's admin screens are slow to build on a busy machine)
        page.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/])[a-z]+://"), lambda route: route.abort())
        return page

    return make


def visit(page: Any, site: WordPressSite, url: str) -> None:
    """Opens one of the site's pages, waiting for its document (a test then waits for what it
    looks at); a page that does not come is reported with what the site was busy with."""
    from playwright.sync_api import TimeoutError as Timeout

    try:
        page.goto(url, wait_until="domcontentloaded")
    except Timeout as error:
        raise AssertionError(f"{url} did not open: {error.message}\n{site.report()}") from None


def sign_in(page: Any, site: WordPressSite) -> None:
    """Signs the browser in with the cookies WordPress's login form answers with, the form
    posted over HTTP: clicking it in the browser was a step of every test that reached the
    admin screens, and on a busy machine its submission was sometimes never sent (PHP's
    server idle, no request in flight, for a minute); signing in is not what these tests test."""
    with httpx.Client(base_url=site.url, timeout=60, follow_redirects=False) as client:
        client.get("/wp-login.php")  # (WordPress refuses a login whose test cookie was not set)
        answer = client.post(
            "/wp-login.php",
            data={
                "log": site.user,
                "pwd": site.password,
                "wp-submit": "Log In",
                "redirect_to": site.url + "/wp-admin/",
                "testcookie": "1",
            },
        )
        assert answer.status_code == 302 and "/wp-admin/" in answer.headers.get("location", ""), (
            f"WordPress did not sign the editor in: {answer.status_code}\n{site.report()}"
        )
        cookies = [
            {"name": c.name, "value": c.value or "", "domain": "127.0.0.1", "path": c.path or "/", "httpOnly": True}
            for c in client.cookies.jar
        ]
    assert any(cookie["name"].startswith("wordpress_logged_in_") for cookie in cookies)
    page.context.add_cookies(cookies)


def js(page: Any, expression: str) -> Any:
    return page.evaluate(f"() => {expression}")


def watch(page: Any) -> list[str]:
    """Script errors and Content-Security-Policy violations on the page, as they happen."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(
        "window.__violations = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    return errors


# -- publish, edit, trash, delete ------------------------------------------------------------


def test_a_published_post_is_narrated_and_its_page_plays_it(newsroom: Newsroom, local_page: Any) -> None:
    site, service = newsroom.site, newsroom.service
    origin = service.url
    site.mu_plugin(
        "policy",
        "<?php add_action( 'send_headers', function () { if ( ! is_admin() ) {"
        f" header( \"Content-Security-Policy: default-src 'self'; script-src 'self' 'unsafe-inline' {origin};"
        f" style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src {origin}; connect-src 'self' {origin}\" );"
        " } } );",
    )
    try:
        with site.rest() as rest:
            # a slow narration: its page must show nothing until it is done
            post = publish(rest, title="Council passes the budget", content=paragraphs(*STORY, "A slow one [slow]."))
            newsroom.wait(post["id"], lambda a: a is not None and a["status"] in ("queued", "running"), "not sent")
            waiting = httpx.get(post["link"], timeout=30).text
            assert "audiogen-player" not in waiting and "wp-block-audiogen-player" not in waiting
            article = newsroom.done(post["id"])
        assert article["title"] == "Council passes the budget"
        assert article["section"] == "Uncategorized" and article["status_detail"] == "published"
        html = page_once_narrated(post["link"])
        assert html.count("<audiogen-player") == 1
        tag = re.search(r'<script type="module" src="([^"]+)" id="audiogen-player-js"', html)
        assert tag is not None and tag.group(1).startswith(origin + "/player/audiogen-player.js?ver=")
        # the page in a browser: the player is there, before the text, and plays
        page = local_page()
        errors = watch(page)
        visit(page, newsroom.site, post["link"])
        page.wait_for_function(f"() => {SHADOW} && {SHADOW}.querySelectorAll('.transcript button').length > 0")
        assert js(
            page, "document.querySelector('.wp-block-audiogen-player').nextElementSibling.textContent"
        ).startswith("The city council")
        page.locator("audiogen-player button.play").click()
        page.wait_for_function(f"() => {AUDIO}.currentTime > 0.3 && !{AUDIO}.paused")
        assert js(page, "window.__violations") == [] and errors == []
        assert "Council passes the budget" in feed_links(newsroom)
    finally:
        (site.root / "wp-content" / "mu-plugins" / "policy.php").unlink()


def test_an_edit_is_narrated_again_only_where_it_changed(newsroom: Newsroom) -> None:
    story = [
        "The ferry to the island will run every hour from May.",
        "Tickets will cost four dollars for adults.",
        "Children under twelve will travel free.",
    ]
    with newsroom.site.rest() as rest:
        post = publish(rest, title="Ferry runs every hour", content=paragraphs(*story))
        first = newsroom.done(post["id"])
        assert first["job"]["sentences_synthesized"] >= 4  # the title and the three sentences, at least
        update(rest, post["id"], content=paragraphs(story[0], "Tickets will cost five dollars for adults.", story[2]))
        second = newsroom.done(post["id"], after_job=first["job"]["id"])
    total = first["job"]["sentences_synthesized"] + first["job"]["sentences_cached"]
    assert second["job"]["sentences_synthesized"] == 1 and second["job"]["sentences_cached"] == total - 1


def test_trash_unpublish_and_delete_take_the_episode_down(newsroom: Newsroom) -> None:
    with newsroom.site.rest() as rest:
        trashed = publish(rest, title="A story to trash", content=paragraphs(STORY[0]))
        drafted = publish(rest, title="A story to unpublish", content=paragraphs(STORY[1]))
        deleted = publish(rest, title="A story to delete", content=paragraphs(STORY[2]))
        for post in (trashed, drafted, deleted):
            newsroom.done(post["id"])
        feed = feed_links(newsroom)
        assert all(title in feed for title in ("A story to trash", "A story to unpublish", "A story to delete"))
        assert rest.delete("/", params={"rest_route": f"/wp/v2/posts/{trashed['id']}"}).status_code == 200
        update(rest, drafted["id"], status="draft")
        gone = rest.delete("/", params={"rest_route": f"/wp/v2/posts/{deleted['id']}", "force": "true"})
        assert gone.status_code == 200
    for post in (trashed, drafted, deleted):
        newsroom.wait(post["id"], lambda article: article is None, "the episode is still up")
    feed = feed_links(newsroom)
    assert not any(title in feed for title in ("A story to trash", "A story to unpublish", "A story to delete"))


def test_private_and_password_protected_posts(newsroom: Newsroom) -> None:
    with newsroom.site.rest() as rest:
        private = publish(rest, title="Staff only", content=paragraphs(STORY[0]), status="private")
        protected = publish(rest, title="For members", content=paragraphs(STORY[1]), password="members")
        article = newsroom.done(protected["id"])
    assert article["access"] == "subscribers"  # narrated for subscribers, not in the public feed
    assert "For members" not in feed_links(newsroom)
    assert "audiogen-player" not in httpx.get(protected["link"], timeout=30).text  # the password form only
    time.sleep(1)
    assert newsroom.article(private["id"]) is None  # never sent


def test_the_block_and_the_shortcode_place_the_player(newsroom: Newsroom) -> None:
    newsroom.site.option("audiogen_settings", newsroom.settings(placement="manual"))
    try:
        with newsroom.site.rest() as rest:
            block = publish(
                rest,
                title="With the block",
                content=paragraphs(STORY[0]) + "<!-- wp:audiogen/player /-->\n" + paragraphs(STORY[1]),
            )
            shortcode = publish(rest, title="With the shortcode", content=paragraphs(STORY[0], "[audiogen]", STORY[2]))
            plain = publish(rest, title="With neither", content=paragraphs(STORY[2]))
            for post in (block, shortcode, plain):
                newsroom.done(post["id"])
        for post, count in ((block, 1), (shortcode, 1)):
            assert page_once_narrated(post["link"]).count("<audiogen-player") == count, post["title"]
        assert "<audiogen-player" not in page_once_narrated(plain["link"], seconds=6)
        between = httpx.get(block["link"], timeout=30).text
        assert between.index(STORY[0]) < between.index("<audiogen-player") < between.index(STORY[1])
        # what is narrated holds no player and no shortcode
        narrated = httpx.get(newsroom.article(shortcode["id"])["links"]["captions"], timeout=30).text  # type: ignore[index]
        assert "audiogen" not in narrated and STORY[2] in narrated
    finally:
        newsroom.site.option("audiogen_settings", newsroom.settings())


# -- the edit screen ------------------------------------------------------------------------


def test_a_wrong_secret_is_said_on_the_edit_screen(newsroom: Newsroom, local_page: Any) -> None:
    newsroom.site.option("audiogen_settings", newsroom.settings(webhook_secret="whsec_not-the-right-one"))
    try:
        with newsroom.site.rest() as rest:
            post = publish(rest, title="A story the service refuses", content=paragraphs(STORY[0]))
        page = local_page()
        sign_in(page, newsroom.site)
        deadline = time.monotonic() + 150
        text = ""
        while time.monotonic() < deadline:  # WP-Cron sends it, the service refuses it
            with contextlib.suppress(httpx.HTTPError):  # (as a system cron calls it, besides visits)
                httpx.get(newsroom.site.url + "/wp-cron.php", timeout=30)
            visit(
                page,
                newsroom.site,
                f"{newsroom.site.url}/wp-admin/post.php?post={post['id']}&action=edit&classic-editor",
            )
            text = page.locator("#audiogen").inner_text()
            if "failed" in text:
                break
            time.sleep(0.5)
        assert (
            "The narration failed: The service refused the webhook secret: the signature does not match the body."
            in text
        )
        # the block editor shows the same panel
        visit(page, newsroom.site, f"{newsroom.site.url}/wp-admin/post.php?post={post['id']}&action=edit")
        page.wait_for_selector("#audiogen .audiogen-error", state="attached", timeout=60000)
        assert "refused the webhook secret" in page.locator("#audiogen .audiogen-error").text_content()
    finally:
        newsroom.site.option("audiogen_settings", newsroom.settings())
    assert newsroom.article(post["id"]) is None


def test_the_panel_shows_the_narration_and_narrates_again(newsroom: Newsroom, local_page: Any) -> None:
    with newsroom.site.rest() as rest:
        post = publish(rest, title="Library hours", content=paragraphs(*STORY))
    first = newsroom.done(post["id"])
    page = local_page()
    sign_in(page, newsroom.site)
    visit(page, newsroom.site, f"{newsroom.site.url}/wp-admin/post.php?post={post['id']}&action=edit&classic-editor")
    panel = page.locator("#audiogen")
    text = panel.inner_text()
    assert "Status: narrated" in text and "Length: 0:" in text
    assert panel.locator("a", has_text="Listen to the audio").get_attribute("href") == first["audio"]["url"]
    page.click("#audiogen-narrate-again")
    page.wait_for_function("() => document.getElementById('audiogen-panel-result').textContent.includes('again')")
    again = newsroom.done(post["id"], after_job=first["job"]["id"])
    # nothing changed since: the same narration stands (nothing synthesized)
    assert again["job"]["reason"] == "api" and again["job"].get("unchanged") is True, again["job"]


def test_a_title_with_markup_is_text_on_the_page_and_in_the_panel(newsroom: Newsroom, local_page: Any) -> None:
    shown = 'Budget "><img src=x onerror=window.__xss=1> & <script>window.__xss=2</script>'
    title = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    with newsroom.site.rest() as rest:
        post = publish(rest, title=title, content=paragraphs(STORY[0]))
    article = newsroom.done(post["id"])
    assert article["title"] == shown
    assert "<audiogen-player" in page_once_narrated(post["link"])
    page = local_page()
    visit(page, newsroom.site, post["link"])
    page.wait_for_function(f"() => {SHADOW} && {SHADOW}.querySelectorAll('.transcript button').length > 0")
    page.wait_for_timeout(300)
    assert js(page, "window.__xss") is None
    assert shown in js(page, f"{SHADOW}.textContent")
    sign_in(page, newsroom.site)
    for screen in ("&classic-editor", ""):
        visit(page, newsroom.site, f"{newsroom.site.url}/wp-admin/post.php?post={post['id']}&action=edit{screen}")
        page.wait_for_selector("#audiogen .audiogen-title", state="attached", timeout=60000)
        assert page.locator("#audiogen .audiogen-title").text_content() == shown
        assert js(page, "window.__xss") is None


# -- settings --------------------------------------------------------------------------------


def test_settings_keep_the_key_secret_and_test_the_connection(newsroom: Newsroom, local_page: Any) -> None:
    site = newsroom.site
    page = local_page()
    sign_in(page, site)

    def tested() -> str:
        visit(page, site, site.url + "/wp-admin/options-general.php?page=audiogen")
        page.click("#audiogen-test-connection")
        page.wait_for_function("() => /[.:]/.test(document.getElementById('audiogen-test-result').textContent)")
        page.wait_for_function("() => !document.getElementById('audiogen-test-result').textContent.endsWith('…')")
        return str(page.locator("#audiogen-test-result").text_content())

    try:
        assert tested().startswith("Connected")
        visit(page, site, site.url + "/wp-admin/options-general.php?page=audiogen")
        assert newsroom.key not in page.content() and newsroom.secret not in page.content()
        assert f"ends in …{newsroom.key[-4:]}" in page.content()
        # a new key typed in the form is saved; left empty, the saved one stays
        page.fill("#audiogen-api-key", "agk_wrong-key")
        page.click("#submit")
        page.wait_for_selector("#setting-error-settings_updated")
        assert tested().startswith("The service refused the API key")
        site.option("audiogen_settings", newsroom.settings(webhook_secret="whsec_wrong"))
        assert tested().startswith("The service refused the webhook secret: the signature does not match the body")
        closed = f"http://127.0.0.1:{_closed_port()}"
        site.option("audiogen_settings", newsroom.settings(service_url=closed))
        assert tested().startswith(f"The service cannot be reached at {closed}:")
        visit(page, site, site.url + "/wp-admin/options-general.php?page=audiogen")
        page.fill("#audiogen-service-url", newsroom.service.url)
        page.click("#submit")
        page.wait_for_selector("#setting-error-settings_updated")
        assert tested().startswith("Connected")
    finally:
        site.option("audiogen_settings", newsroom.settings())


def _closed_port() -> int:
    from wordpress import free_port

    return free_port()


def test_uninstall_removes_the_settings_and_the_post_meta(newsroom: Newsroom) -> None:
    """(Last: the site has no plugin settings afterwards.)"""
    script = newsroom.site.root / "audiogen-uninstall.php"
    script.write_text(
        "<?php $_SERVER['HTTP_HOST'] = '127.0.0.1'; require __DIR__ . '/wp-load.php';"
        " require_once ABSPATH . 'wp-admin/includes/plugin.php';"
        " global $wpdb;"
        " $before = (int) $wpdb->get_var( \"SELECT COUNT(*) FROM $wpdb->postmeta WHERE meta_key = '_audiogen_state'\" );"
        " deactivate_plugins( 'audiogen/audiogen.php' ); uninstall_plugin( 'audiogen/audiogen.php' );"
        " $after = (int) $wpdb->get_var( \"SELECT COUNT(*) FROM $wpdb->postmeta WHERE meta_key = '_audiogen_state'\" );"
        " echo wp_json_encode( array( $before, $after, get_option( 'audiogen_settings', 'gone' ),"
        " (bool) wp_next_scheduled( 'audiogen_poll' ) ) );"
    )
    try:
        before, after, option, scheduled = json.loads(newsroom.site.php(str(script)))
    finally:
        script.unlink()
    assert before > 0 and after == 0 and option == "gone" and scheduled is False


# -- the plugin's PHP --------------------------------------------------------------------------


def test_every_php_file_passes_php_lint_and_phpcs() -> None:
    for path in PHP_FILES:
        done = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True, check=False, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
    ruleset = PLUGIN.parent / "phpcs.xml.dist"
    done = subprocess.run(
        ["phpcs", f"--standard={ruleset}", "--report=full", str(PLUGIN)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


#: what may stand first in something printed: an escaping function, or a literal
_ESCAPED = re.compile(
    r"^\s*(esc_html__|esc_html_e|esc_attr_e|esc_html|esc_attr|esc_url|esc_textarea|wp_kses_post|wp_kses|absint|"
    r"intval|\(int\)|'[^'$]*'|\"[^\"$]*\"|__\(|number_format_i18n|\d)"
)


def _calls(source: str, name: str) -> Iterator[tuple[int, str]]:
    """Each ``name(…)`` in ``source`` (balanced parentheses), with its line."""
    for found in re.finditer(rf"(?<![\w>$]){name}\s*\(", source):
        depth, index = 0, found.end() - 1
        while index < len(source):
            depth += {"(": 1, ")": -1}.get(source[index], 0)
            if depth == 0:
                break
            index += 1
        yield source.count("\n", 0, found.start()) + 1, source[found.end() : index]


def _arguments(text: str) -> list[str]:
    """Top-level comma-separated arguments."""
    parts, depth, current, quote = [], 0, "", ""
    for char in text:
        if quote:
            current += char
            if char == quote:
                quote = ""
            continue
        if char in "'\"":
            quote = char
        depth += 1 if char in "([" else -1 if char in ")]" else 0
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current] if current.strip() else parts


def test_everything_the_plugin_prints_is_escaped() -> None:
    """As WordPress's EscapeOutput sniff: echo and printf's arguments, and inline PHP in
    templates, are escaped where they are printed."""
    problems = []
    for path in PHP_FILES:
        source = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), path.read_text(), flags=re.S)
        for number, line in enumerate(source.splitlines(), 1):
            for echoed in re.findall(r"\becho\s+(.+?);", line):
                if not _ESCAPED.match(echoed) or re.search(r"\.\s*\$(?!\w+\s*\))", echoed):
                    problems.append(f"{path.name}:{number}: echo {echoed}")
            if re.search(r"\bprint\s*\(|\bprint\s+['\"$]", line):
                problems.append(f"{path.name}:{number}: print")
        for number, inside in _calls(source, "printf"):
            for argument in _arguments(inside)[1:]:
                if not _ESCAPED.match(argument.strip()):
                    problems.append(f"{path.name}:{number}: printf argument {argument.strip()}")
    assert problems == []


def test_requests_are_checked_for_a_nonce_and_a_capability() -> None:
    """Every handler that reads the request checks its nonce first and the user's
    capability; every AJAX action is for signed-in users only."""
    problems = []
    for path in PHP_FILES:
        source = path.read_text()
        if "wp_ajax_nopriv_" in source:
            problems.append(f"{path.name}: an AJAX action for visitors")
        for match in re.finditer(r"function (\w+)\([^)]*\)[^{]*\{(.*?)\n\t\}", source, re.S):
            name, body = match.group(1), match.group(2)
            reads = re.search(r"\$_(POST|GET|REQUEST|COOKIE|SERVER|FILES)\[", body)
            ajax = f"'{name}' )" in source and re.search(rf"wp_ajax_\w+', array\( __CLASS__, '{name}'", source)
            if reads or ajax:
                nonce = re.search(r"check_ajax_referer|check_admin_referer|wp_verify_nonce", body)
                capability = re.search(r"current_user_can\(", body)
                if not nonce or not capability or (reads and nonce.start() > reads.start()):
                    problems.append(f"{path.name}: {name} reads the request without a nonce and a capability check")
            for raw in re.finditer(r"\$_(POST|GET|REQUEST)\[[^\]]+\]", body):
                after = body[raw.end() : raw.end() + 3]
                before = body[max(0, raw.start() - 40) : raw.start()]
                if "isset(" not in before[-8:] and "wp_unslash(" not in before[-12:] and not after.startswith(" )"):
                    problems.append(f"{path.name}: {name} uses {raw.group(0)} unsanitized")
    assert problems == []


def test_the_plugin_is_licensed_and_named_as_wordpress_asks() -> None:
    header = (PLUGIN / "audiogen.php").read_text()
    for field in (
        "Plugin Name:",
        "Requires at least: 6.1",
        "Requires PHP:      8.1",
        "License:           GPL-2.0-or-later",
    ):
        assert field in header
    for path in PHP_FILES:
        source = path.read_text()
        assert source.startswith("<?php"), path
        if path.name not in ("uninstall.php", "index.asset.php"):
            assert "defined( 'ABSPATH' ) || exit;" in source, path  # not run when opened directly
        for function in re.findall(r"^\s*(?:public |private |protected )?(?:static )?function (\w+)", source, re.M):
            assert function == function.lower(), f"{path.name}: {function} is not snake_case"
        for option in re.findall(r"(?:get|update|delete)_option\( '([^']+)'", source):
            assert option.startswith("audiogen"), option  # the plugin's names carry its prefix
    readme = (PLUGIN / "readme.txt").read_text()
    assert "License: GPLv2 or later" in readme and "Requires at least: 6.1" in readme
