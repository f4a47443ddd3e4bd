from django.contrib import admin

from participants.models import ImportBatch, Participant, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "organization", "funder", "is_active"]
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


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    """Read-only here: records are worked on in the application, where access is logged."""

    list_display = ["last_name", "first_name", "organization", "commune", "created_at"]
    list_filter = ["organization"]
    list_select_related = ["organization"]
    # No search box: a name or number typed there would travel in the URL, into server logs.
    exclude = ["national_number", "iban"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
