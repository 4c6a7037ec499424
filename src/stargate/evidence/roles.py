"""Roles that follow from what a figure is, once its subject is found (the conventions of
``tests/fixtures/devcorpus/README.md``: subject = payer, investor or lender; object = payee,
investee or borrower; ``null`` subject for a generic figure such as a cost per gigawatt).

- **Debt instruments.** A loan, a bond issue or a debt sale that an organisation obtains, issues
  or carries ("X secured an $8B loan", "X sold $18B of bonds", "X's $18B offering", "une
  entreprise croulant sous 18 milliards de dettes") is the lender's figure: the lender named as
  its source ("from", "auprès de", "de la part de", "through", "led by") is the subject, else
  none, and the borrower is the object. An organisation that is the subject of a verb of
  borrowing ("X a emprunté", "X borrowed", "s'endetter", "raised $7.5B in debt") keeps the
  subject: the sentence reports its act; a lender acting ("JPMorgan provided $9.6B of debt",
  "Pimco bought $18B of the bonds") stays the subject.
- **Unit costs** are generic ("a gigawatt costs $35B"): no subject; an organisation found for
  one becomes its object (whose figure or whose product it is).
- **A compared figure** ("Intel vaut 150 milliards, contre 4 280 milliards pour Nvidia",
  "$2B, compared with $5B for Meta") belongs to the organisation named after it.
- **Money from a named source.** Money an organisation receives "from", "de la part de" or
  "provenant de" another ("CoreWeave a reçu 2 milliards de la part de Nvidia", "700 millions de
  nouveaux capitaux provenant de Nvidia") is paid by that source: it is the subject and the
  receiver the object.
"""

from __future__ import annotations

import re
from typing import Any, Final

from stargate.evidence import syntax
from stargate.evidence.mentions import EntityMention, Sentence
from stargate.evidence.quantities import Mention
from stargate.ledger.records import ClaimKind

_LENDER_BEFORE: Final = re.compile(  # a lender named as the source of the debt
    r"(?:\b(?:from|through|via|led\s+by|provided\s+by|arranged\s+by|underwritten\s+by|"
    r"accordée?s?\s+par|octroyée?s?\s+par|mené\w*\s+par)\s+|"
    r"\b(?:auprès|de\s+la\s+part)\s+(?:de\s+|d'))(?:\S+\s+){0,2}$",
    re.IGNORECASE,
)
_SOURCE_BEFORE: Final = re.compile(  # money received from a named source
    r"(?:\bfrom\s+|\b(?:de\s+la\s+part|provenant|venant|en\s+provenance)\s+(?:de\s+|d'))"
    r"(?:\S+\s+)?$",
    re.IGNORECASE,
)
# lemmas of verbs whose subject is the borrower acting, or the lender acting
_BORROWING: Final = frozenset(
    {"borrow", "emprunter", "endetter", "raise", "lever", "récolter", "amasser", "collect"}
)
_LENDING: Final = frozenset(
    {"lend", "provide", "extend", "underwrite", "arrange", "buy", "purchase", "invest",
     "subscribe", "hoover", "stump", "hold", "add", "finance", "fund", "prêter", "accorder",
     "octroyer", "consentir", "fournir", "souscrire", "acheter", "investir", "apporter",
     "financer"}
)  # fmt: skip
_BORROWING_WORD: Final = re.compile(
    r"\b(?:borrow\w*|emprunt(?:e|é|ée|és|er|ent|era|erait|ons|ait)\b|s'endett\w*|endett\w*|"
    r"rais(?:e|ed|es|ing)|lev(?:é|ée|er|era|ait|ant)\b|lève|récolt\w*|amass\w*|collect\w*)",
    re.IGNORECASE,
)
_LENDING_WORD: Final = re.compile(
    r"\b(?:lend\w*|lent|provid\w*|extend\w*|underwr\w*|bought|buy\w*|purchas\w*|invest\w*|"
    r"subscrib\w*|hoover\w*|stump\w*|prêt(?:e|é|ent|er|era|erait)\b|accord(?:e|é|ée|ent|era)\b|"
    r"octroy\w*|consent\w*|fourni\w*|souscri\w*|achet\w*|investi\w*|apport\w*)",
    re.IGNORECASE,
)
_INSTRUMENT: Final = re.compile(  # the debt the amount is the size of
    r"\b(?:loans?|debt|bonds?|notes|offerings?|credit\s+facilit\w*|dettes?|prêts?|emprunts?|"
    r"obligations|crédits?)\b",
    re.IGNORECASE,
)
_NEAR: Final = 45  # characters around the amount where its debt noun stands
_COMPARED_BEFORE: Final = re.compile(
    r"\b(?:contre|compared\s+(?:with|to)|versus|vs\.?|against)\s+(?:\S+\s+){0,2}$",
    re.IGNORECASE,
)
_OWNER_AFTER: Final = re.compile(  # "(environ 3 630,9 milliards d'euros) pour"
    r"\s*(?:\([^)]{0,60}\)\s*)?(?:pour|for|chez|at)\s+(?:l'|le\s+|la\s+|les\s+|the\s+)?",
    re.IGNORECASE,
)
_RECEIVED: Final = frozenset(
    {ClaimKind.INVESTMENT, ClaimKind.FUNDING_SECURED, ClaimKind.OTHER, ClaimKind.COMMITMENT}
)


