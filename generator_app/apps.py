from django.apps import AppConfig


class GeneratorAppConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "generator_app"
    verbose_name = "HandGen"
