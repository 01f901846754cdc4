"""Routes of the catalogue API, mounted at /api/v1/."""

from rest_framework.routers import SimpleRouter

from dispositifs.api import DispositifViewSet

app_name = "catalogue_api"

router = SimpleRouter()
router.register("dispositifs", DispositifViewSet, basename="dispositif")

urlpatterns = router.urls
