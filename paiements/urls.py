from django.urls import path

from paiements import views

app_name = "finances"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("engager/<int:dossier_pk>/", views.engagement_creer, name="engagement_creer"),
    path("engagements/<int:pk>/", views.engagement, name="engagement"),
    path(
        "engagements/<int:pk>/beneficiaire/",
        views.engagement_beneficiaire,
        name="engagement_beneficiaire",
    ),
    path("engagements/<int:pk>/reversement/", views.titre, name="titre"),
    path("engagements/<int:pk>/caducite/", views.caducite, name="caducite"),
    path("liquider/", views.liquider, name="liquider"),
    path("bordereaux/", views.bordereaux, name="bordereaux"),
    path("bordereaux/creer/", views.bordereau_creer, name="bordereau_creer"),
    path("bordereaux/<int:pk>/", views.bordereau, name="bordereau"),
    path("mandats/<int:pk>/", views.mandat, name="mandat"),
    path("mandats/<int:pk>/annuler/", views.mandat_annuler, name="mandat_annuler"),
    path("mandats/<int:pk>/paye/", views.mandat_paye, name="mandat_paye"),
    path("exports/", views.exports, name="exports"),
    path("exports/demander/", views.export_demander, name="export_demander"),
    path("exports/<int:pk>/telecharger/", views.export_telecharger, name="export_telecharger"),
    path("retours/", views.retours, name="retours"),
]
