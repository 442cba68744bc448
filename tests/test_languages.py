"""Articles in other languages: the language found, the voice chosen from it, the spoken
notice in it, and numbers, money, ordinals, times and dates in its conventions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from audiogen.pipeline import load, make_script
from audiogen.reading.clean import detect_language
from audiogen.spoken import normalize
from audiogen.spoken.other import normalize_other
from audiogen.voices import resolve_voice, voice_for_article, voice_for_language

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ARTICLES = {
    "es": "es-presupuesto-autobuses.md",
    "fr": "fr-budget-bus.md",
    "it": "it-bilancio-autobus.md",
    "pt-BR": "pt-orcamento-onibus.md",
    "hi": "hi-bijli-bus.md",
    "en-GB": "en-gb-rail-strike.md",
    "ja": "ja-denki-bus.md",
    "zh": "zh-diandong-gongjiao.md",
}
NOTICES = {
    "es": "Este audio se generó con ayuda de inteligencia artificial.",
    "fr": "Cet audio a été généré avec l'aide de l'intelligence artificielle.",
    "it": "Questo audio è stato generato con l'aiuto dell'intelligenza artificiale.",
    "pt-BR": "Este áudio foi gerado com a ajuda de inteligência artificial.",
    "hi": "यह ऑडियो कृत्रिम बुद्धिमत्ता की सहायता से बनाया गया है।",
    "en-GB": "This audio was generated with AI assistance.",
    "ja": "この音声はAIの支援を受けて生成されました。",
    "zh": "本音频由人工智能辅助生成。",
}
#: what each sample must be heard to say (its numbers in the language's words)
SAID = {
    "es": [
        "diecisiete votos a favor y ocho en contra",
        "cuatro coma cinco millones de euros",
        "la línea nueve a partir del uno de septiembre",
        "cada quince minutos desde las seis treinta",
        "un tres coma cinco por ciento, hasta un euro con cuarenta y cinco céntimos",
        "la segunda fase",
    ],
    "fr": [
        "dix-sept voix contre huit",
        "quatre virgule cinq millions d'euros",
        "à partir du premier septembre",
        "dès six heures trente",
        "trois virgule cinq pour cent",
        "un euro et quarante-cinq centimes",
        "la deuxième phase",
    ],
    "it": [
        "diciassette voti favorevoli e otto contrari",
        "quattro virgola cinque milioni di euro",
        "dal primo settembre",
        "dalle sei trenta",
        "un euro e quarantacinque centesimi",
        "la seconda fase",
    ],
    "pt-BR": [
        "quatro vírgula cinco milhões de euros",
        "a partir de primeiro de setembro",
        "desde as seis trinta",
        "a segunda fase",
        "oitocentos e cinquenta mil reais",
        "dezesseis novos abrigos",
    ],
    "hi": [
        "हर पंद्रह मिनट में एक बस मिलेगी",
        "पैंतालीस करोड़ रुपये",
        "आठ लाख पचास हज़ार रुपये",
        "एक लाख बीस हज़ार लोग",
        "रात दस बजे",
        "तीन दशमलव पाँच प्रतिशत",
        "सुबह ग्यारह बजकर तीस मिनट",
    ],
    "ja": ["四億五千万円", "午前六時三十分から十五分おき", "十八パーセント", "一日あたり約十二万人"],
    "zh": ["4.5亿元", "早上6点30分开始", "1200000人次", "晚上10点以后"],
    "en-GB": [
        "on the third of April twenty twenty-five",
        "closing twelve stations",
        "more than four hundred services",
        "on the twenty-eighth of March twenty twenty-five",
        "one hundred twenty million pound fall",
    ],
}


def script_text(language: str) -> tuple[str, str, list[str]]:
    """The sample's language as found, its notice as written, and what is said."""
    article = load(SAMPLES / ARTICLES[language])
    script = make_script(article, voice_for_article(article.language))
    sentences = [s.spoken for p in script.parts for s in p.sentences]
    return str(article.language), script.parts[0].sentences[0].display, sentences


