from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from audio_checks import decode
from click.testing import CliRunner
from conftest import SAMPLES, SEED_PAGE, end_session

from audiogen.cli import main
from audiogen.conversion import slugify

SEED_SLUG = "europe-needs-massive-defense-plan-us-cant-be-weak-with-putin-macron-says"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_slugify() -> None:
    assert (
        slugify("Europe needs 'massive defense plan,' US can't be 'weak'")
        == "europe-needs-massive-defense-plan-us-cant-be-weak"
    )
    assert slugify("Київ") == "narration"
    assert slugify("Café  déjà vu!") == "cafe-deja-vu"


def test_convert_writes_the_slug_named_mp3_with_sidecars(runner: CliRunner, fake_engine: str, tmp_path: Path) -> None:
    result = runner.invoke(main, ["convert", str(SEED_PAGE), "--voice", fake_engine])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("fake")) == [
        f"{SEED_SLUG}.chapters.json",
        f"{SEED_SLUG}.json",
        f"{SEED_SLUG}.mp3",
        f"{SEED_SLUG}.vtt",
    ]
    assert result.stdout == ""
    assert result.stderr.startswith(f"Wrote {SEED_SLUG}.mp3 (")
    assert decode(tmp_path / f"{SEED_SLUG}.mp3").size > 0


def test_convert_options(runner: CliRunner, fake_engine: str, tmp_path: Path) -> None:
    result = runner.invoke(
        main,
        [
            "convert",
            str(SAMPLES / "night-ferry.txt"),
            "-o",
            "ferry.ogg",
            "--voice",
            fake_engine,
            "--notice-text",
            "A synthetic voice reads this.",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    timings = json.loads((tmp_path / "ferry.json").read_text())
    assert timings["mime_type"] == "audio/ogg"
    assert timings["segments"][0]["sentences"][0]["text"] == "A synthetic voice reads this."
    result = runner.invoke(
        main,
        ["convert", str(SAMPLES / "night-ferry.txt"), "-o", "plain.mp3", "--no-notice"],
        env={"AUDIOGEN_VOICE": fake_engine},
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "plain.json").read_text())["segments"][0]["kind"] == "title"


def test_convert_reads_stdin_and_writes_stdout(runner: CliRunner, fake_engine: str, tmp_path: Path) -> None:
    markdown = (SAMPLES / "community-garden.md").read_bytes()
    result = runner.invoke(main, ["convert", "-", "-o", "-", "--voice", fake_engine], input=markdown)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes[:3] == b"ID3"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("fake")] == []


