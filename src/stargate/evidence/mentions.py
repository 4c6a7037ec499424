"""What a text mentions: sentences (with their zone), quotations, organisations and people.

Organisations come from the gazetteer first (canonical identity); spaCy's NER (French or
English, see :mod:`.nlp`) over the analysed sentences proposes organisations the gazetteer does
not know (candidate entities) and people (possible speakers), and two narrow patterns (company
suffixes; capitalised full names before a speech verb) run over the whole text. A stock ticker
("ORCL.N", "(NASDAQ: NVDA)") never ends a sentence.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS
from spacy.lang.fr.stop_words import STOP_WORDS as FRENCH_STOP_WORDS

from stargate.evidence.cues import BOILERPLATE, SPEECH_VERBS
from stargate.evidence.entities import slug
from stargate.ledger.records import Entity, EntityType


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    zone: str  # body | headline | list | boilerplate
    paragraph: int


@dataclass(frozen=True, slots=True)
class EntityMention:
    start: int
    end: int
    entity_id: str  # canonical id, or "cand:<slug>" for an organisation the gazetteer lacks
    name: str
    is_person: bool = False
    organisation: str | None = None  # for a person: the organisation they speak for


# -- sentences ---------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[•▪●◦·\-*–]|\d+[.)])\s+")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:M|MM|Mme|Mr|Mrs|Ms|Dr|St|Inc|Corp|Ltd|Co|vs|etc|ex|cf|env|No|Jr|Sr|U\.S|p|"
    r"Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|janv|févr|avr|juil|déc)|\b[A-Z])$"
)
_TICKER = re.compile(r"\b[A-Z]{1,5}\.[A-Z]{1,2}\b")  # Reuters instrument codes: ORCL.N
_END = re.compile(r"[.!?…]+[»\"”’)\]]*(?=\s|$)|[.!?](?=[A-ZÉÈÀÂÎÔ«])")


def sentences(text: str) -> list[Sentence]:
    """Sentences with character spans; a line break always ends a sentence."""
    found: list[Sentence] = []
    offset = 0
    paragraph = 0
    for line in text.split("\n"):
        start, stripped = offset, line.strip()
        offset += len(line) + 1
        if not stripped:
            paragraph += 1
            continue
        begin = start + (len(line) - len(line.lstrip()))
        zone = _zone(stripped)
        pieces = (
            [(begin, begin + len(stripped))]
            if zone != "body"
            else _split(text, begin, begin + len(stripped))
        )
        found += [Sentence(a, b, zone, paragraph) for a, b in pieces]
        paragraph += 1 if zone in {"headline", "boilerplate"} else 0
    return found


def _zone(line: str) -> str:
    if BOILERPLATE.match(line):
        return "boilerplate"
    if _BULLET.match(line):
        return "list"
    words = len(line.split())
    if words <= 16 and not re.search(r"[.!?:»\"”]\s*$", line):
        return "headline"
    return "body"


def _split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    cursor = start
    for match in _END.finditer(text, start, end):
        stop = match.end()
        following = text[stop:end].lstrip()[:1]
        if _ABBREVIATIONS.search(text[cursor : match.start()]) and following not in {"«", '"', "“"}:
            continue
        if any(
            t.start() < match.start() < t.end() - 1
            for t in _TICKER.finditer(text, max(start, match.start() - 6), match.end() + 3)
        ):
            continue  # the dot of a ticker, "ORCL.N"
        if stop - cursor > 1:
            pieces.append((cursor, stop))
        cursor = stop
        while cursor < end and text[cursor].isspace():
            cursor += 1
    if cursor < end:
        pieces.append((cursor, end))
    return [(a, b) for a, b in pieces if text[a:b].strip()]


def quotations(text: str) -> list[tuple[int, int]]:
    """Spans of quoted speech: «…», “…” and "…" (an unclosed « runs to the paragraph's end)."""
    spans: list[tuple[int, int]] = []
    for match in re.finditer(
        r"«[^«»]*(?:«[^«»]*»[^«»]*)*(?:»|$)|“[^”]*”|\"[^\"\n]{3,}\"", text, re.M
    ):
        spans.append((match.start(), match.end()))
    return spans


# -- the gazetteer matcher -------------------------------------------------------------------


class Gazetteer:
    """Finds every alias of known entities in a text; people resolve to their organisation."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities = {e.id: e for e in entities}
        by_alias: dict[str, str] = {}
        for entity in self.entities.values():
            for alias in (entity.name, *entity.aliases):
                by_alias.setdefault(alias, entity.id)
        self._by_key = {self._key(a): i for a, i in by_alias.items()}
        strict = [a for a in by_alias if len(a) < 5]  # short aliases: case matters (AWS, MGX)
        loose = [a for a in by_alias if len(a) >= 5]
        self._strict = self._pattern(strict, 0)
        self._loose = self._pattern(loose, re.IGNORECASE)

    @staticmethod
    def _key(alias: str) -> str:
        return re.sub(r"\s+", " ", alias.replace("’", "'")).casefold()

    @staticmethod
    def _pattern(aliases: Sequence[str], flags: int) -> re.Pattern[str] | None:
        """Aliases as whole words; a name may open a hyphenated compound ("OpenAI-dedicated")
        and a long one take a possessive "s" written without its apostrophe ("CoreWeaves
        revenue")."""
        if not aliases:
            return None
        parts = []
        for alias in sorted(aliases, key=len, reverse=True):
            escaped = re.escape(alias).replace("'", "['’]").replace(r"\ ", r"\s+")
            parts.append(escaped)
        possessive = r"(?:s(?=\s+[a-z]))?" if flags & re.IGNORECASE else ""
        return re.compile(
            rf"(?<![\w-])(?:{'|'.join(parts)}){possessive}(?!\w|-(?-i:[A-Z0-9]))", flags
        )

    def organisation_of(self, entity_id: str) -> str | None:
        entity = self.entities.get(entity_id)
        if entity is None:
            return None
        if entity.type is EntityType.PERSON:
            return entity.parent_id
        return entity.id

    def role(self, entity_id: str | None) -> str | None:
        entity = self.entities.get(entity_id or "")
        return None if entity is None else entity.role

    def lookup(self, name: str) -> str | None:
        """The entity id for a name or alias (parenthesised qualifiers ignored)."""
        key = self._key(re.sub(r"\s*\([^)]*\)", "", name).strip())
        return self._by_key.get(key)

    def find(self, text: str) -> list[EntityMention]:
        found: list[EntityMention] = []
        for pattern in (self._loose, self._strict):
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                word = match.group(0)
                entity_id = self._by_key.get(self._key(word))
                if entity_id is None and word.endswith("s"):
                    entity_id = self._by_key.get(self._key(word[:-1]))
                if entity_id is None:
                    continue
                entity = self.entities[entity_id]
                person = entity.type is EntityType.PERSON
                found.append(
                    EntityMention(
                        match.start(), match.end(), entity_id, entity.name, person,
                        entity.parent_id if person else entity_id,
                    )
                )  # fmt: skip
        return _non_overlapping(found)


def _non_overlapping(mentions: list[EntityMention]) -> list[EntityMention]:
    mentions.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[EntityMention] = []
    for mention in mentions:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


# -- statistical and pattern candidates -------------------------------------------------------


_TITLE = re.compile(  # a title before a name: "CFO Jane Doe", "le PDG Jean Dupont"
    r"^(?:(?:CEO|CFO|COO|CTO|CIO|President|Chairman|Chairwoman|PDG|DG|Président|Présidente|"
    r"Directeur|Directrice|M\.|Mme|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)\s+)+"
)
_ROMAN = re.compile(r"[IVXLCDM]+(?:e|er|ème)?", re.IGNORECASE)
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
_COMPANY = re.compile(
    r"\b(?P<name>(?:[A-Z][\w&.-]+\s+){0,3}[A-Z][\w&.-]+\s+(?:Inc|Corp|Corporation|Ltd|LLC|Group|"
    r"Capital|Partners|Holdings|Technologies|Labs|Systems|Energy|Networks|Computing|Cloud)\b\.?)"
)
_SUFFIX = re.compile(
    r"\s(?:Inc|Corp|Corporation|Ltd|LLC|Group|Capital|Partners|Holdings|Technologies|Labs|"
    r"Systems|Energy|Networks|Computing|Cloud|AI|SA|SAS|AG|GmbH|plc)\.?$"
)
_LEGAL_FORM = re.compile(
    r",?\s+(?:Inc|Corp|Corporation|Ltd|LLC|plc|PLC|SA|SAS|AG|GmbH|Co|N\.V|S\.A)\.?$"
)
_PERSON_BEFORE_SPEECH = re.compile(
    r"\b(?P<name>[A-Z][a-zà-ÿ]+(?:[- ][A-Z][a-zà-ÿ]+){1,2})"
    rf"(?=,?\s+(?:[^,.;]{{0,60}},\s+)?(?:{SPEECH_VERBS})\b)"
)


_UNIT_NOUN: Final = re.compile(r"[GTCN]PUs?|ASICs?|HBM|AI|IA", re.IGNORECASE)
_NER_LABELS: Final = {"ORG": "ORG", "PER": "PER", "PERSON": "PER"}


# function words (French and English stop words: prepositions, conjunctions, pronouns), which
# a capital at the start of a sentence does not make a name
_FUNCTION_WORDS: Final = frozenset(FRENCH_STOP_WORDS | ENGLISH_STOP_WORDS)
_TICKER_NAME: Final = re.compile(r"[A-Z]{1,5}(?:\.[A-Z]{1,2})?")
_TICKER_AROUND: Final = re.compile(r"\(\s*(?:[A-Z]{2,8}\s*:\s*)?$")
_EXCHANGE_AFTER: Final = re.compile(r"\s*:\s*[A-Z]{1,5}(?:\.[A-Z]{1,2})?\s*\)")
_BEFORE_TICKER: Final = re.compile(
    r"(?<![\w'’])(?P<name>(?:[A-Z][\w&.-]+\s+){0,2}[A-Z][\w&-]+)\s*"
    r"\((?:[A-Z]{2,8}\s*:\s*)?[A-Z]{1,5}(?:\.[A-Z]{1,2})?\)"
)
"""A name right before a stock ticker in parentheses is a listed company ("TeraWulf (WULF)")."""


def candidates(
    text: str, known: list[EntityMention], docs: Iterable[tuple[int, Any]] = ()
) -> list[EntityMention]:
    """Organisations and people the gazetteer does not know: spaCy's NER over the analysed
    sentences (``docs``: offset and Doc), then two patterns over the whole text."""
    found: list[EntityMention] = []
    taken = sorted((m.start, m.end) for m in known)  # spans already named, kept sorted
    lowercase = set(re.findall(r"(?<![\w'’])\w+", text))  # words written in lower case too
    plurals = set(re.findall(r"\b[A-Z]{2,}s\b", text))

    def free(start: int, end: int) -> bool:
        i = bisect.bisect_left(taken, (start, start))
        return not any(a < end and start < b for a, b in taken[max(0, i - 1) : i + 1])

    def add(start: int, end: int, label: str) -> None:
        if not free(start, end):
            return
        raw = text[start:end]
        name = _TITLE.sub("", _ELISION.sub("", raw)).strip(" .,;:«»\"'’")
        if len(name) < 3 or not name[0].isupper() or "\n" in name or _ROMAN.fullmatch(name):
            return
        if re.search(r"\b(?:19|20)\d\d\b", name):
            return  # an event or a period ("GITEX Global 2025"), not an organisation
        if " " not in name and (name.lower() in lowercase or name.lower() in _FUNCTION_WORDS):
            return  # a capitalised common or function word ("Train, baby", "Via ce plan")
        if (name.isupper() and f"{name}s" in plurals) or _UNIT_NOUN.fullmatch(name):
            return  # an acronym used in the plural ("GPUs") or a unit ("GPU") is no name
        start += raw.find(name)
        if (
            _TICKER_NAME.fullmatch(name) and _TICKER_AROUND.search(text[max(0, start - 12) : start])
        ) or (name.isupper() and _EXCHANGE_AFTER.match(text, start + len(name))):
            return  # "(NASDAQ:CEG)", "(MSFT)": a stock ticker, the name before it is the company
        person = label == "PER" and not _SUFFIX.search(name)  # "Acme Labs" is a company
        # a legal form is no part of the company's name ("Vistra Corp" is Vistra)
        canonical = name if person else (_LEGAL_FORM.sub("", name) or name)
        entity_id = f"cand:{slug(canonical)}"
        found.append(EntityMention(start, start + len(name), entity_id, canonical, person,
                                   None if person else entity_id))  # fmt: skip
        bisect.insort(taken, (start, start + len(name)))

    for offset, doc in docs:
        spans = doc.user_data.get("spans")
        for ent in doc.ents:
            if ent.label_ not in _NER_LABELS:
                continue
            if spans is None:
                add(offset + ent.start_char, offset + ent.end_char, _NER_LABELS[ent.label_])
            else:  # parsed with placeholder names: map back (a placeholder is no candidate)
                add(spans[ent.start][0], spans[ent.end - 1][1], _NER_LABELS[ent.label_])
    for match in _BEFORE_TICKER.finditer(text):
        add(match.start("name"), match.end("name"), "ORG")
    named = sorted(
        {m.name for m in found if not m.is_person and len(m.name) >= 4}, key=len, reverse=True
    )
    if named:  # a name the NER read once is that name everywhere in the article
        again = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, named)) + r")(?![\w-])")
        for match in again.finditer(text):
            add(match.start(), match.end(), "ORG")
    for match in _COMPANY.finditer(text):
        add(match.start("name"), match.end("name"), "ORG")
    for match in _PERSON_BEFORE_SPEECH.finditer(text):
        add(match.start("name"), match.end("name"), "PER")
    return _short_forms(found, lowercase)


def _short_forms(found: list[EntityMention], lowercase: set[str]) -> list[EntityMention]:
    """A company of two or three words named by its first word alone ("Cipher Mining" ...
    "Cipher") is that company, when the word is never written in lower case, is no function
    word and no acronym."""
    full: dict[str, EntityMention] = {}
    for m in found:
        first = m.name.split()[0] if " " in m.name else ""
        if (
            not m.is_person and len(first) >= 5 and not first.isupper()
            and first.lower() not in lowercase and first.lower() not in _FUNCTION_WORDS
        ):  # fmt: skip
            full.setdefault(first, m)
    if not full:
        return found
    return [
        replace(m, entity_id=full[m.name].entity_id, name=full[m.name].name,
                organisation=full[m.name].entity_id)
        if not m.is_person and m.name in full else m
        for m in found
    ]  # fmt: skip
