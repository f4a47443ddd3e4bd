"""The baselines the pages are compared with: a Django view that renders a template with one query
(and, for reference, an empty page in the site's layout).

It goes through the same middleware as every page (session, user, current organization), so the
ratio page / minimal view measures what a page adds on top of Django itself.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from participants.models import Participant


def minimal(request):
    # One query; ``render_to_string`` without the request runs no context processor.
    people = list(
        Participant.objects.filter(organization=request.organization)
        .order_by("-pk")
        .only("first_name", "last_name")[:10]
    )
    return HttpResponse(render_to_string("benchmarks/minimal.html", {"people": people}))


def layout(request):
    """An empty page in the site's layout (navigation, context processors): what every page
    pays before its own content, shown beside the baselines."""
    return render(request, "benchmarks/layout.html")
