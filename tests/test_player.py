"""The embeddable player in a real browser: Debian's Chromium driven by Playwright, pages
served from 127.0.0.1 with HTTP Range support."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import AXE, serve
from click.testing import CliRunner
from conftest import ROOT, SEED_PAGE

from audiogen.backends import registry
from audiogen.cli import main
from audiogen.player import PLAYER_FILE, annotate_page, embed, find_episode

OUTPUT = Path(os.environ.get("AUDIOGEN_TEST_OUTPUT", ROOT / "test-output"))
PLAYER = "document.querySelector('audiogen-player')"
SHADOW = f"{PLAYER}.shadowRoot"
AUDIO = f"{SHADOW}.querySelector('audio')"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The seed article narrated (by the fake engine), with the player and a demo page."""
    import audiogen

    folder = tmp_path_factory.mktemp("site")
    registry.register("fake", "fake_engines:FakeBackend")
    try:
        narration = audiogen.narrate(audiogen.load(SEED_PAGE), voice="fake:tone", cache=False)
    finally:
        registry.unregister("fake")
    narration.export(folder / "article.mp3")
    embed(folder / "article.mp3", demo=True)
    yield folder


def timings(site: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / "article.json").read_text())
    return data


def cues(site: Path) -> list[dict[str, Any]]:
    out = []
    for part in timings(site)["segments"]:
        for index, sentence in enumerate(part["sentences"]):
            out.append({**sentence, "segment": part["segment"], "sentence": index, "kind": part["kind"]})
    return out


def ready(page: Any) -> None:
    wait_for(page, f"{SHADOW} && {SHADOW}.querySelectorAll('.transcript button').length > 0")


def wait_for(page: Any, expression: str) -> None:
    """Wait until ``expression`` is true (as a function, which a strict CSP allows)."""
    page.wait_for_function(f"() => ({expression})")


def js(page: Any, expression: str) -> Any:
    return page.evaluate(f"() => {expression}")


def play_and_wait(page: Any, beyond: float = 0.3) -> None:
    page.locator("audiogen-player button.play").click()
    wait_for(page, f"{AUDIO}.currentTime > {beyond} && !{AUDIO}.paused")


def current_cue(page: Any) -> list[str]:
    return list(js(page, f"[...{SHADOW}.querySelectorAll('.transcript [aria-current=true]')].map(b => b.dataset.cue)"))


def test_loads_plays_and_fetches_no_audio_before_play(site: Path, new_page: Any) -> None:
    with serve(site) as (base, requests):
        page = new_page()
        page.goto(f"{base}/article.demo.html")
        ready(page)
        page.wait_for_timeout(500)
        assert not [r for r in requests if r.endswith(".mp3")]  # preload="none", no autoplay
        assert js(page, f"{AUDIO}.paused") is True
        duration = timings(site)["duration_ms"] / 1000
        minutes, seconds = divmod(int(duration), 60)
        # the duration comes from the timings file before any audio is fetched
        assert js(page, f"{SHADOW}.querySelector('.remaining').textContent") == f"-{minutes}:{seconds:02d}"
        play_and_wait(page, 1.0)
        assert [r for r in requests if r.endswith(".mp3")]
        assert js(page, f"{SHADOW}.querySelector('button.play').getAttribute('aria-label')") == "Pause"
        assert js(page, "navigator.mediaSession.metadata.title") == timings(site)["title"]
        assert js(page, "navigator.mediaSession.playbackState") == "playing"
        link = page.locator("audiogen-player a.download")
        assert link.get_attribute("href").endswith("/article.mp3") and link.get_attribute("download") == ""


def test_keyboard_alone_reaches_and_works_every_control(site: Path, new_page: Any) -> None:
    with serve(site) as (base, _):
        page = new_page()
        page.goto(f"{base}/article.demo.html")
        ready(page)
        names = []
        for _ in range(20):
            page.keyboard.press("Tab")
            focused = js(
                page,
                f"(() => {{ const e = {SHADOW}.activeElement; if (!e) return null;"
                " const label = e.getAttribute('aria-label') || (e.labels && e.labels[0] ? e.labels[0].textContent : '')"
                " || e.textContent.trim();"
                " return [e.tagName, label, getComputedStyle(e).outlineStyle]; })()",
            )
            if focused is None:
                if names:
                    break
                continue
            tag, name, outline = focused
            assert name, f"{tag} has no accessible name"
            assert outline != "none", f"{tag} {name} shows no focus"
            names.append(name)
        assert names[0] == "Play"
        for wanted in (
            "Seek",
            "Back 15 seconds",
            "Forward 15 seconds",
            "Mute",
            "Volume",
            "Follow along",
            "Transcript",
            "Download",
        ):
            assert wanted in names, (wanted, names)
        assert any(name.startswith("Speed") for name in names)
        # back to the play button; Enter plays, K pauses, L and J skip, arrows move
        for _ in range(40):
            if js(page, f"{SHADOW}.activeElement && {SHADOW}.activeElement.classList.contains('play')"):
                break
            page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        wait_for(page, f"!{AUDIO}.paused && {AUDIO}.currentTime > 0.2")
        page.keyboard.press("k")
        wait_for(page, f"{AUDIO}.paused")
        start = js(page, f"{AUDIO}.currentTime")
        page.keyboard.press("l")
        wait_for(page, f"Math.abs({AUDIO}.currentTime - {start + 15}) < 0.5")
        page.keyboard.press("j")
        wait_for(page, f"Math.abs({AUDIO}.currentTime - {start}) < 0.5")
        page.keyboard.press("ArrowRight")
        wait_for(page, f"Math.abs({AUDIO}.currentTime - {start + 5}) < 0.5")
        page.keyboard.press("ArrowDown")
        assert js(page, f"{AUDIO}.volume") == pytest.approx(0.9)
        page.keyboard.press(" ")  # space on the play button presses it: plays again
        wait_for(page, f"!{AUDIO}.paused")


