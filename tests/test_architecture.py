"""The map in ARCHITECTURE.md stays true: the import directions hold (import-linter),
only the command line prints (ruff's T20), and every module is on the map."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "audiogen"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_imports_follow_the_layers() -> None:
    result = _run(
        "import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_lower_layer_importing_a_higher_one_is_caught(tmp_path: Path) -> None:
    """The contract can fail: a copy of the package where the reader imports the
    command line breaks it."""
    import shutil

    copy = tmp_path / "audiogen"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.js"))
    clean = copy / "reading" / "clean.py"
    clean.write_text(clean.read_text() + "\nimport audiogen.cli  # a wrong direction\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, '.'); from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert "audiogen.reading.clean -> audiogen.cli" in result.stdout


def test_only_the_command_line_prints() -> None:
    result = _run(
        "import sys; from ruff.__main__ import find_ruff_bin; import subprocess; "
        "sys.exit(subprocess.call([find_ruff_bin(), 'check', '--select', 'T20', 'audiogen']))"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_module_is_on_the_map() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(audiogen/[\w/]+\.py)`", text))
    present = {str(path.relative_to(ROOT)) for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts}
    assert present - named == set(), "modules missing from ARCHITECTURE.md"
    assert named - present == set(), "ARCHITECTURE.md names modules that do not exist"


def test_every_integration_file_is_on_the_map() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(integrations/[\w/.\-]+)`", text))
    present = {str(path.relative_to(ROOT)) for path in (ROOT / "integrations").rglob("*") if path.is_file()}
    assert present - named == set(), "integration files missing from ARCHITECTURE.md"
    assert named - present == set(), "ARCHITECTURE.md names integration files that do not exist"
