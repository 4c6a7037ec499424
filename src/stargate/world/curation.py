"""The curated dataset as ledger records: every curated figure becomes a claim entered by the
curators, attached to a ledger source and to a quote, and every curated agreement a deal.

- A figure read in a bundled seed article cites that article and quotes its exact sentence.
- Any other figure cites its source key: the curators' excerpts of one source form one ledger
  document (title, publisher, date and address of the source; its text says that the sentences
  are the curators', not the publisher's), and the claim quotes its sentence there.
- Claims carry ``origin = "curated:<file>@<version>"``; a new curated version adds its own
  records and never overwrites (the World reads the newest version the ledger holds).

Loading is idempotent: claims, sources and deals are keyed by their content, so loading the
same version twice adds nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Final

from stargate.evidence.documents import normalise_text, read_document, text_id
from stargate.evidence.ingest import bundled_corpus
from stargate.ledger.records import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Deal,
    DealClaim,
    DealField,
    DealKind,
    Entity,
    EntityType,
    Polarity,
    Source,
    SourceKind,
    SourceType,
)
from stargate.ledger.store import Store
from stargate.units import Bound, Quantity
from stargate.world.curated import (
    Agreement,
    Curated,
    CuratedError,
    Figure,
    Finance,
    Site,
    SourceEntry,
)

CURATORS: Final = "stargate curators"
ORIGIN_PREFIX: Final = "curated:"
FINANCES: Final = "#finances"  # the finance figures' own excerpt document per source
HEADER: Final = (
    "Curators' excerpts: sentences written by the stargate curators from the source named "
    "below. They are not the publisher's words."
)
MONEY_KIND: Final = {
    DealKind.EQUITY: ClaimKind.INVESTMENT,
    DealKind.CONTRACT: ClaimKind.CONTRACT,
    DealKind.LEASE: ClaimKind.LEASE,
    DealKind.LOAN: ClaimKind.LOAN,
    DealKind.PURCHASE: ClaimKind.PURCHASE,
    DealKind.CAPEX_PROGRAMME: ClaimKind.CAPEX,
}
QUALITY_TYPE: Final = {"P": SourceType.SELF_DECLARATION, "W": SourceType.THIRD_PARTY}


def origin(file: str, version: str) -> str:
    return f"{ORIGIN_PREFIX}{file}@{version}"


def curated_version(claim_origin: str) -> str | None:
    """The curated version of a claim's origin (``curated:agreements.yaml@2026.12.1``)."""
    if not claim_origin.startswith(ORIGIN_PREFIX) or "@" not in claim_origin:
        return None
    return claim_origin.rsplit("@", 1)[1]


@dataclass(frozen=True)
class CuratedRecords:
    """What the curated dataset adds to the ledger."""

    sources: tuple[Source, ...]
    claims: tuple[Claim, ...]
    entities: tuple[Entity, ...]
    deals: tuple[Deal, ...]
    links: tuple[DealClaim, ...]
    figures: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Claim ids of the finance figures, by label (``finance:openai:cash_usd``, ``debt:...``)."""


@dataclass
class _Pending:
    """A figure waiting for its quote's place in a source text."""

    claim: Claim  # with a provisional quote and span
    key: str  # seed stem or source key
    deal: str | None
    field: DealField | None
    line: str = ""
    label: str | None = None  # what a finance figure is (the World cites it by this)


