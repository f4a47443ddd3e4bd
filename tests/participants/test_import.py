"""The import contract of DESIGN §6, through the service, the command and the upload page."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from demo.participants import national_number_for
from participants.importing import COLUMNS, ImportFileError, participants_import
from participants.models import FollowUp, ImportBatch, Participant, Pathway
from tests.factories import ParticipantFactory, ProgrammeFactory

HEADER = ";".join(COLUMNS)


def _row(**values) -> dict:
    row = {
        "last_name": "Lemaître",
        "first_name": "Bénédicte",
        "birth_date": "30/07/1985",
        "gender": "F",
        "national_number": "85.07.30-033.28",
        "email": "b@example.org",
        "phone": "0470 12 34 56",
        "postcode": "1080",
        "education_level": "isced_3_4",
        "nationality_group": "BE",
        "jobseeker_since": "01/01/2022",
        "income_source": "ris",
        "programme": "mokolab",
        "pathway_started_on": "03/03/2025",
        "pathway_ended_on": "",
        "exit_outcome": "",
    }
    return row | values


def _csv(*rows, delimiter=";", encoding="utf-8", bom=False) -> bytes:
    lines = [delimiter.join(COLUMNS)]
    lines += [delimiter.join(str(row[c]) for c in COLUMNS) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def _person(n: int, **values) -> dict:
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=n)
    return _row(
        last_name=f"Nom{n}",
        first_name="Prénom",
        birth_date=birth.strftime("%d/%m/%Y"),
        national_number=national_number_for(birth, 2 + 2 * (n % 400)),
        email="",
        **values,
    )


@pytest.fixture
def programmes(operator):
    return [
        ProgrammeFactory(organization=operator, code="mokolab"),
        ProgrammeFactory(organization=operator, code="isp"),
    ]


def _import(operator, content, filename="participants.csv", **kwargs):
    return participants_import(organization=operator, content=content, filename=filename, **kwargs)


class TestAGoodFile:
    def test_it_creates_people_once_with_their_pathways_income_and_log(self, operator, programmes):
        content = _csv(
            _row(),
            _row(
                programme="isp",
                pathway_started_on="03/01/2024",
                pathway_ended_on="30/06/2024",
                exit_outcome="training_qualifying",
                national_number="85073003328",
            ),
            _row(
                last_name="Nouveau",
                first_name="Test",
                birth_date="1990-05-05",
                gender="M",
                national_number="",
                email="",
                nationality_group="non_EU",
                programme="ISP",
                income_source="unemployment",
                pathway_started_on="2025-01-01",
            ),
        )
        report = _import(operator, content)
        assert report.ok, report.errors
        assert (report.participants_created, report.pathways_created) == (2, 3)
        person = Participant.objects.get(last_name="Lemaître")
        assert person.commune == "Molenbeek-Saint-Jean"
        assert person.income_sources.get().starts_on == dt.date(2024, 1, 3)  # earliest pathway
        closed = person.pathways.get(programme__code="isp")
        assert list(closed.transitions.values_list("kind", flat=True)) == ["start", "close"]
        assert FollowUp.objects.filter(pathway=closed).count() == 3
        batch = ImportBatch.objects.get()
        assert (batch.rows, batch.participants_created, batch.pathways_created) == (3, 2, 3)
        assert person.import_batch == batch
        assert "benedicte" in person.search_text

    @pytest.mark.parametrize(
        "encoding,bom,delimiter",
        [("utf-8", False, ";"), ("utf-8", True, ";"), ("cp1252", False, ";"), ("utf-8", True, ",")],
    )
    def test_it_reads_every_accepted_encoding_and_delimiter(
        self, operator, programmes, encoding, bom, delimiter
    ):
        content = _csv(_row(), delimiter=delimiter, encoding=encoding, bom=bom)
        report = _import(operator, content)
        assert report.ok, report.errors
        assert Participant.objects.get().first_name == "Bénédicte"

    def test_it_reads_xlsx_with_real_dates_and_numbers(self, operator, programmes):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(COLUMNS)
        values = _row(
            birth_date=dt.datetime(2003, 2, 1),
            national_number=3020103343,
            phone=470123456,
            postcode=1070,
            pathway_started_on=dt.datetime(2025, 2, 3),
        )
        sheet.append([values[c] for c in COLUMNS])
        buffer = io.BytesIO()
        book.save(buffer)
        report = _import(operator, buffer.getvalue(), filename="export.xlsx")
        assert report.ok, report.errors
        person = Participant.objects.get()
        assert person.national_number == "03020103343"  # the leading zero Excel dropped
        assert person.phone == "0470123456"
        assert person.birth_date == dt.date(2003, 2, 1)

    def test_a_dry_run_writes_nothing_and_says_what_it_would_do(self, operator, programmes):
        report = _import(operator, _csv(_row()), dry_run=True)
        assert (report.ok, report.participants_created) == (True, 1)
        assert not Participant.objects.exists()
        assert not ImportBatch.objects.exists()


class TestBadRows:
    @pytest.mark.parametrize(
        "values,column,message",
        [
            ({"last_name": ""}, "last_name", "obligatoire"),
            ({"birth_date": "31/02/1985"}, "birth_date", "date illisible"),
            ({"birth_date": "01/01/2999"}, "birth_date", "date future"),
            ({"gender": "Femme"}, "gender", "n'est pas un code"),
            ({"national_number": "85073003329"}, "national_number", "pas valide"),
            (
                {"national_number": national_number_for(dt.date(1990, 5, 5), 2)},
                "national_number",
                "ne correspond pas",
            ),
            ({"email": "pas-un-email"}, "email", "adresse de courriel"),
            ({"education_level": "bac"}, "education_level", "n'est pas un code"),
            ({"nationality_group": "FR"}, "nationality_group", "n'est pas un code"),
            ({"income_source": "chomage"}, "income_source", "n'est pas un code"),
            ({"programme": "inconnu"}, "programme", "inconnu"),
            (
                {"pathway_ended_on": "01/01/2025", "exit_outcome": "moved"},
                "pathway_ended_on",
                "précède",
            ),
            ({"pathway_ended_on": "01/06/2025"}, "exit_outcome", "obligatoire"),
            ({"exit_outcome": "job_permanent"}, "pathway_ended_on", "obligatoire"),
            (
                {"exit_outcome": "embauche", "pathway_ended_on": "01/06/2025"},
                "exit_outcome",
                "n'est pas un code",
            ),
        ],
    )
    def test_each_bad_value_is_reported_with_its_line_and_column(
        self, operator, programmes, values, column, message
    ):
        report = _import(operator, _csv(_person(1), _row(**values)))
        assert [(e.line, e.column) for e in report.errors] == [(3, column)]
        assert message in report.errors[0].message
        assert not Participant.objects.exists()  # the good first row is not written either

    def test_unknown_or_missing_columns_refuse_the_file(self, operator, programmes):
        with pytest.raises(ImportFileError, match="Colonnes inconnues : nickname"):
            _import(operator, (HEADER + ";nickname\r\n").encode())
        header = HEADER.replace("gender;", "")
        with pytest.raises(ImportFileError, match="obligatoires absentes : gender"):
            _import(operator, (header + "\r\n").encode())

    def test_a_file_that_is_not_a_table_is_refused(self, operator, programmes):
        with pytest.raises(ImportFileError, match="illisible"):
            _import(operator, b"PK\x03\x04 not really a zip", filename="x.xlsx")
        with pytest.raises(ImportFileError, match="vide"):
            _import(operator, b"")

    def test_a_too_long_email_is_a_row_error(self, operator, programmes):
        report = _import(operator, _csv(_row(email="a" * 250 + "@example.org")), dry_run=True)
        assert [(e.line, e.column) for e in report.errors] == [(2, "email")]

    def test_a_number_with_letters_is_a_row_error(self, operator, programmes):
        report = _import(operator, _csv(_row(national_number="inconnu")))
        assert [(e.line, e.column) for e in report.errors] == [(2, "national_number")]


class TestDuplicates:
    def test_a_person_already_known_is_not_created_twice(self, operator, programmes):
        known = ParticipantFactory(
            organization=operator,
            last_name="LEMAITRE",
            first_name="benedicte",
            birth_date=dt.date(1985, 7, 30),
            national_number="",
        )
        report = _import(operator, _csv(_row(national_number="")))
        assert report.ok, report.errors
        assert report.participants_created == 0 and report.pathways_created == 1
        assert f"n° {known.pk}" in report.participants_known[0][1]
        assert Participant.objects.count() == 1
        assert known.pathways.count() == 1

    def test_the_same_pathway_imported_again_is_skipped(self, operator, programmes):
        _import(operator, _csv(_row()))
        report = _import(operator, _csv(_row()))
        assert report.ok and report.pathways_created == 0
        assert "existe déjà" in report.pathways_skipped[0][1]
        assert Pathway.objects.count() == 1

    @pytest.mark.parametrize("ended", [("", ""), ("30/06/2025", "job_permanent")])
    def test_a_line_copied_twice_in_the_file_is_one_pathway_and_said(
        self, operator, programmes, ended
    ):
        """Issue 18, item 5: duplicates in the file are reported, not created twice — an open
        pathway (once refused as two open) as a closed one (once created twice, silently)."""
        ended_on, outcome = ended
        row = _row(pathway_ended_on=ended_on, exit_outcome=outcome)
        preview = _import(operator, _csv(row, row), dry_run=True)
        assert preview.ok and (preview.participants_created, preview.pathways_created) == (1, 1)
        ((line, message),) = preview.pathways_skipped
        assert line == 3 and "ligne 2" in message and "en double" in message
        report = _import(operator, _csv(row, row))
        assert report.ok and report.pathways_skipped == preview.pathways_skipped
        assert Participant.objects.count() == 1
        assert Pathway.objects.count() == 1

    def test_one_number_for_two_people_in_the_file_is_an_error(self, operator, programmes):
        report = _import(operator, _csv(_row(), _row(first_name="Autre", programme="isp")))
        assert [(e.line, e.column) for e in report.errors] == [(3, "national_number")]
        assert "ligne 2" in report.errors[0].message

    def test_two_open_pathways_in_one_programme_are_refused(self, operator, programmes):
        report = _import(operator, _csv(_row(), _row(pathway_started_on="01/04/2025")))
        assert [(e.line, e.column) for e in report.errors] == [(3, "pathway_ended_on")]

    def test_a_number_given_on_a_later_row_of_the_person_is_kept(self, operator, programmes):
        report = _import(
            operator,
            _csv(
                _row(national_number=""),
                _row(
                    programme="isp",
                    pathway_started_on="03/01/2024",
                    pathway_ended_on="30/06/2024",
                    exit_outcome="moved",
                ),
            ),
        )
        assert report.ok, report.errors
        assert Participant.objects.get().national_number == "85073003328"


def test_a_thousand_rows_with_one_bad_row_write_nothing_then_import_once_fixed(
    operator, programmes, django_assert_max_num_queries
):
    rows = [_person(n) for n in range(1000)]
    rows[637] = _person(637, gender="?")
    report = _import(operator, _csv(*rows))
    assert [(e.line, e.column) for e in report.errors] == [(639, "gender")]
    assert not Participant.objects.exists()
    rows[637] = _person(637)
    # Bulk writes: a few queries per batch of rows (SQLite splits batches more finely than
    # PostgreSQL, for its limit on variables per statement), never one per row.
    with django_assert_max_num_queries(100):
        report = _import(operator, _csv(*rows))
    assert report.ok
    assert Participant.objects.count() == 1000 and Pathway.objects.count() == 1000


class TestCommand:
    def test_it_imports_and_prints_what_it_did(self, operator, programmes, tmp_path):
        path = tmp_path / "people.csv"
        path.write_bytes(_csv(_row()))
        out = io.StringIO()
        call_command("import_participants", str(path), "--organization", "ml-test", stdout=out)
        assert "Created 1 participants and 1 pathways from 1 rows" in out.getvalue()

    def test_a_bad_row_exits_non_zero_and_writes_nothing(self, operator, programmes, tmp_path):
        path = tmp_path / "people.csv"
        path.write_bytes(_csv(_row(gender="?")))
        err = io.StringIO()
        with pytest.raises(CommandError, match="1 error"):
            call_command("import_participants", str(path), "--organization", "ml-test", stderr=err)
        assert "line 2, column gender" in err.getvalue()
        assert not Participant.objects.exists()

    def test_a_bad_organization_or_file_is_refused(self, operator, tmp_path):
        with pytest.raises(CommandError, match="No operator"):
            call_command("import_participants", str(tmp_path / "x.csv"), "--organization", "nope")
        with pytest.raises(CommandError, match="Cannot read"):
            call_command(
                "import_participants", str(tmp_path / "x.csv"), "--organization", "ml-test"
            )


class TestUploadPage:
    def test_preview_then_confirm(self, client, counsellor, programmes):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.force_login(counsellor)
        upload = SimpleUploadedFile("people.csv", _csv(_row()), content_type="text/csv")
        page = client.post(reverse("participants:import"), {"file": upload})
        assert "Fiches à créer : 1 ; parcours à créer : 1." in page.text
        assert not Participant.objects.exists()
        sha = client.session["participant_import"]["sha256"]
        response = client.post(reverse("participants:import_confirm"), {"sha256": sha})
        assert response.status_code == 302
        assert Participant.objects.get().import_batch.by == counsellor

    def test_errors_are_listed_and_there_is_nothing_to_confirm(
        self, client, counsellor, programmes
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.force_login(counsellor)
        upload = SimpleUploadedFile("people.csv", _csv(_row(gender="?")), content_type="text/csv")
        page = client.post(reverse("participants:import"), {"file": upload})
        assert "rien ne sera importé" in page.text
        assert reverse("participants:import_confirm") not in page.text
        assert (
            client.post(reverse("participants:import_confirm"), {"sha256": "x"}).status_code == 302
        )
        assert not Participant.objects.exists()

    def test_the_template_has_the_contract_header(self, client, counsellor):
        client.force_login(counsellor)
        response = client.get(reverse("participants:import_template"))
        assert response.content.decode("utf-8-sig").splitlines()[0] == HEADER

    @pytest.mark.parametrize("persona", ["coordinator", "partner", "admin"])
    def test_other_roles_cannot_import(self, client, personas, persona):
        client.force_login(personas[persona])
        assert client.get(reverse("participants:import")).status_code == 403

    def test_the_confirmation_refuses_a_plan_that_changed_since_the_preview(
        self, operator, programmes
    ):
        preview = _import(operator, _csv(_row(national_number="")), dry_run=True)
        assert preview.participants_created == 1
        ParticipantFactory(  # a colleague creates the same person meanwhile
            organization=operator,
            last_name="Lemaître",
            first_name="Bénédicte",
            birth_date=dt.date(1985, 7, 30),
            national_number="",
        )
        report = _import(operator, _csv(_row(national_number="")), expected_plan=preview.plan)
        assert not report.ok and "ont changé" in report.errors[0].message
        assert not Pathway.objects.exists()

    def test_a_preview_can_be_confirmed_once(self, client, counsellor, programmes):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.force_login(counsellor)
        client.post(
            reverse("participants:import"),
            {"file": SimpleUploadedFile("p.csv", _csv(_row()), content_type="text/csv")},
        )
        sha = client.session["participant_import"]["sha256"]
        client.post(reverse("participants:import_confirm"), {"sha256": sha})
        client.post(reverse("participants:import_confirm"), {"sha256": sha})
        assert Participant.objects.count() == 1 and ImportBatch.objects.count() == 1


class TestControlCharacters:
    """The rule of every way in (accounts/text.py): a cell holding a control character is a row
    error in French, and nothing of the file is stored — the export would fail on it later."""

    @pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x85"])
    def test_a_name_with_a_control_character_is_a_row_error(self, operator, programmes, character):
        content = _csv(_person(1), _person(2) | {"last_name": f"Du{character}pont"})
        report = _import(operator, content)
        assert [(e.line, e.column) for e in report.errors] == [(3, "last_name")]
        assert "caractère de contrôle invisible" in report.errors[0].message
        assert f"U+{ord(character):04X}" in report.errors[0].message
        assert not Participant.objects.exists() and not ImportBatch.objects.exists()

    def test_a_control_character_in_an_xlsx_cell_or_a_coded_column_is_a_row_error(
        self, operator, programmes
    ):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(COLUMNS)
        sheet.append([_person(1)[c] for c in COLUMNS])
        second = _person(2) | {"first_name": "Ma\nrie", "gender": "F\x9b"}
        sheet.append([second[c] for c in COLUMNS])
        buffer = io.BytesIO()
        book.save(buffer)
        report = _import(operator, buffer.getvalue(), filename="p.xlsx")
        assert [(e.line, e.column) for e in report.errors] == [(3, "first_name"), (3, "gender")]
        assert not Participant.objects.exists()

    def test_a_file_name_with_a_control_character_is_refused(self, operator, programmes):
        with pytest.raises(ImportFileError, match="nom du fichier"):
            _import(operator, _csv(_person(1)), filename="liste\x00.csv")
        assert not ImportBatch.objects.exists()

    def test_the_preview_page_lists_the_row_and_keeps_nothing_to_confirm(
        self, client, counsellor, programmes
    ):
        client.force_login(counsellor)
        upload = io.BytesIO(_csv(_person(1) | {"last_name": "Du\x07pont"}))
        upload.name = "participants.csv"
        response = client.post(reverse("participants:import"), {"file": upload})
        assert response.status_code == 200
        assert "caractère de contrôle invisible (U+0007)" in response.text
        assert "Tout est correct" not in response.text
        assert "participant_import" not in client.session


class TestTheRowLimit:
    """A 5 MB file can hold millions of one-character lines: the reading stops at the first row
    past the limit, so the memory stays that of the limit's rows, not of the file's."""

    def _one_character_rows(self, count: int) -> bytes:
        return ";".join(COLUMNS).encode() + b"\r\n" + b"x\r\n" * count

    def test_millions_of_short_lines_are_refused_in_bounded_memory(self, operator, programmes):
        import tracemalloc

        from participants.importing import MAX_BYTES, MAX_ROWS, read_table

        content = self._one_character_rows(2_600_000)[:MAX_BYTES]
        tracemalloc.start()
        try:
            with pytest.raises(ImportFileError, match=f"plus de {MAX_ROWS} lignes"):
                read_table(content, "participants.csv")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        # Every row held as a dict of 16 columns would take well over 1 GB; the limit's rows
        # and the decoded text, a few tens of MB.
        assert peak < 120 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB"

    def test_an_xlsx_past_the_limit_is_refused_without_reading_it_all(
        self, operator, programmes, monkeypatch
    ):
        from participants import importing

        monkeypatch.setattr(importing, "MAX_ROWS", 50)
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(COLUMNS)
        for _ in range(5_000):
            sheet.append(["x"])
        buffer = io.BytesIO()
        book.save(buffer)
        read = []
        real_cell = importing._cell
        monkeypatch.setattr(importing, "_cell", lambda v: read.append(v) or real_cell(v))
        with pytest.raises(ImportFileError, match="plus de 50 lignes"):
            importing.read_table(buffer.getvalue(), "p.xlsx")
        assert len(read) < 100 * len(COLUMNS)  # the header and 51 rows, not 5 000

    def test_a_sheet_declared_down_to_its_last_row_is_refused_after_the_line_limit(
        self, operator, programmes, monkeypatch
    ):
        """One cell on the sheet's last row and column: the sheet declares A1:XFD1048576, a
        million blank rows of 16,384 cells each. Blank rows count against the line limit, and
        only the known columns are read."""
        import re
        import zipfile

        from participants import importing

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(COLUMNS)
        sheet.append([_row()[c] for c in COLUMNS])
        sheet["XFD1048576"] = "x"
        buffer = io.BytesIO()
        book.save(buffer)
        xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml")
        assert re.search(rb'<dimension ref="A1:XFD1048576"', xml)
        read = []
        real_cell = importing._cell
        monkeypatch.setattr(importing, "_cell", lambda v: read.append(v) or real_cell(v))

        with pytest.raises(ImportFileError) as refused:
            _import(operator, buffer.getvalue(), filename="p.xlsx")

        assert str(refused.value) == (
            f"Le fichier compte plus de {importing.MAX_LINES} lignes, lignes vides comprises : "
            "supprimez les lignes vides (en fin de feuille aussi) ou découpez-le."
        )
        # The header, the lines allowed and the one past them; 26 cells each, not 16,384.
        assert len(read) <= (1 + importing.MAX_LINES + 1) * importing.MAX_COLUMNS

    def test_blank_lines_of_a_csv_count_against_the_line_limit(self, operator, programmes):
        from participants.importing import MAX_LINES

        content = _csv(_person(1)) + b"\r\n" * MAX_LINES + _csv(_person(2)).split(b"\r\n", 1)[1]
        with pytest.raises(ImportFileError, match=f"plus de {MAX_LINES} lignes, lignes vides"):
            _import(operator, content)

    def test_blank_lines_within_the_limit_are_skipped_and_rows_keep_their_line(self, programmes):
        from participants.importing import read_table

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(COLUMNS)
        sheet.append([_person(1)[c] for c in COLUMNS])
        for column, name in enumerate(COLUMNS, start=1):
            sheet.cell(row=5_000, column=column, value=_person(2)[name])
        buffer = io.BytesIO()
        book.save(buffer)

        _header, rows = read_table(buffer.getvalue(), "p.xlsx")

        assert [(line, row["last_name"]) for line, row in rows] == [(2, "Nom1"), (5_000, "Nom2")]

    def test_a_file_over_5_mb_is_refused_by_the_import_itself(self, operator, programmes):
        from participants.importing import MAX_BYTES

        with pytest.raises(ImportFileError, match="5 Mo"):
            _import(operator, self._one_character_rows(10)[:1] + b" " * MAX_BYTES)
