from __future__ import annotations

import contextlib
import http.server
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from audiogen.backends import registry

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SEED_PAGE = SAMPLES / "kyiv-independent-macron-defense-plan.html"


@pytest.fixture(autouse=True)
def clip_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets an empty clip cache of its own, never the user's."""
    folder = tmp_path_factory.mktemp("clip-cache")
    monkeypatch.setenv("AUDIOGEN_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def fake_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Register the fake engine; yields the voice spec to use with it."""
    registry.register("fake", "fake_engines:FakeBackend")
    monkeypatch.setenv("AUDIOGEN_FAKE_STATE", str(tmp_path / "fake-state"))
    yield "fake:tone"
    registry.unregister("fake")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A service's data folder (not made yet), with the fake engine's state beside it."""
    monkeypatch.setenv("AUDIOGEN_FAKE_STATE", str(tmp_path / "fake-state"))
    return tmp_path / "data"


@pytest.fixture
def server(data: Path) -> Iterator[tuple[Any, Any]]:
    """``audiogen serve`` on ``data`` with the fake engine, and an API client with a key."""
    import httpx
    from test_serve import Server, make_key

    key = make_key(data)
    running = Server(data).start()
    with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        try:
            yield running, client
        finally:
            running.kill()


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def do_GET(self) -> None:
        status, content_type, body = self.routes.get(self.path, (404, "text/html", b"<h1>Not found</h1>"))
        if status in (301, 302):
            self.send_response(status)
            self.send_header("Location", body.decode())
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[tuple[str, dict[str, tuple[int, str, bytes]]]]:
    """A server on 127.0.0.1; add routes as path → (status, content type, body)."""
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", routes
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def end_session(process: subprocess.Popen[Any]) -> None:
    """Kill a process started with ``start_new_session=True`` and everything it started
    (a batch's pool, engines), whether or not it is still running."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from browser import CHROMIUM_FLAGS, chromium_path
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    contexts = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()
