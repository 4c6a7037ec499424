"""Rules over a whole document: restatements in titles and lists, denials without a figure,
and the purchase that answers an investment ("X invests in Y, and Y turns back to X").

A figure restated in a headline or list item of the same article is dropped. A sentence that
denies without a figure ("C'est faux") copies the proposition of the nearest earlier claim about
an organisation it names (else the nearest disputed claim) with polarity ``denies``; the ledger
links it to that claim.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from stargate.evidence import cues
from stargate.evidence.consolidate import Draft
from stargate.evidence.mentions import EntityMention, Sentence
from stargate.ledger.records import ClaimKind, ClaimStatus, Polarity


class DocumentRules:
    """Document-level rules for the document reader (:class:`.extract._Document`)."""

    text: str
    sentences: list[Sentence]

    def _orgs_in(self, start: int, end: int) -> list[EntityMention]:
        raise NotImplementedError

    def _entities_in(self, start: int, end: int) -> list[EntityMention]:
        raise NotImplementedError

    def _speaker(self, position: int) -> str | None:
        raise NotImplementedError

    def _denials(self, drafts: list[Draft]) -> list[Draft]:
        """Sentences that deny without a figure ("C'est faux") deny the nearest earlier claim
        about an organisation they name, else the nearest earlier disputed claim."""
        found: list[Draft] = []
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

    def _reciprocal(self, drafts: list[Draft]) -> list[Draft]:
        """ "X invests N in Y, and Y turns back to X": Y's purchase from X, as reported."""
        extra: list[Draft] = []
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

    def _drop_restatements(self, drafts: list[Draft]) -> list[Draft]:
        body = {
            (d.mention.quantity.amount, d.mention.quantity.unit)
            for d in drafts
            if d.sentence.zone == "body"
        }

        def figure(d: Draft) -> tuple[Decimal, str]:
            return d.mention.quantity.amount, d.mention.quantity.unit

        return [d for d in drafts if d.sentence.zone == "body" or figure(d) not in body]
