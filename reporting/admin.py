from django.contrib import admin

from reporting.models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Read-only: runs are made by the reports page and the worker. The files are downloaded
    from the reports page, which checks who asks; the admin shows their names only."""

    list_display = ["pk", "organization", "kind", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "kind", "organization"]
    list_select_related = ["organization"]
    exclude = ["pdf", "xlsx"]
    readonly_fields = [
        "organization",
        "kind",
        "parameters",
        "language",
        "requested_by",
        "status",
        "progress",
        "step",
        "pdf_name",
        "xlsx_name",
        "pdf_sha256",
        "error",
        "attempts",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
    ]

    @admin.display(description="PDF")
    def pdf_name(self, run):
        return run.pdf.name

    @admin.display(description="XLSX")
    def xlsx_name(self, run):
        return run.xlsx.name

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
