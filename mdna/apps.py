from django.apps import AppConfig


class MdnaConfig(AppConfig):
    name = "mdna"
    verbose_name = "MDNA"
    default_auto_field = "django.db.models.BigAutoField"
