"""Run a backend in a worker process, so that a crash or a hang is an error, not our end.

Piper and espeak-ng crash when loaded into one process, and pyttsx3 can hang in
``runAndWait``; each backend therefore lives in a spawned process of its own. The
caller streams sentences to it and waits for each clip with a timeout; a worker that
dies or stops answering is killed, replaced, and the sentences it still owed are sent
to the new one (``retries`` times) before a ``BackendError`` is raised.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np

from audiogen import errors
from audiogen.article import Clip
from audiogen.backends.base import SynthesisOptions, VoiceInfo

log = logging.getLogger("audiogen")

DEFAULT_TIMEOUT = 60.0
DEFAULT_START_TIMEOUT = 180.0


class EngineWorker:
    """One backend, in its own process. Use as a context manager."""

    def __init__(
        self,
        engine: str,
        target: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        start_timeout: float = DEFAULT_START_TIMEOUT,
        retries: int = 1,
        voice: str = "",
    ) -> None:
        self.engine = engine
        self.voice = voice
        self.target = target
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.retries = retries
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._ready = False

    # -- life cycle ---------------------------------------------------------------

    def start(self) -> EngineWorker:
        """Start the process without waiting for the engine to load."""
        if self._process is None:
            context = multiprocessing.get_context("spawn")
            parent_conn, child_conn = context.Pipe()
            process = context.Process(
                target=_serve, args=(child_conn, self.target, self.voice), name=f"audiogen-{self.engine}", daemon=True
            )
            process.start()
            child_conn.close()
            self._process, self._conn, self._ready = process, parent_conn, False
            log.debug("started %s worker, pid %s", self.engine, process.pid)
        return self

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def close(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        self._ready = False
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(("close",))
        if process is not None:
            process.join(2.0)
            if process.is_alive():
                process.kill()
                process.join(2.0)
        if conn is not None:
            conn.close()

    def __enter__(self) -> EngineWorker:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- requests -----------------------------------------------------------------

    def voices(self) -> list[VoiceInfo]:
        self._send(("voices",))
        reply = self._receive(self.timeout, "listing voices")
        return [VoiceInfo(**v) for v in reply[1]]

    def synthesize(self, sentences: Iterable[str], options: SynthesisOptions) -> Iterator[Clip]:
        """Yield one clip per sentence; replace a dead or hung worker ``retries`` times."""
        pending = list(sentences)
        failures = 0
        try:
            while pending:
                self._send(("synth", pending, asdict(options)))
                try:
                    while pending:
                        reply = self._receive(self.timeout, f"speaking “{_preview(pending[0])}”")
                        samples = np.frombuffer(reply[1], dtype=np.int16)
                        yield Clip(samples=samples, sample_rate=reply[2], text=pending.pop(0))
                except errors.BackendError as exc:
                    if not getattr(exc, "worker_lost", False) or failures >= self.retries:
                        raise
                    failures += 1
                    log.warning("%s; starting a new %s worker", exc, self.engine)
                    self.start()
        finally:
            if pending and self._process is not None:
                # Left early: the worker may still be sending clips nobody will read.
                self._process.kill()
                self.close()

    def _send(self, message: tuple[Any, ...]) -> None:
        self.start()
        assert self._conn is not None
        if not self._ready:
            self._receive(self.start_timeout, "starting")
            self._ready = True
            assert self._conn is not None
        try:
            self._conn.send(message)
        except (OSError, ValueError):
            raise self._lost("stopped unexpectedly") from None

    def _receive(self, timeout: float, doing: str) -> tuple[Any, ...]:
        assert self._process is not None and self._conn is not None
        conn, process = self._conn, self._process
        ready = wait([conn, process.sentinel], timeout)
        if conn in ready or conn.poll():
            try:
                reply: tuple[Any, ...] = conn.recv()
            except (EOFError, OSError):
                raise self._lost(f"crashed while {doing}") from None
        elif process.sentinel in ready:
            raise self._lost(f"crashed while {doing} (exit code {process.exitcode})")
        else:
            raise self._lost(f"did not answer within {timeout:g} s while {doing}")
        if reply[0] == "error":
            kind = getattr(errors, reply[1], None)
            if not (isinstance(kind, type) and issubclass(kind, errors.AudiogenError)):
                kind = errors.BackendError
            raise kind(reply[2], hint=reply[3])
        return reply

    def _lost(self, what: str) -> errors.BackendError:
        """Kill the worker and describe what happened to it."""
        if self._process is not None:
            self._process.kill()
        self.close()
        error = errors.BackendError(
            f"the {self.engine} speech engine {what}",
            hint="try again; if it keeps failing, try another voice (--voice) or --timeout",
        )
        error.worker_lost = True  # type: ignore[attr-defined]
        return error


def _preview(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _serve(conn: Connection, target: str, voice: str = "") -> None:
    """The worker process: load the backend, then answer requests until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the caller decides when we stop
    # Engines print (pyttsx3 announces every saved file); our stdout may carry audio.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    from audiogen.backends.registry import load_class

    try:
        backend = load_class(target)()
        if voice:
            backend.prepare(voice)
    except Exception as exc:
        _send_error(conn, exc)
        return
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if message[0] == "close":
                return
            if message[0] == "voices":
                conn.send(("voices", [asdict(v) for v in backend.voices()]))
            elif message[0] == "synth":
                options = SynthesisOptions(**message[2])
                for clip in backend.synthesize(message[1], options):
                    conn.send(("clip", np.ascontiguousarray(clip.samples, dtype=np.int16).tobytes(), clip.sample_rate))
        except Exception as exc:
            _send_error(conn, exc)


def _send_error(conn: Connection, exc: BaseException) -> None:
    if isinstance(exc, errors.AudiogenError):
        conn.send(("error", type(exc).__name__, exc.message, exc.hint))
    else:
        conn.send(("error", "BackendError", f"speech engine error: {type(exc).__name__}: {exc}", None))
