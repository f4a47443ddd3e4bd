from django.urls import path

from participants import views_import
from participants.views import address, caseload, listing, participant, pathway, training

app_name = "participants"

urlpatterns = [
    path("", listing.participant_list, name="list"),
    path("nouveau/", participant.participant_create, name="create"),
    path("mon-suivi/", caseload.caseload, name="caseload"),
    path("export.xlsx", listing.participant_export, name="export"),
    path("import/", views_import.participant_import, name="import"),
    path("import/confirmer/", views_import.participant_import_confirm, name="import_confirm"),
    path("import/modele.csv", views_import.participant_import_template, name="import_template"),
    path("<int:pk>/", participant.participant_detail, name="detail"),
    path("<int:pk>/modifier/", participant.participant_edit, name="edit"),
    path("<int:pk>/revenus/", participant.income_change, name="income_change"),
    path("<int:pk>/adresse/", address.address_reveal, name="address_reveal"),
    path("<int:pk>/besoins/", pathway.need_add, name="need_add"),
    path("<int:pk>/parcours/", pathway.pathway_open, name="pathway_open"),
    path("besoins/<int:pk>/lever/", pathway.need_resolve, name="need_resolve"),
    path("parcours/<int:pk>/evenements/", pathway.event_add, name="event_add"),
    path("parcours/<int:pk>/objectifs/", pathway.goal_add, name="goal_add"),
    path("parcours/<int:pk>/phase/", pathway.pathway_phase, name="pathway_phase"),
    path("parcours/<int:pk>/cloture/", pathway.pathway_close, name="pathway_close"),
    path("parcours/<int:pk>/reouverture/", pathway.pathway_reopen, name="pathway_reopen"),
    path("objectifs/<int:pk>/etat/", pathway.goal_status, name="goal_status"),
    path("suivis/<int:pk>/", pathway.follow_up_record, name="follow_up_record"),
    path("<int:pk>/formations/", training.training_add, name="training_add"),
    path("formations/<int:pk>/", training.training_update, name="training_update"),
    path("<int:pk>/certifications/", training.certification_add, name="certification_add"),
]
