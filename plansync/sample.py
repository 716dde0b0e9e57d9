"""Generate a seeded, realistic CRM dataset for the demo, the emulators and benchmarks.

The same ``(accounts, seed, as_of)`` always gives the same records, so a demo run,
an emulator and a test can all talk about the same accounts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from plansync.planning.models import (
    POWER_MAP_ROLES,
    Account,
    Activity,
    ActivityKind,
    Contact,
    Owner,
    TaskStatus,
)

INDUSTRIES = (
    "Energy",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Finance",
    "Logistics",
    "Public",
)
PRODUCTS = (
    "Platform",
    "Analytics",
    "Support Plus",
    "Training",
    "Integration",
    "Hosting",
)
_FIRST = (
    "Aino",
    "Mikko",
    "Laura",
    "Jussi",
    "Emma",
    "Olli",
    "Sara",
    "Ville",
    "Noora",
    "Teemu",
    "Anna",
    "Lauri",
    "Maria",
    "Antti",
    "Elina",
    "Pekka",
    "Helmi",
    "Juha",
    "Iida",
    "Kalle",
)
_LAST = (
    "Virtanen",
    "Korhonen",
    "Nieminen",
    "Mäkinen",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "O'Brien",
    "Smith",
    "Schmidt",
    "Dubois",
    "Rossi",
)
_NAME_A = (
    "Nordic",
    "Baltic",
    "Arctic",
    "Polar",
    "Aurora",
    "Boreal",
    "Fjord",
    "Lake",
    "Granite",
    "Birch",
    "Harbor",
    "Summit",
    "Pine",
    "Coastal",
    "Meridian",
    "Vantage",
)
_NAME_B = (
    "Energy",
    "Foods",
    "Logistics",
    "Health",
    "Systems",
    "Retail",
    "Metals",
    "Paper",
    "Telecom",
    "Bank",
    "Motors",
    "Pharma",
    "Build",
    "Media",
    "Water",
    "Labs",
)
_SUFFIX = ("Oy", "Ab", "Ltd", "Group", "Inc", "GmbH", "& Sons")
_UNOWNED_SHARE = 0.01
_SEGMENT_WEIGHTS = (("A", 0.1), ("B", 0.3), ("C", 0.6))


@dataclass(frozen=True, slots=True)
class Sample:
    """A whole CRM's worth of canonical records."""

    owners: tuple[Owner, ...]
    accounts: tuple[Account, ...]
    contacts: tuple[Contact, ...]
    activities: tuple[Activity, ...]


def generate_sample(*, accounts: int, seed: int, as_of: date) -> Sample:
    """Generate ``accounts`` accounts with owners, contacts and ~90 days of history."""
    rng = random.Random(seed)
    stamp = datetime.combine(as_of, time(6, 0), tzinfo=UTC) - timedelta(days=1)
    owners = _owners(rng, max(3, accounts // 40))
    account_rows: list[Account] = []
    contact_rows: list[Contact] = []
    activity_rows: list[Activity] = []
    for index in range(accounts):
        account = _account(rng, index, owners, stamp)
        account_rows.append(account)
        contact_rows.extend(_contacts(rng, account, stamp))
        activity_rows.extend(_history(rng, account, as_of, stamp))
    return Sample(
        tuple(owners), tuple(account_rows), tuple(contact_rows), tuple(activity_rows)
    )


def _owners(rng: random.Random, count: int) -> list[Owner]:
    owners = []
    for index in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        handle = f"{first}.{last}".lower().replace("'", "")
        owners.append(
            Owner(f"U{index + 1:05d}", f"{first} {last}", f"{handle}@example.com")
        )
    return owners


def _account(
    rng: random.Random, index: int, owners: list[Owner], stamp: datetime
) -> Account:
    segment = rng.choices(
        [s for s, _ in _SEGMENT_WEIGHTS], [w for _, w in _SEGMENT_WEIGHTS]
    )[0]
    scale = {"A": 5_000_000.0, "B": 1_000_000.0, "C": 200_000.0}[segment]
    revenue = round(rng.lognormvariate(0, 0.6) * scale, -2)
    owner = None if rng.random() < _UNOWNED_SHARE else rng.choice(owners).id
    name = f"{rng.choice(_NAME_A)} {rng.choice(_NAME_B)} {rng.choice(_SUFFIX)}"
    industry = rng.choice(INDUSTRIES)
    return Account(
        id=f"A{index + 1:07d}",
        name=f"{name} {index + 1}",
        owner_id=owner,
        annual_revenue_eur=revenue,
        nps=rng.randint(-60, 80),
        wallet_eur=round(revenue * rng.uniform(1.5, 6.0), -2),
        recurring_share_pct=round(rng.uniform(5, 80), 1),
        products=tuple(sorted(rng.sample(PRODUCTS, rng.randint(1, 3)))),
        fields={"segment": segment, "industry": industry, "country": "FI"},
        modified_at=stamp,
    )


def _contacts(rng: random.Random, account: Account, stamp: datetime) -> list[Contact]:
    roles = rng.sample(POWER_MAP_ROLES, rng.randint(1, 5))
    contacts = []
    for n, role in enumerate(roles):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        contacts.append(
            Contact(
                id=f"C{account.id[1:]}{n}",
                account_id=account.id,
                name=f"{first} {last}",
                role=role,
                email=f"{first.lower()}.{n}@{account.id.lower()}.example.com",
                modified_at=stamp,
            )
        )
    return contacts


def _history(
    rng: random.Random, account: Account, as_of: date, stamp: datetime
) -> list[Activity]:
    kinds = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL)
    subjects = {
        ActivityKind.CALL: "Check-in call",
        ActivityKind.MEETING: "Steering group meeting",
        ActivityKind.EMAIL: "Follow-up email",
    }
    rows = []
    for n in range(rng.randint(0, 4)):
        kind = rng.choice(kinds)
        done = as_of - timedelta(days=rng.randint(1, 90))
        rows.append(
            Activity(
                id=f"H{account.id[1:]}{n}",
                account_id=account.id,
                kind=kind,
                subject=subjects[kind],
                status=TaskStatus.COMPLETED,
                owner_id=account.owner_id,
                due=done,
                completed_on=done,
                modified_at=stamp,
            )
        )
    return rows
