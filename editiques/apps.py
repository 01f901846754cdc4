from django.apps import AppConfig


class EditiquesConfig(AppConfig):
    name = "editiques"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Éditiques (courriers officiels)"

    def ready(self) -> None:
        from editiques import checks  # noqa: F401 - registers the system check
