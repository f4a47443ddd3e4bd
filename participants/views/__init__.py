"""The caseload screens, one module per journey:

- ``listing``: the list of participants, its search and filters, their export;
- ``participant``: a record created, its page, edited, its income source;
- ``pathway``: what is posted on the page — needs, pathways opened, events, goals, phases,
  closed and reopened — and the follow-ups after an exit;
- ``training``: the trainings followed and the certifications obtained, noted on the page;
- ``caseload``: the counsellor's desk (follow-ups due, pathways without news);
- ``address``: a confidential address shown, with a reason (``participants.confidential``).

``access`` holds what each starts with: the roles and the scoped look-ups (404 outside);
``page`` the participant's page that the posts answer with, whole or one section. The import
screens are ``participants/views_import.py``.
"""

# views_import.py reads the roles from here.
from participants.views.access import CASELOAD_ROLES

__all__ = ["CASELOAD_ROLES"]
