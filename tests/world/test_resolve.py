"""The resolution rule, case by case, and independence from claim order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stargate.ledger.records import (
    Claim,
    ClaimKind,
    ClaimLink,
    ClaimStatus,
    Polarity,
    Rank,
    Relation,
    StoredClaim,
)
from stargate.units import Bound, Quantity
from stargate.world.resolve import RULE_VERSION, resolve

D = Decimal


def claim(
    amount: str,
    *,
    bound: Bound = Bound.EXACT,
    amount_max: str | None = None,
    source: str = "s1",
    quote: str | None = None,
    polarity: Polarity = Polarity.ASSERTS,
    status: ClaimStatus = ClaimStatus.ANNOUNCED,
    rank: Rank = Rank.NORMAL,
    subject: str = "softbank",
) -> StoredClaim:
    text = quote or f"{subject} has {amount} {bound} {polarity} {source}"
    c = Claim(
        source_id=source,
        kind=ClaimKind.FUNDING_SECURED,
        quantity=Quantity(D(amount), "USD", bound, None if amount_max is None else D(amount_max)),
        quote=text,
        start=0,
        end=len(text),
        origin="test 1",
        subject_id=subject,
        period="total",
        status=status,
        polarity=polarity,
    )
    return StoredClaim(c.id, c, rank, None)


def one(claims: list[StoredClaim], **kwargs: object) -> object:
    (result,) = resolve(claims, **kwargs)  # type: ignore[arg-type]
    return result


def test_single() -> None:
    r = one([claim("10e9")])
    assert (r.state, r.value, r.rule_version) == ("single", D("10e9"), RULE_VERSION)


def test_agreeing_claims_are_consistent() -> None:
    r = one([claim("10e9", source="a"), claim("10.1e9", source="b")])
    assert r.state == "consistent"
    assert len(r.supporting) == 2
    assert len(r.components) == 1


def test_ranges_intersect() -> None:
    r = one(
        [
            claim("8e9", amount_max="12e9", source="a"),
            claim("10e9", bound=Bound.AT_LEAST, source="b"),
        ]
    )
    assert r.state == "range"
    assert (r.low, r.high) == (D("10e9"), D("12e9"))


def test_disjoint_claims_are_a_weighted_mixture_not_a_pick() -> None:
    r = one([
        claim("10e9", bound=Bound.AT_MOST, source="musk", status=ClaimStatus.DISPUTED),
        claim("19e9", source="a", status=ClaimStatus.REPORTED),
        claim("19e9", source="b", status=ClaimStatus.REPORTED, quote="another outlet says 19e9"),
    ])  # fmt: skip
    assert r.state == "disputed"
    assert len(r.components) == 2
    assert sum(c.weight for c in r.components) == pytest.approx(1.0)
    heavy = max(r.components, key=lambda c: c.weight)
    assert len(heavy.claims) == 2  # two independent sources outweigh one disputed claim
    assert r.value == D("19e9")


def test_denial_makes_it_disputed_and_adds_a_valueless_component() -> None:
    musk = claim("10e9", bound=Bound.AT_MOST, source="x", status=ClaimStatus.DISPUTED)
    altman = claim("10e9", bound=Bound.AT_MOST, source="x", polarity=Polarity.DENIES,
                   status=ClaimStatus.DENIED, quote="C'est faux")  # fmt: skip
    r = one([musk, altman])
    assert r.state == "disputed"
    assert r.dissenting == (altman.id,)
    denial = next(c for c in r.components if c.denial)
    assert denial.low is None
    assert denial.high is None
    assert (r.low, r.high) == (D(0), D("10e9"))


def test_only_denials_are_denied() -> None:
    r = one([claim("50e9", polarity=Polarity.DENIES)])
    assert r.state == "denied"
    assert r.value is None


def test_preferred_wins() -> None:
    filing = replace(claim("12e9", source="filing"), effective_rank=Rank.PREFERRED)
    r = one([claim("10e9", source="news"), filing])
    assert (r.state, r.value, r.supporting) == ("single", D("12e9"), (filing.id,))


def test_deprecated_and_retracted_are_dropped() -> None:
    wrong = replace(claim("99e9", source="typo"), effective_rank=Rank.DEPRECATED)
    retracted_claim = claim("50e9", source="r")
    retracted = replace(
        retracted_claim, claim=replace(retracted_claim.claim, retracted_at=datetime.now(UTC))
    )
    r = one([claim("10e9"), wrong, retracted])
    assert (r.state, r.value) == ("single", D("10e9"))


def test_superseded_is_dropped() -> None:
    old, new = claim("10e9", source="old"), claim("11e9", source="new")
    link = ClaimLink(new.id, old.id, Relation.SUPERSEDES, "alice")
    r = one([old, new], links=[link])
    assert r.supporting == (new.id,)


def test_copies_count_once() -> None:
    original = claim("10e9", source="a", quote="SoftBank has less than $10B")
    syndicated = claim("10e9", source="b", quote="SoftBank has less than $10B")
    r = one([original, syndicated])
    assert len(r.supporting) == 1
    assert r.state == "single"


def test_merged_entities_share_a_proposition() -> None:
    a = claim("10e9", subject="softbank")
    b = claim("10e9", subject="cand:softbank-group", source="b")
    assert len(resolve([a, b])) == 2
    assert len(resolve([a, b], canonical={"cand:softbank-group": "softbank"})) == 1


amounts = st.sampled_from(["5e9", "10e9", "10.1e9", "19e9", "40e9"])
bounds = st.sampled_from(list(Bound))


@given(st.lists(st.tuples(amounts, bounds, st.sampled_from(list(Polarity)), st.sampled_from("abc")),
                min_size=1, max_size=8), st.randoms())  # fmt: skip
def test_resolution_does_not_depend_on_claim_order(rows: list, rng: object) -> None:
    claims = [
        claim(a, bound=b, polarity=p, source=s, quote=f"{i} {a}")
        for i, (a, b, p, s) in enumerate(rows)
    ]
    shuffled = claims[:]
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert resolve(claims) == resolve(shuffled)
