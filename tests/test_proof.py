"""Proof-listening: the folding both sides share, the alignment, and narrations heard
back by the real recognizer (the tiny.en model the audiogen[proof] extra installs from
a package: nothing is downloaded)."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from audiogen.cli import main
from audiogen.conversion import ConvertOptions, convert
from audiogen.errors import ProofError
from audiogen.proof import Recognizer, proof_narration, repair, write_report
from audiogen.proof.compare import abbreviation_read_as_written, align, misread_phrase, score, split_heard
from audiogen.proof.fold import fold
from audiogen.proof.repair import alternatives

# -- folding ----------------------------------------------------------------------------

SAME = [
    ("Adm. Susan Miller met Sen. John Carter", "Admiral Susan Miller met Senator John Carter"),
    ("in Washington, D.C., on Sept. 3rd", "in Washington DC on September third"),
    ("at 4:48 p.m.", "at four forty-eight PM"),
    ("at 4:48 p.m.", "at 4.48 pm"),
    ("The U.K. pledged $2.4 billion", "The UK pledged two point four billion dollars"),
    ("up from £900 million", "up from nine hundred million pounds"),
    ("About 30,000 troops", "About thirty thousand troops"),
    ("roughly 12% of the force", "roughly twelve percent of the force"),
    ("between 2019 and 2023", "between twenty nineteen and twenty twenty-three"),
    ("The court ruled 6–3.", "The court ruled six to three."),
    ("a 50-50 chance", "a fifty-fifty chance"),
    ("It cost $1.5M.", "It cost one point five million dollars."),
    ("2,500 people", "two thousand five hundred people"),
    ("one hundred and twenty-one", "121"),
    ("The 1990s", "the nineteen nineties"),
    ("The WWII veteran", "the World War Two veteran"),
    ("the World War II veteran", "the world war 2 veteran"),
    ("Louis XIV", "Louis the Fourteenth"),
    ("the F-B-I and the C-I-A", "the FBI and the CIA"),
    ("the F.B.I.", "the f b i"),
    ("Gov. Kathy Hochul (D-N.Y.)", "Governor Kathy Hochul, Democrat of New York"),
    ("on Wed., Feb. 27", "on Wednesday February 27th"),
    ("1428 Elm St.", "fourteen twenty-eight Elm Street"),
    ("St. Paul, Minn.", "Saint Paul Minnesota"),
    ("at 9 a.m. EST", "at nine A M E S T"),
    ("at 10:30 a.m.", "at ten thirty A M"),
    ("The EU's fund", "The E U's fund"),
    ("at www.example.org/report", "at W W W dot example dot org slash report"),
    ("email press@example.org", "email press at example dot org"),
    ("see https://example.org", "see example dot org"),
    ("Dr. Ana Ruiz", "Doctor Ana Ruiz"),
    ("near Mt. Shasta", "near Mount Shasta"),
    ("Ft. Worth", "Fort Worth"),
    ("Elm Dr.", "Elm Drive"),
    ("5 km away", "five kilometers away"),
    ("Mr. & Mrs. Smith", "mister and missus smith"),
    ("Call 1-800-555-0199 now", "Call one, eight hundred, five five five, zero one nine nine, now"),
    ("$42.17 after", "forty-two dollars and seventeen cents after"),
    ("set for 2:15 p.m. Tues.", "set for two fifteen P M Tuesday"),
    ("in 2005 and 1905", "in twenty oh five and nineteen oh five"),
]


@pytest.mark.parametrize(("written", "said"), SAME)
def test_a_correct_reading_folds_like_its_text(written: str, said: str) -> None:
    assert fold(written) == fold(said)


DIFFERENT = [
    ("on Wed.", "on wed"),
    ("Pres. Zelensky", "praise Zelensky"),
    ("$2.4 billion", "two point four million dollars"),
    ("in 1906", "in nineteen sixty"),
    ("the 5th", "the fifteenth"),
    ("12 percent", "twenty percent"),
    ("The F.B.I.", "the fib"),
    # an abbreviation read as its letters, written by a recognizer as letters
    ("near Mt. Shasta", "near MT Shasta"),
    ("Dr. Ana Ruiz", "DR Ana Ruiz"),
    ("in St. Paul", "in S T Paul"),
    ("Ft. Worth", "F T Worth"),
]


@pytest.mark.parametrize(("written", "said"), DIFFERENT)
def test_a_misreading_does_not(written: str, said: str) -> None:
    assert fold(written) != fold(said)


# -- alignment and scores ------------------------------------------------------------------


def test_a_name_heard_nearly_right_costs_little_and_a_wrong_word_costs_one() -> None:
    charged, _ = align(fold("Governor Kathy Hochul signed"), fold("Governor Kathy Hachul signed"))
    assert 0 < sum(charged) < 0.5
    charged, _ = align(fold("on Wednesday"), fold("on wed"))
    assert sum(charged) == 1.0
    charged, _ = align(fold("it rose 12 percent"), fold("it rose 13 percent"))
    assert sum(charged) == 1.0  # numbers must be heard exactly
    charged, _ = align(fold("Doctor Ana Ruiz said"), fold("Doctor Anna Ruiz said"))
    assert 0 < sum(charged) < 0.5  # a short name, one letter more
    charged, _ = align(fold("the team won"), fold("the team one"))
    assert sum(charged) == 1.0
    charged, _ = align(fold("on Tuesday"), fold("on tuse"))
    assert sum(charged) == 1.0  # a word cut short is not a misspelling of it


def test_the_words_a_sentence_wrote_abbreviated() -> None:
    from audiogen.proof.fold import abbreviated_words

    assert abbreviated_words("Lt. Col. David Brooks met Sen. John Carter on Tues.") == {
        "lieutenant",
        "colonel",
        "senator",
        "tuesday",
    }
    assert abbreviated_words("The vote was on July 4. Then they left.") == set()


def test_what_was_heard_is_shared_out_among_sentences() -> None:
    meant = [fold("One two three."), fold("Pres. Zelensky met PM Starmer.")]
    (first, first_cost, _), (second, second_cost, charged) = split_heard(
        meant, fold("one two three praise the lunsky met pm starmer")
    )
    assert first == ["123"] and first_cost == 0  # digits read one by one are one group
    assert "praise" in second and second_cost >= 2
    charged, _ = align(fold("Lt. Col. David Brooks"), fold("healthy call David Brooks"))
    assert misread_phrase(charged)  # "Lt. Col." said as something else
    assert not misread_phrase([0.0, 1.0, 0.0, 0.3])  # one word misheard is not a phrase


def test_an_abbreviation_read_as_written_is_a_misreading() -> None:
    meant = fold("The vote is on Feb. 20 in Albany, Sgt. Lee said.")
    assert abbreviation_read_as_written(meant, fold("the vote is on feb 20 in albany sergeant lee said"))
    assert abbreviation_read_as_written(meant, fold("the vote is on february 20 in albany sgt lee said"))
    assert not abbreviation_read_as_written(meant, fold("the vote is on february 20 in albanie sergeant leigh said"))
    # a word heard without its ending is misheard, not shortened
    assert not abbreviation_read_as_written(fold("prices peaked"), fold("prices peak"))
    assert not abbreviation_read_as_written(fold("it topped"), fold("it top"))
    assert not abbreviation_read_as_written(fold("the highest since 1981"), fold("the high since 1981"))
    # a word heard in pieces is not cut short: "just as a" for "Justices"
    justices = fold("The court ruled six to three, with Justices Sotomayor, Kagan and Jackson dissenting.")
    assert not abbreviation_read_as_written(
        justices, fold("the court ruled 6 3 with just as a sodomayer cagan and jackson")
    )
    assert abbreviation_read_as_written(fold("Sen. John Carter spoke"), fold("sen john carter spoke"))
    assert score(3, 0) == 1.0 and score(4, 2) == 0.5 and score(8, 9) == 0.0
    assert score(2, 1) == 0.75  # a short sentence is scored as if it had four words


def test_alternatives_spell_or_say_initialisms_and_read_as_written() -> None:
    options = dict(alternatives("The NTSB met.", "The N-T-S-B met."))
    assert options["initialisms said the other way"] == "The Ntsb met."
    assert options["read as written"] == "The NTSB met."
    options = dict(alternatives("The MAX flew.", "The MAX flew."))
    assert options["initialisms said the other way"] == "The M-A-X flew."
    assert "read as written" not in options  # the same as what was said


# -- narrations heard back -----------------------------------------------------------------

ARTICLE = (
    "# The harbor ferry is back in service after repairs\n\n"
    "The harbor ferry returned to service on Tuesday after a week of repairs.\n\n"
    "Passengers said the crossing was calm and quick.\n\n"
    "The operator plans to add a second boat in the spring.\n"
)


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer("tiny.en")


@pytest.fixture(scope="module")
def narrations(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A clean narration, and one whose second body sentence says something else."""
    folder = tmp_path_factory.mktemp("proof")
    source = folder / "ferry.md"
    source.write_text(ARTICLE, encoding="utf-8")
    options = ConvertOptions(notice=False, cover=False)
    clean = convert(source, folder / "clean.mp3", options).paths[0]
    wrong = convert(
        source,
        folder / "wrong.mp3",
        options,
        respoken={2: "Seven purple elephants were painting the lighthouse at midnight."},
    ).paths[0]
    return {"source": source, "clean": clean, "wrong": wrong}


