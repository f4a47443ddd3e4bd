"""One builder per report kind: ``build(*, organization, parameters, progress) -> Document``.

``parameters`` is the JSON stored on the ``ReportRun`` (validated by the request form or the
``generate_report`` command); a builder raises ``ReportParameterError`` with a sentence for the
user when they do not make sense (an unknown programme, a period the wrong way round). ``progress``
is called with (percent, step label) between the expensive steps.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from accounts.models import Organization
from reporting.document import Document

BUILDERS = {
    "activity": "reporting.reports.activity",
    "subsidy": "reporting.reports.subsidy",
    "impact": "reporting.reports.impact",
    "chantier_summary": "reporting.reports.chantier_summary",
}

Progress = Callable[[int, str], None]


class ReportParameterError(ValueError):
    """Parameters that cannot give a report; the message is shown to the user as it is."""


def _no_progress(percent: int, step: str) -> None:
    pass


def build(
    kind: str,
    *,
    organization: Organization,
    parameters: dict,
    progress: Progress | None = None,
) -> Document:
    if kind not in BUILDERS:
        raise ReportParameterError(f"Unknown report kind: {kind}")
    module = import_module(BUILDERS[kind])
    return module.build(
        organization=organization, parameters=parameters, progress=progress or _no_progress
    )
