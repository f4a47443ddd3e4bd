from django.contrib import admin

from chantiers.models import IndemnityCeiling


@admin.register(IndemnityCeiling)
class IndemnityCeilingAdmin(admin.ModelAdmin):
    """The yearly ceilings: the administration adds next year's when it is published."""

    list_display = ["year", "daily", "annual"]
