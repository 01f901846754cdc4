from django.urls import path

from mdna.espace import jetons, views

app_name = "espace"

urlpatterns = [
    path("", views.tableau_de_bord, name="tableau_de_bord"),
    path("dossiers/<int:pk>/", views.dossier, name="dossier"),
    path("dossiers/<int:pk>/message/", views.message_envoyer, name="message"),
    path(
        "dossiers/<int:pk>/messages/<int:message_pk>/",
        views.message_piece_jointe,
        name="message_piece",
    ),
    path("dossiers/<int:pk>/pieces/<int:piece_pk>/", views.piece, name="piece"),
    path("dossiers/<int:pk>/retirer/", views.desister, name="desister"),
    path("dossiers/<int:pk>/repondre/", views.repondre_pieces, name="repondre_pieces"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/moi-meme/", views.moi_meme, name="moi_meme"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("organisations/<int:pk>/coffre/", views.coffre, name="coffre"),
    path("organisations/<int:pk>/coffre/<int:document_pk>/", views.document, name="document"),
    path(
        "organisations/<int:pk>/coffre/<int:document_pk>/archiver/",
        views.document_archiver,
        name="document_archiver",
    ),
    path(
        "invitations/<str:jeton>/accepter/", views.invitation_accepter, name="invitation_accepter"
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("alertes/", views.alertes, name="alertes"),
    path("profil/", views.profil, name="profil"),
    path("jetons-api/", jetons.jetons_api, name="jetons"),
    path("jetons-api/<int:pk>/revoquer/", jetons.jeton_revoquer, name="jeton_revoquer"),
]
