"""Helpers for the player's tests in a real browser: a static file server on 127.0.0.1
that answers HTTP Range requests (Chromium seeks audio with them) and records what was
asked for, and the way to start Debian's Chromium under Playwright."""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

TOOLS = Path(__file__).resolve().parent / ".tools"
AXE = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--no-sandbox",  # the tests run as root here
    "--autoplay-policy=no-user-gesture-required",  # for the tests only: the player never autoplays
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".mp3": "audio/mpeg",
    ".png": "image/png",
}


def chromium_path() -> str:
    found = os.environ.get("AUDIOGEN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise RuntimeError("Chromium is not installed: run tests/setup.sh (Debian's chromium package)")
    return found


class _Handler(http.server.BaseHTTPRequestHandler):
    root: ClassVar[Path]
    headers_for_html: ClassVar[dict[str, str]]
    requests: ClassVar[list[str]]

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.requests.append(path)
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_file() or self.root not in target.parents:
            self.send_error(404)
            return
        data = target.read_bytes()
        kind = _TYPES.get(target.suffix, "application/octet-stream")
        wanted = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        start, end = 0, len(data) - 1
        if wanted and (wanted.group(1) or wanted.group(2)):
            if wanted.group(1):
                start = int(wanted.group(1))
                end = int(wanted.group(2)) if wanted.group(2) else end
            else:
                start = max(len(data) - int(wanted.group(2)), 0)
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.end_headers()
                return
            end = min(end, len(data) - 1)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Cache-Control", "no-store")
        if target.suffix == ".html":
            for name, value in self.headers_for_html.items():
                self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the browser had what it wanted
            self.wfile.write(data[start : end + 1])

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path, html_headers: dict[str, str] | None = None) -> Iterator[tuple[str, list[str]]]:
    """Serve ``root`` on 127.0.0.1; yields the base URL and the list of paths requested."""
    requests: list[str] = []
    handler = type(
        "Handler", (_Handler,), {"root": root.resolve(), "headers_for_html": html_headers or {}, "requests": requests}
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
