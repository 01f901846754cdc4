from django import forms
from django.urls import path

from dispositifs.depot import views

app_name = "depot"


class _Placeholder(forms.Form):
    """The real steps come from the dossier's scheme version (see DepotWizard.dispatch)."""


wizard = views.DepotWizard.as_view(
    form_list=[("_", _Placeholder)], url_name="depot:etape", done_step_name="termine"
)

urlpatterns = [
    path("nouvelle/<slug:slug>/", views.nouvelle_demande, name="nouvelle"),
    path("<int:pk>/", views.reprendre, name="reprendre"),
    path("<int:pk>/recapitulatif/", views.recapitulatif, name="recapitulatif"),
    path("<int:pk>/deposer/", views.deposer, name="deposer"),
    path("<int:pk>/pieces/<int:piece_pk>/", views.piece_telecharger, name="piece"),
    path("<int:pk>/<str:step>/", wizard, name="etape"),
]
