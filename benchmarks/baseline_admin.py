"""The admin baseline: Django's own change list of participants, on an admin site of the
benchmark's only (``/__bench__/admin/``).

The site's admin does not show participants (DESIGN §6: personal records are opened in the
application, scoped and logged); the benchmark still compares the pages with what Django's
admin takes to list the biggest table, as before.
"""

from django.contrib import admin

from participants.models import Participant

site = admin.AdminSite(name="bench_admin")


@admin.register(Participant, site=site)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "organization", "commune", "created_at"]
    list_filter = ["organization"]
    list_select_related = ["organization"]