def test_speed_is_set_and_remembered_across_pages(site: Path, new_page: Any) -> None:
    with serve(site) as (base, _):
        page = new_page()
        page.goto(f"{base}/article.demo.html")
        ready(page)
        options = js(page, f"[...{SHADOW}.querySelectorAll('select.speed option')].map(o => Number(o.value))")
        assert min(options) == 0.5 and max(options) == 3
        page.locator("audiogen-player select.speed").select_option("1.5")
        play_and_wait(page)
        assert js(page, f"{AUDIO}.playbackRate") == 1.5
        page.reload()
        ready(page)
        assert js(page, f"{SHADOW}.querySelector('select.speed').value") == "1.5"
        play_and_wait(page)
        assert js(page, f"{AUDIO}.playbackRate") == 1.5


def test_skip_buttons_and_mute(site: Path, new_page: Any) -> None:
    with serve(site) as (base, _):
        page = new_page()
        page.goto(f"{base}/article.demo.html")
        ready(page)
        play_and_wait(page)
        page.locator("audiogen-player button.play").click()
        wait_for(page, f"{AUDIO}.paused")
        start = js(page, f"{AUDIO}.currentTime")
        page.locator("audiogen-player button[aria-label='Forward 15 seconds']").click()
        wait_for(page, f"Math.abs({AUDIO}.currentTime - {start + 15}) < 0.3")
        page.locator("audiogen-player button[aria-label='Back 15 seconds']").click()
        page.locator("audiogen-player button[aria-label='Back 15 seconds']").click()
        wait_for(page, f"{AUDIO}.currentTime < 0.01")  # not before the start
        page.locator("audiogen-player button[aria-label='Mute']").click()
        wait_for(page, f"{AUDIO}.muted && {SHADOW}.querySelector('button[aria-label=Unmute]')")
        assert js(page, f"{SHADOW}.querySelector('button[aria-label=Unmute]').getAttribute('aria-pressed')") == "true"


def test_highlight_follows_the_voice_with_exactly_one_current_sentence(site: Path, new_page: Any) -> None:
    all_cues = cues(site)
    with serve(site) as (base, _):
        page = new_page()
        page.goto(f"{base}/article.demo.html")
        ready(page)
        assert current_cue(page) == ["0"]
        page.locator("audiogen-player select.speed").select_option("3")
        play_and_wait(page)
        wait_for(page, f"{SHADOW}.querySelector('.transcript [aria-current=true]').dataset.cue >= 3")
        assert len(current_cue(page)) == 1
        page.locator("audiogen-player button.play").click()
        for index in (4, 9, len(all_cues) - 1, 2):
            cue = all_cues[index]
            js(page, f"{AUDIO}.currentTime = {cue['start_ms'] / 1000 + 0.05}")
            wait_for(page, f"{SHADOW}.querySelector('.transcript [aria-current=true]').dataset.cue == {index}")
            assert current_cue(page) == [str(index)]
            marked = js(
                page, "[...document.querySelectorAll('[data-audiogen-current=sentence]')].map(e => e.textContent)"
            )
            paragraphs = js(page, "document.querySelectorAll('[data-audiogen-current=paragraph]').length")
            if cue["segment"] is not None:
                assert marked == [cue["text"]] and paragraphs == 1
            else:
                assert marked == [] and paragraphs == 0


def test_clicking_the_article_or_transcript_plays_from_there(site: Path, new_page: Any) -> None:
    target = next(c for c in cues(site) if c["segment"] == 5)
    with serve(site) as (base, _):
        page = new_page()
        page.goto(f"{base}/article.demo.html")
        ready(page)
        page.locator(f"[data-audiogen-sentence='5.{target['sentence']}']").click()
        wait_for(page, f"!{AUDIO}.paused && {AUDIO}.currentTime >= {target['start_ms'] / 1000}")
        assert js(page, f"{AUDIO}.currentTime") < target["end_ms"] / 1000 + 1
        page.locator("audiogen-player button.play").click()
        page.locator("audiogen-player button:text-is('Transcript')").click()
        assert js(page, f"{SHADOW}.querySelector('.transcript').hidden") is False
        page.locator("audiogen-player .transcript button[data-cue='2']").click()
        second = cues(site)[2]
        page.wait_for_function(
            f"!{AUDIO}.paused && {AUDIO}.currentTime >= {second['start_ms'] / 1000}"
            f" && {AUDIO}.currentTime < {second['end_ms'] / 1000 + 1}"
        )


def test_unmarked_page_follows_along_by_matching_the_text(site: Path, new_page: Any) -> None:
    paragraphs = [p for p in timings(site)["segments"] if p["segment"] is not None][:6]
    body = "".join("<p>" + " ".join(s["text"] for s in p["sentences"]) + "</p>" for p in paragraphs)
    (site / "plain.html").write_text(
        f'<!doctype html><html lang="en"><head><title>t</title><script type="module" src="{PLAYER_FILE}"></script>'
        f'</head><body><main><audiogen-player src="article.mp3" timings="article.json"></audiogen-player>{body}</main></body></html>'
    )
    wanted = paragraphs[3]["sentences"][0]
    with serve(site) as (base, _):
        page = new_page()
        page.goto(f"{base}/plain.html")
        ready(page)
        page.locator("main > p").nth(3).click(position={"x": 5, "y": 5})
        wait_for(page, f"!{AUDIO}.paused && {AUDIO}.currentTime >= {wanted['start_ms'] / 1000}")
        text = js(page, "[...CSS.highlights.get('audiogen-current')][0].toString()")
        assert text == wanted["text"]


