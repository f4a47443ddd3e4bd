from django.urls import path

from chantiers.views import (
    agreements,
    attendance,
    chantiers,
    group,
    incidents,
    offline,
    payments,
    planning,
    printing,
    statements,
    year_changes,
)

app_name = "chantiers"

urlpatterns = [
    path("", chantiers.chantier_list, name="list"),
    path("aujourd-hui/", attendance.today, name="today"),
    path("<int:pk>/", chantiers.chantier_detail, name="detail"),
    path("nouveau/", chantiers.chantier_create, name="create"),
    path("<int:pk>/modifier/", chantiers.chantier_edit, name="edit"),
    path("<int:pk>/seances/", planning.session_list, name="sessions"),
    path("<int:pk>/seances/nouvelle/", planning.session_create, name="session_create"),
    path("<int:pk>/seances/planifier/", planning.sessions_weekly, name="sessions_weekly"),
    path("seances/<int:pk>/annuler/", planning.session_cancel, name="session_cancel"),
    path("<int:pk>/incidents/", incidents.incident_list, name="incidents"),
    path("<int:pk>/incidents/nouveau/", incidents.incident_create, name="incident_create"),
    path("incidents/<int:pk>/", incidents.incident_edit, name="incident_edit"),
    path("conventions/<int:pk>.pdf", agreements.agreement_pdf, name="agreement_pdf"),
    path(
        "<int:pk>/fiches/<int:year>/<int:month>/",
        statements.month_statements,
        name="month_statements",
    ),
    path("fiches/<int:pk>/", statements.statement_action, name="statement_action"),
    path("fiches/<int:pk>/rouvrir/", statements.statement_unlock, name="statement_unlock"),
    path("seances/<int:pk>/presences/", attendance.session_attendance, name="session_attendance"),
    path("seances/<int:pk>/presences/hors-ligne/", offline.offline_marks, name="offline_marks"),
]

# Group formation and volunteer agreements (issue 4, items 3 and 4).
urlpatterns += [
    path("<int:pk>/groupe/", group.group, name="group"),
    path("<int:pk>/groupe/ajouter/", group.group_add, name="group_add"),
    path("groupe/<int:pk>/selectionner/", group.enrolment_select, name="enrolment_select"),
    path("groupe/<int:pk>/commencer/", group.enrolment_activate, name="enrolment_activate"),
    path("groupe/<int:pk>/depart/", group.enrolment_leave, name="enrolment_leave"),
    path("groupe/<int:pk>/securite/", group.enrolment_safety, name="enrolment_safety"),
    path(
        "<int:chantier>/groupe/<int:enrolment>/convention/",
        agreements.agreement_new,
        name="agreement_new",
    ),
    path("conventions/<int:pk>/", agreements.agreement_edit, name="agreement_edit"),
]

# Printed documents, and the entry of the paper sign-in sheet.

urlpatterns += [
    path("fiches/<int:pk>.pdf", printing.statement_pdf, name="statement_pdf"),
    path(
        "<int:pk>/fiches/<int:year>/<int:month>.pdf",
        printing.month_statements_pdf,
        name="month_statements_pdf",
    ),
    path(
        "seances/<int:pk>/feuille-de-presence.pdf",
        printing.signin_sheet_session,
        name="signin_sheet_session",
    ),
    path(
        "<int:pk>/feuille-de-presence/<int:year>/<int:month>/<int:day>.pdf",
        printing.signin_sheet_week,
        name="signin_sheet_week",
    ),
    path(
        "<int:pk>/semaine/<int:year>/<int:month>/<int:day>/",
        attendance.week_entry,
        name="week_entry",
    ),
]

# A volunteer's year after the fact (DESIGN §4 rules 6–8): what they received elsewhere, their
# real costs, an exceeded ceiling, the corrections of a validated month; then the payment batches.

urlpatterns += [
    path(
        "benevoles/<int:pk>/recu-ailleurs/",
        year_changes.declarations,
        name="declarations",
    ),
    path(
        "recu-ailleurs/<int:pk>/supprimer/",
        year_changes.declaration_delete,
        name="declaration_delete",
    ),
    path(
        "recu-ailleurs/<int:pk>/attestation/",
        year_changes.declaration_proof,
        name="declaration_proof",
    ),
    path("benevoles/<int:pk>/frais-reels/", year_changes.real_costs, name="real_costs"),
    path(
        "frais-reels/<int:pk>/supprimer/",
        year_changes.real_cost_delete,
        name="real_cost_delete",
    ),
    path(
        "frais-reels/<int:pk>/ticket/",
        year_changes.real_cost_receipt,
        name="real_cost_receipt",
    ),
    path("depassements/<int:pk>/", year_changes.excess, name="excess"),
    path("fiches/<int:pk>/corrections/", year_changes.corrections, name="corrections"),
    path(
        "corrections/<int:pk>/reglee/",
        year_changes.correction_settle,
        name="correction_settle",
    ),
    # Payment batches: SEPA file and CSV.
    path("paiements/", payments.batch_list, name="payment_batch_list"),
    path("paiements/nouveau/", payments.batch_new, name="payment_batch_new"),
    path("paiements/<int:pk>/", payments.batch_detail, name="payment_batch_detail"),
    path("paiements/<int:pk>/sepa.xml", payments.batch_download_xml, name="payment_batch_xml"),
    path("paiements/<int:pk>/lot.csv", payments.batch_download_csv, name="payment_batch_csv"),
    path("paiements/<int:pk>/paye/", payments.batch_mark_paid, name="payment_batch_paid"),
    path("paiements/<int:pk>/annuler/", payments.batch_cancel, name="payment_batch_cancel"),
]