def test_convert_from_a_url(runner: CliRunner, fake_engine: str, web_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, routes = web_server
    routes["/news/macron"] = (200, "text/html; charset=utf-8", SEED_PAGE.read_bytes())
    result = runner.invoke(
        main, ["convert", f"{base}/news/macron", "-o", "url.mp3", "--voice", fake_engine, "--allow-private"]
    )
    assert result.exit_code == 0, result.output
    cues = json.loads((tmp_path / "url.json").read_text())["segments"]
    assert cues[2]["sentences"][0]["text"].startswith('Europe needs a "massive defense plan"')


def _error_cases(tmp_path: Path, base: str, routes: dict) -> list[tuple[list[str], str]]:  # type: ignore[type-arg]
    (tmp_path / "empty.html").write_text("\n")
    (tmp_path / "nav.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    (tmp_path / "photo.html").write_bytes(b"\xff\xd8\xff\xe0" + bytes(200))
    (tmp_path / "noise.txt").write_bytes(bytes(range(1, 9)) * 3 + b"\x00\x00")
    (tmp_path / "garbled.txt").write_bytes(bytes((i * 37) % 128 + 128 for i in range(3000)))
    routes["/gone"] = (404, "text/html", b"<h1>Not found</h1>")
    routes["/picture"] = (200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64))
    routes["/paper"] = (200, "application/pdf", b"%PDF-1.4\n")
    closed_port = "http://127.0.0.1:9/article"
    return [
        (["missing.html"], "Error: no such file: missing.html"),
        (["empty.html"], "Error: empty.html is empty"),
        (["nav.html"], "Error: no article text found in nav.html"),
        (["scan.pdf"], "Error: scan.pdf is a PDF document, not an article"),
        (["photo.html"], "Error: photo.html is a JPEG image, not an article"),
        (["noise.txt"], "Error: noise.txt is binary data, not an article"),
        (["garbled.txt"], "Error: cannot tell the text encoding of garbled.txt"),
        ([f"{base}/gone", "--allow-private"], "Error: HTTP 404"),
        ([f"{base}/picture", "--allow-private"], "Error: "),
        ([f"{base}/paper", "--allow-private"], "Error: "),
        ([closed_port, "--allow-private"], "Error: cannot reach"),
        ([f"{base}/gone"], "Error: "),  # a private address, refused without --allow-private
        (["ftp://example.org/a.html"], "Error: "),
        ([str(SEED_PAGE), "--voice", "nobody"], "Error: unknown voice 'nobody'"),
        ([str(SEED_PAGE), "--voice", "nosuch:engine"], "Error: unknown speech engine 'nosuch'"),
        ([str(SEED_PAGE), "--voice", "pyttsx3:no-such-voice"], "Error: no pyttsx3 voice 'no-such-voice'"),
        (
            [str(SEED_PAGE), "-o", "missing-dir/out.mp3", "--voice", "fake:tone"],
            "Error: cannot write missing-dir/out.mp3",
        ),
        ([str(SEED_PAGE), "-o", "out.xyz", "--voice", "fake:tone"], "Error: unknown audio format 'xyz'"),
    ]


def test_bad_input_is_one_line_exit_1_and_no_output(
    runner: CliRunner, fake_engine: str, web_server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    base, routes = web_server
    for args, message in _error_cases(tmp_path, base, routes):
        before = set(os.listdir(tmp_path))
        result = runner.invoke(main, ["convert", *args])
        assert result.exit_code == 1, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (args, result.stderr)
        assert lines[0].startswith(message), (args, lines[0])
        assert "Traceback" not in result.output
        assert set(os.listdir(tmp_path)) == before, args


def test_usage_errors_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(main, ["convert"]).exit_code == 2
    assert runner.invoke(main, ["convert", "x.html", "--format", "aiff"]).exit_code == 2
    assert runner.invoke(main, ["convert", str(SEED_PAGE), "--notice-text", " "]).exit_code == 2


def test_extract_and_script_commands(runner: CliRunner) -> None:
    result = runner.invoke(main, ["extract", str(SAMPLES / "community-garden.md")])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "title: A Parking Lot Becomes the Town's Busiest Garden"
    assert "[h2] How the beds are shared" in lines
    assert "[item 1] Water your bed at least twice a week, or ask a neighbour to." in lines
    result = runner.invoke(main, ["script", str(SEED_PAGE), "--voice", "joe"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "This audio was generated with A-I assistance.  [900 ms]"
    assert "on February twentieth." in result.stdout
    assert "[[ mɑːkɹˈoʊn ]]" in result.stdout  # Piper gets the lexicon's phonemes
    data = json.loads(runner.invoke(main, ["script", str(SEED_PAGE), "--json", "--no-notice"]).stdout)
    assert data["parts"][0]["kind"] == "title"


def test_voices_lists_presets_and_engines(runner: CliRunner, fake_engine: str) -> None:
    result = runner.invoke(main, ["voices"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "joe " in out and "piper:en_US-joe-medium" in out and "(default)" in out
    assert "espeak" in out
    assert "Engine piper (1 voices" in out or "Engine piper (" in out
    assert "  en_US-joe-medium" in out
    assert "gmw/en-us" in out
    assert "Engine fake (1 voice; --voice fake:ID):" in out


STORY = "# Night ferry\n\nThe ferry made its last crossing. The captain waved.\n\nThe island slept.\n"


def test_a_killed_writers_parts_are_cleared_by_the_next_run(
    runner: CliRunner, fake_engine: str, tmp_path: Path
) -> None:
    (tmp_path / "story.md").write_text(STORY)
    dead = tmp_path / ".out.mp3.999999999-abcd1234.part"  # no such process
    live = tmp_path / f".out.vtt.{os.getpid()}-abcd1234.part"  # a writer still at work
    old = tmp_path / ".out.json.abcd1234.part"  # an older version's name, long abandoned
    recent = tmp_path / ".out.json.efgh5678.part"
    for part in (dead, live, old, recent):
        part.write_bytes(b"half a file")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    result = runner.invoke(main, ["convert", "story.md", "-o", "out.mp3", "--voice", fake_engine, "-q"])
    assert result.exit_code == 0, result.output
    assert not dead.exists() and not old.exists()
    assert live.exists() and recent.exists()


SIGTERMABLE = """
import sys
from audiogen.backends import registry
registry.register("fake", "fake_engines:FakeBackend")
from audiogen.cli import main
sys.exit(main(["convert", sys.argv[1], "-o", sys.argv[2], "--voice", "fake:tone", "-q"]))
"""


def test_sigterm_stops_convert_cleanly_and_keeps_the_earlier_output(fake_engine: str, tmp_path: Path) -> None:
    import psutil

    source, out = tmp_path / "story.md", tmp_path / "out.mp3"
    source.write_text(STORY)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    command = [sys.executable, "-c", SIGTERMABLE, str(source), str(out)]
    subprocess.run(command, env=env, check=True, timeout=120)
    before = out.read_bytes()
    # narrated again, it is encoded while it is assembled: a part exists while the engine hangs
    source.write_text(STORY + "\nA sentence the engine never finishes [hang].\n")
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".out.mp3.*.part")) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert list(tmp_path.glob(".out.mp3.*.part")), "no export was under way"
        children = psutil.Process(process.pid).children(recursive=True)
        assert children  # the engine's worker
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
    finally:
        end_session(process)
    assert process.returncode == 143, errors
    assert errors.strip().splitlines() == ["Stopped; nothing more was written."]
    assert not list(tmp_path.glob(".*.part"))
    assert out.read_bytes() == before
    psutil.wait_procs(children, timeout=10)
    assert not [child for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]


LONG_STORY = (
    "# Long night\n\n"
    + "The ferry made its last crossing of the evening and the captain waved to the town. " * 40
    + "\n"
)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="simulates a full disk with /dev/full (Linux)")
def test_a_full_temporary_folder_is_one_line(
    runner: CliRunner, fake_engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "story.md").write_text(LONG_STORY)
    monkeypatch.setattr("audiogen.audio.pcm.tempfile.TemporaryFile", lambda **kwargs: open("/dev/full", "w+b"))  # noqa: SIM115
    result = runner.invoke(main, ["convert", "story.md", "-o", "out.mp3", "--voice", fake_engine])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: no space left in the temporary folder {tempfile.gettempdir()} for the narration's working audio"
        " — free some space there, or set TMPDIR to a folder with room"
    ]
    assert not list(tmp_path.glob("out*")) and not list(tmp_path.glob(".out*"))


def test_a_file_size_limit_is_one_line(fake_engine: str, tmp_path: Path) -> None:
    import resource

    (tmp_path / "story.md").write_text(LONG_STORY)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    command = [sys.executable, "-c", SIGTERMABLE, str(tmp_path / "story.md"), str(tmp_path / "out.mp3")]

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    result = subprocess.run(
        command, env=env, preexec_fn=limit, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == [
        "Error: the narration's working audio went past this shell's file size limit (ulimit -f)"
        " — raise the limit, e.g. ulimit -f unlimited"
    ]
    assert not list(tmp_path.glob("out*")) and not list(tmp_path.glob(".out*"))


_PROGRAM_EXIT = """
import atexit, sys, threading, time
from pathlib import Path
from audiogen.cli import run
marks = Path(sys.argv[1])
atexit.register(lambda: marks.joinpath("exit-handler").write_text("ran"))
if sys.argv[2] == "thread":
    def later() -> None:
        time.sleep(0.5)
        marks.joinpath("thread").write_text("done")
    threading.Thread(target=later).start()
sys.argv = ["audiogen", *sys.argv[3:]]
run()
"""


@pytest.mark.parametrize("thread", [False, True])
def test_the_program_ends_with_its_output_and_exit_handlers(tmp_path: Path, thread: bool) -> None:
    """The program skips the interpreter's teardown at the end, not what comes before it:
    all it printed (more than a pipe holds), the exit code and message, the exit handlers,
    a thread still at work."""
    article = tmp_path / "long.md"
    article.write_text("# Long\n\n" + "\n\n".join(f"Paragraph {n} says a little more. " * 40 for n in range(90)))
    command = [sys.executable, "-c", _PROGRAM_EXIT, str(tmp_path), "thread" if thread else "-"]
    done = subprocess.run([*command, "extract", str(article)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) > 100_000 and done.stdout.rstrip().endswith("Paragraph 89 says a little more.")
    assert (tmp_path / "exit-handler").read_text() == "ran"
    assert (tmp_path / "thread").exists() == thread
    (tmp_path / "exit-handler").unlink()
    failed = subprocess.run(
        [*command, "extract", str(tmp_path / "missing.md")], capture_output=True, text=True, timeout=120
    )
    assert failed.returncode == 1 and failed.stdout == ""
    assert len(failed.stderr.strip().splitlines()) == 1 and "missing.md" in failed.stderr
    assert (tmp_path / "exit-handler").read_text() == "ran"
    usage = subprocess.run([*command, "no-such-command"], capture_output=True, text=True, timeout=120)
    assert usage.returncode == 2 and "No such command" in usage.stderr
