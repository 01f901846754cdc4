from django.urls import path

from instruction.pilotage import views

app_name = "pilotage"

urlpatterns = [
    path("", views.tableau, name="tableau"),
    path("export.csv", views.export, name="export"),
    path("dispositifs/<int:pk>/", views.dispositif, name="dispositif"),
    path("dispositifs/<int:pk>/export.csv", views.export, name="export_dispositif"),
]
