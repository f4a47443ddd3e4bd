from django.urls import path

from chantiers import (
    views,
    views_group,
    views_payments,
    views_planning,
    views_print,
    views_statements,
)

app_name = "chantiers"

urlpatterns = [
    path("", views.chantier_list, name="list"),
    path("aujourd-hui/", views.today, name="today"),
    path("<int:pk>/", views.chantier_detail, name="detail"),
    path("nouveau/", views_planning.chantier_create, name="create"),
    path("<int:pk>/modifier/", views_planning.chantier_edit, name="edit"),
    path("<int:pk>/seances/", views_planning.session_list, name="sessions"),
    path("<int:pk>/seances/nouvelle/", views_planning.session_create, name="session_create"),
    path("<int:pk>/seances/planifier/", views_planning.sessions_weekly, name="sessions_weekly"),
    path("seances/<int:pk>/annuler/", views_planning.session_cancel, name="session_cancel"),
    path("<int:pk>/incidents/", views_planning.incident_list, name="incidents"),
    path("<int:pk>/incidents/nouveau/", views_planning.incident_create, name="incident_create"),
    path("incidents/<int:pk>/", views_planning.incident_edit, name="incident_edit"),
    path("conventions/<int:pk>.pdf", views.agreement_pdf, name="agreement_pdf"),
    path(
        "<int:pk>/fiches/<int:year>/<int:month>/",
        views_statements.month_statements,
        name="month_statements",
    ),
    path("fiches/<int:pk>/", views_statements.statement_action, name="statement_action"),
    path("fiches/<int:pk>/rouvrir/", views_statements.statement_unlock, name="statement_unlock"),
    path("seances/<int:pk>/presences/", views.session_attendance, name="session_attendance"),
]

# Group formation and volunteer agreements (issue 4, items 3 and 4).
urlpatterns += [
    path("<int:pk>/groupe/", views_group.group, name="group"),
    path("<int:pk>/groupe/ajouter/", views_group.group_add, name="group_add"),
    path("groupe/<int:pk>/selectionner/", views_group.enrolment_select, name="enrolment_select"),
    path("groupe/<int:pk>/commencer/", views_group.enrolment_activate, name="enrolment_activate"),
    path("groupe/<int:pk>/depart/", views_group.enrolment_leave, name="enrolment_leave"),
    path("groupe/<int:pk>/securite/", views_group.enrolment_safety, name="enrolment_safety"),
    path(
        "<int:chantier>/groupe/<int:enrolment>/convention/",
        views_group.agreement_new,
        name="agreement_new",
    ),
    path("conventions/<int:pk>/", views_group.agreement_edit, name="agreement_edit"),
]

# Printed documents and the entry of the paper sign-in sheet (views_print).

urlpatterns += [
    path("fiches/<int:pk>.pdf", views_print.statement_pdf, name="statement_pdf"),
    path(
        "<int:pk>/fiches/<int:year>/<int:month>.pdf",
        views_print.month_statements_pdf,
        name="month_statements_pdf",
    ),
    path(
        "seances/<int:pk>/feuille-de-presence.pdf",
        views_print.signin_sheet_session,
        name="signin_sheet_session",
    ),
    path(
        "<int:pk>/feuille-de-presence/<int:year>/<int:month>/<int:day>.pdf",
        views_print.signin_sheet_week,
        name="signin_sheet_week",
    ),
    path(
        "<int:pk>/semaine/<int:year>/<int:month>/<int:day>/",
        views_print.week_entry,
        name="week_entry",
    ),
]

# Payment batches: SEPA file and CSV (views_payments).

urlpatterns += [
    path("paiements/", views_payments.batch_list, name="payment_batch_list"),
    path("paiements/nouveau/", views_payments.batch_new, name="payment_batch_new"),
    path("paiements/<int:pk>/", views_payments.batch_detail, name="payment_batch_detail"),
    path(
        "paiements/<int:pk>/sepa.xml", views_payments.batch_download_xml, name="payment_batch_xml"
    ),
    path("paiements/<int:pk>/lot.csv", views_payments.batch_download_csv, name="payment_batch_csv"),
    path("paiements/<int:pk>/paye/", views_payments.batch_mark_paid, name="payment_batch_paid"),
    path("paiements/<int:pk>/annuler/", views_payments.batch_cancel, name="payment_batch_cancel"),
]