@pytest.mark.parametrize("language", list(ARTICLES))
def test_each_sample_is_read_in_its_language(language: str) -> None:
    found, notice, sentences = script_text(language)
    assert found.lower() == language.lower()
    assert notice == NOTICES[language]
    spoken = " ".join(sentences)
    for words in SAID[language]:
        assert words in spoken, (words, spoken)
    if language != "zh":  # Mandarin's reader says its digits itself (see normalize_chinese)
        # no digit is left for the voice to guess
        assert not any(ch.isdigit() for ch in spoken), spoken


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("El Consejo de Ministros aprobó el martes el proyecto de ley de presupuestos.", "es"),
        ("Le gouvernement a présenté mercredi son projet de loi de finances pour l'an prochain.", "fr"),
        ("Il governo ha presentato mercoledì la legge di bilancio per il prossimo anno.", "it"),
        ("O governo apresentou na quarta-feira o projeto de orçamento para o próximo ano.", "pt"),
        ("The government presented its budget bill for next year on Wednesday.", "en"),
        ("सरकार ने बुधवार को अगले साल का बजट पेश किया। वित्त मंत्री ने कहा कि किसानों को ज़्यादा मदद मिलेगी।", "hi"),
    ],
)
def test_the_language_of_undeclared_text_is_found(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_too_little_or_too_mixed_text_has_no_language() -> None:
    assert detect_language("OK 12") is None
    assert detect_language("12 34 56 78 90 12 34 56 78 90 12 34 56 78 90 12 34") is None


def test_the_voice_follows_the_articles_language(monkeypatch: pytest.MonkeyPatch) -> None:
    assert voice_for_article(None).name == "joe"
    assert voice_for_article("en").name == "joe"
    assert voice_for_article("en-US").name == "joe"
    # the studio voices are installed with the test tools
    assert {lang: voice_for_article(lang).name for lang in ("es", "fr", "it", "pt-BR", "hi", "en-GB")} == {
        "es": "es-dora",
        "fr": "fr-siwis",
        "it": "it-sara",
        "pt-BR": "pt-dora",
        "hi": "hi-alpha",
        "en-GB": "emma",
    }
    # without them, eSpeak NG's voice for the language; English stays with the default
    monkeypatch.setattr("audiogen.voices.engine_installed", lambda engine, voice=None: engine != "kokoro")
    spanish = voice_for_article("es")
    assert (spanish.engine, spanish.voice) == ("pyttsx3", "roa/es")
    assert voice_for_article("en-GB").name == "joe"
    assert voice_for_language("xx") is None


def test_language_option_overrides_what_the_article_says(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from audiogen.cli import main

    runner = CliRunner()
    spanish = runner.invoke(main, ["script", str(SAMPLES / ARTICLES["es"])])
    assert spanish.exit_code == 0 and spanish.output.startswith(NOTICES["es"])
    forced = runner.invoke(main, ["script", str(SAMPLES / ARTICLES["es"]), "--language", "en"])
    assert forced.exit_code == 0 and forced.output.startswith("This audio was generated")
    british = runner.invoke(main, ["script", str(SAMPLES / "council-budget-brief.md"), "--language", "en-GB"])
    assert british.exit_code == 0


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Subió un 3,5 %.", "es", "Subió un tres coma cinco por ciento."),
        ("Cuesta 1.250 €.", "es", "Cuesta mil doscientos cincuenta euros."),
        ("Cuesta 1 €.", "es", "Cuesta un euro."),
        ("El 1º de mayo y la 3ª edición.", "es", "El primero de mayo y la tercera edición."),
        ("Le 1er mai, la 1re fois, le 3e jour.", "fr", "Le premier mai, la première fois, le troisième jour."),
        ("À 1 h et à 21 h 15.", "fr", "À une heure et à vingt et un heures quinze."),
        ("Costa €12,50.", "it", "Costa dodici euro e cinquanta centesimi."),
        ("Às 14:05, 2,5 %.", "pt", "Às catorze cinco, dois vírgula cinco por cento."),
        ("Ticket 12B, 2024-05-01.", "fr", "Ticket 12B, 2024-05-01."),  # codes and dates stay as written
    ],
)
def test_numbers_money_ordinals_and_times(text: str, language: str, expected: str) -> None:
    assert normalize_other(text, language) == expected


def test_a_narration_says_its_language_to_the_feed_and_player(fake_engine: str, tmp_path: Path) -> None:
    import json

    from audiogen.conversion import ConvertOptions, convert

    convert(SAMPLES / ARTICLES["fr"], tmp_path / "out.mp3", ConvertOptions(voice=fake_engine, cover=False))
    timings = json.loads((tmp_path / "out.json").read_text())
    assert timings["language"] == "fr"
    assert timings["ai_notice"] == NOTICES["fr"]


