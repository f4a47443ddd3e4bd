"""Print documents: HTML templates under templates/pdf/, rendered by WeasyPrint with the vendored
font (no Bootstrap, no network: the base template is print-only)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        template, {**context, "generated_at": timezone.localtime(), "fonts": _font_dir()}
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _font_dir() -> str:
    return (settings.BASE_DIR / "static" / "fonts").as_uri()
