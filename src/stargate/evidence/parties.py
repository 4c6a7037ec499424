"""Figures stated about a deal, a project or a generic subject rather than about a party.

- A figure of a deal ("the contract is worth $24B", "un avenant de 4 milliards", "son contrat de
  300 milliards avec X") belongs to the deal's parties: those its own phrase names (a possessive
  standing for the organisation it refers to), else those of the nearest earlier sentence that
  names two organisations, preferring one that speaks of an agreement. The payer is chosen by
  role: a lab pays its cloud, chip vendor or builder, a cloud pays its builder or chip vendor; an
  investor, or a supplier investing in a lab, is the one who invests.
- A figure whose actor is a project ("this project could involve $500B", "le projet ... vise à
  investir") belongs to the project the article names.
- Capacity belongs to its offtaker (``tests/fixtures/devcorpus/README.md``): when no party is
  named, or a project or a deal stands as subject, the offtaker is the lab among the sentence's
  organisations or the deal's parties, else the lab the article is about.
- A figure whose actor is a common noun naming no organisation ("les dépenses en
  infrastructures", "hyperscalers", "trois entreprises") is a generic statement: no subject, and
  no organisation from an earlier sentence is attached to it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Final

from stargate.evidence import cues, syntax
from stargate.evidence.consolidate import unique
from stargate.evidence.mentions import EntityMention, Gazetteer, Sentence
from stargate.evidence.quantities import Mention
from stargate.ledger.records import ClaimKind, EntityType

_INVESTED: Final = frozenset(
    {ClaimKind.INVESTMENT, ClaimKind.COMMITMENT, ClaimKind.STAKE, ClaimKind.SHARES,
     ClaimKind.SHARE_PRICE, ClaimKind.LOAN}
)  # fmt: skip
_MEASURES: Final = frozenset({ClaimKind.CHANGE, ClaimKind.SHARE_PRICE})
_LOOK_BACK: Final = 12  # sentences searched for the deal a phrase refers to
_BETWEEN: Final = re.compile(
    r"\s*,?\s*(?:entre|between|avec|with|auprès\s+d[e']|from)\s+[^,;.\d]{2,80}", re.IGNORECASE
)  # the parties named right after a deal's phrase (up to the next figure)
_WITH: Final = re.compile(r"\b(?:avec|with|auprès\s+d[e'])\s", re.IGNORECASE)
_AGENT_OF: Final = re.compile(r"(?:\bde\s+|\bd'|\bby\s+|\bfrom\s+)$", re.IGNORECASE)
_FOR: Final = re.compile(r"(?:\bfor|\bpour|on\s+behalf\s+of)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def _mention(position: int, entity_id: str) -> EntityMention:
    return EntityMention(position, position, entity_id, entity_id, organisation=entity_id)


class Parties:
    """Deal, project and generic referents for the document reader (:class:`.extract._Document`)."""

    text: str
    gazetteer: Gazetteer
    sentences: list[Sentence]
    parsed: dict[int, Any]
    entities: list[EntityMention]
    _actor: syntax.Actor | None
    _untrusted: set[int]
    _named_most: dict[str, str] | None = None  # per document: most named project and lab
    _named_of: list[EntityMention] | None = None

    def _orgs_in(self, start: int, end: int) -> list[EntityMention]:
        raise NotImplementedError

    def _index(self, sentence: Sentence) -> int:
        raise NotImplementedError

    def _antecedent(self, position: int) -> str | None:
        raise NotImplementedError

    def _organisation_speaks(self, m: EntityMention, sentence: Sentence) -> bool:
        raise NotImplementedError

    def _type(self, entity_id: str) -> EntityType | None:
        entity = self.gazetteer.entities.get(entity_id)
        return None if entity is None else entity.type

    def _is_place(self, entity_id: str) -> bool:
        return self._type(entity_id) in {EntityType.PROJECT, EntityType.SITE}

    def _referred(
        self, q: Mention, sentence: Sentence, clause: tuple[int, int],
        actors: list[EntityMention], named: bool, kind: ClaimKind | None = None,
    ) -> tuple[list[EntityMention], str] | None:  # fmt: skip
        """Subjects (and where they come from: deal, project, generic) when the figure is
        stated about a deal, a project or a common noun; None to let the parse's organisations
        (``actors``) or the clause rules decide (``named``: the clause names an organisation
        before the figure)."""
        doc = self.parsed.get(self._index(sentence))
        if doc is None or self._index(sentence) in self._untrusted:
            return None
        actor = self._actor
        head = "" if actor is None else self.text[actor.head_start : actor.head_end].casefold()
        deals = kind not in _MEASURES  # a change or a price is some organisation's measure
        if actor is not None and deals and head in {"it", "il", "elle"}:
            earlier = syntax.previous_subject(doc, sentence.start, actor.start)
            if earlier is not None and cues.DEAL_NOUN.fullmatch(earlier[0]):
                return self._deal_referent(earlier[1], earlier[2], False, sentence, clause, q)
        if actor is not None and deals and cues.DEAL_NOUN.fullmatch(head):
            return self._deal_referent(
                actor.start, actor.end, actor.possessive, sentence, clause, q
            )
        if actor is not None and cues.PROJECT_NOUN.fullmatch(head):
            project = self._project_in(actor.start, actor.end)
            if project:
                return [_mention(actor.start, project)], "project"
        agent = self._act_agent(q, sentence, doc)
        if agent is not None:
            return [_mention(q.start, agent)], "parse"  # "un engagement de Nscale d'un milliard"
        named_actor = (
            actor is not None
            and actor.head_pos == "PROPN"
            and not actor.start <= q.start < actor.end
        )
        if actors or named_actor:
            return None  # the parse names the actor (an unknown name is still a name)
        for nominal in syntax.nominals(doc, sentence.start, q.start, q.end) if deals else ():
            if cues.DEAL_NOUN.fullmatch(nominal.word):
                found = self._deal_referent(
                    nominal.start, nominal.end, nominal.possessive, sentence, clause, q
                )
                if found is not None:
                    return found
                break
        if actor is None:
            return None
        inside = actor.start <= q.start < actor.end  # the figure is its own subject
        if (
            named
            and actor.open_class
            and actor.head_pos == "NOUN"
            and not cues.MEASURE_NOUN.fullmatch(head)  # a measure is someone's: "capex"
            and not inside
            and clause[0] <= actor.start
            and not self._orgs_in(actor.start, actor.end)
        ):
            return [], "generic"  # "X expects hyperscalers to spend $3T": a class acts
        if named:
            return None
        if actor.possessive and actor.head_pos in {"NOUN", "NUM", "PRON"}:
            antecedent = self._antecedent(actor.start)
            return ([_mention(actor.start, antecedent)], "rules") if antecedent else None
        if inside and kind is ClaimKind.UNIT_COST and actor.indefinite:
            return [], "generic"  # "A $40,000 GPU costs ...": the priced thing, no one's
        if (
            actor.head_pos == "NOUN"
            and clause[0] <= actor.start
            and not inside
            and self._generic(actor, head)
        ):
            return [], "generic"
        return None

    def _act_agent(self, q: Mention, sentence: Sentence, doc: Any) -> str | None:
        """The organisation a noun of an act of paying names as its own agent when the amount
        completes that noun ("un engagement de Nscale d'un milliard de dollars", "Nscale's $1
        billion commitment"): it, not the clause's subject, pays."""
        for nominal in syntax.nominals(doc, sentence.start, q.start, q.end)[:2]:
            if not cues.ACT_NOUN.fullmatch(nominal.word):
                continue
            head_end = nominal.start + len(nominal.word)
            for m in self._orgs_in(nominal.start, nominal.end):
                if m.is_person or not m.organisation or m.start > q.start:
                    continue
                between = self.text[max(nominal.start, m.start - 6) : m.start]
                if m.start >= head_end and _AGENT_OF.search(between):
                    return m.organisation  # "engagement de Nscale"
                if m.end <= nominal.start + len(self.text[nominal.start : q.start]) and (
                    self.text[m.end : m.end + 2] in {"'s", "’s"}
                ):
                    return m.organisation  # "Nscale's commitment"
            break
        return None

    def _deal_referent(
        self, start: int, end: int, possessive: bool, sentence: Sentence,
        clause: tuple[int, int], q: Mention,
    ) -> tuple[list[EntityMention], str] | None:  # fmt: skip
        """The parties of a deal's phrase at [start, end): those it names, the organisation
        that enters it earlier in the clause ("X investit ... avec un contrat"), else those of
        the deal the article reported before."""
        own = self._parties_in(start, end, possessive, q)
        if len(own) < 2:
            before = self._sentence_parties(sentence, clause[0], start, speaking=False)
            own = unique(own + before[-1:])
        if len(own) == 1 and _WITH.search(self.text, start, end):
            # "un accord ... avec X": X is the counterparty; the other is who the clause is
            # about, the antecedent ("Cette frénésie de dépenses comprend un accord avec X")
            antecedent = self._antecedent(start)
            if antecedent and antecedent != own[0] and not self._is_place(antecedent):
                own = [*own, antecedent]
        parties = own if len(own) >= 2 else unique(own + self._deal_parties(sentence))
        return ([_mention(q.start, p) for p in parties], "deal") if parties else None

    def _generic(self, actor: syntax.Actor, head: str) -> bool:
        """A common noun for a class ("hyperscalers", "trois entreprises", "a GPU"), or a
        measure of a sector ("les dépenses en infrastructures d'IA"); a measure with no
        possessor ("les dépenses d'investissement ont totalisé") is the article's company's."""
        phrase = self.text[actor.start : actor.end]
        if cues.MEASURE_NOUN.fullmatch(head):
            return bool(cues.SECTOR.search(phrase))
        return actor.indefinite or bool(cues.SECTOR.search(phrase))

    def _parties_in(self, start: int, end: int, possessive: bool, q: Mention) -> list[str]:
        """The organisations a deal's own phrase names ("son contrat ... avec OpenAI", "un
        partenariat de 38 milliards entre OpenAI et AWS")."""
        sentence_end = self.text.find("\n", end)
        following = _BETWEEN.match(
            self.text, end, sentence_end if sentence_end > 0 else len(self.text)
        )
        if following:
            end = following.end()
        found = [
            m.organisation for m in self._orgs_in(start, end)
            if m.organisation and not m.is_person and not self._is_place(m.organisation)
        ]  # fmt: skip
        if possessive and (antecedent := self._antecedent(start)):
            found.insert(0, antecedent)
        return unique(found)

    def _sentence_parties(
        self, sentence: Sentence, start: int | None = None, end: int | None = None,
        speaking: bool = True,
    ) -> list[str]:  # fmt: skip
        """The organisations a sentence (or a part of it) names as parties, the one a deal is
        made for first ("build data centres for Microsoft"); people, media, projects and sites
        are none, "the company" stands for its antecedent."""
        start = sentence.start if start is None else start
        end = sentence.end if end is None else end
        found: list[tuple[int, int, str]] = [
            (0 if _FOR.search(self.text[max(start, m.start - 30) : m.start]) else 1, m.start,
             m.organisation)
            for m in self._orgs_in(start, end)
            if m.organisation and not m.is_person and not self._is_place(m.organisation)
            and (speaking or not self._organisation_speaks(m, sentence))
        ]  # fmt: skip
        for match in cues.ANAPHORA_COMPANY.finditer(self.text, start, end):
            antecedent = self._antecedent(match.start())
            if antecedent and not self._is_place(antecedent):
                found.append((1, match.start(), antecedent))
        return unique([entity for *_, entity in sorted(found)])

    def _deal_parties(self, sentence: Sentence) -> list[str]:
        """The parties of the deal a sentence refers to: those of the nearest earlier sentence
        that names two organisations and an agreement, else of the nearest that names two."""
        index = self._index(sentence)
        nearest: list[str] = []
        for earlier in reversed(self.sentences[max(0, index - _LOOK_BACK) : index]):
            parties = self._sentence_parties(earlier)
            if len(parties) < 2:
                continue
            if cues.DEAL_WORD.search(self.text[earlier.start : earlier.end]):
                return parties
            nearest = nearest or parties
        return nearest

    def _project_in(self, start: int, end: int) -> str | None:
        """The project an actor phrase names, else the project the article names most."""
        named = [
            m.organisation for m in self._orgs_in(start, end)
            if m.organisation and self._type(m.organisation) is EntityType.PROJECT
        ]  # fmt: skip
        if named:
            return named[0]
        return self._most_named().get("project")

    def _main_subjects(self, sentence: Sentence) -> list[str]:
        """The organisations the sentence's main verb has as subject."""
        index = self._index(sentence)
        doc = self.parsed.get(index)
        if doc is None or index in self._untrusted:
            return []
        found = syntax.main_subject(doc, sentence.start)
        if found is None:
            return []
        return unique([
            m.organisation for m in self._orgs_in(found.start, found.end)
            if m.organisation and not m.is_person and not self._is_place(m.organisation)
        ])  # fmt: skip

    def _most_named(self) -> dict[str, str]:
        """The project and the lab the article names most (counted once per document)."""
        cached = self._named_most
        if cached is None or self._named_of is not self.entities:
            projects: Counter[str] = Counter()
            labs: Counter[str] = Counter()
            for m in self.entities:
                if not m.organisation:
                    continue
                if self._type(m.organisation) is EntityType.PROJECT:
                    projects[m.organisation] += 1
                if self.gazetteer.role(m.organisation) == "lab":
                    labs[m.organisation] += 1
            cached = {}
            if projects:
                cached["project"] = projects.most_common(1)[0][0]
            if labs:
                cached["lab"] = labs.most_common(1)[0][0]
            self._named_most, self._named_of = cached, self.entities
        return cached

    def _payer(self, kind: ClaimKind, a: str, b: str) -> str | None:
        """Which of two parties pays (invests, offtakes) in a figure of this kind, by role."""
        ra, rb = self.gazetteer.role(a), self.gazetteer.role(b)
        if kind in _INVESTED:
            for x, rx, ry in ((a, ra, rb), (b, rb, ra)):
                if rx == "investor" and ry != "investor":
                    return x
            for x, rx, ry in ((a, ra, rb), (b, rb, ra)):
                if ry == "lab" and rx != "lab":
                    return x
            return None
        for x, rx, ry in ((a, ra, rb), (b, rb, ra)):
            if rx == "lab" and ry != "lab":
                return x
        for x, rx, ry in ((a, ra, rb), (b, rb, ra)):
            if rx == "cloud" and ry in {"builder", "chips", "other", None}:
                return x  # a cloud pays its builder, chip vendor, utility or landlord
        return None

    def _oriented(self, kind: ClaimKind, parties: list[str]) -> tuple[list[str], str | None]:
        """A deal's parties as subject and counterparty (the first named pays when the roles
        say nothing)."""
        if len(parties) < 2:
            return parties, None
        a, b = parties[0], parties[1]
        labs = [p for p in parties if self.gazetteer.role(p) == "lab"]
        if labs and labs[0] not in (a, b):
            b = labs[0]
        if kind is ClaimKind.REVENUE:
            payer = self._payer(ClaimKind.CONTRACT, a, b)
            payee = b if payer == a else a
            return [payee], (a if payee == b else b)
        payer = self._payer(kind, a, b) or a
        return [payer], (b if payer == a else a)

    def _offtaker(
        self, subjects: list[str], object_id: str | None, sentence: Sentence, source: str
    ) -> tuple[list[str], str | None]:
        """Capacity belongs to its offtaker: when no party is named (or a project or a generic
        noun stands as subject), the lab among the sentence's organisations, the deal's
        parties or, last, when the sentence names no company (a project or a site aside),
        the lab the article names most; the project becomes the object."""
        lab_named = any(self.gazetteer.role(p) == "lab" for p in (*subjects, object_id) if p)
        if source == "deal" and lab_named:
            return subjects, object_id
        if subjects and not all(self._is_place(s) for s in subjects) and source != "deal":
            return subjects, object_id
        main = self._main_subjects(sentence) if source == "project" else []
        if any(self.gazetteer.role(m) == "lab" for m in main):
            return main, subjects[0] if subjects else object_id  # "A et B ... l'initiative"
        own = self._sentence_parties(sentence)
        deal = self._deal_parties(sentence)
        labs = [p for p in (*own, *deal) if self.gazetteer.role(p) == "lab"]
        named = [
            p for p in own
            if self._type(p) is not EntityType.PROJECT and not self._is_place(p)
        ]  # fmt: skip
        if not labs and not named:
            lab = self._most_named().get("lab")  # only when the sentence names no one
            labs = [lab] if lab else []
        if not labs:
            if subjects or not deal:
                return subjects, object_id  # no lab anywhere: the named party stays
            payer, supplier = self._oriented(ClaimKind.CAPACITY, deal)
            return payer, object_id or supplier
        lab = labs[0]
        if subjects:
            return [lab], object_id if source == "deal" and object_id else subjects[0]
        others = [p for p in (*own, *deal) if p != lab]
        return [lab], object_id or (others[0] if others else None)
