from django.urls import path

app_name = "partners"

urlpatterns = []

# Employers, prospections and matchings (P3). The hosting partner's view of its chantiers is
# in dashboard/urls.py, at partenaires/chantiers-accueillis/: it reads chantiers.
from partners import views_employers  # noqa: E402

urlpatterns += [
    path("employeurs/", views_employers.employer_list, name="employer_list"),
    path("employeurs/nouveau/", views_employers.employer_create, name="employer_create"),
    path("employeurs/<int:pk>/", views_employers.employer_detail, name="employer_detail"),
    path("mises-en-relation/", views_employers.matching_list, name="matching_list"),
    path(
        "mises-en-relation/proposer/<int:participant_pk>/",
        views_employers.matching_create,
        name="matching_create",
    ),
    path("mises-en-relation/<int:pk>/", views_employers.matching_update, name="matching_update"),
]

# The partner's side of referrals (issue 5, items 3 and 4): the inbox of a partner with members,
# the answer link e-mailed to one without, and the counsellor's "send the link again".
from partners import views_link, views_partner  # noqa: E402

urlpatterns += [
    path("orientations-recues/", views_partner.inbox, name="inbox"),
    path("orientations-recues/<int:pk>/", views_partner.answer, name="answer"),
    path("orientations/<int:pk>/renvoyer-lien/", views_link.link_resend, name="link_resend"),
    path("reponse/", views_link.link_answer, name="link_answer"),
    path("reponse/merci/", views_link.link_done, name="link_done"),
]

# The counsellor's side of referrals: directory, referral form, list, closing (P1).
from partners import views_directory, views_referrals  # noqa: E402

urlpatterns += [
    path("annuaire/", views_directory.directory, name="directory"),
    path("orientations/", views_referrals.referral_list, name="referral_list"),
    path(
        "orientations/orienter/<int:pk>/",
        views_referrals.referral_create,
        name="referral_create",
    ),
    path(
        "orientations/<int:pk>/cloturer/",
        views_referrals.referral_close,
        name="referral_close",
    ),
]

# What the partner notes on a referral it accepted to a training it gives (issue 20).
from partners import views_trainings  # noqa: E402

urlpatterns += [
    path(
        "orientations-recues/<int:pk>/formations/",
        views_trainings.referral_trainings,
        name="referral_trainings",
    ),
    path(
        "orientations-recues/<int:pk>/formations/ajouter/",
        views_trainings.referral_training_add,
        name="referral_training_add",
    ),
    path(
        "orientations-recues/<int:pk>/certifications/ajouter/",
        views_trainings.referral_certification_add,
        name="referral_certification_add",
    ),
]