def test_ai_label_is_always_there_and_told_to_screen_readers(site: Path, new_page: Any) -> None:
    page_template = (site / "article.demo.html").read_text()
    cases = {"default": None, "empty": "", "blank": "   ", "custom": "Read by a synthetic voice"}
    for name, label in cases.items():
        html = page_template
        if label is not None:
            html = html.replace(
                "<audiogen-player ", f'<audiogen-player label="{label}" about="https://news.example/ai" ', 1
            )
        (site / f"label-{name}.html").write_text(html)
    with serve(site) as (base, _):
        for name, label in cases.items():
            page = new_page()
            page.goto(f"{base}/label-{name}.html")
            ready(page)
            expected = label.strip() if label and label.strip() else "AI-generated audio"
            badge = page.locator("audiogen-player .badge")
            assert badge.text_content() == expected and badge.is_visible()
            assert js(page, f"{AUDIO}.getAttribute('aria-description')").startswith(expected + ". This is a narration")
            assert js(page, f"{SHADOW}.querySelector('section').getAttribute('aria-description')") == expected
        page.locator("audiogen-player summary").click()
        explanation = page.locator("audiogen-player .ai p")
        assert explanation.is_visible() and "computer voice" in explanation.text_content()
        assert page.locator("audiogen-player .ai a").get_attribute("href") == "https://news.example/ai"


def test_text_from_the_files_stays_text(site: Path, new_page: Any) -> None:
    evil = timings(site)
    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    evil["title"] = payload
    evil["segments"][2]["sentences"][0]["text"] = payload
    (site / "evil.json").write_text(json.dumps(evil))
    (site / "evil.html").write_text(
        f'<!doctype html><html lang="en"><head><title>t</title><script type="module" src="{PLAYER_FILE}"></script></head>'
        '<body><audiogen-player src="article.mp3" timings="evil.json"></audiogen-player></body></html>'
    )
    with serve(site) as (base, _):
        page = new_page()
        page.goto(f"{base}/evil.html")
        ready(page)
        page.wait_for_timeout(300)
        assert js(page, "window.__xss") is None
        assert js(page, f"{SHADOW}.querySelectorAll('img, script').length") == 0
        assert page.locator("audiogen-player .title").text_content() == payload
        texts = js(page, f"[...{SHADOW}.querySelectorAll('.transcript button')].map(b => b.textContent)")
        assert payload in texts


def test_works_under_a_strict_content_security_policy(site: Path, new_page: Any) -> None:
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self'; connect-src 'self'; img-src 'self'"
    )
    with serve(site, {"Content-Security-Policy": policy}) as (base, _):
        page = new_page()
        page.add_init_script(
            "window.__violations = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/article.demo.html")
        ready(page)
        play_and_wait(page)
        assert js(page, "window.__violations") == []
        assert errors == []
        # the player's own styles applied: the play button is the accent colour, round
        style = js(
            page,
            f"(() => {{ const s = getComputedStyle({SHADOW}.querySelector('button.play')); return [s.backgroundColor, s.borderRadius]; }})()",
        )
        assert style == ["rgb(29, 78, 216)", "50%"]


def test_host_page_css_does_not_reach_into_the_player(site: Path, new_page: Any) -> None:
    hostile = "* { color: rgb(255, 0, 0) !important; font-size: 40px !important; } button, input, select { display: none !important; } section { display: none !important; }"
    (site / "hostile.css").write_text(hostile)
    html = (
        (site / "article.demo.html").read_text().replace("</head>", '<link rel="stylesheet" href="hostile.css"></head>')
    )
    (site / "hostile.html").write_text(html)
    with serve(site) as (base, _):
        page = new_page(viewport={"width": 320, "height": 700})
        page.goto(f"{base}/hostile.html")
        ready(page)
        assert page.locator("audiogen-player button.play").is_visible()
        assert js(page, f"getComputedStyle({SHADOW}.querySelector('.title')).color") != "rgb(255, 0, 0)"
        # 320 px wide: nothing of the player sticks out
        width = js(
            page, f"(() => {{ const s = {SHADOW}.querySelector('section'); return [s.scrollWidth, s.clientWidth]; }})()"
        )
        assert width[0] <= width[1] + 1
        assert js(page, "document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accessibility_audit_finds_nothing_serious(site: Path, new_page: Any, scheme: str) -> None:
    assert AXE.is_file(), "axe-core is missing: run tests/setup.sh"
    with serve(site) as (base, _):
        page = new_page(color_scheme=scheme, bypass_csp=True, reduced_motion="reduce")
        page.goto(f"{base}/article.demo.html")
        ready(page)
        page.locator("audiogen-player button:text-is('Transcript')").click()
        page.locator("audiogen-player summary").click()
        page.locator("audiogen-player .transcript button[data-cue='5']").click()
        wait_for(page, f"{SHADOW}.querySelector('.transcript [aria-current=true]').dataset.cue == 5")
        page.locator("audiogen-player button.play").click()
        wait_for(page, f"{AUDIO}.paused")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == []
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"player-demo-{scheme}.png"), full_page=False)


