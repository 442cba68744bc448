"""Run a backend in a process of its own, so that a crash or a hang is an error, not our end.

Piper and espeak-ng crash when loaded into one process, and pyttsx3 can hang in
``runAndWait``; each backend therefore lives in a child process started with
``python -c`` running :func:`serve` (see ``_SERVE``). The caller streams sentences to it and waits
for each clip with a timeout; a worker that dies or stops answering is killed, replaced,
and the sentences it still owed are sent to the new one (``retries`` times) before a
``BackendError`` is raised.

The child is a fresh interpreter rather than a ``multiprocessing`` process: that way it
never re-runs the caller's main script (a library user's script without an
``if __name__ == "__main__"`` guard would otherwise start narrating again inside it).
Messages are length-prefixed pickles over the child's stdin and stdout; a reader thread
turns the stdout into a queue, so waiting with a timeout works on every platform.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import IO, Any

from audiogen import errors
from audiogen.article import Clip
from audiogen.backends.base import SynthesisOptions, VoiceInfo

log = logging.getLogger("audiogen")

DEFAULT_TIMEOUT = 60.0
DEFAULT_START_TIMEOUT = 180.0
_HEADER = struct.Struct("<I")
_EOF = ("eof",)
# Run as a script body rather than ``-m``: the package imports this module first, and
# runpy would warn that it is loaded twice.
_SERVE = "import sys; from audiogen.backends.worker import serve; serve(*sys.argv[1:])"


def _write_message(stream: IO[bytes], message: tuple[Any, ...]) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_message(stream: IO[bytes]) -> tuple[Any, ...] | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    message: tuple[Any, ...] = pickle.loads(data)
    return message


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
        self._process: subprocess.Popen[bytes] | None = None
        self._replies: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self._ready = False
        self._closing = threading.Lock()

    # -- life cycle ---------------------------------------------------------------

    def start(self) -> EngineWorker:
        """Start the process without waiting for the engine to load."""
        if self._process is None:
            env = dict(os.environ)
            # The child imports what this process can import (plugins, tests' engines).
            env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
            process = subprocess.Popen(
                [sys.executable, "-c", _SERVE, self.target, self.voice],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=None if log.isEnabledFor(logging.DEBUG) else subprocess.DEVNULL,
                env=env,
            )
            replies: queue.Queue[tuple[Any, ...]] = queue.Queue()
            assert process.stdout is not None
            threading.Thread(target=_pump, args=(process.stdout, replies), daemon=True).start()
            self._process, self._replies, self._ready = process, replies, False
            log.debug("started %s worker, pid %s", self.engine, process.pid)
        return self

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def close(self) -> None:
        with self._closing:  # the command line closes from a thread of its own too
            process = self._process
            ready = self._ready
            self._process = None
            self._ready = False
        if process is None:
            return
        if not ready:
            # Still loading its voice (or never asked for anything): nothing to finish.
            process.kill()
        try:
            assert process.stdin is not None
            _write_message(process.stdin, ("close",))
            process.wait(2.0)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            process.kill()
            process.wait(5.0)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

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
        """One clip per sentence; a dead or hung worker is replaced ``retries`` times.

        The request goes out at once (the engine starts speaking while the caller does
        other work, even while its voice is still loading); the clips come as the
        returned iterator is read."""
        pending = list(sentences)
        if pending:
            self._send(("synth", pending, asdict(options)))
        return self._clips(pending, options)

    def _clips(self, pending: list[str], options: SynthesisOptions) -> Iterator[Clip]:
        failures = 0
        sent = True
        try:
            while pending:
                if not sent:
                    self._send(("synth", pending, asdict(options)))
                sent = False
                try:
                    while pending:
                        reply = self._receive(self.timeout, f"speaking “{_preview(pending[0])}”")
                        import numpy as np  # here, not at the top: the caller starts workers before it needs numpy

                        samples = np.frombuffer(reply[1], dtype=np.int16)
                        words = tuple(tuple(w) for w in reply[3]) if len(reply) > 3 else ()
                        yield Clip(
                            samples=samples,
                            sample_rate=reply[2],
                            text=pending.pop(0),
                            words=words,
                            source=f"{self.engine}:{self.voice}",
                        )
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
        """Write a request; a worker still loading its voice reads it when ready."""
        self.start()
        assert self._process is not None and self._process.stdin is not None
        try:
            _write_message(self._process.stdin, message)
        except (OSError, ValueError):
            raise self._lost("stopped unexpectedly") from None

    def _receive(self, timeout: float, doing: str) -> tuple[Any, ...]:
        assert self._process is not None
        while True:
            wait = timeout if self._ready else max(timeout, self.start_timeout)
            try:
                reply = _get(self._replies, wait)
            except queue.Empty:
                raise self._lost(
                    f"did not answer within {wait:g} s while {doing if self._ready else 'starting'}"
                ) from None
            if reply[0] != "ready":
                break
            self._ready = True
        if reply == _EOF:
            code = self._process.wait(5.0)
            raise self._lost(f"crashed while {doing} (exit code {code})")
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
            hint="try again; if it keeps failing, try another voice (--voice) or a longer --timeout",
        )
        error.worker_lost = True  # type: ignore[attr-defined]
        return error


def _pump(stream: IO[bytes], replies: queue.Queue[tuple[Any, ...]]) -> None:
    """Reader thread: the worker's messages into a queue, then ``_EOF`` when it ends."""
    try:
        while (message := _read_message(stream)) is not None:
            replies.put(message)
    except (OSError, ValueError, pickle.UnpicklingError):
        pass
    replies.put(_EOF)


