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

import bisect
import re
from dataclasses import dataclass
from typing import Any, Final

_SUBJECT: Final = frozenset({"nsubj", "csubj"})  # not "expl:subj": "il s'agit" names no one
_PASSIVE_SUBJECT: Final = frozenset({"nsubj:pass", "nsubjpass", "csubjpass", "csubj:pass"})
_AGENT: Final = frozenset({"agent", "obl:agent"})
_INHERIT: Final = frozenset({"xcomp", "conj", "advcl", "ccomp", "parataxis", "dep", "pcomp"})
_MODIFIER_CLAUSE: Final = frozenset({"acl", "acl:relcl", "relcl"})
_RELATIVE: Final = frozenset(
    {"which", "that", "who", "whom", "qui", "que", "lequel", "laquelle", "lesquels", "dont"}
)
# French verb endings the tagger sometimes misses: conditional (-rait) and future (-ra, -ront)
_CONDITIONAL_FR: Final = re.compile(r"\w{2,}r(?:ais|ait|ions|iez|aient)$")
_FUTURE_FR: Final = re.compile(r"\w{2,}(?:er|ir|r)(?:a|ont|ai|as|ez|ons)$")
_INHERIT_TENSE: Final = frozenset({"xcomp", "acl", "advcl", "conj", "pcomp", "csubj"})
_FUTURE: Final = re.compile(
    r"futur\w*|prochaine?s?|upcoming|future|planned|proposed|prévue?s?|projetée?s?|envisagée?s?",
    re.IGNORECASE,
)
_INTENTION: Final = re.compile(
    r"plans?|intentions?|intent|aims?|goals?|ambitions?|objecti\w+|projets?|décision|decision|"
    r"efforts?|bid|volonté|désir|souhait|options?|targets?|cibles?",
    re.IGNORECASE,
)
_COMPLEMENT: Final = frozenset({"obj", "dobj", "iobj", "pobj", "obl", "obl:arg", "obl:mod", "nmod"})
_ARTICLES: Final = frozenset({"the", "a", "an", "le", "la", "les", "l'", "un", "une", "des"})
_BRINGING: Final = re.compile(
    r"brings?|brought|bringing|takes?|took|taking|raises?|raised|raising|push\w*|lifts?|lifted|"
    r"port\w*|amen\w*|hiss\w*|élev\w*|grimp\w*|boost\w*",
    re.IGNORECASE,
)
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
    head_pos: str = ""  # the head word's part of speech (NOUN, PROPN, PRON ...)
    possessive: bool = False  # "its revenue", "son contrat": the head has a possessive pronoun
    indefinite: bool = False  # a plural, counted or indefinite noun: "hyperscalers", "a GPU"
    plural_relative: bool = False  # "A et B, qui ont emprunté": the antecedent may be several
    open_class: bool = False  # a plural with no definite or possessive determiner: "hyperscalers"


@dataclass(frozen=True, slots=True)
class Nominal:
    """A noun the amount hangs from below its verb ("a $38 billion deal", "son contrat de 300
    milliards avec X"): its word, the span of its phrase, and whether a possessive pronoun
    determines it."""

    word: str
    start: int
    end: int
    possessive: bool
    future: bool = False  # qualified as to come: "l'ouverture future", "the planned investment"


def span_of(token: Any, offset: int = 0) -> tuple[int, int]:
    """A token's characters in the analysed text: from the map :func:`.nlp.analyse` leaves
    when it parsed a copy with placeholder names, else its offset in a doc starting at
    ``offset``."""
    spans = token.doc.user_data.get("spans")
    if spans is not None:
        return spans[token.i]  # type: ignore[no-any-return]
    return token.idx + offset, token.idx + len(token.text) + offset


def _spans(doc: Any, offset: int) -> list[tuple[int, int]]:
    """Every token's characters, computed once per doc and offset."""
    key = ("token_spans", offset)
    found = doc.user_data.get(key)
    if found is None:
        found = doc.user_data[key] = [span_of(t, offset) for t in doc]
    return found  # type: ignore[no-any-return]