def test_embed_command_writes_the_player_and_prints_the_snippet(site: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["embed", str(site / "article.mp3"), "-o", str(tmp_path / "web"), "--base-url", "https://cdn.example/a/"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        '<script type="module" src="https://cdn.example/a/audiogen-player.js"></script>',
        '<audiogen-player src="https://cdn.example/a/article.mp3" timings="https://cdn.example/a/article.json"'
        ' transcript="https://cdn.example/a/article.vtt"></audiogen-player>',
    ]
    assert sorted(p.name for p in (tmp_path / "web").iterdir()) == [
        "article.chapters.json",
        "article.json",
        "article.mp3",
        "article.vtt",
        "audiogen-player.js",
    ]
    bad = CliRunner().invoke(main, ["embed", str(tmp_path / "nothing.mp3")])
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: no such file or folder")
    folder = tmp_path / "two"
    folder.mkdir()
    for name in ("a.json", "b.json"):
        shutil.copy(site / "article.json", folder / name)
    bad = CliRunner().invoke(main, ["embed", str(folder)])
    assert bad.exit_code == 1 and "holds 2 narrations" in bad.stderr


def test_annotate_marks_the_publishers_paragraphs(site: Path) -> None:
    data = find_episode(site / "article.mp3").timings
    page = SEED_PAGE.read_text()
    marked = annotate_page(page, data)
    from lxml import html as lxml_html

    root = lxml_html.document_fromstring(marked)
    found = {e.get("data-audiogen-segment"): e.text_content() for e in root.xpath("//*[@data-audiogen-segment]")}
    paragraphs = [p for p in data["segments"] if p["segment"] is not None]
    assert len(found) >= len(paragraphs) - 1  # every narrated paragraph found on the page (the dek may differ)
    first = paragraphs[0]
    assert " ".join(found[str(first["segment"])].split()).startswith(first["sentences"][0]["text"][:40])


def test_follow_along_scrolls_with_the_voice_until_the_reader_scrolls(site: Path, new_page: Any) -> None:
    last = [c for c in cues(site) if c["segment"] is not None][-1]
    with serve(site) as (base, _):
        page = new_page(viewport={"width": 800, "height": 500}, reduced_motion="reduce")
        page.goto(f"{base}/article.demo.html")
        ready(page)
        follow = page.locator("audiogen-player button:text-is('Follow along')")
        follow.click()
        assert follow.get_attribute("aria-pressed") == "true"
        js(page, f"{PLAYER}.playFrom({len(cues(site)) - 1})")
        wait_for(page, "window.scrollY > 200")
        marked = page.locator(f"[data-audiogen-sentence='{last['segment']}.{last['sentence']}']")
        assert marked.is_visible() and marked.get_attribute("data-audiogen-current") == "sentence"
        page.mouse.move(400, 250)
        page.mouse.wheel(0, -200)
        wait_for(
            page,
            f"[...{SHADOW}.querySelectorAll('button')].some(b => b.textContent === 'Follow along' && b.getAttribute('aria-pressed') === 'false')",
        )
        assert page.locator("audiogen-player .status").text_content() == "Stopped following along."


def test_demo_page_opened_from_a_file_says_it_must_be_served(site: Path, new_page: Any) -> None:
    note = "audiogen-player + .audiogen-served-note"
    page = new_page()
    page.goto((site / "article.demo.html").as_uri())
    page.wait_for_timeout(500)
    assert page.locator(note).is_visible()
    assert "http.server" in page.locator(note).text_content()
    with serve(site) as (base, _):
        page = new_page()
        page.goto(f"{base}/article.demo.html")
        ready(page)
        assert not page.locator(note).is_visible()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"audio": "../article.mp3"}, "not a plain file name"),
        ({"audio": "/etc/passwd"}, "not a plain file name"),
        ({"chapters_file": "../../x.json"}, "not a plain file name"),
        ({"segments": "nope"}, "segments are not a list"),
        ({"segment": '0"><script>alert(1)</script>'}, "is not a whole number"),
        ({"sentences": [{"text": 5}]}, "sentences are not texts"),
    ],
)
def test_a_tampered_timings_file_is_refused_in_one_line(
    site: Path, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    data = timings(site)
    if "segment" in change or "sentences" in change:
        data["segments"][2].update(change)
    else:
        data.update(change)
    shutil.copy(site / "article.mp3", tmp_path / "article.mp3")
    (tmp_path / "article.json").write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["embed", str(tmp_path / "article.mp3"), "--demo"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "article.demo.html").exists()


def test_demo_page_escapes_everything_from_the_timings(site: Path, tmp_path: Path) -> None:
    from audiogen.player import EpisodeFiles, demo_page

    data = timings(site)
    data["title"] = '"><script>t()</script>'
    data["segments"][2]["kind"] = '"><script>k()</script>'
    data["language"] = '"><script>l()</script>'
    data["author"] = "<b>x</b>"
    episode = EpisodeFiles(site / "article.mp3", site / "article.json", data, None, None)
    page = demo_page(episode, label='"><script>b()</script>', about="javascript:alert(1)")
    assert "<script>" not in page.replace('<script type="module" src="audiogen-player.js"></script>', "")
    assert "<b>" not in page


def test_the_controls_speak_the_narrations_language(site: Path, new_page: Any, tmp_path: Path) -> None:
    import shutil

    spanish = tmp_path / "es"
    shutil.copytree(site, spanish)
    data = timings(spanish)
    data["language"] = "es"
    (spanish / "article.json").write_text(json.dumps(data))
    with serve(spanish) as (base, _):
        page = new_page()
        page.goto(f"{base}/article.demo.html")
        ready(page)

        def label(selector: str) -> str:
            return str(js(page, f"{SHADOW}.querySelector('{selector}').getAttribute('aria-label')"))

        assert label("button.play") == "Reproducir"
        assert label("input.bar") == "Posición"
        assert js(page, f"{SHADOW}.querySelector('.badge').textContent") == "Audio generado con IA"
        assert js(page, f"{SHADOW}.querySelector('a.download').textContent") == "Descargar"
        assert "voz sintética" in js(page, f"{SHADOW}.querySelector('details.ai p').textContent")
        play_and_wait(page, 0.5)
        assert label("button.play") == "Pausa"
    # the element's own lang attribute wins over the narration's
    with serve(spanish) as (base, _):
        page = new_page()
        page.goto(f"{base}/article.demo.html")
        ready(page)
        page.evaluate("() => document.querySelector('audiogen-player').setAttribute('lang', 'fr')")
        wait_for(page, f"{SHADOW}.querySelector('button.play').getAttribute('aria-label') === 'Lecture'")


# -- keep listening: resume, the mini-player, the figures of a page view ---------------------


def _kept(page: Any) -> Any:
    return js(page, "Object.keys(localStorage).filter(k => k.startsWith('audiogen-player:position:'))")


def test_resume_after_reload_lands_where_it_stopped_and_storage_refused_is_quiet(site: Path, new_page: Any) -> None:
    with serve(site) as (base, _):
        page = new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
        page.goto(f"{base}/article.demo.html")
        ready(page)
        play_and_wait(page)
        page.evaluate(f"() => {{ {AUDIO}.playbackRate = 4; }}")  # ten seconds heard, quickly
        wait_for(page, f"{AUDIO}.currentTime > 14")
        assert _kept(page)  # kept while playing, after 10 s heard
        page.locator("audiogen-player button.play").click()  # pause
        wait_for(page, f"{AUDIO}.paused && {SHADOW}.querySelector('button.play').getAttribute('aria-label') == 'Play'")
        stopped = js(page, f"{AUDIO}.currentTime")
        page.reload()
        ready(page)
        resume = page.locator("audiogen-player button.resume")
        minutes, seconds = divmod(int(stopped + 0.05), 60)
        assert resume.inner_text() == f"Resume at {minutes}:{seconds:02d}"
        resume.click()
        wait_for(page, f"!{AUDIO}.paused && {AUDIO}.currentTime > 0")
        assert abs(js(page, f"{AUDIO}.currentTime") - stopped) < 1.0
        # finished: forgotten
        page.evaluate(f"() => {{ {AUDIO}.currentTime = {AUDIO}.duration - 0.5; }}")
        wait_for(page, f"{AUDIO}.ended")
        assert _kept(page) == []
        # kept 31 days ago: not offered, and gone
        key = js(page, f"'audiogen-player:position:' + new URL({PLAYER}.getAttribute('src'), document.baseURI).href")
        old = json.dumps({"t": 30, "at": 0})
        page.evaluate(f"() => localStorage.setItem({json.dumps(key)}, {json.dumps(old)})")
        page.reload()
        ready(page)
        assert page.locator("audiogen-player button.resume").count() == 0 and _kept(page) == []
        assert not errors
        # storage refused (a private window): nothing offered, nothing said, no error
        quiet = new_page()
        quiet.add_init_script(
            "Object.defineProperty(window, 'localStorage', {get() { throw new DOMException('no', 'SecurityError'); }});"
        )
        failures: list[str] = []
        quiet.on("console", lambda m: failures.append(m.text) if m.type == "error" and "404" not in m.text else None)
        quiet.on("pageerror", lambda e: failures.append(str(e)))
        quiet.goto(f"{base}/article.demo.html")
        ready(quiet)
        play_and_wait(quiet)
        quiet.evaluate(f"() => {{ {AUDIO}.playbackRate = 4; }}")
        wait_for(quiet, f"{AUDIO}.currentTime > 12")
        quiet.locator("audiogen-player button.play").click()
        assert quiet.locator("audiogen-player button.resume").count() == 0 and not failures


def test_the_mini_player_stays_in_view_moves_nothing_and_is_worked_by_keyboard(site: Path, new_page: Any) -> None:
    with serve(site) as (base, _):
        page = new_page(bypass_csp=True)  # (for axe-core alone)
        page.add_init_script(
            "window.__shift = 0; new PerformanceObserver(list => { for (const e of list.getEntries())"
            " if (!e.hadRecentInput) window.__shift += e.value; }).observe({type: 'layout-shift', buffered: true});"
        )
        beacons: list[dict[str, Any]] = []

        def caught(route: Any) -> None:
            beacons.append(json.loads(route.request.post_data or "{}"))
            route.fulfill(status=204, body="")

        page.route("**/events", caught)
        page.goto(f"{base}/article.demo.html")
        ready(page)
        page.evaluate(
            f"""() => {{ {PLAYER}.setAttribute('stats', location.origin + '/events');
                {PLAYER}.setAttribute('episode', 'demo');
                const tall = document.createElement('div'); tall.style.height = '4000px'; document.body.append(tall); }}"""
        )
        page.evaluate("() => window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        page.evaluate("() => { window.__shift = 0; }")  # from here on, the mini-player's doing
        play_and_wait(page)
        assert page.evaluate("() => document.querySelector('audiogen-mini')") is None  # in view: no bar
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        wait_for(page, "document.querySelector('audiogen-mini')")
        mini = "document.querySelector('audiogen-mini').shadowRoot"
        assert js(page, f"{mini}.querySelector('.mini').getAttribute('aria-label')") == "Now playing"
        title = js(page, f"{mini}.querySelector('.title').textContent")
        assert title == timings(site)["title"]
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / "mini-player.png"))
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
        assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []
        # the keyboard: the bar comes after the page's own content; its button pauses
        page.evaluate(f"() => {mini}.querySelector('button.toggle').focus()")
        page.keyboard.press("Space")
        wait_for(page, f"{AUDIO}.paused && {mini}.querySelector('button.toggle').getAttribute('aria-label') == 'Play'")
        page.keyboard.press("Space")
        wait_for(page, f"!{AUDIO}.paused")
        page.evaluate("() => window.scrollTo(0, 0)")  # the player back in view: the bar goes
        wait_for(page, "!document.querySelector('audiogen-mini')")
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        wait_for(page, "document.querySelector('audiogen-mini')")
        page.evaluate(f"() => {mini}.querySelector('button.close').click()")  # closed: it stays away
        wait_for(page, "!document.querySelector('audiogen-mini')")
        page.wait_for_timeout(300)
        assert page.evaluate("() => document.querySelector('audiogen-mini')") is None
        assert js(page, "window.__shift") == 0  # nothing on the page moved
        # figures: shown once for the page view, then the play and the tenths heard
        page.evaluate(f"() => {{ {AUDIO}.playbackRate = 4; }}")
        wait_for(page, f"{AUDIO}.currentTime > 0.25 * {AUDIO}.duration")
        kinds = [(b["event"], b.get("percent")) for b in beacons]
        # (the figures were turned on after the page showed the player: counted when it came back)
        assert kinds.count(("load", None)) == 1 and ("play", None) in kinds and ("progress", 10) in kinds


