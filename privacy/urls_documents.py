"""A participant's documents, under the participants' addresses (mounted beside them)."""

from django.urls import path

from privacy import views_documents

app_name = "documents"

urlpatterns = [
    path("<int:pk>/documents/ajouter/", views_documents.document_add, name="add"),
    path("documents/<int:pk>/", views_documents.document_download, name="download"),
    path("documents/<int:pk>/supprimer/", views_documents.document_remove, name="remove"),
]
