"""Who a figure is about: the subject (payer, investor, lender, offtaker) and the counterparty.

The subject is the actor the dependency parse gives the amount's verb (:mod:`.syntax`);
failing that, the nearest organisation before the amount in its clause (coordinated
organisations join it), skipping organisations marked as objects by a preposition and people who
are speakers; then anaphora ("le projet", "la société"), a first-person quote's speaker, the
first organisation after the amount. Deals are oriented by role (a lab pays its cloud, a buyer
pays its chip vendor). Rules are documented in ``docs/extraction.md``.
"""

from __future__ import annotations

import bisect
import re
from typing import Any, Final

from stargate.evidence import cues, syntax
from stargate.evidence.consolidate import unique
from stargate.evidence.mentions import EntityMention, Gazetteer, Sentence
from stargate.evidence.parties import Parties
from stargate.evidence.quantities import Mention
from stargate.ledger.records import ClaimKind

_OBJECT_PREP = re.compile(
    r"(?:\b(?:avec|auprès\s+(?:de|d')|chez|dans|envers|vers|par|with|in|into|to|from|on|at|by|"
    r"towards|alongside|sur)|(?<!quant\s)\bà)\s+(?:\S+\s+){0,2}(?:d'|l'|de\s+|du\s+|des\s+)?$",
    re.IGNORECASE,
)
_IN_PHRASE_OBJECT: Final = re.compile(  # what a noun's complement marks as its object
    r"\b(?:dans|in|into|envers|towards|with|avec|auprès\s+d[e']|chez)\s+(?:\S+\s+){0,2}"
    r"(?:d'|l'|de\s+|du\s+|des\s+)?$",
    re.IGNORECASE,
)
_TITLE_BEFORE: Final = re.compile(  # an organisation and a title before a person's name
    r"\b[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)?(?:'s)?\s+(?:(?:co-?)?founder|CEO|CFO|COO|CTO|"
    r"chief\s+\w+\s+officer|president|chairman|chairwoman|head|PDG|DG|directeur\s+\w+|"
    r"patron|président\w*)(?:\s+and\s+\w+)?\s*,?\s*$"
)
_SPEECH_WORDS: Final = 8  # a shorter quotation ("worth “multiple billions”") is a quoted phrase
_TOPIC = re.compile(r"(?:quant\s+à|s'agissant\s+d[e']|pour|as\s+for|for)\s*$", re.IGNORECASE)
_COORDINATION = re.compile(
    r"^\s*(?:\w+\s+)?(?:,|et|and|&|ainsi\s+que|as\s+well\s+as|or|ou)\s*"
    r"(?:de\s+|d'|du\s+|le\s+|la\s+|les\s+|l'|the\s+)?(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_CONJUNCTION = re.compile(r"\b(?:et|and|ainsi\s+que|as\s+well\s+as|or|ou)\b|&", re.IGNORECASE)
GENERIC = re.compile(
    r"\b(?:généralement|en\s+général|en\s+moyenne|habituellement|typiquement|typically|"
    r"usually|on\s+average|generally|per\s+gigawatt|par\s+gigawatt)\b",
    re.IGNORECASE,
)
_PAID: Final = frozenset(
    {ClaimKind.CONTRACT, ClaimKind.LEASE, ClaimKind.PURCHASE, ClaimKind.CAPACITY}
)


class Subjects(Parties):
    """Subject and counterparty rules for the document reader (:class:`.extract._Document`)."""

    text: str
    gazetteer: Gazetteer
    sentences: list[Sentence]
    parsed: dict[int, Any]
    _source: str
    _actor: syntax.Actor | None
    _untrusted: set[int]
    _generic_words: dict[tuple[int, int], list[int]]  # per clause: "typically", "en moyenne"
    _acting: list[EntityMention] | None = None  # per document: organisations that may act
    _acting_of: list[EntityMention] | None = None
    _acting_ends: list[int] = []  # noqa: RUF012 (replaced per document, never mutated)

    def _clause(self, sentence: Sentence, position: int) -> tuple[int, int]:
        raise NotImplementedError

    def _orgs_in(self, start: int, end: int) -> list[EntityMention]:
        raise NotImplementedError

    def _entities_in(self, start: int, end: int) -> list[EntityMention]:
        raise NotImplementedError

    def _quote_at(self, position: int) -> tuple[int, int] | None:
        raise NotImplementedError

    def _is_speaker(self, mention: EntityMention, sentence: Sentence) -> bool:
        raise NotImplementedError

    def _speaker(self, position: int) -> str | None:
        raise NotImplementedError

    def _sentence_of(self, position: int) -> Sentence | None:
        raise NotImplementedError

    def _index(self, sentence: Sentence) -> int:
        raise NotImplementedError

    def _topic_project(self) -> str | None:
        raise NotImplementedError

    def _can_act(self, entity_id: str) -> bool:
        raise NotImplementedError

    def _subjects(
        self, q: Mention, sentence: Sentence, kind: ClaimKind | None = None
    ) -> tuple[list[str], str | None]:
        start, end = self._clause(sentence, q.start)
        if self._generic_statement(q, sentence):
            return [], None
        orgs = [m for m in self._orgs_in(start, end) if not (q.start <= m.start < q.end)]
        before = [m for m in orgs if m.end <= q.start]
        after = [m for m in orgs if m.start >= q.end]
        objects = [m for m in before if self._object_marked(m, start)]
        voices = self._voices(sentence, q)
        asides = [(sentence.start + a, sentence.start + b) for a, b in self._asides(sentence)]
        eligible = [
            m for m in before
            if m not in objects and not any(a <= m.start < b for a, b in (*voices, *asides))
        ]  # fmt: skip
        subjects: list[EntityMention] = []
        anaphora = self._anaphora(start, q.start) or (
            None if eligible else self._anaphora(start, end, after=q.end)
        )
        actors = self._actor_orgs(q, sentence)
        self._source = "parse" if actors else "rules"
        named = bool(eligible or anaphora)
        referred = self._referred(q, sentence, (start, end), actors, named, kind)
        if referred is not None:
            subjects, self._source = referred
        elif actors:
            subjects = actors
        elif eligible and (anaphora is None or eligible[-1].end > anaphora[0]):
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
            elif (
                after
                and not self._object_marked(after[0], start)
                and not any(a <= after[0].start < b for a, b in voices)
            ):
                subjects = [after[0]]
        if not subjects and self._source != "generic":
            self._source = "none"
        subject_ids = unique([m.organisation for m in subjects if m.organisation])
        object_id = None
        others = [m for m in eligible if m.organisation not in subject_ids and not m.is_person]
        lone = others if len(others) == 1 else []  # "Oracle will provide OpenAI with 4.5 GW"
        for m in (*after, *reversed(objects), *lone):
            if m.organisation and m.organisation not in subject_ids and not m.is_person:
                object_id = m.organisation
                break
        return subject_ids, object_id

    def _generic_statement(self, q: Mention, sentence: Sentence) -> bool:
        """A general statement ("typically", "en moyenne", "per gigawatt"): the word must
        qualify the figure's own verb when the sentence is parsed ("is usually worrisome, and
        could have added ... to X's hopes to raise $4B" is about X)."""
        start, end = self._clause(sentence, q.start)
        found = self._generic_words.get((start, end))
        if found is None:
            found = self._generic_words[start, end] = [
                m.start() for m in GENERIC.finditer(self.text, start, end)
            ]
        if not found:
            return False
        doc = self.parsed.get(self._index(sentence))
        if doc is None:
            return True
        scope = syntax.verb_scope(doc, sentence.start, q.start, q.end)
        return scope is None or any(scope[0] <= position < scope[1] for position in found)

    def _actor_orgs(self, q: Mention, sentence: Sentence) -> list[EntityMention]:
        """The organisations in the subject phrase the dependency parse gives the amount's act
        (people stand for their organisation; media and speakers do not pay)."""
        self._actor = None
        index = self._index(sentence)
        doc = self.parsed.get(index)
        if doc is None or index in self._untrusted:
            return []
        found = syntax.actor(doc, sentence.start, q.start, q.end)
        clause_start, clause_end = self._clause(sentence, q.start)
        if found is None or found.start < clause_start or found.end > clause_end:
            return []  # no subject, or one across a clause break the parse missed
        quote = self._quote_at(q.start)
        speech = quote is not None and len(self.text[quote[0] : quote[1]].split()) >= _SPEECH_WORDS
        if speech and self._quote_at(found.start) is None:
            return []  # the amount is quoted speech; the phrase outside it is who speaks
        self._actor = found
        chosen = []
        for m in self._entities_in(found.start, found.end):
            if any(a <= m.start < b for a, b in found.excluded):
                continue
            if m.organisation is None or not self._can_act(m.organisation):
                continue
            if m.is_person and self._is_speaker(m, sentence):
                continue
            if m.start > found.head_end and _IN_PHRASE_OBJECT.search(
                self.text[max(found.head_end, m.start - 30) : m.start]
            ):
                continue  # "la participation de SoftBank dans OpenAI": OpenAI is the object
            chosen.append(m)
        if not chosen:
            phrase = self.text[found.start : found.end]
            if len(phrase) < 60 and cues.ANAPHOR.fullmatch(phrase.strip()):
                antecedent = self._antecedent(found.start)
                if antecedent:  # "the company", "le groupe", "it": the previous subject
                    return [EntityMention(found.start, found.start, antecedent, antecedent,
                                          organisation=antecedent)]  # fmt: skip
            return []
        ids = unique([m.organisation for m in chosen if m.organisation])
        if found.plural_relative and len(ids) == 1:  # "A et B, qui ont emprunté": both
            before = [
                m for m in self._orgs_in(clause_start, chosen[0].end)
                if not m.is_person and not self._object_marked(m, clause_start)
            ]  # fmt: skip
            chosen = self._coordinated(before, clause_start) if before else chosen
            ids = unique([m.organisation for m in chosen if m.organisation])
        return [next(m for m in chosen if m.organisation == i) for i in ids]

    def _object_marked(self, mention: EntityMention, clause_start: int) -> bool:
        before = self.text[max(clause_start, mention.start - 40) : mention.start]
        if _TOPIC.search(before):
            return False
        return bool(_OBJECT_PREP.search(before))

    def _voices(self, sentence: Sentence, q: Mention) -> list[tuple[int, int]]:
        """Spans from a speaking person (or source) to their speech verb, outside the quote
        that holds the amount: who talks is not who pays."""
        spans = []
        for m in self._entities_in(sentence.start, sentence.end):
            if self._in_quote(m, q):
                continue
            if not (m.is_person or self.gazetteer.role(m.organisation) == "media"):
                continue
            after = self.text[m.end : min(sentence.end, m.end + 90)]
            verb = re.match(rf"^[^.;«»:]{{0,70}}?\b(?:{cues.SPEECH_VERBS})\b", after, re.I)
            if verb:
                start = m.start
                title = _TITLE_BEFORE.search(self.text[max(sentence.start, m.start - 40) : m.start])
                if m.is_person and title:  # "Nvidia CEO Jensen Huang told": Nvidia speaks too
                    start = m.start - (len(title.group(0)))
                spans.append((start, m.end + verb.end()))
        text = self.text[sentence.start : sentence.end]
        for source in cues.SOURCE_BEFORE.finditer(text):  # "selon une estimation d'UBS"
            spans.append((sentence.start + source.start(), sentence.start + source.end()))
        return spans

    def _asides(self, sentence: Sentence) -> list[tuple[int, int]]:
        """Square-bracketed editor's notes inside a quotation ("[Amazon fabrique ...]")."""
        return [
            match.span()
            for match in re.finditer(r"\[[^\]]*\]", self.text[sentence.start : sentence.end])
        ]

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
            return [
                m for m in self._orgs_in(start, end)
                if not m.is_person and not self._is_place(m.organisation or "")
            ]  # fmt: skip

        here = organisations(sentence.start, position)
        if here:
            return here[0].organisation
        index = self._index(sentence)
        if index > 0:
            previous = self.sentences[index - 1]
            found = organisations(previous.start, previous.end)
            if found:  # the subject of its last clause ("A did X, while B did Y": B)
                last, _ = self._clause(previous, previous.end - 1)
                return next((m for m in found if m.start >= last), found[0]).organisation
        return self._last_organisation_before(position)

    def _last_organisation_before(self, position: int) -> str | None:
        """The last organisation (no person, site or project) mentioned before ``position``."""
        acting = self._acting
        if acting is None or self._acting_of is not self.entities:
            acting = [
                m for m in self.entities
                if m.organisation and not m.is_person and self._can_act(m.organisation)
                and not self._is_place(m.organisation)
            ]  # fmt: skip
            self._acting, self._acting_of = acting, self.entities
            self._acting_ends = [m.end for m in acting]
        i = bisect.bisect_right(self._acting_ends, position)
        return acting[i - 1].organisation if i else None

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

    def _orient(
        self, kind: ClaimKind, subjects: list[str], object_id: str | None
    ) -> tuple[list[str], str | None]:
        """Payer first: a lab pays its cloud (contract, lease), a buyer pays its chip vendor;
        of two parties acting together in such a deal, the payer is the subject."""
        if len(subjects) == 2 and object_id is None and kind in _PAID:
            first, second = subjects
            if self._pays(kind, second, first):
                return [second], first
            if self._pays(kind, first, second):
                return [first], second
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

    def _pays(self, kind: ClaimKind, payer: str, payee: str) -> bool:
        role_p, role_q = self.gazetteer.role(payer), self.gazetteer.role(payee)
        if kind is ClaimKind.PURCHASE:
            return role_p in {"lab", "cloud"} and role_q == "chips"
        return role_p == "lab" and role_q in {"cloud", "chips", "builder"}
