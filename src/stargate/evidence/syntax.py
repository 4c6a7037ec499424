"""What the dependency parse says about an amount: who does the act, and in what tense.

Universal Dependencies labels (French, https://universaldependencies.org/u/dep/) and ClearNLP
labels (English, https://github.com/clir/clearnlp-guidelines/blob/master/md/specifications/dependency_labels.md)
are both read. From the amount's head token the parse is climbed to the verb that governs it;
that verb's subject (``nsubj``; a passive's agent) is the actor. A verb without its own subject
takes the subject of the verb it depends on when it is an infinitive, a conjunct or an adverbial
clause ("SoftBank plans to invest", "détient 5 % ... et lui a vendu"); a relative clause's pronoun
stands for the noun the clause modifies ("Microsoft, which owns 27.5%"); a participle modifying a
noun has that noun as actor ("Meta conservant une participation de 20 %").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

_SUBJECT: Final = frozenset({"nsubj", "csubj", "expl:subj"})
_PASSIVE_SUBJECT: Final = frozenset({"nsubj:pass", "nsubjpass", "csubjpass", "csubj:pass"})
_AGENT: Final = frozenset({"agent", "obl:agent"})
_INHERIT: Final = frozenset({"xcomp", "conj", "advcl", "ccomp", "parataxis", "dep"})
_MODIFIER_CLAUSE: Final = frozenset({"acl", "acl:relcl", "relcl"})
_RELATIVE: Final = frozenset(
    {"which", "that", "who", "whom", "qui", "que", "lequel", "laquelle", "lesquels", "dont"}
)
# French verb endings the tagger sometimes misses: conditional (-rait) and future (-ra, -ront)
_CONDITIONAL_FR: Final = re.compile(r"\w{2,}r(?:ais|ait|ions|iez|aient)$")
_FUTURE_FR: Final = re.compile(r"\w{2,}(?:er|ir|r)(?:a|ont|ai|as|ez|ons)$")
_EXCLUDED_UNDER: Final = frozenset({"relcl", "acl", "acl:relcl", "advcl", "ccomp", "parataxis"})


@dataclass(frozen=True, slots=True)
class Actor:
    """Character spans (absolute) of the subject phrase and of its head word, and the verb."""

    start: int
    end: int
    head_start: int
    head_end: int
    verb_tense: str | None  # past | future | conditional | present | None
    excluded: tuple[tuple[int, int], ...] = ()  # spans inside the phrase that are not the actor


def _token_at(doc: Any, offset: int, start: int, end: int) -> Any | None:
    """The head token of the characters [start, end) (absolute offsets; the doc starts at
    ``offset``): the token of that span whose head lies outside it."""
    tokens = [t for t in doc if t.idx + offset < end and t.idx + len(t.text) + offset > start]
    if not tokens:
        return None
    inside = {t.i for t in tokens}
    for token in tokens:
        if token.head.i not in inside or token.head.i == token.i:
            return token
    return tokens[-1]


def tense(verb: Any) -> str | None:
    """past, future, conditional or present, from the morphology (French) or the tags and
    auxiliaries (English) of a verb and its auxiliaries."""
    if verb is None:
        return None
    aux = [c for c in verb.children if c.dep_ in {"aux", "aux:tense", "aux:pass", "auxpass"}]
    words = {a.lower_ for a in aux}
    if words & {"will", "shall", "'ll", "va", "vont", "allait"}:
        return "future"
    if words & {"would", "could", "might", "may", "should", "pourrait", "pourraient",
                "devrait", "devraient"}:  # fmt: skip
        return "conditional"
    for token in (verb, *aux):
        if _CONDITIONAL_FR.search(token.lower_):
            return "conditional"
        if _FUTURE_FR.search(token.lower_) and token.pos_ in {"VERB", "AUX"}:
            return "future"
        morph = token.morph
        if "Cnd" in morph.get("Mood"):
            return "conditional"
        if "Fut" in morph.get("Tense"):
            return "future"
    if verb.tag_ in {"VBD"} or any(a.tag_ == "VBD" for a in aux):
        return "past"
    if verb.tag_ == "VBN" and words & {"has", "have", "had"}:
        return "past"
    if "Part" in verb.morph.get("VerbForm") and "Past" in verb.morph.get("Tense"):
        return "past" if aux else None
    if "Past" in verb.morph.get("Tense") or "Imp" in verb.morph.get("Tense"):
        return "past"
    if verb.tag_ in {"VBZ", "VBP"} or "Pres" in verb.morph.get("Tense"):
        return "present"
    return None


def _phrase(token: Any, offset: int, verb: Any) -> Actor:
    left, right = token.left_edge, token.right_edge
    excluded = []
    for child in token.subtree:
        if child is not token and child.dep_ in _EXCLUDED_UNDER:
            sub = list(child.subtree)
            excluded.append((sub[0].idx + offset, sub[-1].idx + len(sub[-1].text) + offset))
    return Actor(
        left.idx + offset, right.idx + len(right.text) + offset,
        token.idx + offset, token.idx + len(token.text) + offset, tense(verb), tuple(excluded),
    )  # fmt: skip


def _antecedent(pronoun: Any) -> Any | None:
    """What a relative pronoun stands for: the nearest noun or name before it (its compound
    head), "Microsoft, which owns 27.5%" -> Microsoft."""
    for token in reversed(pronoun.doc[: pronoun.i]):
        if token.pos_ in {"NOUN", "PROPN"}:
            while token.dep_ in {"compound", "flat", "flat:name"} and token.head.i > token.i:
                token = token.head
            return token
        if token.pos_ not in {"PUNCT", "DET", "ADJ", "ADV"}:
            return None
    return None


def actor(doc: Any, offset: int, start: int, end: int) -> Actor | None:
    """The subject phrase of the act an amount belongs to, or None when the parse has none."""
    node = _token_at(doc, offset, start, end)
    if node is None:
        return None
    came_from = None
    for _ in range(12):
        is_verb = node.pos_ in {"VERB", "AUX"} or node.dep_ == "ROOT"
        if is_verb:
            children = list(node.children)
            agent = [c for c in children if c.dep_ in _AGENT]
            if agent and any(c.dep_ in _PASSIVE_SUBJECT for c in children):
                objects = [g for g in agent[0].children if g.dep_ in {"pobj", "obj"}] or agent
                return _phrase(objects[0], offset, node)
            subject = [c for c in children if c.dep_ in _SUBJECT]
            if subject:
                head = subject[0]
                if head.lower_ in _RELATIVE:
                    antecedent = _antecedent(head)
                    return None if antecedent is None else _phrase(antecedent, offset, node)
                return _phrase(head, offset, node)
            if node.dep_ in _MODIFIER_CLAUSE and node.head.pos_ in {"NOUN", "PROPN"}:
                return _phrase(node.head, offset, node)  # "Meta conservant une participation"
            if node.dep_ not in _INHERIT or node.head is node:
                return None
        elif node.dep_ in _MODIFIER_CLAUSE and node.pos_ == "NOUN" and came_from is not None:
            pass
        came_from = node
        if node.head is node:
            return None
        node = node.head
    return None


def governing_verb(doc: Any, offset: int, start: int, end: int) -> Any | None:
    """The nearest verb above the amount in the parse."""
    node = _token_at(doc, offset, start, end)
    for _ in range(12):
        if node is None:
            return None
        if node.pos_ in {"VERB", "AUX"}:
            return node
        if node.head is node:
            return None
        node = node.head
    return None
