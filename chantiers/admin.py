from django.contrib import admin

from chantiers import services
from chantiers.models import IndemnityCeiling


@admin.register(IndemnityCeiling)
class IndemnityCeilingAdmin(admin.ModelAdmin):
    """The yearly ceilings: the administration adds next year's when it is published."""

    list_display = ["year", "daily", "annual", "km_cap", "km_rate_car", "km_rate_bike"]

    def save_model(self, request, obj, form, change):
        services.indemnity_ceiling_save(ceiling=obj)

    # Every amount of a year was computed against its ceiling: a year is neither renamed nor
    # removed (that year's days would keep amounts no ceiling backs); its figures are corrected.
    def get_readonly_fields(self, request, obj=None):
        return ("year",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False
