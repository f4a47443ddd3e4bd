"""Fixtures the reporting tests share."""

import datetime

import pytest

from tests.factories import ParticipantFactory, ProgrammeFactory
from tests.reporting.datasets import _pathway

d = datetime.date


@pytest.fixture
def edge_cases(operator, other_operator):
    """People on the edges of year 2025, their figures recomputed by hand (ages on 31/12/2025):
    L1 F 29/02/2000 (25)  01/03/2025 → open; job seeker since 29/02/2024 (12 months at start)
    L2 M 29/02/2008 (17)  01/09/2024 → 31/12/2024 training_other; 01/01/2025 → open; never a
                          job seeker
    L3 X 05/05/1970 (55)  anonymised; 01/01/2023 → 30/06/2025 job_permanent
    L4 M 01/01/1990 (35)  01/02/2025 → open (closed then reopened); job seeker since 02/02/2024
    L5 F 01/01/1990       05/01/2026 → open (future for 2025)
    L6 F 31/12/1995 (30)  01/06/2024 → 01/01/2025 dropped_out (one day in 2025)
    and, at another operator, a person with a positive exit in 2025.
    """
    from django.utils import timezone

    operator.annual_target = 4
    operator.save(update_fields=["annual_target"])
    mokolab = ProgrammeFactory(organization=operator, code="mokolab")
    other = ProgrammeFactory(organization=operator, code="autre")

    def person(born, gender, jobseeker_since=None):
        return ParticipantFactory(
            organization=operator, birth_date=born, gender=gender, jobseeker_since=jobseeker_since
        )

    l1 = person(d(2000, 2, 29), "F", d(2024, 2, 29))
    l2 = person(d(2008, 2, 29), "M")
    l3 = person(d(1970, 5, 5), "X")
    l4 = person(d(1990, 1, 1), "M", d(2024, 2, 2))
    l5 = person(d(1990, 1, 1), "F")
    l6 = person(d(1995, 12, 31), "F")
    _pathway(l1, mokolab, d(2025, 3, 1))
    _pathway(l2, other, d(2024, 9, 1), d(2024, 12, 31), "training_other")
    _pathway(l2, mokolab, d(2025, 1, 1))
    _pathway(l3, mokolab, d(2023, 1, 1), d(2025, 6, 30), "job_permanent")
    reopened = _pathway(l4, mokolab, d(2025, 2, 1), d(2025, 5, 1), "dropped_out")
    reopened.ended_on, reopened.exit_outcome = None, ""
    reopened.save(update_fields=["ended_on", "exit_outcome"])
    _pathway(l5, mokolab, d(2026, 1, 5))
    _pathway(l6, mokolab, d(2024, 6, 1), d(2025, 1, 1), "dropped_out")
    type(l3).objects.filter(pk=l3.pk).update(anonymised_at=timezone.now())
    stranger = ParticipantFactory(organization=other_operator)
    _pathway(
        stranger,
        ProgrammeFactory(organization=other_operator),
        d(2025, 1, 1),
        d(2025, 3, 1),
        "job_permanent",
    )
    return mokolab
