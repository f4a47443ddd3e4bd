from django.urls import path  # noqa: F401 (the screens add their routes below)

app_name = "partners"

urlpatterns = []