@dataclass
class _Builder:
    curated: Curated
    seeds: Mapping[str, Source]
    pending: list[_Pending] = field(default_factory=list)

    # -- agreements -----------------------------------------------------------------------

    def agreement(self, index: int, a: Agreement) -> None:
        kind = DealKind(a.kind)
        money = MONEY_KIND[kind]
        key = a.sources[0]
        date = _date(self.curated.sources[key].date)
        assumed = bool(a.note and "assum" in a.note.lower())
        note = f" ({a.note})" if assumed else ""

        def add(
            deal_field: DealField, claim_kind: ClaimKind, quantity: Quantity | None, text: str,
            *, subjects: Iterable[str] | None = None, period: str | None = None,
            value: str | None = None, valid_from: str | None = None,
            valid_to: str | None = None, stated: str | None = None,
        ) -> None:  # fmt: skip
            self.pending.append(
                _Pending(
                    self._claim(
                        claim_kind, quantity, list(subjects or a.payer), a.payee, period,
                        value=value, valid_from=valid_from, valid_to=valid_to,
                        stated_at=stated or date, file="agreements.yaml",
                    ),
                    key, a.id, deal_field, line=f"{a.name}: {text}",
                )
            )  # fmt: skip

        bound = Bound(a.bound)
        usd = Quantity(_dec(a.amount_usd), "USD", bound)
        add(DealField.AMOUNT, money, usd, f"{_phrase(bound)}{_usd(a.amount_usd)} in all{note}.",
            period="total", valid_from=a.start)  # fmt: skip
        for payers, amount in (a.parts or {}).items():
            who = payers.split("+")
            together = " together" if len(who) > 1 else ""
            add(DealField.PART, money, Quantity(_dec(amount), "USD"),
                f"{' and '.join(who)} put in {_usd(amount)}{together}.", subjects=who,
                period="total")  # fmt: skip
        if a.annual_usd is not None and a.start is not None and a.years is not None:
            end = str(int(a.start[:4]) + a.years - 1)
            add(DealField.ANNUAL, money, Quantity(_dec(a.annual_usd), "USD"),
                f"{_usd(a.annual_usd)} a year from {a.start} to {end}{note}.", period="per_year",
                valid_from=a.start[:4], valid_to=end)  # fmt: skip
        if a.years is not None:
            add(DealField.TERM, ClaimKind.TERM, Quantity(_dec(a.years), "years"),
                f"a term of {a.years} years from {a.start or 'its start'}.",
                valid_from=a.start[:4] if a.start else None)  # fmt: skip
        for payment in a.schedule or ():
            add(DealField.PAYMENT, money, Quantity(_dec(payment.amount_usd), "USD"),
                f"{_usd(payment.amount_usd)} due in {payment.year}.", period="total",
                valid_from=str(payment.year), valid_to=str(payment.year))  # fmt: skip
        if a.capacity_gw is not None:
            add(DealField.CAPACITY, ClaimKind.CAPACITY, Quantity(_dec(a.capacity_gw), "GW"),
                f"{a.capacity_gw:g} GW.")  # fmt: skip
        if a.site is not None:
            add(DealField.SITE, ClaimKind.SITE, None, f"at the site {a.site}.", value=a.site)
        for condition in a.conditions:
            per_gw = condition.usd_per_gw
            add(DealField.CONDITION, ClaimKind.CONDITION,
                Quantity(_dec(per_gw), "USD/GW") if per_gw else None,
                f"condition {condition.rule}: {condition.text}.", value=condition.rule,
                valid_to=condition.due)  # fmt: skip
        for change in a.status:
            add(DealField.STATUS, ClaimKind.STATUS, None, f"{change.status} as of {change.date}.",
                value=change.status, valid_from=change.date, stated=change.date)  # fmt: skip
        for number, figure in enumerate(a.figures, start=1):
            self.figure(index, number, a, figure)

    def figure(self, index: int, number: int, a: Agreement, f: Figure) -> None:
        deal_field = DealField(f.field)
        kind = DealKind(a.kind)
        quantity: Quantity | None = None
        claim_kind = MONEY_KIND[kind]
        period: str | None = "total"
        valid_from: str | None = None
        valid_to: str | None = None
        bound = Bound(f.bound)
        if f.usd is not None:
            quantity = Quantity(_dec(f.usd), "USD", bound)
        if deal_field in {DealField.CAPACITY, DealField.CAPACITY_ADDED}:
            claim_kind, period = ClaimKind.CAPACITY, None
            quantity = Quantity(_dec(f.gw or 0), "GW", bound)
        elif deal_field is DealField.TERM:
            claim_kind, period = ClaimKind.TERM, None
            quantity = Quantity(_dec(f.years or 0), "years", bound)
        elif deal_field in {DealField.SITE, DealField.CONDITION, DealField.STATUS}:
            claim_kind = {DealField.SITE: ClaimKind.SITE, DealField.CONDITION: ClaimKind.CONDITION,
                          DealField.STATUS: ClaimKind.STATUS}[deal_field]  # fmt: skip
            period = None
            valid_from = f.date if deal_field is DealField.STATUS else None
        elif deal_field is DealField.ANNUAL:
            period, valid_from = "per_year", f.start
        elif deal_field is DealField.PAYMENT:
            valid_from = valid_to = str(f.year)
        if f.kind is not None:
            try:
                claim_kind = ClaimKind(f.kind)
            except ValueError:
                raise CuratedError(
                    f"agreements.yaml: row {index} ({a.id}): field 'figures.{number}.kind': "
                    f"unknown kind {f.kind!r}"
                ) from None
        subjects = f.payers or a.payer
        claim = self._claim(
            claim_kind, quantity, subjects, a.payee, period, value=f.value,
            valid_from=valid_from, valid_to=valid_to, stated_at=f.date, file="agreements.yaml",
            status=ClaimStatus(f.status),
        )  # fmt: skip
        claim = replace(claim, polarity=Polarity(f.polarity), speaker=f.speaker)
        if f.seed is not None:
            if f.seed not in self.seeds:
                raise CuratedError(
                    f"agreements.yaml: row {index} ({a.id}): field 'figures.{number}.seed': "
                    f"no bundled seed article {f.seed!r}"
                )
            self.pending.append(_Pending(claim, f"seed:{f.seed}", a.id, deal_field,
                                         line=f.quote or ""))  # fmt: skip
            return
        assert f.source is not None
        line = f.excerpt or f"{a.name}: {_figure_text(deal_field, f)}"
        self.pending.append(_Pending(claim, f.source, a.id, deal_field, line=line))

    # -- sites ----------------------------------------------------------------------------

    def site(self, s: Site) -> None:
        key = s.sources[0] if s.sources else None
        for point in s.timeline:
            assert key is not None  # the model requires sources with a timeline
            status: str = point.status
            for claim_kind, quantity, value, text in (
                (ClaimKind.CAPACITY, Quantity(_dec(point.gw), "GW"), None, f"{point.gw:g} GW"),
                (ClaimKind.STATUS, None, status, point.status.replace("_", " ")),
            ):
                claim = self._claim(
                    claim_kind, quantity, [s.id], None, None, value=value,
                    valid_from=point.date, stated_at=point.date, file="sites.yaml",
                )  # fmt: skip
                line = f"{s.name}: {text} as of {point.date}."
                self.pending.append(_Pending(claim, key, None, None, line=line))
        for role in ("owner", "tenant", "offtaker"):
            party = getattr(s, role)
            if party is None or key is None:
                continue
            claim = self._claim(ClaimKind.SITE, None, [party], s.id, None, value=role,
                                stated_at=_date(self.curated.sources[key].date),
                                file="sites.yaml")  # fmt: skip
            line = f"{s.name}: {party} is its {role}."
            self.pending.append(_Pending(claim, key, None, None, line=line))
        for f in s.figures:
            if f.field == "status":
                quantity, claim_kind, value = None, ClaimKind.STATUS, f.value
            else:
                quantity, claim_kind, value = (
                    Quantity(_dec(f.gw or 0), "GW"),
                    ClaimKind.CAPACITY,
                    None,
                )
            claim = self._claim(claim_kind, quantity, [s.id], None, None, value=value,
                                valid_from=f.date, stated_at=f.date, file="sites.yaml",
                                status=ClaimStatus(f.status))  # fmt: skip
            where = f"seed:{f.seed}" if f.seed is not None else str(f.source)
            line = f.quote or f.excerpt or f"{s.name}: {_figure_text(DealField(f.field), f)}"
            self.pending.append(_Pending(claim, where, None, None, line=line or ""))

    # -- finances -------------------------------------------------------------------------

    def finance(self, f: Finance) -> None:
        """The balance-sheet figures the stress model opens with: cash, outside revenue and
        each debt tranche, each cited to the row's (or the tranche's) first source."""
        if not f.sources:
            return
        key = f.sources[0]
        opened = _date(f.as_of)
        figures: list[tuple[str, ClaimKind, float, list[str], str | None, str, str | None, str]]
        figures = [
            (f"finance:{f.entity}:cash_usd", ClaimKind.FUNDING_SECURED, f.cash_usd, [f.entity],
             None, "total", opened, f"{f.entity}: cash and equivalents of {_usd(f.cash_usd)} as "
             f"of {f.as_of}."),
            (f"finance:{f.entity}:revenue_usd", ClaimKind.REVENUE, f.revenue_usd, [f.entity],
             None, "per_year", str(f.revenue_year), f"{f.entity}: revenue of "
             f"{_usd(f.revenue_usd)} in {f.revenue_year} (outside the agreements)."),
        ]  # fmt: skip
        for d in f.debt:
            basis = f" ({d.basis})" if d.basis else ""
            figures.append((
                f"debt:{f.entity}:{d.name}", ClaimKind.LOAN, d.amount_usd, [], f.entity,
                "total", str(d.drawn) if d.drawn else None,
                f"{f.entity}: {d.name}, {_usd(d.amount_usd)} due {d.matures}{basis}.",
            ))  # fmt: skip
        for label, kind, amount, subjects, payee, period, valid_from, line in figures:
            source = key
            if label.startswith("debt:"):
                tranche = next(d for d in f.debt if f"debt:{f.entity}:{d.name}" == label)
                source = tranche.sources[0] if tranche.sources else key
            claim = Claim(
                source_id="", kind=kind, quantity=Quantity(_dec(amount), "USD"), quote="",
                start=0, end=0, origin=origin("finances.yaml", self.curated.version),
                subject_id=subjects[0] if subjects else None, object_id=payee, period=period,
                valid_from=valid_from, status=ClaimStatus.COMPLETED, stated_at=opened,
                confidence=1.0,
            )  # fmt: skip
            # a document of its own per source: the ids do not depend on the other figures
            self.pending.append(
                _Pending(claim, f"{source}{FINANCES}", None, None, line=line, label=label)
            )

    # -- claims and their documents -------------------------------------------------------

    def _claim(
        self, kind: ClaimKind, quantity: Quantity | None, subjects: list[str],
        payee: str | None, period: str | None, *, value: str | None = None,
        valid_from: str | None = None, valid_to: str | None = None, stated_at: str | None,
        file: str, status: ClaimStatus = ClaimStatus.ANNOUNCED,
    ) -> Claim:  # fmt: skip
        return Claim(
            source_id="", kind=kind, quantity=quantity, quote="", start=0, end=0,
            origin=origin(file, self.curated.version), subject_id=subjects[0],
            object_id=payee, co_subject_ids=tuple(subjects[1:]), period=period,
            valid_from=valid_from, valid_to=valid_to, status=status, value=value,
            stated_at=stated_at, confidence=1.0,
        )  # fmt: skip

    def records(self) -> CuratedRecords:
        by_key: dict[str, list[_Pending]] = defaultdict(list)
        for item in self.pending:
            by_key[item.key].append(item)
        sources: list[Source] = []
        placed: list[tuple[_Pending, Source]] = []
        for key, items in sorted(by_key.items()):
            if key.startswith("seed:"):
                source = self.seeds[key[5:]]
            else:
                entry = key.removesuffix(FINANCES)
                source = _excerpt_document(entry, self.curated.sources[entry], items,
                                           self.curated.version)  # fmt: skip
                sources.append(source)
            placed += [(item, source) for item in items]
        claims: list[Claim] = []
        links: list[DealClaim] = []
        labelled: dict[str, list[str]] = defaultdict(list)
        for item, source in placed:
            quote = " ".join(item.line.split()) if not item.key.startswith("seed:") else item.line
            start = source.text.find(quote)
            if start < 0:
                raise CuratedError(f"{item.deal or 'sites.yaml'}: quote not found in "
                                   f"{item.key}: {quote[:80]!r}")  # fmt: skip
            claim = _place(item.claim, source, quote, start)
            claims.append(claim)
            if item.label is not None:
                labelled[item.label].append(claim.id)
            if item.deal is not None and item.field is not None:
                links.append(DealClaim(item.deal, claim.id, item.field, CURATORS))
        deals = tuple(
            Deal(a.id, DealKind(a.kind), a.name, CURATORS, origin("agreements.yaml",
                 self.curated.version))
            for a in self.curated.agreements
        )  # fmt: skip
        return CuratedRecords(tuple(sources), tuple(claims), (), deals, tuple(links),
                              {k: tuple(v) for k, v in labelled.items()})  # fmt: skip


