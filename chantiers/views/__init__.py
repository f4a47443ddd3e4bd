"""The chantier screens, one module per journey:

- ``chantiers``: the list, the chantier page, a chantier created or edited;
- ``planning``: its work sessions; ``incidents``: its incident log;
- ``group``: forming the group; ``agreements``: the volunteer agreements and their PDF;
- ``attendance``: the day's sessions, the attendance grid, the paper sheet's week copied back;
- ``statements``: the monthly statements validated (and reopened);
- ``printing``: the statements and sign-in sheets printed;
- ``payments``: the payment batches, their SEPA file and CSV;
- ``year_changes``: a volunteer's year after the fact — declarations of what they received
  elsewhere, corrections of validated months, a ceiling exceeded and what direction did.

``access`` holds what each starts with: the roles and the scoped look-ups (404 outside).
"""
