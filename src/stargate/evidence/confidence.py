"""A claim's confidence: the probability that its figure, unit and subjects are right.

A logistic model over a few binary signals of how the claim was read (Cox 1958, "The
regression analysis of binary sequences", J. R. Stat. Soc. B 20:215-242): p = 1 / (1 + e^-z),
z = INTERCEPT + sum of the weights of the signals present. :data:`WEIGHTS` were fitted by
``benchmarks/calibration.py`` on the development split of ``tests/fixtures/devcorpus`` (a claim
counts as right when it matches a gold claim at the claim level: amount, unit and subjects);
that script also prints the reliability table (predicted confidence against observed
precision, per bin) on the development and held-out splits, reported in docs/extraction.md.

Below :data:`REVIEW_THRESHOLD` a claim must go to a reviewer before it may feed the World.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

SIGNALS: Final = (
    "explicit_unit",  # the currency or unit is written, not inferred from the article
    "subject_parse",  # the subject is the parse's subject of the amount's verb
    "subject_rules",  # the subject is the nearest organisation of the clause (rules)
    "subject_fallback",  # the subject comes from an earlier sentence or the article's topic
    "subject_referred",  # the subject is a deal's parties or a project the phrase refers to
    "subject_generic",  # a class of agents acts ("hyperscalers"): no subject on purpose
    "kind_cue",  # a cue word gave the kind (not "other")
    "hedged",  # reported, planned or disputed rather than stated
    "headline",  # a title or a list item, not body text
    "vague",  # "des milliards": a decade, not a figure
    "quoted",  # inside a quotation
    "extended_kind",  # a percentage, price, term or share count
    "crowded",  # three or more organisations in the sentence
)

INTERCEPT: Final = -0.22
WEIGHTS: Final[Mapping[str, float]] = {
    "explicit_unit": 0.32,
    "subject_parse": 1.52,
    "subject_rules": 0.97,
    "subject_fallback": -0.08,
    "subject_referred": 1.39,
    "subject_generic": 0.66,
    "kind_cue": 0.26,
    "hedged": 0.09,
    "headline": -0.36,
    "vague": -1.55,
    "quoted": 0.44,
    "extended_kind": 0.23,
    "crowded": 0.14,
}
"""Log-odds per signal (see the module docstring for how they are fitted)."""

REVIEW_THRESHOLD: Final = 0.85
"""Claims whose confidence is below this go to the review inbox, never straight into the World.
Chosen on the development split as the lowest value at which claims at or above it are right
at least 90% of the time at the claim level (0.90 there, 180 of 300 claims; 0.67 on the
held-out split, 33 of 65; docs/extraction.md gives the figures). The criterion was 80% while the
extractor's overall precision was 0.61; at 0.81 an 80% criterion would pass every claim."""


def score(signals: Mapping[str, bool], weights: Mapping[str, float] = WEIGHTS,
          intercept: float = INTERCEPT) -> float:  # fmt: skip
    """The probability the logistic model gives a claim with these signals, to two decimals."""
    z = intercept + sum(weights.get(name, 0.0) for name, present in signals.items() if present)
    return round(1.0 / (1.0 + math.exp(-z)), 2)


def needs_review(confidence: float) -> bool:
    """Whether a claim must be reviewed before it may change the World."""
    return confidence < REVIEW_THRESHOLD
