"""The benchmark's URLconf: the whole site, plus the baseline views under ``/__bench__/`` (the admin
baseline on an admin site of its own).

Used only through ``override_settings(ROOT_URLCONF="benchmarks.urls")`` by the runner.
"""

from django.urls import include, path

from benchmarks import baseline_admin, views

urlpatterns = [
    path("__bench__/minimal/", views.minimal, name="bench_minimal"),
    path("__bench__/layout/", views.layout, name="bench_layout"),
    path("__bench__/admin/", baseline_admin.site.urls),
    path("", include("config.urls")),
]