def _place(claim: Claim, source: Source, quote: str, start: int) -> Claim:
    return replace(claim, source_id=source.id, quote=quote, start=start, end=start + len(quote))


def _excerpt_document(key: str, entry: SourceEntry, items: list[_Pending], version: str) -> Source:
    lines = list(dict.fromkeys(" ".join(i.line.split()) for i in items))
    where = f"Source: {entry.title}. {entry.publisher}, {entry.date}. {entry.address}"
    text = normalise_text("\n".join([HEADER, where, "", *lines]))
    quality = entry.quality.strip()[:1]
    return Source(
        id=text_id(text), text=text, title=entry.title, url=entry.address or None,
        publisher=entry.publisher, published_at=_date(entry.date), language="en",
        kind=SourceKind.NEWS,
        source_type=QUALITY_TYPE.get(quality, SourceType.THIRD_PARTY),
        path=f"world/curated/sources.yaml#{key}",
        metadata={"curated": "excerpts written by the curators", "key": key,
                  "version": version, "quality": entry.quality},
    )  # fmt: skip


def _date(text: str) -> str | None:
    """A prefix date from the curated form (``~2025-10`` is approximate: kept as ``2025-10``)."""
    found = re.search(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", text)
    return found.group(0) if found else None


def _dec(value: float) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _usd(amount: float) -> str:
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(amount) >= scale:
            return f"${amount / scale:,.{_digits(amount / scale)}f} {word}"
    return f"${amount:,.0f}"


def _digits(value: float) -> int:
    for digits in range(4):
        if abs(round(value, digits) - value) < 1e-9:
            return digits
    return 3


def _phrase(bound: Bound) -> str:
    return {Bound.AT_MOST: "up to ", Bound.AT_LEAST: "at least ", Bound.APPROX: "about "}.get(
        bound, ""
    )


def _figure_text(deal_field: DealField, f: Figure) -> str:
    bound = _phrase(Bound(f.bound))
    texts = {
        DealField.AMOUNT: f"{bound}{_usd(f.usd or 0)} in all",
        DealField.AMOUNT_ADDED: f"{bound}{_usd(f.usd or 0)} more",
        DealField.ANNUAL: f"{bound}{_usd(f.usd or 0)} a year" + (f" from {f.start}" if f.start
                                                                   else ""),
        DealField.TERM: f"a term of {f.years:g} years" if f.years else "",
        DealField.PAYMENT: f"{_usd(f.usd or 0)} due in {f.year}",
        DealField.PART: f"{' and '.join(f.payers or [])} put in {_usd(f.usd or 0)}",
        DealField.CAPACITY: f"{bound}{f.gw:g} GW" if f.gw else "",
        DealField.CAPACITY_ADDED: f"{f.gw:g} GW more" if f.gw else "",
        DealField.SITE: f"at the site {f.value}",
        DealField.CONDITION: f"condition {f.value}",
        DealField.STATUS: f"{f.value} as of {f.date}",
        DealField.EVIDENCE: "mentioned",
    }  # fmt: skip
    return f"{texts[deal_field]} (as of {f.date})."


def seed_sources() -> dict[str, Source]:
    """The bundled seed articles by the first part of their file name ("000", "001", ...)."""
    return {path.name.split("_")[0]: read_document(path).source for path in bundled_corpus()}


def curated_records(curated: Curated, seeds: Mapping[str, Source] | None = None) -> CuratedRecords:
    """The ledger records of a curated dataset (nothing is written)."""
    builder = _Builder(curated, seed_sources() if seeds is None else seeds)
    for index, agreement in enumerate(curated.agreements, start=1):
        builder.agreement(index, agreement)
    for site in curated.sites:
        builder.site(site)
    for row in curated.finances:
        builder.finance(row)
    return builder.records()


def finance_figures(curated: Curated) -> Mapping[str, tuple[str, ...]]:
    """The claim ids of the curated finance figures by label (they quote no seed and sit in
    documents of their own, so the ids are those :func:`curated_records` gives): the World
    cites them in its finances and debts tables."""
    builder = _Builder(curated, {})
    for row in curated.finances:
        builder.finance(row)
    return builder.records().figures


def site_entities(curated: Curated, known: set[str]) -> list[Entity]:
    """Curated sites the gazetteer lacks, as site entities (claims name them as subjects)."""
    return [
        Entity(s.id, s.name, EntityType.SITE, origin=origin("sites.yaml", curated.version))
        for s in curated.sites if s.id not in known
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class LoadReport:
    version: str
    sources_added: int
    claims_added: int
    deals_added: int
    links_added: int


def load_into(store: Store, curated: Curated) -> LoadReport:
    """Add the curated records to the store, idempotently. The seed articles the curated
    figures quote are added as sources when the store lacks them (without extracted claims:
    ``stargate reextract`` adds those)."""
    known = {e.id for e in store.entities()}
    store.add_entities(site_entities(curated, known))
    seeds = seed_sources()
    records = curated_records(curated, seeds)
    stored = {s.id for s in store.sources()}
    sources_added = claims_added = 0
    for seed in seeds.values():
        if seed.id not in stored:
            sources_added += int(store.add_document(seed).added)
    by_source: dict[str, list[Claim]] = defaultdict(list)
    for claim in records.claims:
        by_source[claim.source_id].append(claim)
    for source in records.sources:
        result = store.add_document(source, by_source.pop(source.id, []))
        sources_added += int(result.added)
        claims_added += result.claims_added
    rest = [claim for claims in by_source.values() for claim in claims]
    claims_added += store.add_claims(rest)
    deals_added, links_added = store.deals.declare(records.deals, records.links)
    return LoadReport(curated.version, sources_added, claims_added, deals_added, links_added)
