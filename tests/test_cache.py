"""The clip cache: hits and misses, re-rendering only what changed, damage, eviction."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from audiogen import Article, Clip, Segment
from audiogen.cache import ClipCache, parse_size
from audiogen.cli import main
from audiogen.pipeline import narrate


def _article(second: str = "The second paragraph says something else entirely.") -> Article:
    return Article(
        title="Cache test",
        segments=[
            Segment("paragraph", "The first paragraph has two sentences. This is the second one."),
            Segment("paragraph", second),
            Segment("paragraph", "A third paragraph closes the article."),
        ],
    )


@pytest.fixture
def counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "spoken"
    monkeypatch.setenv("AUDIOGEN_FAKE_COUNT", str(path))
    return path


def _spoken(counter: Path) -> int:
    count = len(counter.read_text()) if counter.exists() else 0
    counter.unlink(missing_ok=True)
    return count


def test_unchanged_article_synthesizes_nothing(fake_engine: str, counter: Path, clip_cache: Path) -> None:
    first = narrate(_article(), fake_engine)
    assert _spoken(counter) == 6  # notice, title and four body sentences
    cache = ClipCache()
    second = narrate(_article(), fake_engine, cache=cache)
    assert _spoken(counter) == 0
    assert (cache.hits, cache.misses) == (6, 0)
    assert second.sentences_synthesized == 0
    assert np.array_equal(first.samples, second.samples)
    assert first.cues == second.cues


def test_edited_paragraph_is_the_only_one_synthesized(fake_engine: str, counter: Path) -> None:
    narrate(_article(), fake_engine)
    _spoken(counter)
    cache = ClipCache()
    edited = narrate(_article("An edited paragraph. It now has two sentences."), fake_engine, cache=cache)
    assert _spoken(counter) == 2
    assert (cache.hits, cache.misses) == (5, 2)
    assert [c.text for c in edited.cues][4:6] == ["An edited paragraph.", "It now has two sentences."]


def test_no_cache_and_other_voice_settings_miss(fake_engine: str, counter: Path) -> None:
    narrate(_article(), fake_engine)
    _spoken(counter)
    narrate(_article(), fake_engine, cache=False)
    assert _spoken(counter) == 6
    narrate(_article(), fake_engine, word_timings=True)  # a different setting: other entries
    assert _spoken(counter) == 6


def test_damaged_entry_is_discarded_and_synthesized_again(fake_engine: str, counter: Path, clip_cache: Path) -> None:
    narrate(_article(), fake_engine)
    _spoken(counter)
    entries = sorted(clip_cache.rglob("*.clip"))
    assert len(entries) == 6
    data = bytearray(entries[0].read_bytes())
    data[-5] ^= 0xFF  # one flipped byte in the samples
    entries[0].write_bytes(bytes(data))
    entries[1].write_bytes(b"")  # and one truncated to nothing
    cache = ClipCache()
    narrate(_article(), fake_engine, cache=cache)
    assert _spoken(counter) == 2
    assert cache.discarded == 2
    assert len(list(clip_cache.rglob("*.clip"))) == 6  # both written again, whole


def test_entries_are_written_atomically_by_concurrent_writers(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    key = ClipCache.key("fake", "tone", {}, "same sentence")
    clips = [Clip(np.full(20000, i + 1, dtype=np.int16), 16000, "same sentence") for i in range(8)]
    threads = [threading.Thread(target=cache.put, args=(key, clip)) for clip in clips]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    found = cache.get(key, "same sentence")
    assert found is not None and found.samples.size == 20000
    assert len(set(found.samples.tolist())) == 1  # one writer's clip, whole, never a mix
    assert not list(tmp_path.rglob("*.part"))


def test_eviction_drops_the_least_recently_used(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path, max_bytes=10**9)
    keys = [ClipCache.key("fake", "tone", {}, f"sentence {i}") for i in range(5)]
    for index, key in enumerate(keys):
        cache.put(key, Clip(np.ones(10000, dtype=np.int16), 16000, ""))
        os.utime(cache.path(key), (time.time() - 100 + index, time.time() - 100 + index))
    cache.get(keys[0])  # used just now: kept
    size = cache.path(keys[0]).stat().st_size
    cache.max_bytes = 3 * size
    assert cache.evict() == 2
    assert [cache.contains(k) for k in keys] == [True, False, False, True, True]


def test_unwritable_cache_only_costs_the_cache(fake_engine: str, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    cache = ClipCache(blocker / "clips")
    narration = narrate(_article(), fake_engine, cache=cache)
    assert narration.cues and cache.writes_failed == 6


def test_sizes() -> None:
    assert parse_size("2GB") == 2 * 1024**3
    assert parse_size("500 MB") == 500 * 1024**2
    assert parse_size("1048576") == 1048576
    with pytest.raises(Exception, match="cache size"):
        parse_size("lots")


def test_cache_commands(fake_engine: str, clip_cache: Path) -> None:
    narrate(_article(), fake_engine)
    runner = CliRunner()
    info = runner.invoke(main, ["cache", "info"])
    assert info.exit_code == 0, info.output
    assert str(clip_cache) in info.output and "entries: 6" in info.output
    cleared = runner.invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and "Deleted 6" in cleared.output
    assert "entries: 0" in runner.invoke(main, ["cache", "info"]).output


def test_an_entry_in_another_entrys_place_is_not_played(fake_engine: str, counter: Path, clip_cache: Path) -> None:
    """Swapping two cached files must not put one sentence's audio in the other's place."""
    first = narrate(_article(), fake_engine)
    _spoken(counter)
    one, other = sorted(clip_cache.rglob("*.clip"))[:2]
    one_data, other_data = one.read_bytes(), other.read_bytes()
    one.write_bytes(other_data)
    other.write_bytes(one_data)
    cache = ClipCache()
    again = narrate(_article(), fake_engine, cache=cache)
    assert _spoken(counter) == 2  # both swapped sentences spoken again, not played from the wrong file
    assert cache.discarded == 2
    assert np.array_equal(first.samples, again.samples)


def test_a_block_in_another_blocks_place_is_not_used(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    cache.put_block("a" * 64, b"first block")
    cache.put_block("b" * 64, b"second block")
    os.replace(cache._block_path("b" * 64), cache._block_path("a" * 64))
    assert cache.get_block("a" * 64) is None
    assert cache.get_block("b" * 64) is None


@pytest.mark.parametrize(
    "levels",
    ['{"k": NaN}', '{"k": "loud"}', '{"k": [1, 2]}', "[1, 2]", "{not json", '{"k": 1e400}', "\x00\x01"],
)
def test_a_damaged_levels_file_is_ignored_and_rewritten(
    fake_engine: str, clip_cache: Path, tmp_path: Path, levels: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audiogen.cache import LEVELS_FILE

    monkeypatch.chdir(tmp_path)
    source = tmp_path / "story.md"
    source.write_text("# Levels\n\nThe first paragraph. It has two sentences.\n\nA second paragraph.\n")
    runner = CliRunner()
    assert runner.invoke(main, ["convert", str(source), "--voice", fake_engine, "-q"]).exit_code == 0
    memory = clip_cache / LEVELS_FILE
    key = next(iter(json.loads(memory.read_text())))
    memory.write_text(levels.replace('"k"', f'"{key}"'))
    result = runner.invoke(main, ["convert", str(source), "--voice", fake_engine, "-q"])
    assert result.exit_code == 0, result.output
    assert np.isfinite(list(json.loads(memory.read_text()).values())).all()


def test_a_narration_made_without_the_cache_exports_without_it(
    fake_engine: str, clip_cache: Path, tmp_path: Path
) -> None:
    narration = narrate(_article(), fake_engine, cache=False)
    narration.export(tmp_path / "out.mp3")
    assert not clip_cache.exists() or not any(clip_cache.rglob("*.*"))
    own = ClipCache(tmp_path / "own-cache")
    narrate(_article(), fake_engine, cache=own).export(tmp_path / "again.mp3")
    assert any(own.folder.rglob("*.mp3blk"))
    assert not any(clip_cache.rglob("*.*"))


def test_remembered_gains_and_places_survive_each_other_and_damage(tmp_path: Path) -> None:
    from audiogen.cache import LevelMemory

    memory = LevelMemory(tmp_path)
    memory.put("a", 6.25)
    memory.put_spots("a:spots", ((100, 4510, 0.5), (9000, 13410, 0.61)))
    memory.put("b", -3.0)  # writing one keeps the others
    assert memory.get("a") == 6.25 and memory.get("b") == -3.0
    assert memory.get_spots("a:spots") == ((100, 4510, 0.5), (9000, 13410, 0.61))
    assert memory.get("a:spots") is None and memory.get_spots("a") == () and memory.get_spots("none") == ()
    # damaged values are memories lost, not errors
    data = json.loads(memory.path.read_text())
    data |= {"x:spots": [[1, "two", 0.5]], "y:spots": [[5, 1, 0.5]], "z:spots": [[1, 2, 7.0]], "w": [True]}
    memory.path.write_text(json.dumps(data))
    assert all(memory.get_spots(key) == () for key in ("x:spots", "y:spots", "z:spots", "w"))
    assert memory.get("a") == 6.25
    # no places: nothing kept for them (the file holds gains alone, as before)
    memory.put_spots("a:spots", ())
    memory.put_spots("c:spots", ())
    assert "a:spots" not in json.loads(memory.path.read_text()) and "c:spots" not in json.loads(memory.path.read_text())
