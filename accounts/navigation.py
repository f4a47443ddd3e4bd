"""The main navigation, by role. Later features add their entries here (URL names only, so that
this module imports nothing from the apps above ``accounts``)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset
    # Managing the organization (team, settings, access log) sits in the user's menu: the bar
    # keeps the daily work, and nine entries would not fit a 1280 px screen.
    in_user_menu: bool = False


NAVIGATION = [
    NavItem("dashboard:home", _("Tableau de bord"), frozenset(Role) - {Role.VOLUNTEER}),
    NavItem("volunteers:mine", _("Mes prestations"), frozenset({Role.VOLUNTEER})),
    NavItem("volunteers:my_signals", _("Mes signalements"), frozenset({Role.VOLUNTEER})),
    NavItem("chantiers:today", _("Aujourd'hui"), frozenset({Role.COORDINATOR})),
    # The rota (issue 21): every role of an operator but partners (the direction's bar is
    # full: the rota sits in its user menu).
    NavItem("volunteers:rota", _("Planning"), frozenset(Role) - {Role.PARTNER, Role.DIRECTION}),
    NavItem(
        "chantiers:list",
        _("Chantiers"),
        frozenset({Role.COORDINATOR, Role.DIRECTION, Role.ADMIN}),
    ),
    NavItem(
        "chantiers:payment_batch_list", _("Paiements"), frozenset({Role.DIRECTION, Role.ADMIN})
    ),
    NavItem("participants:caseload", _("Mon suivi"), frozenset({Role.COUNSELLOR})),
    NavItem("participants:list", _("Participant·es"), frozenset({Role.COUNSELLOR, Role.DIRECTION})),
    NavItem("agenda:agenda", _("Agenda"), frozenset({Role.COUNSELLOR, Role.DIRECTION})),
    NavItem("workshops:list", _("Modules"), frozenset({Role.COUNSELLOR, Role.DIRECTION})),
    NavItem("volunteers:signals", _("Signalements"), frozenset({Role.COUNSELLOR})),
    NavItem("partners:inbox", _("Orientations reçues"), frozenset({Role.PARTNER})),
    NavItem("partners:directory", _("Partenaires"), frozenset({Role.COUNSELLOR, Role.DIRECTION})),
    NavItem(
        "partners:employer_list", _("Employeurs"), frozenset({Role.COUNSELLOR, Role.DIRECTION})
    ),
    NavItem("dashboard:hosting_list", _("Chantiers accueillis"), frozenset({Role.PARTNER})),
    NavItem("volunteers:list", _("Bénévoles"), frozenset({Role.COORDINATOR, Role.DIRECTION})),
    NavItem(
        "reporting:index",
        _("Rapports"),
        frozenset({Role.DIRECTION, Role.ADMIN, Role.COORDINATOR}),
    ),
    NavItem(
        "accounts:member_list",
        _("Équipe"),
        frozenset({Role.ADMIN, Role.DIRECTION}),
        in_user_menu=True,
    ),
    NavItem("volunteers:rota", _("Planning"), frozenset({Role.DIRECTION}), in_user_menu=True),
    NavItem(
        "accounts:organization_settings",
        _("Organisation"),
        frozenset({Role.ADMIN}),
        in_user_menu=True,
    ),
    NavItem(
        "privacy:review",
        _("Anonymisation"),
        frozenset({Role.ADMIN}),
        in_user_menu=True,
    ),
    NavItem(
        "privacy:subject_access",
        _("Droit d'accès"),
        frozenset({Role.ADMIN, Role.DIRECTION}),
        in_user_menu=True,
    ),
    NavItem(
        "accounts:access_log",
        _("Journal des accès"),
        frozenset({Role.ADMIN, Role.DIRECTION}),
        in_user_menu=True,
    ),
]


def navigation_for(role: str | None) -> list[NavItem]:
    if role is None:
        return []
    return [item for item in NAVIGATION if role in item.roles]
