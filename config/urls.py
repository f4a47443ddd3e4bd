from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Chantiers & Parcours"
admin.site.site_title = "Chantiers & Parcours"

urlpatterns = [
    path("", include("dashboard.urls")),
    path("", include("accounts.urls")),
    path("participants/", include("participants.urls")),
    path("participants/", include("privacy.urls_documents")),
    path("chantiers/", include("chantiers.urls")),
    path("partenaires/", include("partners.urls")),
    path("agenda/", include("agenda.urls")),
    path("modules/", include("workshops.urls")),
    path("benevoles/", include("volunteers.urls")),
    path("rapports/", include("reporting.urls")),
    path("organisation/", include("privacy.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# MEDIA_ROOT is never served, not even in development: the files there (generated reports) hold
# personal data and are downloaded through views that check who asks.
