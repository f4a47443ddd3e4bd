"""The benchmark's machinery (``benchmarks/run.py``) on a tiny data set: it must run, measure every
page and write its results. No time is asserted: times depend on the machine."""

import datetime as dt
import json
import random

import pytest
from django.utils import timezone
from stdnum.be import nn

from benchmarks import run as bench
from demo import accounts as accounts_demo
from demo import large as demo_large
from demo.participants import national_number_for
from participants.models import ExitOutcome
from tests.factories import OrganizationFactory, ParticipantFactory, PathwayFactory

PAGES = {
    bench.MINIMAL,
    bench.ADMIN,
    bench.LAYOUT,
    "participant list",
    "participant search as typed (htmx)",
    "participant page",
    "chantier page",
    "attendance grid",
    "referrals list",
    "reports page",
    "home, direction",
    "home, counsellor",
    "home, coordinator",
}


@pytest.fixture
def seeded(legal_ceilings):
    """The large demo at 1/50 of its volumes: the demo logins, a session today with 15 people."""
    rng = random.Random(3)
    accounts = accounts_demo.seed_accounts(rng=rng)
    demo_large.seed_large(
        rng=rng, organizations=accounts["organizations"], counts=demo_large.volumes(50)
    )


def test_it_measures_every_page_and_writes_the_results(seeded, tmp_path):
    results = bench.run(scale="small", repeat=2, import_rows=20)
    path = bench.write_json(results, tmp_path / "bench.json")
    written = json.loads(path.read_text())

    assert {"machine", "volumes", "pages", "attendance_save", "activity_report", "import"} <= set(
        written
    )
    names = set(written["pages"])
    assert names >= PAGES
    assert any(name.startswith("participant list, search «") for name in names)
    for page in written["pages"].values():
        assert page["samples"] == 2
        assert page["queries"] >= 1
        assert {"median_ms", "p95_ms", "ratio_minimal", "ratio_admin"} <= set(page)
    assert written["pages"][bench.MINIMAL]["ratio_minimal"] == 1
    # The demo's benchmark grid: a group of 15, every mark written, then rolled back.
    assert written["attendance_save"]["people"] == 15
    # The same group's marks sent as the phone sends them on reconnection: all saved, undone.
    assert written["offline_sync"]["people"] == 15
    assert written["offline_sync"]["samples"] == 2
    assert written["offline_sync"]["queries"] >= 1
    report = written["activity_report"]
    assert report["year"] == timezone.localdate().year - 1
    assert report["key_figures_match"] is True
    assert report["pdf_bytes"] > 0
    assert report["xlsx_bytes"] > 0
    assert written["import"] == {
        **written["import"],
        "rows": 20,
        "participants_created": 20,
        "pathways_created": 20,
    }
    assert len(written["budgets"]) == 3 * (len(names) - 3) + 5
    assert "attendance grid" in bench.table(results)
    assert "Offline marks sent on reconnection, 15 people" in bench.table(results)


def test_it_leaves_the_data_as_it_found_them(seeded):
    from chantiers.models import Attendance
    from participants.models import Participant

    before = (Participant.objects.count(), list(Attendance.objects.values_list("pk", "version")))
    bench.run(scale="small", repeat=1, import_rows=10)
    after = (Participant.objects.count(), list(Attendance.objects.values_list("pk", "version")))

    assert after == before


def test_it_computes_the_key_figures_with_its_hand_written_query(db):
    operator = OrganizationFactory()
    other = OrganizationFactory()
    # Accompanied in 2025: open in 2025 → Anna (from 2024), Bob (2025, ended 2025 with a job),
    # Chloé (2025, ended 2025, drop-out) = 3; Dan ended in 2024: not accompanied.
    # New in 2025: first pathway started in 2025 → Bob and Chloé = 2 (Anna began in 2024).
    # Positive exits in 2025: Bob = 1. The other operator's person counts nowhere.
    anna = ParticipantFactory(organization=operator)
    PathwayFactory(participant=anna, started_on=dt.date(2024, 3, 1))
    bob = ParticipantFactory(organization=operator)
    PathwayFactory(
        participant=bob,
        started_on=dt.date(2025, 2, 1),
        ended_on=dt.date(2025, 9, 30),
        exit_outcome=ExitOutcome.JOB_PERMANENT,
    )
    chloe = ParticipantFactory(organization=operator)
    PathwayFactory(
        participant=chloe,
        started_on=dt.date(2025, 5, 1),
        ended_on=dt.date(2025, 6, 30),
        exit_outcome=ExitOutcome.DROPPED_OUT,
    )
    dan = ParticipantFactory(organization=operator)
    PathwayFactory(
        participant=dan,
        started_on=dt.date(2023, 1, 1),
        ended_on=dt.date(2024, 12, 31),
        exit_outcome=ExitOutcome.TRAINING_QUALIFYING,
    )
    PathwayFactory(
        participant=ParticipantFactory(organization=other), started_on=dt.date(2025, 1, 1)
    )

    assert bench.key_figures_sql(organization=operator, year=2025) == (3, 2, 1)


def test_the_demo_national_numbers_it_imports_are_valid():
    # 850730033 mod 97 = 69, 97 - 69 = 28: the example of the validators, 85.07.30-033.28.
    assert national_number_for(dt.date(1985, 7, 30), 33) == "85073003328"
    # Born from 2000, a 2 is put in front for the check: 97 - (2010203001 mod 97) = 97 - 27 = 70.
    number = national_number_for(dt.date(2001, 2, 3), 1)
    assert number == "01020300170"
    assert nn.is_valid(number)
