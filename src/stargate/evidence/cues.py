"""Cue lexicons for claim extraction in French and English (regular expressions over a sentence).

Kinds: the cue nearest to the amount wins; on a tie, the earlier entry of ``KIND_CUES`` wins, so
specific cues ("dépenses d'investissement" -> capex) come before generic ones ("invest").
Statuses follow the annotation conventions in ``tests/fixtures/devcorpus/README.md``: how the
text presents the figure.
"""

from __future__ import annotations

import re
from typing import Final

_I = re.IGNORECASE


def _cue(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", _I)  # elision allowed: d'investir


KIND_CUES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    (
        "training_cost",
        _cue(
            r"(?:l')?entraînement\s+(?:\w+\s+){0,3}a\s+coûté|coût\s+d'entraînement|"
            r"training\s+(?:run\s+)?cost|cost\s+to\s+train|to\s+train\s+\w+\s+cost"
        ),
    ),
    (
        "capex",
        _cue(
            r"dépenses?\s+d'investissement|capex|capital\s+expenditures?|"
            r"dépenser|dépensera|dépenserait|dépensé|dépense|spend|spending|spent|"
            r"construire|construction|bâtir|build(?:ing)?|upgrader|mettre\s+à\s+niveau|"
            r"nécessit\w*\s+(?:\w+\s+)?un\s+investissement|requires?\s+(?:an?\s+)?investment"
        ),
    ),
    (
        "valuation",
        _cue(
            r"valoris\w*|valued|valuation|vaut|worth\s+of\s+the\s+company|"
            r"capitalisation|market\s+cap\w*"
        ),
    ),
    ("loss", _cue(r"pertes?|perdre|perdu|perdra|déficit|brûl\w+|losses|loss|lose|lost|burn\w*")),
    ("revenue", _cue(r"chiffre\s+d'affaires|revenus?|recettes|revenue|sales|turnover")),
    ("lease", _cue(r"louer|loue|louerait|location|bail|baux|leases?|leasing|rent(?:s|ing|al)?")),
    (
        "loan",
        _cue(
            r"emprunt\w*|prêt(?:s|é)?|dettes?|crédit|borrow\w*|loans?|debt|credit\s+facility|"
            r"(?:debt|bond|notes?|high-grade|high-yield|investment-grade)\s+(?:offerings?|sales?)|"
            r"financement\s+par\s+la\s+dette|bonds?|obligations"
        ),
    ),
    (
        "purchase",
        _cue(
            r"acheter|achète|achat|achats|acquérir|acquisition|commande|buy(?:s|ing)?|"
            r"bought|purchas\w*|acquir\w*|orders?"
        ),
    ),
    (
        "funding_secured",
        _cue(
            r"sécuris\w*|lev(?:é|ée|er|era|ait)\b|levée\s+de\s+fonds|tour\s+de\s+table|"
            r"dispose\s+de|disposerait\s+de|a\s+en\s+caisse|secured|raised?|raising|"
            r"funding\s+round|has\s+on\s+hand|cash\s+on\s+hand"
        ),
    ),
    (
        "contract",
        _cue(
            r"contrats?|accords?|partenariat|deal|agreements?|contracts?|"
            r"paiements?\s+annuels?|paie(?:ra|rait)?|payer|pay(?:s|ing)?|conclu|signé|"
            r"capacité\s+serveur|cloud\s+services?|compute\s+capacity"
        ),
    ),
    (
        "commitment",
        _cue(
            r"engag\w*|promet\w*|promis|mettr\w*\s+(?:\w+\s+){0,2}\w*\s*sur\s+la\s+table|"
            r"débours\w*|apport\w*|contribu\w*|pledg\w*|commit\w*|put\s+up"
        ),
    ),
    (
        "investment",
        _cue(
            r"invest\w*|financer|finance|financement|injecter|injecte|prise\s+de\s+participation|"
            r"participation|stake|equity|capital|apport\s+d'argent"
        ),
    ),
)

