"""Language identification's model is unpacked once into the model folder and mapped from
there afterwards, reading exactly as py3langid's own; a damaged or unwritable file only
costs the unpacking."""

from __future__ import annotations

from pathlib import Path

import pytest

from audiogen import langid

TEXTS = [
    "The president announced a defense plan for Europe on Tuesday, officials said.",
    "Le président a annoncé mardi un plan de défense pour l'Europe, selon des responsables.",
    "Der Präsident kündigte am Dienstag einen Verteidigungsplan für Europa an.",
    "El presidente anunció el martes un plan de defensa para Europa, dijeron funcionarios.",
    "Il presidente ha annunciato martedì un piano di difesa per l'Europa.",
    "Президент объявил во вторник о плане обороны для Европы.",
    "大統領は火曜日、欧州の防衛計画を発表した。",
    "O presidente anunciou na terça-feira um plano de defesa para a Europa.",
    "ok",
]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty model folder and no model loaded yet in this process."""
    monkeypatch.setenv("AUDIOGEN_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setattr(langid, "_model", None)
    return tmp_path / "models"


def _reference() -> list[tuple[str, float]]:
    from py3langid import langid as upstream

    identifier = upstream.LanguageIdentifier.from_model_file(upstream.MODEL_FILE, norm_probs=True)
    return [(str(a), float(b)) for a, b in map(identifier.classify, TEXTS)]


def _unpacked(folder: Path) -> Path:
    (found,) = folder.glob("langid-*.bin")
    return found


def _same(found: list[tuple[str, float] | None], expected: list[tuple[str, float]]) -> None:
    assert [f[0] if f else None for f in found] == [e[0] for e in expected]
    for got, want in zip(found, expected, strict=True):
        assert got is not None
        assert got[1] == pytest.approx(want[1], abs=1e-9)


def test_the_model_is_unpacked_once_and_then_read_from_its_file(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _reference()
    _same([langid.classify(text) for text in TEXTS], expected)
    stored = _unpacked(fresh)
    assert stored.stat().st_size > 60_000_000

    # a later run: unpacking is not needed (and would fail), the file answers the same
    import py3langid.modelio

    def no_unpacking(path: object) -> object:
        raise AssertionError("the model was unpacked again")

    monkeypatch.setattr(py3langid.modelio, "load_model", no_unpacking)
    monkeypatch.setattr(langid, "_model", None)
    _same([langid.classify(text) for text in TEXTS], expected)


@pytest.mark.parametrize("damage", ["truncated", "foreign", "empty"])
def test_a_damaged_unpacked_model_is_ignored_and_made_again(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    expected = _reference()
    langid.classify(TEXTS[0])
    stored = _unpacked(fresh)
    size = stored.stat().st_size
    if damage == "truncated":
        with stored.open("r+b") as handle:
            handle.truncate(size - 4096)
    elif damage == "foreign":
        stored.write_bytes(b"not a model" * 1000)
    else:
        stored.write_bytes(b"")
    monkeypatch.setattr(langid, "_model", None)
    _same([langid.classify(text) for text in TEXTS], expected)
    assert stored.stat().st_size == size


def test_where_no_file_can_be_written_the_model_is_unpacked_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the folder would be")
    monkeypatch.setenv("AUDIOGEN_MODEL_DIR", str(blocker / "models"))
    monkeypatch.setattr(langid, "_model", None)
    _same([langid.classify(text) for text in TEXTS], _reference())
    assert list(tmp_path.iterdir()) == [blocker]