# -- a playlist of the site's episodes -------------------------------------------------------


@pytest.fixture(scope="module")
def episodes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three short narrations (the fake engine) in a folder, the player's script beside them."""
    import audiogen

    folder = tmp_path_factory.mktemp("playlist")
    registry.register("fake", "fake_engines:FakeBackend")
    try:
        for number, (title, text) in enumerate(
            [
                ("Harbor reopens", "The harbor reopened on Monday."),
                ("Market moves", "Prices rose at the market."),
                ("Rain returns", "Rain is expected tonight."),
            ]
        ):
            source = folder / f"source{number}.md"
            source.write_text(f"# {title}\n\n{text}\n", encoding="utf-8")
            narration = audiogen.narrate(audiogen.load(source), voice="fake:tone", cache=False, notice=False)
            narration.export(folder / f"ep{number}.mp3")
    finally:
        registry.unregister("fake")
    (folder / PLAYER_FILE).write_text((ROOT / "audiogen" / "player" / PLAYER_FILE).read_text(encoding="utf-8"))
    return folder


def _feed(folder: Path, base: str, missing: bool = False, section: str = "News") -> None:
    from datetime import UTC, datetime

    from audiogen.publish.feed import Channel, Episode, build_feed

    items = []
    for number in range(3):
        data = json.loads((folder / f"ep{number}.json").read_text())
        audio = f"ep{number}.mp3" if not (missing and number == 1) else "gone.mp3"
        items.append(
            Episode(
                title=data["title"] if number != 1 else "Market <b>moves</b> & more",  # a title that is no markup
                audio_url=f"{base}/{audio}",
                audio_bytes=(folder / f"ep{number}.mp3").stat().st_size,
                mime_type="audio/mpeg",
                duration_s=data["duration_ms"] / 1000,
                guid=f"ep{number}",
                published=datetime(2026, 12, 3 - number, tzinfo=UTC),
                section=section if number != 2 else "Weather",
            )
        )
    channel = Channel(title="Ledger", link=base + "/", feed_url=f"{base}/feed.xml", owner_email="a@news.example")
    (folder / ("feed-missing.xml" if missing else "feed.xml")).write_text(build_feed(items, channel), encoding="utf-8")
    (folder / "list.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Listen</title>'
        f'<script type="module" src="{PLAYER_FILE}"></script></head><body><main><h1>Listen</h1>'
        '<audiogen-playlist src="feed.xml"></audiogen-playlist></main></body></html>'
    )