@pytest.mark.engine
@pytest.mark.parametrize("voice", ["ef_dora", "ff_siwis", "if_sara", "pf_dora", "hf_alpha"])
def test_the_studio_voices_speak_their_languages(voice: str) -> None:
    from audiogen.backends.base import SynthesisOptions
    from audiogen.backends.kokoro import KokoroBackend

    sentences = {
        "e": "El pleno aprobó el presupuesto el martes.",
        "f": "Le conseil a adopté le budget mardi.",
        "i": "Il consiglio ha approvato il bilancio martedì.",
        "p": "A câmara aprovou o orçamento na terça-feira.",
        "h": "नगर निगम ने मंगलवार को बजट पास किया।",
    }
    engine = KokoroBackend()
    text = sentences[voice[0]]
    phonemes = engine.phonemes(text, voice)
    assert phonemes and "^" not in phonemes
    (clip,) = engine.synthesize([text], SynthesisOptions(voice=voice, word_timings=True))
    assert clip.samples.size > 0.8 * 24000 and abs(int(clip.samples.max())) > 3000
    assert [w for _, _, w in clip.words] == text.split()


def test_the_british_sample_reads_dates_day_first() -> None:
    article = load(SAMPLES / ARTICLES["en-GB"])
    us = make_script(replace(article, language="en-US"), resolve_voice("joe"))
    spoken = " ".join(s.spoken for p in us.parts for s in p.sentences)
    assert "March fourth" in spoken  # the same text read as American English


def test_a_paragraph_no_voice_can_read_is_left_out_with_a_caption_note(fake_engine: str, tmp_path: Path) -> None:
    from audiogen.conversion import ConvertOptions, convert

    source = tmp_path / "story.md"
    source.write_text(
        "# Monastery reopens\n\nThe monastery reopened on Tuesday after a year of repairs.\n\n"
        "བོད་ཀྱི་སྐད་ཡིག་ནི་བོད་མིའི་སྐད་ཡིག་ཡིན།\n\nVisitors returned by the hundreds, the abbot said.\n"
    )
    result = convert(source, tmp_path / "out.mp3", ConvertOptions(voice=fake_engine, cover=False))
    assert result.narration.unread == [(1, "und")]
    vtt = (tmp_path / "out.vtt").read_text()
    note = "NOTE Paragraph 2 is in another language (und) and was not read: no voice for it is installed."
    assert note in vtt
    assert vtt.index("after a year of repairs") < vtt.index(note) < vtt.index("Visitors returned")


@pytest.mark.parametrize(
    ("text", "language", "sentences"),
    [
        (
            "El Sr. García llegó a las 10. La Sra. López no vino, según la Dra. Ruiz, etc. Nadie lo esperaba.",
            "es",
            [
                "El señor García llegó a las diez.",
                "La señora López no vino, según la doctora Ruiz, etcétera.",
                "Nadie lo esperaba.",
            ],
        ),
        (
            "M. Dupont est arrivé. Mme Martin non. Le Dr Bernard a parlé avec Me Roux. Me voilà.",
            "fr",
            [
                "monsieur Dupont est arrivé.",
                "madame Martin non.",
                "Le docteur Bernard a parlé avec maître Roux.",
                "Me voilà.",
            ],
        ),
        (
            "Il Dott. Rossi è arrivato. La Sig.ra Bianchi no, ha detto il Prof. Verdi.",
            "it",
            ["Il dottor Rossi è arrivato.", "La signora Bianchi no, ha detto il professor Verdi."],
        ),
        (
            "O Sr. Souza chegou à Av. Paulista, nº 1.200. A Dra. Lima não.",
            "pt",
            ["O senhor Souza chegou à avenida Paulista, número mil e duzentos.", "A doutora Lima não."],
        ),
    ],
)
def test_newswriting_abbreviations_of_each_language(text: str, language: str, sentences: list[str]) -> None:
    from audiogen.spoken import normalize, split_sentences

    assert [normalize(s, lang=language) for s in split_sentences(text, lang=language)] == sentences


def test_a_paragraph_in_another_language_of_the_same_script_gets_its_voice(fake_engine: str, tmp_path: Path) -> None:
    from audiogen.conversion import ConvertOptions, convert

    source = tmp_path / "story.md"
    source.write_text(
        "# Mayor visits Madrid\n\nThe mayor flew to Madrid on Tuesday to sign the twinning agreement with the city.\n\n"
        '"El acuerdo beneficiará a 12 barrios de las dos ciudades y a sus vecinos", dijo la alcaldesa de Madrid.\n\n'
        "She returns on Friday, after meeting the city's transport officials and business leaders.\n"
    )
    result = convert(source, tmp_path / "out.mp3", ConvertOptions(voice=fake_engine, cover=False))
    parts = {cue.text[:20]: (cue.voice, cue.kind) for cue in result.narration.cues}
    assert parts['"El acuerdo benefici'][0] == "es-dora"  # the Spanish studio voice, numbers in Spanish
    assert parts["The mayor flew to Ma"][0] == "" and parts["She returns on Frida"][0] == ""
    timings = (tmp_path / "out.json").read_text()
    assert "doce barrios" not in timings  # the written text is shown; the voice was given Spanish words


