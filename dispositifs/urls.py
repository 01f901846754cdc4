"""The Guide des aides, mounted at /aides/."""

from django.urls import path

from dispositifs import views

app_name = "dispositifs"

urlpatterns = [
    path("", views.guide, name="guide"),
    path("eligibilite/", views.eligibilite, name="eligibilite"),
    path("<slug:slug>/", views.fiche, name="fiche"),
]