PLAYLIST = "document.querySelector('audiogen-playlist').shadowRoot"
INNER = f"{PLAYLIST}.querySelector('audiogen-player')"
INNER_AUDIO = f"{INNER}.shadowRoot.querySelector('audio')"


def test_a_playlist_plays_the_feed_through_with_up_next_and_keyboard_reordering(episodes: Path, new_page: Any) -> None:
    with serve(episodes) as (base, _):
        _feed(episodes, base)
        _feed(episodes, base, missing=True)
        page = new_page(bypass_csp=True)  # (for axe-core alone)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/list.html")
        wait_for(page, f"{PLAYLIST} && {PLAYLIST}.querySelectorAll('li').length == 3")
        titles = js(page, f"[...{PLAYLIST}.querySelectorAll('button.item span:first-child')].map(s => s.textContent)")
        assert titles == ["Harbor reopens", "Market <b>moves</b> & more", "Rain returns"]  # newest first, as text
        assert js(page, f"{PLAYLIST}.querySelector('b')") is None
        assert "AI-generated audio" in js(page, f"{PLAYLIST}.querySelector('h2').textContent")
        assert (
            js(page, f"{PLAYLIST}.querySelector('.next-up span').textContent") == "Up next: Market <b>moves</b> & more"
        )
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
        assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []
        # reorder by keyboard: "Rain returns" up, twice, with the focus kept on its button
        page.locator("audiogen-playlist button[aria-label='Move Rain returns up']").focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        order = js(page, f"[...{PLAYLIST}.querySelectorAll('li')].map(li => li.querySelector('span').textContent)")
        assert order == ["Rain returns", "Harbor reopens", "Market <b>moves</b> & more"]
        # the first in the list plays; near each end the next one follows
        page.locator("audiogen-playlist li button.item").first.click()
        for title in ("Rain returns", "Harbor reopens", "Market <b>moves</b> & more"):
            # playing, and its length known (the metadata may come a moment after play starts)
            wait_for(
                page,
                f"!{INNER_AUDIO}.paused && Number.isFinite({INNER_AUDIO}.duration)"
                f" && {INNER}.titleText.textContent == {json.dumps(title)}",
            )
            assert js(page, f"{PLAYLIST}.querySelector('li[aria-current=true] span').textContent") == title
            page.evaluate(f"() => {{ const a = {INNER_AUDIO}; a.currentTime = Math.max(0, a.duration - 0.3); }}")
        wait_for(page, f"{INNER_AUDIO}.ended")
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.locator("audiogen-playlist").screenshot(path=str(OUTPUT / "playlist.png"))
        # skipped: the next one plays at once
        page.locator("audiogen-playlist li button.item").first.click()
        wait_for(page, f"!{INNER_AUDIO}.paused && {INNER}.titleText.textContent == 'Rain returns'")
        page.locator("audiogen-playlist button.skip-next").click()
        wait_for(page, f"!{INNER_AUDIO}.paused && {INNER}.titleText.textContent == 'Harbor reopens'")
        # a section only, at most one episode
        page.evaluate(
            "() => { const p = document.querySelector('audiogen-playlist'); p.setAttribute('section', 'Weather'); }"
        )
        wait_for(page, f"{PLAYLIST}.querySelectorAll('li').length == 1")
        # an episode whose audio is gone: marked, skipped, the list goes on
        page.evaluate(
            "() => { const p = document.querySelector('audiogen-playlist'); p.removeAttribute('section');"
            " p.setAttribute('src', 'feed-missing.xml'); }"
        )
        wait_for(page, f"{PLAYLIST}.querySelectorAll('li').length == 3")
        wait_for(page, "document.querySelector('audiogen-playlist').items[1].audio.endsWith('gone.mp3')")
        page.locator("audiogen-playlist li button.item").nth(1).click()
        wait_for(page, f"{PLAYLIST}.querySelector('.problem')")
        wait_for(page, f"!{INNER_AUDIO}.paused && {INNER}.titleText.textContent == 'Rain returns'")
        # not a feed, no feed: one line in the list, no console error
        (episodes / "nonsense.xml").write_text("<html><body>hello</body></html>")
        page.evaluate("() => document.querySelector('audiogen-playlist').setAttribute('src', 'nonsense.xml')")
        wait_for(page, f"{PLAYLIST}.querySelector('.status').textContent == 'This is not a podcast feed.'")
        page.evaluate("() => document.querySelector('audiogen-playlist').setAttribute('src', 'nowhere.xml')")
        wait_for(
            page, f"{PLAYLIST}.querySelector('.status').textContent == 'The list of episodes could not be loaded.'"
        )
        assert not errors


