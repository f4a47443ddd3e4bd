"""The technical tables of participants: programmes and the record of imports.

Participants and everything about them (pathways, notes, needs…) are not in the admin site:
they are opened in the application, through the organization's scope and the access log
(DESIGN §6; ``accounts.personal`` says which models are personal records).
"""

from django.contrib import admin

from participants.models import ImportBatch, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "organization", "funder", "audit_until", "is_active"]
    list_filter = ["organization", "is_active"]
    search_fields = ["name", "code"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["at", "filename", "organization", "by", "rows", "participants_created"]
    list_select_related = ["organization", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
