"""How the text presents a figure (``tests/fixtures/devcorpus/README.md``): denied, disputed,
reported, planned, completed or announced.

In order: a denial (a denying word in the sentence, or a negated verb over the figure: "is not
that $10 billion buyer", "n'a jamais signé") denies; a contest or a stalled deal disputes; a
third party's account ("according to", "selon", "people familiar", "sources said", "is believed
to", "reportedly", a medium that reports) reports. Then the verb that governs the figure (an
infinitive takes the tense of the verb it completes): a French conditional reports ("aurait
investi"), unless the party itself announced it ("ont annoncé qu'elles investiraient"); a future,
an English modal or a verb of intention ("plans to", "prévoit d'", "is projected to") plans,
unless the party itself says so ("Nvidia said it will invest": announced); a past tense
completes, or announces when the verb is an agreement ("signed", "a conclu"); the present
completes a state ("holds 6%", "détient", "enregistre une croissance") and announces what a deal
provides ("le partenariat prévoit 10 GW"). Failing a verb, the nearest status cue decides.
"""

from __future__ import annotations

import bisect
import re
from typing import Any, Final

from stargate.evidence import cues, syntax
from stargate.evidence.mentions import EntityMention, Gazetteer, Sentence
from stargate.evidence.quantities import Mention
from stargate.ledger.records import ClaimKind, ClaimStatus, Polarity
from stargate.units import Bound