def test_the_article_player_offers_the_next_episode_and_counts_down(episodes: Path, new_page: Any) -> None:
    with serve(episodes) as (base, _):
        _feed(episodes, base)
        (episodes / "article.html").write_text(
            '<!DOCTYPE html><html lang="en"><head><title>A</title>'
            f'<script type="module" src="{PLAYER_FILE}"></script></head><body>'
            '<audiogen-player src="ep0.mp3" timings="ep0.json" feed="feed.xml" autoplay-next></audiogen-player>'
            "</body></html>"
        )
        page = new_page()
        page.goto(f"{base}/article.html")
        wait_for(page, f"{SHADOW} && {SHADOW}.querySelectorAll('.transcript button').length > 0")
        play_and_wait(page, 0.1)
        wait_for(page, f"Number.isFinite({AUDIO}.duration)")
        page.evaluate(f"() => {{ {AUDIO}.currentTime = {AUDIO}.duration - 0.2; }}")
        wait_for(page, f"{SHADOW}.querySelector('.up-next')")
        assert "Up next: Market <b>moves</b> & more" in js(page, f"{SHADOW}.querySelector('.up-next').textContent")
        wait_for(page, f"{SHADOW}.querySelector('.up-next .count').textContent.startsWith('Next episode in')")
        page.locator("audiogen-player .up-next button:text-is('Cancel')").click()  # cancelled: stays
        page.wait_for_timeout(5500)
        assert js(page, f"{PLAYER}.getAttribute('src')").endswith("ep0.mp3")
        page.locator("audiogen-player .up-next button.next").click()  # or chosen at once
        wait_for(page, f"{PLAYER}.getAttribute('src').endsWith('ep1.mp3') && !{AUDIO}.paused")


def test_embed_writes_a_playlist_and_refuses_what_is_not_a_feed(episodes: Path, tmp_path: Path) -> None:
    _feed(episodes, "https://audio.news.example")
    out = tmp_path / "web"
    result = CliRunner().invoke(
        main, ["embed", "--playlist", str(episodes / "feed.xml"), "-o", str(out), "--demo", "--max", "5"]
    )
    assert result.exit_code == 0, result.output
    assert '<audiogen-playlist src="feed.xml" max="5"></audiogen-playlist>' in result.output
    assert (out / PLAYER_FILE).is_file() and (out / "feed.xml").is_file() and (out / "playlist.demo.html").is_file()
    url = CliRunner().invoke(main, ["embed", "--playlist", "https://audio.news.example/feed.xml", "-o", str(out), "-q"])
    assert url.exit_code == 0 and 'src="https://audio.news.example/feed.xml"' in url.output
    (tmp_path / "page.html").write_text("<html><body>not a feed</body></html>")
    refused = CliRunner().invoke(main, ["embed", "--playlist", str(tmp_path / "page.html"), "-o", str(out)])
    assert refused.exit_code != 0 and "is not a podcast feed" in refused.output and "Traceback" not in refused.output
    assert CliRunner().invoke(main, ["embed", "--playlist", str(tmp_path / "none.xml"), "-o", str(out)]).exit_code != 0


