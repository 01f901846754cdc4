from django.urls import path

from instruction import export_views, views
from instruction.programmation.urls import urlpatterns as programmation

app_name = "instruction"

urlpatterns = [
    path("", views.file, name="file"),
    path("affecter/", views.affecter, name="affecter"),
    path("filtres/", views.filtre_enregistrer, name="filtre_enregistrer"),
    path("avis/", views.avis_a_rendre, name="avis"),
    path("exports/", export_views.exports, name="exports"),
    path("exports/demander/", export_views.export_demander, name="export_demander"),
    path("exports/<int:pk>/", export_views.export, name="export"),
    path("exports/<int:pk>/etat/", export_views.export_etat, name="export_etat"),
    path(
        "exports/<int:pk>/telecharger/", export_views.export_telecharger, name="export_telecharger"
    ),
    path("dossiers/<int:pk>/", views.dossier, name="dossier"),
    path("dossiers/<int:pk>/transition/<str:nom>/", views.transition, name="transition"),
    path("dossiers/<int:pk>/demander-pieces/", views.demander_pieces, name="demander_pieces"),
    path("dossiers/<int:pk>/pieces/<int:piece_pk>/", views.piece, name="piece"),
    path(
        "dossiers/<int:pk>/pieces/<int:piece_pk>/statut/", views.statuer_piece, name="statuer_piece"
    ),
    path("dossiers/<int:pk>/proposer/", views.proposer, name="proposer"),
    path("dossiers/<int:pk>/valider/", views.valider_proposition, name="valider"),
    path("dossiers/<int:pk>/note/", views.note, name="note"),
    path("dossiers/<int:pk>/message/", views.message, name="message"),
    path("dossiers/<int:pk>/avis/", views.avis_demander, name="avis_demander"),
    path("dossiers/<int:pk>/avis/<int:avis_pk>/", views.avis_rendre, name="avis_rendre"),
]

urlpatterns += programmation
