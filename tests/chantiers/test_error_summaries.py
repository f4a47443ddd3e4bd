"""A refused form says what to correct above it, as every form of the site does (the error
summary: focused when the page arrives, a link to each bad field), and each bad field is marked
and described by its own message: the week's paper sheet, the forms of a group's row, and a
correction settled outside a batch."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from chantiers.models import Attendance, Enrolment, StatementCorrection
from chantiers.services import Mark, attendance_record, statement_prepare, statement_validate
from tests.chantiers.helpers import D, _member
from tests.factories import ChantierFactory, ParticipantFactory, WorkSessionFactory

MONDAY = dt.date(2026, 3, 2)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _Page(HTMLParser):
    """What these tests read in a page: each element by id (its attributes, its text) and each
    error summary (its attributes, the targets of its links)."""

    def __init__(self, text: str):
        super().__init__()
        self.attrs: dict[str, dict] = {}
        self.texts: dict[str, str] = {}
        self.summaries: list[dict] = []
        self._open: list[tuple[str, str | None, bool]] = []  # tag, id, is a summary
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.attrs[attrs["id"]] = attrs
            self.texts[attrs["id"]] = ""
        is_summary = "data-error-summary" in attrs
        if is_summary:
            self.summaries.append({"attrs": attrs, "links": []})
        if tag == "a" and any(summary for _tag, _id, summary in self._open):
            self.summaries[-1]["links"].append(attrs["href"])
        if tag not in VOID:
            self._open.append((tag, attrs.get("id"), is_summary))

    def handle_endtag(self, tag):
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for _tag, element_id, _summary in self._open:
            if element_id:
                self.texts[element_id] += data

    def message_of(self, field_id: str) -> str:
        """The text the field is described by, once it is marked invalid."""
        field = self.attrs[field_id]
        assert field.get("aria-invalid") == "true", field
        described = field.get("aria-describedby", "").split()
        return " ".join(" ".join(self.texts[i].split()) for i in described if i in self.texts)


def _summary(response) -> dict:
    """The page's one error summary: focusable (app.js focuses it), read out, with its links."""
    assert response.status_code == 200, response.status_code
    page = _Page(response.text)
    [summary] = page.summaries
    assert summary["attrs"]["tabindex"] == "-1"
    assert summary["attrs"]["role"] == "alert"
    return {"page": page, "links": summary["links"]}


@pytest.fixture
def chantier(operator, coordinator, legal_ceilings):
    chantier = ChantierFactory(
        organization=operator, name="Peinture des halls", starts_on=dt.date(2026, 1, 5)
    )
    chantier.coordinators.add(coordinator)
    return chantier


class TestTheWeekSheet:
    @pytest.fixture
    def week(self, chantier):
        """Monday and Wednesday; Adam, Bernard and Claes in the group (rows by last name)."""
        sessions = [
            WorkSessionFactory(chantier=chantier, date=MONDAY, status="planned"),
            WorkSessionFactory(chantier=chantier, date=WEDNESDAY, status="planned"),
        ]
        people = [_member(chantier, last_name=name)[0] for name in ("Adam", "Bernard", "Claes")]
        return sessions, people

    def test_a_refused_sheet_links_each_bad_cell_in_the_order_of_the_sheet(
        self, client, coordinator, chantier, week
    ):
        (monday, wednesday), (adam, bernard, claes) = week
        client.force_login(coordinator)
        url = reverse("chantiers:week_entry", args=[chantier.pk, 2026, 3, 2])
        response = client.post(
            url,
            {
                f"status-{monday.pk}-{adam.pk}": "present",
                f"status-{wednesday.pk}-{adam.pk}": "excused",
                f"hours-{wednesday.pk}-{adam.pk}": "30",
                f"status-{monday.pk}-{bernard.pk}": "late",
                f"hours-{monday.pk}-{bernard.pk}": "trois",
                f"status-{monday.pk}-{claes.pk}": "peut-être",
            },
        )
        summary = _summary(response)
        assert not Attendance.objects.exists()
        assert summary["links"] == [
            f"#h-{wednesday.pk}-{adam.pk}",
            f"#h-{monday.pk}-{bernard.pk}",
            f"#st-{monday.pk}-{claes.pk}",
        ]
        page = summary["page"]
        assert " ".join(page.texts["week-errors-title"].split()) == (
            "Rien n'est enregistré : 3 cases à corriger."
        )
        hours = "Entre 0 et 24 heures, avec une virgule : ex. 7,5."
        assert page.message_of(f"h-{wednesday.pk}-{adam.pk}") == hours
        assert page.message_of(f"h-{monday.pk}-{bernard.pk}") == hours
        assert page.message_of(f"st-{monday.pk}-{claes.pk}") == (
            "Présence inconnue : choisissez un des boutons."
        )
        # The cells read well are not marked.
        for good in (f"h-{monday.pk}-{adam.pk}", f"st-{monday.pk}-{bernard.pk}"):
            assert "aria-invalid" not in page.attrs[good]
            assert "aria-describedby" not in page.attrs[good]

    def test_a_sheet_read_well_has_no_summary(self, client, coordinator, chantier, week):
        client.force_login(coordinator)
        response = client.get(reverse("chantiers:week_entry", args=[chantier.pk, 2026, 3, 2]))
        assert _Page(response.text).summaries == []