def _token_at(doc: Any, offset: int, start: int, end: int) -> Any | None:
    """The head token of the characters [start, end) (absolute offsets; the doc starts at
    ``offset``): the token of that span whose head lies outside it."""
    spans = _spans(doc, offset)
    first = bisect.bisect_right(spans, (start, start)) - 1
    tokens = []
    for i in range(max(first, 0), len(spans)):
        a, b = spans[i]
        if a >= end:
            break
        if b > start:
            tokens.append(doc[i])
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
    participle = verb.tag_ == "VBG" or "Part" in verb.morph.get("VerbForm")
    if not aux and participle and verb.tag_ != "VBN" and "Past" not in verb.morph.get("Tense"):
        return None  # a present participle or gerund ("raising", "conservant") has none
    passive = [a for a in aux if a.dep_ in {"aux:pass", "auxpass"}]
    if passive and len(passive) == len(aux):  # "is projected", "est estimé": the auxiliary's
        first = passive[0]
        if first.tag_ in {"VBZ", "VBP"} or "Pres" in first.morph.get("Tense"):
            return "present"
    if verb.tag_ in {"VBD"} or any(a.tag_ == "VBD" for a in aux):
        return "past"
    if verb.tag_ == "VBN" and words & {"has", "have", "had"}:
        return "past"
    if "Part" in verb.morph.get("VerbForm") and "Past" in verb.morph.get("Tense"):
        modifier = verb.dep_ in {"acl", "amod"}  # "150 milliards investis", "l'accord annoncé"
        return "past" if aux or modifier else None
    if "Past" in verb.morph.get("Tense") or "Imp" in verb.morph.get("Tense"):
        return "past"
    if verb.tag_ in {"VBZ", "VBP"} or "Pres" in verb.morph.get("Tense"):
        return "present"
    return None


def _phrase(token: Any, offset: int, verb: Any, plural: bool = False) -> Actor:
    left, right = token.left_edge, token.right_edge
    doc = token.doc
    while (
        token.dep_.startswith("nsubj") and left.i >= 2
        and doc[left.i - 1].lower_ in {"et", "and", "&", ","}
        and doc[left.i - 2].pos_ == "PROPN"
    ):  # fmt: skip
        left = doc[left.i - 2].left_edge  # "OpenAI et Oracle ont conclu": a detached conjunct
    excluded = []
    for child in token.subtree:
        if child is not token and child.dep_ in _EXCLUDED_UNDER:
            sub = list(child.subtree)
            excluded.append((span_of(sub[0], offset)[0], span_of(sub[-1], offset)[1]))
    return Actor(
        span_of(left, offset)[0], span_of(right, offset)[1],
        *span_of(token, offset), tense(verb), tuple(excluded),
        token.pos_, _possessive(token) or any(_possessive(n) for n in _of(token)),
        _indefinite(token), plural, _open_class(token),
    )  # fmt: skip


def _open_class(token: Any) -> bool:
    """A plural noun that names any members of a class: bare or counted ("big tech companies",
    "trois entreprises"), not determined ("the sites", "leurs clients")."""
    plural = "Plur" in token.morph.get("Number") or token.tag_ == "NNS"
    determined = any(
        c.dep_ in {"poss", "nmod:poss"}
        or (
            c.dep_ == "det"
            and (
                "Def" in c.morph.get("Definite")
                or "Dem" in c.morph.get("PronType")
                or "Yes" in c.morph.get("Poss")
            )
        )
        for c in token.children
    )
    return plural and not determined


def _indefinite(token: Any) -> bool:
    """A noun that names a class or any member of it: plural ("hyperscalers", "les employés"),
    counted ("trois entreprises") or with an indefinite article ("a $40,000 GPU")."""
    return (
        "Plur" in token.morph.get("Number")
        or token.tag_ in {"NNS"}
        or any(
            c.dep_ == "nummod" or (c.dep_ == "det" and "Ind" in c.morph.get("Definite"))
            for c in token.children
        )
    )


