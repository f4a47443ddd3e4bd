"""The technical tables: organizations, accounts and memberships, the access log, and the audit
trail of changes (django-auditlog) shown without the content of personal records.

Who reaches the admin site at all: active accounts with ``is_staff`` ("accès à l'administration
technique"); a staff account that is not a superuser sees only the tables it was given rights to.
"""

from auditlog.admin import LogEntryAdmin as AuditlogEntryAdmin
from auditlog.mixins import LogEntryAdminMixin
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessLog, Membership, Organization, User
from accounts.personal import is_personal_record


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organization"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class UserCreationAdminForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "first_name", "last_name"]


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationAdminForm
    form = UserChangeAdminForm
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Droits"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "first_name", "last_name", "password1", "password2"]}),
    ]
    filter_horizontal = []
    list_filter = ["is_active", "is_staff"]
    inlines = [MembershipInline]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "organization", "action", "content_type", "object_id"]
    list_filter = ["action", "organization"]
    list_select_related = ["user", "organization", "content_type"]
    date_hierarchy = "at"

    # The access log is evidence: nobody edits or deletes it by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


PERSONAL_CHANGES_HIDDEN = _("non affiché : fiche personnelle, à consulter dans l'application")


def _reference(entry: LogEntry) -> str:
    return f"{entry.content_type.name} #{entry.object_id or entry.object_pk}"


def _is_personal(entry: LogEntry) -> bool:
    model = entry.content_type.model_class()
    return model is not None and is_personal_record(model)


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogEntryAdmin):
    """The audit trail of changes. For a personal record (``accounts.personal``) it shows only
    the reference — which kind of record, its number, who changed it, when — as the access log
    does, never its name nor the values changed: those are read in the application, where the
    opening is scoped to the organization and written in the access log (DESIGN §6)."""

    # Neither the record's name nor the changed values can be searched: a search that matched a
    # personal record would tell which one holds the name typed.
    search_fields = ["actor__email", "actor__first_name", "actor__last_name"]

    def get_object(self, request, object_id, from_field=None):
        # The change and history pages print the entry's ``str()``, which holds the record's
        # name: hidden on the instance shown (these pages never save it).
        entry = super().get_object(request, object_id, from_field)
        if entry is not None and _is_personal(entry):
            entry.object_repr = _reference(entry)
            entry.changes, entry.changes_text = {}, ""
            entry.serialized_data = entry.additional_data = None
        return entry

    @admin.display(description=LogEntryAdminMixin.resource_url.short_description)
    def resource_url(self, entry):
        if _is_personal(entry):
            return _reference(entry)
        return super().resource_url(entry)

    @admin.display(description=LogEntryAdminMixin.msg_short.short_description)
    def msg_short(self, entry):
        if _is_personal(entry):
            return PERSONAL_CHANGES_HIDDEN
        return super().msg_short(entry)

    @admin.display(description=LogEntryAdminMixin.msg.short_description)
    def msg(self, entry):
        if _is_personal(entry):
            return PERSONAL_CHANGES_HIDDEN
        return super().msg(entry)


# The second factor's devices are not technical tables: a TOTP device holds the key that makes
# the codes, and django-otp's admin shows it as a QR code to whoever opens it. A lost phone is
# reset by an administrator of the person's organization, from the team page, and logged.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)
