from django.urls import path

from editiques import views

app_name = "editiques"

urlpatterns = [
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/copie-signee/", views.copie_deposer, name="copie_deposer"),
    path("documents/<int:pk>/copies/<int:copie_pk>/", views.copie, name="copie"),
    path("apercu/<int:dossier_pk>/", views.apercu, name="apercu_choix"),
    path("apercu/<int:dossier_pk>/<slug:type>/", views.apercu, name="apercu"),
    path("lots/<int:pk>/", views.lot, name="lot"),
    path("selection/", views.selection, name="selection"),
    path("lots/<int:pk>/archive/", views.lot_archive_demander, name="lot_archive_demander"),
    path("lots/<int:pk>/archive/telecharger/", views.lot_archive, name="lot_archive"),
]
