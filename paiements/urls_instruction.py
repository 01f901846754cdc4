from django.urls import path

from paiements import views_demandeur

app_name = "certification"

urlpatterns = [
    path("dossiers/<int:dossier_pk>/", views_demandeur.demandes_du_dossier, name="dossier"),
    path("<int:pk>/", views_demandeur.certifier, name="certifier"),
    path(
        "<int:pk>/justificatifs/<int:justificatif_pk>/",
        views_demandeur.justificatif,
        name="justificatif",
    ),
]
