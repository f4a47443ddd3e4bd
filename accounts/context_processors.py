from accounts.navigation import navigation_for


def navigation(request):
    membership = getattr(request, "membership", None)
    return {
        "nav_items": navigation_for(membership.role if membership else None),
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
    }
