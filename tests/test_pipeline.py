from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES, SEED_PAGE

import audiogen


def test_narrate_with_the_fake_engine(fake_engine: str) -> None:
    article = audiogen.load(SAMPLES / "community-garden.md")
    seen: list[tuple[int, int]] = []
    narration = audiogen.narrate(article, voice=fake_engine, progress=lambda done, total: seen.append((done, total)))
    assert narration.cues[0].kind == "notice"
    assert narration.cues[0].text == audiogen.DEFAULT_NOTICE
    assert narration.cues[1].text == article.title
    assert seen[-1][0] == seen[-1][1] == len(narration.cues)
    assert narration.engine == "fake" and narration.voice == "tone"
    assert narration.artist == "Maren Holt"
    assert narration.source_hash == article.source_hash
    assert [c.title for c in narration.chapters] == [article.title, "How the beds are shared", "What grows best"]
    # every segment of the article is spoken, in order
    spoken_segments = [c.segment_index for c in narration.cues if c.segment_index is not None]
    assert sorted(set(spoken_segments)) == list(range(len(article.segments)))
    assert spoken_segments == sorted(spoken_segments)


def test_narrate_without_notice_and_with_custom_notice(fake_engine: str) -> None:
    article = audiogen.load(SEED_PAGE)
    plain = audiogen.narrate(article, voice=fake_engine, notice=False)
    assert plain.cues[0].kind == "title" and plain.notice is None
    custom = audiogen.narrate(article, voice=fake_engine, notice_text="Read by a synthetic voice.")
    assert custom.cues[0].text == "Read by a synthetic voice."
    assert custom.notice == "Read by a synthetic voice."


PUBLIC_API = [
    "Article",
    "AudiogenError",
    "BackendError",
    "BatchOptions",
    "BatchResult",
    "Channel",
    "Chapter",
    "Clip",
    "ConvertOptions",
    "ConvertResult",
    "Cue",
    "DEFAULT_NOTICE",
    "Episode",
    "ExportError",
    "ExtractionError",
    "FeedError",
    "Narration",
    "Pauses",
    "Script",
    "ScriptPart",
    "Segment",
    "Sentence",
    "SourceError",
    "VoiceError",
    "VoicePreset",
    "__version__",
    "build_feed",
    "build_script",
    "convert",
    "list_presets",
    "load",
    "narrate",
    "normalize",
    "parse",
    "resolve_voice",
    "run_batch",
    "split_sentences",
]


def test_public_api_is_pinned() -> None:
    """Exactly these names, each of them there, and each a function or class (never a
    module that happens to share its name)."""
    import ast
    import inspect

    assert sorted(audiogen.__all__) == sorted(PUBLIC_API)
    for name in audiogen.__all__:
        value = getattr(audiogen, name)
        assert not inspect.ismodule(value), name
    # what type checkers are told is what is loaded
    tree = ast.parse(inspect.getsource(audiogen))
    (checking,) = [node for node in tree.body if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)]
    told = {alias.name: node.module for node in checking.body for alias in node.names}  # type: ignore[attr-defined]
    assert told == audiogen._WHERE


def test_convert_and_normalize_stay_functions_after_their_modules_load() -> None:
    import audiogen.conversion
    import audiogen.spoken

    assert callable(audiogen.convert) and audiogen.convert is audiogen.conversion.convert
    assert audiogen.normalize is audiogen.spoken.normalize


def test_a_script_without_main_guard_can_narrate(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The engine's process must not re-run the caller's script (as multiprocessing would)."""
    import subprocess
    import sys

    tests_dir = Path(__file__).resolve().parent
    script = tmp_path / "narrate_it.py"
    script.write_text(
        f"import sys\nsys.path[:0] = [{str(tests_dir.parent)!r}, {str(tests_dir)!r}]\n"
        "import audiogen\nfrom audiogen.backends import register\n"
        "register('fake', 'fake_engines:FakeBackend')\n"
        f"article = audiogen.load({str(SAMPLES / 'night-ferry.txt')!r})\n"
        "narration = audiogen.narrate(article, voice='fake:tone')\n"
        "print('cues', len(narration.cues))\n"
    )
    for command in ([sys.executable, str(script)], [sys.executable, "-"]):
        result = subprocess.run(
            command,
            input=script.read_text() if command[-1] == "-" else None,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines() == ["cues 16"]


@pytest.mark.parametrize(
    "first",
    ["import audiogen.spoken.script", "import audiogen.pipeline", "pass"],
)
def test_normalize_is_the_function_whatever_was_imported_first(first: str) -> None:
    """``audiogen.normalize`` is the function, however the package was loaded."""
    code = f"{first}\nfrom audiogen import normalize\nimport audiogen\nprint(normalize('Feb. 20'), audiogen.normalize('Dr. No'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "February twentieth Doctor No"
