"""Find and parse quantities in French and English text: money, power, counts, durations, rates.

Handles the forms news actually prints: "100 milliards de dollars", "4, 5 GW" (4.5), "11, 9
milliards", "1 400 milliards", "1.000 milliards" (French thousands), "30 Mds€", "4,5 Md$",
"$38 billion over seven years", "$6bn", "$10B", "1.4 trillion", "half a trillion", "30 milliards
par an", bounds ("jusqu'à", "up to", "au moins", "more than", "moins de", "about"), ranges
("$50–60B", "entre 50 et 60 milliards"), spelled-out numbers ("quatre ans", "seven years") and
vague amounts ("des milliards", "tens of billions") as decade ranges.

The text is scanned through a cleaned copy (zero-width and direction marks dropped, exotic spaces
made plain, typographic apostrophes straightened) with a map back to the original, so every span
is exact in the text as given. Bare numbers (years, dates, ages, percentages) are not amounts
unless asked for.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from stargate.units import Bound, Quantity

_DROP: Final = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u00ad"
)
_SPACES: Final = frozenset("\u00a0\u202f\u2009\u2007\u2008\u200a\u2002\u2003\u2004\u2005\u2006\t")
_APOSTROPHES: Final = frozenset("’‘`´ʼ")
_DASHES: Final = frozenset("–—‒−")


@dataclass(frozen=True, slots=True)
class Mention:
    """A quantity found in text. ``start``/``end`` index the original text."""

    quantity: Quantity
    category: str  # money | power | energy | count | duration | ratio
    start: int
    end: int
    text: str
    period: str | None = None  # per_year, over_N_years (money only), else None
    vague: bool = False
    explicit_unit: bool = True  # False when the currency was inferred from context
    years: Decimal | None = None  # the duration a money amount is spread over, if stated

    @property
    def amount(self) -> Decimal:
        return self.quantity.amount


@dataclass(frozen=True, slots=True)
class _Clean:
    text: str
    origin: Sequence[int]  # origin[i] = index in the original text of cleaned character i

    def span(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


_SAME_SIZE: Final = str.maketrans(
    {
        **dict.fromkeys(_SPACES, " "),
        **dict.fromkeys(_APOSTROPHES, "'"),
        **dict.fromkeys(_DASHES, "-"),
    }
)
_DROP_RE: Final = re.compile(f"[{''.join(sorted(_DROP))}]")


def clean(text: str) -> _Clean:
    if not _DROP_RE.search(text):  # one character for one: the map is the identity
        return _Clean(text.translate(_SAME_SIZE), array("q", range(len(text) + 1)))
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in _DROP:
            continue
        if char in _SPACES:
            char = " "
        elif char in _APOSTROPHES:
            char = "'"
        elif char in _DASHES:
            char = "-"
        out.append(char)
        origin.append(index)
    origin.append(len(text))
    return _Clean("".join(out), origin)


# -- numbers written in words -------------------------------------------------------------------

_UNITS_FR: Final = {
    "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100, "mille": 1000,
}  # fmt: skip
_UNITS_EN: Final = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "half": 0.5,
}  # fmt: skip
_WORDS: Final = {**_UNITS_FR, **_UNITS_EN}
_ARTICLES: Final = frozenset({"a", "an", "un", "une", "half"})
_WORD_RE: Final = "|".join(sorted((re.escape(w) for w in _WORDS), key=len, reverse=True))
_LEAD_RE: Final = "|".join(
    sorted((re.escape(w) for w in _WORDS if w not in _ARTICLES), key=len, reverse=True)
)
# A number in words never starts with an article; "un milliard", "a billion", "half a trillion"
# are matched only when a scale word follows (see _NUMBER).
_WORD_NUMBER: Final = rf"(?:(?:{_LEAD_RE})(?:[- ](?:et[- ])?(?:and[- ])?(?:{_WORD_RE}))*)"


def words_to_number(words: str) -> Decimal | None:
    """'quatre' -> 4, 'cinq cents' -> 500, 'twenty-five' -> 25, 'half a' -> 0.5; else None."""
    tokens = [t for t in re.split(r"[- ]+", words.lower()) if t and t not in {"et", "and"}]
    if not tokens or any(t not in _WORDS for t in tokens):
        return None
    if tokens[0] == "half":
        return Decimal("0.5")
    total, current = Decimal(0), Decimal(0)
    for token in tokens:
        value = Decimal(str(_WORDS[token]))
        if value == 100:
            current = (current or Decimal(1)) * 100
        elif value == 1000:
            total += (current or Decimal(1)) * 1000
            current = Decimal(0)
        else:
            current += value
    return total + current


# -- the grammar ------------------------------------------------------------------------------

_SCALES: Final = (
    (r"mille\s+milliards?", Decimal(10) ** 12),
    (r"trillions?|tn|T(?![a-zA-Z])", Decimal(10) ** 12),
    (r"milliards?|mds?|md|mrds?|billions?|bn|bln|b(?![a-zA-Z])", Decimal(10) ** 9),
    (r"millions?|mns?|mio|m(?![a-zA-Z])", Decimal(10) ** 6),
    (r"thousands?|milliers?|k(?![a-zA-Z])", Decimal(10) ** 3),
)
_SCALE_RE: Final = "|".join(f"(?:{p})" for p, _ in _SCALES)
_CURRENCY_WORDS: Final = (
    (
        r"de\s+dollars?(?:\s+(?:américains|us))?|dollars?(?:\s+(?:américains|us))?|"
        r"u\.?s\.?\s+dollars?|usd|us\$|\$",
        "USD",
    ),
    (r"d'euros?|euros?|eur|€", "EUR"),
    (r"de\s+livres(?:\s+sterling)?|livres\s+sterling|pounds?(?:\s+sterling)?|gbp|£", "GBP"),
    (r"de\s+yens?|yens?|jpy|¥", "JPY"),
    (r"de\s+yuans?|yuans?|cny|rmb", "CNY"),
)
_CURRENCY_RE: Final = "|".join(f"(?:{p})" for p, _ in _CURRENCY_WORDS)
_PREFIX_CURRENCY: Final = r"(?:us\$|\$|€|£|¥|usd\s?|eur\s?)"
_POWER: Final = (
    (r"gw|gigawatts?|gigawatt", "GW"),
    (r"mw|mégawatts?|megawatts?", "MW"),
    (r"kw|kilowatts?", "kW"),
    (r"tw|térawatts?|terawatts?", "TW"),
)
_ENERGY: Final = (
    (r"twh|térawattheures?|terawatt[- ]hours?", "TWh"),
    (r"gwh|gigawattheures?|gigawatt[- ]hours?", "GWh"),
    (r"mwh|mégawattheures?|megawatt[- ]hours?", "MWh"),
)
_COUNT_NOUNS: Final = (
    r"puces?|gpus?|tpus?|processeurs?|accélérateurs?|(?:super)?chips?|accelerators?|processors?|"
    r"serveurs?|servers?|cartes?\s+graphiques?|processing\s+units?"
)
# what may stand between a count and its noun: brands and models ("300,000 Acme X1 chips",
# "400 000 puces Nvidia" needs none), and a few adjectives ("one million specialized AI chips")
_COUNT_FILLER: Final = (
    r"(?:(?:(?-i:[A-Z][\w.+-]*)|ai|ia|specialized|specialised|custom|advanced|graphics|"
    r"latest|new|additional|more|high-end|spécialisées?|supplémentaires|nouvelles?)\s+){0,3}"
)
_SHARE_NOUNS: Final = r"actions|shares|warrants|bons\s+de\s+souscription|titres"
_PER_UNIT: Final = (
    (r"gigawatts?|gw", "GW"),
    (r"mégawatts?|megawatts?|mw", "MW"),
    (rf"{_COUNT_NOUNS}", "GPU"),
    (r"actions?|shares?", "share"),
    (r"unités?|units?|data\s*cent(?:er|re)s?|centres?\s+de\s+données|sites?|campus", "unit"),
)
_DURATION_NOUNS: Final = r"ans|années?|an|years?|yrs?|mois|months?"

_DIGITS: Final = (
    r"\d{1,3}(?:[ .,]\d{3})+(?:[.,]\d+)?"  # grouped thousands: 1 400 / 1.000 / 1,400.5
    r"|\d+,\s\d{1,2}(?=\s*(?:%|gw|mw|kw|tw|milliards?|millions?|mds?|md|mrds?|billions?|bn|"
    r"trillions?|\$|€|€|dollars?|euros?))"  # the split decimal "4, 5 GW"
    r"|\d+(?:[.,]\d+)?"
)
_APPROX_NOUNS: Final = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
    "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100,
    "dozen": 12, "score": 20,
}  # fmt: skip
_APPROX_RE: Final = "|".join(_APPROX_NOUNS)
_NUMBER: Final = (
    rf"(?:(?:(?P<sign>(?<![\w.,/+-])[+-])|(?<![\w.,/+-]))(?P<digits>{_DIGITS})"
    rf"|(?<![\w-])(?P<words>{_WORD_NUMBER}|half\s+an?|an?|une?)\b(?=\s*(?:{_SCALE_RE})\b)"
    rf"|(?<![\w-])(?:une?|a)\s+(?P<approx>{_APPROX_RE})s?\s+(?:de\s+|d'|of\s+)"
    rf"(?=\d|(?:{_SCALE_RE}|gigawatts?|mégawatts?|megawatts?|{_COUNT_NOUNS})\b)"
    rf"|(?<![\w-])(?P<one>une?|an?|one|first|premier)\s+(?=(?:gigawatt|mégawatt|megawatt)\b)"
    rf"|(?<![\w-])(?P<words2>{_WORD_NUMBER})\b)"
)

_BOUND_BEFORE: Final = (
    (r"jusqu'à|jusqu'a|up\s+to|au\s+plus|at\s+most|no\s+more\s+than|pas\s+plus\s+de|à\s+peine|"
     r"bien\s+moins\s+de|moins\s+de|less\s+than|well\s+under|under|below|inférieure?s?\s+à|"
     r"fewer\s+than|as\s+much\s+as|maximum\s+de", Bound.AT_MOST),
    (r"au\s+moins|au\s+minimum|pas\s+moins\s+de|plus\s+de|bien\s+plus\s+de|au-delà\s+de|"
     r"supérieure?s?\s+à|at\s+least|more\s+than|over|above|in\s+excess\s+of|no\s+less\s+than|"
     r"upwards\s+of|north\s+of", Bound.AT_LEAST),
    (r"environ|près\s+de|quelque|autour\s+de|approximativement|presque|grosso\s+modo|"
     r"about|around|roughly|approximately|nearly|almost|some|circa|~|±|un\s+peu\s+plus\s+de|"
     r"un\s+peu\s+moins\s+de|quasiment", Bound.APPROX),
)  # fmt: skip
_BOUND_RE: Final = "|".join(f"(?:{p})" for p, _ in _BOUND_BEFORE)

_RATE_AFTER: Final = (
    r"par\s+an(?:née)?|chaque\s+année|annuellement|l'an|/\s?an\b|a\s+year|per\s+year|"
    r"each\s+year|every\s+year|annually|per\s+annum|a\s+yr|/\s?yr\b|/\s?year\b|par\s+année"
)
_RATE_BEFORE: Final = r"(?:paiements?\s+)?annuels?\s+(?:de\s+)?|annual\s+|yearly\s+"

_AMOUNT: Final = re.compile(
    rf"""
    (?P<bound>(?:{_BOUND_RE})\s+(?:de\s+|d')?)?
    (?P<pre>{_PREFIX_CURRENCY})?
    {_NUMBER}
    (?:\s*(?:-|à|to)\s*(?P<pre2>{_PREFIX_CURRENCY})?(?P<high>\d+(?:[.,]\d+)?))?
    (?:\s*(?P<scale>{_SCALE_RE})\b\.?)?
    (?:\s*(?:-|à|to)\s*(?P<pre3>{_PREFIX_CURRENCY})?(?P<high2>\d+(?:[.,]\d+)?)\s*(?P<scale2>{_SCALE_RE})\b\.?)?
    (?:(?:\s*|-)(?P<unit>
        (?P<cur>{_CURRENCY_RE})
      | (?P<power>{"|".join(p for p, _ in _POWER)})(?![a-z])
      | (?P<energy>{"|".join(p for p, _ in _ENERGY)})(?![a-z])
      | (?:de\s+|d')?{_COUNT_FILLER}["“]?(?P<count>{_COUNT_NOUNS})(?![\w-])
      | (?:de\s+|d')?(?:(?-i:[A-Z][\w.-]*)\s+){{0,2}}(?P<shares>{_SHARE_NOUNS})(?![\w-])
      | (?P<duration>{_DURATION_NOUNS})(?![a-z])
      | (?P<pct>%|pour\s?cent|percent|per\s+cent)
    ))?
    (?:\s*(?:per|par|a|an|/|for\s+each|pour\s+chaque|le|la|l')\s*
        (?P<perunit>{"|".join(p for p, _ in _PER_UNIT)})(?![\w-])
      | (?P<each>\s*,?\s*(?:each|apiece|chacune?|pièce|l'unité)\b)
    )?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_BETWEEN: Final = re.compile(
    rf"\b(?:entre|between|from|de)\s+(?P<pre>{_PREFIX_CURRENCY})?(?P<low>\d+(?:[.,]\d+)?)\s*"
    rf"(?P<lowscale>{_SCALE_RE})?\s+(?:et|and|à|to)\s+",
    re.IGNORECASE,
)
_VAGUE: Final = re.compile(
    rf"""\b(?P<phrase>
        (?:des|quelques|plusieurs|de\s+nombreux|de\s+nombreuses)\s+
            (?P<fr_mult>dizaines\s+de\s+|centaines\s+de\s+)?(?P<fr_scale>milliards|millions|milliers)
      | (?P<en_mult>tens\s+of\s+|hundreds\s+of\s+|several\s+|many\s+)?
            (?P<en_scale>billions|millions|thousands)\s+of
      | multi-?(?P<multi>billion|million)(?:-dollar)?
      | (?:plusieurs|quelques|several|multiple|a\s+few)\s+(?P<power>gigawatts|mégawatts|megawatts)
    )
    (?:\s+(?:de\s+|d')?(?P<unit>{_CURRENCY_RE}|{_COUNT_FILLER}(?:{_COUNT_NOUNS})))?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_OVER: Final = re.compile(
    rf"^\s*,?\s*(?:sur|pendant|durant|étalés?\s+sur|over|across|during|for)\s+"
    rf"(?:(?:les|la|the|a|une?)\s+)?(?:(?:next|prochaines?|coming|période\s+de)\s+)?"
    rf"(?:(?:environ|près\s+de|about|around|some|roughly|approximately|nearly)\s+)?"
    rf"(?P<n>\d+|{_WORD_NUMBER})\s+"
    rf"(?:(?:prochaines?|next|coming)\s+)?(?P<unit>{_DURATION_NOUNS})\b",
    re.IGNORECASE,
)
_N_YEAR_BEFORE: Final = re.compile(
    rf"(?P<n>\d+|{_WORD_NUMBER})-years?,?\s+(?:(?:an?|the)\s+)?$", re.IGNORECASE
)
_N_YEAR: Final = re.compile(r"^\s*,?\s*(?P<n>\d+)-year\b", re.IGNORECASE)
_ELLIPSIS: Final = re.compile(
    r"\b(?:des|les)\s+(?P<n>\d+(?:[.,]\d+)?)\s+(?:suivants|restants|autres|prochains)\b"
    r"|\b(?:the\s+)?(?:remaining|next|other)\s+\$?(?P<en>\d+(?:[.,]\d+)?)\b(?!\s*(?:%|\w))",
    re.IGNORECASE,
)
_SINGLE_UNIT: Final = re.compile(
    r"\s*(?-i:[A-Z][\w.+-]*\s+)?(?:gpu|chip|accelerator|processor|puce|accélérateur)(?![\w-])", re.I
)
_YEAR: Final = re.compile(r"(?:19|20)\d\d")
_HALF: Final = re.compile(r"^\s*(?:et\s+demie?|and\s+a\s+half)\b", re.I)
_AGE: Final = re.compile(
    r"(?:âgée?\s+de|agé\s+de|aged)\s*$|^\s*(?:-year-old|years?\s+old|ans,)", re.I
)


def _number(raw: str, language: str | None) -> Decimal | None:
    """Digits in French or English conventions; None when the form is ambiguous."""
    text = raw.strip()
    if re.fullmatch(r"\d+,\s\d{1,2}", text):  # "4, 5" before a unit: a split decimal
        return Decimal(text.replace(", ", "."))
    if re.fullmatch(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?", text):  # 1 400 / 4 600,5
        return Decimal(text.replace(" ", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):  # 1.000 (French) / 1.400,5
        if language == "en" and text.count(".") == 1 and "," not in text:
            return Decimal(text)  # English decimal point: 1.400 -> 1.4
        return Decimal(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):  # 1,400 / 1,400.5
        if language == "fr" and text.count(",") == 1 and "." not in text:
            return Decimal(text.replace(",", "."))  # French decimal comma: 1,400 -> 1.4
        return Decimal(text.replace(",", ""))
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return Decimal(text.replace(",", "."))
    return None


def _scale(raw: str | None) -> Decimal:
    if not raw:
        return Decimal(1)
    for pattern, factor in _SCALES:
        if re.fullmatch(pattern, raw.strip().rstrip("."), re.IGNORECASE):
            return factor
    return Decimal(1)


def _lookup(raw: str, table: Iterable[tuple[str, str]]) -> str | None:
    for pattern, code in table:
        if re.fullmatch(pattern, raw.strip(), re.IGNORECASE):
            return code
    return None


def _bound(raw: str | None) -> Bound:
    if not raw:
        return Bound.EXACT
    phrase = re.sub(r"\s+", " ", raw.strip())
    for candidate in (phrase, re.sub(r"\s*(?:de|d')$", "", phrase, flags=re.I)):
        for pattern, bound in _BOUND_BEFORE:
            if re.fullmatch(pattern, candidate, re.IGNORECASE):
                return bound
    return Bound.EXACT


def document_currency(text: str) -> str:
    """The currency a bare amount most likely means in this text (dollars unless euros lead)."""
    lowered = text.lower()
    dollars = len(re.findall(r"\$|dollar|usd", lowered))
    euros = len(re.findall(r"€|euro|eur\b", lowered))
    return "EUR" if euros > dollars else "USD"


_SCALE_ONLY_MONEY: Final = re.compile(
    r"milliards?|mds?|md|mrds?|billions?|bn|bln|trillions?|tn", re.I
)


def find_quantities(
    text: str,
    *,
    language: str | None = None,
    include: Iterable[str] = ("money", "power", "count"),
) -> list[Mention]:
    """Every quantity of the asked categories, in text order, with exact spans.

    ``include`` chooses among money, power, energy, count, duration and ratio. A bare number
    with no unit, currency or scale word (a year, a date, a rank) is never an amount.
    """
    wanted = set(include)
    cleaned = clean(text)
    source = cleaned.text
    currency = document_currency(source)
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []  # cleaned spans already claimed by a mention
    money: list[tuple[Mention, int, int]] = []  # money mentions with their cleaned spans

    for match in _amounts(source):
        mention = _mention(match, source, cleaned, currency, language)
        if mention is None:
            continue
        if mention.category == "money":
            mention = _with_period(mention, source, match.start(), match.end())
            money.append((mention, match.start(), match.end()))
        if mention.category in wanted:
            mentions.append(mention)
            taken.append((match.start(), match.end()))

    for match in _VAGUE.finditer(source):
        if _overlaps(taken, match.start(), match.end()):
            continue
        mention = _vague(match, cleaned, currency)
        if mention is not None and mention.category in wanted:
            mentions.append(mention)
            taken.append((match.start(), match.end()))

    if "money" in wanted:
        mentions += _ellipses(source, cleaned, money, taken)
    if "duration" in wanted:
        mentions += _duration_ellipses(source, cleaned, mentions)
    mentions.sort(key=lambda m: (m.start, -m.end))
    kept: list[Mention] = []
    for mention in mentions:  # a range's low end is not a second amount
        if kept and mention.end <= kept[-1].end:
            continue
        kept.append(mention)
    return kept


_ANCHOR: Final = re.compile(
    rf"\d+|\b(?:{_LEAD_RE}|{_APPROX_RE}|half|first|premier)\b"
    rf"|\b(?:an?|une?)\s+(?=(?:{_SCALE_RE}|gigawatt|mégawatt|megawatt)\b)",
    re.IGNORECASE,
)
_BEFORE: Final = 48  # longest bound and currency words before a number ("un peu moins de US$")
_AFTER: Final = 160  # a match never runs longer than this past its number


def _amounts(source: str) -> Iterable[re.Match[str]]:
    """The matches ``_AMOUNT.finditer(source)`` gives, found only near anchors (digits and
    number words) so that long texts without figures are not scanned position by position."""
    pos, size = 0, len(source)
    for anchor in _ANCHOR.finditer(source):
        if anchor.end() <= pos:
            continue
        start = max(pos, anchor.start() - _BEFORE)
        endpos = min(size, anchor.end() + _AFTER)
        match = _AMOUNT.search(source, start, endpos)
        if match is not None and match.end() > endpos - _BEFORE and endpos < size:
            match = _AMOUNT.search(source, start)  # near the window's end: read on
        if match is None or match.start() > anchor.end():
            pos = max(pos, anchor.end())
            continue
        yield match
        pos = max(match.end(), match.start() + 1)


def _mention(
    match: re.Match[str], source: str, cleaned: _Clean, currency: str, language: str | None
) -> Mention | None:
    digits, words = match.group("digits"), match.group("words") or match.group("words2")
    scale_raw, unit_raw = match.group("scale"), match.group("unit")
    prefix = match.group("pre")
    bound = _bound(match.group("bound"))
    value: Decimal | None
    if match.group("approx"):  # "une centaine de milliards", "a dozen gigawatts"
        value = Decimal(_APPROX_NOUNS[match.group("approx").lower()])
        bound = Bound.APPROX
        if not (scale_raw or unit_raw):
            return None
    elif match.group("one"):  # "d'un gigawatt", "a gigawatt", "the first gigawatt"
        value = Decimal(1)
        if not match.group("power"):
            return None
    elif words is not None:
        value = words_to_number(words)
        if value is None or not (scale_raw or unit_raw):
            return None
        word_start = match.start("words") if match.group("words") else match.start("words2")
        if word_start > 0 and source[word_start - 1].isalnum():
            return None
    else:
        if digits is None:
            return None
        start = match.start("digits")
        if start > 0 and (source[start - 1].isalnum() or source[start - 1] in "_/."):
            return None  # part of a name or code: GPT-4o, V3, H100
        value = _number(digits, language)
        nxt = source[match.end("digits") : match.end("digits") + 1]
        if nxt.isalpha() and not (scale_raw or unit_raw or prefix):
            return None
    if value is None:
        return None
    scale = _scale(scale_raw)
    category: str | None = None
    unit: str | None = None
    explicit = True
    if match.group("cur") or prefix or match.group("pre2") or match.group("pre3"):
        category = "money"
        unit = _lookup(match.group("cur") or "", _CURRENCY_WORDS) or _lookup(
            (prefix or match.group("pre2") or "").strip(), _CURRENCY_WORDS
        )
    elif match.group("power"):
        category, unit = "power", _lookup(match.group("power"), _POWER)
    elif match.group("energy"):
        category, unit = "energy", _lookup(match.group("energy"), _ENERGY)
    elif match.group("count"):
        if digits and not scale_raw and _YEAR.fullmatch(digits):
            return None  # "2025 Nvidia chips": a year before a brand
        category, unit = "count", "GPU"
    elif match.group("shares"):
        category, unit = "shares", "shares"
        if value * scale < 1000:
            return None  # "5 actions" is not a share count worth a claim
    elif match.group("duration") and scale_raw is None:
        category, unit = "duration", _duration_unit(match.group("duration"))
        if re.match(r"(?:over|sur)\b", match.group("bound") or "", re.I):
            bound = Bound.EXACT  # "over seven years" spreads an amount; it bounds nothing
        before = source[max(0, match.start() - 12) : match.start()]
        after = source[match.end() : match.end() + 12]
        if _AGE.search(before) or _AGE.search(after):
            return None
        if half := _HALF.match(after):  # "cinq ans et demi", "five years and a half"
            value += Decimal("0.5")
            end = match.end() + half.end()
            start, stop = cleaned.span(match.start(), end)
            quantity = Quantity(value, unit, bound)
            return Mention(quantity, category, start, stop, "")
    elif match.group("pct"):
        category, unit = "ratio", "percent"
    elif scale_raw and _SCALE_ONLY_MONEY.fullmatch(scale_raw.strip().rstrip(".")):
        category, unit, explicit = "money", currency, False  # "500 milliards" in a dollar story
    if category is None or unit is None:
        return None
    if category == "money" and (match.group("perunit") or match.group("each")):
        per = _lookup(match.group("perunit") or "", _PER_UNIT) or "unit"
        category, unit = "unit_price", f"{unit}/{per}"
    elif (
        category == "money"
        and not scale_raw
        and (
            _SINGLE_UNIT.fullmatch(match.group("count") or "")
            or _SINGLE_UNIT.match(source[match.end() :])
        )
    ):
        category, unit = "unit_price", f"{unit}/GPU"  # "a $40,000 GPU": the price of one
    if match.group("sign") == "-":
        if category != "ratio":
            return None  # a dash before a figure is a range or a list, not a sign
        value = -value
    high = match.group("high") or match.group("high2")
    amount = value * scale
    amount_max = None
    if high is not None:  # "$50-60B" or "$350 billion to $500 billion"
        high_value = _number(high, language)
        high_scale = _scale(match.group("scale2")) if match.group("high2") else scale
        if high_value is None or high_value * high_scale < amount:
            return None
        amount_max = high_value * high_scale
    elif between := re.search(
        rf"(?:{_BETWEEN.pattern})$", source[max(0, match.start() - 60) : match.start()], re.I
    ):
        offset = max(0, match.start() - 60)
        low = _number(between.group("low"), language)
        if low is not None:
            low_scale = _scale(between.group("lowscale")) if between.group("lowscale") else scale
            if low * low_scale <= amount:
                amount_max, amount = amount, low * low_scale
                start, end = cleaned.span(offset + between.start(), match.end())
                quantity = Quantity(amount, unit, Bound.EXACT, amount_max)
                return Mention(quantity, category, start, end, "", explicit_unit=explicit)
    start, end = cleaned.span(match.start(), match.end())
    if category in {"money", "count", "shares", "unit_price"} and amount == 0:
        return None
    quantity = Quantity(amount, unit, bound, amount_max)
    return Mention(quantity, category, start, end, "", explicit_unit=explicit)


def _duration_unit(raw: str) -> str:
    lowered = raw.lower()
    return "months" if lowered.startswith(("mois", "month")) else "years"


def _with_period(mention: Mention, source: str, start: int, end: int) -> Mention:
    """Attach a rate ("par an") or a spread ("sur quatre ans") written around a money amount.

    ``start`` and ``end`` are the amount's span in the cleaned text ``source``.
    """
    after, before = source[end : end + 80], source[max(0, start - 40) : start]
    period, years = None, None
    if re.match(rf"^\s*,?\s*(?:{_RATE_AFTER})", after, re.IGNORECASE) or re.search(
        rf"(?:{_RATE_BEFORE})$", before, re.IGNORECASE
    ):
        period = "per_year"
    elif over := (_OVER.match(after) or _N_YEAR.match(after) or _N_YEAR_BEFORE.search(before)):
        raw = over.group("n")
        n = Decimal(raw) if raw.isdigit() else words_to_number(raw)
        if n is not None and n > 0:
            unit = over.groupdict().get("unit") or "years"
            if unit.lower().startswith(("mois", "month")):
                n = n / 12
            years = n
            period = f"over_{n.normalize():f}_years"
    return Mention(
        mention.quantity, mention.category, mention.start, mention.end, mention.text, period,
        mention.vague, mention.explicit_unit, years,
    )  # fmt: skip


_OF_OTHER: Final = re.compile(  # what follows "millions of" / "des millions de" when not money
    r"(?:\s+(?:de\s+|d'|of\s+)|(?<=of)\s+)(?!(?:l'|the\s+)?(?:investissements?|investments?|"
    r"dettes?|debt|financements?|funding|revenus?|revenues?|capitaux|capital|fonds|funds|"
    r"dépenses|spending|valorisation|valuation|chiffre|equity|bonds|obligations|contrats?|"
    r"contracts?|deals?|accords?|commandes|orders|sales|ventes|pertes|losses|liquidités|cash|"
    r"financement|crédits?|credit|prêts?|loans?|actifs|assets|plus|more)\b)[a-zà-ÿ]",
    re.IGNORECASE,
)
_VAGUE_BASE: Final = {"milliards": 9, "millions": 6, "milliers": 3, "billions": 9, "thousands": 3,
                      "billion": 9, "million": 6}  # fmt: skip


def _vague(match: re.Match[str], cleaned: _Clean, currency: str) -> Mention | None:
    if match.group("power"):  # "plusieurs gigawatts": a few, read as the decade [1, 10]
        unit = "GW" if match.group("power").lower().startswith("giga") else "MW"
        start, end = cleaned.span(match.start("phrase"), match.end("phrase"))
        quantity = Quantity(Decimal(1), unit, Bound.APPROX, Decimal(10))
        return Mention(quantity, "power", start, end, "", vague=True)
    scale_word = (
        match.group("fr_scale") or match.group("en_scale") or match.group("multi")
    ).lower()
    exponent = _VAGUE_BASE[scale_word]
    multiplier = (match.group("fr_mult") or match.group("en_mult") or "").lower()
    if "dizaines" in multiplier or "tens" in multiplier:
        exponent += 1
    elif "centaines" in multiplier or "hundreds" in multiplier:
        exponent += 2
    unit_raw = match.group("unit") or ""
    if not unit_raw and not match.group("multi") and _OF_OTHER.match(cleaned.text, match.end()):
        return None  # "millions of homes", "des millions de foyers": no amount we model
    thousands = scale_word in {"milliers", "thousands"}
    counted = bool(unit_raw) and re.search(rf"(?:{_COUNT_NOUNS})$", unit_raw, re.IGNORECASE)
    if counted or thousands:
        if not counted:
            return None  # "des milliers de personnes": not a quantity we model
        category, unit, explicit = "count", "GPU", True
    else:
        code = _lookup(unit_raw, _CURRENCY_WORDS) if unit_raw else None
        category, unit, explicit = "money", code or currency, code is not None
    low = Decimal(10) ** exponent
    start, end = cleaned.span(match.start(), match.end())
    quantity = Quantity(low, unit, Bound.APPROX, low * 10)
    return Mention(quantity, category, start, end, "", vague=True, explicit_unit=explicit)


def _ellipses(
    source: str,
    cleaned: _Clean,
    money: list[tuple[Mention, int, int]],
    taken: list[tuple[int, int]],
) -> list[Mention]:
    """ "100 milliards de dollars et des 400 suivants": a bare number that refers back to the
    amount just before it in the same sentence inherits that amount's scale and currency."""
    found: list[Mention] = []
    ends = [e for _, _, e in money]  # money spans are in text order
    for match in _ELLIPSIS.finditer(source):
        if _overlaps(taken, match.start(), match.end()):
            continue
        i = bisect.bisect_right(ends, match.start()) - 1
        while i >= 0 and money[i][0].vague:
            i -= 1
        if i < 0 or re.search(r"[.!?]\s", source[money[i][2] : match.start()]):
            continue  # no amount before it in the same sentence
        anchor = money[i][0]
        scale = _written_scale(anchor.quantity.amount)
        if scale is None:
            continue
        value = Decimal((match.group("n") or match.group("en")).replace(",", "."))
        start, end = cleaned.span(match.start(), match.end())
        quantity = Quantity(value * scale, anchor.quantity.unit, Bound.EXACT)
        found.append(Mention(quantity, "money", start, end, "", explicit_unit=anchor.explicit_unit))
    return found


_NEXT_DURATION: Final = re.compile(
    rf"\b(?:to|à|then\s+to|puis\s+à)\s+(?P<n>\d+(?:[.,]\d+)?|{_WORD_NUMBER})"
    rf"(?P<half>\s+(?:et\s+demie?|and\s+a\s+half))?"
    rf"(?=\s*(?:[,.;:)]|in\b|by\b|en\b|d'ici\b|dès\b|from\b|$))",
    re.IGNORECASE,
)


def _duration_ellipses(source: str, cleaned: _Clean, mentions: list[Mention]) -> list[Mention]:
    """ "from three years to four in 2020, then to six": bare numbers after "to"/"à" that follow
    a duration in the same sentence are durations of the same unit."""
    found: list[Mention] = []
    durations = [m for m in mentions if m.category == "duration"]
    for anchor in durations:
        end = bisect.bisect_left(cleaned.origin, anchor.end)
        for _ in range(3):  # a short chain: "to four ..., then to six"
            window = source[end : end + 60]
            stop = re.search(r"[.!?;]\s|\n", window)
            match = _NEXT_DURATION.search(window[: stop.start() if stop else len(window)])
            if match is None or re.search(
                r"(?<!\d)(?!(?:19|20)\d\d\b)\d|%|\$|€", window[: match.start()]
            ):
                break
            raw = match.group("n")
            value = _number(raw, None) if raw[0].isdigit() else words_to_number(raw)
            if value is None or value <= 0 or value > 100:
                break
            value += Decimal("0.5") if match.group("half") else Decimal(0)
            start, stop_at = cleaned.span(end + match.start("n"), end + match.end())
            quantity = Quantity(value, anchor.quantity.unit, Bound.EXACT)
            found.append(Mention(quantity, "duration", start, stop_at, ""))
            end += match.end()
    return found


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of ``spans`` (sorted by start, non-overlapping)."""
    i = bisect.bisect_right(spans, (start, len(spans) and spans[-1][1] + end + 1))
    return any(s < end and start < e for s, e in spans[max(0, i - 1) : i + 1])


def _written_scale(amount: Decimal) -> Decimal | None:
    """The scale word an amount was most likely written with (1e9 for 100 milliards)."""
    for factor in (Decimal(10) ** 12, Decimal(10) ** 9, Decimal(10) ** 6):
        if amount >= factor:
            return factor
    return None
