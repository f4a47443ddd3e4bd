from django.urls import path

from volunteers import (
    views_access,
    views_outreach,
    views_rota,
    views_self,
    views_signals,
    views_staff,
)

app_name = "volunteers"

urlpatterns = [
    # The volunteer's own pages (role ``volunteer``).
    path("mes-prestations/", views_self.mine, name="mine"),
    path("mes-prestations/nouvelle/", views_self.sheet_new, name="sheet_new"),
    path("mes-prestations/<int:pk>/", views_self.sheet_edit, name="sheet_edit"),
    # The coordinators' and direction's pages.
    path("", views_staff.volunteer_list, name="list"),
    path("nouveau/", views_staff.volunteer_new, name="new"),
    path("<int:pk>/", views_staff.volunteer_detail, name="detail"),
    path("<int:pk>/acces/", views_staff.volunteer_invite, name="invite"),
    path("<int:pk>/lien/", views_access.volunteer_signin_link, name="signin_link"),
    path("<int:pk>/fin/", views_staff.volunteer_end, name="end"),
    path("<int:pk>/coordonnees/", views_staff.volunteer_details, name="details"),
    path("<int:pk>/fiche-papier/", views_staff.paper_sheet, name="paper_sheet"),
    path("<int:pk>/convention/", views_staff.agreement_new, name="agreement_new"),
    path("conventions/<int:pk>/", views_staff.agreement_edit, name="agreement_edit"),
    path("<int:pk>/mois/<int:year>/<int:month>/", views_staff.month_statement, name="month"),
    path("fiches/<int:pk>/", views_staff.sheet_review, name="sheet_review"),
    path("fiches/<int:pk>/ticket/", views_staff.sheet_receipt, name="sheet_receipt"),
    # Outreach (issue 21, point 3): contact points and outreach actions.
    path("proximite/", views_outreach.outreach_list, name="outreach"),
    path("proximite/nouvelle/", views_outreach.outreach_new, name="outreach_new"),
    path("proximite/<int:pk>/", views_outreach.outreach_edit, name="outreach_edit"),
    path("points-de-contact/", views_outreach.contact_points, name="contact_points"),
    path("points-de-contact/nouveau/", views_outreach.contact_point_new, name="contact_point_new"),
    path(
        "points-de-contact/<int:pk>/", views_outreach.contact_point_edit, name="contact_point_edit"
    ),
    # Signals: raised by a relay (or the team), taken up and closed by a counsellor.
    path("mes-signalements/", views_signals.my_signals, name="my_signals"),
    path("signalements/", views_signals.signal_list, name="signals"),
    path("signalements/nouveau/", views_signals.signal_new, name="signal_new"),
    path("signalements/<int:pk>/", views_signals.signal_detail, name="signal"),
    path("signalements/<int:pk>/prendre/", views_signals.signal_take_up, name="signal_take_up"),
    path("signalements/<int:pk>/cloturer/", views_signals.signal_close, name="signal_close"),
    # The rota (issue 21, point 4): shifts, sign-ups, assignments, each person's feed.
    path("planning/", views_rota.rota_week, name="rota"),
    path("planning/creneaux/nouveau/", views_rota.shift_new, name="shift_new"),
    path("planning/creneaux/<int:pk>/", views_rota.shift_detail, name="shift"),
    path("planning/creneaux/<int:pk>/modifier/", views_rota.shift_edit, name="shift_edit"),
    path("planning/creneaux/<int:pk>/annuler/", views_rota.shift_cancel, name="shift_cancel"),
    path("planning/creneaux/<int:pk>/inscription/", views_rota.shift_sign_up, name="shift_sign_up"),
    path("planning/creneaux/<int:pk>/retrait/", views_rota.shift_withdraw, name="shift_withdraw"),
    path("planning/creneaux/<int:pk>/affecter/", views_rota.shift_assign, name="shift_assign"),
    path(
        "planning/inscriptions/<int:pk>/retirer/",
        views_rota.assignment_remove,
        name="assignment_remove",
    ),
    path("planning/calendrier/", views_rota.rota_feed, name="rota_feed"),
    path("planning/calendrier/<str:token>.ics", views_rota.rota_feed_ics, name="rota_feed_ics"),
]
