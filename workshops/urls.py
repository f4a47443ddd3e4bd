from django.urls import path

from workshops import views

app_name = "workshops"

urlpatterns = [
    path("", views.module_list, name="list"),
    path("nouveau/", views.module_create, name="module_create"),
    path("<int:pk>/", views.module_detail, name="module"),
    path("<int:pk>/modifier/", views.module_edit, name="module_edit"),
    path("<int:pk>/seance/", views.session_plan, name="session_plan"),
    path("seances/<int:pk>/", views.session_detail, name="session"),
    path("seances/<int:pk>/modifier/", views.session_edit, name="session_edit"),
    path("seances/<int:pk>/annuler/", views.session_cancel, name="session_cancel"),
    path("seances/<int:pk>/inscrire/", views.session_enrol, name="session_enrol"),
    path("seances/<int:pk>/presences/", views.session_attendance, name="attendance"),
    path("seances/<int:pk>/visites/", views.visit_add, name="visit_add"),
    path("inscriptions/<int:pk>/retirer/", views.enrolment_remove, name="enrolment_remove"),
    path("visites/<int:pk>/supprimer/", views.visit_delete, name="visit_delete"),
    path("participant/<int:participant_pk>/inscrire/", views.participant_enrol, name="enrol"),
]