class Roles:
    """Role rules for the document reader (:class:`.extract._Document`)."""

    text: str
    parsed: dict[int, Any]
    _untrusted: set[int]
    _source: str

    def _orgs_in(self, start: int, end: int) -> list[EntityMention]:
        raise NotImplementedError

    def _index(self, sentence: Sentence) -> int:
        raise NotImplementedError

    def _clause(self, sentence: Sentence, position: int) -> tuple[int, int]:
        raise NotImplementedError

    def _roles(
        self, q: Mention, sentence: Sentence, kind: ClaimKind, subjects: list[str],
        object_id: str | None,
    ) -> tuple[list[str], str | None]:  # fmt: skip
        """Subject and object after the rules of the module docstring."""
        owner = self._baseline_owner(q, sentence)
        if owner is not None:
            return [owner], None
        if kind is ClaimKind.UNIT_COST:
            return [], object_id or (subjects[0] if subjects else None)
        if kind is ClaimKind.LOAN and subjects:
            return self._lender(q, sentence, subjects, object_id)
        if kind in _RECEIVED:
            source = self._named_source(q, sentence)
            if source is not None and source not in subjects:
                receiver = subjects[0] if subjects else object_id
                return [source], receiver if receiver != source else object_id
        return subjects, object_id

    def _verb_lemmas(self, q: Mention, sentence: Sentence) -> set[str]:
        """The lemmas of the verbs above the amount in the parse (none when unparsed)."""
        index = self._index(sentence)
        doc = self.parsed.get(index)
        if doc is None or index in self._untrusted:
            return set()
        verbs = syntax.verbs_above(doc, sentence.start, q.start, q.end)
        return {str(verb.lemma_).casefold() for verb in verbs}

    def _lender(
        self, q: Mention, sentence: Sentence, subjects: list[str], object_id: str | None
    ) -> tuple[list[str], str | None]:
        start, end = self._clause(sentence, q.start)
        around = (
            self.text[max(start, q.start - _NEAR) : q.start]
            + " "
            + self.text[q.end : min(end, q.end + _NEAR)]
        )
        if not _INSTRUMENT.search(around):
            return subjects, object_id  # the debt is not what the amount measures
        lemmas = self._verb_lemmas(q, sentence)
        before = self.text[sentence.start : q.start]
        if (
            lemmas & (_BORROWING | _LENDING)
            or _BORROWING_WORD.search(before)
            or _LENDING_WORD.search(before)
        ):
            return subjects, object_id  # the sentence reports the borrower's or lender's act
        borrower = subjects[0]
        lenders = [
            m.organisation for m in self._orgs_in(start, end)
            if m.organisation and m.organisation != borrower and not m.is_person
            and _LENDER_BEFORE.search(self.text[max(start, m.start - 40) : m.start])
        ]  # fmt: skip
        self._source = "rules"
        return lenders[:1], borrower

    def _baseline_owner(self, q: Mention, sentence: Sentence) -> str | None:
        """The organisation a compared figure belongs to ("Intel vaut 150 milliards, contre
        4 280 milliards pour Nvidia": Nvidia's)."""
        if not _COMPARED_BEFORE.search(self.text[max(sentence.start, q.start - 40) : q.start]):
            return None
        after = _OWNER_AFTER.match(self.text, q.end, sentence.end)
        if after is None:
            return None
        for m in self._orgs_in(after.end(), min(sentence.end, after.end() + 40)):
            if m.organisation and not m.is_person and m.start <= after.end() + 12:
                return m.organisation
            break
        return None

    def _named_source(self, q: Mention, sentence: Sentence) -> str | None:
        """The organisation named as where the money comes from, right after the amount's
        phrase ("2 milliards de dollars de la part de Nvidia")."""
        _, end = self._clause(sentence, q.start)
        for m in self._orgs_in(q.end, min(end, q.end + 80)):
            if m.is_person or not m.organisation:
                continue
            if _SOURCE_BEFORE.search(self.text[max(q.end, m.start - 40) : m.start]):
                return m.organisation
            break
        return None