STATUS_DENIED: Final = _cue(
    r"c'est\s+faux|c'est\s+inexact|inexacte?s?|dément\w*|démenti\w*|nie|nient|nié|a\s+nié|"
    r"conteste\s+formellement|réfut\w*|n'(?:avons|a|ont|avait)\s+jamais\s+(?:dit|annoncé|signé|"
    r"promis|confirmé)|never\s+(?:said|agreed|signed|committed|confirmed|promised)|"
    r"not\s+true|untrue|is\s+false|that's\s+false|denied|denies|deny|denying|refut\w*|"
    r"(?:is|are|was|were)\s+not\s+believed\s+to|se\s+retir\w*|s'est\s+retirée?|retir\w+\s+(?:son|sa|leur)\s+"
    r"offre|withdr[ae]w\w*|pull(?:s|ed|ing)?\s+out|back(?:s|ed|ing)?\s+out|walk(?:s|ed)?\s+away|"
    r"abandonn\w+\s+(?:le|son|l'|leur|ce)\s+(?:projet|accord|plan)|renonc\w*|called\s+off|"
    r"scrapp?\w*|no\s+longer\s+(?:plans?|intends?)|never\s+finali[sz]ed|never\s+materiali[sz]ed|"
    r"cancel\w*|annul\w*|debunk\w*|démont\w+\s+(?:les|ces)\s+affirmations|aucune\s+preuve|"
    r"no\s+evidence|fake\s+news|infondée?s?|unfounded|baseless|void(?:s|ed|ing)?|"
    r"(?:allow\w*|let|lets)\s+(?:[\w-]+\s+){0,8}to\s+(?:expire|lapse)|laiss\w+\s+expirer"
)
STATUS_DISPUTED: Final = _cue(
    r"incertaine?s?|mis\s+en\s+doute|met\s+en\s+doute|mettent\s+en\s+doute|doutes?|sceptic\w*|"
    r"scepticisme|remis\s+en\s+question|remet\s+en\s+question|conteste|contesté\w*|"
    r"uncertain|doubts?|disput\w+|questioned|skeptic\w*|stalled|stalling|on\s+hold|"
    r"au\s+point\s+mort|gelée?s?|suspendue?s?"
)
STATUS_REPORTED: Final = _cue(
    r"selon|d'après|a\s+rapporté|rapporte|rapportent|aurait|auraient|serait|seraient|"
    r"\w{3,}(?:erait|eraient|irait|iraient|rait|raient)|relève|indique|indiqué|"
    r"according\s+to|reportedly|reported|people\s+familiar|sources?\s+said|would\s+reportedly"
)
STATUS_ANNOUNCE: Final = _cue(
    r"a\s+annoncé|ont\s+annoncé|annonce|annoncé|a\s+confirmé|ont\s+confirmé|a\s+déclaré|"
    r"announced|announces|confirmed|said\s+it\s+would|said\s+on|unveiled|a\s+dévoilé"
)
STATUS_PLANNED: Final = _cue(
    r"prévoit|prévoient|prévu|projette|projettent|ambitionne|ambitionnent|vise|visent|"
    r"envisage\w*|compte\s+\w+er|intention|d'ici|à\s+venir|prochaines?\s+années|pourrait|pourraient|"
    r"plans?\s+to|planned|plans|expects?|aims?\s+to|intends?|will\s+\w+|could|forecast\w*|"
    r"projected|target\w*|objectif"
)
STATUS_COMPLETED: Final = _cue(
    r"a\s+(?:déjà\s+)?investi|ont\s+(?:déjà\s+)?investi|a\s+(?:déjà\s+)?levé|ont\s+levé|n'a\s+levé|"
    r"a\s+coûté|ont\s+coûté|a\s+emprunté|ont\s+emprunté|a\s+dépensé|ont\s+dépensé|a\s+perdu|"
    r"ont\s+perdu|a\s+payé|a\s+versé|has\s+(?:already\s+)?invested|have\s+invested|invested|"
    r"raised|has\s+raised|spent|borrowed|cost|lost|paid|closed"
)

