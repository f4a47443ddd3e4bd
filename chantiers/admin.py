from django.contrib import admin

from chantiers import services
from chantiers.models import IndemnityCeiling


@admin.register(IndemnityCeiling)
class IndemnityCeilingAdmin(admin.ModelAdmin):
    """The yearly ceilings: the administration adds next year's when it is published."""

    list_display = ["year", "daily", "annual"]

    def save_model(self, request, obj, form, change):
        services.indemnity_ceiling_save(ceiling=obj)