def _of(token: Any) -> list[Any]:
    """The nouns of a token's "of"/"de" complement ("one of its ETFs": ETFs)."""
    found = []
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            found += [g for g in child.children if g.dep_ == "pobj"]
        elif child.dep_ == "nmod" and any(g.lower_ in {"de", "d'", "des"} for g in child.children):
            found.append(child)
    return found


def _qualified_future(token: Any) -> bool:
    """A noun qualified as to come ("l'ouverture future", "the planned investment")."""
    return any(c.dep_ == "amod" and _FUTURE.fullmatch(c.lower_) for c in token.children)


def _possessive(token: Any) -> bool:
    """Whether a possessive pronoun determines the noun ("its", "their", "son", "leur")."""
    return any(
        c.pos_ in {"PRON", "DET"} and ("Yes" in c.morph.get("Poss") or c.tag_ == "PRP$")
        for c in token.children
    )


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


def _plural(verb: Any) -> bool:
    """A verb (or its auxiliary) in the plural: "qui ont emprunté", "qui se sont engagés"."""
    return any(
        "Plur" in t.morph.get("Number") or t.tag_ == "VBP"
        for t in (verb, *(c for c in verb.children if c.dep_.startswith("aux")))
    )


def _coordination(token: Any) -> Any:
    """The first member of the coordination a conjunct belongs to ("A et B": A)."""
    while token.dep_ == "conj" and token.head.i < token.i:
        token = token.head
    return token


def actor(doc: Any, offset: int, start: int, end: int) -> Actor | None:
    """The subject phrase of the act an amount belongs to, or None when the parse has none."""
    node = _token_at(doc, offset, start, end)
    if node is None:
        return None
    came_from = None
    for _ in range(12):
        measured = _measured(node)
        if measured is not None:
            return _phrase(measured, offset, node.head)  # "brings Stargate to 7 GW"
        is_verb = node.pos_ in {"VERB", "AUX"} or node.dep_ == "ROOT"
        if is_verb:
            children = list(node.children)
            agent = [c for c in children if c.dep_ in _AGENT]
            if agent and any(c.dep_ in _PASSIVE_SUBJECT for c in children):
                objects = [g for g in agent[0].children if g.dep_ in {"pobj", "obj"}] or agent
                return _phrase(objects[0], offset, node)
            subject = [c for c in children if c.dep_ in _SUBJECT]
            if not subject and came_from is not None and came_from.dep_ == "xcomp":
                # raising: "X is expected / forecast / set to invest $N" -> X
                subject = [c for c in children if c.dep_ in _PASSIVE_SUBJECT]
            if subject:
                head = subject[0]
                if head.lower_ in _RELATIVE:
                    antecedent = _antecedent(head)
                    plural = _plural(node)
                    if antecedent is not None and plural:
                        antecedent = _coordination(antecedent)  # "A et B, qui ont emprunté"
                    if antecedent is None:
                        return None
                    return _phrase(antecedent, offset, node, plural)
                return _phrase(head, offset, node)
            if _intention(node):
                node = node.head.head  # "X has plans to invest", "X a l'intention d'investir"
                continue
            if node.dep_ in _MODIFIER_CLAUSE and node.head.pos_ in {"NOUN", "PROPN"}:
                return _phrase(node.head, offset, node)  # "Meta conservant une participation"
            if node.dep_ not in _INHERIT or node.head is node:
                return None
            controller = [
                c for c in node.head.children
                if c.dep_ in {"obj", "dobj"} and c.pos_ in {"NOUN", "PROPN"} and c.i < node.i
            ]  # fmt: skip
            if node.dep_ == "xcomp" and controller:
                return _phrase(controller[0], offset, node)  # "voir le groupe dépenser 40 Md"
        elif node.dep_ in _MODIFIER_CLAUSE and node.pos_ == "NOUN" and came_from is not None:
            pass
        came_from = node
        if node.head is node:
            return None
        node = node.head
    return None


