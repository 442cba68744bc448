"""The ``audiogen`` command: parses options, calls the library, reports.

The only package that prints, shows progress or chooses an exit code. The group is
here; each command lives in a module by what it is for, and the options and error
reporting they share in ``options``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn

import click

from audiogen import __version__
from audiogen.cli.convert import convert
from audiogen.cli.inspect import cache, extract, script, voices
from audiogen.cli.proof import proof
from audiogen.cli.publish import batch, embed, feed
from audiogen.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audiogen")
def main() -> None:
    """Turn written articles into narrated audio, marked as made with AI assistance."""


for command in (convert, extract, script, voices, cache, batch, feed, embed, proof, serve):
    main.add_command(command)


def run() -> NoReturn:
    """The command as a program (the ``audiogen`` script, ``python -m audiogen``): ``main``,
    then the process ends once its output is flushed, its exit handlers have run (logging,
    temporary folders, child processes) and no other thread is left, without the
    interpreter's own teardown, which frees every module and object one by one: 0.09 to
    0.15 s, a tenth of a re-narration from the cache. An exception other than an exit
    goes the usual way (its traceback, then the usual teardown)."""
    code: str | int | None = 0
    try:
        main()
    except SystemExit as done:
        code = done.code
    others = [thread for thread in threading.enumerate() if thread is not threading.main_thread()]
    if any(thread.is_alive() and not thread.daemon for thread in others):
        sys.exit(code)  # (a thread still working: the interpreter waits for it, as it would)
    if code is None or isinstance(code, int):
        status = code or 0
    else:
        print(code, file=sys.stderr)  # (what ``sys.exit`` does with a message)
        status = 1
    atexit._run_exitfuncs()  # (CPython's own first step at exit, before the teardown skipped here)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing more to say
            stream.flush()
    os._exit(status)
