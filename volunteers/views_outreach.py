"""The outreach log's pages (issue 21, point 3), for the coordinators and the direction: a
year's outreach actions with its totals, an action noted or corrected (on a phone, after the
round), the contact points and a contact point's form."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import get_scoped_or_404, role_required
from accounts.forms import apply_form
from accounts.forms_input import parse_id
from accounts.models import User
from participants.models import NeedCategory
from volunteers import outreach
from volunteers.forms_outreach import ContactPointForm, OutreachForm
from volunteers.models import ContactPoint, OutreachActivity, Volunteer
from volunteers.outreach import OUTREACH_ROLES

PAGE_SIZE = 50
THEMES = dict(NeedCategory.choices)


def _year(request) -> int:
    """The year asked in the address if the log can have it (no action is noted ahead);
    else this one."""
    today = timezone.localdate()
    year = parse_id(request.GET.get("year"))
    return year if year and 2000 <= year <= today.year else today.year


# --- Outreach actions ----------------------------------------------------------------------


@role_required(*OUTREACH_ROLES)
def outreach_list(request):
    organization, year = request.organization, _year(request)
    of_year = OutreachActivity.objects.filter(organization=organization, date__year=year)
    totals = of_year.aggregate(actions=Count("pk"), people=Coalesce(Sum("people_met"), 0))
    activities = (
        of_year.select_related("contact_point")
        .prefetch_related(
            # First names only, in a stable order: who went, not their records.
            Prefetch(
                "volunteers",
                Volunteer.objects.select_related("participant")
                .only("participant__first_name")
                .order_by("participant__first_name", "pk"),
            ),
            Prefetch("staff", User.objects.only("first_name").order_by("first_name", "pk")),
        )
        .order_by("-date", "-pk")
    )
    paginator = Paginator(activities, PAGE_SIZE)
    paginator.count = totals["actions"]  # counted with the totals: not counted twice
    page = paginator.get_page(request.GET.get("page"))
    for activity in page:
        activity.theme_labels = [THEMES[theme] for theme in activity.themes if theme in THEMES]
    noted = OutreachActivity.objects.filter(organization=organization).dates("date", "year")
    context = {
        "year": year,
        "years": sorted({day.year for day in noted} | {timezone.localdate().year, year}),
        "totals": totals,
        "page": page,
    }
    return render(request, "volunteers/outreach_list.html", context)


@role_required(*OUTREACH_ROLES)
def outreach_new(request):
    return _outreach_page(request, OutreachActivity(organization=request.organization))


@role_required(*OUTREACH_ROLES)
def outreach_edit(request, pk):
    activity = get_scoped_or_404(
        request, OutreachActivity.objects.select_related("contact_point"), pk=pk
    )
    return _outreach_page(request, activity)


def _outreach_page(request, activity: OutreachActivity):
    # Named as saved: a refused form leaves the typed values on the instance.
    saved = str(activity) if activity.pk else ""
    form = OutreachForm(request.POST or None, organization=request.organization, activity=activity)

    def save(data):
        for name, value in form.activity_values().items():
            setattr(activity, name, value)
        outreach.outreach_save(
            activity=activity, volunteers=data["volunteers"], staff=data["staff"], by=request.user
        )

    if request.method == "POST" and apply_form(form, save):
        messages.success(
            request,
            _("Action du %(date)s à %(where)s enregistrée.")
            % {"date": activity.date.strftime("%d/%m/%Y"), "where": activity.where},
        )
        return redirect(f"{reverse('volunteers:outreach')}?year={activity.date.year}")
    return render(request, "volunteers/outreach_form.html", {"form": form, "saved": saved})


# --- Contact points ------------------------------------------------------------------------


@role_required(*OUTREACH_ROLES)
def contact_points(request):
    points = ContactPoint.objects.filter(organization=request.organization).order_by(
        "-is_active", "name", "pk"
    )
    return render(request, "volunteers/contact_points.html", {"points": points})


@role_required(*OUTREACH_ROLES)
def contact_point_new(request):
    return _contact_point_page(request, ContactPoint(organization=request.organization))


@role_required(*OUTREACH_ROLES)
def contact_point_edit(request, pk):
    return _contact_point_page(request, get_scoped_or_404(request, ContactPoint.objects, pk=pk))


def _contact_point_page(request, point: ContactPoint):
    saved = point.name if point.pk else ""  # as saved: the form changes the instance
    form = ContactPointForm(request.POST or None, instance=point, organization=request.organization)
    if request.method == "POST" and apply_form(
        form, lambda data: outreach.contact_point_save(point=form.instance)
    ):
        messages.success(request, _("Point de contact « %(name)s » enregistré.") % {"name": point})
        return redirect("volunteers:contact_points")
    return render(request, "volunteers/contact_point_form.html", {"form": form, "saved": saved})
