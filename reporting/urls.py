from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("demander/<str:kind>/", views.report_request, name="request"),
    path("<int:pk>/etat/", views.run_status, name="run_status"),
    path("<int:pk>/telecharger.<str:fmt>", views.run_download, name="download"),
]
