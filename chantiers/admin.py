from django.contrib import admin

from chantiers.models import IndemnityCeiling


@admin.register(IndemnityCeiling)
class IndemnityCeilingAdmin(admin.ModelAdmin):
    """The yearly ceilings: the administration adds next year's when it is published."""

    list_display = ["year", "daily", "annual"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Every amount of that year depends on the ceiling: recomputed in the background.
        from chantiers.tasks import indemnities_recompute_year

        indemnities_recompute_year.delay_on_commit(obj.year)
