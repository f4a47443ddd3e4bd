from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_link, views_two_factor

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("connexion/code/", views_two_factor.two_factor_verify, name="two_factor_verify"),
    # A volunteer's sign-in link given by hand (issue 21): the token in the query string.
    path("connexion/lien/", views_link.signin_link, name="signin_link"),
    path(
        "connexion/double-authentification/",
        views_two_factor.two_factor_setup,
        name="two_factor_setup",
    ),
    path(
        "connexion/double-authentification/codes-de-secours/",
        views_two_factor.backup_codes_renew,
        name="backup_codes_renew",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("langue/", views.language_set, name="language_set"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("mot-de-passe/changer/", views.PasswordChangeView.as_view(), name="password_change"),
    path("organisation/choisir/", views.organization_switch, name="organization_switch"),
    path("organisation/aucune/", views.no_organization, name="no_organization"),
    path("organisation/parametres/", views.organization_settings, name="organization_settings"),
    path("organisation/equipe/", views.member_list, name="member_list"),
    path("organisation/equipe/inviter/", views.member_invite, name="member_invite"),
    path("organisation/equipe/<int:pk>/", views.member_edit, name="member_edit"),
    path(
        "organisation/equipe/<int:pk>/relancer/",
        views.member_resend_invitation,
        name="member_resend_invitation",
    ),
    path(
        "organisation/equipe/<int:pk>/double-authentification/",
        views_two_factor.member_two_factor_reset,
        name="member_two_factor_reset",
    ),
    path("organisation/journal-des-acces/", views.access_log, name="access_log"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<int:pk>/accepter/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/refuser/", views.invitation_decline, name="invitation_decline"),
]
