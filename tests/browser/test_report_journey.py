"""Direction gets last year's activity report: one click, a progress bar, a PDF whose figure is
the one on the page. The report is made by a real worker process, as in production."""

import datetime as dt
import io
import random

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organization
from demo.accounts import seed_accounts
from reporting.models import ReportRun
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import log_in
from tests.factories import ParticipantFactory, PathwayFactory, ProgrammeFactory
from tests.workers import purge, reports_worker

pytestmark = pytest.mark.worker  # no eager tasks: the page goes through the broker


def _pathways_of_last_year(operator, year):
    programme = ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")
    for started, ended, outcome in [
        (dt.date(year - 1, 9, 2), None, ""),  # open all year
        (dt.date(year, 2, 3), dt.date(year, 12, 31), "job_permanent"),
        (dt.date(year, 3, 3), dt.date(year, 6, 30), "dropped_out"),
        (dt.date(year, 4, 1), None, ""),
        (dt.date(year - 2, 1, 5), dt.date(year - 1, 12, 31), "moved"),  # over before the year
    ]:
        PathwayFactory(
            participant=ParticipantFactory(organization=operator),
            programme=programme,
            started_on=started,
            ended_on=ended,
            exit_outcome=outcome,
        )


WATCH_THE_ROW = """() => {
  window.seen = [];
  const record = () => {
    const row = document.querySelector('[data-testid=run]');
    const bar = row.querySelector('[role=progressbar]');
    window.seen.push([row.dataset.status, bar ? Number(bar.getAttribute('aria-valuenow')) : 100]);
  };
  new MutationObserver(record).observe(row_parent(), {childList: true, subtree: true});
  function row_parent() { return document.querySelector('[data-testid=run]').parentElement; }
}"""


def test_direction_gets_last_years_activity_report(
    desktop, live_server, transactional_db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    purge("reports")
    seed_accounts(rng=random.Random(2026))
    operator = Organization.objects.get(slug="ml-bruxelles-midi")
    year = timezone.localdate().year - 1
    _pathways_of_last_year(operator, year)

    page = desktop
    log_in(page, live_server, "direction@demo.local")
    page.get_by_test_id("main-nav").get_by_role("link", name="Rapports").click()
    expect(page.get_by_role("heading", name="Rapports", exact=True)).to_be_visible()
    assert_accessible(page, "reports")

    # The key figures of last year: 4 persons accompanied (the one over before it is not).
    page.locator("#dashboard-year").select_option(str(year))
    expect(page.get_by_role("heading", name=f"Chiffres clés {year}")).to_be_visible()
    shown = page.get_by_test_id("figure-persons-accompanied")
    expect(shown).to_have_text("4")
    figure = shown.inner_text()
    assert_accessible(page, "last year's figures")

    form = page.get_by_test_id("form-activity")
    expect(form.get_by_label("Année")).to_have_value(str(year))  # last year, already chosen
    form.get_by_role("button", name="Générer : Rapport d'activités").click()
    expect(
        page.get_by_text("Rapport d'activités demandé : il se prépare ci-dessous")
    ).to_be_visible()

    # Queued: no worker yet. The bar is there, at 0 %, and the page keeps asking.
    row = page.get_by_test_id("run").first
    expect(row).to_have_attribute("data-status", "queued")
    expect(row).to_contain_text(f"Année {year}")
    expect(row.get_by_role("progressbar", name="Avancement du rapport")).to_have_attribute(
        "aria-valuenow", "0"
    )
    assert_accessible(page, "report queued, progress bar")
    page.evaluate(WATCH_THE_ROW)

    with reports_worker(media_root=settings.MEDIA_ROOT) as worker:
        expect(row).to_have_attribute("data-status", "done", timeout=90_000)
    run = ReportRun.objects.get()
    assert run.status == "done", (run.error, worker["output"][-3000:])

    seen = page.evaluate("window.seen")
    assert seen[-1] == ["done", 100]
    progress = [percent for _, percent in seen]
    assert progress == sorted(progress)  # the bar only moves forward
    expect(row.get_by_role("progressbar")).to_have_count(0)  # polling stopped with the bar
    assert_accessible(page, "report done")

    with page.expect_download() as download_info:
        row.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"rapport-dactivites-{year}-ml-bruxelles-midi.pdf"
    with open(download.path(), "rb") as file:
        pdf = file.read()
    assert pdf.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert f"Rapport d'activités {year}" in text
    assert f"{figure}\nPersonnes accompagnées" in text  # the figure the page showed
