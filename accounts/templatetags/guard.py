"""``{% form_guard %}``: the CSRF token, and the organization the form was shown for.

A person with two organizations may switch in another tab; ``role_required`` then refuses a
form shown for the other one instead of saving it in the wrong organization.
"""

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html

register = template.Library()

FIELD = "_organization"


@register.simple_tag(takes_context=True)
def form_guard(context):
    request = context["request"]
    organization = getattr(request, "organization", None)
    html = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    if organization is not None:
        html += format_html('<input type="hidden" name="{}" value="{}">', FIELD, organization.pk)
    return html