def test_a_wrong_sentence_is_flagged_and_the_others_are_not(
    recognizer: Recognizer, narrations: dict[str, Path]
) -> None:
    report = proof_narration(narrations["wrong"], recognizer=recognizer)
    by_text = {s.meant: s for s in report.sentences}
    wrong = by_text["Passengers said the crossing was calm and quick."]
    assert wrong.flagged and wrong.score < 0.5
    assert "elephants" in wrong.heard
    assert [s.meant for s in report.flagged] == [wrong.meant]
    assert report.accuracy < 0.9
    clean = proof_narration(narrations["clean"], recognizer=recognizer)
    assert not clean.flagged, [(s.meant, s.heard) for s in clean.flagged]
    assert clean.accuracy > 0.9
    # spans follow the narration, one entry per spoken sentence, in order
    starts = [s.start_ms for s in clean.sentences]
    assert starts == sorted(starts) and len(starts) == 4


def test_the_report_files(recognizer: Recognizer, narrations: dict[str, Path]) -> None:
    audio = narrations["wrong"]
    report = proof_narration(audio, recognizer=recognizer)
    json_path, html_path = write_report(report, audio)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert set(data) >= {"accuracy", "sentences"}
    first = data["sentences"][0]
    assert set(first) >= {"start_ms", "end_ms", "meant", "heard", "score", "flagged", "action"}
    assert [s["flagged"] for s in data["sentences"]].count(True) == 1
    page = html_path.read_text(encoding="utf-8")
    assert "<audiogen-player" in page and f'src="{audio.name}"' in page
    assert page.count('aria-label="Play sentence') == 1
    assert not re.search(r"""(?:src|href)=["']https?://""", page)  # nothing fetched from elsewhere


