from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("anonymisation/", views.anonymisation_review, name="review"),
]
