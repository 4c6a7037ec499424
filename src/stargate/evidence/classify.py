"""The kind of a percentage, a duration, a price or a money change, from cue words near it.

Conventions: ``tests/fixtures/devcorpus/README.md``. A percentage is a stake (held, owned), a
share of something tied to a counterparty (accounted for, représentait), or a change (rose,
chuté, croissance), signed; any other percentage (market shares, rates, margins) is no claim.
A duration is a term when the clause speaks of a lease, a contract, a depreciation schedule or an
asset's life, and not when it spreads a money amount ("over seven years") or dates an event ("six
months later"). A small money amount beside share words is a share price; money that a company
lost in market value in a session, or an amount "more than earlier forecasts", is a change.
The nearest cue to the figure wins (characters between them), as in :mod:`.cues`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from stargate.ledger.records import ClaimKind

_I = re.IGNORECASE


def _cue(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", _I)


_UP: Final = (
    r"ros[e]|rises?|rising|jump\w*|soar\w*|surg\w*|climb\w*|gain\w*|grew|grow\w*|growth|"
    r"increas\w*|up|lifted|lifts?|spik\w*|rall\w*|advanc\w*|hausse|bondi\w*|bond|grimp\w*|"
    r"augment\w*|progress\w*|croissance|cro[iî]t\w*|gagn\w*|s'envol\w*|envol\w*|tripl\w*|doubl\w*"
)
_DOWN: Final = (
    r"fell|fall\w*|drop\w*|slid\w*|slump\w*|plung\w*|tumbl\w*|declin\w*|sank|sinks?|sinking|"
    r"decreas\w*|down|lower|shed|wiped\s+out|erased|lost|losing|baisse\w*|chut\w*|recul\w*|"
    r"diminu\w*|perd\w*|déviss\w*|plong\w*|effondr\w*|repli\w*|cédé|cède|effac\w*|évapor\w*"
)
CHANGE_UP: Final = _cue(_UP)
CHANGE_DOWN: Final = _cue(_DOWN)
STAKE: Final = _cue(
    r"détien\w*|déten\w*|détenu\w*|possèd\w*|posséd\w*|participation|stake|holds?|held|holding|"
    r"owns?|owned|ownership|shareholder|actionnaire|du\s+capital|capital\s+de|slice|"
    r"conserv\w*|keeps?|retains?|contrôl\w*|controls?"
)
SHARE_OF: Final = _cue(
    r"représent\w*|accounted\s+for|accounts?\s+for|makes?\s+up|made\s+up|pès\w*|pes\w*|"
    r"share\s+of\s+(?:its|the|\w+'s)\s+(?:revenue|sales|backlog|orders)|"
    r"(?:de|du)\s+(?:son|sa|leur)\s+(?:chiffre|carnet|revenu)"
)
NOT_A_CLAIM: Final = _cue(
    r"parts?\s+de\s+marché|market\s+shares?|taux|rates?|interest|intérêts?|marges?|margins?|"
    r"yields?|rendement|probabilit\w*|chances?|des\s+(?:utilisateurs|sondés|américains)|"
    r"of\s+(?:users|respondents|americans|adults)|inflation|tarifs?|tariffs?|droits\s+de\s+douane"
)
SHARE_WORDS: Final = _cue(
    r"shares?|stock|actions?|titres?|cours|share\s+price|closed\s+at|clôtur\w*|cot[ée]e?s?|"
    r"traded|trading|séance|bourse|nasdaq|nyse|wall\s+street|intraday|pré-marché|premarket"
)
VALUE_LOST: Final = _cue(
    r"wiped\s+(?:out|off)|erased|shed|lost|perdu|effacé\w*|évaporé\w*|fait\s+perdre|hit|"
    r"write-?downs?|dépréciation"
)
MARKET_VALUE: Final = _cue(
    r"market\s+(?:value|cap\w*)|valeur\s+(?:boursière|de\s+marché)|capitalisation|"
    r"en\s+une\s+(?:seule\s+)?(?:journée|séance)|in\s+(?:a\s+)?(?:single\s+)?(?:day|session)|"
    r"in\s+one\s+day|operating\s+income|résultat\s+opérationnel"
)
COMPARED_AFTER: Final = re.compile(
    r"^\s*(?:of\s+\w+\s+)?(?P<dir>more|higher|above|over|less|lower|below|de\s+plus|de\s+moins|"
    r"au-dessus|en\s+dessous)\s+(?:than|its|de|que|qu'|par\s+rapport)",
    _I,
)
TERM: Final = _cue(
    r"lease\w*|leasing|bail|baux|contra[ct]t?s?|deals?|agreements?|accords?|partenariat|"
    r"partnership|amortissement\w*|depreciat\w*|amorti\w*|useful\s+life|durée\s+de\s+vie|"
    r"vie\s+utile|life|lives|clock|schedules?|warrants?|maturit\w*|échéance|loans?|prêts?|"
    r"bonds?|obligations?|durée|period|période|licen[cs]e|concession|tenor"
)
NOT_TERM_BEFORE: Final = re.compile(
    r"(?:il\s+y\s+a|depuis|since|dans|within|d'ici|in|en|after|après|before|avant|next|"
    r"prochaines?|past|last|dernières?|derniers?|ces|these|those|les|the|over|sur|pendant|"
    r"durant|during|for|au\s+cours\s+des)\s*$",
    _I,
)
NOT_TERM_AFTER: Final = re.compile(
    r"^\s*(?:ago|later|plus\s+tard|earlier|plus\s+tôt|old|d'âge|after|après|before|avant|"
    r"slip|delay|retard|décalage|d'expérience|of\s+experience|experience|"
    r"de\s+(?:retard|travaux|construction|prison)|of\s+(?:delay|work|construction))",
    _I,
)
CHANGED: Final = _cue(
    r"étend\w*|étendu\w*|prolong\w*|allong\w*|raccourci\w*|réduit\w*|extend\w*|shorten\w*|"
    r"lengthen\w*|moved|cut|converged|passée?s?"
)
SPREAD: Final = re.compile(r"(?:over|sur|pendant|durant|during|for)\b", _I)
PER_GIGAWATT_VERB: Final = re.compile(
    r"\b(?:coût\w*|cost\w*|représent\w*|revient|reviendrait|vaut|requires?|require|needs?|"
    r"nécessit\w*|demand\w*|runs?)\b",
    _I,
)


def nearest(patterns: dict[str, re.Pattern[str]], text: str, start: int, end: int) -> str | None:
    """The name of the pattern with a match nearest to [start, end) in ``text`` (ties: first)."""
    best: tuple[int, int, str] | None = None
    for rank, (name, pattern) in enumerate(patterns.items()):
        for match in pattern.finditer(text):
            if match.start() >= start and match.end() <= end:
                continue
            gap = max(start - match.end(), match.start() - end, 0)
            if best is None or (gap, rank) < best[:2]:
                best = (gap, rank, name)
    return best[2] if best else None


def ratio_kind(clause: str, start: int, end: int) -> tuple[ClaimKind, int] | None:
    """Kind and sign of a percentage at [start, end) of ``clause``; None when it is no claim."""
    window = clause[max(0, start - 60) : end + 40]
    if NOT_A_CLAIM.search(window):
        return None
    found = nearest(
        {"stake": STAKE, "share_of": SHARE_OF, "up": CHANGE_UP, "down": CHANGE_DOWN},
        clause, start, end,
    )  # fmt: skip
    if found is None:
        return None
    if found == "stake":
        return ClaimKind.STAKE, 1
    if found == "share_of":
        return ClaimKind.SHARE_OF, 1
    return ClaimKind.CHANGE, -1 if found == "down" else 1


def money_change(clause: str, start: int, end: int, floor: int = 0) -> int | None:
    """The sign of a money change ("wiped out $50B of market value", "$80 billion more than
    earlier projections"), or None when the amount is not a change. ``floor``: where the
    previous amount of the clause ends (a cue before it is that amount's: "a $700 million hit
    ... and $920 million in depreciation")."""
    compared = COMPARED_AFTER.match(clause[end:])
    if compared is not None:
        direction = compared.group("dir").lower()
        return -1 if direction in {"less", "lower", "below", "de moins", "en dessous"} else 1
    low = max(0, start - 30, floor)
    before, after = clause[low:start], clause[end : end + 20]
    around = clause[max(0, start - 80) : end + 80]
    own = [  # a cue nearer the previous amount than this one is the previous amount's
        m for m in VALUE_LOST.finditer(before)
        if not floor or len(before) - m.end() <= m.start() + low - floor
    ]  # fmt: skip
    if (own or VALUE_LOST.match(after.lstrip())) and MARKET_VALUE.search(around):
        return -1
    return None


def is_share_price(sentence: str, start: int, end: int, amount: Decimal) -> bool:
    """A money figure below 100,000 in a sentence about shares ("rose 4.5% to $255.29")."""
    if amount >= 100_000:
        return False
    return bool(SHARE_WORDS.search(sentence[max(0, start - 160) : end + 60]))


def is_term(clause: str, start: int, end: int, before: str = "") -> bool:
    """Whether a duration at [start, end) of ``clause`` is the term of a deal or an asset
    (``before``: the previous sentence, for "la leur" after "leur durée d'amortissement")."""
    if NOT_TERM_BEFORE.search(clause[max(0, start - 25) : start]):
        return False
    if SPREAD.match(clause[start:end]):
        return False  # "over seven years", "sur cinq ans": a spread, not a term
    if NOT_TERM_AFTER.match(clause[end:]):
        return False
    return bool(TERM.search(clause) or (CHANGED.search(clause) and TERM.search(before)))


def per_unit_divisor(clause: str, power_end: int, money_start: int) -> bool:
    """ "un gigawatt de capacité pourrait représenter 50 milliards": a single unit of power
    before a cost verb and a money amount is the divisor of a unit cost, not a capacity."""
    between = clause[power_end:money_start]
    return (
        money_start >= power_end and len(between) < 90 and bool(PER_GIGAWATT_VERB.search(between))
    )
