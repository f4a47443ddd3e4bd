"""The e-mail to the person who asked for a report that took long: it is ready (or failed)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from reporting.models import ReportRun
from reporting.selectors import report_run_rows


def report_run_send_finished(*, run: ReportRun) -> None:
    user = run.requested_by
    with translation.override(user.language or settings.LANGUAGE_CODE):
        row = report_run_rows(organization=run.organization, runs=[run])[0]
        context = {
            "run": run,
            "parameters_label": row.parameters_label,
            "link": settings.SITE_URL + reverse("reporting:index"),
        }
        if run.status == ReportRun.Status.DONE:
            subject = _("Votre rapport est prêt : %(kind)s")
        else:
            subject = _("Votre rapport n'a pas pu être produit : %(kind)s")
        subject %= {"kind": run.get_kind_display()}
        body = render_to_string("reporting/email/run_finished.txt", context)
    send_mail(subject, body, None, [user.email])
