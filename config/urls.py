from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Chantiers & Parcours"
admin.site.site_title = "Chantiers & Parcours"

urlpatterns = [
    path("", include("accounts.urls")),
    path("participants/", include("participants.urls")),
    path("chantiers/", include("chantiers.urls")),
    path("partenaires/", include("partners.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
