from django.contrib import admin

from partners.models import PartnerContact, PartnerService


@admin.register(PartnerService)
class PartnerServiceAdmin(admin.ModelAdmin):
    """The partner directory, kept by the administration until its own screens exist."""

    list_display = ["name", "organization", "need_category", "commune", "is_active"]
    list_filter = ["need_category", "is_active"]
    search_fields = ["name", "organization__name", "commune", "postcode"]
    list_select_related = ["organization"]


@admin.register(PartnerContact)
class PartnerContactAdmin(admin.ModelAdmin):
    list_display = ["name", "function", "organization"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization"]
