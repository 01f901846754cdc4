from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "instruction"
    default_auto_field = "django.db.models.BigAutoField"
