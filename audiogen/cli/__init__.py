"""The ``audiogen`` command: parses options, calls the library, reports.

The only package that prints, shows progress or chooses an exit code. The group is
here; each command lives in a module by what it is for, and the options and error
reporting they share in ``options``.
"""

from __future__ import annotations

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
