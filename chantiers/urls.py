from django.urls import path

from chantiers import views, views_statements

app_name = "chantiers"

urlpatterns = [
    path("", views.chantier_list, name="list"),
    path("aujourd-hui/", views.today, name="today"),
    path("<int:pk>/", views.chantier_detail, name="detail"),
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
