"""Who a figure is attributed to: the speaker of a quotation, a source ("selon X", "according
to X"), a person or an organisation followed by a speech verb ("Oracle said", "AMD a indiqué"),
or named after one ("said CFO Jane Doe", "a indiqué Amy Hood", "», a déclaré AMD").

A source phrase that names no one ("according to reports", "selon le document") gives the
entity it contains if any ("une estimation d'UBS" -> UBS), else no speaker.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Final

from stargate.evidence import cues
from stargate.evidence.mentions import EntityMention, Gazetteer, Sentence

_SIGNATURE: Final = re.compile(r"^\s*[–—-]\s*(?P<who>[^,\n]+)")
_GENERIC_SOURCE: Final = re.compile(
    r"^(?:an?|the|des|les|le|la|l'|un|une|some|certain|several|plusieurs|new|nouveaux?)?\s*"
    r"(?:\w+\s+){0,2}(?:reports?|sources?|people|persons|documents?|filings?|analysts?|"
    r"estimates?|calculations|rapports?|sources|personnes|documents?|analystes|estimations?|"
    r"calculs|communiqués?|statement|press\s+release|données|data|figures?|chiffres|"
    r"accords?|contrats?|partenariats?|deals?|agreements?|contracts?|termes|terms)\b",
    re.IGNORECASE,
)
_INVERTED: Final = re.compile(
    rf"(?:^|[,»\"”:;(]|\s-)\s*(?:{cues.SPEECH_VERBS})\s+(?:[\w.'’-]+\s+){{0,4}}$", re.IGNORECASE
)
_PRONOUN_AFTER: Final = re.compile(
    rf"^\s*[»\"”]?\s*,?\s*(?:(?:{cues.SPEECH_VERBS})\s+(?:he|she)|(?:he|she|il|elle)\s+"
    rf"(?:{cues.SPEECH_VERBS})|\w+-t-(?:il|elle))\b",
    re.IGNORECASE,
)
_DESCRIBED: Final = re.compile(
    rf"(?:^|[,;(]\s*|\b(?:but|and|mais|et)\s+)(?P<who>{cues.ANAPHOR.pattern})\s+"
    rf"(?:(?:has|had|also|a|avait|aussi)\s+)?(?:{cues.SPEECH_VERBS})\b",
    re.IGNORECASE,
)
_ORG_VERB_GAP: Final = 25  # characters between an organisation and its speech verb


class Speakers:
    """Speaker attribution for the document reader (:class:`.extract._Document`)."""

    text: str
    gazetteer: Gazetteer
    sentences: list[Sentence]
    quotes: list[tuple[int, int]]
    _antecedent: Callable[[int], str | None]  # from :class:`.subjects.Subjects`

    def _sentence_of(self, position: int) -> Sentence | None:
        raise NotImplementedError

    def _index(self, sentence: Sentence) -> int:
        raise NotImplementedError

    def _entities_in(self, start: int, end: int) -> list[EntityMention]:
        raise NotImplementedError

    def _quote_at(self, position: int) -> tuple[int, int] | None:
        raise NotImplementedError

    def _is_speaker(self, mention: EntityMention, sentence: Sentence) -> bool:
        raise NotImplementedError

    def _verb_end(self, mention: EntityMention, sentence: Sentence) -> int | None:
        raise NotImplementedError

    def _name(self, mention: EntityMention) -> str:
        entity = self.gazetteer.entities.get(mention.entity_id)
        return entity.name if entity is not None else mention.name

    def _speaker(self, position: int) -> str | None:
        sentence = self._sentence_of(position)
        if sentence is None:
            return None
        quote = self._quote_at(position)
        if quote is not None:
            return self._quote_speaker(quote, sentence)
        sentence_text = self.text[sentence.start : sentence.end]
        if source := cues.SOURCE_BEFORE.search(sentence_text):
            return self._source_name(source.group("who"), sentence.start + source.start("who"))
        for m in self._entities_in(sentence.start, sentence.end):
            voice = m.is_person or self._media(m)
            if m.start < position and voice and self._is_speaker(m, sentence):
                return self._name(m)
            if m.start < position and self._organisation_speaks(m, sentence):
                return self._name(m)
        return self._inverted(sentence) or self._described_speaker(sentence)

    def _described_speaker(self, sentence: Sentence) -> str | None:
        """ "..., the British data-centre company said": the organisation the description
        stands for."""
        text = self.text[sentence.start : sentence.end]
        for match in _DESCRIBED.finditer(text):
            before = [  # the nearest organisation before it: "..., with Nscale, the company"
                m for m in self._entities_in(sentence.start, sentence.start + match.start())
                if m.organisation and not m.is_person and not self._media(m)
            ]  # fmt: skip
            if before:
                return self._name(before[-1])
            entity_id = self._antecedent(sentence.start + match.start())
            if entity_id and entity_id in self.gazetteer.entities:
                return self.gazetteer.entities[entity_id].name
        return None

    def _media(self, m: EntityMention) -> bool:
        return self.gazetteer.role(m.organisation) == "media"

    def _organisation_speaks(self, m: EntityMention, sentence: Sentence) -> bool:
        """ "Oracle said", "OpenAI has said", "AMD a indiqué que": a speech verb right after."""
        if m.is_person or m.organisation is None:
            return False
        after = self.text[m.end : min(sentence.end, m.end + _ORG_VERB_GAP + 30)]
        verb = re.match(
            rf"^\s*(?:(?:has|have|had|also|a|ont|avait|aussi|également)\s+){{0,2}}"
            rf"(?:{cues.SPEECH_VERBS})\b",
            after,
            re.IGNORECASE,
        )
        return verb is not None and verb.start() <= _ORG_VERB_GAP

    def _inverted(self, sentence: Sentence) -> str | None:
        """ "..., said CFO Jane Doe" / "..., a indiqué Amy Hood": the name after the verb."""
        for m in self._entities_in(sentence.start, sentence.end):
            if not (m.is_person or m.organisation):
                continue
            if _INVERTED.search(self.text[max(sentence.start, m.start - 80) : m.start]):
                return self._name(m)
        return None

    def _source_name(self, phrase: str, start: int) -> str | None:
        """The speaker a "selon X" / "according to X" phrase names."""
        named = self._entities_in(start, start + len(phrase))
        if named:
            return self._name(named[0])
        who = phrase.strip()
        entity_id = self.gazetteer.lookup(who) or self.gazetteer.lookup(
            re.sub(r"^(?:the|le|la|les|l')\s*", "", who, flags=re.I)
        )
        if entity_id:
            return self.gazetteer.entities[entity_id].name
        if _GENERIC_SOURCE.match(who):
            return None
        return re.sub(r"^(?:the|le|la|les|l')\s*", "", who, flags=re.I) or None

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
            return self._name(talking[0])
        after = text[quote[1] : quote[1] + 40]
        if in_sentence and (
            cues.INVERSION_AFTER.match(after) or self._is_speaker(in_sentence[0], sentence)
        ):
            return self._name(in_sentence[0])
        # "« ... », a déclaré Amy Hood" / "“...,” said Oracle": named after the quote's verb
        named_after = [
            m for m in self._entities_in(quote[1], min(sentence.end, quote[1] + 80))
            if (m.is_person or m.organisation)
            and _INVERTED.search(text[max(quote[1], m.start - 80) : m.start] or "")
            and re.match(r"^\s*[»\"”]?\s*,?\s*", text[quote[1] : m.start])
        ]  # fmt: skip
        if named_after:
            return self._name(named_after[0])
        # a block quote signed on the next line: "– Elon Musk, sur X"
        line_end = text.find("\n", quote[1])
        following = text[line_end : line_end + 200] if line_end >= 0 else ""
        for line in following.split("\n")[1:4]:
            if (signature := _SIGNATURE.match(line)) and signature.group("who").strip():
                who = signature.group("who").strip()
                entity_id = self.gazetteer.lookup(who)
                return self.gazetteer.entities[entity_id].name if entity_id else who
        # "“...,” he said": the person last named before
        if _PRONOUN_AFTER.match(after) and not in_sentence:
            index = self._index(sentence)
            for s in reversed(self.sentences[max(0, index - 3) : index]):
                named = people(s.start, s.end)
                if named:
                    return self._name(named[-1])
        # inherit from an adjacent earlier quote in the same paragraph
        here = bisect.bisect_left(self.quotes, quote)
        earlier = [
            q for q in self.quotes[max(0, here - 3) : here]
            if q[1] <= quote[0] and quote[0] - q[1] < 60
        ]  # fmt: skip
        if earlier:
            owner = self._sentence_of(earlier[-1][0])
            if owner is not None:
                previous = people(owner.start, earlier[-1][0])
                if previous:
                    return self._name(previous[0])
                index = self._index(owner)
                for s in reversed(self.sentences[max(0, index - 2) : index]):
                    named = people(s.start, s.end)
                    if named:
                        return self._name(named[0])
        if in_sentence:
            return self._name(in_sentence[0])
        return None
