"""Routes of the partners' API, mounted at /api/v1/ next to the catalogue."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from mdna.api.agent import DossierAgentViewSet
from mdna.api.donnees_ouvertes import SubventionsView
from mdna.api.evenements import AbonnementViewSet, EvenementViewSet
from mdna.api.finances import BordereauViewSet, ExportViewSet, MandatViewSet
from mdna.api.usager import DossierUsagerViewSet, OrganisationViewSet

app_name = "api"

router = SimpleRouter()
router.register("usager/organisations", OrganisationViewSet, basename="organisation")
router.register("usager/dossiers", DossierUsagerViewSet, basename="dossier-usager")
router.register("instruction/dossiers", DossierAgentViewSet, basename="dossier-agent")
router.register("evenements", EvenementViewSet, basename="evenement")
router.register("webhooks", AbonnementViewSet, basename="webhook")
router.register("finances/mandats", MandatViewSet, basename="mandat")
router.register("finances/bordereaux", BordereauViewSet, basename="bordereau")
router.register("finances/exports", ExportViewSet, basename="export")

urlpatterns = [
    *router.urls,
    path(
        "donnees-ouvertes/subventions/",
        SubventionsView.as_view(),
        name="subventions",
    ),
]
