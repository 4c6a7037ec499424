"""Rule resolve-2: dated revisions instead of disputes, two facts in one quote kept apart, copies
counted once; order independence and idempotence as properties."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from stargate.ledger.records import Claim, ClaimKind, ClaimStatus, Rank, Source, StoredClaim
from stargate.units import Quantity
from stargate.world.resolve import RULE_V1, RULE_V2, resolve


def claim(
    amount: float, *, when: str | None = None, quote: str | None = None, start: int = 0,
    source: str = "s1", status: ClaimStatus = ClaimStatus.ANNOUNCED, origin: str = "test 1",
    subject: str = "openai",
) -> StoredClaim:  # fmt: skip
    text = quote or f"{subject} pays {amount} ({when})"
    c = Claim(
        source_id=source, kind=ClaimKind.CONTRACT, quantity=Quantity(Decimal(repr(amount)), "USD"),
        quote=text, start=start, end=start + len(text), origin=origin, subject_id=subject,
        object_id="oracle", period="per_year", status=status, stated_at=when,
    )  # fmt: skip
    return StoredClaim(c.id, c, Rank.NORMAL, None)


def test_a_later_figure_revises_an_earlier_one() -> None:
    old, new = claim(30e9, when="2025-07"), claim(60e9, when="2025-09-11", start=100)
    (v2,) = resolve([old, new], rule=RULE_V2)
    assert (v2.state, v2.value) == ("revised", Decimal("6E+10"))
    assert v2.revised == (old.id,)
    assert v2.supporting == (new.id,)
    assert [c.dated for c in v2.components] == ["2025-09-11", "2025-07"]
    (v1,) = resolve([old, new], rule=RULE_V1)
    assert v1.state == "disputed"  # resolve-1 stays selectable and unchanged


def test_same_date_or_undated_figures_stay_a_dispute() -> None:
    for first, second in (("2025-07", "2025-07"), (None, "2025-09"), (None, None)):
        pair = [claim(30e9, when=first), claim(60e9, when=second, start=100)]
        (r,) = resolve(pair, rule=RULE_V2)
        assert r.state == "disputed", (first, second)


def test_a_hedged_later_report_from_a_weaker_source_does_not_revise() -> None:
    sources = {
        "filing": Source(id="filing", text="x", source_type="selfDeclaration"),  # type: ignore[arg-type]
        "rumour": Source(id="rumour", text="x", source_type="anonymous"),  # type: ignore[arg-type]
    }
    old = claim(30e9, when="2025-07", source="filing", status=ClaimStatus.COMPLETED)
    new = claim(45e9, when="2026-01", source="rumour", status=ClaimStatus.REPORTED, start=100)
    (r,) = resolve([old, new], sources=sources, rule=RULE_V2)
    assert r.state == "disputed"


def test_two_facts_in_one_quote_stay_two() -> None:
    text = "OpenAI adds $4 billion to its existing $11.9 billion contract with CoreWeave."
    base = claim(11.9e9, quote=text)
    added = claim(4e9, quote=text)
    (r,) = resolve([base, added], rule=RULE_V2)
    assert r.state == "several"
    assert {c.middle for c in r.components} == {Decimal("1.19E+10"), Decimal("4E+9")}
    (v1,) = resolve([base, added], rule=RULE_V1)
    assert len(v1.supporting) == 1  # resolve-1 counted the shared quote once


def test_syndicated_copies_count_once() -> None:
    text = "OpenAI will pay Oracle $30 billion a year."
    a = claim(30e9, quote=text, source="wire")
    b = claim(30e9, quote=text, source="copy", origin="test 2")
    (r,) = resolve([a, b], rule=RULE_V2)
    assert len(r.supporting) == 1


figures = st.lists(
    st.tuples(
        st.sampled_from([10e9, 10.05e9, 20e9, 30e9, 60e9]),
        st.sampled_from([None, "2025-01", "2025-07", "2025-09-11", "2026-02"]),
        st.sampled_from(["openai", "softbank"]),
        st.sampled_from(list(ClaimStatus)[:4]),
    ),
    min_size=1, max_size=8,
)  # fmt: skip


def build(rows: list[tuple[float, str | None, str, ClaimStatus]]) -> list[StoredClaim]:
    return [claim(a, when=w, subject=s, status=st_, start=i * 100)
            for i, (a, w, s, st_) in enumerate(rows)]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(figures, st.randoms(use_true_random=False))
def test_resolve_2_does_not_depend_on_claim_order(rows: list, rng: random.Random) -> None:
    claims = build(rows)
    shuffled = claims[:]
    rng.shuffle(shuffled)
    assert resolve(claims, rule=RULE_V2) == resolve(shuffled, rule=RULE_V2)


@settings(max_examples=150, deadline=None)
@given(figures)
def test_resolve_2_is_idempotent(rows: list) -> None:
    claims = build(rows)
    once = resolve(claims, rule=RULE_V2)
    assert resolve([*claims, *claims], rule=RULE_V2) == once  # the same claims twice
    copies = [claim(float(c.claim.quantity.amount), when=c.claim.stated_at, quote=c.claim.quote,  # type: ignore[union-attr]
                    subject=str(c.claim.subject_id), status=c.claim.status, start=c.claim.start,
                    source="syndicated", origin="test 2") for c in claims]  # fmt: skip
    again = resolve([*claims, *copies], rule=RULE_V2)
    assert [(r.proposition, r.state, r.value, r.low, r.high) for r in again] == [
        (r.proposition, r.state, r.value, r.low, r.high) for r in once
    ]