def addressed_to_reader(doc: Any, offset: int, start: int, end: int) -> bool:
    """Whether the amount's clause speaks to the reader: an imperative ("Take a $40,000 GPU",
    "Depreciate it ... and you book $13,333") or a generic "you"."""
    node = _token_at(doc, offset, start, end)
    for _ in range(12):
        if node is None:
            return False
        if node.pos_ in {"VERB", "AUX"}:
            subjects = [c for c in node.children if c.dep_ in _SUBJECT]
            if any(c.lower_ in {"you", "vous"} for c in subjects):
                return True
            mood = "Imp" in node.morph.get("Mood")
            bare = node.tag_ == "VB" and node.i == 0 and not subjects
            if mood or bare:
                return True
            if node.dep_ != "conj":
                return False
        if node.head is node:
            return False
        node = node.head
    return False


def main_subject(doc: Any, offset: int) -> Actor | None:
    """The subject phrase of the sentence's main verb (the first root verb that has one)."""
    for token in doc:
        if token.dep_ == "ROOT" and token.pos_ in {"VERB", "AUX"}:
            subject = [c for c in token.children if c.dep_ in _SUBJECT]
            if subject:
                return _phrase(subject[0], offset, token)
    return None


def _measured(token: Any) -> Any | None:
    """The object a verb of bringing raises to the figure ("brings Stargate to 7 GW", "porte
    la capacité de Stargate à 7 GW", "portant sa valorisation à 500 milliards"): the figure
    is that object's. ``token``: "to"/"à", or the figure's head with "à" as its case marker.
    A bare measure ("lift spending to $90B") is the verb's subject's: None."""
    if token.lower_ in {"to", "à"} and token.dep_ in {"prep", "case", "mark"}:
        marker, verb = token, token.head if token.dep_ == "prep" else token.head.head
    else:
        marker = next((c for c in token.children if c.dep_ == "case" and c.lower_ == "à"), None)
        if marker is None:
            return None
        verb = token.head
    if (
        verb.pos_ == "NOUN"
        and verb.dep_ in {"obj", "dobj"}
        and verb.i < marker.i
        and verb.head.pos_ in {"VERB", "AUX"}
        and _BRINGING.fullmatch(verb.head.lower_)
    ):
        return verb  # the figure parsed under the object: "portant sa valorisation à 500"
    if verb.pos_ not in {"VERB", "AUX"} or not _BRINGING.fullmatch(verb.lower_):
        return None
    objects = [c for c in verb.children if c.dep_ in {"dobj", "obj"} and c.i < marker.i]
    if not objects:
        return None
    bare = objects[0].pos_ == "NOUN" and not any(
        c.dep_ in {"poss", "nmod", "prep", "compound", "det"} and c.lower_ not in _ARTICLES
        for c in objects[0].children
    )
    return None if bare else objects[0]


def _intention(verb: Any) -> bool:
    """An infinitive that completes a noun which is a verb's object ("outlined plans to invest",
    "a l'intention d'investir"): the act belongs to that verb's subject."""
    noun = verb.head
    return (
        verb.dep_ in {"acl", "acl:relcl"}
        and "Inf" in verb.morph.get("VerbForm")
        and _INTENTION.fullmatch(noun.lower_) is not None
        and noun.dep_ in {"dobj", "obj"}
        and noun.head.pos_ in {"VERB", "AUX"}
    )


def nominals(doc: Any, offset: int, start: int, end: int) -> list[Nominal]:
    """The nouns above the amount up to its verb, nearest first."""
    node = _token_at(doc, offset, start, end)
    found: list[Nominal] = []
    for _ in range(8):
        if node is None or node.pos_ in {"VERB", "AUX"} or node.head is node:
            break
        node = node.head
        if node.pos_ == "NOUN":
            sub = list(node.subtree)
            found.append(
                Nominal(node.lower_, span_of(sub[0], offset)[0], span_of(sub[-1], offset)[1],
                        _possessive(node), _qualified_future(node))
            )  # fmt: skip
    return found


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