def test_the_proof_command(narrations: dict[str, Path]) -> None:
    result = CliRunner().invoke(main, ["proof", str(narrations["wrong"])])
    assert result.exit_code == 4, result.output
    assert "1 of 4 sentences to listen to" in result.output
    assert narrations["wrong"].with_name("wrong.proof.html").is_file()
    clean = CliRunner().invoke(main, ["proof", str(narrations["clean"])])
    assert clean.exit_code == 0, clean.output


def test_convert_with_proof_fix_re_voices_a_sentence_heard_wrong(tmp_path: Path, recognizer: Recognizer) -> None:
    """A lexicon that makes the voice say a word wrongly: the sentence is flagged, read
    as written instead, heard right, and the narration kept with it."""
    source = tmp_path / "ferry.md"
    source.write_text(ARTICLE, encoding="utf-8")
    lexicon = tmp_path / "bad.toml"
    lexicon.write_text('[words]\ncrossing = { say = "purple banana pancake" }\n', encoding="utf-8")
    options = ConvertOptions(notice=False, cover=False, lexicons=(str(lexicon),))
    report = repair(source, tmp_path / "ferry.mp3", options, recognizer=recognizer)
    fixed = [s for s in report.sentences if s.action.startswith("re-voiced")]
    assert [s.meant for s in fixed] == ["Passengers said the crossing was calm and quick."]
    assert not report.flagged
    heard_again = proof_narration(tmp_path / "ferry.mp3", recognizer=recognizer)
    assert not heard_again.flagged  # the file on disk holds the repaired reading


def test_a_missing_recognizer_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    with pytest.raises(ProofError, match="needs a speech recognizer") as caught:
        Recognizer("tiny.en")
    assert 'pip install "audiogen[proof]"' in (caught.value.hint or "")
    result = CliRunner().invoke(main, ["proof", str(tmp_path / "none.mp3")])
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "Error:" in result.output


def test_a_model_that_is_not_there_and_a_narration_without_timings(tmp_path: Path, recognizer: Recognizer) -> None:
    with pytest.raises(ProofError, match="no recognizer model"):
        Recognizer(str(tmp_path / "nowhere"))
    audio = tmp_path / "lone.mp3"
    audio.write_bytes(b"ID3")
    with pytest.raises(ProofError, match=r"no timings beside lone\.mp3"):
        proof_narration(audio, recognizer=recognizer)


