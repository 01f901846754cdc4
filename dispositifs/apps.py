from django.apps import AppConfig


class DispositifsConfig(AppConfig):
    name = "dispositifs"
    default_auto_field = "django.db.models.BigAutoField"
