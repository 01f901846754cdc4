from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from dispositifs.views import api_docs
from mdna import franceconnect, views
from mdna.forms import ConnexionForm

handler404 = "mdna.views.erreur_404"
handler403 = "mdna.views.erreur_403"
handler500 = "mdna.views.erreur_500"

comptes = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=ConnexionForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.inscription, name="inscription"),
    path("franceconnect/", franceconnect.debut, name="franceconnect"),
    path("franceconnect/retour/", franceconnect.retour, name="franceconnect_retour"),
    path("inscription/renvoyer/", views.renvoyer_verification, name="renvoyer_verification"),
    path("verifier/<str:token>/", views.verifier_email, name="verifier_email"),
    path(
        "mot-de-passe/modifier/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "mot-de-passe/oublie/",
        auth_views.PasswordResetView.as_view(
            subject_template_name="emails/reinitialisation_sujet.txt",
            email_template_name="emails/reinitialisation.txt",
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("healthz", views.healthz, name="healthz"),
    path("theme.css", views.theme_css, name="theme_css"),
    path("compte/", include(comptes)),
    path("compte/demandes/", include("dispositifs.depot.urls")),
    path("compte/", include("mdna.espace.urls")),
    path("compte/versements/", include("paiements.urls_compte")),
    path("tableau-de-bord/", views.tableau_de_bord, name="tableau_de_bord"),
    path(
        "accessibilite/",
        views.page,
        {"template": "accessibilite"},
        name="accessibilite",
    ),
    path(
        "mentions-legales/",
        views.page,
        {"template": "mentions_legales"},
        name="mentions_legales",
    ),
    path("contact/", views.page, {"template": "contact"}, name="contact"),
    path(
        "donnees-personnelles/",
        views.page,
        {"template": "donnees_personnelles"},
        name="donnees_personnelles",
    ),
    path("instruction/", include("instruction.urls")),
    path("pilotage/", include("instruction.pilotage.urls")),
    path("instruction/versements/", include("paiements.urls_instruction")),
    path("finances/", include("paiements.urls")),
    path("courriers/", include("editiques.urls")),
    path("administration/", admin.site.urls),
    path("aides/", include("dispositifs.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", api_docs, name="api-docs"),
    path("api/v1/", include("dispositifs.api_urls")),
    path("api/v1/", include("mdna.api.urls")),
]
