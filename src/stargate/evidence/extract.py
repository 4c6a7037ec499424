"""Sentence-level claims from French and English news: who, to whom, what kind, how much, over
what period, said by whom, with the exact sentence as quote.

One claim per figure that is not boilerplate: money, power, accelerator counts, percentages
(stakes, shares of, changes), share prices, unit costs, terms and share counts (kinds in
:mod:`.classify`). Subjects and counterparties come from :mod:`.subjects` (the parse's actor of
the amount's verb, :mod:`.syntax` on the sentences :mod:`.nlp` analyses, else the clause rules)
and :mod:`.parties` (figures stated about a deal, a project or a class of agents; capacity to
its offtaker); statuses from :mod:`.status`; speakers from :mod:`.speakers`; confidence from
:mod:`.confidence`. Document-level rules (:mod:`.document_rules`, :mod:`.consolidate`) drop
restatements, copy denials and merge repeated facts. Rules are documented in
``docs/extraction.md``.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from typing import Any, Final

from stargate.evidence import classify, cues, nlp, syntax
from stargate.evidence.confidence import score
from stargate.evidence.consolidate import Draft, Extraction, claim_rows, merge
from stargate.evidence.document_rules import DocumentRules
from stargate.evidence.documents import detect_language
from stargate.evidence.mentions import (
    EntityMention,
    Gazetteer,
    Sentence,
    candidates,
    quotations,
    sentences,
)
from stargate.evidence.quantities import Mention, find_quantities
from stargate.evidence.speakers import Speakers
from stargate.evidence.status import Status
from stargate.evidence.subjects import Subjects
from stargate.ledger.records import Claim, ClaimKind, ClaimStatus, EntityType, Source
from stargate.units import Quantity, in_domain

EXTRACTOR: Final = "stargate-rules"
VERSION: Final = "1.0"
ORIGIN: Final = f"{EXTRACTOR} {VERSION}"

_ADDITIONAL = re.compile(
    r"\b(?:supplémentaires?|additionnel\w*|additional|another|extra|de\s+plus|nouvea\w+|further)\b",
    re.IGNORECASE,
)
_PLEDGE = re.compile(r"\b(?:engag\w*|promet\w*|promis\w*|pledg\w*|commit\w*)\b", re.IGNORECASE)
_RATE_IN_CLAUSE = re.compile(r"\b(?:cette\s+année|this\s+year|chaque\s+année|every\s+year)\b", re.I)
# one character for one character, so every offset in the copy is an offset in the original
_SAME_LENGTH: Final = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "\u00a0": " ", "\u202f": " ",
                                     "\u2009": " ", "–": "-", "—": " "})  # fmt: skip
_KIND_BY_UNIT: Final = {
    "power": ClaimKind.CAPACITY, "count": ClaimKind.CAPACITY, "shares": ClaimKind.SHARES,
}  # fmt: skip
_CONVERSION: Final = re.compile(r"\s*[(\[]\s*(?:soit|or|i\.e\.|about|environ|~)?\s*")
_EXTENDED: Final = frozenset(
    {ClaimKind.STAKE, ClaimKind.SHARE_OF, ClaimKind.CHANGE, ClaimKind.SHARE_PRICE,
     ClaimKind.UNIT_COST, ClaimKind.TERM, ClaimKind.SHARES}
)  # fmt: skip
_PROPER_NAME: Final = re.compile(r"[A-Z0-9][\w.&'-]*(?:\s+[A-Z0-9][\w.&'-]*)*")
_DEAL_AFTER: Final = re.compile(  # "seven-year deal", "de cinq ans" after "contrat"
    r"\s+(?:[\w-]+\s+)?(?:deals?|contracts?|agreements?|partnerships?|accords?|contrats?|"
    r"partenariats?)\b",
    re.IGNORECASE,
)
_DEAL_BEFORE: Final = re.compile(  # "un contrat (historique) de cinq ans"
    r"\b(?:contrats?|accords?|partenariats?|deals?|contracts?|agreements?)\s+(?:\w+\s+){0,2}"
    r"(?:de|d'|of)\s*$",
    re.IGNORECASE,
)
_DEAL_KINDS: Final = frozenset(
    {ClaimKind.CONTRACT, ClaimKind.COMMITMENT, ClaimKind.LEASE, ClaimKind.PURCHASE, ClaimKind.OTHER}
)
_CATEGORIES: Final = ("money", "power", "count", "ratio", "duration", "shares", "unit_price")


class Extractor:
    """Rule-based claim extractor; build once (it holds the gazetteer), call per source."""

    name = EXTRACTOR
    version = VERSION
    origin = ORIGIN

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, source: Source) -> list[Claim]:
        return list(self.extract(source).claims)

    def extract(self, source: Source) -> Extraction:
        return _Document(source, self.gazetteer).extract()


class _Document(Speakers, DocumentRules, Subjects, Status):
    def __init__(self, source: Source, gazetteer: Gazetteer) -> None:
        self.source = source
        self.raw = source.text  # quotes are cut from the text as given
        self.text = source.text.translate(_SAME_LENGTH)  # all matching runs on this copy
        self.language = source.language or detect_language(source.text)
        self.gazetteer = gazetteer
        self.sentences = sentences(self.text)
        self.quotes = quotations(self.text)
        self.known = gazetteer.find(self.text)
        self._sentence_starts = [s.start for s in self.sentences]
        self._sentence_index = {id(s): i for i, s in enumerate(self.sentences)}
        self.mentions: list[Mention] = []
        self._mention_starts: list[int] = []
        self.parsed: dict[int, Any] = {}  # sentence index -> spaCy Doc
        self._untrusted: set[int] = set()  # sentences whose parse misreads a name as a verb
        self._generic_words: dict[tuple[int, int], list[int]] = {}
        self._words_of: dict[int, dict[str, bool]] = {}
        self._source = "none"  # where the current draft's subject came from
        self._actor: syntax.Actor | None = None  # the parse's actor phrase of the current figure
        self._project: tuple[str | None] | None = None
        self._breaks: dict[int, list[tuple[int, int]]] = {}
        self._set_entities([])

    def _set_entities(self, extra: list[EntityMention]) -> None:
        self.extra = extra
        self.entities = sorted(self.known + extra, key=lambda m: m.start)
        self._entity_starts = [m.start for m in self.entities]
        self.topic = self._topic()
        self._project = None

    def _analyse(self) -> None:
        """Parse the sentences that hold a quantity (and the one before each) with spaCy; its
        NER adds the organisations and people the gazetteer lacks."""
        wanted = {
            i for i, s in enumerate(self.sentences)
            if s.zone != "boilerplate" and self._mentions_in(s.start, s.end)
        }  # fmt: skip
        spans = [(s.start, s.end) for s in self.sentences]
        picked = nlp.focus(spans, wanted)
        names = [
            (m.start, m.end, m.entity_id) for m in self.known
            if not m.is_person and _PROPER_NAME.fullmatch(self.text[m.start : m.end])
        ]  # fmt: skip
        docs = nlp.analyse(self.text, [spans[i] for i in picked], self.language, names)
        self.parsed = dict(zip(picked, docs, strict=True))
        self._untrusted = {i for i, d in self.parsed.items() if self._misread(d, spans[i][0])}
        extra = candidates(
            self.text, self.known, [(spans[i][0], d) for i, d in self.parsed.items()]
        )
        self._set_entities(extra)

    def _misread(self, doc: Any, offset: int) -> bool:
        """A parse that takes a known organisation's name for a verb ("OpenAI et SoftBank
        ont ...": SoftBank as a participle) is not trusted for who acts."""
        names = self._entities_in(offset, offset + len(doc.text))
        return any(
            t.pos_ in {"VERB", "AUX"}
            and any(m.start <= syntax.span_of(t, offset)[0] < m.end for m in names)
            for t in doc
        )

    def _can_act(self, entity_id: str) -> bool:
        """Media report and sites host: neither pays, invests nor offtakes."""
        entity = self.gazetteer.entities.get(entity_id)
        return entity is None or (entity.role != "media" and entity.type is not EntityType.SITE)

    def _family(self, entity_id: str) -> str:
        """An organisation's parent when the gazetteer gives one (AWS -> Amazon)."""
        entity = self.gazetteer.entities.get(entity_id)
        parent = entity.parent_id if entity is not None else None
        return parent if parent and parent in self.gazetteer.entities else entity_id

    def _mentions_in(self, start: int, end: int) -> list[Mention]:
        i = bisect.bisect_left(self._mention_starts, start)
        j = bisect.bisect_left(self._mention_starts, end)
        return self.mentions[i:j]

    # -- structure ----------------------------------------------------------------------

    def _topic(self) -> str | None:
        """The article's main organisation: the most mentioned (people count for theirs)."""
        counts = Counter(
            m.organisation for m in self.entities
            if m.organisation and self.gazetteer.role(m.organisation) != "media"
        )  # fmt: skip
        return counts.most_common(1)[0][0] if counts else None

    def _topic_project(self) -> str | None:
        """The project the article is about, for "le projet" / "the venture" (computed once)."""
        if self._project is None:
            self._project = (self._count_projects(),)
        return self._project[0]

    def _count_projects(self) -> str | None:
        counts = Counter(
            m.organisation for m in self.entities
            if m.organisation in self.gazetteer.entities
            and self.gazetteer.entities[m.organisation].type is EntityType.PROJECT
        )  # fmt: skip
        return counts.most_common(1)[0][0] if counts else self.topic

    def _sentence_of(self, position: int) -> Sentence | None:
        i = bisect.bisect_right(self._sentence_starts, position) - 1
        if i >= 0 and position < self.sentences[i].end:
            return self.sentences[i]
        return None

    def _index(self, sentence: Sentence) -> int:
        return self._sentence_index[id(sentence)]

    def _entities_in(self, start: int, end: int) -> list[EntityMention]:
        i = bisect.bisect_left(self._entity_starts, start)
        j = bisect.bisect_left(self._entity_starts, end)
        return [m for m in self.entities[i:j] if m.end <= end]

    def _clause(self, sentence: Sentence, position: int) -> tuple[int, int]:
        breaks = self._breaks.get(sentence.start)
        if breaks is None:
            found = cues.CLAUSE_BREAK.finditer(self.text, sentence.start, sentence.end)
            breaks = self._breaks[sentence.start] = [m.span() for m in found]
        start, end = sentence.start, sentence.end
        for a, b in breaks:
            if b <= position:
                start = max(start, b)
            elif a >= position:
                end = min(end, a)
                break
        return start, end

    def _quote_at(self, position: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self.quotes, (position, len(self.text) + 1)) - 1
        if i >= 0 and self.quotes[i][0] <= position < self.quotes[i][1]:
            return self.quotes[i]
        return None

    def _orgs_in(self, start: int, end: int) -> list[EntityMention]:
        return [
            m for m in self._entities_in(start, end)
            if m.organisation and self._can_act(m.organisation)
        ]  # fmt: skip

    def _is_speaker(self, mention: EntityMention, sentence: Sentence) -> bool:
        """A person (or the organisation in their apposition) followed by a speech verb."""
        return self._verb_end(mention, sentence) is not None

    def _verb_end(self, mention: EntityMention, sentence: Sentence) -> int | None:
        """Where the speech verb after ``mention`` ends (within its apposition), if there is one."""
        after = self.text[mention.end : min(sentence.end, mention.end + 90)]
        verb = re.match(rf"^[^.;«»:]{{0,70}}?\b(?:{cues.SPEECH_VERBS})\b", after, re.I)
        return None if verb is None else mention.end + verb.end()

    # -- claim parts --------------------------------------------------------------------

    def _kind(self, q: Mention, sentence: Sentence) -> ClaimKind:
        if q.category in _KIND_BY_UNIT:
            return _KIND_BY_UNIT[q.category]
        window = self.text[sentence.start : sentence.end]
        centre = q.start - sentence.start
        i = bisect.bisect_left(self._mention_starts, sentence.start)
        j = bisect.bisect_left(self._mention_starts, sentence.end)
        others = [  # other money amounts own the cues nearer them; a duration owns none
            (m.start - sentence.start, m.end - sentence.start)
            for m in self.mentions[i:j] if m is not q and m.category == "money"
        ]  # fmt: skip
        best: tuple[int, int, str] | None = None
        for rank, (kind, pattern) in enumerate(cues.KIND_CUES):
            for match in pattern.finditer(window):
                if match.start() >= centre and match.end() <= q.end - sentence.start:
                    continue  # inside the amount itself
                own = (centre, q.end - sentence.start)
                distance = _gap(match.span(), own)
                if any(_belongs_to(match.span(), other, own) for other in others):
                    continue  # "5 Md de dette et 5 Md en capital": "dette" is the first one's
                key = (distance, rank, kind)
                if best is None or key < best:
                    best = key
        if best is not None:
            kind = ClaimKind(best[2])
            start, _ = self._clause(sentence, q.start)
            if kind is ClaimKind.INVESTMENT and _PLEDGE.search(self.text[start : q.start]):
                return ClaimKind.COMMITMENT  # a pledge to invest
            return kind
        return ClaimKind.CONTRACT if q.period == "per_year" else ClaimKind.OTHER

    # -- assembly -------------------------------------------------------------------------

    def _classify(self, q: Mention, sentence: Sentence) -> tuple[ClaimKind, Mention] | None:
        """The kind of a figure and the figure as claimed (signed, priced per share or per
        gigawatt), or None when it is no claim (rules in :mod:`.classify`)."""
        start, end = self._clause(sentence, q.start)
        clause, a, b = self.text[start:end], q.start - start, q.end - start
        unit = q.quantity.unit
        if q.category == "ratio":
            found = classify.ratio_kind(clause, a, b)
            return None if found is None else (found[0], _signed(q, found[1]))
        if q.category == "duration":
            index = self._index(sentence)
            previous = self.sentences[index - 1] if index else None
            before = self.text[previous.start : previous.end] if previous else ""
            if not classify.is_term(clause, a, b, before) or self._spreads_money(q, sentence):
                return None
            return ClaimKind.TERM, q
        if q.category == "unit_price":
            kind = ClaimKind.SHARE_PRICE if unit.endswith("/share") else ClaimKind.UNIT_COST
            return kind, q
        others = [m for m in self._mentions_in(start, end) if m is not q]
        if q.category == "money" and any(
            m.category == "money" and _CONVERSION.fullmatch(self.text[m.end : q.start])
            for m in others
        ):
            return None  # "27 billion US dollars (24.8 billion euros)": a conversion
        if q.category == "power" and q.quantity.amount == 1:
            money = [m for m in others if m.category == "money" and m.start > q.end]
            if money and classify.per_unit_divisor(clause, b, money[0].start - start):
                return None  # "un gigawatt ... coûte 50 milliards": the divisor of a unit cost
        if q.category == "money":
            ones = [
                m for m in others
                if m.category == "power" and m.quantity.amount == 1 and m.end <= q.start
            ]  # fmt: skip
            if ones and classify.per_unit_divisor(clause, ones[-1].end - start, a):
                per = Quantity(q.quantity.amount, f"{unit}/{ones[-1].quantity.unit}")
                return ClaimKind.UNIT_COST, replace(q, quantity=per, category="unit_price")
            sentence_text, offset = self.text[sentence.start : sentence.end], start - sentence.start
            if classify.is_share_price(sentence_text, a + offset, b + offset, q.quantity.amount):
                price = replace(q.quantity, unit=f"{unit}/share")
                return ClaimKind.SHARE_PRICE, replace(q, quantity=price, category="unit_price")
            floor = max(
                (m.end - start for m in others if m.category == "money" and m.end <= q.start),
                default=0,
            )
            if (sign := classify.money_change(clause, a, b, floor)) is not None:
                return ClaimKind.CHANGE, _signed(q, sign)
        return self._kind(q, sentence), q

    def _spreads_money(self, q: Mention, sentence: Sentence) -> bool:
        """A duration that is already the period of a money amount of the sentence, or the
        length of the deal that amount is the value of ("a $38 billion deal ... as part of a
        seven-year deal")."""
        money = [
            m for m in self._mentions_in(sentence.start, sentence.end) if m.category == "money"
        ]
        if any(m.years is not None and m.years == _years(q) for m in money):
            return True
        return bool(money) and q is self._deal_length(sentence)

    def _deal_length(self, sentence: Sentence) -> Mention | None:
        """A duration that qualifies a deal ("a seven-year deal", "un contrat de cinq ans")."""
        for m in self._mentions_in(sentence.start, sentence.end):
            if m.category != "duration":
                continue
            before = self.text[max(sentence.start, m.start - 40) : m.start]
            if _DEAL_AFTER.match(self.text, m.end, sentence.end) or _DEAL_BEFORE.search(before):
                return m
        return None

    def _draft(self, q: Mention) -> Draft | None:
        sentence = self._sentence_of(q.start)
        if sentence is None or sentence.zone == "boilerplate":
            return None
        classified = self._classify(q, sentence)
        if classified is None:
            return None
        kind, q = classified
        doc = self.parsed.get(self._index(sentence))
        if doc is not None and syntax.addressed_to_reader(doc, sentence.start, q.start, q.end):
            return None  # a worked example for the reader, not a claim about anyone
        subjects, object_id = self._subjects(q, sentence, kind)
        start, end = self._clause(sentence, q.start)
        if self._source == "deal":
            subjects, object_id = self._oriented(kind, subjects)
        general = self._generic_statement(q, sentence)
        if kind is ClaimKind.CAPACITY and not general:
            subjects, object_id = self._offtaker(subjects, object_id, sentence, self._source)
        # a change is always some organisation's measure ("une hausse de 77 % des revenus")
        generic = (self._source == "generic" and kind is not ClaimKind.CHANGE) or general
        if not subjects and not generic:
            fallback = self._previous_org(sentence)
            if fallback is None and sentence.zone == "headline":
                fallback = self.topic
            if fallback is None and not self._orgs_in(sentence.start, sentence.end):
                fallback = self.topic
            if fallback:
                subjects = [fallback]
                self._source = "fallback"
        if q.vague and not subjects:
            return None  # vague amounts count only when tied to an organisation
        subjects, object_id = self._orient(kind, subjects, object_id)
        speaker = self._speaker(q.start)
        parties = frozenset(p for p in (*subjects, object_id) if p)
        status, polarity = self._status(q, sentence, speaker, subjects, kind, parties)
        period = q.period
        if q.category == "money":
            if period is None and _RATE_IN_CLAUSE.search(self.text[start:end]):
                period = "per_year"
            length = self._deal_length(sentence) if period is None else None
            if length is not None and kind in _DEAL_KINDS:
                period = f"over_{_years(length).normalize():f}_years"
            period = period or "total"
        distributive = bool(cues.DISTRIBUTIVE.search(self.text[start:end])) and len(subjects) > 1
        additional = bool(_ADDITIONAL.search(self.text[start:end]))
        signals = self._signals(q, sentence, kind, status)
        confidence = score(signals)
        return Draft(q, sentence, kind, subjects, object_id, status, polarity, speaker,
                     confidence, period, distributive, additional=additional,
                     signals=signals)  # fmt: skip

    def _signals(self, q: Mention, sentence: Sentence, kind: ClaimKind,
                 status: ClaimStatus) -> dict[str, bool]:  # fmt: skip
        """What :mod:`.confidence` weighs."""
        return {
            "explicit_unit": q.explicit_unit,
            "subject_parse": self._source == "parse",
            "subject_rules": self._source == "rules",
            "subject_fallback": self._source == "fallback",
            "subject_referred": self._source in {"deal", "project"},
            "subject_generic": self._source == "generic",
            "kind_cue": kind is not ClaimKind.OTHER,
            "hedged": status in {ClaimStatus.REPORTED, ClaimStatus.PLANNED, ClaimStatus.DISPUTED},
            "headline": sentence.zone in {"headline", "list"},
            "vague": q.vague,
            "quoted": self._quote_at(q.start) is not None,
            "extended_kind": kind in _EXTENDED,
            "crowded": len({m.organisation for m in self._orgs_in(sentence.start, sentence.end)})
            >= 3,
        }

    def extract(self) -> Extraction:
        self.mentions = in_domain(
            find_quantities, self.text, language=self.language, include=_CATEGORIES
        )
        self._mention_starts = [m.start for m in self.mentions]
        self._analyse()
        drafts = [d for q in self.mentions if (d := self._draft(q)) is not None]
        drafts += self._reciprocal(drafts)
        drafts = merge(self._drop_restatements(drafts), self._family)
        drafts += self._denials(drafts)
        drafts = merge(drafts, self._family)
        claims: list[Claim] = []
        signals: list[dict[str, bool]] = []
        index: dict[int, int] = {}
        links: list[tuple[int, int]] = []
        for draft in drafts:
            for subject_group in (
                [[s] for s in draft.subjects] if draft.distributive else [draft.subjects]
            ):
                index.setdefault(id(draft), len(claims))
                claims.append(self._claim(draft, subject_group))
                signals.append(draft.signals)
        for draft in drafts:
            if draft.denies is not None and id(draft.denies) in index:
                links.append((index[id(draft)], index[id(draft.denies)]))
        used = {s for c in claims for s in (*c.subjects, c.object_id) if s}
        extra = tuple(m for m in self.extra if m.organisation in used)
        return Extraction(tuple(claims), extra, tuple(links), self.language, tuple(signals))

    def _claim(self, draft: Draft, subjects: list[str]) -> Claim:
        s = draft.sentence
        quote = self.raw[s.start : s.end]
        q = draft.mention.quantity
        return Claim(
            source_id=self.source.id,
            kind=draft.kind,
            quantity=q,
            quote=quote,
            start=s.start,
            end=s.end,
            origin=ORIGIN,
            subject_id=subjects[0] if subjects else None,
            co_subject_ids=tuple(subjects[1:]),
            object_id=draft.object_id,
            period=draft.period,
            status=draft.status,
            polarity=draft.polarity,
            speaker=draft.speaker,
            confidence=draft.confidence,
            original_value=self.raw[draft.mention.start : draft.mention.end],
        )


