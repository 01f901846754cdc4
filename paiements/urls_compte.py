from django.urls import path

from paiements import views_demandeur

app_name = "versements"

urlpatterns = [
    path("<int:dossier_pk>/", views_demandeur.versements, name="liste"),
    path("<int:dossier_pk>/demander/<int:echeance_pk>/", views_demandeur.demander, name="demander"),
]