class TestTheGroupRows:
    def _enrol(self, chantier, status, **kwargs):
        person = ParticipantFactory(organization=chantier.organization, **kwargs)
        return Enrolment.objects.create(chantier=chantier, participant=person, status=status)

    def test_an_unreadable_start_date_is_summarised_in_the_row_form(
        self, client, coordinator, chantier
    ):
        enrolment = self._enrol(chantier, "selected")
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:enrolment_activate", args=[enrolment.pk]),
            {"joined_on": "le 12 janvier"},
        )
        summary = _summary(response)
        field = f"id_e{enrolment.pk}_joined_on"
        assert summary["links"] == [f"#{field}"]
        assert summary["page"].message_of(field) == "Saisissez une date valide."
        assert Enrolment.objects.get(pk=enrolment.pk).status == "selected"

    def test_a_departure_refused_by_the_rules_links_its_reason(self, client, coordinator, chantier):
        enrolment = self._enrol(chantier, "active")
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:enrolment_leave", args=[enrolment.pk]),
            {"status": "withdrawn", "left_on": "2026-03-04", "leave_reason": ""},
        )
        summary = _summary(response)
        field = f"id_e{enrolment.pk}_leave_reason"
        assert summary["links"] == [f"#{field}"]
        assert "Indiquez le motif du départ." in summary["page"].message_of(field)
        assert Enrolment.objects.get(pk=enrolment.pk).status == "active"

    def test_a_selection_without_its_justification_links_the_justification(
        self, client, coordinator, chantier
    ):
        recently = dt.date(2025, 6, 1)  # not long enough looking for a job
        enrolment = self._enrol(chantier, "candidate", jobseeker_since=recently)
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:enrolment_select", args=[enrolment.pk]), {"justification": ""}
        )
        summary = _summary(response)
        field = f"id_e{enrolment.pk}_justification"
        assert set(summary["links"]) == {f"#{field}"}  # each unmet condition, then what to do
        assert "Pour passer outre, écrivez une justification." in summary["page"].message_of(field)

    def test_the_page_as_shown_has_no_summary(self, client, coordinator, chantier):
        self._enrol(chantier, "candidate")
        self._enrol(chantier, "selected")
        self._enrol(chantier, "active")
        client.force_login(coordinator)
        response = client.get(reverse("chantiers:group", args=[chantier.pk]))
        assert _Page(response.text).summaries == []


class TestACorrectionSettledOutsideABatch:
    @pytest.fixture
    def correction(self, chantier, coordinator):
        person = _member(chantier)[0]
        session = WorkSessionFactory(chantier=chantier, date=MONDAY)
        attendance_record(session=session, marks=[Mark(person.pk, "present")], by=coordinator)
        statement = statement_prepare(participant=person, month=MONDAY.replace(day=1))
        statement_validate(statement=statement, by=coordinator)
        return StatementCorrection.objects.create(
            statement=statement, amount=D("-5.00"), reason="Erreur", created_by=coordinator
        )

    def test_a_date_in_the_future_is_summarised_and_linked_on_its_line(
        self, client, director, correction
    ):
        client.force_login(director)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        response = client.post(
            reverse("chantiers:correction_settle", args=[correction.pk]),
            {"settled_on": tomorrow.isoformat(), "settled_note": "Remboursé en liquide"},
        )
        summary = _summary(response)
        field = f"id_c{correction.pk}_settled_on"
        assert summary["links"] == [f"#{field}"]
        page = summary["page"]
        assert page.message_of(field) == "La date ne peut pas être dans le futur."
        assert page.attrs[f"id_c{correction.pk}_settled_note"]["value"] == "Remboursé en liquide"
        assert "aria-invalid" not in page.attrs[f"id_c{correction.pk}_settled_note"]
        correction.refresh_from_db()
        assert correction.is_pending

    def test_the_corrections_page_as_shown_has_no_summary(self, client, director, correction):
        client.force_login(director)
        response = client.get(reverse("chantiers:corrections", args=[correction.statement_id]))
        assert response.status_code == 200
        assert _Page(response.text).summaries == []