def _gap(cue: tuple[int, int], amount: tuple[int, int]) -> int:
    """Characters between a cue and an amount (0 when they touch or overlap)."""
    return max(amount[0] - cue[1], cue[0] - amount[1], 0)


def _belongs_to(cue: tuple[int, int], other: tuple[int, int], own: tuple[int, int]) -> bool:
    """A cue between two amounts belongs to the nearer one; on a tie, to the one it follows."""
    between = (other[1] <= cue[0] and cue[1] <= own[0]) or (own[1] <= cue[0] and cue[1] <= other[0])
    if not between:
        return False
    to_other, to_own = _gap(cue, other), _gap(cue, own)
    return to_other < to_own or (to_other == to_own and cue[0] >= other[1])


def _signed(q: Mention, sign: int) -> Mention:
    """A change as claimed: negative for a decrease (a range keeps its order)."""
    amount, high = q.quantity.amount, q.quantity.amount_max
    if sign > 0 or amount < 0:
        return q
    low, top = (-high, -amount) if high is not None else (-amount, None)
    return replace(q, quantity=replace(q.quantity, amount=low, amount_max=top))


def _years(q: Mention) -> Decimal:
    return q.quantity.amount / 12 if q.quantity.unit == "months" else q.quantity.amount


__all__ = ["EXTRACTOR", "ORIGIN", "VERSION", "Extraction", "Extractor", "Quantity", "claim_rows"]
