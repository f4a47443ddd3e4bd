from accounts.navigation import navigation_for


def navigation(request):
    membership = getattr(request, "membership", None)
    items = navigation_for(membership.role if membership else None)
    return {
        "nav_items": [item for item in items if not item.in_user_menu],
        "user_menu_items": [item for item in items if item.in_user_menu],
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
    }
