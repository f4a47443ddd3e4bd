"""Print documents: HTML templates under templates/pdf/, rendered by WeasyPrint with the vendored
font (no Bootstrap, no network: the base template is print-only)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone


def render_pdf(template: str, context: dict) -> bytes:
    """The template with ``context``, stamped with the time of printing unless the context says
    when the document was made (``generated_at``)."""
    from weasyprint import HTML

    html = render_to_string(
        template, {"generated_at": timezone.localtime(), "fonts": font_dir(), **context}
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def font_dir() -> str:
    return (settings.BASE_DIR / "static" / "fonts").as_uri()
