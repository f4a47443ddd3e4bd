from django.urls import path

from dashboard import views, views_app, views_hosting

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("manifest.webmanifest", views_app.manifest, name="manifest"),
    path("sw.js", views_app.service_worker, name="service_worker"),
    path("hors-ligne/", views_app.offline_fallback, name="offline"),
    # The hosting partner's chantiers: under the partners' address, served here because the
    # page reads chantiers (partners does not import its sibling).
    path(
        "partenaires/chantiers-accueillis/",
        views_hosting.hosting_list,
        name="hosting_list",
    ),
    path(
        "partenaires/chantiers-accueillis/<int:pk>/",
        views_hosting.hosting_detail,
        name="hosting_detail",
    ),
]