def _preview(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- the worker process ---------------------------------------------------------------


def end_with_parent(interval: float = 1.0) -> None:
    """End this process when the one that started it is gone (a service killed with
    SIGKILL cannot end its workers itself): a thread watches the parent's id change."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="audiogen-parent-watch", daemon=True).start()


def serve(target: str, voice: str = "") -> None:
    """Load the backend, then answer requests on stdin/stdout until told to stop."""
    end_with_parent()
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the caller decides when we stop
    # Our stdout is the message channel; engines print (pyttsx3 announces every file it
    # saves), so fd 1 is pointed at the null device and the channel keeps a copy.
    channel = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    requests = sys.stdin.buffer
    from audiogen.backends.registry import load_class

    try:
        backend = load_class(target)()
        if voice:
            backend.prepare(voice)
    except Exception as exc:
        _send_error(channel, exc)
        return
    _write_message(channel, ("ready",))
    while (message := _read_message(requests)) is not None:
        try:
            if message[0] == "close":
                # The backend's own clean-up runs, then the process ends without the
                # interpreter's teardown: a tenth of a second of a core otherwise, taken
                # just when the caller is finishing the narration.
                del backend
                channel.flush()
                os._exit(0)
            if message[0] == "voices":
                _write_message(channel, ("voices", [asdict(v) for v in backend.voices()]))
            elif message[0] == "synth":
                options = SynthesisOptions(**message[2])
                for clip in backend.synthesize(message[1], options):
                    audio = clip.samples.astype("<i2", copy=False).tobytes()
                    _write_message(channel, ("clip", audio, clip.sample_rate, list(clip.words)))
        except Exception as exc:
            _send_error(channel, exc)


def _send_error(channel: IO[bytes], exc: BaseException) -> None:
    if isinstance(exc, errors.AudiogenError):
        _write_message(channel, ("error", type(exc).__name__, exc.message, exc.hint))
    else:
        message = f"speech engine error: {type(exc).__name__}: {exc}"
        _write_message(channel, ("error", "BackendError", message, None))


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")


#: the longest a thread waits at once for a reply: a signal the kernel hands to another
#: thread (SIGTERM under load) is acted on only when the main thread next wakes up
_WAKE_S = 0.2


def _get(replies: queue.Queue[tuple[Any, ...]], timeout: float) -> tuple[Any, ...]:
    """The next reply, waiting at most ``timeout`` seconds in short slices so that
    Ctrl-C and SIGTERM stop a wait for an engine that hangs at once; ``queue.Empty``
    when none came."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise queue.Empty
        try:
            return replies.get(timeout=min(left, _WAKE_S))
        except queue.Empty:
            continue