def test_english_paragraphs_stay_with_the_narrator() -> None:
    from audiogen.spoken.language import foreign_language

    for text in (
        "The council voted 7-2 on Tuesday to approve the budget after a long debate about buses.",
        "Officials in Lagos, Nairobi and São Paulo said the program would expand next year.",
        "Le Monde and El País reported the story first, citing people familiar with the talks.",
        "Chef Jean-Pierre serves paella, risotto and crème brûlée at his restaurant on Main Street.",
    ):
        assert foreign_language(text, "en") is None, text


def test_german_abbreviations() -> None:
    from audiogen.spoken import normalize, split_sentences

    text = "Die Akte enthält z.B. Arztbriefe bzw. Befunde. Prof. Müller sagte, es koste ca. 2 Mio. Euro."
    assert [normalize(s, lang="de") for s in split_sentences(text, lang="de")] == [
        "Die Akte enthält zum Beispiel Arztbriefe beziehungsweise Befunde.",
        "Professor Müller sagte, es koste circa zwei Millionen Euro.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("यह 12 है", "यह बारह है"),
        ("कुल 51 सीटें", "कुल इक्यावन सीटें"),
        ("12,50,000 लोग", "बारह लाख पचास हज़ार लोग"),  # the Indian grouping
        ("1,250,000 लोग", "बारह लाख पचास हज़ार लोग"),  # the international grouping, same value
        ("बजट ₹5 करोड़ का है", "बजट पाँच करोड़ रुपये का है"),
        ("टिकट ₹12.50 का", "टिकट बारह रुपये पचास पैसे का"),
        ("किराया Rs. 450 है", "किराया चार सौ पचास रुपये है"),
        ("₹2.5 लाख", "दो दशमलव पाँच लाख रुपये"),
        ("महंगाई 3.25% रही", "महंगाई तीन दशमलव दो पाँच प्रतिशत रही"),
        ("वृद्धि 7 प्रतिशत", "वृद्धि सात प्रतिशत"),
        ("सन 1999 में", "सन उन्नीस सौ निन्यानबे में"),
        ("2026 में", "दो हज़ार छब्बीस में"),
        ("बैठक 10:30 बजे", "बैठक दस बजकर तीस मिनट"),
        ("14:00 बजे", "चौदह बजे"),
        ("१५ बसें", "पंद्रह बसें"),  # Devanagari digits
        ("35,40,00,00,000 का कर्ज", "पैंतीस अरब चालीस करोड़ का कर्ज"),
        ("बस 100 और 101", "बस एक सौ और एक सौ एक"),
    ],
)
def test_hindi_numbers_on_the_indian_scale(text: str, expected: str) -> None:
    assert normalize(text, "hi") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("東京都は2日、発表した。", "東京都は二日、発表した。"),  # the reader says *futsuka*
        ("総額は3.5億円", "総額は三点五億円"),
        ("前年より12%増えた", "前年より十二パーセント増えた"),
        ("参加者は1,200人", "参加者は千二百人"),
        ("2026年3月1日", "二千二十六年三月一日"),
        ("10:30に会見", "十時三十分に会見"),
        ("午後3:00から", "午後三時から"),
        ("１２％", "十二パーセント"),  # full-width digits
        ("35000000人", "三千五百万人"),
        ("1万2000円", "一万二千円"),
    ],
)
def test_japanese_numbers_in_kanji_numerals(text: str, expected: str) -> None:
    assert normalize(text, "ja") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,200人参加", "1200人参加"),
        ("会议于10:00举行", "会议于10点举行"),
        ("10:30结束", "10点30分结束"),
        ("增长12%", "增长12%"),  # the reader says 百分之十二 itself
        ("１０：３０", "10点30分"),
        ("总额为3.5亿元", "总额为3.5亿元"),
    ],
)
def test_mandarin_numbers_left_as_its_reader_says_them(text: str, expected: str) -> None:
    assert normalize(text, "zh") == expected


