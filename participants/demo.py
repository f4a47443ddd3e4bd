"""Demo participants and pathways for ``seed_demo``, and the national-number generator."""

import datetime as dt


def national_number_for(birth_date: dt.date, serial: int) -> str:
    """A valid Belgian national number for a birth date (serial odd for men, even for women)."""
    body = f"{birth_date:%y%m%d}{serial:03d}"
    base = int(("2" if birth_date.year >= 2000 else "") + body)
    return f"{body}{97 - base % 97:02d}"
