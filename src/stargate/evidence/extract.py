"""Sentence-level claims from French and English news: who, to whom, what kind, how much, over
what period, said by whom, with the exact sentence as quote.

One claim per money, power or accelerator-count mention that is not boilerplate. The subject is
the nearest organisation before the amount in its clause (coordinated organisations join it),
skipping organisations marked as objects by a preposition and people who are speakers; then
anaphora ("le projet", "la société"), a first-person quote's speaker, the first organisation
after the amount, the previous sentence's organisation, and for titles the article's topic.
Contracts and purchases are oriented by role (a lab pays its cloud, a buyer pays its chip
vendor). Status and polarity come from cue lexicons (:mod:`.cues`); a denial without a figure
copies the proposition it denies. Claims repeated within a document merge; headline and list
restatements of a figure in the body are dropped. Rules are documented in ``docs/extraction.md``.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Final

from stargate.evidence import cues
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
from stargate.ledger.records import Claim, ClaimKind, ClaimStatus, EntityType, Polarity, Source
from stargate.units import Bound, Quantity, in_domain

EXTRACTOR: Final = "stargate-rules"
VERSION: Final = "1.0"
ORIGIN: Final = f"{EXTRACTOR} {VERSION}"

_OBJECT_PREP = re.compile(
    r"(?:\b(?:avec|auprès\s+(?:de|d')|chez|dans|envers|vers|par|with|in|into|to|from|on|at|by|"
    r"towards|alongside|sur)|(?<!quant\s)\bà)\s+(?:\S+\s+){0,2}(?:d'|l'|de\s+|du\s+|des\s+)?$",
    re.IGNORECASE,
)
_TOPIC = re.compile(r"(?:quant\s+à|s'agissant\s+d[e']|pour|as\s+for|for)\s*$", re.IGNORECASE)
_COORDINATION = re.compile(
    r"^\s*(?:\w+\s+)?(?:,|et|and|&|ainsi\s+que|as\s+well\s+as|or|ou)\s*"
    r"(?:de\s+|d'|du\s+|le\s+|la\s+|les\s+|l'|the\s+)?(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_CONJUNCTION = re.compile(r"\b(?:et|and|ainsi\s+que|as\s+well\s+as|or|ou)\b|&", re.IGNORECASE)
_ADDITIONAL = re.compile(
    r"\b(?:supplémentaires?|additionnel\w*|additional|another|extra|de\s+plus|nouvea\w+|further)\b",
    re.IGNORECASE,
)
_PLEDGE = re.compile(r"\b(?:engag\w*|promet\w*|promis\w*|pledg\w*|commit\w*)\b", re.IGNORECASE)
_GENERIC = re.compile(
    r"\b(?:généralement|en\s+général|en\s+moyenne|habituellement|typiquement|typically|"
    r"usually|on\s+average|generally|per\s+gigawatt|par\s+gigawatt)\b",
    re.IGNORECASE,
)
_RATE_IN_CLAUSE = re.compile(r"\b(?:cette\s+année|this\s+year|chaque\s+année|every\s+year)\b", re.I)
_SIGNATURE = re.compile(r"^\s*[–—-]\s*(?P<who>[^,\n]+)")
# one character for one character, so every offset in the copy is an offset in the original
_SAME_LENGTH: Final = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "\u00a0": " ", "\u202f": " ",
                                     "\u2009": " ", "–": "-", "—": "-"})  # fmt: skip
_KIND_BY_UNIT: Final = {"power": ClaimKind.CAPACITY, "count": ClaimKind.CAPACITY}


@dataclass(slots=True)
class _Draft:
    mention: Mention
    sentence: Sentence
    kind: ClaimKind
    subjects: list[str]
    object_id: str | None
    status: ClaimStatus
    polarity: Polarity
    speaker: str | None
    confidence: float
    period: str | None
    distributive: bool = False
    additional: bool = False  # "4,5 GW supplémentaires": a new fact, never merged
    denies: _Draft | None = field(default=None)


@dataclass(frozen=True, slots=True)
class Extraction:
    """Claims of one document, the candidate entities they use, and denial links."""

    claims: tuple[Claim, ...]
    candidates: tuple[EntityMention, ...]
    denials: tuple[tuple[int, int], ...]  # (index of denying claim, index of denied claim)


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


class _Document:
    def __init__(self, source: Source, gazetteer: Gazetteer) -> None:
        self.source = source
        self.raw = source.text  # quotes are cut from the text as given
        self.text = source.text.translate(_SAME_LENGTH)  # all matching runs on this copy
        self.language = source.language or detect_language(source.text)
        self.gazetteer = gazetteer
        self.sentences = sentences(self.text)
        self.quotes = quotations(self.text)
        known = gazetteer.find(self.text)
        self.extra = candidates(self.text, self.language, known)
        self.entities = sorted(known + self.extra, key=lambda m: m.start)
        self._entity_starts = [m.start for m in self.entities]
        self._sentence_starts = [s.start for s in self.sentences]
        self._sentence_index = {id(s): i for i, s in enumerate(self.sentences)}
        self.topic = self._topic()
        self.mentions: list[Mention] = []
        self._mention_starts: list[int] = []

    # -- structure ----------------------------------------------------------------------

    def _topic(self) -> str | None:
        """The article's main organisation: the most mentioned (people count for theirs)."""
        counts = Counter(
            m.organisation for m in self.entities
            if m.organisation and self.gazetteer.role(m.organisation) != "media"
        )  # fmt: skip
        return counts.most_common(1)[0][0] if counts else None

    def _topic_project(self) -> str | None:
        """The project the article is about, for "le projet" / "the venture"."""
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
        start, end = sentence.start, sentence.end
        for match in cues.CLAUSE_BREAK.finditer(self.text, sentence.start, sentence.end):
            if match.end() <= position:
                start = max(start, match.end())
            elif match.start() >= position:
                end = min(end, match.start())
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
            if m.organisation and self.gazetteer.role(m.organisation) != "media"
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

    def _subjects(self, q: Mention, sentence: Sentence) -> tuple[list[str], str | None]:
        start, end = self._clause(sentence, q.start)
        clause_text = self.text[start:end]
        if _GENERIC.search(clause_text):
            return [], None
        orgs = [m for m in self._orgs_in(start, end) if not (q.start <= m.start < q.end)]
        before = [m for m in orgs if m.end <= q.start]
        after = [m for m in orgs if m.start >= q.end]
        objects = [m for m in before if self._object_marked(m, start)]
        voices = self._voices(sentence, q)
        eligible = [
            m for m in before
            if m not in objects and not any(a <= m.start < b for a, b in voices)
        ]  # fmt: skip
        subjects: list[EntityMention] = []
        anaphora = self._anaphora(start, q.start) or (
            None if eligible else self._anaphora(start, end, after=q.end)
        )
        if eligible and (anaphora is None or eligible[-1].end > anaphora[0]):
            subjects = self._coordinated(eligible, start)
        elif anaphora is not None:
            position, entity_id = anaphora
            subjects = [
                EntityMention(position, position, entity_id, entity_id, organisation=entity_id)
            ]
        else:
            speaker_org = self._first_person_org(q)
            if speaker_org:
                subjects = [
                    EntityMention(
                        q.start, q.start, speaker_org, speaker_org, organisation=speaker_org
                    )
                ]
            elif after and not self._object_marked(after[0], start):
                subjects = [after[0]]
        subject_ids = _unique([m.organisation for m in subjects if m.organisation])
        object_id = None
        others = [m for m in eligible if m.organisation not in subject_ids and not m.is_person]
        lone = others if len(others) == 1 else []  # "Oracle will provide OpenAI with 4.5 GW"
        for m in (*after, *reversed(objects), *lone):
            if m.organisation and m.organisation not in subject_ids and not m.is_person:
                object_id = m.organisation
                break
        return subject_ids, object_id

    def _object_marked(self, mention: EntityMention, clause_start: int) -> bool:
        before = self.text[max(clause_start, mention.start - 40) : mention.start]
        if _TOPIC.search(before):
            return False
        return bool(_OBJECT_PREP.search(before))

    def _voices(self, sentence: Sentence, q: Mention) -> list[tuple[int, int]]:
        """Spans from a speaking person (or source) to their speech verb, outside the quote
        that holds the amount: who talks is not who pays."""
        spans = []
        for m in self._entities_in(sentence.start, q.start):
            if self._in_quote(m, q):
                continue
            if not (m.is_person or self.gazetteer.role(m.organisation) == "media"):
                continue
            after = self.text[m.end : min(sentence.end, m.end + 90)]
            verb = re.match(rf"^[^.;«»:]{{0,70}}?\b(?:{cues.SPEECH_VERBS})\b", after, re.I)
            if verb:
                spans.append((m.start, m.end + verb.end()))
        return spans

    def _in_quote(self, mention: EntityMention, q: Mention) -> bool:
        quote = self._quote_at(q.start)
        return quote is not None and quote[0] <= mention.start < quote[1]

    def _coordinated(self, eligible: list[EntityMention], clause_start: int) -> list[EntityMention]:
        """ "A, B et C": the step next to the last member needs a conjunction, earlier steps may
        be commas (so an apposition "A, B et C, le projet D" stays D alone)."""
        group = [eligible[-1]]
        for m in reversed(eligible[:-1]):
            gap = self.text[m.end : group[0].start]
            if not _COORDINATION.match(gap):
                break
            if len(group) == 1 and not _CONJUNCTION.search(gap):
                break
            if m.organisation != group[0].organisation:
                group.insert(0, m)
        return group

    def _anaphora(self, start: int, end: int, after: int | None = None) -> tuple[int, str] | None:
        """The last anaphor in ``[start, end)`` ("le projet" -> topic project, "la société" ->
        previous organisation); with ``after``, only anaphors at or after that position."""
        if after is not None:
            start = after
        window = self.text[start:end]
        project = list(cues.ANAPHORA_PROJECT.finditer(window))
        company = list(cues.ANAPHORA_COMPANY.finditer(window))
        best: tuple[int, str] | None = None
        if project and (project_id := self._topic_project()):
            best = (start + project[-1].start(), project_id)
        company = [c for c in company if not self._named_after(start + c.end())]
        project = [p for p in project if not self._named_after(start + p.end())]
        if company:
            position = start + company[-1].start()
            antecedent = self._antecedent(position)
            if antecedent and (best is None or position > best[0]):
                best = (position, antecedent)
        return best

    def _antecedent(self, position: int) -> str | None:
        """What "la société" / "the company" refers to: the first organisation earlier in the
        same sentence, else the first organisation of the previous sentence (its subject, in
        news prose), else the last organisation mentioned before."""
        sentence = self._sentence_of(position)
        if sentence is None:
            return None

        def organisations(start: int, end: int) -> list[EntityMention]:
            return [m for m in self._orgs_in(start, end) if not m.is_person]

        here = organisations(sentence.start, position)
        if here:
            return here[0].organisation
        index = self._index(sentence)
        if index > 0:
            previous = self.sentences[index - 1]
            found = organisations(previous.start, previous.end)
            if found:
                return found[0].organisation
        earlier = organisations(0, position)
        return earlier[-1].organisation if earlier else None

    def _named_after(self, position: int) -> bool:
        """ "la start-up chinoise DeepSeek": a name right after the noun is an apposition."""
        return bool(self._entities_in(position, position + 26))

    def _first_person_org(self, q: Mention) -> str | None:
        quote = self._quote_at(q.start)
        if quote is None or not cues.FIRST_PERSON.search(self.text[quote[0] : q.start]):
            return None
        speaker = self._speaker(q.start)
        if speaker is None:
            return None
        entity_id = self.gazetteer.lookup(speaker)
        return self.gazetteer.organisation_of(entity_id) if entity_id else None

    def _previous_org(self, sentence: Sentence) -> str | None:
        index = self._index(sentence)
        for earlier in reversed(self.sentences[max(0, index - 2) : index]):
            if earlier.paragraph != sentence.paragraph:
                break
            orgs = [m for m in self._orgs_in(earlier.start, earlier.end) if not m.is_person]
            if orgs:
                return orgs[0].organisation
        return None

    def _kind(self, q: Mention, sentence: Sentence) -> ClaimKind:
        if q.category in _KIND_BY_UNIT:
            return _KIND_BY_UNIT[q.category]
        window = self.text[sentence.start : sentence.end]
        centre = q.start - sentence.start
        i = bisect.bisect_left(self._mention_starts, sentence.start)
        j = bisect.bisect_left(self._mention_starts, sentence.end)
        others = [
            (m.start - sentence.start, m.end - sentence.start)
            for m in self.mentions[i:j] if m is not q
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

    def _status(
        self, q: Mention, sentence: Sentence, speaker: str | None, subjects: list[str],
        kind: ClaimKind,
    ) -> tuple[ClaimStatus, Polarity]:  # fmt: skip
        text = self.text[sentence.start : sentence.end]
        if cues.STATUS_DENIED.search(text):
            return ClaimStatus.DENIED, Polarity.DENIES
        index = self._index(sentence)
        context = " ".join(
            self.text[s.start : s.end] for s in self.sentences[max(0, index - 2) : index]
            if s.paragraph == sentence.paragraph
        )  # fmt: skip
        if cues.STATUS_DISPUTED.search(text) or (
            q.quantity.bound is Bound.AT_MOST and speaker and cues.STATUS_DISPUTED.search(context)
        ):
            return ClaimStatus.DISPUTED, Polarity.ASSERTS
        speaker_org = (
            self.gazetteer.organisation_of(self.gazetteer.lookup(speaker) or "")
            if speaker
            else None
        )
        if (
            kind is ClaimKind.FUNDING_SECURED and speaker and subjects
            and q.quantity.bound is Bound.AT_MOST and speaker_org not in subjects
        ):  # fmt: skip
            return ClaimStatus.DISPUTED, Polarity.ASSERTS  # a third party caps someone's money
        centre = q.start - sentence.start
        found: list[tuple[int, ClaimStatus]] = []
        for pattern, status in (
            (cues.STATUS_COMPLETED, ClaimStatus.COMPLETED),
            (cues.STATUS_PLANNED, ClaimStatus.PLANNED),
            (cues.STATUS_REPORTED, ClaimStatus.REPORTED),
            (cues.STATUS_ANNOUNCE, ClaimStatus.ANNOUNCED),
        ):
            for match in pattern.finditer(text):
                found.append((abs(match.start() - centre), status))
        if re.search(r"\b(?:intention|plans?\s+to)\b", text, re.I):
            return ClaimStatus.PLANNED, Polarity.ASSERTS
        if cues.SOURCE_BEFORE.search(text):
            return ClaimStatus.REPORTED, Polarity.ASSERTS
        if not found:
            if speaker and speaker_org not in subjects:
                return ClaimStatus.REPORTED, Polarity.ASSERTS
            return ClaimStatus.ANNOUNCED, Polarity.ASSERTS
        found.sort(key=lambda item: item[0])
        status = found[0][1]
        if status is ClaimStatus.REPORTED and cues.STATUS_ANNOUNCE.search(text[:centre]):
            status = ClaimStatus.ANNOUNCED  # "a annoncé qu'elle investirait": future in the past
        return status, Polarity.ASSERTS

    def _speaker(self, position: int) -> str | None:
        sentence = self._sentence_of(position)
        if sentence is None:
            return None
        text = self.text
        quote = self._quote_at(position)
        if quote is not None:
            return self._quote_speaker(quote, sentence)
        sentence_text = text[sentence.start : sentence.end]
        if source := cues.SOURCE_BEFORE.search(sentence_text):
            who = source.group("who").strip()
            entity_id = self.gazetteer.lookup(who) or self.gazetteer.lookup(
                re.sub(r"^(?:the|le|la|les)\s+", "", who, flags=re.I)
            )
            return self.gazetteer.entities[entity_id].name if entity_id else who
        for m in self._entities_in(sentence.start, position):
            voice = m.is_person or self.gazetteer.role(m.organisation) == "media"
            if voice and self._is_speaker(m, sentence):
                return m.name
        return None

    def _quote_speaker(self, quote: tuple[int, int], sentence: Sentence) -> str | None:
        text = self.text

        def people(start: int, end: int) -> list[EntityMention]:
            return [m for m in self._entities_in(start, end) if m.is_person]

        # "X a déclaré à CNBC : « ..." or "..., glisse-t-il": the first person of the sentence
        in_sentence = people(sentence.start, quote[0])
        talking = [
            m for i, m in enumerate(in_sentence)
            if (verb := self._verb_end(m, sentence)) is not None
            and all(other.start >= verb for other in in_sentence[i + 1 :])
        ]  # fmt: skip
        if talking:  # "Sam Altman a choisi de répondre : « ... »" beats "attaques de Musk"
            return talking[0].name
        after = text[quote[1] : quote[1] + 40]
        if in_sentence and (
            cues.INVERSION_AFTER.match(after) or self._is_speaker(in_sentence[0], sentence)
        ):
            return in_sentence[0].name
        # a block quote signed on the next line: "– Elon Musk, sur X"
        line_end = text.find("\n", quote[1])
        following = text[line_end : line_end + 200] if line_end >= 0 else ""
        for line in following.split("\n")[1:4]:
            if (signature := _SIGNATURE.match(line)) and signature.group("who").strip():
                who = signature.group("who").strip()
                entity_id = self.gazetteer.lookup(who)
                return self.gazetteer.entities[entity_id].name if entity_id else who
        # inherit from an adjacent earlier quote in the same paragraph
        earlier = [q for q in self.quotes if q[1] <= quote[0] and quote[0] - q[1] < 60]
        if earlier:
            owner = self._sentence_of(earlier[-1][0])
            if owner is not None:
                previous = people(owner.start, earlier[-1][0])
                if previous:
                    return previous[0].name
                index = self._index(owner)
                for s in reversed(self.sentences[max(0, index - 2) : index]):
                    named = people(s.start, s.end)
                    if named:
                        return named[0].name
        if in_sentence:
            return in_sentence[0].name
        return None

    # -- assembly -------------------------------------------------------------------------

    def _draft(self, q: Mention) -> _Draft | None:
        sentence = self._sentence_of(q.start)
        if sentence is None or sentence.zone == "boilerplate":
            return None
        subjects, object_id = self._subjects(q, sentence)
        start, end = self._clause(sentence, q.start)
        if not subjects and not _GENERIC.search(self.text[start:end]):
            fallback = self._previous_org(sentence)
            if fallback is None and sentence.zone == "headline":
                fallback = self.topic
            if fallback is None and not self._orgs_in(sentence.start, sentence.end):
                fallback = self.topic
            if fallback:
                subjects = [fallback]
        if q.vague and not subjects:
            return None  # vague amounts count only when tied to an organisation
        kind = self._kind(q, sentence)
        subjects, object_id = self._orient(kind, subjects, object_id)
        speaker = self._speaker(q.start)
        status, polarity = self._status(q, sentence, speaker, subjects, kind)
        period = q.period
        if q.category == "money":
            if period is None and _RATE_IN_CLAUSE.search(self.text[start:end]):
                period = "per_year"
            period = period or "total"
        distributive = bool(cues.DISTRIBUTIVE.search(self.text[start:end])) and len(subjects) > 1
        additional = bool(_ADDITIONAL.search(self.text[start:end]))
        confidence = self._confidence(q, sentence, subjects, kind, status)
        return _Draft(q, sentence, kind, subjects, object_id, status, polarity, speaker,
                      confidence, period, distributive, additional=additional)  # fmt: skip

    def _orient(
        self, kind: ClaimKind, subjects: list[str], object_id: str | None
    ) -> tuple[list[str], str | None]:
        """Payer first: a lab pays its cloud (contract, lease), a buyer pays its chip vendor."""
        if len(subjects) != 1 or object_id is None:
            return subjects, object_id
        role_s, role_o = self.gazetteer.role(subjects[0]), self.gazetteer.role(object_id)
        swap = (
            (
                kind in {ClaimKind.CONTRACT, ClaimKind.LEASE}
                and role_s == "cloud"
                and role_o == "lab"
            )
            or (kind is ClaimKind.PURCHASE and role_s == "chips" and role_o in {"lab", "cloud"})
            # capacity belongs to its offtaker: "AMD fournira à OpenAI 6 GW"
            or (
                kind is ClaimKind.CAPACITY
                and role_s in {"chips", "cloud", "builder"}
                and role_o == "lab"
            )
        )
        return ([object_id], subjects[0]) if swap else (subjects, object_id)

    def _confidence(self, q: Mention, sentence: Sentence, subjects: list[str], kind: ClaimKind,
                    status: ClaimStatus) -> float:  # fmt: skip
        score = 0.45
        score += 0.15 if q.explicit_unit else 0.0
        score += 0.15 if subjects else -0.10
        score += 0.10 if kind is not ClaimKind.OTHER else -0.05
        score -= 0.10 if status is ClaimStatus.REPORTED else 0.0
        score -= 0.25 if sentence.zone in {"headline", "list"} else 0.0
        score -= 0.20 if q.vague else 0.0
        return round(min(max(score, 0.05), 0.95), 2)

    def _denials(self, drafts: list[_Draft]) -> list[_Draft]:
        """Sentences that deny without a figure ("C'est faux") deny the nearest earlier claim
        about an organisation they name, else the nearest earlier disputed claim."""
        found: list[_Draft] = []
        with_amount = {d.sentence for d in drafts}
        for sentence in self.sentences:
            text = self.text[sentence.start : sentence.end]
            if (
                sentence in with_amount
                or sentence.zone == "boilerplate"
                or not cues.STATUS_DENIED.search(text)
            ):
                continue
            named = {m.organisation for m in self._orgs_in(sentence.start, sentence.end)}
            earlier = [
                d
                for d in drafts
                if d.mention.start < sentence.start and d.polarity is Polarity.ASSERTS
            ]
            target = next((d for d in reversed(earlier) if named & set(d.subjects)), None)
            target = target or next(
                (d for d in reversed(earlier) if d.status is ClaimStatus.DISPUTED), None
            )
            if target is None:
                continue
            speaker = self._speaker(
                sentence.start + text.find("«") if "«" in text else sentence.start
            )
            if speaker is None:
                people = [m for m in self._entities_in(sentence.start, sentence.end) if m.is_person]
                speaker = people[0].name if people else None
            confidence = round(max(0.05, target.confidence - 0.1), 2)
            denial = replace(
                target,
                sentence=sentence,
                status=ClaimStatus.DENIED,
                polarity=Polarity.DENIES,
                speaker=speaker,
                confidence=confidence,
                denies=target,
            )
            found.append(denial)
        return found

    def _reciprocal(self, drafts: list[_Draft]) -> list[_Draft]:
        """ "X invests N in Y, and Y turns back to X": Y's purchase from X, as reported."""
        extra: list[_Draft] = []
        for d in drafts:
            text = self.text[d.sentence.start : d.sentence.end]
            if (
                d.kind is ClaimKind.INVESTMENT
                and d.object_id
                and len(d.subjects) == 1
                and cues.RECIPROCAL.search(text)
            ):
                extra.append(replace(d, kind=ClaimKind.PURCHASE, subjects=[d.object_id],
                                     object_id=d.subjects[0], status=ClaimStatus.REPORTED,
                                     confidence=round(d.confidence - 0.15, 2)))  # fmt: skip
        return extra

    def extract(self) -> Extraction:
        self.mentions = in_domain(find_quantities, self.text, language=self.language)
        self._mention_starts = [m.start for m in self.mentions]
        drafts = [d for q in self.mentions if (d := self._draft(q)) is not None]
        drafts += self._reciprocal(drafts)
        drafts = _merge(self._drop_restatements(drafts))
        drafts += self._denials(drafts)
        drafts = _merge(drafts)
        claims: list[Claim] = []
        index: dict[int, int] = {}
        links: list[tuple[int, int]] = []
        for draft in drafts:
            for subject_group in (
                [[s] for s in draft.subjects] if draft.distributive else [draft.subjects]
            ):
                index.setdefault(id(draft), len(claims))
                claims.append(self._claim(draft, subject_group))
        for draft in drafts:
            if draft.denies is not None and id(draft.denies) in index:
                links.append((index[id(draft)], index[id(draft.denies)]))
        used = {s for c in claims for s in (*c.subjects, c.object_id) if s}
        extra = tuple(m for m in self.extra if m.organisation in used)
        return Extraction(tuple(claims), extra, tuple(links))

    def _drop_restatements(self, drafts: list[_Draft]) -> list[_Draft]:
        body = {
            (d.mention.quantity.amount, d.mention.quantity.unit)
            for d in drafts
            if d.sentence.zone == "body"
        }

        def figure(d: _Draft) -> tuple[Decimal, str]:
            return d.mention.quantity.amount, d.mention.quantity.unit

        return [d for d in drafts if d.sentence.zone == "body" or figure(d) not in body]

    def _claim(self, draft: _Draft, subjects: list[str]) -> Claim:
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


def _unique(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _information(d: _Draft) -> tuple[int, ...]:
    return (
        int(d.sentence.zone == "body"),
        int(d.period not in (None, "total")),
        int(d.polarity is Polarity.DENIES),
        int(d.object_id is not None),
        int(d.speaker is not None),
    )


def _merge(drafts: list[_Draft]) -> list[_Draft]:
    """One claim per (subjects, amount, unit, upper end, polarity) in a document; the richest
    instance (body text, stated period, counterparty, speaker) represents it."""
    groups: dict[tuple[Any, ...], list[_Draft]] = {}
    for d in drafts:
        q = d.mention.quantity
        key = (
            tuple(sorted(d.subjects)), q.amount, q.unit, q.amount_max, d.polarity,
            d.kind if d.kind is ClaimKind.PURCHASE else None,
            d.mention.start if d.additional else None,
        )  # fmt: skip
        groups.setdefault(key, []).append(d)
    clusters: list[list[_Draft]] = []
    for group in groups.values():
        # two equal amounts of different kinds in one sentence are two facts
        # ("5 milliards de dette et 5 milliards en capital"); across sentences, one restated
        if len({d.sentence for d in group}) == 1 and len({d.kind for d in group}) > 1:
            kinds = sorted({d.kind for d in group})
            clusters += [[d for d in group if d.kind is kind] for kind in kinds]
        else:
            clusters.append(group)
    merged = []
    for group in clusters:
        best = max(group, key=lambda d: (_information(d), -d.mention.start))
        first = min(group, key=lambda d: d.mention.start)
        if best.status is not first.status and first.status in {
            ClaimStatus.DISPUTED,
            ClaimStatus.ANNOUNCED,
        }:
            best = replace(best, status=first.status)
        merged.append(best)
    merged.sort(key=lambda d: d.mention.start)
    return merged


def amount_as_float(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


__all__ = ["EXTRACTOR", "ORIGIN", "VERSION", "Extraction", "Extractor", "Quantity"]


def claim_rows(doc: str, extraction: Extraction, gazetteer: Gazetteer) -> list[dict[str, Any]]:
    """The ``stargate extract --format jsonl`` records of one document (contract keys)."""
    names = {m.entity_id: m.name for m in extraction.candidates}

    def name(entity_id: str | None) -> str | None:
        if entity_id is None:
            return None
        entity = gazetteer.entities.get(entity_id)
        return entity.name if entity is not None else names.get(entity_id, entity_id)

    rows = []
    for claim in extraction.claims:
        q = claim.quantity
        assert q is not None, "the extractor emits quantities only"
        subjects = [n for n in (name(s) for s in claim.subjects) if n]
        rows.append(
            {
                "doc": doc,
                "subject": ", ".join(subjects) or None,
                "object": name(claim.object_id),
                "kind": str(claim.kind),
                "amount": amount_as_float(q.amount),
                "unit": q.unit,
                "bound": str(q.bound),
                "amount_max": amount_as_float(q.amount_max),
                "period": claim.period,
                "status": str(claim.status),
                "polarity": str(claim.polarity),
                "speaker": claim.speaker,
                "quote": claim.quote,
                "start": claim.start,
                "end": claim.end,
                "confidence": claim.confidence,
            }
        )
    return rows
