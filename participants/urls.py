from django.urls import path

from participants import views, views_import

app_name = "participants"

urlpatterns = [
    path("", views.participant_list, name="list"),
    path("nouveau/", views.participant_create, name="create"),
    path("mon-suivi/", views.caseload, name="caseload"),
    path("export.xlsx", views.participant_export, name="export"),
    path("import/", views_import.participant_import, name="import"),
    path("import/confirmer/", views_import.participant_import_confirm, name="import_confirm"),
    path("import/modele.csv", views_import.participant_import_template, name="import_template"),
    path("<int:pk>/", views.participant_detail, name="detail"),
    path("<int:pk>/modifier/", views.participant_edit, name="edit"),
    path("<int:pk>/revenus/", views.income_change, name="income_change"),
    path("<int:pk>/besoins/", views.need_add, name="need_add"),
    path("<int:pk>/parcours/", views.pathway_open, name="pathway_open"),
    path("besoins/<int:pk>/lever/", views.need_resolve, name="need_resolve"),
    path("parcours/<int:pk>/evenements/", views.event_add, name="event_add"),
    path("parcours/<int:pk>/objectifs/", views.goal_add, name="goal_add"),
    path("parcours/<int:pk>/phase/", views.pathway_phase, name="pathway_phase"),
    path("parcours/<int:pk>/cloture/", views.pathway_close, name="pathway_close"),
    path("parcours/<int:pk>/reouverture/", views.pathway_reopen, name="pathway_reopen"),
    path("objectifs/<int:pk>/etat/", views.goal_status, name="goal_status"),
    path("suivis/<int:pk>/", views.follow_up_record, name="follow_up_record"),
]
