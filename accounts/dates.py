"""Calendar arithmetic every app counts with: months of unequal length, a month's bounds."""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, or that month's last day (31/08 + 6 months → 28/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of the month of ``month``."""
    first = month.replace(day=1)
    return first, add_months(first, 1) - dt.timedelta(days=1)
