from django.urls import path

from privacy import views, views_subject_access

app_name = "privacy"

urlpatterns = [
    path("anonymisation/", views.anonymisation_review, name="review"),
    path("droit-d-acces/", views_subject_access.subject_access, name="subject_access"),
    path(
        "droit-d-acces/<int:pk>/export.zip",
        views_subject_access.subject_access_export,
        name="subject_access_export",
    ),
]
