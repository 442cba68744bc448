"""``audiogen proof`` and the ``--proof`` option of ``convert`` and ``batch``: a narration
heard back by a speech recognizer, and a report of the sentences to listen to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from audiogen.cli.options import common_options, option, reports_errors, setup_logging

if TYPE_CHECKING:
    from audiogen.proof import ProofReport

F = TypeVar("F", bound=Callable[..., Any])

#: the exit code when the narration was written but sentences are still flagged
FLAGGED_EXIT = 4
PROOF_MODES = ("report", "fix")


def proof_options(command: F) -> F:
    """``--proof[=report|fix]``, ``--asr-model``, ``--confirm-model`` and ``--proof-threshold``."""
    from audiogen.proof.listen import DEFAULT_MODEL

    command = option(
        "--proof-threshold",
        type=click.FloatRange(0.0, 1.0),
        metavar="SHARE",
        default=None,
        help="Flag a sentence when fewer of its words than this are heard right "
        "(default 0.85 with a confirming model, 0.75 without).",
    )(command)
    command = confirm_model_option(command)
    command = option(
        "--asr-model",
        default=DEFAULT_MODEL,
        show_default=True,
        metavar="MODEL",
        help="The recognizer for --proof: tiny.en (installed with audiogen[proof]) or a Whisper model folder.",
    )(command)
    command = option(
        "--proof",
        "proof",
        type=click.Choice(PROOF_MODES),
        is_flag=False,
        flag_value="report",
        default=None,
        help="Hear the narration back: 'report' (the default) writes OUT.proof.json and .html; "
        "'fix' also re-voices the sentences heard wrong. Exit code 4 when sentences stay flagged.",
    )(command)
    return command


def confirm_model_option(command: F) -> F:
    return option(
        "--confirm-model",
        default="auto",
        show_default=True,
        metavar="MODEL",
        help="The model that hears again what --asr-model flags: base, a Whisper model folder, or none "
        "('auto': base when it is installed).",
    )(command)


def print_summary(report: ProofReport, written: tuple[Path, Path] | None, quiet: bool) -> None:
    if quiet:
        return
    flagged = sorted(report.flagged, key=lambda s: s.score)
    click.echo(
        f"Proof: {report.accuracy:.1%} of words heard as written; "
        f"{len(flagged)} of {len(report.sentences)} sentences to listen to"
        + (f" (see {written[1]})" if written else ""),
        err=True,
    )
    for sentence in flagged[:10]:
        minutes, seconds = divmod(sentence.start_ms // 1000, 60)
        click.echo(
            f"  {minutes}:{seconds:02d} {sentence.score:.0%}  {sentence.meant[:70]!r} heard {sentence.heard[:60]!r}",
            err=True,
        )
    if len(flagged) > 10:
        click.echo(f"  … and {len(flagged) - 10} more", err=True)


@click.command()
@click.argument("narration", type=click.Path(dir_okay=False))
@option(
    "--asr-model",
    default="tiny.en",
    show_default=True,
    metavar="MODEL",
    help="The recognizer: tiny.en (installed with audiogen[proof]) or a Whisper model folder.",
)
@option(
    "--confirm-model",
    default="auto",
    show_default=True,
    metavar="MODEL",
    help="The model that hears again what the first flags: base (installed with audiogen[proof]), "
    "a Whisper model folder, or none ('auto': base when it is installed).",
)
@option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    metavar="SHARE",
    default=None,
    help="Flag a sentence under this share of words heard right.",
)
@option(
    "--lexicon",
    "lexicons",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The pronunciation lexicon the narration was made with: a word it got wrong is named with its rule.",
)
@common_options
@reports_errors
def proof(
    narration: str,
    asr_model: str,
    confirm_model: str,
    threshold: float | None,
    lexicons: tuple[str, ...],
    quiet: bool,
    verbose: bool,
) -> None:
    """Hear NARRATION (an audio file written by convert, its .json beside it) back with
    a speech recognizer and write NARRATION.proof.json and NARRATION.proof.html: every
    sentence scored, the ones heard wrong listed worst first. Exit code 4 when any
    sentence is flagged."""
    from audiogen.proof import Recognizer, proof_narration, write_report

    setup_logging(verbose, quiet)
    from audiogen.spoken.lexicon import sayings

    rules = sayings(lexicons)  # a lexicon that cannot be read stops before anything is heard
    recognizer = Recognizer(asr_model, confirm=confirm_model)
    report = proof_narration(narration, recognizer=recognizer, threshold=threshold, lexicon=rules)
    written = write_report(report, Path(narration))
    print_summary(report, written, quiet)
    if report.flagged:
        raise SystemExit(FLAGGED_EXIT)
