from django.apps import AppConfig


class PaiementsConfig(AppConfig):
    name = "paiements"
    default_auto_field = "django.db.models.BigAutoField"
