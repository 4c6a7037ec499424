"""The ledger's records as frozen value objects, and the code lists their fields use.

Field meanings follow ``docs/records.md`` (after FollowTheMoney, nomenklatura's statements,
Wikidata's ranks and the Beneficial Ownership Data Standard's ``sourceType``).
Records are what the store accepts and returns; the SQL tables in :mod:`.tables` mirror them.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from stargate.jsonable import jsonable
from stargate.units import Bound, Quantity


class SourceKind(enum.StrEnum):
    NEWS = "news"
    FILING = "filing"
    PRESS_RELEASE = "press_release"
    INTERVIEW = "interview"
    TRANSCRIPT = "transcript"
    EARNINGS_CALL = "earnings_call"
    SOCIAL = "social"
    DATASET = "dataset"
    OTHER = "other"


class SourceType(enum.StrEnum):
    """Who stands behind a source (BODS ``sourceType`` plus ``anonymous``)."""

    OFFICIAL_REGISTER = "officialRegister"
    SELF_DECLARATION = "selfDeclaration"
    THIRD_PARTY = "thirdParty"
    PRIMARY_RESEARCH = "primaryResearch"
    VERIFIED = "verified"
    ANONYMOUS = "anonymous"


class EntityType(enum.StrEnum):
    COMPANY = "company"
    FUND = "fund"
    PERSON = "person"
    PROJECT = "project"
    SITE = "site"
    GOVERNMENT = "government"
    ORGANIZATION = "organization"


class ClaimKind(enum.StrEnum):
    INVESTMENT = "investment"
    COMMITMENT = "commitment"
    CONTRACT = "contract"
    PURCHASE = "purchase"
    LEASE = "lease"
    LOAN = "loan"
    CAPEX = "capex"
    REVENUE = "revenue"
    LOSS = "loss"
    VALUATION = "valuation"
    CAPACITY = "capacity"
    FUNDING_SECURED = "funding_secured"
    TRAINING_COST = "training_cost"
    STAKE = "stake"  # percent of a company held
    SHARE_OF = "share_of"  # percent of something tied to a counterparty
    CHANGE = "change"  # a stated change, signed (percent or money)
    SHARE_PRICE = "share_price"  # money per share
    UNIT_COST = "unit_cost"  # money per GW, MW, accelerator or unit
    TERM = "term"  # duration of a deal or an asset's life
    SHARES = "shares"  # a number of shares or warrants
    STATUS = "status"  # a deal's state from a date on (value: a DealStatus), no quantity
    SITE = "site"  # where a deal's capacity is (value: a site entity id), no quantity
    CONDITION = "condition"  # a contractual rule of a deal (value: a ConditionRule)
    OTHER = "other"


CODED_KINDS = frozenset({ClaimKind.STATUS, ClaimKind.SITE, ClaimKind.CONDITION})
"""Kinds whose claim carries a coded ``value`` (quantity optional: a condition may have one)."""


class ClaimStatus(enum.StrEnum):
    ANNOUNCED = "announced"
    REPORTED = "reported"
    PLANNED = "planned"
    COMPLETED = "completed"
    DISPUTED = "disputed"
    DENIED = "denied"


class Polarity(enum.StrEnum):
    ASSERTS = "asserts"
    DENIES = "denies"


class Rank(enum.StrEnum):
    """Editorial rank (Wikidata): the best rank present wins, deprecated never counts."""

    PREFERRED = "preferred"
    NORMAL = "normal"
    DEPRECATED = "deprecated"


class Relation(enum.StrEnum):
    CONTRADICTS = "contradicts"
    CORROBORATES = "corroborates"
    SUPERSEDES = "supersedes"
    REFINES = "refines"
    SAME_AS = "same_as"
    DENIES = "denies"


class Verdict(enum.StrEnum):
    """An entity-identity judgement (nomenklatura)."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    UNSURE = "unsure"