_STATES: Final = frozenset(
    {ClaimKind.STAKE, ClaimKind.SHARE_OF, ClaimKind.CHANGE, ClaimKind.SHARE_PRICE,
     ClaimKind.REVENUE, ClaimKind.VALUATION, ClaimKind.SHARES}
)  # fmt: skip
_STATE_VERB: Final = re.compile(
    r"détien\w*|possèd\w*|représent\w*|enregistr\w*|affich\w*|atteint|pès\w*|vaut|a|ont|"
    r"dispos\w*|ajout\w*|s'ajout\w*|"
    r"holds?|owns?|runs?|operates?|accounts?|represents?|stands?|has|have|totals?|reaches|"
    r"holding|owning|running|operating|totalling|totaling",
    re.IGNORECASE,
)
_PLAN_VERB: Final = re.compile(
    r"prévoi\w*|vis\w*|ambitionn\w*|envisag\w*|projett\w*|compt\w*|plans?|planned|planning|"
    r"aims?|intends?|expects?|expected|targets?|seeks?|projected|forecasts?|hopes?|"
    r"espèr\w*|souhait\w*|veut|veulent|wants?|prepar\w*|prépar\w*|s'apprêt\w*|estim\w*",
    re.IGNORECASE,
)
_MODAL: Final = re.compile(
    r"dev\w+|doi\w+|pourr\w+|peu\w+|pouv\w+|could|might|may|should|must|can",
    re.IGNORECASE,
)
_PLEDGE_VERB: Final = re.compile(
    r"engag\w*|promi\w*|promet\w*|pledg\w*|commit\w*|vow\w*", re.IGNORECASE
)
_BASELINE: Final = re.compile(
    r"\b(?:contre|compared\s+with|compared\s+to|versus|vs\.?|up\s+from|down\s+from|"
    r"par\s+rapport\s+(?:à|aux?)|from\s+just|après)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_INHERIT_TENSE: Final = frozenset({"xcomp", "acl", "advcl", "conj", "pcomp", "csubj"})


class Status:
    """Status rules for the document reader (:class:`.extract._Document`)."""

    text: str
    language: str | None
    gazetteer: Gazetteer
    sentences: list[Sentence]
    parsed: dict[int, Any]
    _words_of: dict[int, dict[str, bool]]  # per sentence start: the status words it holds
    quotes: list[tuple[int, int]]  # quotation spans, sorted

    def _index(self, sentence: Sentence) -> int:
        raise NotImplementedError

    def _entities_in(self, start: int, end: int) -> list[EntityMention]:
        raise NotImplementedError

    def _status(
        self, q: Mention, sentence: Sentence, speaker: str | None, subjects: list[str],
        kind: ClaimKind, parties: frozenset[str] = frozenset(),
    ) -> tuple[ClaimStatus, Polarity]:  # fmt: skip
        """The status and polarity of a figure (``parties``: its subjects and counterparty)."""
        text = self.text[sentence.start : sentence.end]
        index = self._index(sentence)
        doc = self.parsed.get(index)
        words = self._status_words(sentence)
        if words["denied"] or (
            doc is not None and syntax.negated(doc, sentence.start, q.start, q.end)
        ):
            return ClaimStatus.DENIED, Polarity.DENIES
        context = " ".join(
            self.text[s.start : s.end] for s in self.sentences[max(0, index - 2) : index]
            if s.paragraph == sentence.paragraph
        )  # fmt: skip
        if words["disputed"] or (
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
        parties = parties | frozenset(subjects)
        frame = None if doc is None else syntax.report_frame(doc, sentence.start, q.start, q.end)
        by_party = frame is not None and self._party_speaks(frame, parties)
        ahead = doc is not None and syntax.prospective(doc, sentence.start, q.start, q.end)
        if (
            ahead
            and not by_party
            and (words["hedge"] or frame)
            and not self._rumour(text, sentence.start, frame)
        ):
            return ClaimStatus.PLANNED, Polarity.ASSERTS  # a forecast a named source makes
        if self._hedged(words, frame, parties, speaker_org):
            return ClaimStatus.REPORTED, Polarity.ASSERTS
        if doc is not None and (found := self._by_verb(doc, sentence, q, kind, by_party, ahead)):
            return found, Polarity.ASSERTS
        return self._by_cues(q, sentence, text, speaker, speaker_org, subjects), Polarity.ASSERTS

    def _party_speaks(self, frame: tuple[int, int], parties: frozenset[str]) -> bool:
        """Whether the subject of the reporting verb is a party of the figure (or speaks for
        one, or is "it", "the company", "nous")."""
        named = [m.organisation for m in self._entities_in(*frame) if m.organisation]
        if named:
            return any(n in parties for n in named)
        phrase = self.text[frame[0] : frame[1]].strip()
        return not cues.UNNAMED_SOURCE.search(phrase)  # "les deux sociétés", "it", "nous"

    def _status_words(self, sentence: Sentence) -> dict[str, bool]:
        """Which status words a sentence holds (searched once per sentence)."""
        found = self._words_of.get(sentence.start)
        if found is None:
            text = self.text[sentence.start : sentence.end]
            # a quotation the sentence opens and a later sentence closes is still what it
            # reports ("Musk said: “Fake news. xAI is not raising any capital.”")
            i = bisect.bisect_left(self.quotes, (sentence.start, sentence.start))
            opened = [
                self.text[sentence.end : end] for start, end in self.quotes[i : i + 3]
                if start < sentence.end < end
            ]  # fmt: skip
            found = self._words_of[sentence.start] = {
                "denied": bool(cues.STATUS_DENIED.search(" ".join([text, *opened]))),
                "disputed": bool(cues.STATUS_DISPUTED.search(text)),
                "hedge": bool(cues.HEDGE.search(text)),
                "source": bool(cues.SOURCE_BEFORE.search(text)),
                "deal_frame": bool(cues.DEAL_FRAME.search(text)),
            }
        return found

    def _hedged(
        self, words: dict[str, bool], frame: tuple[int, int] | None, parties: frozenset[str],
        speaker_org: str | None,
    ) -> bool:  # fmt: skip
        """A third party's account: a hedge word, a source phrase that is not a party, or a
        reporting verb whose subject is a medium or unnamed sources."""
        if words["hedge"]:
            return True
        if words["source"] and speaker_org not in parties and not words["deal_frame"]:
            return True
        if frame is None:
            return False
        phrase = self.text[frame[0] : frame[1]]
        named = [m for m in self._entities_in(*frame) if m.organisation or m.is_person]
        media = any(self.gazetteer.role(m.organisation) == "media" for m in named)
        return media or bool(cues.UNNAMED_SOURCE.search(phrase))

    def _rumour(self, text: str, base: int, frame: tuple[int, int] | None) -> bool:
        """A third party's account that stays one even for a forecast: a rumour word
        (`reportedly`, `people familiar`, `aurait`), a medium or a report as the source
        (`according to Bloomberg`, `selon le Financial Times`), or unnamed sources reporting."""
        if cues.RUMOUR.search(text):
            return True
        spans = [(m.start(), m.end()) for m in cues.SOURCE_BEFORE.finditer(text)]
        if frame is not None:
            spans.append((frame[0] - base, frame[1] - base))
        for a, b in spans:
            if cues.RUMOUR_SOURCE.search(text[a:b]):
                return True
            for m in self._entities_in(base + a, base + b):
                if m.organisation and self.gazetteer.role(m.organisation) == "media":
                    return True
        return False

    def _by_verb(
        self, doc: Any, sentence: Sentence, q: Mention, kind: ClaimKind, by_party: bool,
        ahead: bool = False,
    ) -> ClaimStatus | None:  # fmt: skip
        offset = sentence.start
        nominals = syntax.nominals(doc, offset, q.start, q.end)
        nouns = [n.word for n in nominals]
        if (
            any(cues.INTENTION_NOUN.fullmatch(n) for n in nouns)
            or any(n.future for n in nominals)
            or syntax.completes_intention(doc, offset, q.start, q.end)
        ):
            return ClaimStatus.PLANNED  # "a plan for 4.5 GW", "the option to add 700 MW"
        if _BASELINE.search(self.text[max(sentence.start, q.start - 25) : q.start]):
            return ClaimStatus.COMPLETED  # "contre 131 milliards en 2025": the past figure
        verb, found = syntax.finite_tense(doc, offset, q.start, q.end)
        in_deal = any(cues.DEAL_NOUN.fullmatch(n) for n in nouns)
        if verb is None:
            if cues.PAST_TIME.search(self.text[sentence.start : sentence.end]):
                return ClaimStatus.COMPLETED  # "Oracle's $18 billion offering last month"
            if ahead and not in_deal:
                return ClaimStatus.PLANNED  # "un bâtiment de 150 MW est en construction"
            return ClaimStatus.ANNOUNCED if in_deal else None
        word = verb.lower_
        subject = syntax.subject_word(verb)
        of_deal = in_deal or bool(subject and cues.DEAL_NOUN.fullmatch(subject))
        stipulated = self._status_words(sentence)["deal_frame"]  # "dans le cadre de l'accord"
        if _MODAL.fullmatch(word) or found == "conditional":
            if word.startswith(("pourr", "could", "might", "may")) and not by_party:
                return ClaimStatus.REPORTED  # a possibility someone else raises
            if self.language == "fr" and found == "conditional" and not word.startswith("devr"):
                return ClaimStatus.ANNOUNCED if by_party else ClaimStatus.REPORTED
            return ClaimStatus.ANNOUNCED if by_party or stipulated else ClaimStatus.PLANNED
        if _PLEDGE_VERB.fullmatch(word):
            return ClaimStatus.ANNOUNCED  # "s'est engagé à investir", "pledged": a commitment
        if ahead and found != "future" and not of_deal:
            return ClaimStatus.PLANNED  # "is expected to", "under construction", "is developing"
        if _PLAN_VERB.fullmatch(word):
            if of_deal:
                return ClaimStatus.ANNOUNCED  # "le partenariat prévoit 10 GW": its terms
            return ClaimStatus.PLANNED  # "aims to", "prévoit d'investir": an intention
        if found == "future":
            return ClaimStatus.ANNOUNCED if by_party or stipulated else ClaimStatus.PLANNED
        dated = cues.PAST_TIME.search(self.text[sentence.start : sentence.end])
        if dated and (found in {"past", None} or dated.group().lower().startswith("vien")):
            return ClaimStatus.COMPLETED  # "previously signed", "Oracle's offering last month"
        if found == "past":
            if kind in _STATES or kind is ClaimKind.FUNDING_SECURED:
                return ClaimStatus.COMPLETED  # "a annoncé une augmentation de 359 %": it rose
            agreed = cues.AGREEMENT_VERB.match(word) or of_deal  # "a deal worth $6.5B"
            return ClaimStatus.ANNOUNCED if agreed else ClaimStatus.COMPLETED
        if found == "present":
            if of_deal:
                return ClaimStatus.ANNOUNCED  # "cela représente un partenariat de 300 Md"
            if kind in _STATES or _STATE_VERB.fullmatch(word):
                return ClaimStatus.COMPLETED
        return None

    def _by_cues(
        self, q: Mention, sentence: Sentence, text: str, speaker: str | None,
        speaker_org: str | None, subjects: list[str],
    ) -> ClaimStatus:  # fmt: skip
        """The status cue nearest the figure; announced when there is none."""
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
            return ClaimStatus.PLANNED
        if not found:
            if speaker and speaker_org not in subjects:
                return ClaimStatus.REPORTED
            return ClaimStatus.ANNOUNCED
        found.sort(key=lambda item: item[0])
        status = found[0][1]
        if status is ClaimStatus.REPORTED and cues.STATUS_ANNOUNCE.search(text[:centre]):
            status = ClaimStatus.ANNOUNCED  # "a annoncé qu'elle investirait": future in the past
        return status