def test_batch_with_proof_records_accuracy_and_names_the_episodes_to_listen_to(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "ferry.md").write_text(ARTICLE, encoding="utf-8")
    (site / "garden.md").write_text(
        "# The community garden opens for the summer season\n\nThe community garden opened its gates on Saturday morning.\n\n"
        "Volunteers planted beans and tomatoes.\n",
        encoding="utf-8",
    )
    lexicon = tmp_path / "bad.toml"
    lexicon.write_text('[words]\ncrossing = { say = "purple banana pancake" }\n', encoding="utf-8")
    out = tmp_path / "out"
    args = ["batch", str(site), "--out", str(out), "--jobs", "1", "--no-notice", "--lexicon", str(lexicon)]
    result = CliRunner().invoke(main, [*args, "--proof"])
    assert result.exit_code == 4, result.output
    assert "flagged 1 episodes" in result.output and "ferry.md" in result.output, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    records = {Path(r["source"]).name: r for r in manifest["items"].values()}
    assert records["ferry.md"]["proof_flagged"] == 1 and records["garden.md"]["proof_flagged"] == 0
    assert 0 < records["ferry.md"]["proof_accuracy"] < records["garden.md"]["proof_accuracy"] <= 1
    episode = out / records["ferry.md"]["episode"]
    assert any(p.name.endswith(".proof.html") for p in episode.iterdir())
    # narrated with word timings, as convert --proof is: a finding is placed on its words
    proof = json.loads(next(p for p in episode.iterdir() if p.name.endswith(".proof.json")).read_text(encoding="utf-8"))
    found = [w for s in proof["sentences"] if s["flagged"] for w in s["words"]]
    assert any(w["meant"] == "crossing" and w["end_ms"] > w["start_ms"] for w in found), found
    # fixed: the flagged sentence is read as written, and nothing is left to listen to
    shutil.rmtree(out)
    fixed = CliRunner().invoke(main, [*args, "--proof", "fix"])
    assert fixed.exit_code == 0, fixed.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    records = {Path(r["source"]).name: r for r in manifest["items"].values()}
    assert records["ferry.md"]["proof_flagged"] == 0 and records["ferry.md"]["proof_revoiced"] == 1


def test_the_report_page_plays_just_the_flagged_sentence(recognizer: Recognizer, narrations: dict[str, Path]) -> None:
    """In a real browser, over HTTP with Range requests: the page's own scripts run under
    its Content-Security-Policy, and a sentence's button plays that span and stops."""
    from browser import CHROMIUM_FLAGS, chromium_path, serve
    from playwright.sync_api import sync_playwright

    audio = narrations["wrong"]
    report = proof_narration(audio, recognizer=recognizer)
    write_report(report, audio)
    flagged = report.flagged[0]
    errors: list[str] = []
    with serve(audio.parent) as (base, requests), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.goto(f"{base}/{audio.stem}.proof.html")
            page.wait_for_function("() => customElements.get('audiogen-player') !== undefined")
            page.click("button[data-start]")
            page.wait_for_function(
                f"() => document.querySelector('audiogen-player').audio.currentTime > {flagged.start_ms / 1000 + 0.2}",
                timeout=15000,
            )
            page.wait_for_function("() => document.querySelector('audiogen-player').audio.paused", timeout=20000)
            stopped = page.evaluate("() => document.querySelector('audiogen-player').audio.currentTime")
        finally:
            browser.close()
    assert not errors, errors
    assert flagged.end_ms / 1000 - 0.05 <= stopped <= flagged.end_ms / 1000 + 1.0
    assert all(path.startswith("/") for path in requests)  # nothing but this folder was asked for


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("zero point two five", "0.25"),
        ("oh point five percent", "0.5%"),
        ("three fifty Fifth Avenue", "350 5th avenue"),
        ("fourteen twenty-eight Third Street", "1428 3rd street"),
        ("the fifty-fifth anniversary", "the 55th anniversary"),
        ("the twenty-first century", "the 21st century"),
    ],
)
def test_one_value_written_two_ways_folds_alike(said: str, written: str) -> None:
    assert fold(said) == fold(written)


# -- faults heard in the audio itself ------------------------------------------------------


