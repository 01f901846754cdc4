from django.urls import path

from instruction.programmation import views

urlpatterns = [
    path("enveloppes/", views.enveloppes, name="enveloppes"),
    path("enveloppes/<int:pk>/", views.enveloppe, name="enveloppe"),
    path("enveloppes/<int:pk>/simuler/", views.simulation_creer, name="simulation_creer"),
    path("simulations/comparer/", views.simulations_comparer, name="simulations_comparer"),
    path("simulations/<int:pk>/", views.simulation, name="simulation"),
    path(
        "simulations/<int:pk>/ordre-du-jour/",
        views.simulation_vers_ordre_du_jour,
        name="simulation_vers_ordre_du_jour",
    ),
    path("commissions/", views.commissions, name="commissions"),
    path("commissions/inscrire/", views.inscrire, name="inscrire"),
    path("commissions/<int:pk>/", views.commission, name="commission"),
    path("commissions/<int:pk>/rapport/", views.commission_rapport, name="commission_rapport"),
    path(
        "commissions/<int:pk>/rapport/document/",
        views.commission_rapport_document,
        name="commission_rapport_document",
    ),
    path("commissions/<int:pk>/voter/", views.commission_voter, name="commission_voter"),
    path(
        "commissions/<int:pk>/points/<int:point_pk>/retirer/",
        views.point_retirer,
        name="point_retirer",
    ),
]
