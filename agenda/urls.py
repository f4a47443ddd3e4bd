from django.urls import path

from agenda import views, views_feed

app_name = "agenda"

urlpatterns = [
    path("", views.agenda, name="agenda"),
    path("participant/<int:participant_pk>/nouveau/", views.appointment_book, name="book"),
    path("participant/<int:participant_pk>/rappels/", views.reminder_consent, name="consent"),
    path("rendez-vous/<int:pk>/", views.appointment_detail, name="detail"),
    path("rendez-vous/<int:pk>/modifier/", views.appointment_move, name="move"),
    path("rendez-vous/<int:pk>/issue/", views.appointment_outcome, name="outcome"),
    path("rendez-vous/<int:pk>/annuler/", views.appointment_cancel, name="cancel"),
    path("calendrier/", views_feed.feed_settings, name="feed"),
    path("calendrier/<str:token>.ics", views_feed.feed_ics, name="feed_ics"),
]