SPEECH_VERBS: Final = (
    r"a\s+déclaré|déclare|a\s+dit|dit|a\s+indiqué|indique|avait\s+(?:précédemment\s+)?indiqué|"
    r"a\s+affirmé|affirme|a\s+expliqué|explique|a\s+écrit|écrit|a\s+assuré|assure|a\s+averti|"
    r"a\s+estimé|estime|a\s+annoncé|annonce|a\s+confirmé|a\s+précisé|précise|a\s+tweeté|"
    r"a\s+rapporté|rapporte|a\s+répondu|répond|a\s+révélé|révèle|revendique|a\s+souligné|souligne|"
    r"a\s+ajouté|ajoute|a\s+reconnu|reconnaît|a\s+fait\s+savoir|fait\s+savoir|a\s+communiqué|"
    r"said|says|told|wrote|writes|stated|explained|tweeted|posted|warned|noted|reported|added|"
    r"claimed|argued|replied|responded|announced|disclosed|revealed|confirmed|estimated|"
    r"projected|expects|expected|predicted|believes|indicated|cited|says\s+that|said\s+that|"
    r"indiquant|affirmant|expliquant|déclarant|estimant|assurant|précisant|soulignant|ajoutant|"
    r"répondre|réagir|rétorquer|répliquer|saying|stating|claiming|writing|noting|arguing|"
    r"adding|telling|to\s+say|to\s+respond|to\s+reply"
)
SOURCE_BEFORE: Final = re.compile(
    r"(?:selon|d'après|according\s+to|cité\s+par|as\s+reported\s+by)\s+(?P<who>[^,.;:«»\"]{2,60})",
    _I,
)
INVERSION_AFTER: Final = re.compile(
    r"^\s*[»\"”]?\s*,?\s*(?:\w+-t-(?:il|elle)|(?:a\s+)?(?:glisse|assène|rétorque|lance|ajoute|"
    r"explique|affirme|souligne|répond|déclare|écrit|indique|précise|estime|tranche)\w*"
    r"(?:-t)?-(?:il|elle)|said|says|wrote|added|told\s+\w+)\b",
    _I,
)
FIRST_PERSON: Final = _cue(r"mes|mon|ma|nos|notre|nous|je|j'|my|our|we|i|us")
DISTRIBUTIVE: Final = _cue(
    r"chacune?|chacun\s+d'eux|respectivement|each|apiece|respectively|"
    r"(?:la|le)\s+leur|les\s+leurs|their\s+own"
)
JOINT: Final = _cue(
    r"à\s+eux\s+deux|à\s+elles\s+deux|conjointement|ensemble|together|jointly|combined"
)
RECIPROCAL: Final = _cue(
    r"se\s+retourne\s+(?:\w+\s+)?vers|en\s+retour|qui\s+(?:lui\s+)?(?:achète|achètent)|"
    r"turns?\s+around|in\s+turn|round[- ]trip|buys?\s+back"
)
CLAUSE_BREAK: Final = re.compile(
    r";|\btandis\s+qu|\balors\s+qu|\bwhile\b|\bwhereas\b|\bmais\b|\bbut\b|\bpuis\b", _I
)
ANAPHORA_PROJECT: Final = _cue(
    r"(?:le|ce|cet|du|au)\s+(?:\w+\s+){0,2}projet|(?:la|cette)\s+(?:co-entreprise|initiative|"
    r"coentreprise)|(?:the|this|that)\s+(?:\w+\s+)?(?:project|venture|initiative)|l'opération"
)
ANAPHORA_COMPANY: Final = _cue(
    r"(?:la|cette)\s+(?:société|firme|entreprise|start-up|startup)|l'entreprise|"
    r"the\s+(?:company|firm|startup|group)|(?:elle|il)(?=\s+(?:a|avait|investit|investirait|dispose))"
)
AGREEMENT_VERB: Final = re.compile(
    r"(?:sign|agre|announc|unveil|struck|strik|ink|enter|reach|conclu|sign|annonc|dévoil|"
    r"concl|accept|approv|approuv|propos|offer|offr)\w*",
    _I,
)
ANAPHOR: Final = re.compile(
    r"(?:it|they|elle|il|ils|elles|"
    r"(?:the|this|that|la|le|l'|cette|ce|cet)\s*(?:[\w']+[\s-]+){0,3}"
    r"(?:company|firm|group|conglomerate|giant|maker|developer|start-?up|chipmaker|"
    r"asset-?manager|lab|designer|provider|operator|investor|lender|société|firme|entreprise|"
    r"groupe|géant|fabricant|constructeur|concepteur|laboratoire|conglomérat|opérateur|"
    r"fournisseur|investisseur|éditeur|spécialiste|leader|numéro\s+un))",
    _I,
)
BOILERPLATE: Final = re.compile(
    r"^(?:laisser\s+un\s+commentaire|à\s+lire\s+(?:également|aussi)|lire\s+aussi|read\s+more|"
    r"related|cet\s+article\s+ne\s+constitue|this\s+article\s+(?:is\s+not|does\s+not)|"
    r"l'auteur\s+ne\s+détient|partager|share\s+this)",
    _I,
)
DEAL_NOUN: Final = re.compile(
    r"accords?|contrats?|partenariats?|avenants?|ententes?|alliances?|transactions?|protocoles?|"
    r"deals?|agreements?|contracts?|partnerships?|arrangements?|pacts?|tie-ups?|collaborations?",
    _I,
)
"""Nouns that name a deal between parties (matched against a whole word)."""
PROJECT_NOUN: Final = re.compile(
    r"projets?|projects?|programmes?|programs?|initiatives?|ventures?|co-?entreprises?|"
    r"joint-ventures?|celui-ci|celle-ci",
    _I,
)
"""Nouns that name a project (matched against a whole word)."""
DEAL_WORD: Final = _cue(
    r"accords?|contrats?|partenariat|avenant|deal|agreements?|contracts?|partnership|"
    r"letter\s+of\s+intent|lettre\s+d'intention|sign\w*|conclu\w*|inked|struck|"
    r"fournir\w*|fournira|supply|supplies|provide\w*|build\w*\s+(?:\w+\s+){0,5}for|"
    r"constru\w+\s+(?:\w+\s+){0,5}pour|lease\w*|lou\w+|achet\w*|buy\w*|purchas\w*"
)
"""Words of a sentence that reports a deal between the organisations it names."""
MEASURE_NOUN: Final = re.compile(
    r"dépenses?|revenus?|recettes|ventes|bénéfices?|pertes?|résultats?|chiffres?|coûts?|"
    r"spending|revenues?|sales|earnings|profits?|losses|costs?|capex|expenses?|income|"
    r"expenditures?|investissements?|investments?",
    _I,
)
"""Nouns of a company's own figures (matched against a whole word)."""
SECTOR: Final = _cue(
    r"mondia\w*|globa\w*|du\s+secteur|de\s+l'industrie|industry|industry-wide|sector|market|"
    r"du\s+marché|worldwide|world's|d'IA|de\s+l'IA|en\s+IA|AI|IA|tech|hyperscalers?"
)
"""Words that make a figure a sector's or the world's rather than a company's."""
HEDGE: Final = _cue(
    r"according\s+to|reportedly|people\s+(?:familiar|close|briefed|with\s+knowledge)|"
    r"sources?\s+(?:said|told|say|familiar|close)|citing\s+(?:people|sources|a\s+person)|"
    r"(?:is|are|was|were)\s+(?:said|believed|understood|thought|reported)\s+to|reported\s+by|"
    r"it\s+(?:is|was|has\s+been|had\s+been)\s+(?:reported|said|rumou?red)|"
    r"il\s+(?:a\s+été|est|avait\s+été)\s+rapporté|"
    r"selon(?!\s+(?:l'|le\s+|les\s+|cet\s+|ce\s+)(?:accord|contrat|partenariat|termes))|"
    r"d'après|cité\s+par|relayée?\s+par|de\s+sources?\s+proches?|"
    r"indiqu\w*\s+le\s+rapport|selon\s+le\s+rapport|aurai\w*|seraie?n?t"
)
"""Words that make a figure a third party's account (the annotation's "reported")."""
RUMOUR: Final = _cue(
    r"reportedly|people\s+(?:familiar|close|briefed|with\s+knowledge)|"
    r"sources?\s+(?:said|told|say|familiar|close)|citing\s+(?:people|sources|a\s+person)|"
    r"(?:is|are|was|were)\s+(?:said|believed|understood|thought|reported)\s+to|reported\s+by|"
    r"it\s+(?:is|was|has\s+been|had\s+been)\s+(?:reported|said|rumou?red)|"
    r"il\s+(?:a\s+été|est|avait\s+été)\s+rapporté|"
    r"cité\s+par|relayée?\s+par|de\s+sources?\s+proches?|aurai\w*|seraie?n?t|rumou?r\w*|"
    r"(?:le|la|les|the|a|un|une)\s+(?:rapports?|reports?|documents?)"
)
"""A hedge that stays a third party's account even over a forecast (status.py)."""
RUMOUR_SOURCE: Final = _cue(
    r"sources?|people|persons?|personnes|reports?|rapports?|press|presse|media|médias|"
    r"newspaper|journal|agence|agency"
)
"""Sources that are accounts of others, not forecasters (`according to reports`)."""
UNNAMED_SOURCE: Final = _cue(
    r"sources?|people|persons?|analysts?|reports?|rapports?|analystes|personnes|"
    r"documents?|filings?|estimates?|estimations?|prévisions|forecasts"
)
"""Subjects of a reporting verb that name no party ("sources said", "analysts estimate")."""
INTENTION_NOUN: Final = re.compile(
    r"plans?|objectifs?|objectives?|goals?|targets?|cibles?|ambitions?|options?|projections?|"
    r"prévisions?|forecasts?|intentions?",
    _I,
)
"""Nouns of a figure that is aimed at, not yet reached (matched against a whole word)."""
PAST_TIME: Final = _cue(
    r"previously|earlier\s+this\s+(?:week|month|year)|last\s+(?:week|month|quarter|year|"
    r"spring|summer|fall|autumn|winter)|(?:\w+\s+){1,2}ago|précédemment|auparavant|"
    r"(?:l'an|l'année|le\s+mois|la\s+semaine|le\s+trimestre|l'été|l'automne|l'hiver|"
    r"(?:en|au)\s+\w+)\s+derni(?:er|ère)|cet\s+(?:été|hiver|automne)|ce\s+printemps|"
    r"vien(?:t|nent)\s+d[e']"
)
"""A past-time adverbial ("previously", "last month", "en décembre dernier", "vient de"): the
figure's event has taken place (status.py: completed, also for an agreement)."""
DEAL_FRAME: Final = _cue(
    r"(?:dans\s+le\s+cadre\s+d[eu]|selon|aux\s+termes\s+d[eu]|under|as\s+part\s+of|"
    r"in)\s+(?:l'|le\s+|la\s+|cet\s+|ce\s+|the\s+|this\s+|that\s+)"
    r"(?:accord|contrat|partenariat|deal|agreement|contract|partnership)"
)
"""A sentence that states the terms of a deal ("dans le cadre de l'accord, X investira")."""
ACT_NOUN: Final = re.compile(
    r"engagements?|investissements?|apports?|promesses?|commitments?|investments?|pledges?|"
    r"contributions?",
    _I,
)
"""Nouns of an act of paying whose complement names who pays (matched against a whole word)."""