def content_id(*parts: object) -> str:
    """A stable identifier: SHA-256 over the JSON of ``parts`` (first 32 hex digits)."""
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Source:
    """A document. ``id`` is the SHA-256 of its normalised text."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    published_at: str | None = None
    published_text: str | None = None
    language: str | None = None
    kind: SourceKind = SourceKind.NEWS
    source_type: SourceType = SourceType.THIRD_PARTY
    path: str | None = None
    license: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    retrieved_at: datetime | None = None
    ingested_at: datetime | None = None

    def to_dict(self, *, text: bool = False) -> dict[str, Any]:
        """The source as JSON data; without ``text``, its length as ``chars`` instead."""
        data = {f: getattr(self, f) for f in self.__dataclass_fields__ if f != "text"}
        data |= {"text": self.text} if text else {"chars": len(self.text)}
        result: dict[str, Any] = jsonable(data)
        return result


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str
    type: EntityType = EntityType.ORGANIZATION
    aliases: tuple[str, ...] = ()
    parent_id: str | None = None
    origin: str = "gazetteer"
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable({f: getattr(self, f) for f in self.__dataclass_fields__})
        return result


@dataclass(frozen=True, slots=True)
class Claim:
    """One value, said by someone, in a document, at a time."""

    source_id: str
    kind: ClaimKind
    quantity: Quantity | None
    quote: str
    start: int
    end: int
    origin: str
    subject_id: str | None = None
    object_id: str | None = None
    co_subject_ids: tuple[str, ...] = ()
    period: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    status: ClaimStatus = ClaimStatus.ANNOUNCED
    polarity: Polarity = Polarity.ASSERTS
    speaker: str | None = None
    confidence: float = 1.0
    rank: Rank = Rank.NORMAL
    rank_reason: str | None = None
    original_value: str | None = None
    value: str | None = None
    stated_at: str | None = None
    created_at: datetime | None = None
    retracted_at: datetime | None = None

    @property
    def id(self) -> str:
        """Hash of what the claim says and who extracted it; rank and confidence are excluded.

        The origin is part of the key, so a newer extractor adds its own generation of claims
        while re-running the same extractor version adds nothing.
        """
        q = self.quantity
        # coded values and statement dates join the key only when present, so the ids of
        # claims that have neither stay what they were before those fields existed
        extra = [f"value={self.value}"] if self.value is not None else []
        extra += [f"stated_at={self.stated_at}"] if self.stated_at is not None else []
        return content_id(
            self.source_id,
            self.start,
            self.end,
            self.subject_id,
            self.object_id,
            *self.co_subject_ids,
            str(self.kind),
            str(self.polarity),
            _canonical(q.amount) if q else None,
            _canonical(q.amount_max) if q else None,
            str(q.bound) if q else None,
            q.unit if q else None,
            self.period,
            self.valid_from,
            self.valid_to,
            self.origin,
            *extra,
        )

    @property
    def subjects(self) -> tuple[str, ...]:
        """The subject and any co-subjects, in order."""
        return ((self.subject_id,) if self.subject_id else ()) + self.co_subject_ids

    @property
    def amount(self) -> Decimal | None:
        return None if self.quantity is None else self.quantity.amount

    def to_dict(self) -> dict[str, Any]:
        """The claim as JSON data: the one shape the CLI, the web and the exports share."""
        q = self.quantity
        result: dict[str, Any] = jsonable({
            "source_id": self.source_id, "subject": self.subject_id,
            "subjects": list(self.subjects), "object": self.object_id, "kind": self.kind,
            "amount": q.amount if q else None, "unit": q.unit if q else None,
            "bound": q.bound if q else None, "amount_max": q.amount_max if q else None,
            "value": self.value, "stated_at": self.stated_at,
            "period": self.period, "valid_from": self.valid_from, "valid_to": self.valid_to,
            "status": self.status, "polarity": self.polarity, "speaker": self.speaker,
            "quote": self.quote, "start": self.start, "end": self.end, "origin": self.origin,
            "confidence": self.confidence,
        })  # fmt: skip
        return result

    @property
    def bound(self) -> Bound | None:
        return None if self.quantity is None else self.quantity.bound


def _canonical(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


@dataclass(frozen=True, slots=True)
class StoredClaim:
    """A claim as read back from the store, with its current editorial rank applied."""

    id: str
    claim: Claim
    effective_rank: Rank
    rank_reason: str | None
    reviewed: bool = False  # a person has ranked it (accepted, rejected or re-ranked)

    def to_dict(self) -> dict[str, Any]:
        """The claim's :meth:`Claim.to_dict` with its id and current rank."""
        return {"id": self.id, **self.claim.to_dict(), "rank": str(self.effective_rank),
                "rank_reason": self.rank_reason}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClaimLink:
    left_claim: str
    right_claim: str
    relation: Relation
    user: str
    note: str | None = None
    id: int | None = None
    created_at: datetime | None = None
    deleted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Judgement:
    left_id: str
    right_id: str
    verdict: Verdict
    user: str
    score: float | None = None
    id: int | None = None
    created_at: datetime | None = None
    deleted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClaimReview:
    """A re-ranking of a claim by a person; the claim itself is never edited."""

    claim_id: str
    rank: Rank
    user: str
    reason: str | None = None
    id: int | None = None
    created_at: datetime | None = None


