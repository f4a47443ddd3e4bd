from django.urls import path

from chantiers import views

app_name = "chantiers"

urlpatterns = [
    path("", views.chantier_list, name="list"),
    path("aujourd-hui/", views.today, name="today"),
    path("<int:pk>/", views.chantier_detail, name="detail"),
    path("conventions/<int:pk>.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("seances/<int:pk>/presences/", views.session_attendance, name="session_attendance"),
]