_NEGATION: Final = frozenset({"not", "n't", "never", "pas", "jamais", "aucunement", "nullement"})
_SPEECH: Final = re.compile(
    r"said|says|say|told|tells|announc\w*|report\w*|confirm\w*|stated|states|wrote|writes|"
    r"added|adds|disclos\w*|reveal\w*|unveil\w*|cit\w+|annonc\w*|indiqu\w*|déclar\w*|"
    r"affirm\w*|précis\w*|assur\w*|rapport\w*|expliqu\w*|ajout\w*|révél\w*|dévoil\w*|"
    r"dit|estim\w*",
    re.IGNORECASE,
)


def verbs_above(doc: Any, offset: int, start: int, end: int) -> list[Any]:
    """The verbs from the one governing the amount up to the sentence's root."""
    node = _token_at(doc, offset, start, end)
    found: list[Any] = []
    for _ in range(16):
        if node is None:
            break
        if node.pos_ in {"VERB", "AUX"} and node not in found:
            found.append(node)
        if node.head is node:
            break
        node = node.head
    return found


def finite_tense(doc: Any, offset: int, start: int, end: int) -> tuple[Any | None, str | None]:
    """The verb whose tense the amount's act has, and that tense: an infinitive or participle
    takes the tense of the verb it completes ("pourrait atteindre", "plans to invest")."""
    verbs = verbs_above(doc, offset, start, end)
    if not verbs:
        return None, None
    for verb in verbs:
        found = tense(verb)
        if found is not None:
            return verb, found
        if verb.dep_ not in _INHERIT_TENSE:
            return verb, None
    return verbs[0], None


def negated(doc: Any, offset: int, start: int, end: int) -> bool:
    """Whether the verb that governs the amount, or the verb its infinitive completes, is
    negated ("is not that $10 billion buyer", "n'a jamais signé"); "not yet", "pas encore" and
    "ne ... que" are no denial."""
    for verb in verbs_above(doc, offset, start, end)[:2]:
        for child in verb.children:
            if child.lower_ in _NEGATION or child.dep_ == "neg":
                after = doc[child.i + 1].lower_ if child.i + 1 < len(doc) else ""
                if after in {"yet", "encore", "only", "seulement", "just"}:
                    return False
                return not any(t.lower_ in {"que", "qu'"} for t in doc[verb.i : verb.i + 6])
        if verb.dep_ not in _INHERIT_TENSE:
            break
    return False


def report_frame(doc: Any, offset: int, start: int, end: int) -> tuple[int, int] | None:
    """The subject phrase of a reporting verb above the amount's clause ("Nvidia said it will
    invest", "selon ... a indiqué que"), as characters."""
    verbs = verbs_above(doc, offset, start, end)
    for verb in verbs[1:]:
        if _SPEECH.fullmatch(verb.lower_) is None:
            continue
        subject = [c for c in verb.children if c.dep_ in _SUBJECT]
        if subject:
            sub = list(subject[0].subtree)
            return span_of(sub[0], offset)[0], span_of(sub[-1], offset)[1]
    return None


def subject_word(verb: Any) -> str | None:
    """The head word of a verb's subject, lower case."""
    subject = [c for c in verb.children if c.dep_ in _SUBJECT or c.dep_ in _PASSIVE_SUBJECT]
    return subject[0].lower_ if subject else None


def completes_intention(doc: Any, offset: int, start: int, end: int) -> bool:
    """Whether the amount's verb is an infinitive completing a noun of intention or
    possibility ("the option to add 700 MW", "son objectif d'atteindre 10 GW")."""
    verbs = verbs_above(doc, offset, start, end)
    if not verbs:
        return False
    verb = verbs[0]
    return (
        "Inf" in verb.morph.get("VerbForm")
        and verb.dep_ in {"acl", "acl:relcl"}
        and _INTENTION.fullmatch(verb.head.lower_) is not None
    )


