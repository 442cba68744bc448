"""English written → spoken: the rules a newsreader applies without thinking.

Each rule is a regular expression and a function that returns the spoken words for a
match. Rules run in order, most specific first (a URL before a phone number before a
date before a bare number), and every rule replaces the digits it reads, so a later,
more general rule never reads the same text twice. Number words come from num2words
(via ``numbers``); what is written here is only the recognising, which no library does
for news text. The rules' readings live in one module per kind of text; this one holds
their order and runs them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from audiogen.spoken import tables
from audiogen.spoken.addresses import (
    Rule,
    address_rules,
    read_compass,
    read_email,
    read_handle,
    read_hashtag,
    read_house_number,
    read_in_pairs,
    read_ip,
    read_phone,
    read_short_code,
    read_state,
    read_street_after_name,
    read_toll_free,
    read_url,
)
from audiogen.spoken.dates import (
    MONTH,
    Settings,
    read_day_month,
    read_decade,
    read_decade_range,
    read_era,
    read_iso_date,
    read_month_alone,
    read_month_day,
    read_month_days,
    read_month_year,
    read_numeric_date,
    read_plain_year,
    read_quarter,
    read_quarter_alone,
    read_season,
    read_time,
    read_weekday,
    read_year_range,
)
from audiogen.spoken.gates import Gate, gates_for, passes
from audiogen.spoken.money import (
    NUM,
    NUMBERED_PARTS,
    ORD_SUFFIX,
    UNIT_WORDS,
    counted,
    money_pattern,
    number_words,
    read_a_unit,
    read_dimension,
    read_fraction,
    read_inches,
    read_magnitude,
    read_measure,
    read_million_or_meters,
    read_minus,
    read_money,
    read_money_range,
    read_money_span,
    read_number,
    read_number_range,
    read_numbered_roman,
    read_ordinal,
    read_out_of,
    read_per_period,
    read_percent,
    read_percent_both,
    read_percent_range,
    read_range_to,
    read_roman,
    read_scaled,
    read_score,
    read_space_grouped,
    read_split_letters_digits,
    read_times,
    read_vulgar,
    read_word_number,
)
from audiogen.spoken.numbers import cardinal, decimal, year
from audiogen.spoken.phones import PHONE_SHAPE, read_phone_numbers
from audiogen.spoken.sentences import SENTENCE_STARTERS
from audiogen.spoken.titles import (
    FULL_STATE_TAGS,
    GENERAL_BARE,
    NEWS,
    ORGANIZATIONS_NEED_STOP,
    alternation,
    any_case,
    either_first_letter,
    read_after_name,
    read_ap_state,
    read_degree,
    read_general,
    read_initialism,
    read_name_initial,
    read_number_sign,
    read_numbered,
    read_organization,
    read_party_tag,
    read_prime_minister,
    read_slash_words,
    read_symbol,
    read_title,
)

# -- the rules, in the order they run ------------------------------------------------
#
# What each rule says is written in the module of its kind of text: ``money`` (numbers,
# money, units), ``dates`` (dates and times), ``addresses`` (addresses, phones, links)
# and ``titles`` (abbreviations, titles, symbols). The order is kept here, in one list,
# because it is what makes the rules work together.


def build_rules(settings: Settings) -> list[Rule]:
    units = "|".join(sorted((re.escape(u) for u in tables.UNITS), key=len, reverse=True))
    scales = "|".join(sorted(tables.SCALES, key=len, reverse=True))
    symbols = "|".join(re.escape(s) for s in tables.CURRENCIES if not s.isalpha())
    codes = "|".join(s for s in tables.CURRENCIES if s.isalpha())
    money = money_pattern()
    money_plain = (
        money.replace("?P<code>", "?:")
        .replace("?P<symbol>", "?:")
        .replace("?P<amount>", "?:")
        .replace("?P<scale>", "?:")
    )
    flags = re.IGNORECASE
    news = NEWS
    months_dotted = alternation(news.months)
    weekdays_sure = alternation(d for d in news.weekdays if d not in ("Sat", "Sun"))
    weekdays_all = alternation(news.weekdays)
    states_ap = alternation(news.states_ap)
    states_sure = alternation(s for s in news.states_ap if s not in news.states_ambiguous and s != "D.C")
    states_any = alternation([*news.states_ap, *news.states_postal, *FULL_STATE_TAGS])
    titles = alternation(news.titles)
    streets = alternation(f for f in news.streets if f[0].isupper() and len(f) < 5)
    organizations = alternation([*news.organizations, *(o.lower() for o in news.organizations if len(o) > 2)])
    organizations_bare = alternation(o for o in news.organizations if o not in ORGANIZATIONS_NEED_STOP)
    general_words = [f for f in news.general if f.isalpha() and f.islower()]
    general_stop = alternation(either_first_letter(f for f in general_words if f not in GENERAL_BARE))
    general_bare = alternation(
        either_first_letter(f for f in news.general if f not in general_words or f in GENERAL_BARE)
    )
    numbered = alternation(news.numbered)
    compass = alternation(news.compass)
    starters = f"(?:{alternation(SENTENCE_STARTERS)})"
    # a unit, an optional "/unit" ("km/h", "$/mo."), and its period when the sentence goes on
    unit_tail = (
        rf"(?P<unit>{units})(?:\.?/(?P<per>{units}|[a-z]+)\.?)?"
        rf"(?P<dot>(?<=[a-z])\.(?=\s+(?!{starters}\b)|[,;:)]|$))?(?![\w\u00b2\u00b3])"
    )
    units_after_a = alternation(
        u for u in tables.UNITS if len(u) > 1 and u.replace(" ", "").isalpha() and u.lower() not in UNIT_WORDS
    )
    b = r"(?<![\w.,/])"  # a number starts here
    e = r"(?![\w]|[.,]\d)"  # and ends here
    return [
        # symbols that decorate rather than say anything: rules, bullets, brackets
        (re.compile(r"[_*|~=<>#^\\-]{2,}|(?<!\w)[*|^\\]+|[*|^\\]+(?!\w)|(?<=\s)[<>](?=\s)"), lambda m: " "),
        (re.compile(r"<([^<>\d]{1,80})>"), lambda m: m.group(1)),
        # addresses a listener would not follow digit by digit
        (re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]", flags), read_url),
        (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), read_email),
        (re.compile(r"(^|\s)@(\w{1,30})\b"), read_handle),
        (re.compile(r"(^|\s)#([A-Za-z]\w*)"), read_hashtag),
        (re.compile(rf"{b}(\d{{1,3}}\.\d{{1,3}}\.\d{{1,3}}\.\d{{1,3}}){e}"), read_ip),
        # addresses and telephone numbers written outside AP style
        *address_rules(),
        (
            re.compile(r"(?<![\w+])\+(?P<country>\d{1,3})(?P<number>(?:[\s.-]\(?\d{1,4}\)?){2,5})(?![\d.,]\d)"),
            read_phone,
        ),
        (
            re.compile(r"(?<![\w+])1[-.\s](800|888|877|866|855|844|833)[-.\s]((?:[A-Z0-9]+[-.]?){2,}[A-Z0-9]*)\b"),
            read_toll_free,
        ),
        (
            re.compile(
                rf"(?:(?<![\w+])\+(?P<country>\d{{1,3}})[\s.-]?)?(?P<number>(?:\(\d{{3}}\)\s?|{b}\d{{3}}[-.])\d{{3}}[-.]\d{{4}}(?:-\d{{1,4}})?|{b}\d{{3}}-\d{{2}}-\d{{4}}){e}"
            ),
            read_phone,
        ),
        (PHONE_SHAPE, lambda m: read_phone_numbers(m.group(0))),
        # thousands grouped by spaces, as SI style writes them ("1 000 000", "5 000")
        (re.compile(r"(?<![\w.,])\d{1,3}(?: \d{3})+(?![\w]|[.,]\d| \d)"), read_space_grouped),
        (re.compile(r"\b(sq|cu)\.\s?(?=(?:ft|in|yd|mi|km|m)\b)"), lambda m: f"{m.group(1)} "),
        (
            re.compile(
                rf"(?<![\w.])({alternation(f for f in news.general if any(c.isdigit() or c == '/' for c in f))})(?![\w(/])"
            ),
            read_general,
        ),
        (re.compile(r"(\b(?:text|texting|call|dial|send)\s+(?:[A-Z]+\s+to\s+)?)(\d{3,6})\b", flags), read_short_code),
        # people and places
        (
            re.compile(rf"(?<![\w-])(?P<party>[DRI])-(?P<state>{states_any})\.?(?=[)\s,;:]|$)"),
            read_party_tag,
        ),
        (
            # a state legislator's tag names the home town: "(D-Springfield)", ", R-Fort Worth,"
            re.compile(
                r"(?<=[(,] )(?P<party>[DRI])-(?P<state>[A-Z][a-z]+(?: [A-Z][a-z]+)?)(?=[),])|(?<=\()(?P<party2>[DRI])-(?P<state2>[A-Z][a-z]+(?: [A-Z][a-z]+)?)(?=\))"
            ),
            lambda m: (
                f"{NEWS.parties[m.group('party') or m.group('party2')]} of {m.group('state') or m.group('state2')}"
            ),
        ),
        (re.compile(rf"(?P<lead>\b[A-Z][A-Za-z]+, )(?P<state>{states_ap})\.(?=[\s,;:)]|$)"), read_ap_state),
        (re.compile(rf"(?<![\w.])(?P<state>{states_ap})\.(?=,?\s(?:and\s|or\s)?(?:{states_ap})\.)"), read_ap_state),
        (re.compile(rf"(?<![\w.])(?P<state>{states_sure})\.(?=[\s,;:)]|$)"), read_ap_state),
        (re.compile(rf"(\b[A-Z][a-z]+,? )({alternation(news.after_names)})\.?(?=[\s,;:)]|$)"), read_after_name),
        (re.compile(rf"(?<![\w.])({alternation(news.degrees)})\.?(?=[\s,;:)]|$)"), read_degree),
        (
            re.compile(rf"(?<![\w.])(?P<day>{weekdays_all})(?:\.|(?=,))(?=,?\s+(?:{MONTH}\.?\s+\d|\d))", flags),
            read_weekday,
        ),
        (re.compile(rf"(?<![\w.])(?P<day>{weekdays_sure})\.(?=[\s,;:)]|$)"), read_weekday),
        (
            re.compile(
                r"(?P<lead>(?:\b(?:on|by|until|till|since|last|next|this|every|from|through|and|or|before|after)|\b[AaPp]\.?[Mm]\.?) )(?P<day>Sat|Sun)\.(?=[\s,;:)]|$)"
            ),
            read_weekday,
        ),
        (
            re.compile(rf"\b([NSEW])\.\s(?=(?:\d+(?:st|nd|rd|th)|(?:[A-Z][A-Za-z]+\s){{1,3}})\s?(?:{streets})\b)"),
            lambda m: {"N": "North", "S": "South", "E": "East", "W": "West"}[m.group(1)] + " ",
        ),
        (
            re.compile(r"\bM\s?(\d(?:\.\d)?)(?=[\s-]+(?:magnitude|quake|earthquake|temblor|tremor|aftershock)\b)"),
            read_magnitude,
        ),
        # dates
        (re.compile(rf"{b}(\d{{4}})-(\d{{2}})-(\d{{2}}){e}"), read_iso_date),
        (re.compile(rf"{b}(\d{{4}})[/.](\d{{1,2}})[/.](\d{{1,2}}){e}"), read_iso_date),
        (re.compile(rf"{b}(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}|\d{{2}}){e}"), read_numeric_date(settings)),
        (
            re.compile(
                rf"\b(?P<month>{MONTH})\.?\s(?P<day>\d{{1,2}}){ORD_SUFFIX}?\s?[-\u2013]\s?(?P<day2>\d{{1,2}}){ORD_SUFFIX}?{e}",
                flags,
            ),
            read_month_days,
        ),
        (
            re.compile(
                rf"\b(?P<month>{MONTH})\.?[\s-](?P<day>\d{{1,2}}){ORD_SUFFIX}?(?:(?:,\s*|\s|-)(?P<year>\d{{4}}))?{e}",
                flags,
            ),
            read_month_day,
        ),
        (
            re.compile(
                rf"(?:\bthe\s)?{b}(?P<day>\d{{1,2}}){ORD_SUFFIX}?(?:\s+of)?\s+(?P<month>{MONTH})\b\.?(?:,?\s+(?P<year>\d{{4}}))?{e}",
                flags,
            ),
            read_day_month,
        ),
        (re.compile(rf"\b({MONTH})\.?\s+(\d{{4}}){e}", flags), read_month_year),
        (re.compile(rf"{b}([1-4])Q(\d{{2}}|\d{{4}}){e}"), read_quarter),
        (re.compile(r"\bQ([1-4])\s?(\d{4}|['\u2019]?\d{2})\b"), read_quarter),
        (re.compile(rf"{b}(\d{{1,4}})\s?(A\.?D\.?|B\.?C\.?E?\.?|C\.?E\.?)(?=\W|$)"), read_era),
        (re.compile(rf"{b}(\d{{4}})s-(\d{{4}})s{e}"), read_decade_range),
        (re.compile(r"(?<![\w.,])(\d{4}s|\d0s|['\u2019]\d0s)(?!\w)"), read_decade),
        # times (a range of times first, so its dash is read "to")
        (
            re.compile(
                r"(\b\d{1,2}(?::\d{2})?\s?(?:[ap]\.?m\.?)?)\s?[-\u2013]\s?(\d{1,2}(?::\d{2})?\s?[ap]\.?m\.?)(?![a-z])",
                flags,
            ),
            read_range_to,
        ),
        (re.compile(r"(\b\d{1,2}:\d{2})\s?[-\u2013]\s?(\d{1,2}:\d{2}\b)"), read_range_to),
        (
            re.compile(
                r"(?<![\w.:])(?P<h>2[0-3]|[01]?\d)(?:(?::(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?)|(?:\.(?P<m2>[0-5]\d)(?=\s?[ap]\.?m)))?"
                r"(?:\s?(?P<ampm>[ap]\.?\s?m\.?)(?![a-z]))?(?:\s(?P<zone>(?:[ecmp]\.?[sd]\.?t|gmt|utc|bst|cet|cest|eet|eest|msk|ist|jst|aest)\b\.?))?",
                flags,
            ),
            lambda m: _time_or_number(m),
        ),
        # money
        (re.compile(rf"({money_plain})\s?[-\u2013]\s?({money_plain})", flags), read_money_range),
        (
            re.compile(
                rf"(?:(?P<code>\b(?:{codes}))\s?|(?P<symbol>{symbols})\s?)(?P<low>{NUM})\s?[-\u2013]\s?(?P<amount>{NUM})(?:\s?(?P<scale>(?:{scales}))\b)?",
                flags,
            ),
            read_money_span,
        ),
        (re.compile(money, flags), read_money),
        (
            re.compile(
                rf"{b}(?P<amount>{NUM})(?:\s?(?P<scale>{scales})\b)?\s(?P<name>dollars?|euros?|pounds? sterling|yuan|yen|won|rubles?|roubles?|hryvnias?|rupees?|francs?|cents?|pence)\b",
                flags,
            ),
            lambda m: (
                f"{decimal(m.group('amount'))}{' ' + tables.SCALES[m.group('scale').lower()] if m.group('scale') else ''} {m.group('name')}"
            ),
        ),
        (
            re.compile(rf"{b}({NUM})\s?\u00a2"),
            lambda m: f"{decimal(m.group(1))} {'cent' if m.group(1) == '1' else 'cents'}",
        ),
        (
            re.compile(rf"{b}(\d+)p(?![\w.])"),
            lambda m: f"{cardinal(int(m.group(1)))} {'penny' if m.group(1) == '1' else 'pence'}",
        ),
        (
            re.compile(rf"{b}({NUM})\s?(bn|mn|mln|bln|tn|trn)\b"),
            lambda m: f"{decimal(m.group(1))} {tables.SCALES[m.group(2)]}",
        ),
        (
            re.compile(r"\bFY\s?'?(\d{4}|\d{2})\b"),
            lambda m: f"fiscal year {year(int(m.group(1))) if len(m.group(1)) == 4 else cardinal(int(m.group(1)))}",
        ),
        (
            re.compile(r"\bH([12])\s?(\d{4})\b"),
            lambda m: f"the {'first' if m.group(1) == '1' else 'second'} half of {year(int(m.group(2)))}",
        ),
        (
            re.compile(r"(?<![\w:.])([01]\d|2[0-3])([0-5]\d)\s?(GMT|UTC|hrs|hours|h)\b"),
            lambda m: (
                f"{'oh ' if m.group(1).startswith('0') else ''}{cardinal(int(m.group(1)))} {'hundred' if m.group(2) == '00' else cardinal(int(m.group(2)))} {m.group(3) if m.group(3) in ('GMT', 'UTC') else 'hours'}"
            ),
        ),
        (
            re.compile(r"\bBoeing (7)(\d7)\b"),
            lambda m: f"Boeing {cardinal(int(m.group(1)))} {cardinal(int(m.group(2)))}",
        ),
        (
            re.compile(rf"{b}({NUM})\s?\u00b0\s?([NSEW])\b"),
            lambda m: f"{decimal(m.group(1))} degrees {tables.COMPASS[m.group(2)]}",
        ),
        (re.compile(r"(^|[\s(])(~|\u2248)\s?(?=\d)"), lambda m: f"{m.group(1)}{tables.APPROXIMATE[m.group(2)]} "),
        (
            re.compile(rf"(?<![\w.])({numbered})\.\s?(?=\d)"),
            read_numbered,
        ),
        (
            re.compile(
                r"\b(Room|Suite|Apartment|Flight|Gate|Highway|Route|Pier|Platform|Studio|Unit|Building|Hangar)\s(\d{3,4})(?![\d,.]\d|\w)"
            ),
            read_in_pairs,
        ),
        (re.compile(rf"{b}(?:(?P<low>{NUM})\s?[-\u2013]\s?)?({NUM})(\s?|-)in\.(?=\s+[a-z(]|,)"), read_inches),
        (re.compile(r"(?<=\d)\s?/\s?(7)\b"), lambda m: " " + cardinal(7)),  # "24/7"
        (
            re.compile(r"([a-z]s?)/(" + "|".join(tables.PER_PERIODS) + r")\b(?:\.(?=\s+[a-z\d]|[,;:)]))?", flags),
            read_per_period,
        ),
        (re.compile(r"(^|[\s(\[])[-\u2212](?=\d)"), lambda m: f"{m.group(1)}minus "),
        (re.compile(rf"\b(a|an|per) ({units_after_a})(?:\.(?=[\s,;:)]|$)|(?=[\s,;:)]|$))"), read_a_unit),
        # percentages, measures, ranges and scores
        (
            re.compile(rf"{b}(?:(?P<whole>\d+)\s)?(?P<num>\d+)/(?P<den>\d+)\s?(?P<unit>{units})(?![\w\u00b2\u00b3])"),
            read_fraction,
        ),
        (
            re.compile(rf"{b}({NUM})\s?/\s?({units})(?![\w\u00b2\u00b3])"),
            lambda m: f"{decimal(m.group(1))} per {tables.UNITS[m.group(2)][0]}",
        ),
        (
            re.compile(rf"{b}(\d+)\s?(?:ft|feet|foot)\.?\s(\d{{1,2}})\s?(?:in|inches|inch)\b"),
            lambda m: f"{counted(int(m.group(1)), ('foot', 'feet'))} {counted(int(m.group(2)), ('inch', 'inches'))}",
        ),
        (
            re.compile(
                rf"{b}(?P<a>{NUM})\s?[-\u2013]\s?(?P<num>{NUM})(?:\s(?P<scale>thousand|million|billion|trillion))?\s?{unit_tail}"
            ),
            lambda m: f"{number_words(m.group('a'))} to {read_measure(m)}",
        ),
        (re.compile(rf"{b}(\d+\.\d+)s(?![\w'\u2019])"), lambda m: f"{decimal(m.group(1))} seconds"),
        (
            re.compile(rf"{b}(\d{{1,2}}(?:\.\d+)?|\d+\.\d+)m(?=\s+(?:people|children|men|women|[a-z]+s)\b)"),
            read_million_or_meters,
        ),
        (re.compile(rf"{b}({NUM})\s?%\s?[-\u2013\u2212]\s?({NUM})\s?%"), read_percent_both),
        (re.compile(rf"{b}({NUM})\s?[-\u2013]\s?({NUM})\s?%"), read_percent_range),
        (re.compile(rf"{b}({NUM})\s?%"), read_percent),
        (re.compile(r"(?<=[\d\s])p\.?p\.?(?=\s|$|[,.;])"), lambda m: "percentage points"),
        (
            re.compile(
                rf"{b}(?P<num>{NUM})(?:\s(?P<scale>thousand|million|billion|trillion))?(?P<sep>[\s-]?){unit_tail}"
            ),
            read_measure,
        ),
        (re.compile(rf"{b}(\d+(?:\.\d+)?)\s?x(?![\w])"), read_times),
        (re.compile(rf"{b}(\d+(?:\.\d+)?)\s?[x\u00d7]\s?(\d+(?:\.\d+)?){e}"), read_dimension),
        (
            re.compile(
                r"(\b(?:won|lost|beat|beating|defeated|drew|tied|passed|failed|voted|vote|votes|score|scored|victory|win|defeat|loss|margin|record)\s+(?:by\s+|a\s+|an\s+)?)(\d{1,3})[-\u2013](\d{1,3})\b",
                flags,
            ),
            read_score,
        ),
        (
            re.compile(
                r"()\b(\d{1,3})[-\u2013](\d{1,3})(?=\s+(?:win|victory|loss|defeat|vote|decision|majority|lead|draw|tie|result|ruling)\b)",
                flags,
            ),
            read_score,
        ),
        (re.compile(rf"{b}(\d{{4}})[-\u2013](\d{{4}}|\d{{2}}){e}"), read_year_range),
        (re.compile(rf"{b}(\d{{4}})/(\d{{2}})(?![\d/])"), read_season),
        (re.compile(rf"{b}({NUM})\s?[-\u2013\u2212]\s?({NUM}){e}"), read_number_range),
        # fractions and ordinals
        (
            re.compile(rf"{b}(\d{{1,2}})/(10|5|100)(?![\w/]|[.,]\d)(?!\s+of\b)"),
            lambda m: read_out_of(m) if int(m.group(1)) <= int(m.group(2)) and int(m.group(1)) > 1 else m.group(0),
        ),
        (
            re.compile(rf"{b}(?:(?P<whole>\d+)\s)?(?P<num>\d+)\s?/\s?(?P<den>\d+)(?:{ORD_SUFFIX})?(?![\w/])", flags),
            read_fraction,
        ),
        (re.compile(r"(?:(?P<whole>\d+)\s?)?(?P<frac>[" + "".join(tables.VULGAR_FRACTIONS) + "])"), read_vulgar),
        (re.compile(rf"{b}(\d{{1,3}}(?:,\d{{3}})*|\d+)({ORD_SUFFIX})\b", flags), read_ordinal),
        # addresses
        (
            re.compile(
                r"\b(?P<number>\d{1,5}) (?P<street>(?:[A-Z][A-Za-z]+ ){1,3})(?P<suffix>"
                + "|".join(k.capitalize() for k in tables.STREETS)
                + r")\b(?P<period>\.?)"
            ),
            read_house_number,
        ),
        (re.compile(r"(,\s)(" + "|".join(tables.STATES) + r")\b(?:\s(\d{5}))?(?=$|[\s,.])"), read_state),
        (re.compile(r"(\b[A-Za-z]+ )?\bQ([1-4])\b(?!['\u2019]?\d)"), read_quarter_alone),
        (re.compile(rf"\b({compass})\b(?=\s+of\s+[A-Z])"), read_compass),
        (
            re.compile(rf"(\b(?:kilometers|miles|meters|feet|yards|nautical miles) )({compass})\b(?=\s+of\b)"),
            lambda m: m.group(1) + NEWS.compass[m.group(2)],
        ),
        (
            re.compile(
                rf"(\b(?:[A-Z][a-z]+|[a-z]*(?:first|second|third|th)) )({streets})\.?(?=,|\s+[a-z\d]|\s+on\b|\s+(?:NW|NE|SW|SE)\b)"
            ),
            read_street_after_name,
        ),
        (
            re.compile(r"(\b(?:Street|Avenue|Road|Boulevard|Drive|Place|Court|Lane|Highway|Parkway) )(NW|NE|SW|SE)\b"),
            lambda m: (
                m.group(1) + {"NW": "Northwest", "NE": "Northeast", "SW": "Southwest", "SE": "Southeast"}[m.group(2)]
            ),
        ),
        # the rest of the numbers
        (re.compile(rf"(^|[\s(\[])[-\u2212]({NUM}){e}"), read_minus),
        (re.compile(r"(?<![\w.,$])(1[1-9]\d\d|20\d\d)(?![\w%]|[.,]\d)"), read_plain_year),
        (re.compile(r"([A-Za-z])-(\d+(?:\.\d+)?)\b"), read_word_number),
        (re.compile(r"#\s?(?=\d)"), lambda m: "number "),
        (re.compile(rf"{b}({NUM})([KMB])(?=\s+[a-z]+|[,;:)]|\.?$)"), read_scaled),
        (re.compile(r"(?<![\w.,])(\d+)([A-Z])(?![\w])"), lambda m: f"{cardinal(int(m.group(1)))} {m.group(2)}"),
        (re.compile(r"([A-Za-z])(\d)"), read_split_letters_digits),
        (re.compile(r"(\d)([A-Za-z]{2,})"), read_split_letters_digits),
        (re.compile(NUM), read_number),
        # words
        (
            re.compile(
                rf"\b(?P<word>{alternation(any_case(NUMBERED_PARTS))})"
                r" (?P<numeral>[ivxlc]{1,6}|[IVXLC]{1,6})\b(?!['\u2019]\w)"
            ),
            read_numbered_roman,
        ),
        # initials of a name, spaced ("C. S. Lewis", "John F. Kennedy"): letters, no stops
        (re.compile(r"(?<![\w.])([A-Z])\.\s(?=(?:[A-Z]\.\s)*[A-Z][a-z])"), read_name_initial),
        (re.compile(r"\b((?:[A-Z][a-z]+)(?: [A-Z][a-z]+)*) ([IVXLC]{2,})\b"), read_roman),
        (
            re.compile(
                r"\b((?:[A-Z][a-z]+ )*(?:"
                + "|".join(w.capitalize() for w in tables.COUNTED_BEFORE_ROMAN)
                + r")) ([IVX])\b"
            ),
            read_roman,
        ),
        (
            re.compile(
                rf"(?<![\w.])({titles})\.?(?=\s+(?:[A-Z]|and\s+(?:{titles})\b|(?:first|second|third)\s+Class\b))"
            ),
            read_title,
        ),
        (re.compile(r"(?<![\w.])PM(?=\s+[A-Z][a-z])"), read_prime_minister),
        (
            re.compile(rf"(?<![\w.])({general_stop})\.(?=[\s,;:)]|$)"),
            read_general,
        ),
        (re.compile(rf"(?<![\w.])({general_bare})(?:\.(?=[\s,;:)]|$)|(?=[\s,;:)'\u2019]|$))"), read_general),
        (re.compile(rf"(?<![\w.])({organizations})\.(?=[\s,;:)'\u2019]|$)"), read_organization),
        (re.compile(rf"(?<![\w.-])({organizations_bare})(?=[\s,;:)]|$)"), read_organization),
        (re.compile(rf"(?<![\w.])({months_dotted})\.(?=[\s,;:)]|$)"), read_month_alone),
        (re.compile(r"\bNo\.\s*(?=[a-z]*\s*\w)"), read_number_sign),
        (re.compile(r"(?<![\w.])((?:[A-Za-z]\.){2,}[A-Za-z]?\.?)(?=\W|$)"), read_initialism),
        (
            re.compile(
                rf"\b(dollars?|cents?|euros?|pounds?|pence|yen|yuan|rupees?|percent)/({units_after_a})\b(?:\.(?=[\s,;:)]|$))?"
            ),
            lambda m: f"{m.group(1)} per {tables.UNITS[m.group(2)][0]}",
        ),
        (re.compile(r"(\b(?:[a-z]+|[A-Z][a-z]*|[A-Z]{2,}))/([a-z]+|[A-Z][a-z]+|[A-Z]{2,})\b(?!/)"), read_slash_words),
        (re.compile(r"[&+=§@°±]"), read_symbol),
    ]


def _time_or_number(m: re.Match[str]) -> str:
    """A clock time needs a colon, or am/pm; a bare number is left to later rules."""
    minutes = m.group("m") or m.group("m2")
    if minutes is None and not m.group("ampm"):
        return m.group(0)
    fields = {"h": m.group("h"), "m": minutes, "s": m.group("s"), "ampm": m.group("ampm"), "zone": m.group("zone")}
    return read_time(_Fields(fields))  # type: ignore[arg-type]


class _Fields:
    """Match-like access to a dict, so ``read_time`` reads one shape of input."""

    def __init__(self, fields: dict[str, str | None]) -> None:
        self._fields = fields

    def group(self, name: str) -> str | None:
        return self._fields[name]


_RULES: dict[Settings, list[tuple[re.Pattern[str], Callable[[re.Match[str]], str], tuple[Gate, ...]]]] = {}
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")


def normalize_english(text: str, settings: Settings | None = None, *, gated: bool = True) -> str:
    """``text`` as a newsreader says it. Each rule runs only on text that holds what its
    matches must (``gates``); ``gated=False`` runs every rule, for the tests that check
    the gates change nothing."""
    settings = settings or Settings()
    rules = _RULES.get(settings)
    if rules is None:
        rules = _RULES[settings] = [
            (pattern, replace, gates_for(pattern)) for pattern, replace in build_rules(settings)
        ]
    final = text[-1:] if text[-1:] in ".?!" else ""
    chars = frozenset(text)
    for pattern, replace, gates in rules:
        if not gated or passes(gates, text, chars):
            changed = pattern.sub(replace, text)
            if changed is not text:
                text, chars = changed, frozenset(changed)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)).strip()
    if final and text and text[-1] not in ".?!\"'\u201d\u2019)":
        text += final  # a rule read the abbreviation that ended the sentence ("9 a.m.")
    return text
