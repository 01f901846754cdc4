"""URLs used by the tests only: a view that fails, to see the 500 page."""

from django.urls import include, path


def view_that_fails(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", view_that_fails), path("", include("mdna.urls"))]
handler500 = "mdna.views.erreur_500"
handler404 = "mdna.views.erreur_404"
