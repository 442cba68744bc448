"""Batches: episodes, the manifest, re-runs, failures, duplicates, kills, Dask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import end_session

from audiogen.cli import main
from audiogen.publish.batch import BatchOptions, run_batch
from audiogen.publish.episodes import MANIFEST

ARTICLE = """<!doctype html><html lang="en"><head><title>{title} | The Daily Example</title>
<link rel="canonical" href="{canonical}">
<meta property="og:site_name" content="The Daily Example">
<meta name="description" content="What happened with {title}.">
<meta property="article:published_time" content="2025-02-{day:02d}T08:00:00Z">
</head><body><article><h1>{title}</h1>
<p>The council of {title} met on Feb. 20 and voted 5-2 to repair the old bridge before the spring floods.</p>
<p>Residents said the crossing had been closed for 3 weeks, and that the detour added 20 minutes to every trip.</p>
<h2>What comes next</h2>
<p>Work begins in March, and the contractor expects the bridge to reopen by the end of the summer.</p>
</article></body></html>"""


def page(title: str, canonical: str, day: int = 1) -> bytes:
    return ARTICLE.format(title=title, canonical=canonical, day=day).encode()


def write_articles(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"story-{number}.md"
        path.write_text(
            f"# Story number {number}\n\nThe town of Example held its meeting number {number} today.\n\n"
            f"Everyone agreed that story {number} should be short.\n"
        )
        paths.append(path)
    return paths


def manifest(out: Path) -> dict[str, dict[str, Any]]:
    items: dict[str, dict[str, Any]] = json.loads((out / MANIFEST).read_text())["items"]
    return items


def spoken(counter: Path) -> int:
    return len(counter.read_text()) if counter.exists() else 0


@pytest.fixture
def counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "spoken-count"
    monkeypatch.setenv("AUDIOGEN_FAKE_COUNT", str(path))
    return path


def test_folder_batch_resumes_skips_and_renarrates(fake_engine: str, tmp_path: Path, counter: Path) -> None:
    articles = write_articles(tmp_path / "site", 3)
    out = tmp_path / "out"
    options = BatchOptions(voice=fake_engine)
    result = run_batch([str(tmp_path / "site")], out, options, jobs=2)
    assert (result.done, result.unchanged, result.failed) == (3, 0, [])
    records = manifest(out)
    assert len(records) == 3
    for record in records.values():
        assert record["status"] == "done" and record["error"] is None
        folder = out / record["episode"]
        assert sorted(p.name for p in folder.iterdir()) == sorted(record["files"])
        assert record["duration_ms"] > 1000
        assert record["bytes"] == (folder / record["audio"]).stat().st_size
        meta = json.loads((folder / "episode.json").read_text())
        assert meta["article"]["title"].startswith("Story number")
    first = spoken(counter)
    assert first > 0
    assert not list((out / ".audiogen" / "staging").iterdir())

    again = run_batch([str(tmp_path / "site")], out, options, jobs=2)
    assert (again.done, again.unchanged) == (0, 3)
    assert spoken(counter) == first  # nothing synthesized

    articles[1].write_text(articles[1].read_text() + "\nA third paragraph was added later.\n")
    edited = run_batch([str(tmp_path / "site")], out, options, jobs=1)
    assert (edited.done, edited.unchanged) == (1, 2)
    record = manifest(out)[str(articles[1].resolve())]
    assert record["attempts"] == 3 and not record["unchanged"]
    # only the new sentence was spoken: the rest came from the clip cache
    assert spoken(counter) == first + 1


def test_poisoned_url_fails_alone_with_exit_code_3(
    fake_engine: str,
    tmp_path: Path,
    web_server: tuple[str, dict[str, tuple[int, str, bytes]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, routes = web_server
    for number in range(3):
        routes[f"/news/{number}"] = (200, "text/html", page(f"Bridge {number}", f"{base}/news/{number}", number + 1))
    routes["/news/poison"] = (500, "text/html", b"<h1>boom</h1>")
    routes["/news/engine"] = (200, "text/html", page("Engine [fail] story", f"{base}/news/engine"))
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "# tonight's stories\n"
        + "".join(f"{base}/news/{n}\n" for n in range(3))
        + f"{base}/news/poison\n{base}/news/engine\n{base}/news/0?utm_source=x\n"
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["batch", "--urls", str(urls), "--out", "out", "--voice", fake_engine, "--allow-private", "--jobs", "2"]
    result = runner.invoke(main, args)
    assert result.exit_code == 3, result.output
    records = manifest(tmp_path / "out")
    assert sorted(r["status"] for r in records.values()) == ["done", "done", "done", "failed", "failed"]
    assert records[f"{base}/news/poison"]["error"].startswith("HTTP 500")
    assert "refused" in records[f"{base}/news/engine"]["error"]
    assert "2 failed" in result.stderr and f"{base}/news/poison" in result.stderr
    assert "Narrated 3, unchanged 0, duplicates 0, failed 2" in result.stderr

    # the next run retries what failed and skips the rest
    routes["/news/poison"] = (200, "text/html", page("Recovered", f"{base}/news/poison"))
    result = runner.invoke(main, args)
    assert result.exit_code == 3
    assert "Narrated 1, unchanged 3, duplicates 0, failed 1" in result.stderr
    assert manifest(tmp_path / "out")[f"{base}/news/poison"]["attempts"] == 2


def test_duplicates_by_canonical_url_are_narrated_once(
    fake_engine: str, tmp_path: Path, web_server: tuple[str, dict[str, tuple[int, str, bytes]]]
) -> None:
    base, routes = web_server
    routes["/story"] = (200, "text/html", page("Floods", f"{base}/story"))
    # the same article at a second address, whose page names the first as canonical
    routes["/amp/story"] = (200, "text/html", page("Floods", f"{base}/story"))
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{base}/story\n{base}/story/\n{base}/story#comments\n")
    options = BatchOptions(voice=fake_engine, allow_private=True)
    result = run_batch([f"{base}/amp/story"], tmp_path / "out", options, urls_file=str(urls), jobs=1)
    assert (result.done, result.duplicates) == (1, 1)
    records = manifest(tmp_path / "out")
    assert records[f"{base}/amp/story"]["duplicate_of"] == f"{base}/story"
    assert len([p for p in (tmp_path / "out").iterdir() if not p.name.startswith(".") and p.is_dir()]) == 1


def test_feed_entries_already_narrated_are_not_fetched_again(
    fake_engine: str, tmp_path: Path, web_server: tuple[str, dict[str, tuple[int, str, bytes]]]
) -> None:
    base, routes = web_server
    items = "".join(f"<item><title>S{n}</title><link>{base}/s/{n}</link></item>" for n in range(2))
    routes["/feed"] = (200, "application/rss+xml", f"<rss version='2.0'><channel>{items}</channel></rss>".encode())
    for number in range(2):
        routes[f"/s/{number}"] = (200, "text/html", page(f"Feed story {number}", f"{base}/s/{number}"))
    options = BatchOptions(voice=fake_engine, allow_private=True)
    assert run_batch([f"{base}/feed"], tmp_path / "out", options, jobs=1).done == 2
    routes["/s/0"] = (500, "text/html", b"gone")  # would fail if it were fetched
    again = run_batch([f"{base}/feed"], tmp_path / "out", options, jobs=1)
    assert (again.done, again.unchanged, again.failed) == (0, 2, [])


KILLABLE = """
import sys
from audiogen.backends import registry
registry.register("fake", "fake_engines:FakeBackend")
from audiogen.cli import main
sys.exit(main(["batch", sys.argv[1], "--out", sys.argv[2], "--voice", "fake:tone", "--jobs", "1", "-q"]))
"""


def test_a_killed_batch_finishes_every_item_once_when_restarted(fake_engine: str, tmp_path: Path) -> None:
    write_articles(tmp_path / "site", 6)
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    command = [sys.executable, "-c", KILLABLE, str(tmp_path / "site"), str(out)]
    process = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = [p for p in out.glob("*/episode.json")] if out.exists() else []
            if len(done) >= 2 or process.poll() is not None:
                break
            time.sleep(0.05)
    finally:
        end_session(process)  # the batch, its pool and its engines
    finished_before = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/episode.json")}
    assert finished_before, "nothing was finished before the kill"

    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    records = manifest(out)
    assert len(records) == 6 and all(r["status"] == "done" for r in records.values())
    episodes = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert sorted(p.name for p in episodes) == sorted(r["episode"] for r in records.values())
    # what was finished before the kill was not narrated again
    for name, mtime in finished_before.items():
        assert (out / name / "episode.json").stat().st_mtime_ns == mtime
    assert not list((out / ".audiogen" / "staging").iterdir())


def test_dask_local_cluster_gives_the_same_manifest(fake_engine: str, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    write_articles(tmp_path / "site", 4)
    # the same author for both (episodes without one are otherwise tagged with the folder's name)
    options = BatchOptions(voice=fake_engine, artist="The Desk")
    local = run_batch([str(tmp_path / "site")], tmp_path / "local", options, jobs=2)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = run_batch([str(tmp_path / "site")], tmp_path / "dask", options, scheduler=cluster.scheduler_address)
    assert (local.done, remote.done, remote.failed) == (4, 4, [])
    # what depends on the cache (the second batch finds every sentence there) and on time
    varying = {"updated", "first_done", "seconds", "attempts", "sentences_synthesized", "sentences_cached", "streamed"}

    def stable(out: Path) -> dict[str, dict[str, Any]]:
        return {k: {f: v for f, v in r.items() if f not in varying} for k, r in manifest(out).items()}

    assert stable(tmp_path / "local") == stable(tmp_path / "dask")
    for record in manifest(tmp_path / "dask").values():
        assert (tmp_path / "dask" / record["episode"] / record["audio"]).stat().st_size == record["bytes"]


def test_bad_batch_input(fake_engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_articles(tmp_path / "site", 1)
    runner = CliRunner()
    result = runner.invoke(main, ["batch", "site", "--out", "out", "--feed", "feed.xml"])
    assert result.exit_code == 2 and "--feed needs --base-url" in result.stderr
    result = runner.invoke(main, ["batch", "site", "--out", "out", "--feed", "f.xml", "--base-url", "example.com"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: the base URL must be an absolute http(s) URL, not 'example.com' — e.g. https://example.com/audio/"
    ]
    result = runner.invoke(main, ["batch", "http://127.0.0.1:9/feed.xml", "--out", "out", "--voice", fake_engine])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: refusing to fetch http://127.0.0.1:9/feed.xml")
    result = runner.invoke(
        main, ["batch", "http://127.0.0.1:9/feed.xml", "--out", "out", "--voice", fake_engine, "--allow-private"]
    )
    assert result.exit_code == 1 and result.stderr.startswith("Error: cannot reach http://127.0.0.1:9/feed.xml")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    result = runner.invoke(main, ["batch", "site", "--out", str(blocked / "out"), "--voice", fake_engine])
    assert result.exit_code == 1 and result.stderr.startswith("Error: cannot write to")


def test_dask_workers_write_to_an_fsspec_location(fake_engine: str, tmp_path: Path) -> None:
    """Episodes and the manifest through fsspec (here its in-memory file system, which
    an in-process cluster shares), as they would go to object storage."""
    distributed = pytest.importorskip("distributed")
    fsspec = pytest.importorskip("fsspec")
    write_articles(tmp_path / "site", 2)
    location = f"memory://batch-{tmp_path.name}"
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        dashboard_address=None,  # in-process: no sockets
    ) as cluster:
        options = BatchOptions(voice=fake_engine)
        result = run_batch([str(tmp_path / "site")], location, options, scheduler=cluster.scheduler_address)
        assert (result.done, result.failed) == (2, [])
        again = run_batch([str(tmp_path / "site")], location, options, scheduler=cluster.scheduler_address)
        assert (again.done, again.unchanged) == (0, 2)
    fs, root = fsspec.core.url_to_fs(location)
    records = json.loads(fs.cat(f"{root}/{MANIFEST}"))["items"]
    assert len(records) == 2
    for record in records.values():
        names = sorted(p.rsplit("/", 1)[-1] for p in fs.ls(f"{root}/{record['episode']}", detail=False))
        assert names == sorted(set(record["files"]))
        assert fs.size(f"{root}/{record['episode']}/{record['audio']}") == record["bytes"]


def _batch_process(site: Path, out: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", KILLABLE, str(site), str(out)]
    return subprocess.Popen(command, env=env, start_new_session=True, stderr=subprocess.PIPE, text=True)


def _wait_for_episodes(out: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if len(list(out.glob("*/episode.json"))) >= count:
            return
        time.sleep(0.05)
    raise AssertionError("the batch did not get going")


def test_a_second_batch_on_the_same_folder_is_refused(fake_engine: str, tmp_path: Path, counter: Path) -> None:
    site = tmp_path / "site"
    for number, path in enumerate(write_articles(site, 6)):
        path.write_text(path.read_text() + f"\nA slow sentence, number {number} [slow].\n")
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    first = _batch_process(site, out, env)
    try:
        _wait_for_episodes(out, 1, first)
        second = _batch_process(site, out, env)
        _, errors = second.communicate(timeout=60)
        assert second.returncode == 1
        assert errors.strip().splitlines() == [
            f"Error: another batch is running on {out} (process {first.pid}) — wait for it to finish, or give another --out"
        ]
        _, errors = first.communicate(timeout=120)
        assert first.returncode == 0, errors
    finally:
        end_session(first)
    records = manifest(out)
    assert len(records) == 6 and all(r["status"] == "done" for r in records.values())
    # every sentence spoken once: the notice (then cached), and each item's title and three sentences
    assert spoken(counter) == 1 + 6 * 4
    third = _batch_process(site, out, env)  # the folder is free again
    _, errors = third.communicate(timeout=120)
    assert third.returncode == 0, errors


def test_sigterm_stops_a_batch_at_once_and_a_rerun_finishes_it(fake_engine: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    for number, path in enumerate(write_articles(site, 6)):
        path.write_text(path.read_text() + f"\nA slow sentence, number {number} [slow].\n")
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    process = _batch_process(site, out, env)
    try:
        _wait_for_episodes(out, 1, process)
        stopped = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
        assert time.monotonic() - stopped < 15
        assert process.returncode == 143, errors
        assert errors.strip().endswith("Stopped; nothing more was written.")
    finally:
        end_session(process)
    rerun = _batch_process(site, out, env)
    _, errors = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, errors
    records = manifest(out)
    assert len(records) == 6 and all(r["status"] == "done" for r in records.values())


def test_batch_takes_every_option_of_convert_that_shapes_the_audio(fake_engine: str, tmp_path: Path) -> None:
    from mutagen.mp3 import MP3, BitrateMode
    from test_broadcast import _jingle

    write_articles(tmp_path / "site", 1)
    intro = _jingle(tmp_path / "ident.wav", seconds=1.0)
    result = CliRunner().invoke(
        main,
        [
            "batch",
            str(tmp_path / "site"),
            "--out",
            str(tmp_path / "out"),
            "--voice",
            fake_engine,
            "-q",
            "--vbr",
            "--true-peak",
            "-2",
            "--word-timings",
            "--intro",
            str(intro),
            "--outro",
            str(intro),
            "--music",
            str(intro),
            "--music-level",
            "-30",
            "--srt",
        ],
    )
    assert result.exit_code == 0, result.output
    (audio,) = (tmp_path / "out").glob("*/*.mp3")
    timings = json.loads(audio.with_suffix(".json").read_text())
    assert timings["segments"][0]["sentences"][0]["words"]  # --word-timings
    assert timings["loudness"]["true_peak_dbtp"] <= -2.0  # --true-peak
    assert MP3(audio).info.bitrate_mode == BitrateMode.VBR
    assert audio.with_suffix(".srt").exists()
    first_cue_ms = timings["segments"][0]["sentences"][0]["start_ms"]
    assert first_cue_ms >= 1000  # after the one-second intro
    bad = CliRunner().invoke(
        main,
        [
            "batch",
            str(tmp_path / "site"),
            "--out",
            str(tmp_path / "bad"),
            "--voice",
            fake_engine,
            "--intro",
            str(tmp_path / "nope.wav"),
        ],
    )
    assert bad.exit_code in (1, 2) and "nope.wav" in bad.stderr
    assert not (tmp_path / "bad").exists()


def test_help_names_every_value() -> None:
    for command in ("convert", "batch", "feed"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "RANGE" not in result.output and "FLOAT" not in result.output and "INTEGER" not in result.output


def test_an_edited_article_in_a_batch_is_encoded_while_assembled(fake_engine: str, tmp_path: Path) -> None:
    """Batch items go through the library's convert, and so its re-render path."""
    site = tmp_path / "site"
    site.mkdir()
    story = "# Harbor\n\nThe harbor reopened on Monday after storms. Boats came back.\n\nFerries ran on time again.\n"
    (site / "harbor.md").write_text(story)
    out = tmp_path / "out"
    options = BatchOptions(voice=fake_engine)
    run_batch([str(site)], out, options, jobs=1)
    (first,) = manifest(out).values()
    assert first["streamed"] is False and first["sentences_cached"] == 0
    (site / "harbor.md").write_text(story.replace("Ferries ran on time again.", "Ferries ran late again."))
    result = run_batch([str(site)], out, options, jobs=1)
    assert result.done == 1
    (second,) = manifest(out).values()
    assert second["streamed"] is True
    assert (second["sentences_synthesized"], second["sentences_cached"]) == (1, 4)
    episode = out / second["episode"]
    timings = json.loads((episode / second["audio"]).with_suffix(".json").read_text())
    assert timings["segments"][-1]["sentences"][0]["text"] == "Ferries ran late again."
    assert timings["loudness"]["integrated_lufs"] == pytest.approx(-16, abs=0.5)
