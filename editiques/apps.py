from django.apps import AppConfig


class EditiquesConfig(AppConfig):
    name = "editiques"
    default_auto_field = "django.db.models.BigAutoField"