@pytest.mark.parametrize(
    ("text", "brazil", "portugal"),
    [
        ("16 ônibus", "dezesseis ônibus", "dezasseis ônibus"),
        ("17 linhas", "dezessete linhas", "dezassete linhas"),
        ("19 paradas", "dezenove paradas", "dezanove paradas"),
        ("2.000.000.000 de reais", "dois bilhões de reais", "dois mil milhões de reais"),
        ("custa 4,50 €", "custa quatro euros e cinquenta centavos", "custa quatro euros e cinquenta cêntimos"),
        ("custa 1,01 €", "custa um euro e um centavo", "custa um euro e um cêntimo"),
    ],
)
def test_brazilian_and_european_portuguese_number_words(text: str, brazil: str, portugal: str) -> None:
    assert normalize(text, "pt-BR") == brazil
    assert normalize(text, "pt-PT") == portugal == normalize(text, "pt")


def test_a_portuguese_article_read_by_a_brazilian_voice_says_brazils_numbers() -> None:
    article = load(SAMPLES / ARTICLES["pt-BR"])
    article = replace(article, language="pt", segments=[replace(article.segments[0], text="São 16 ônibus.")])
    script = make_script(article, resolve_voice("pt-dora"))
    assert "dezesseis" in " ".join(s.spoken for p in script.parts for s in p.sentences)


@pytest.mark.engine
@pytest.mark.parametrize(
    ("voice", "text"),
    [("jf_alpha", "東京都は二日、新しい予算案を発表しました。"), ("zf_xiaobei", "北京市政府二日公布了新的预算方案。")],
)
def test_the_japanese_and_mandarin_studio_voices(voice: str, text: str) -> None:
    from audiogen.backends.base import SynthesisOptions
    from audiogen.backends.kokoro import KokoroBackend

    engine = KokoroBackend()
    phonemes = engine.phonemes(text, voice)
    assert phonemes and not any("\u3040" <= c <= "\u9fff" for c in phonemes)  # no kana or hanzi left
    (clip,) = engine.synthesize([text], SynthesisOptions(voice=voice, word_timings=True))
    assert clip.samples.size > 1.0 * 24000 and abs(int(clip.samples.max())) > 3000
    assert clip.words and clip.words[-1][1] <= clip.samples.size


def test_japanese_and_mandarin_articles_get_their_studio_voices() -> None:
    assert voice_for_article("ja").name == "ja-alpha"
    assert voice_for_article("zh-CN").name == "zh-xiaobei"


def test_a_quotation_in_another_language_gets_its_voice_and_the_attribution_stays(
    fake_engine: str, tmp_path: Path
) -> None:
    from audiogen.conversion import ConvertOptions, convert

    source = tmp_path / "story.md"
    source.write_text(
        "# Summit in Paris\n\nThe leaders met in Paris on Tuesday to agree on a new defence fund for the region.\n\n"
        'President Macron told reporters after the talks: "Nous consacrerons 30 % du fonds à la défense aérienne '
        'de nos voisins." He then left for Brussels, where the ministers meet on Friday.\n'
    )
    result = convert(source, tmp_path / "out.mp3", ConvertOptions(voice=fake_engine, cover=False))
    cues = [(cue.text, cue.voice) for cue in result.narration.cues]
    quote = next(voice for text, voice in cues if text.startswith('"Nous consacrerons'))
    assert quote == "fr-siwis"
    assert next(voice for text, voice in cues if text.startswith("President Macron told")) == ""
    assert next(voice for text, voice in cues if text.startswith("He then left")) == ""
    script = make_script(load(source), resolve_voice(fake_engine))
    said = {s.display: s.spoken for p in script.parts for s in p.sentences}
    assert "trente pour cent" in said['"Nous consacrerons 30 % du fonds à la défense aérienne de nos voisins."']


def test_english_quotations_stay_with_the_narrator() -> None:
    from audiogen.article import Article, Segment

    text = (
        '"We will not retreat from the city, whatever the cost to us," the commander said on Monday. '
        'She added: "The people here have waited long enough for help to arrive."'
    )
    script = make_script(Article(title="t", language="en", segments=[Segment("paragraph", text)]), resolve_voice("joe"))
    assert all(not s.voice for p in script.parts for s in p.sentences)


def test_a_quotation_no_voice_can_read_is_left_out_with_a_note(
    fake_engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audiogen.article import Article, Segment

    monkeypatch.setattr("audiogen.pipeline.voice_for_language", lambda language: None)
    text = 'The minister told the parliament: "Wir werden die Brücke bis zum Ende des Jahres wieder öffnen." Work starts in May.'
    script = make_script(
        Article(title="t", language="en", segments=[Segment("paragraph", text)]), resolve_voice(fake_engine)
    )
    displays = [s.display for p in script.parts for s in p.sentences]
    assert "The minister told the parliament:" in displays and "Work starts in May." in displays
    assert not any("Brücke" in d for d in displays)
    assert script.unread == [(0, "de")]