PUNCTUATION = ".,;:!?\"'\u201c\u201d"


def test_the_word_being_said_is_highlighted_within_150_ms(site: Path, tmp_path: Path, new_page: Any) -> None:
    # the seed narration's timings with each sentence's words timed (as Piper and Kokoro give them)
    folder = tmp_path / "words"
    shutil.copytree(site, folder)
    data = timings(folder)
    for part in data["segments"]:
        for sentence in part["sentences"]:
            words = sentence["text"].split()
            span = (sentence["end_ms"] - sentence["start_ms"]) / max(1, len(words))
            sentence["words"] = [
                {
                    "start_ms": round(sentence["start_ms"] + i * span),
                    "end_ms": round(sentence["start_ms"] + (i + 1) * span),
                    "text": w,
                }
                for i, w in enumerate(words)
            ]
    (folder / "article.json").write_text(json.dumps(data), encoding="utf-8")
    timed = [
        (w["start_ms"] / 1000, w["end_ms"] / 1000, w["text"])
        for p in data["segments"]
        for s in p["sentences"]
        for w in s["words"]
    ]
    with serve(folder) as (base, _):
        page = new_page()
        page.goto(f"{base}/article.demo.html")
        ready(page)
        page.locator("audiogen-player button:text-is('Transcript')").click()
        page.locator("audiogen-player button:text-is('Follow along')").click()
        page.locator("audiogen-player .transcript button[data-cue='5']").click()  # into the article's body
        wait_for(page, f"!{AUDIO}.paused && {AUDIO}.currentTime > 0")
        misses: list[Any] = []
        on_page = 0
        for _ in range(12):
            page.wait_for_timeout(170)
            now, shown, marked = page.evaluate(
                f"""() => [{AUDIO}.currentTime,
                    ({SHADOW}.querySelector('.word-now') || {{}}).textContent || null,
                    CSS.highlights.has('audiogen-word') ? String(CSS.highlights.get('audiogen-word').values().next().value) : null]"""
            )
            # the word said within the last 150 ms (or the last one said, held through a pause)
            said = {t.strip(PUNCTUATION) for start, end, t in timed if start <= now + 0.02 and end >= now - 0.15}
            held = {t.strip(PUNCTUATION) for start, end, t in timed if now - 0.4 <= end <= now}
            just_begun = all(start > now - 0.15 for start, end, t in timed if start <= now + 0.02 and end >= now - 0.15)
            on_page += marked is not None
            for where, word in (("transcript", shown), ("page", marked)):
                if word is None:
                    if said and not just_begun and where == "transcript":
                        misses.append((round(now, 2), where, None, sorted(said)))
                elif word.strip(PUNCTUATION) not in said | held:
                    misses.append((round(now, 2), where, word, sorted(said)))
        assert not misses, misses
        assert on_page >= 6  # the word is marked in the article on the page too


def test_a_feed_of_ten_thousand_items_shows_max_and_a_full_storage_is_quiet(episodes: Path, new_page: Any) -> None:
    with serve(episodes) as (base, _):
        data = json.loads((episodes / "ep0.json").read_text())
        item = (
            '<item><title>Story {n}</title><guid>g{n}</guid><enclosure url="{base}/ep0.mp3" length="1"'
            ' type="audio/mpeg"/><itunes:duration>{d}</itunes:duration></item>'
        )
        items = "".join(item.format(n=n, base=base, d=round(data["duration_ms"] / 1000)) for n in range(10_000))
        (episodes / "big.xml").write_text(
            '<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
            f"<channel><title>Big</title>{items}</channel></rss>"
        )
        (episodes / "big.html").write_text(
            f'<!DOCTYPE html><html lang="en"><head><title>Big</title><script type="module" src="{PLAYER_FILE}"></script>'
            '</head><body><audiogen-playlist src="big.xml"></audiogen-playlist>'
            '<audiogen-playlist src="big.xml" max="3"></audiogen-playlist></body></html>'
        )
        page = new_page()
        # storage that is full: every write refused
        page.add_init_script(
            "Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };"
        )
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{base}/big.html")
        lists = "document.querySelectorAll('audiogen-playlist')"
        wait_for(page, f"{lists}[0].shadowRoot.querySelectorAll('li').length == 20")
        wait_for(page, f"{lists}[1].shadowRoot.querySelectorAll('li').length == 3")
        page.locator("audiogen-playlist li button.item").first.click()  # still answers at once
        first = f"{lists}[0].shadowRoot.querySelector('audiogen-player')"
        wait_for(page, f"!{first}.audio.paused")
        # a place worth keeping (20 s in, 30 s heard) meets the full storage: nothing is said
        page.evaluate(
            f"() => {{ const p = {first}; p.heard = 30;"
            " Object.defineProperty(p.audio, 'currentTime', {get: () => 20, configurable: true}); p.keepPosition(true); }"
        )
        page.evaluate(f"() => {first}.audio.pause()")
        page.wait_for_timeout(300)
        assert not problems, problems