# -- deals: the agreements the World assembles from claims ---------------------------------


class DealKind(enum.StrEnum):
    """What an agreement is: who pays whom for what."""

    EQUITY = "equity"
    CONTRACT = "contract"
    LEASE = "lease"
    LOAN = "loan"
    PURCHASE = "purchase"
    CAPEX_PROGRAMME = "capex_programme"


class DealStatus(enum.StrEnum):
    """An agreement's state. Talks and letters of intent bind no one yet; announced deals bind
    with a probability; signed, building, operational and completed ones bind; deals on ice,
    cancelled or denied do not (how the stress model reads them is a scenario setting)."""

    IN_TALKS = "in_talks"
    LETTER_OF_INTENT = "letter_of_intent"
    ANNOUNCED = "announced"
    SIGNED = "signed"
    BUILDING = "building"
    OPERATIONAL = "operational"
    COMPLETED = "completed"
    ON_ICE = "on_ice"
    CANCELLED = "cancelled"
    DENIED = "denied"


class SiteStatus(enum.StrEnum):
    """A site's state at a date (a status claim about a site entity)."""

    ANNOUNCED = "announced"
    PLANNED = "planned"
    UNDER_CONSTRUCTION = "under_construction"
    OPERATIONAL = "operational"


class ConditionRule(enum.StrEnum):
    """The closed set of contractual conditions the model knows (``docs/records.md``)."""

    PAY_ON_DELIVERY = "pay_on_delivery"  # payments follow capacity delivery
    PER_GW_DEPLOYED = "per_gw_deployed"  # a sum per GW as each GW comes online (USD/GW)
    BINDING_FIRST_GW = "binding_first_gw"  # only the first GW binds; the rest is optional
    CONDITIONAL_TRANCHE = "conditional_tranche"  # part of the money depends on a condition
    FUNDED_BY_BRIDGE_LOAN = "funded_by_bridge_loan"  # the payer borrows to pay
    REMAINDER_FROM_DEBT = "remainder_from_debt"  # beyond the pledges, the project borrows
    CANCEL_ON_DELIVERY_FAILURE = "cancel_on_delivery_failure"  # the buyer may walk away
    BACKSTOP_UNSOLD_CAPACITY = "backstop_unsold_capacity"  # a third party buys what is unsold
    GUARANTEE = "guarantee"  # a third party guarantees the payments
    RESIDUAL_VALUE_GUARANTEE = "residual_value_guarantee"  # the lessee guarantees asset value
    FIXED_RATE = "fixed_rate"  # a loan at a fixed rate (percent)
    FLOATING_RATE = "floating_rate"  # a loan at a floating rate
    PREPAYMENT = "prepayment"  # money paid ahead of delivery
    DUE = "due"  # a date by which the money is due
    EVEN_SPREAD_ASSUMED = "even_spread_assumed"  # no schedule stated: the curators spread it


class DealField(enum.StrEnum):
    """What a claim says about a deal, set by the judgement that attaches it."""

    AMOUNT = "amount"  # total value (money)
    AMOUNT_ADDED = "amount_added"  # an addition to the total, after the base figure
    ANNUAL = "annual"  # money per year
    TERM = "term"  # duration in years
    PAYMENT = "payment"  # one scheduled payment (its year in the claim's valid time)
    PART = "part"  # one payer's share of the total
    CAPACITY = "capacity"  # GW the deal covers
    CAPACITY_ADDED = "capacity_added"  # GW added to it, after the base figure
    SITE = "site"
    CONDITION = "condition"
    STATUS = "status"
    EVIDENCE = "evidence"  # about the deal without setting a field (a denial, a mention)


@dataclass(frozen=True, slots=True)
class Deal:
    """An agreement's identity: declared by a curator or created by accepting a candidate."""

    id: str
    kind: DealKind
    name: str
    user: str
    origin: str
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DealClaim:
    """A judgement: claim ``claim_id`` tells deal ``deal_id``'s ``field``."""

    deal_id: str
    claim_id: str
    field: DealField
    user: str
    id: int | None = None
    created_at: datetime | None = None
    deleted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """A person's decision on a review item (accept, reject or edit), kept forever."""

    item_id: str
    item_type: str
    action: str
    user: str
    reason: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    created_at: datetime | None = None
