from celery import shared_task

from chantiers import services


@shared_task
def indemnities_recompute_year(year: int) -> int:
    """After a ceiling is added or corrected: every affected person's year, recomputed."""
    return services.indemnities_recompute_everyone(year=year)