@pytest.fixture(scope="module")
def timed_narration(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The ferry story as WAV with its word timings, to damage by hand."""
    folder = tmp_path_factory.mktemp("signal")
    source = folder / "ferry.md"
    source.write_text(ARTICLE, encoding="utf-8")
    audio = convert(source, folder / "clean.wav", ConvertOptions(notice=False, cover=False, word_timings=True)).paths[0]
    return audio, json.loads(audio.with_suffix(".json").read_text(encoding="utf-8"))


def _damaged(audio: Path, name: str, change: Any) -> Path:
    """A copy of ``audio`` (and its timings) with ``change`` made to its samples."""
    import shutil
    import wave

    with wave.open(str(audio), "rb") as source:
        rate, frames = source.getframerate(), source.readframes(source.getnframes())
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768
    samples = change(samples.copy(), rate)
    target = audio.with_name(name + ".wav")
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 32767 / 32768) * 32768).astype("<i2").tobytes())
    shutil.copyfile(audio.with_suffix(".json"), target.with_suffix(".json"))
    return target


def _word(timings: dict[str, Any], text: str) -> dict[str, Any]:
    for part in timings["segments"]:
        for sentence in part["sentences"]:
            for word in sentence.get("words", []):
                if word["text"].strip(".,") == text:
                    return dict(word)
    raise AssertionError(f"no word {text}")


def test_noise_clipping_and_a_silence_inside_a_sentence_are_found_in_the_audio(
    timed_narration: tuple[Path, dict[str, Any]],
) -> None:
    from audiogen.proof.check import sentence_words, spoken_sentences
    from audiogen.proof.listen import load_audio
    from audiogen.proof.signal import signal_faults

    audio, timings = timed_narration
    sentences = spoken_sentences(timings)
    clean = load_audio(audio)
    assert not [signal_faults(clean, s, e) for s, e, _ in sentences if signal_faults(clean, s, e)]
    assert all(sentence_words(timings))  # every sentence has its words' times
    rng = np.random.default_rng(5)

    def span(word: dict[str, Any], rate: int) -> slice:
        return slice(word["start_ms"] * rate // 1000, word["end_ms"] * rate // 1000)

    def noise_over(samples: np.ndarray, rate: int) -> np.ndarray:
        where = span(_word(timings, "crossing"), rate)
        level = np.sqrt(np.mean(samples[where] ** 2))
        samples[where] += rng.normal(0, 2 * level, samples[where].size)  # a burst over a word
        return samples

    def clipped(samples: np.ndarray, rate: int) -> np.ndarray:
        where = span(_word(timings, "operator"), rate)
        samples[where] *= 12  # a word driven far past full scale
        return samples

    def silenced(samples: np.ndarray, rate: int) -> np.ndarray:
        first, last = _word(timings, "returned"), _word(timings, "week")
        samples[first["start_ms"] * rate // 1000 : last["end_ms"] * rate // 1000] = 0.0
        return samples

    for name, change, word, detail in (
        ("noisy", noise_over, "crossing", "noise"),
        ("clipped", clipped, "operator", "clipped samples"),
        ("silent", silenced, "returned", "a silence inside the sentence"),
    ):
        damaged = load_audio(_damaged(audio, name, change))
        found = [(f, text) for s, e, text in sentences for f in signal_faults(damaged, s, e)]
        assert found, name
        assert all(fault.kind == "noise" for fault, _ in found)
        assert {fault.detail for fault, _ in found} == {detail}, (name, found)
        target = _word(timings, word)
        assert any(f.start_ms <= target["end_ms"] + 100 and f.end_ms >= target["start_ms"] - 100 for f, _ in found)


def test_a_noise_burst_is_reported_on_its_word_with_a_button_for_its_span(
    recognizer: Recognizer, timed_narration: tuple[Path, dict[str, Any]]
) -> None:
    audio, timings = timed_narration
    rng = np.random.default_rng(9)
    word = _word(timings, "calm")

    def burst(samples: np.ndarray, rate: int) -> np.ndarray:
        where = slice(word["start_ms"] * rate // 1000, word["end_ms"] * rate // 1000)
        samples[where] += rng.normal(0, 2 * np.sqrt(np.mean(samples[where] ** 2)), samples[where].size)
        return samples

    noisy = _damaged(audio, "burst", burst)
    report = proof_narration(noisy, recognizer=recognizer)
    flagged = report.flagged
    assert [s.meant for s in flagged] == ["Passengers said the crossing was calm and quick."]
    finding = flagged[0].words[0]
    assert finding.kind == "noise" and "calm" in finding.meant
    json_path, html_path = write_report(report, noisy)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["findings"]["noise"] == 1
    assert data["sentences"][flagged[0].index]["words"][0]["kind"] == "noise"
    page = html_path.read_text(encoding="utf-8")
    assert "<mark>calm</mark>" in page and f'data-start="{max(0, finding.start_ms - 250)}"' in page


# -- single words said wrong ---------------------------------------------------------------


def test_single_word_events_in_meant_and_heard() -> None:
    from audiogen.proof.words import confirmed, doubted_words, sounds_alike

    meant = fold("The council approved the budget for the new library on Tuesday")
    assert doubted_words(meant, fold("The council approved the budget for the new library on Tuesday")) == []
    assert doubted_words(meant, fold("The council approved the pancake for the new library on Tuesday")) == [
        ("misread", 4, "pancake")
    ]
    assert doubted_words(meant, fold("The council approved the budget for the new on Tuesday")) == [("dropped", 8, "")]
    assert doubted_words(meant, fold("The council approved the budget budget for the new library on Tuesday")) == [
        ("repeated", 4, "budget")
    ]
    # said twice, written askew by the recognizer: "strain the brain"
    strain = fold("It would strain the budget")
    assert ("repeated", 2, "brain") in doubted_words(strain, fold("It would strain brain the budget"))
    # a word run together with its neighbour, and a function word, are no findings
    assert doubted_words(fold("We meet every day at noon"), fold("We meet everyday at noon")) == []
    assert doubted_words(meant, fold("The council approved a budget for the new library on Tuesday")) == []
    # both hearings must agree, and a soundalike is the recognizer's spelling
    first = doubted_words(meant, fold("The council approved the pancake for the new library on Tuesday"))
    assert (
        confirmed(
            meant, first, doubted_words(meant, fold("The council approved the budget for the new library on Tuesday"))
        )
        == []
    )
    assert confirmed(meant, first, first) == first
    one = fold("She won the race")
    assert confirmed(one, [("misread", 1, "one")], [("misread", 1, "one")]) == []
    assert sounds_alike("won", "one") and sounds_alike("mace", "mays") and not sounds_alike("captain", "umbrella")
    # a word heard in pieces that together sound like it is no slip; a stranger is
    report = fold("Read the full sixty-eight page report")
    assert doubted_words(report, fold("read the full 6 date page report")) == []
    assert doubted_words(report, fold("read the full umbrella page report")) == [("misread", 3, "umbrella")]
    # a word said besides the text, as a misreading says one ("Louis Roman fourteen")
    louis = fold("Louis XIV ruled France")
    assert ("inserted", 0, "roman") in doubted_words(louis, fold("louis roman 14 ruled france"))
    assert doubted_words(louis, fold("louis the 14 ruled france")) == []  # a word of grammar


def test_what_the_recognizer_writes_its_own_way_costs_nothing() -> None:
    from audiogen.proof.words import name_words, soundalikes_forgiven

    text = "Governor Kathy Hochul signed the measure, officials said."
    meant = fold(text)
    heard = fold("governor cathy hachel signed the measure fischl said")
    charged, _ = align(meant, heard)
    hochul, officials = meant.index("hochul"), meant.index("officials")
    assert charged[hochul] > 0 and charged[officials] > 0
    forgiven = soundalikes_forgiven(meant, heard, charged)
    assert forgiven[officials] == 0  # "fischl": the recognizer's spelling of "officials"
    assert forgiven[hochul] == charged[hochul]  # "hachel" is not that close
    # but a name is judged over its audio: anything sounding at all like it costs nothing
    assert sum(soundalikes_forgiven(meant, heard, charged, names=name_words(text))) == 0
    # a word said as another keeps its cost, a name heard as a stranger too
    wrong = fold("governor cathy umbrella signed the pancake officials said")
    charged, _ = align(meant, wrong)
    kept = soundalikes_forgiven(meant, wrong, charged, names=name_words(text))
    assert kept[hochul] == kept[meant.index("measure")] == 1.0
    # and so does an abbreviation's word kept apart ("sen" sounds like "Senator")
    senator = fold("Senator Lee spoke")
    charged, _ = align(senator, fold("sen lee spoke"))
    assert soundalikes_forgiven(senator, fold("sen lee spoke"), charged, keep=frozenset({"senator"})) == charged


def test_a_word_said_as_another_through_a_lexicon_is_found_on_its_word(recognizer: Recognizer, tmp_path: Path) -> None:
    source = tmp_path / "ferry.md"
    source.write_text(ARTICLE, encoding="utf-8")
    lexicon = tmp_path / "wrong.toml"
    lexicon.write_text('[words]\ncrossing = "umbrella"\n', encoding="utf-8")
    options = ConvertOptions(notice=False, cover=False, word_timings=True, lexicons=(str(lexicon),))
    audio = convert(source, tmp_path / "wrong.mp3", options).paths[0]
    from audiogen.spoken.lexicon import sayings

    report = proof_narration(audio, recognizer=recognizer, lexicon=sayings([lexicon]))
    assert [s.meant for s in report.flagged] == ["Passengers said the crossing was calm and quick."]
    finding = report.flagged[0].words[0]
    assert (finding.kind, finding.meant, finding.heard) == ("misread", "crossing", "umbrella")
    assert finding.detail == "your lexicon says crossing \u2192 umbrella"  # the rule that made it
    _, html_path = write_report(report, audio)
    assert "your lexicon says crossing \u2192 umbrella" in html_path.read_text(encoding="utf-8")
    # the proof command names it too
    result = CliRunner().invoke(main, ["proof", str(audio), "--lexicon", str(lexicon)])
    assert result.exit_code == 4, result.output
    data = json.loads(audio.with_name("wrong.proof.json").read_text(encoding="utf-8"))
    assert data["sentences"][2]["words"][0]["detail"].startswith("your lexicon says crossing")


def test_a_word_whose_audio_is_another_or_cut_out_is_found(
    recognizer: Recognizer, timed_narration: tuple[Path, dict[str, Any]]
) -> None:
    audio, timings = timed_narration
    operator, passengers = _word(timings, "operator"), _word(timings, "Passengers")

    def swapped(samples: np.ndarray, rate: int) -> np.ndarray:
        a, b = operator["start_ms"] * rate // 1000, operator["end_ms"] * rate // 1000
        other = samples[passengers["start_ms"] * rate // 1000 : passengers["end_ms"] * rate // 1000]
        samples[a:b] = np.resize(other, b - a)
        return samples

    report = proof_narration(_damaged(audio, "swapped", swapped), recognizer=recognizer)
    assert [s.meant for s in report.flagged] == ["The operator plans to add a second boat in the spring."]
    assert report.flagged[0].words[0].meant == "operator"

    tuesday = _word(timings, "Tuesday")

    def dropped(samples: np.ndarray, rate: int) -> np.ndarray:
        samples[tuesday["start_ms"] * rate // 1000 : tuesday["end_ms"] * rate // 1000] = 0.0
        return samples

    report = proof_narration(_damaged(audio, "dropped", dropped), recognizer=recognizer)
    flagged = [s for s in report.flagged if "Tuesday" in s.meant]
    # its span silenced: a recognizer hears nothing there, or makes a word up in the silence
    assert flagged and any(w.meant == "Tuesday" and w.kind in ("dropped", "misread") for w in flagged[0].words), [
        (s.meant, s.heard) for s in report.sentences
    ]


# -- time and sound as evidence ----------------------------------------------------------


def _shifted(timings: dict[str, Any], after_ms: int, by_ms: int) -> dict[str, Any]:
    """A copy of ``timings`` with every time at or after ``after_ms`` moved by ``by_ms``."""
    moved = json.loads(json.dumps(timings))
    for part in moved["segments"]:
        for item in [part, *part["sentences"], *(w for s in part["sentences"] for w in s.get("words", []))]:
            for key in ("start_ms", "end_ms"):
                if key in item and item[key] >= after_ms:
                    item[key] += by_ms
    return moved


def _edited(audio: Path, name: str, change: Any, timings: dict[str, Any]) -> Path:
    """``_damaged`` with the timings given (the edit moved the words after it)."""
    target = _damaged(audio, name, change)
    target.with_suffix(".json").write_text(json.dumps(timings), encoding="utf-8")
    return target


def test_a_word_said_twice_within_its_own_time_is_found_by_its_sound(
    recognizer: Recognizer, timed_narration: tuple[Path, dict[str, Any]]
) -> None:
    audio, timings = timed_narration
    word = _word(timings, "operator")
    length = word["end_ms"] - word["start_ms"]

    def twice(samples: np.ndarray, rate: int) -> np.ndarray:
        a, b = word["start_ms"] * rate // 1000, word["end_ms"] * rate // 1000
        return np.concatenate((samples[:b], samples[a:b], samples[b:]))

    # the voice's own timings give the word both copies' time, as a voice that said it twice would
    report = proof_narration(
        _edited(audio, "twice", twice, _shifted(timings, word["end_ms"], length)), recognizer=recognizer
    )
    assert [s.meant for s in report.flagged] == ["The operator plans to add a second boat in the spring."]
    found = [w for w in report.flagged[0].words if w.kind == "repeated"]
    assert found and found[0].meant.strip(".,") == "operator", report.flagged[0].words
    # and said again in the pause that follows it
    report = proof_narration(
        _edited(audio, "again", twice, _shifted(timings, word["end_ms"] + 1, length)), recognizer=recognizer
    )
    assert [w.kind for s in report.flagged for w in s.words] == ["repeated"], [
        (s.meant, s.heard, s.words) for s in report.sentences
    ]


def test_a_word_the_voice_gave_no_time_is_dropped(
    recognizer: Recognizer, timed_narration: tuple[Path, dict[str, Any]]
) -> None:
    audio, timings = timed_narration
    word = _word(timings, "operator")
    length = word["end_ms"] - word["start_ms"]

    def cut(samples: np.ndarray, rate: int) -> np.ndarray:
        return np.concatenate((samples[: word["start_ms"] * rate // 1000], samples[word["end_ms"] * rate // 1000 :]))

    moved = _shifted(timings, word["end_ms"], -length)
    for part in moved["segments"]:
        for sentence in part["sentences"]:
            for item in sentence.get("words", []):
                if item["text"] == "operator":
                    item["end_ms"] = item["start_ms"]  # what the voice's timings show for a word not said
    report = proof_narration(_edited(audio, "cut", cut, moved), recognizer=recognizer)
    assert [s.meant for s in report.flagged] == ["The operator plans to add a second boat in the spring."]
    assert [(w.kind, w.meant) for w in report.flagged[0].words] == [("dropped", "operator")]


NAMED = (
    "# The ferry is back\n\n"
    "A teacher, Beatrix Montgomery, thanked the crew for its courage.\n\n"
    "The harbor ferry returned to service on Tuesday after a week of repairs.\n"
)


def test_a_name_said_subtly_wrong_is_a_name_to_check_and_said_right_is_not(
    recognizer: Recognizer, tmp_path: Path
) -> None:
    source = tmp_path / "pier.md"
    source.write_text(NAMED, encoding="utf-8")
    garbled = tmp_path / "garbled.toml"
    garbled.write_text('[words]\nMontgomery = "Nontgomery"\n', encoding="utf-8")  # one sound changed
    options = ConvertOptions(notice=False, cover=False, word_timings=True)
    right = proof_narration(convert(source, tmp_path / "right.wav", options).paths[0], recognizer=recognizer)
    assert not [w for s in right.sentences for w in s.words], [(s.heard, s.words) for s in right.sentences]
    options = ConvertOptions(notice=False, cover=False, word_timings=True, lexicons=(str(garbled),))
    wrong = proof_narration(convert(source, tmp_path / "wrong.wav", options).paths[0], recognizer=recognizer)
    names = [w for s in wrong.sentences for w in s.words if w.kind == "name"]
    assert [w.meant.strip(".,") for w in names] == ["Montgomery"], [(s.heard, s.words) for s in wrong.sentences]
    assert "recognizer gives the name" in names[0].detail
    data = wrong.to_json()
    assert data["findings"]["name"] == 1


def test_heard_words_are_placed_on_the_narrations_clock() -> None:
    from audiogen.proof.listen import SAMPLE_RATE, HeardWord
    from audiogen.proof.timing import ClipMap, forced_by_sentence

    # two pieces: narration 10.0–12.0 s at clip 0.3 s, narration 20.0–21.0 s at clip 2.6 s
    clip_map = ClipMap(
        [
            (int(0.3 * SAMPLE_RATE), 10 * SAMPLE_RATE, 2 * SAMPLE_RATE),
            (int(2.6 * SAMPLE_RATE), 20 * SAMPLE_RATE, SAMPLE_RATE),
        ]
    )
    assert clip_map.to_ms(0.8) == 10_500 and clip_map.to_ms(3.1) == 20_500
    words = [HeardWord(" One", 0.3, 0.6, 0.9), HeardWord(" two.", 0.6, 1.0, 0.8), HeardWord(" Three", 2.6, 3.0, 0.1)]
    by_sentence = forced_by_sentence(words, ["One two.", "Three"], clip_map)
    assert [[w.text for w in sentence] for sentence in by_sentence] == [["One", "two."], ["Three"]]
    assert by_sentence[1][0].start_ms == 20_000 and by_sentence[1][0].probability == 0.1
    # words that do not spell the text back are not shared out by guess
    assert forced_by_sentence(words, ["One two", "Three"], clip_map) == [[], []]


def test_fix_says_a_glitch_again_and_ranks_a_finding_above_a_score() -> None:
    from audiogen.proof.check import SentenceProof, WordFinding
    from audiogen.proof.repair import _standing

    options = alternatives("The ferry sailed.", "The ferry sailed.", glitch=True)
    assert options[0] == ("said again", "The ferry sailed. ")  # a fresh rendering, kept apart in the cache
    assert "said again" not in dict(alternatives("The ferry sailed.", "The ferry sailed."))
    noise = WordFinding("ferry", "", 100, 300, "noise")
    noisy = SentenceProof(0, 0, 900, "The ferry sailed.", "the ferry sailed", 1.0, True, words=[noise])
    clean = SentenceProof(0, 0, 900, "The ferry sailed.", "the ferry sailed", 0.9, False)
    assert _standing(clean) > _standing(noisy)  # no finding beats a better score with one


def test_every_stretch_fits_one_window_of_the_recognizer() -> None:
    """Stretches joined with their margins and silences stay within the 30 seconds a
    Whisper model hears at once (a longer clip falls to the slow full search)."""
    from audiogen.proof.check import _CONFIRM_GAP_SECONDS, _joined, _span, _windows
    from audiogen.proof.listen import WINDOW_SAMPLES

    rng = np.random.default_rng(7)
    sentences, at = [], 0
    for _ in range(120):
        length = int(rng.integers(800, 9000))
        sentences.append((at, at + length, "words"))
        at += length + int(rng.integers(300, 1200))
    samples = np.zeros(int(at * 16), dtype=np.float32)
    items = [(index, start, end, text) for index, (start, end, text) in enumerate(sentences)]
    for windows, gap in (
        (_windows(items), 0.3),
        (_windows(items[::3], consecutive=False, gap=_CONFIRM_GAP_SECONDS), _CONFIRM_GAP_SECONDS),
    ):
        clips = [_joined(samples, [_span(s, e, sentences) for _, s, e, _ in window], gap=gap)[0] for window in windows]
        assert max(clip.size for clip in clips) <= WINDOW_SAMPLES
        assert sum(clip.size for clip in clips) > 0.8 * len(clips) * 26 * 16000  # and they are filled
