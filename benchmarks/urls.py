"""The benchmark's URLconf: the whole site, plus the baseline views under ``/__bench__/``.

Used only through ``override_settings(ROOT_URLCONF="benchmarks.urls")`` by the runner.
"""

from django.urls import include, path

from benchmarks import views

urlpatterns = [
    path("__bench__/minimal/", views.minimal, name="bench_minimal"),
    path("__bench__/layout/", views.layout, name="bench_layout"),
    path("", include("config.urls")),
]