def verb_scope(doc: Any, offset: int, start: int, end: int) -> tuple[int, int] | None:
    """The characters of the clause the amount's act belongs to: the subtree of its first
    finite verb (an infinitive or participle belongs to the verb it completes), without the
    verbs coordinated after it."""
    verb, _ = finite_tense(doc, offset, start, end)
    if verb is None:
        return None
    tokens = list(verb.subtree)
    conj = [c for c in verb.children if c.dep_ == "conj" and c.pos_ in {"VERB", "AUX"}]
    cut = min((c.left_edge.i for c in conj), default=None)
    if cut is not None:
        tokens = [t for t in tokens if t.i < cut] or tokens
    return span_of(tokens[0], offset)[0], span_of(tokens[-1], offset)[1]


def previous_subject(doc: Any, offset: int, position: int) -> tuple[str, int, int] | None:
    """The nearest subject before ``position`` that is no pronoun: its head word and the
    characters of its phrase (what "it" most likely refers to in the same sentence)."""
    found = None
    for token in doc:
        if span_of(token, offset)[0] >= position:
            break
        if token.dep_ in _SUBJECT | _PASSIVE_SUBJECT and token.pos_ in {"NOUN", "PROPN"}:
            sub = list(token.subtree)
            found = (token.lower_, span_of(sub[0], offset)[0], span_of(sub[-1], offset)[1])
    return found


_PROSPECTIVE: Final = re.compile(
    r"expect\w*|forecast\w*|projected|designed|scheduled|slated|planned|plans?|aims?|aiming|"
    r"intends?|targets?|targeting|likely|due|poised|set|seeks?|seeking|prévue?s?|prévoi\w*|"
    r"vise|visent|visait|cherch\w*|envisag\w*|programmée?s?|destinée?s?|appelée?s?\s*|quête",
    re.IGNORECASE,
)
_UNDERWAY: Final = frozenset({"construction", "development", "planning", "développement", "étude"})
_BUILD: Final = re.compile(
    r"develop\w*|build\w*|construct\w*|développ\w*|construi\w*|bâti\w*", re.IGNORECASE
)


def prospective(doc: Any, offset: int, start: int, end: int) -> bool:
    """Whether the clause of the amount looks ahead, by tense, aspect or mood rather than by
    word lists tuned to sentences: a future on the path from the amount to the root; a
    predicate of expectation or schedule ("is expected to", "is likely to", "is designed to",
    "est prévu", "cherche à", "en quête de"); a thing "under construction / development /
    planning" (`en construction`); a verb of building in the present ("is developing a 1 GW
    site", "construit"): the figure is not reached yet. A reporting verb ends the path (what a
    party says it will do is decided by the caller)."""
    node = _token_at(doc, offset, start, end)
    for _ in range(16):
        if node is None:
            return False
        if _PROSPECTIVE.fullmatch(node.lower_) and (
            node.pos_ in {"VERB", "AUX", "ADJ"} or node.lower_ == "quête"
        ):
            return True
        if node.pos_ in {"VERB", "AUX"}:
            found = tense(node)
            if found == "future":
                return True
            if found == "present" and _BUILD.fullmatch(node.lower_):
                return True
            if _SPEECH.fullmatch(node.lower_):
                return False
        words = {c.lower_ for c in node.children}
        if any(
            c.dep_ in {"acomp", "xcomp"} and c.pos_ == "ADJ" and _PROSPECTIVE.fullmatch(c.lower_)
            for c in node.children
        ):
            return True  # "is likely to begin operating"
        if node.lower_ in _UNDERWAY and words & {"en", "under"}:
            return True  # "est en construction"
        for child in node.children:
            if child.lower_ in {"under", "en"} and any(
                g.lower_ in _UNDERWAY and not list(g.children) for g in child.children
            ):
                return True  # "is under construction"
        if node.head is node:
            return False
        node = node.head
    return False
