from django.urls import path

from volunteers import views_outreach, views_self, views_signals, views_staff

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
    path("<int:pk>/fin/", views_staff.volunteer_end, name="end"),
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
]
